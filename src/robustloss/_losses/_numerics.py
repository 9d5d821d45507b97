"""Small numerical helpers the definitions share: hyper-parameters near the dtype's limits."""

from __future__ import annotations

import functools
from typing import Any

from .._typing import Array, Namespace

__all__ = [
    "capped",
    "constant",
    "divided",
    "largest",
    "propagated",
    "smallest_normal",
    "step_psi_deriv",
]


def largest(xp: Namespace, dtype: Any) -> float:
    """Return the largest finite number of `dtype`, as a Python float."""
    return _finfo(xp, dtype)[0]


def smallest_normal(xp: Namespace, dtype: Any) -> float:
    """Return the smallest positive normal number of `dtype`, as a Python float."""
    return _finfo(xp, dtype)[1]


def _finfo(xp: Namespace, dtype: Any) -> tuple[float, float]:
    # looked up once per namespace and dtype: finfo costs about a microsecond a call
    try:
        return _cached_finfo(xp, dtype)
    except TypeError:  # an unhashable dtype
        info = xp.finfo(dtype)
        return float(info.max), float(info.smallest_normal)


@functools.lru_cache(maxsize=128)
def _cached_finfo(xp: Namespace, dtype: Any) -> tuple[float, float]:
    info = xp.finfo(dtype)
    return float(info.max), float(info.smallest_normal)


def capped(value: float, r: Array, xp: Namespace, fraction: float = 1.0) -> float:
    """`value`, capped at the largest finite number of ``r.dtype``.

    A hyper-parameter beyond it (``delta=1e300`` on float32) would become inf when the
    library casts it (``inf * 0`` is NaN), or make it raise; no ``|r|`` of that dtype
    reaches the cap, so ``min(|r|, value)`` and ``clip(r, -value, value)`` are unchanged.
    """
    return min(value, fraction * largest(xp, r.dtype))


def constant(value: float, like: Array, xp: Namespace) -> Array:
    """`value` as a 0-d array of ``like.dtype``, for ``minimum``, ``maximum`` and ``hypot``.

    array_api_compat converts a Python scalar there with ``torch.result_type``, which
    TorchDynamo cannot trace (``torch.compile(fullgraph=True)`` failed); two arrays of
    one dtype need no promotion.
    """
    return xp.asarray(value, dtype=like.dtype)


def divided(x: Array, value: float, xp: Namespace) -> Array:
    """``x / value`` in ``x.dtype``, also for a `value` beyond its largest number.

    Such a value would become inf there; it divides in two steps through the largest
    number instead (``x / max * (max / value)``), and an infinite `x` stays infinite
    (``inf * 0`` would be NaN). A value within the range divides as usual.
    """
    b = capped(value, x, xp)
    if b == value:
        return x / value
    return xp.where(xp.isinf(x), x, (x / b) * (b / value))


def propagated(r: Array, value: Array, xp: Namespace) -> Array:
    """Return `value`, and NaN where `r` is NaN.

    For a function built of masks and constants (a step, or 0 beyond a rejection point),
    which would otherwise turn NaN into a number.
    """
    return xp.where(xp.isnan(r), r, value)


def step_psi_deriv(r: Array, *, xp: Namespace, **params: float) -> Array:
    """Return psi' of a loss whose psi is a step function (L1, quantile, epsilon-insensitive).

    0 wherever it exists (at a step, the distributional derivative is a Dirac, which no
    array holds), and NaN where `r` is NaN.
    """
    return propagated(r, xp.zeros_like(r), xp)
