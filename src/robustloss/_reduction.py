"""Weights, sums and denominators: how an elementwise result becomes what a call returns.

One rule for every loss:

* ``"none"``: ``w * l``, shaped like ``input``;
* ``"sum"``: ``sum(w * l)``;
* ``"mean"``: ``sum(w * l) / N`` with ``N`` the number of elements (NaN when ``N = 0``);
* ``"weighted_mean"``: ``sum(w * l) / sum(w)``, ``w`` broadcast to ``input``.

With ``axis=``, the sums and the count run over those axes only (``keepdims=`` keeps
them); with ``where=``, over the kept elements only (masked ones count neither in the sum
nor in N nor in sum(w)). The gradient of a reduction is the weighted ``psi`` over the same
denominator (with axes: the gradient of the sum of the reduced values); the IRLS weights
are returned elementwise. An out-of-range entry of an array hyper-parameter makes the
elements it applies to NaN. Also here: :func:`ieee_quiet`, which lets NumPy follow
IEEE rules silently, as every other library does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._checks import RESIDUAL, Prepared
from ._typing import Array

__all__ = [
    "QUIET",
    "denominator",
    "elementwise_result",
    "finish",
    "ieee_quiet",
    "kept",
    "masked",
]


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


def denominator(
    p: Prepared, total: Callable[..., Array] | None = None, keepdims: bool | None = None
) -> Array | float | None:
    """Return what the weighted sum is divided by: None (none, sum), N, or sum(w).

    Over the reduced axes (all of them by default), counting only the kept elements where
    there is a mask. A zero count or total weight is returned as NaN: the mean of nothing
    is NaN, and dividing by NaN says so without a ``0 / 0`` that Dask would warn about
    when computed, outside :func:`ieee_quiet`. `total` sums an array as ``xp.sum`` does
    (``axis=``, ``keepdims=``); the axes are kept where `keepdims` (default: the call's)
    says so.
    """
    xp, w, reduction = p.xp, p.weight, p.reduction
    total = xp.sum if total is None else total
    keep = p.keepdims if keepdims is None else keepdims
    if reduction in ("none", "sum") or p.what in RESIDUAL:
        return None
    known = None not in p.shape  # Dask with unknown chunk sizes: count lazily
    if reduction == "weighted_mean" and w is not None:
        weights = xp.broadcast_to(w, p.input.shape) if known else w * xp.ones_like(p.input)
        found = total(kept(p, weights), axis=p.axis, keepdims=keep)
        return xp.where(found == 0, xp.nan, found)
    if not known or p.where is not None:
        ones = xp.ones_like(p.input)
        count = total(ones if p.where is None else kept(p, ones), axis=p.axis, keepdims=keep)
        return xp.where(count == 0, xp.nan, count)
    axes = range(len(p.shape)) if p.axis is None else p.axis
    n = math.prod([p.shape[a] for a in axes])  # type: ignore[misc]  # a list: TorchDynamo
    return float(n) if n else math.nan


def kept(p: Prepared, values: Array) -> Array:
    """`values` (shaped like the input), 0 where the call's mask is False."""
    return masked(p.xp, values, None, None, p.where)


def masked(
    xp: Any, values: Array, invalid: Array | None, weight: Array | None, where: Array | None
) -> Array:
    """`values` NaN where `invalid`, times `weight`, and 0 where `where` is False.

    What an elementwise result goes through before it is reduced, on any namespace (the
    whole arrays here, each block's on Dask). The weight broadcasts to the input
    (checked), so the product is shaped like it; no broadcast_to, which fails on Dask's
    unknown chunk sizes.
    """
    if invalid is not None:
        values = xp.where(invalid, xp.asarray(xp.nan, dtype=values.dtype), values)
    if weight is not None:
        values = values * weight
    if where is not None:
        values = xp.where(where, values, xp.zeros_like(values))
    return values


def elementwise_result(p: Prepared, elementwise: Array) -> Array:
    """Return the weighted elementwise loss or psi, as the reductions take it.

    NaN where an array hyper-parameter is out of range, 0 where the mask is False.
    """
    return masked(p.xp, elementwise, p.invalid, p.weight, p.where)


def finish(p: Prepared, elementwise: Array) -> Array:
    """Turn ``rho``, ``psi`` or the IRLS weight of the residuals into the call's result.

    The value is reduced (over the call's axes); the gradient of a reduction is the
    weighted ``psi`` over the reduction's denominator (the gradient of the sum of the
    reduced values, with axes); a function of the residual (the IRLS weight, say) is
    returned as it is.
    """
    if p.what in RESIDUAL:  # elementwise: NaN where an array hyper-parameter is out of range
        return masked(p.xp, elementwise, p.invalid, None, None)
    values = elementwise_result(p, elementwise)
    if p.reduction == "none":
        return values
    if p.what == "value":
        if p.axis is None and not p.keepdims:
            values = p.xp.sum(values)
        else:
            values = p.xp.sum(values, axis=p.axis, keepdims=p.keepdims)
        den = denominator(p)
    else:
        den = denominator(p, keepdims=True)
    return values if den is None else values / den
