"""Double-word arithmetic for the Array API: sums and products to twice the precision.

Error-free transformations (Knuth's exact sum, Dekker's exact product with Veltkamp's
split, no fused multiply-add needed), an exact frexp, a scale's logarithm in two words
and exp of a two-word exponent: what Barron's psi' (:mod:`.barron`) needs to stay within
a few ulp where its exponent is large. Plain elementwise Array API code: it runs under
``jax.jit`` (a no-op select keeps XLA from fusing a product into a multiply-add,
:func:`rounded`), lazily on Dask and through autograd.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

from .._typing import Array, Namespace
from ._numerics import constant, largest

__all__ = [
    "EXPONENT_MAX",
    "Format",
    "ScaleTerms",
    "exp_times",
    "format_of",
    "frexp",
    "quotient",
    "scale_terms",
    "two_prod",
    "two_sum",
]


class Format(NamedTuple):
    """The working dtype, for the double-word arithmetic of psi'."""

    #: significand bits, largest and smallest normal number
    bits: int
    emax: int
    largest: float
    tiny: float
    #: the powers 2**j that `frexp` halves by: emax / 2, ..., 2, 1
    powers: tuple[int, ...]
    #: ln 2 = ln2_hi + ln2_lo, ln2_hi short enough that k ln2_hi is exact for |k| < 2**12
    #: (float64) or 2**10 (float32): every k of `_general_curvature`
    ln2_hi: float
    ln2_lo: float
    #: Veltkamp's 2**ceil(bits / 2) + 1, and the magnitude above which x * splitter could
    #: overflow (x is then split scaled down by 2**shift)
    splitter: float
    split_max: float
    shift: int


#: ln 2 as the sum of two doubles
_LN2, _LN2_TAIL = 0.6931471805599453, 2.3190468138462996e-17
#: beyond this |p L| the exponent's exp is 0 or inf whatever the scale: 2 log(scale) is
#: at most 1420 in float64
EXPONENT_MAX = 16384.0


def _round_bits(x: float, bits: int) -> float:
    """`x` rounded to nearest, ties to even, to `bits` significant bits."""
    if x == 0.0 or not math.isfinite(x):
        return x
    m, e = math.frexp(x)
    return math.ldexp(round(math.ldexp(m, bits)), e - bits)


def _make_format(bits: int, emax: int, k_bits: int) -> Format:
    hi = _round_bits(_LN2, bits - k_bits)
    half = (bits + 1) // 2
    return Format(
        bits=bits,
        emax=emax,
        largest=math.ldexp(1.0 - 2.0**-bits, emax),
        tiny=math.ldexp(1.0, 2 - emax),
        powers=tuple(2**j for j in reversed(range(emax.bit_length() - 1))),
        ln2_hi=hi,
        ln2_lo=(_LN2 - hi) + _LN2_TAIL,
        splitter=2.0**half + 1.0,
        split_max=2.0 ** (emax - half - 2),
        shift=half + 1,
    )


_DOUBLE = _make_format(53, 1024, 12)
_SINGLE = _make_format(24, 128, 10)


def format_of(r: Array, xp: Namespace) -> Format:
    return _DOUBLE if largest(xp, r.dtype) > _SINGLE.largest else _SINGLE


class ScaleTerms(NamedTuple):
    """The scale as the working dtype holds it, its logarithm in two words, 1 / scale**2."""

    value: float
    log_hi: float
    log_lo: float
    inverse_square: float
    #: value = mantissa 2**exponent, mantissa in [1/2, 1)
    mantissa: float
    exponent: int


def scale_terms(scale: float, fmt: Format) -> ScaleTerms:
    """Return the :class:`ScaleTerms` of `scale` in the format `fmt`, computed once."""
    # a dict, not functools.lru_cache: TorchDynamo traces it without a warning
    found = _SCALE_TERMS.get((scale, fmt))
    if found is None:
        if len(_SCALE_TERMS) >= 256:
            _SCALE_TERMS.clear()
        found = _SCALE_TERMS[(scale, fmt)] = _scale_terms(scale, fmt)
    return found


#: the terms of each scale and format seen (at most 256)
_SCALE_TERMS: dict[tuple[float, Format], ScaleTerms] = {}


def _scale_terms(scale: float, fmt: Format) -> ScaleTerms:
    # a scale beyond the dtype (float32 only) is its largest number: 1 / scale**2 and every
    # psi' round to 0 either way
    s = _round_bits(min(scale, fmt.largest), fmt.bits)
    m, e = math.frexp(s)
    # ln s = e ln 2 + ln m: e ln2_hi (41 bits) is exact, and ln m (|ln m| < ln 2) is within
    # half an ulp of 0.7: the sum is within 2**-54 of ln s, then split for the dtype
    total, rest = two_sum(e * _DOUBLE.ln2_hi, e * _DOUBLE.ln2_lo + math.log(m))
    hi = _round_bits(total, fmt.bits)
    try:
        inverse_square = float(Fraction(1) / Fraction(s) ** 2)  # correctly rounded
    except OverflowError:
        inverse_square = math.inf
    if inverse_square > fmt.largest:
        inverse_square = math.inf
    return ScaleTerms(s, hi, (total - hi) + rest, inverse_square, m, e)


def two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """Return s and e, ``a + b = s + e`` exactly (Knuth), s the rounded sum."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _rounded(product: Array, x: Array, xp: Namespace) -> Array:
    """Return `product` (of x and something) through a select that changes nothing.

    A compiler that fuses elementwise code (XLA on CPU and GPU) may contract a product and
    a later sum into a fused multiply-add, which skips the product's rounding: the
    error-free transformations below count on that rounding. A select stops it.
    """
    return xp.where(x != x, x, product)


def _halves(x: Array, fmt: Format, xp: Namespace) -> tuple[Array, Array]:
    """Return hi and lo, ``x = hi + lo``, each of at most half the significand (Veltkamp).

    Products of halves are exact; x must stay below ``fmt.split_max``.
    """
    c = _rounded(x * fmt.splitter, x, xp)
    hi = c - (c - x)
    return hi, x - hi


def two_prod(
    x: Array, y: Array, fmt: Format, xp: Namespace, bounded: tuple[bool, bool] = (True, True)
) -> tuple[Array, Array]:
    """Return p and e, ``x y = p + e`` exactly (Dekker: no fused multiply-add needed).

    `bounded` says which of x and y stay below ``fmt.split_max``; one that may not is
    scaled down by a power of 2 where it exceeds it (its halves would overflow), and p
    and e are scaled back: exact wherever x y does not overflow.
    """
    big = []
    if not bounded[0]:
        big.append(xp.abs(x) > fmt.split_max)
        x = xp.where(big[-1], x * 2.0**-fmt.shift, x)
    if not bounded[1]:
        big.append(xp.abs(y) > fmt.split_max)
        y = xp.where(big[-1], y * 2.0**-fmt.shift, y)
    p = _rounded(x * y, x, xp)
    xh, xl = _halves(x, fmt, xp)
    yh, yl = (xh, xl) if y is x else _halves(y, fmt, xp)
    e = ((xh * yh - p) + xh * yl + xl * yh) + xl * yl
    for mask in big:
        p = xp.where(mask, p * 2.0**fmt.shift, p)
        e = xp.where(mask, e * 2.0**fmt.shift, e)
    return p, e


def quotient(a: Array, sc: ScaleTerms, fmt: Format, xp: Namespace) -> tuple[Array, Array]:
    """Return t and t_lo, ``a / scale = t + t_lo`` to twice the working precision.

    t_lo is the exact remainder ``a - t scale`` over the scale, formed with the scale's
    mantissa and a scaled by the same power of 2 (exactly): the halves of a scale near the
    dtype's smallest normal number would be subnormal, which XLA flushes to 0. For an
    a / scale (and a) that stays below ``fmt.split_max``.
    """
    t = a / sc.value
    half = sc.exponent // 2
    scaled = (a * 2.0**-half) * 2.0 ** (half - sc.exponent)
    m1, m2 = two_prod(t, constant(sc.mantissa, t, xp), fmt, xp)
    return t, ((scaled - m1) - m2) / sc.mantissa


def frexp(x: Array, fmt: Format, xp: Namespace) -> tuple[Array, Array]:
    """Return m in [1/sqrt(2), sqrt(2)) and an integral k with ``x = m 2**k``, for x > 0.

    The Array API has no frexp: x is multiplied by 2**-j where it is at least 2**j and by
    2**j where it is below 2**-j, for j = emax / 2, ..., 2, 1, then once more by 2, each
    step exactly (a subnormal x is scaled up first); k is then log2(x / m), rounded. An x
    flushed to 0 (XLA) counts as 1.
    """
    x = xp.where(x > 0.0, x, 1.0)
    one = xp.ones_like(x)
    m = xp.where(x < fmt.tiny, x * 2.0**fmt.bits, x)
    for j in fmt.powers:
        m = m * xp.where(m >= 2.0**j, 2.0**-j, xp.where(m < 2.0**-j, 2.0**j, one))
    m = m * xp.where(m >= math.sqrt(2.0), 0.5, xp.where(m < math.sqrt(0.5), 2.0, one))
    return m, xp.round(xp.log2(x) - xp.log2(m))


def exp_times(e_hi: Array, e_lo: Array, f: Array, xp: Namespace) -> Array:
    """Return ``exp(e_hi + e_lo) f``, for ``|e_lo| <= ulp(e_hi)``.

    Through exp(e_hi / 2) twice: no intermediate overflows or underflows where the result
    does not (|f| is at most max(1, |alpha - 1|)).
    """
    h = xp.exp(0.5 * e_hi)
    return ((h * f) * h) * (1.0 + e_lo)
