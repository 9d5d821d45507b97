"""Barron's general and adaptive robust loss (its named cases are in :mod:`.redescending`).

With ``t = r / s`` (s the scale), J. T. Barron, "A General and Adaptive Robust Loss
Function", CVPR 2019, defines::

    rho(t, alpha) = |alpha - 2| / alpha * ((t**2 / |alpha - 2| + 1) ** (alpha / 2) - 1)

and its limits: ``0.5 t**2`` at alpha = 2, ``log(1 + t**2 / 2)`` (Cauchy) at 0,
``2 t**2 / (t**2 + 4)`` (Geman-McClure) at -2, ``1 - exp(-t**2 / 2)`` (Welsch) at -inf
and ``exp(t**2 / 2) - 1`` at +inf; alpha = 1 is ``sqrt(t**2 + 1) - 1`` (pseudo-Huber).

Here it is computed as ``(b / 2) * L * exprel(alpha * L / 2)`` with ``b = |alpha - 2|``,
``L = log1p(t**2 / b)`` and ``exprel(z) = expm1(z) / z`` (itself split in two halves, so
that no intermediate overflows where the result does not): the same value, but with no
``0 / 0`` at alpha = 0, so value and autograd derivative with respect to alpha are exact
there (Barron's reference code nudges alpha by an epsilon instead). ``L`` itself is formed
without squaring ``t``, so large residuals do not overflow where the loss is finite.
Python-float alphas at 2, 1, 0, -2 and +-inf use the closed forms; array alphas select
2 and +-inf elementwise and reach 1, 0 and -2 through the general form.

Everything is a function of t, over ``scale**k`` for psi (k = 1) and the IRLS weight
(k = 2). With a scale below 1, t overflows the dtype where r may not (Cauchy's loss at
r = 3.4e38, scale 0.5 is 178 in float32), and psi or the weight in units of t underflow
where their values do not (Geman-McClure's weight at r = 1e-20, scale 1e-30 is 1.6e21);
with a scale above 1 the growing ones (alpha > 2) overflow in units of t where their
values do not. The forms that would are written in r and the scale (``_FROM_R``,
``_general_r``), at the same cost.

psi' (d psi / dr, statsmodels' ``psi_deriv``) is the weight times a factor between
alpha - 1 and 1. Its exponent is carried in two floating-point words, so that it stays good
to a few ulp where the weight's own form is as many ulp off as its exponent is large (the
comment above ``Format``).

Pseudo-Huber (alpha = 1) is also :mod:`.smooth`'s, written with ``delta`` rather than in
units of a scale; each form is exact for its own hyper-parameter, so both are kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from .._typing import Array, Namespace
from ._base import Documentation, LossDefinition, Parameter, Tuning
from ._double_word import (
    EXPONENT_MAX,
    ScaleTerms,
    exp_times,
    format_of,
    frexp,
    quotient,
    scale_terms,
    two_prod,
    two_sum,
)
from ._numerics import constant, divided, is_number, largest

__all__ = ["BARRON", "GENERAL", "SCALE", "named_case"]

#: |t| beyond which Welsch's rho is 1 and its psi 0 in every dtype, over any scale:
#: exp(-80**2 / 4) / scale**2 = 0 for every scale down to float64's smallest normal
_WELSCH_CLIP = 80.0
#: exprel switches to its Taylor polynomial below this |z|; 10 terms reach float64's ulp
_EXPREL_SMALL = 0.1
_EXPREL_TERMS = 10


def _log1p_square(a: Array, s: Any, xp: Namespace, scale: float = 1.0) -> Array:
    """Return ``log1p((a / (scale s))**2)``, divided by scale first, then by s.

    ``a >= 0``, ``s > 0`` a float or an array, ``scale > 0`` a Python float.
    ``(a / s)**2`` is never formed where it would overflow: above u = 1 it is
    ``2 log(u) + log1p((1 / u)**2)``, and where u itself overflows (a tiny s or scale)
    ``2 (log(a) - log(scale) - log(s))``, exact there as u exceeds the dtype. Each form
    sees an argument masked to its own range, so autograd passes exactly one derivative
    (``maximum``/``minimum`` would split it at the tie u = 1) and never an inf * 0.
    """
    u = (a if is_number(scale) and scale == 1.0 else divided(a, scale, xp)) / s
    over = xp.isinf(u) & xp.isfinite(a)
    above = (u > 1.0) & ~over
    big = xp.where(above, u, 1.0)
    v = xp.where(above, 1.0 / big, xp.where(over, 1.0, u))
    log_s = (xp.log(s) if hasattr(s, "shape") else math.log(s)) + _log(scale, xp)
    af = xp.where(over, a, 1.0)
    return xp.where(over, 2.0 * (xp.log(af) - log_s), 2.0 * xp.log(big) + xp.log1p(v * v))


def _exprel(z: Array, xp: Namespace) -> Array:
    """``expm1(z) / z``, 1 at z = 0, with exact autograd derivatives near 0.

    Below |z| = 0.1 a Taylor polynomial (``sum z**k / (k + 1)!``), elsewhere the quotient;
    each sees an argument masked to its own range, so neither produces inf or NaN.
    """
    small = xp.abs(z) < _EXPREL_SMALL
    zs = xp.where(small, z, 0.0)
    poly = 1.0 / math.factorial(_EXPREL_TERMS + 1) + 0.0 * zs
    for k in range(_EXPREL_TERMS - 1, -1, -1):
        poly = poly * zs + 1.0 / math.factorial(k + 1)
    inf = xp.isinf(z)  # the limits: inf at +inf, 0 at -inf (inf / inf would be NaN)
    zl = xp.where(small | inf, 1.0, z)
    limit = xp.where(z > 0, math.inf, xp.zeros_like(z))
    return xp.where(small, poly, xp.where(inf, limit, xp.expm1(zl) / zl))


# --- the special cases -------------------------------------------------------------------
def _cauchy(t: Array, xp: Namespace) -> Array:
    return _log1p_square(xp.abs(t), math.sqrt(2.0), xp)


def _cauchy_slope(t: Array, xp: Namespace) -> Array:
    # t / (1 + t**2 / 2) as sign(t) m w / (w**2 + m**2 / 2), m = min(|t|, 1),
    # w = 1 / max(|t|, 1): exact for every t, no t**2 overflow
    a = xp.abs(t)
    m = xp.minimum(a, constant(1.0, a, xp))
    w = 1.0 / xp.maximum(a, constant(1.0, a, xp))
    return xp.sign(t) * (m * w / (w * w + 0.5 * (m * m)))


def _geman_mcclure(t: Array, xp: Namespace) -> Array:
    # 2 t**2 / (t**2 + 4) = 2 m**2 / (m**2 + w**2) with u = |t| / 2, m = min(u, 1),
    # w = 1 / max(u, 1)
    u = 0.5 * xp.abs(t)
    m = xp.minimum(u, constant(1.0, u, xp))
    w = 1.0 / xp.maximum(u, constant(1.0, u, xp))
    return 2.0 * (m * m) / (m * m + w * w)


def _geman_mcclure_slope(t: Array, xp: Namespace) -> Array:
    # d/dt 2 t**2 / (t**2 + 4) = 16 t / (t**2 + 4)**2 = sign(t) 2 m w**3 / (m**2 + w**2)**2
    u = 0.5 * xp.abs(t)
    m = xp.minimum(u, constant(1.0, u, xp))
    w = 1.0 / xp.maximum(u, constant(1.0, u, xp))
    d = m * m + w * w
    return xp.sign(t) * (2.0 * m * (w * w * w) / (d * d))


def _welsch(t: Array, xp: Namespace) -> Array:
    # -expm1(-x) near 0; 1 - exp(-x) beyond, where it does not cancel and where autograd's
    # derivative of expm1 (expm1(-x) + 1) would
    c = xp.clip(t, -_WELSCH_CLIP, _WELSCH_CLIP)
    x = 0.5 * (c * c)
    return xp.where(x < 0.5, -xp.expm1(-x), 1.0 - xp.exp(-x))


def _welsch_slope(t: Array, xp: Namespace) -> Array:
    c = xp.clip(t, -_WELSCH_CLIP, _WELSCH_CLIP)
    return c * xp.exp(-0.5 * (c * c))


def _cauchy_weight(t: Array, xp: Namespace) -> Array:
    return 1.0 / (1.0 + (0.5 * t) * t)


def _geman_mcclure_weight(t: Array, xp: Namespace) -> Array:
    u = 0.5 * t
    d = 1.0 + u * u
    return 1.0 / (d * d)


def _welsch_weight(t: Array, xp: Namespace) -> Array:
    c = xp.clip(t, -_WELSCH_CLIP, _WELSCH_CLIP)
    return xp.exp(-0.5 * (c * c))


def _one(t: Array, xp: Namespace) -> Array:
    return xp.ones_like(t)


def _exponential_weight(t: Array, xp: Namespace) -> Array:
    return xp.exp((0.5 * t) * t)


def _pseudo_huber_weight(t: Array, xp: Namespace) -> Array:
    return 1.0 / xp.hypot(t, constant(1.0, t, xp))


def _quadratic(t: Array, xp: Namespace) -> Array:
    return (0.5 * t) * t


def _exponential(t: Array, xp: Namespace) -> Array:
    return xp.expm1((0.5 * t) * t)


def _exponential_slope(t: Array, xp: Namespace) -> Array:
    return t * xp.exp((0.5 * t) * t)


def _pseudo_huber(t: Array, xp: Namespace) -> Array:
    a = xp.abs(t)
    return a * (a / (xp.hypot(t, constant(1.0, t, xp)) + 1.0))


def _pseudo_huber_slope(t: Array, xp: Namespace) -> Array:
    return t / xp.hypot(t, constant(1.0, t, xp))


def _identity(t: Array, xp: Namespace) -> Array:
    return t


# --- the general form --------------------------------------------------------------------
def _log_base(t: Array, alpha: Any, xp: Namespace, scale: float = 1.0) -> tuple[Any, Array]:
    """Return ``b = |alpha - 2|`` and ``L = log1p((t / scale)**2 / b)``.

    alpha is a float or an array; t / scale is not formed (`_log1p_square`).
    """
    if hasattr(alpha, "shape"):
        b = xp.abs(alpha - 2.0)
        return b, _log1p_square(xp.abs(t), xp.sqrt(b), xp, scale)
    b = abs(alpha - 2.0)
    return b, _log1p_square(xp.abs(t), math.sqrt(b), xp, scale)


def _general_rho_t(t: Array, alpha: Any, xp: Namespace) -> Array:
    return _rho_of_log(*_log_base(t, alpha, xp), alpha, xp)


def _rho_of_log(b: Any, big_l: Array, alpha: Any, xp: Namespace) -> Array:
    # (b / 2) L exprel(z), z = alpha L / 2, written with expm1(z) = expm1(z/2) (e^(z/2) + 1)
    # as (b L / 4) exprel(z / 2) (e^(z/2) + 1): no intermediate reaches e^z, which would
    # overflow where the result (b / alpha) expm1(z) does not (alpha near 2).
    z = (0.25 * alpha) * big_l
    return ((0.25 * b) * big_l * _exprel(z, xp)) * (xp.exp(z) + 1.0)


def _general_slope_t(t: Array, alpha: Any, xp: Namespace) -> Array:
    # d rho / dt = t (t**2 / b + 1) ** (alpha / 2 - 1), the power taken in two halves so
    # that t * power stays representable where the result is (Cauchy's 2 / t at t = 1e30)
    half = xp.exp((0.25 * alpha - 0.5) * _log_base(t, alpha, xp)[1])
    return (t * half) * half


def _general_weight_t(t: Array, alpha: Any, xp: Namespace) -> Array:
    # (d rho / dt) / t = (t**2 / b + 1) ** (alpha / 2 - 1)
    return xp.exp((0.5 * alpha - 1.0) * _log_base(t, alpha, xp)[1])


_GENERAL_FORMS = (_general_rho_t, _general_slope_t, _general_weight_t)


#: closed forms (rho, d rho / dt, (d rho / dt) / t) at the Python-float alphas where the
#: general one is 0/0 or inexact
_CLOSED = {
    2.0: (_quadratic, _identity, _one),
    1.0: (_pseudo_huber, _pseudo_huber_slope, _pseudo_huber_weight),
    0.0: (_cauchy, _cauchy_slope, _cauchy_weight),
    -2.0: (_geman_mcclure, _geman_mcclure_slope, _geman_mcclure_weight),
    -math.inf: (_welsch, _welsch_slope, _welsch_weight),
    math.inf: (_exponential, _exponential_slope, _exponential_weight),
}

#: which function of a triple: the loss, its slope, the IRLS weight
_RHO, _SLOPE, _WEIGHT = 0, 1, 2


def _at_infinity(t: Array, alpha: Any, xp: Namespace, pick: int) -> Any:
    """Return the limit at |t| = inf of the function `pick` of the general loss.

    rho -> |alpha - 2| / |alpha| (1 at -inf) for alpha < 0, else inf; d rho / dt ->
    sign(t) times 0 (alpha < 1), 1 (alpha = 1) or inf; the weight -> 0 (alpha < 2),
    1 (alpha = 2) or inf.
    """
    inf = math.inf
    if not hasattr(alpha, "shape"):
        if pick == _RHO:
            if alpha >= 0:
                return inf
            bound = 1.0 if alpha == -inf else (alpha - 2.0) / alpha
            return bound if bound <= largest(xp, t.dtype) else inf
        if pick == _SLOPE:
            return xp.sign(t) * (0.0 if alpha < 1 else (1.0 if alpha == 1 else inf))
        return 0.0 if alpha < 2 else (1.0 if alpha == 2 else inf)
    if pick == _RHO:
        finite_neg = (alpha < 0) & (alpha > -inf)
        a = xp.where(finite_neg, alpha, -1.0)
        bound = xp.where(alpha == -inf, 1.0, (a - 2.0) / a)
        return xp.where(alpha < 0, bound, inf)
    if pick == _SLOPE:
        one = xp.ones_like(alpha)
        return xp.sign(t) * xp.where(alpha < 1, 0.0, xp.where(alpha == 1, one, inf))
    return xp.where(alpha < 2, 0.0, xp.where(alpha == 2, xp.ones_like(alpha), inf))


def _general(t: Array, alpha: Any, xp: Namespace, pick: int) -> Array:
    # |t| = inf (an infinite residual, or a huge one over a tiny scale) is its limit; the
    # forms see a finite stand-in there (inf / inf and inf * 0 would be NaN)
    inf = xp.isinf(t)
    out = _finite_general(xp.where(inf, 0.0, t), alpha, xp, pick)
    return xp.where(inf, _at_infinity(t, alpha, xp, pick), out)


def _finite_general(t: Array, alpha: Any, xp: Namespace, pick: int) -> Array:
    if not hasattr(alpha, "shape"):  # a Python float: a hyper-parameter, not data
        alpha = _representable(alpha, t, xp)
        if alpha in _CLOSED:
            return _CLOSED[alpha][pick](t, xp)
        return _GENERAL_FORMS[pick](t, alpha, xp)
    # An array: alpha = 2 and +-inf are selected elementwise (the general form is 0/0
    # there); the general form is evaluated at a harmless alpha where they are chosen, so
    # that neither its value nor its autograd derivative is inf or NaN. Elsewhere,
    # including alpha = 0, the general form is exact and differentiable in alpha.
    two, neg, pos = alpha == 2.0, alpha == -math.inf, alpha == math.inf
    safe = xp.where(two | neg | pos, 1.0, alpha)
    out = _GENERAL_FORMS[pick](t, safe, xp)
    for mask, key in ((two, 2.0), (neg, -math.inf), (pos, math.inf)):
        special = _CLOSED[key][pick]
        if key == math.inf:  # expm1(t**2 / 2) overflows where not selected: mask t
            out = xp.where(mask, special(xp.where(mask, t, 0.0), xp), out)
        else:
            out = xp.where(mask, special(t, xp), out)
    return out


def _of_residual(r: Array, alpha: Any, scale: float, xp: Namespace, pick: int) -> Array:
    """rho, psi or the weight of `r`: the function of t = r / scale, over scale**pick.

    With a scale other than 1, t can overflow the working dtype where r does not, and
    psi or the weight in units of t can underflow or overflow it where their values do
    not; the forms that would (`_FROM_R`, `_general_r`) are computed from r and the
    scale directly instead.
    """
    if not is_number(scale):
        # an array: the forms of a scale below 1 and of one above, each at a harmless
        # scale where the other is chosen, selected elementwise
        small = scale < 1.0
        below = _by_form(r, alpha, xp.where(small, scale, 0.5), xp, pick, True)
        above = _by_form(r, alpha, xp.where(small, 1.0, scale), xp, pick, False)
        return xp.where(small, below, above)
    if scale == 1.0:
        return _in_t(r, alpha, scale, xp, pick)
    return _by_form(r, alpha, scale, xp, pick, scale < 1.0)


def _by_form(r: Array, alpha: Any, scale: Any, xp: Namespace, pick: int, small: bool) -> Array:
    """`_of_residual` by the forms of a scale below 1 (`small`) or above."""
    if hasattr(alpha, "shape"):
        return _general_r_array(r, alpha, scale, xp, pick, small)
    alpha = _representable(alpha, r, xp)
    if alpha not in _CLOSED:
        return _general_r(r, alpha, scale, xp, pick)
    form = _FROM_R.get((alpha, pick, small))
    return _in_t(r, alpha, scale, xp, pick) if form is None else form(r, scale, xp)


def _log(scale: Any, xp: Namespace) -> Any:
    """log(scale): a Python float for a float, an array for an array."""
    return math.log(scale) if is_number(scale) else xp.log(scale)


def _in_t(r: Array, alpha: Any, scale: float, xp: Namespace, pick: int) -> Array:
    out = _general(divided(r, scale, xp), alpha, xp, pick)
    for _ in range(pick):  # d/dr = (d/dt) / scale; the weight (d rho/dt) / t / scale**2
        out = divided(out, scale, xp)
    return out


# --- a scale other than 1: from r and the scale --------------------------------------------
# Each takes r, the scale and the namespace; |r| = inf is its limit, t = |r| / scale may be
# inf. The scale (>= the smallest normal number, checked) enters as a Python float.
def _general_r(r: Array, alpha: Any, scale: float, xp: Namespace, pick: int) -> Array:
    """Return the general form from r, for a Python-float or an array alpha.

    L = log1p(t**2 / b) is formed without t (`_log1p_square`); the weight is
    ``exp((alpha / 2 - 1) L - 2 log(scale))`` and psi ``r h**2`` with
    ``h = exp((alpha / 4 - 1 / 2) L - log(scale))``: neither underflows in units of t.
    """
    inf = xp.isinf(r)
    a = xp.abs(xp.where(inf, 0.0, r))
    b, big_l = _log_base(a, alpha, xp, scale)
    if pick == _RHO:
        out = _rho_of_log(b, big_l, alpha, xp)
    elif pick == _WEIGHT:
        out = xp.exp((0.5 * alpha - 1.0) * big_l - 2.0 * _log(scale, xp))
    else:
        h = xp.exp((0.25 * alpha - 0.5) * big_l - _log(scale, xp))
        out = xp.sign(r) * ((a * h) * h)
    return xp.where(inf, _limit(r, alpha, scale, xp, pick), out)


def _general_r_array(
    r: Array, alpha: Array, scale: Any, xp: Namespace, pick: int, small: bool
) -> Array:
    # as `_finite_general`: 2 and +-inf selected elementwise, by the forms a Python-float
    # alpha takes, and the general form at a harmless alpha there
    two, neg, pos = alpha == 2.0, alpha == -math.inf, alpha == math.inf
    out = _general_r(r, xp.where(two | neg | pos, 1.0, alpha), scale, xp, pick)
    for mask, key in ((two, 2.0), (pos, math.inf), (neg, -math.inf)):
        rs = xp.where(mask, r, 0.0)  # exp(t**2 / 2) overflows where not selected
        form = _FROM_R.get((key, pick, small))
        value = _in_t(rs, key, scale, xp, pick) if form is None else form(rs, scale, xp)
        out = xp.where(mask, value, out)
    return out


def _limit(r: Array, alpha: Any, scale: float, xp: Namespace, pick: int) -> Any:
    """Return the limit at |r| = inf of rho, psi or the weight: `_at_infinity` / scale**pick."""
    out = _at_infinity(r, alpha, xp, pick)
    for _ in range(pick):  # scale**2 may be 0 in Python floats, scale beyond the dtype
        out = divided(out, scale, xp) if hasattr(out, "shape") else out / scale
    return out


def _split(r: Array, c: float, scale: float, xp: Namespace) -> tuple[Array, Array, Array]:
    """Return m, q and k of u = |r| / (c scale): min(u, 1), 1 / max(u, 1), 1 / (scale max(u, 1)).

    ``1 + u**2 = (m**2 + q**2) / q**2``; k is ``1 / scale`` inside and ``c / |r|`` beyond
    u = 1, so that it stays exact where u overflows (``|r|`` = 1e300, scale 1e-100).
    """
    a = xp.abs(r)
    u = (a / scale) / c
    one = constant(1.0, u, xp)
    beyond = u > 1.0
    k = xp.where(beyond, c / xp.where(beyond, a, 1.0), 1.0 / scale)
    return xp.minimum(u, one), 1.0 / xp.maximum(u, one), k


def _cauchy_rho_r(r: Array, scale: float, xp: Namespace) -> Array:
    return _log1p_square(xp.abs(r), math.sqrt(2.0), xp, scale)


def _cauchy_psi_r(r: Array, scale: float, xp: Namespace) -> Array:
    # r / (scale**2 (1 + u**2)) = r k**2 / (m**2 + q**2): 2 / r where t overflows
    m, q, k = _split(r, math.sqrt(2.0), scale, xp)
    a = xp.abs(xp.where(xp.isinf(r), 0.0, r))
    return xp.sign(r) * ((a * k) * (k / (m * m + q * q)))


def _cauchy_weight_r(r: Array, scale: float, xp: Namespace) -> Array:
    # 1 / (scale**2 (1 + u**2)), u = |t| / sqrt(2): k**2 / (m**2 + q**2); 0 at |r| = inf
    m, q, k = _split(r, math.sqrt(2.0), scale, xp)
    return k * (k / (m * m + q * q))


def _geman_mcclure_r(r: Array, scale: float, xp: Namespace) -> tuple[Array, Array, Array]:
    # u = |t| / 2, d = m**2 + q**2: e = 1 / (scale (1 + u**2)) = q k / d
    m, q, k = _split(r, 2.0, scale, xp)
    d = m * m + q * q
    return m, q / d, (q * k) / d


def _geman_mcclure_psi_r(r: Array, scale: float, xp: Namespace) -> Array:
    # 16 t / (scale (t**2 + 4)**2) = 2 u / (scale (1 + u**2)**2) = 2 m e q / d
    m, q_d, e = _geman_mcclure_r(r, scale, xp)
    return xp.sign(r) * ((2.0 * m) * (e * q_d))


def _geman_mcclure_weight_r(r: Array, scale: float, xp: Namespace) -> Array:
    # 16 / (scale**2 (t**2 + 4)**2) = e**2
    e = _geman_mcclure_r(r, scale, xp)[2]
    return e * e


def _welsch_half_r(r: Array, scale: float, xp: Namespace) -> Array:
    # exp(-t**2 / 4) / scale = exp(-t**2 / 4 - log(scale)), the square root of the weight
    c = xp.clip(r / scale, -_WELSCH_CLIP, _WELSCH_CLIP)
    return xp.exp(-0.25 * (c * c) - _log(scale, xp))


def _exponential_half_r(r: Array, scale: float, xp: Namespace) -> Array:
    # exp(t**2 / 4) / scale = exp(t**2 / 4 - log(scale)), the square root of the weight
    t = divided(r, scale, xp)
    return xp.exp(0.25 * (t * t) - _log(scale, xp))


_RForm = Callable[[Array, float, Namespace], Array]


def _from_half(half: _RForm, zero_at_inf: bool) -> tuple[_RForm, _RForm]:
    """Psi = r h**2 and the weight h**2 of a form whose weight is the square of `half`.

    Where `half` is 0 at |r| = inf (`zero_at_inf`: Welsch), psi there is 0, not inf * 0.
    """

    def psi(r: Array, scale: float, xp: Namespace) -> Array:
        h = half(r, scale, xp)
        return ((xp.where(xp.isinf(r), 0.0, r) if zero_at_inf else r) * h) * h

    def weight(r: Array, scale: float, xp: Namespace) -> Array:
        h = half(r, scale, xp)
        return h * h

    return psi, weight


_welsch_psi_r, _welsch_weight_r = _from_half(_welsch_half_r, zero_at_inf=True)
_exponential_psi_r, _exponential_weight_r = _from_half(_exponential_half_r, zero_at_inf=False)


def _pseudo_huber_weight_r(r: Array, scale: float, xp: Namespace) -> Array:
    # 1 / (scale**2 sqrt(1 + t**2)) = (1 / scale) / hypot(r, scale)
    return (1.0 / scale) / xp.hypot(r, constant(scale, r, xp))


#: (alpha, function, scale below 1) -> its form from r and the scale, where the form in t
#: would overflow or underflow (the others are exact in t): with a scale below 1 the
#: decreasing ones, above 1 the increasing ones (alpha = +inf)
_FROM_R = {
    (0.0, _RHO, True): _cauchy_rho_r,
    (0.0, _SLOPE, True): _cauchy_psi_r,
    (0.0, _WEIGHT, True): _cauchy_weight_r,
    (-2.0, _SLOPE, True): _geman_mcclure_psi_r,
    (-2.0, _WEIGHT, True): _geman_mcclure_weight_r,
    (-math.inf, _SLOPE, True): _welsch_psi_r,
    (-math.inf, _WEIGHT, True): _welsch_weight_r,
    (1.0, _WEIGHT, True): _pseudo_huber_weight_r,
    (math.inf, _SLOPE, False): _exponential_psi_r,
    (math.inf, _WEIGHT, False): _exponential_weight_r,
}


def _representable(alpha: float, r: Array, xp: Namespace) -> float:
    """Return alpha, or its limit +-inf where it is beyond the working dtype of `r`."""
    if math.isfinite(alpha) and abs(alpha) > largest(xp, r.dtype):
        return math.copysign(math.inf, alpha)
    return alpha


def _general_rho(r: Array, *, xp: Namespace, alpha: Any, scale: float) -> Array:
    return _of_residual(r, alpha, scale, xp, _RHO)


def _general_psi(r: Array, *, xp: Namespace, alpha: Any, scale: float) -> Array:
    return _of_residual(r, alpha, scale, xp, _SLOPE)


def _general_weight(r: Array, *, xp: Namespace, alpha: Any, scale: float) -> Array:
    return _of_residual(r, alpha, scale, xp, _WEIGHT)


def _general_psi_deriv(r: Array, *, xp: Namespace, alpha: Any, scale: float) -> Array:
    return _psi_deriv(r, alpha, scale, xp)


# --- psi' = d psi / dr ---------------------------------------------------------------------
# With x = t**2, b = |alpha - 2|, p = alpha / 2 - 1 and L = log1p(x / b), psi' = g(t) / scale**2
# is the IRLS weight exp(p L) / scale**2 times F = 1 + (alpha - 2) x / (x + b), a factor
# between alpha - 1 and 1:
#
#     g = (1 + x / b) ** (alpha / 2 - 2) (1 + (alpha - 1) x / b) = exp(p L) F
#
# and, as limits, 1 (alpha = 2), exp(-x / 2) (1 - x) (-inf) and exp(x / 2) (1 + x) (+inf).
# The weight's form, exp(p L - 2 log(scale)), is as many ulp off as its exponent is large
# (the rounding of p L and of log(scale): up to 1400 in float64). Here the exponent is
# carried in two words (double-word arithmetic: Knuth's exact sum, Dekker's exact product,
# no fused multiply-add needed), log(scale) in two words from Python, the logarithm of the
# data as k ln 2 + ln m (an exact frexp): psi' is good to a few eps plus at most |p| eps
# (relative) for every residual and scale: the rounding of log1p and log of arguments of
# order 1, times p (21 eps at alpha = 50 in float32, 18 in float64).
# Cauchy, Geman-McClure and pseudo-Huber (Python-float alpha 0, -2, 1) are rational in r
# and the scale, and alpha = +-inf carries t = r / scale in two words: a few eps.
# F crosses 0 at x = b / (1 - alpha) for alpha < 1: there the error is a few eps times the
# weight (about eps / scale**2), not relative to psi' (which a root makes meaningless).
# Autograd through psi' stays finite and NaN-free (every branch sees masked arguments)
# wherever psi' and its derivative are a few thousand times below the dtype's largest
# number; nearer, the cotangents of the compensation terms may overflow.


def _ends(r: Array, out: Array, at_zero: float, at_inf: Any, xp: Namespace) -> Array:
    """Return `out`, 1 / scale**2 (`at_zero`) at r = 0 and the limit `at_inf` at |r| = inf."""
    return xp.where(r == 0.0, at_zero, xp.where(xp.isinf(r), at_inf, out))


def _general_curvature(r: Array, alpha: Array, scale: float, xp: Namespace) -> Array:
    """Return psi' at a finite alpha other than 2, an array (0-d for a Python float).

    ``L = log1p(y)``, ``y = t**2 / b``, in two regions. Up to y = 1 from y in two words
    (t = r / scale, t**2 and the quotient by b, each with its rounding error); beyond,
    ``2 ln|r| - 2 ln(scale) - ln b + log1p(z)`` with z = 1 / y in two words (from
    w = scale / |r|), the logarithms split as k ln 2 + ln m (`frexp`), the large terms
    summed exactly: neither t nor t**2 is formed there, so no residual or scale overflows.
    Then ``E = p L - 2 ln(scale)`` in two words, and psi' = exp(E) F.
    """
    fmt = format_of(r, xp)
    sc = scale_terms(scale, fmt)
    s = sc.value
    a = xp.abs(xp.where(xp.isinf(r), 0.0, r))
    b = xp.abs(alpha - 2.0)
    p = 0.5 * alpha - 1.0
    near = a <= s * xp.sqrt(b)  # y <= 1; s sqrt(b) = inf is no overflow of a: near
    # y <= 1: y = t**2 / b in two words; F = (1 + (alpha - 1) y) / (1 + y)
    t, t_lo = quotient(xp.where(near, a, 0.0), sc, fmt, xp)
    x, x_lo = two_prod(t, t, fmt, xp)
    x_lo = x_lo + 2.0 * (t * t_lo)
    y = x / b
    m1, m2 = two_prod(y, b, fmt, xp, (True, False))
    y_lo = (((x - m1) - m2) + x_lo) / b
    log_near = xp.log1p(y) + y_lo / (1.0 + y)
    f_near = (1.0 + (alpha - 1.0) * y) / (1.0 + y)
    # y > 1: z = b w**2, w = scale / |r|, in two words (1 where near: w = 1). A tiny |r|
    # (a tiny scale) and the scale are first multiplied by the same power of 2: autograd
    # would otherwise square |r| (0 * inf for d w / d|r| = -scale / r**2)
    far = xp.where(near, s, a)
    tiny = far < 2.0 ** -(fmt.emax // 4)
    up = 2.0 ** (3 * fmt.emax // 4)
    fs = xp.where(tiny, far * up, far)
    ss = xp.where(tiny, constant(min(s * up, fmt.largest), a, xp), constant(s, a, xp))
    w = ss / fs
    m1, m2 = two_prod(w, fs, fmt, xp, (True, False))
    w_lo = ((ss - m1) - m2) / fs
    v, v_lo = two_prod(w, w, fmt, xp)
    z, z_lo = two_prod(b, v, fmt, xp, (False, True))
    z_lo = z_lo + b * (v_lo + 2.0 * (w * w_lo))
    m_a, k_a = frexp(far, fmt, xp)
    m_b, k_b = frexp(b, fmt, xp)
    k = 2.0 * k_a - k_b
    hi, e0 = two_sum(k * fmt.ln2_hi, -2.0 * sc.log_hi)
    hi, e1 = two_sum(hi, 2.0 * xp.log(m_a))
    hi, e2 = two_sum(hi, -xp.log(m_b))
    hi, e3 = two_sum(hi, xp.log1p(z) + z_lo / (1.0 + z))
    lo = ((e0 + e1) + (e2 + e3)) + (k * fmt.ln2_lo - 2.0 * sc.log_lo)
    f_far = (z + (alpha - 1.0)) / (z + 1.0)
    big_l = xp.where(near, log_near, hi)
    big_l_lo = xp.where(near, 0.0, lo)
    # alpha = 1: F = 1 / (1 + y) = exp(-L), which would underflow where psi' does not
    # (t = 1e160, scale = 1e-300): it joins the exponent
    one = ~near & (alpha == 1.0)
    p = xp.where(one, p - 1.0, p)
    f = xp.where(near, f_near, xp.where(one, 1.0, f_far))
    # E = p L - 2 ln(scale); a |p L| beyond EXPONENT_MAX (a huge |alpha|) is clipped there
    ok = xp.abs(p * big_l) <= EXPONENT_MAX
    pm, lm = xp.where(ok, p, 0.0), xp.where(ok, big_l, 0.0)
    pl, pl_lo = two_prod(pm, lm, fmt, xp, (False, True))
    pl = xp.where(ok, pl, xp.clip(p * big_l, -EXPONENT_MAX, EXPONENT_MAX))
    pl_lo = xp.where(ok, pl_lo + p * big_l_lo, 0.0)
    e_hi, e_lo = two_sum(pl, -2.0 * sc.log_hi)
    e_hi, e_lo = two_sum(e_hi, e_lo + (pl_lo - 2.0 * sc.log_lo))  # |e_lo| <= ulp(e_hi) / 2
    out = exp_times(e_hi, e_lo, f, xp)
    # |r| = inf: 0 for alpha < 2, inf above (alpha = 2 is not computed here)
    at_inf = xp.where(alpha < 2.0, xp.zeros_like(alpha), math.inf)
    return _ends(r, out, sc.inverse_square, at_inf, xp)


def _exponential_curvature(r: Array, sign: float, scale: float, xp: Namespace) -> Array:
    """Return psi' at alpha = -inf (`sign` -1, Welsch) or +inf (`sign` 1).

    ``exp(sign x / 2 - 2 ln(scale)) (1 + sign x)`` with t = r / scale and x = t**2 in two
    words: exp's argument is good to its last bit, where its own rounding would cost x / 4
    ulp (370 at the edge of float64's range). |t| is clipped at 80, beyond which psi' is 0
    (-inf) or overflows (+inf) for every scale.
    """
    fmt = format_of(r, xp)
    sc = scale_terms(scale, fmt)
    inside = ~(xp.abs(r / sc.value) > _WELSCH_CLIP)  # NaN stays NaN; |r| = inf is outside
    t, t_lo = quotient(xp.where(inside, r, 0.0), sc, fmt, xp)
    t = xp.where(inside, t, _WELSCH_CLIP)
    x, x_lo = two_prod(t, t, fmt, xp)
    x_lo = x_lo + 2.0 * (t * t_lo)
    e_hi, e_lo = two_sum((0.5 * sign) * x, -2.0 * sc.log_hi)
    e_lo = e_lo + ((0.5 * sign) * x_lo - 2.0 * sc.log_lo)
    out = exp_times(e_hi, e_lo, (1.0 + sign * x) + sign * x_lo, xp)
    return xp.where(r == 0.0, sc.inverse_square, out)


def _flat_curvature(r: Array, scale: float, xp: Namespace) -> Array:
    # alpha = 2: 1 / scale**2, still a function of r (autograd: 0; NaN stays NaN)
    at_zero = scale_terms(scale, format_of(r, xp)).inverse_square
    return 0.0 * xp.where(xp.isinf(r), 0.0, r) + at_zero


class _Ratios(NamedTuple):
    """(s - a) / h, (s + a) / h, a / h, s / h and 1 / h, for a = |r| / 2, s = c scale.

    h = hypot(a, s): ``1 + (r / (2 c scale))**2`` is (h / s)**2.
    """

    below: Array
    above: Array
    a: Array
    s: Array
    inverse: Array


def _ratios(r: Array, c: float, scale: float, xp: Namespace) -> tuple[_Ratios, ScaleTerms]:
    """Return the `_Ratios` of r at ``s = c scale``, with no overflow for any r.

    The forms multiply by 1 / h rather than divide by h twice, which XLA would make a
    division by h**2 (0 or inf for h far from 1). For a scale of at least
    2**(-emax / 4) only: nearer 0, autograd's derivative of 1 / h, -1 / h**2, would
    overflow where psi' and its derivative do not (`_RATIONAL_CURVATURE`).
    """
    fmt = format_of(r, xp)
    sc = scale_terms(scale, fmt)
    s = min(c * sc.value, 0.5 * fmt.largest)
    a = 0.5 * xp.abs(xp.where(xp.isinf(r), 0.0, r))
    ss = constant(s, a, xp)
    u = 1.0 / xp.hypot(a, ss)
    return _Ratios((ss - a) * u, (ss + a) * u, a * u, ss * u, u), sc


def _cauchy_curvature(r: Array, scale: float, xp: Namespace) -> Array:
    # (1 - t**2 / 2) / (1 + t**2 / 2)**2 / scale**2 = (s**2 - a**2) / (2 h**4),
    # s = scale / sqrt(2); s - a is exact near the root
    q, sc = _ratios(r, math.sqrt(0.5), scale, xp)
    f = q.below * q.above
    return _ends(r, ((0.5 * f) * q.inverse) * q.inverse, sc.inverse_square, 0.0, xp)


def _geman_mcclure_curvature(r: Array, scale: float, xp: Namespace) -> Array:
    # (1 - 3 t**2 / 4) / (1 + t**2 / 4)**3 / scale**2 = (s**2 - 3 a**2) s**2 / h**6, s = scale:
    # f w**2 with f = (s**2 - 3 a**2) / h**2 and w = s / h**2 (at most 1 / scale)
    q, sc = _ratios(r, 1.0, scale, xp)
    f = q.below * q.above - 2.0 * (q.a * q.a)
    w = q.s * q.inverse
    return _ends(r, (f * w) * w, sc.inverse_square, 0.0, xp)


def _pseudo_huber_curvature(r: Array, scale: float, xp: Namespace) -> Array:
    # (1 + t**2) ** -1.5 / scale**2 = scale / (2 h)**3, s = scale / 2
    q, sc = _ratios(r, 0.5, scale, xp)
    return _ends(r, ((0.25 * q.s) * q.inverse) * q.inverse, sc.inverse_square, 0.0, xp)


#: psi' in closed form at the Python-float alphas whose exponent p is an integer or a half,
#: for a scale of at least 2**(-emax / 4) (1e-77 in float64, 2e-10 in float32; below, the
#: general form, as exact, whose autograd derivative does not overflow there)
_RATIONAL_CURVATURE: dict[float, _RForm] = {
    0.0: _cauchy_curvature,
    -2.0: _geman_mcclure_curvature,
    1.0: _pseudo_huber_curvature,
}


def _psi_deriv(r: Array, alpha: Any, scale: float, xp: Namespace) -> Array:
    """Return psi' = d psi / dr = g(t) / scale**2 at `alpha` (a Python float or an array).

    ``g = (1 + x/b) ** (alpha/2 - 2) (1 + (alpha - 1) x/b)``, x = t**2, b = |alpha - 2|;
    how it is computed is the comment above `Format`. An array scale: g(r / scale) over
    scale**2, a few ulp more (t rounded), and 0 or inf where t or the result leaves the dtype.
    """
    if not is_number(scale):
        g = _psi_deriv(r / scale, alpha, 1.0, xp)
        return (g / scale) / scale
    if hasattr(alpha, "shape"):
        # 2 and +-inf selected elementwise; the general form sees alpha = 1 and r = 0 there
        # (a value it overflows at would make autograd's 0 * inf a NaN)
        two, neg, pos = alpha == 2.0, alpha == -math.inf, alpha == math.inf
        special = two | neg | pos
        out = _general_curvature(
            xp.where(special, 0.0, r), xp.where(special, 1.0, alpha), scale, xp
        )
        for mask, sign in ((neg, -1.0), (pos, 1.0)):
            value = _exponential_curvature(xp.where(mask, r, 0.0), sign, scale, xp)
            out = xp.where(mask, value, out)
        return xp.where(two, _flat_curvature(r, scale, xp), out)
    alpha = _representable(alpha, r, xp)
    if alpha == 2.0:
        return _flat_curvature(r, scale, xp)
    if math.isinf(alpha):
        return _exponential_curvature(r, math.copysign(1.0, alpha), scale, xp)
    if alpha in _RATIONAL_CURVATURE and scale >= 2.0 ** -(format_of(r, xp).emax // 4):
        return _RATIONAL_CURVATURE[alpha](r, scale, xp)
    return _general_curvature(r, constant(alpha, r, xp), scale, xp)


SCALE = Parameter("scale", 1.0, "Residuals are measured in units of `scale` (``t = r / scale``).")
#: the reference of the general loss and of its named cases
BARRON = 'J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.'

GENERAL = LossDefinition(
    "general",
    _general_rho,
    _general_psi,
    _general_weight,
    (
        Parameter(
            "alpha",
            1.0,
            "Shape parameter.",
            minimum=-math.inf,
            maximum=math.inf,
        ),
        SCALE,
    ),
    Documentation(
        summary="Barron's general and adaptive robust loss, with shape parameter `alpha`.",
        body="""\
With ``t = (input - target) / scale`` and ``b = |alpha - 2|``::

    general(t) = b / alpha * ((t**2 / b + 1) ** (alpha / 2) - 1)

and its limits: ``0.5 t**2`` (alpha = 2), pseudo-Huber ``sqrt(t**2 + 1) - 1``
(alpha = 1), Cauchy (0), Geman-McClure (-2), Welsch (-inf) and ``exp(t**2 / 2) - 1``
(+inf). Lower `alpha` means heavier tails are ignored: convex for alpha >= 1,
redescending for alpha < 1.

Python-float alphas 2, 1, 0, -2 and +-inf use the closed forms. Everywhere else the
loss is computed as ``(b / 2) L exprel(alpha L / 2)`` with ``L = log1p(t**2 / b)``,
which has no ``0 / 0`` at alpha = 0: the value and its derivative with respect to
`alpha` are exact there, with no epsilon (Barron's reference code shifts alpha by one,
which biases the value and its derivative near 0). At alpha = 2 the derivative with
respect to alpha is unbounded (it grows like ``log|alpha - 2|``); autograd returns 0
for an array alpha equal to 2 or +-inf.""",
        weight_formula=(
            "``(t**2 / |alpha - 2| + 1)**(alpha / 2 - 1) / scale**2``; ``1 / scale**2`` at 0"
        ),
        references=(BARRON,),
        see_also=("cauchy_loss", "geman_mcclure_loss", "welsch_loss", "pseudo_huber_loss"),
        grad_note="The derivative with respect to `alpha` is autograd's.",
        examples="""\
>>> import numpy as np
>>> from robustloss import general_loss
>>> r, zero = np.asarray([2.0]), np.zeros(1)
>>> [float(general_loss(r, zero, alpha)) for alpha in (2.0, 1.0, 0.0, -1.0)]
[2.0, 1.2360679775, 1.0986122887, 1.0360389879]

A per-element alpha:

>>> general_loss(np.full(3, 2.0), np.zeros(3), np.asarray([2.0, 0.0, -np.inf]),
...              reduction="none")
array([2.        , 1.09861229, 0.86466472])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import general_loss_grad
>>> float(general_loss_grad(np.asarray([2.0]), np.zeros(1), 1.0)[0])  # t / sqrt(t**2 + 1)
0.894427191""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import GeneralLoss
>>> loss = GeneralLoss(alpha=0.0)
>>> float(loss(np.asarray([2.0]), np.zeros(1)))  # log 3
1.0986122887
>>> GeneralLoss.from_config(loss.get_config()) == loss
True""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import general
>>> general(np.asarray([0.0, 2.0]), alpha=1.0)  # 1 / sqrt(1 + 4)
array([1.        , 0.4472136])""",
    ),
    "GeneralLoss",
    psi_deriv=_general_psi_deriv,
    tuning=Tuning("scale"),
    family="barron",
)


def named_case(name: str, alpha: float, docs: Documentation, object_name: str) -> LossDefinition:
    """Return the general loss at a fixed `alpha` as a loss of its own, with ``scale``.

    Its closed form, with its limits at |t| = inf and its forms from r for scales far from
    1: exactly what :data:`GENERAL` computes at that Python-float alpha.
    """

    def rho(r: Array, *, xp: Namespace, scale: float) -> Array:
        return _of_residual(r, alpha, scale, xp, _RHO)

    def psi(r: Array, *, xp: Namespace, scale: float) -> Array:
        return _of_residual(r, alpha, scale, xp, _SLOPE)

    def weight(r: Array, *, xp: Namespace, scale: float) -> Array:
        return _of_residual(r, alpha, scale, xp, _WEIGHT)

    def psi_deriv(r: Array, *, xp: Namespace, scale: float) -> Array:
        return _psi_deriv(r, alpha, scale, xp)

    return LossDefinition(
        name,
        rho,
        psi,
        weight,
        (SCALE,),
        docs,
        object_name,
        psi_deriv,
        tuning=Tuning("scale"),
        family="redescending",
    )
