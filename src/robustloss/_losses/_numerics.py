"""Small numerical helpers the definitions share: hyper-parameters near the dtype's limits."""

from __future__ import annotations

from typing import Any

from .._typing import Array, Namespace

__all__ = [
    "capped",
    "constant",
    "divided",
    "is_number",
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
    # looked up once per dtype (each library has dtype objects of its own, or NumPy's):
    # finfo costs about a microsecond a call. A dict keyed by the dtype alone, not
    # functools.lru_cache: TorchDynamo traces it without a warning or a graph break.
    try:
        # keyed by the dtype's type too: array-api-strict's dtypes hash as NumPy's, and
        # warn when compared with them
        key = (type(dtype), dtype)
        found = _FINFO.get(key)
    except TypeError:  # an unhashable dtype
        info = xp.finfo(dtype)
        return float(info.max), float(info.smallest_normal)
    if found is None:
        info = xp.finfo(dtype)
        found = _FINFO[key] = (float(info.max), float(info.smallest_normal))
    return found


#: the largest and smallest normal number of each dtype seen
_FINFO: dict[tuple[Any, Any], tuple[float, float]] = {}


def is_number(value: Any) -> bool:
    """Whether a hyper-parameter is a Python float (else an array of the working dtype)."""
    return isinstance(value, float)


def capped(value: Any, r: Array, xp: Namespace, fraction: float = 1.0) -> Any:
    """`value`, capped at the largest finite number of ``r.dtype``.

    A hyper-parameter beyond it (``delta=1e300`` on float32) would become inf when the
    library casts it (``inf * 0`` is NaN), or make it raise; no ``|r|`` of that dtype
    reaches the cap, so ``min(|r|, value)`` and ``clip(r, -value, value)`` are unchanged.
    An array hyper-parameter is already in the dtype (finite, checked): it is returned
    as it is (`fraction` of the cap aside).
    """
    if not is_number(value):
        return value if fraction == 1.0 else xp.minimum(value, fraction * largest(xp, r.dtype))
    return min(value, fraction * largest(xp, r.dtype))


def constant(value: Any, like: Array, xp: Namespace) -> Array:
    """`value` as a 0-d array of ``like.dtype``, for ``minimum``, ``maximum`` and ``hypot``.

    array_api_compat converts a Python scalar there with ``torch.result_type``, which
    TorchDynamo cannot trace (``torch.compile(fullgraph=True)`` failed); two arrays of
    one dtype need no promotion. An array (hyper-parameter) is returned as it is.
    """
    if not isinstance(value, (float, int)):
        return value
    return xp.asarray(value, dtype=like.dtype)


def divided(x: Array, value: Any, xp: Namespace) -> Array:
    """``x / value`` in ``x.dtype``, also for a `value` beyond its largest number.

    Such a value would become inf there; it divides in two steps through the largest
    number instead (``x / max * (max / value)``), and an infinite `x` stays infinite
    (``inf * 0`` would be NaN). A value within the range divides as usual, as does an
    array (in the dtype already).
    """
    if not is_number(value):
        return x / value
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
