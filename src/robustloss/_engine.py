"""The evaluation engine: weights, reductions, dtypes and gradients for every loss.

A loss definition only knows its elementwise ``rho`` and ``psi``; this module turns them
into the reduced value, or its derivative with respect to ``input``, with one rule for
every loss:

* ``"none"``: ``w * l``, shaped like ``input``;
* ``"sum"``: ``sum(w * l)``;
* ``"mean"``: ``sum(w * l) / N`` with ``N`` the number of elements (NaN when ``N = 0``);
* ``"weighted_mean"``: ``sum(w * l) / sum(w)``, ``w`` broadcast to ``input``.

Arithmetic runs in float32 for float16 / bfloat16 inputs and the result is cast back.
How it runs on the namespace at hand (blocked, fused, jitted, per block) is chosen by
:mod:`._strategies`; :func:`_generic` is the plain composition they are tested against.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import array_api_compat as aac

from . import _strategies
from ._definitions import LossDefinition
from ._typing import Array, Namespace
from ._validation import Prepared, check_reduction, prepare, prepare_parameters

__all__ = ["evaluate"]


@contextlib.contextmanager
def _ieee(xp: Namespace) -> Iterator[None]:
    """Let NumPy-backed namespaces follow IEEE rules silently (inf and NaN propagate).

    NumPy warns on overflow and on 0/0; the other libraries never do. Silencing it here
    gives one behaviour on every backend (and ``filterwarnings = error`` stays usable).
    """
    if aac.is_numpy_namespace(xp) or aac.is_array_api_strict_namespace(xp):
        import numpy as np

        with np.errstate(all="ignore"):
            yield
    else:
        yield


def _denominator(
    p: Prepared, reduction: str, total: Callable[[Array], Array] | None = None
) -> Array | float | None:
    """Return what the weighted sum is divided by: None (none, sum), N, or sum(w).

    A zero count or total weight is returned as NaN: the mean of nothing is NaN, and
    dividing by NaN says so without a ``0 / 0`` that Dask would warn about when computed,
    outside :func:`_ieee`. `total` sums an array (default ``xp.sum``).
    """
    xp, w = p.xp, p.weight
    total = xp.sum if total is None else total
    if reduction in ("none", "sum"):
        return None
    known = None not in p.shape  # Dask with unknown chunk sizes: count lazily
    if reduction == "weighted_mean" and w is not None:
        weights = xp.broadcast_to(w, p.input.shape) if known else w * xp.ones_like(p.input)
        found = total(weights)
        return xp.where(found == 0, xp.nan, found)
    if not known:
        count = total(xp.ones_like(p.input))
        return xp.where(count == 0, xp.nan, count)
    n = math.prod(p.shape)  # type: ignore[arg-type]
    return float(n) if n else math.nan


def _weighted(p: Prepared, elementwise: Array) -> Array:
    # The weight broadcasts to the input (checked in prepare), so the product is shaped
    # like it; no broadcast_to, which fails on Dask's unknown chunk sizes.
    return elementwise if p.weight is None else elementwise * p.weight


def _reduce(p: Prepared, elementwise: Array, reduction: str) -> Array:
    values = _weighted(p, elementwise)
    if reduction == "none":
        return values
    total = p.xp.sum(values)
    denominator = _denominator(p, reduction)
    return total if denominator is None else total / denominator


def _reduce_derivative(p: Prepared, psi: Array, reduction: str) -> Array:
    """d(reduced loss)/d(input): the weighted psi over the reduction's denominator."""
    g = _weighted(p, psi)
    denominator = _denominator(p, reduction)
    return g if denominator is None else g / denominator


def evaluate(
    definition: LossDefinition,
    input: Array,
    target: Array,
    *,
    reduction: object,
    weight: object,
    xp: Namespace | None,
    params: dict[str, object],
    derivative: bool = False,
) -> Array:
    """Validate the arguments, then compute the loss (or its gradient) of `definition`."""
    reduction = check_reduction(reduction)
    values = definition.validate(params)
    p = prepare(input, target, weight, xp=xp)
    xp = p.xp
    values = prepare_parameters(p, values)
    definition.check_representable(values, xp, p.input.dtype)
    with _ieee(xp):
        out = _strategies.run(definition, p, values, reduction, derivative, _generic)
        if out is None:
            out = _generic(definition, p, values, reduction, derivative)
        return xp.astype(out, p.dtype, copy=False)


def _generic(
    definition: LossDefinition,
    p: Prepared,
    values: dict[str, Any],
    reduction: str,
    derivative: bool,
) -> Array:
    """Compute by the plain Array API composition, the reference of every strategy."""
    xp = p.xp
    r = p.input - p.target
    if derivative:
        return _reduce_derivative(p, definition.psi(r, xp=xp, **values), reduction)
    return _reduce(p, definition.rho(r, xp=xp, **values), reduction)
