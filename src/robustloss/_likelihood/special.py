"""log Z(alpha), the log-normaliser of Barron's distribution, and log Gamma.

Both for Python floats (computed with :mod:`math`, returned as floats) and for Array API
arrays (branch-free, differentiable, on the array's device, in its dtype).
"""

from __future__ import annotations

import math
from typing import Any

import array_api_compat as aac

from .._losses import _partition_table as table
from .._typing import Array, Namespace

__all__ = ["log_gamma", "log_partition_of", "log_partition_value"]

#: the first entry of the table's second part (alpha >= 1), and the start of its last interval
_B = table.KA + 1
_LAST = table.KA + table.KB


def _hermite(v0: Any, v1: Any, d0: Any, d1: Any, u: Any) -> Any:
    """Return the cubic with values v0, v1 and slopes d0, d1 at u = 0 and 1."""
    w = 1.0 - u
    return (v0 * (1.0 + 2.0 * u) + d0 * u) * (w * w) + (v1 * (3.0 - 2.0 * u) + d1 * (u - 1.0)) * (
        u * u
    )


def log_partition_value(alpha: float) -> float:
    """Return log Z(alpha) of a Python float alpha >= 0 (inf included), NaN below 0."""
    if not alpha >= 0.0:
        return math.nan
    if alpha == 2.0:  # exact closed forms where they exist
        return table.LOG_Z_TWO
    if alpha == 0.0:
        return table.LOG_Z_ZERO
    if alpha <= 1.0:
        pos = math.asinh(alpha / table.DELTA) / table.STEP_A
        k = min(math.floor(pos), table.KA - 1)
    else:
        t = 1.0 if math.isinf(alpha) else alpha / (alpha + table.C)
        pos = _B + (math.asinh((t - table.T0) / table.EPSILON) - table.W0) / table.STEP
        k = min(max(math.floor(pos), _B), _LAST)
    v, d = table.VALUES, table.SLOPES
    g = _hermite(v[k], v[k + 1], d[k], d[k + 1], pos - k)
    if math.isinf(alpha):
        return float(g)
    s = alpha - 2.0
    if abs(s) < 1.0:
        log_ratio = 2.0 * math.log(abs(s)) - math.log1p(s * s)
    else:
        log_ratio = -math.log1p(1.0 / (s * s))
    return float(g + (0.125 * s) * log_ratio)


def log_partition_of(alpha: Array, xp: Namespace) -> Array:
    """Return log Z(alpha) of a real floating array, elementwise (NaN where alpha < 0).

    The cubic Hermite interpolant of the table (:mod:`.._losses._partition_table`) plus
    the term ``S(alpha) = (s / 8) log(s**2 / (1 + s**2))``, ``s = alpha - 2``, that the
    table leaves out. Every branch sees a masked argument, so that autograd gets no inf
    or NaN: the derivative is finite at alpha = 0 and, where alpha is exactly 2 (where it
    is -inf), that of the table alone.
    """
    dtype, dev = alpha.dtype, aac.device(alpha)
    bad = ~(alpha >= 0.0)
    inf = xp.isinf(alpha)
    low = alpha <= 1.0
    a = xp.where(bad | inf, 2.0, alpha)
    # below 1: alpha = DELTA sinh(pos STEP_A); above: w = asinh((t - T0) / EPSILON)
    a_low = xp.where(low, a, 1.0)
    pos_low = xp.asinh(a_low / table.DELTA) / table.STEP_A
    a_high = xp.where(low, 2.0, a)
    t = xp.where(inf, 1.0, a_high / (a_high + table.C))
    pos_high = _B + (xp.asinh((t - table.T0) / table.EPSILON) - table.W0) / table.STEP
    pos = xp.where(low, pos_low, pos_high)
    k = xp.where(
        low,
        xp.clip(xp.floor(pos_low), 0.0, float(table.KA - 1)),
        xp.clip(xp.floor(pos_high), float(_B), float(_LAST)),
    )
    u = pos - k
    index = xp.reshape(xp.astype(k, _index_dtype(xp, dev)), (-1,))
    values = xp.asarray(table.VALUES, dtype=dtype, device=dev)
    slopes = xp.asarray(table.SLOPES, dtype=dtype, device=dev)

    def at(column: Array, i: Array) -> Array:
        return xp.reshape(xp.take(column, i), k.shape)

    g = _hermite(
        at(values, index), at(values, index + 1), at(slopes, index), at(slopes, index + 1), u
    )
    # S, with log(s**2 / (1 + s**2)) in the form that neither overflows nor cancels
    s = a - 2.0
    near = xp.abs(s) < 1.0
    s_near = xp.where(near & (s != 0.0), s, 1.0)
    s_far = xp.where(near, 1.0, s)
    log_ratio = xp.where(
        near,
        2.0 * xp.log(xp.abs(s_near)) - xp.log1p(s_near * s_near),
        -xp.log1p(1.0 / (s_far * s_far)),
    )
    extra = xp.where((s == 0.0) | inf, 0.0, (0.125 * s) * log_ratio)
    return xp.where(bad, xp.nan, g + extra)


def _index_dtype(xp: Namespace, dev: Any) -> Any:
    info = xp.__array_namespace_info__()
    return info.default_dtypes(device=dev)["indexing"]


#: Lanczos' approximation, g = 7 and 9 terms (P. Godfrey's coefficients): relative error
#: of Gamma below 2e-15 for x >= 1/2
_LANCZOS_G = 7.0
_LANCZOS = (
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
)
_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)


def log_gamma(x: Any, xp: Namespace | None = None) -> Any:
    """Return log Gamma(x), x > 0: :func:`math.lgamma` for a Python float, else Lanczos.

    The Array API has no ``lgamma``. For an array: Lanczos' series at ``x`` (x >= 1/2) or
    at ``x + 1`` less ``log x`` (below), each on a masked argument; absolute error below
    1e-14 (relative, away from the zeros at 1 and 2) in float64, differentiable.
    NaN for x <= 0.
    """
    if xp is None:
        return math.lgamma(x) if x > 0 else math.nan
    small = x < 0.5
    ok = x > 0.0
    y = xp.where(ok, x, 1.0)
    z = xp.where(small, y, y - 1.0)  # Lanczos' series is in z = x - 1, here of x or x + 1
    series = _LANCZOS[0] + 0.0 * z
    for i in range(1, len(_LANCZOS)):
        series = series + _LANCZOS[i] / (z + float(i))
    t = z + (_LANCZOS_G + 0.5)
    out = _HALF_LOG_TWO_PI + (z + 0.5) * xp.log(t) - t + xp.log(series)
    out = xp.where(small, out - xp.log(y), out)
    return xp.where(ok, out, xp.nan)
