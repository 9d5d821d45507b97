"""Weights, sums and denominators: how an elementwise result becomes what a call returns.

One rule for every loss:

* ``"none"``: ``w * l``, shaped like ``input``;
* ``"sum"``: ``sum(w * l)``;
* ``"mean"``: ``sum(w * l) / N`` with ``N`` the number of elements (NaN when ``N = 0``);
* ``"weighted_mean"``: ``sum(w * l) / sum(w)``, ``w`` broadcast to ``input``.

The gradient of a reduction is the weighted ``psi`` over the same denominator; the IRLS
weights are returned elementwise. Also here: :func:`ieee_quiet`, which lets NumPy follow
IEEE rules silently, as every other library does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._checks import RESIDUAL, Prepared
from ._typing import Array

__all__ = ["QUIET", "denominator", "finish", "ieee_quiet", "weighted"]


#: the libraries (by the name :func:`._checks.library` gives) that warn where IEEE
#: arithmetic is silent: NumPy and what is built on it
QUIET = frozenset({"numpy", "array_api_strict"})


def ieee_quiet() -> Any:
    """Let NumPy follow IEEE rules silently (inf and NaN propagate), in a ``with`` block.

    NumPy warns on overflow and on 0/0; the other libraries never do. Silencing it where
    the library is one of :data:`QUIET` gives one behaviour on every backend (and
    ``filterwarnings = error`` stays usable).
    """
    import numpy as np

    return np.errstate(all="ignore")


def denominator(p: Prepared, total: Callable[[Array], Array] | None = None) -> Array | float | None:
    """Return what the weighted sum is divided by: None (none, sum), N, or sum(w).

    A zero count or total weight is returned as NaN: the mean of nothing is NaN, and
    dividing by NaN says so without a ``0 / 0`` that Dask would warn about when computed,
    outside :func:`ieee_quiet`. `total` sums an array (default ``xp.sum``).
    """
    xp, w, reduction = p.xp, p.weight, p.reduction
    total = xp.sum if total is None else total
    if reduction in ("none", "sum") or p.what in RESIDUAL:
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


def weighted(p: Prepared, elementwise: Array) -> Array:
    """`elementwise` times the weight, if any."""
    # The weight broadcasts to the input (checked), so the product is shaped like it; no
    # broadcast_to, which fails on Dask's unknown chunk sizes.
    return elementwise if p.weight is None else elementwise * p.weight


def finish(p: Prepared, elementwise: Array) -> Array:
    """Turn ``rho``, ``psi`` or the IRLS weight of the residuals into the call's result.

    The value is reduced; the gradient of a reduction is the weighted ``psi`` over the
    reduction's denominator; a function of the residual (the IRLS weight, say) is returned
    as it is.
    """
    if p.what in RESIDUAL:
        return elementwise
    values = weighted(p, elementwise)
    if p.reduction == "none":
        return values
    if p.what == "value":
        values = p.xp.sum(values)
    den = denominator(p)
    return values if den is None else values / den
