"""Derivatives of rho with respect to the hyper-parameters, written from the analytic forms.

:meth:`.LossDefinition.param_grad` returns them: ``f(r, *, xp, **params)``, the derivative
of ``rho(r)`` with respect to one hyper-parameter, elementwise, for Python-float or array
hyper-parameters. Autodiff then needs no pass through the composition that computes rho
(whose masks, clips and compensations are exact for the value, not for its derivative
with respect to a hyper-parameter: Barron's general loss gave wrong signs in the far tail).

Most hyper-parameters scale the residual: with the others fixed, ``rho(r; c) = c**k f(r / c)``,
so that ``d rho / d c = (k rho - r psi) / c`` (Euler). That difference cancels near r = 0 for
every smooth loss (both terms are ``k rho`` to first order), so each derivative here is its
own form, free of cancellation; ``Parameter.homogeneity`` records k, and a loss declared
with only that fact gets Euler's form.

Barron's general loss (``t = r / scale``, ``b = |alpha - 2|``, ``L = log1p(t**2 / b)``,
``z = alpha L / 2``)::

    d rho / d scale = -t**2 (1 + t**2 / b) ** (alpha / 2 - 1) / scale
    d rho / d alpha = (b / 4) L**3 e**z phi2[-L, -z]

with ``phi2(v) = (e**v - 1 - v) / v**2`` and ``phi2[u, w]`` its divided difference (positive:
rho grows with alpha). Where ``|L|`` and ``|z|`` are at most 2 the divided difference is
its series, ``sum_j h_(j-1)(u, w) / (j + 2)!`` with the complete homogeneous polynomials
``h_m``, which has no cancellation; elsewhere ``e**z phi2(-L) - phi'(z)`` with
``phi = exprel``, ``phi'(z) = e**z phi2(-z)`` (no e**-z to overflow). Near alpha = 2 (where
the derivative is unbounded, like ``-log|alpha - 2|``) that difference keeps about
``3 / |(alpha / 2 - 1) L|`` fewer bits. At alpha = 2 and +-inf it is 0 (the limit at
+-inf; at 2 the convention of autodiff through an array alpha).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .._typing import Array, Namespace
from ._double_word import exp_times, format_of, quotient, scale_terms, two_prod, two_sum
from ._numerics import capped, constant, largest, propagated, smallest_normal

__all__ = ["DERIVATIVES", "derivative", "euler"]

Elementwise = Callable[..., Array]


def _array(value: Any, r: Array, xp: Namespace) -> Array:
    """Return a hyper-parameter as an array of r's dtype (a Python float is capped)."""
    if hasattr(value, "shape"):
        return value
    return constant(capped(value, r, xp), r, xp)


def _is_array(value: Any) -> bool:
    return hasattr(value, "shape")


def _log(value: Any, xp: Namespace) -> Any:
    return xp.log(value) if _is_array(value) else math.log(value)


def _sqrt(value: Any, xp: Namespace) -> Any:
    return xp.sqrt(value) if _is_array(value) else math.sqrt(value)


def _representable(alpha: float, r: Array, xp: Namespace) -> float:
    """Return alpha, or its limit +-inf where it is beyond the working dtype of `r`."""
    if math.isfinite(alpha) and abs(alpha) > largest(xp, r.dtype):
        return math.copysign(math.inf, alpha)
    return alpha


def _log_base(a: Array, alpha: Any, scale: Any, xp: Namespace) -> tuple[Any, Array]:
    """Return ``b = |alpha - 2|`` and ``L = log1p((a / scale)**2 / b)`` for ``a >= 0``.

    As Barron's loss forms it: ``u = a / (scale sqrt(b))`` is not squared where that would
    overflow (``2 log(u) + log1p(1 / u**2)`` above 1), and where u itself overflows (a tiny
    scale) L is ``2 (log(a) - log(scale sqrt(b)))``.
    """
    b = abs(alpha - 2.0)
    u = (a / scale) / _sqrt(b, xp)
    over = xp.isinf(u) & xp.isfinite(a)
    above = (u > 1.0) & ~over
    big = xp.where(above, u, 1.0)
    v = xp.where(above, 1.0 / big, xp.where(over, 1.0, u))
    log_s = _log(scale, xp) + 0.5 * _log(b, xp)
    af = xp.where(over, a, 1.0)
    return b, xp.where(over, 2.0 * (xp.log(af) - log_s), 2.0 * xp.log(big) + xp.log1p(v * v))


def euler(rho: Elementwise, psi: Elementwise, name: str, k: int) -> Elementwise:
    """``(k rho - r psi) / c``: the derivative of a loss homogeneous of degree k in (r, c)."""

    def derivative(r: Array, *, xp: Namespace, **params: Any) -> Array:
        c = params[name]
        value = k * rho(r, xp=xp, **params) - r * psi(r, xp=xp, **params)
        return value / c

    return derivative


# --- the piecewise losses --------------------------------------------------------------------
def _excess(r: Array, c: Any, xp: Namespace) -> Array:
    # |r| - min(|r|, c) = max(|r| - c, 0): 0 inside, exact where |r| is within 2 c
    a = xp.abs(r)
    return a - xp.minimum(a, _array(c, r, xp))


def _huber_delta(r: Array, *, xp: Namespace, delta: Any) -> Array:
    # 0 inside delta, |r| - delta beyond (d/d delta of delta |r| - delta**2 / 2)
    return _excess(r, delta, xp)


def _smooth_l1_beta(r: Array, *, xp: Namespace, beta: Any) -> Array:
    # -(q / beta)**2 / 2, q = min(|r|, beta): -r**2 / (2 beta**2) inside, -1/2 beyond;
    # beta = 0 (exactly L1) is the limit -1/2 (0 at r = 0, where rho is 0 for every beta)
    a = xp.abs(r)
    b = _array(beta, r, xp)
    tiny = smallest_normal(xp, r.dtype)
    l1 = b < tiny
    bs = xp.where(l1, 1.0, b)
    u = xp.where(l1, xp.astype(a > 0.0, r.dtype), xp.minimum(a, bs) / bs)
    return propagated(r, -0.5 * (u * u), xp)


# --- the smooth losses -----------------------------------------------------------------------
def _pseudo_huber_delta(r: Array, *, xp: Namespace, delta: Any) -> Array:
    # delta t**4 / (h (h + 1)**2), t = r / delta, h = sqrt(1 + t**2):
    # |r| (u / h) (u / (h + 1))**2 with u = |t|, each ratio at most 1; |r| where t overflows
    a = xp.abs(r)
    d = _array(delta, r, xp)
    u = a / d
    inf = xp.isinf(u)
    us = xp.where(inf, 1.0, u)
    h = xp.hypot(us, constant(1.0, us, xp))
    ratio = us / (h + 1.0)
    return xp.where(inf, a, a * ((us / h) * (ratio * ratio)))


#: 1/3, 1/5, ...: atanh(s) / s - 1 = s**2 (1/3 + s**2 / 5 + ...), to s = 1/2
_ATANH = tuple(1.0 / (2 * k + 3) for k in range(30))
#: below y = |r| / c = 2 Fair's derivative is its series
_FAIR_SERIES = 2.0


def _fair_c(r: Array, *, xp: Namespace, c: Any) -> Array:
    # c (2 (y - log1p y) - y**2 / (1 + y)), y = |r| / c. Below y = 2 through
    # log1p(y) = 2 atanh(s), s = y / (2 + y): c y**3 (1 / ((2 + y)(1 + y)) - 4 Q / (2 + y)**3)
    # with Q = (atanh(s) / s - 1) / s**2 (the leading y**2 terms cancel exactly); above, the
    # difference loses at most 2 bits, and |r| = inf gives inf.
    cc = _array(c, r, xp)
    a = xp.abs(r)
    y = a / cc
    small = y < _FAIR_SERIES
    ys = xp.where(small, y, 0.0)
    d = 2.0 + ys
    s2 = (ys / d) * (ys / d)
    q = constant(_ATANH[-1], r, xp)
    for coefficient in _ATANH[-2::-1]:
        q = q * s2 + coefficient
    series = (a * ys) * ys * (1.0 / (d * (1.0 + ys)) - 4.0 * q / (d * d * d))
    yl = xp.where(small, 1.0, y)
    yl = xp.where(xp.isinf(yl), 1.0, yl)
    closed = cc * (2.0 * (yl - xp.log1p(yl)) - yl * (yl / (1.0 + yl)))
    closed = xp.where(xp.isinf(y), a, closed)  # c (y - 2 log y) -> |r|
    return xp.where(small, series, closed)


# --- Tukey's biweight and quartic ----------------------------------------------------------
def _clipped_ratio(r: Array, c: Any, xp: Namespace) -> tuple[Array, Array]:
    """Return m = min(|r|, c) and u = m / c (in [0, 1])."""
    cc = _array(c, r, xp)
    m = xp.minimum(xp.abs(r), cc)
    return m, m / cc


def _tukey_c(r: Array, *, xp: Namespace, c: Any) -> Array:
    # (2 rho - r psi) / c = m u**3 (1 + 2 w) / 3 with u = m / c, w = 1 - u**2 (c / 3 beyond)
    m, u = _clipped_ratio(r, c, xp)
    u2 = u * u
    w = (1.0 - u) * (1.0 + u)
    return (m * (u * u2)) * ((1.0 + 2.0 * w) / 3.0)


def _tukey_quartic_c(r: Array, *, xp: Namespace, c: Any) -> Array:
    # (2 rho - r psi) / c = m u v (4/3 - 4 v / 5), v = u**4 (8 c / 15 beyond)
    m, u = _clipped_ratio(r, c, xp)
    v = (u * u) * (u * u)
    return (m * u) * v * (4.0 / 3.0 - 0.8 * v)


# --- Barron's family: the scale ------------------------------------------------------------
def _scale_quadratic(r: Array, scale: Any, xp: Namespace) -> Array:
    # alpha = 2: -t**2 / scale
    t = r / scale
    return -(t * (t / scale))


def _unit_split(r: Array, c: float, scale: Any, xp: Namespace) -> tuple[Array, Array, Array]:
    """Return min(u, 1), 1 / max(u, 1) and k = q / scale, for u = |r| / (c scale).

    k is 1 / scale inside and c / |r| beyond, exact where u overflows.
    """
    a = xp.abs(r)
    u = (a / scale) / c
    one = constant(1.0, u, xp)
    beyond = u > 1.0
    k = xp.where(beyond, c / xp.where(beyond, a, 1.0), 1.0 / _array(scale, r, xp))
    return xp.minimum(u, one), 1.0 / xp.maximum(u, one), k


def _scale_cauchy(r: Array, scale: Any, xp: Namespace) -> Array:
    # g = t**2 / (1 + t**2 / 2) = 2 u**2 / (1 + u**2), u = |t| / sqrt(2):
    # -2 m (m / scale) / (m**2 + q**2), no m**2 alone (it underflows where m**2 / scale does not)
    m, q, _ = _unit_split(r, math.sqrt(2.0), scale, xp)
    return -2.0 * ((m * (m / scale)) / (m * m + q * q))


def _scale_geman_mcclure(r: Array, scale: Any, xp: Namespace) -> Array:
    # g = 16 t**2 / (t**2 + 4)**2 = 4 u**2 / (1 + u**2)**2, u = |t| / 2:
    # -4 (m (m k)) q / (m**2 + q**2)**2
    m, q, k = _unit_split(r, 2.0, scale, xp)
    d = m * m + q * q
    return -4.0 * ((m * (m * k)) * q) / (d * d)


def _scale_welsch(r: Array, scale: Any, xp: Namespace) -> Array:
    # -x exp(-x / 2) / scale, x = t**2, with x and exp's argument in two words (its own
    # rounding would cost x / 2 ulp); 0 beyond |t| = 80
    if _is_array(scale):
        t = r / scale
        h = xp.abs(t) * xp.exp(-0.25 * (t * t))
        return -((h * h) / scale)
    fmt = format_of(r, xp)
    sc = scale_terms(scale, fmt)
    inside = ~(xp.abs(r / sc.value) > 80.0)
    t, t_lo = quotient(xp.abs(xp.where(inside, r, 0.0)), sc, fmt, xp)
    x, x_lo = two_prod(t, t, fmt, xp)
    x_lo = x_lo + 2.0 * (t * t_lo)
    e_hi, e_lo = two_sum(-0.5 * x, -sc.log_hi)
    e_lo = e_lo + (-0.5 * x_lo - sc.log_lo)
    out = -exp_times(e_hi, e_lo, x + x_lo, xp)
    return propagated(r, xp.where(inside, out, 0.0), xp)


def _scale_pseudo_huber(r: Array, scale: Any, xp: Namespace) -> Array:
    # g = t**2 / sqrt(1 + t**2): -(|r| / scale) (|t| / h) / scale; |t| / h = 1 where t overflows
    t = r / scale
    inf = xp.isinf(t)
    ts = xp.where(inf, 1.0, t)
    ratio = xp.where(inf, 1.0, xp.abs(ts) / xp.hypot(ts, constant(1.0, ts, xp)))
    return -(((xp.abs(r) / scale) * ratio) / scale)


def _scale_exponential(r: Array, scale: Any, xp: Namespace) -> Array:
    # alpha = +inf: -t**2 exp(t**2 / 2) / scale, through exp(t**2 / 4)
    t = r / scale
    h = xp.abs(t) * xp.exp(0.25 * (t * t))
    return -((h * h) / scale)


def _scale_general(r: Array, alpha: Any, scale: Any, xp: Namespace) -> Array:
    """-(|t| h)**2 / scale, h = (1 + t**2 / b) ** (alpha / 4 - 1 / 2), for a finite alpha != 2.

    ``|t| h = |r| (h / scale)``: t itself (which overflows for a tiny scale) is not formed.
    |r| = inf is the limit: 0 for alpha < 0, -2 / scale at 0, -inf above.
    """
    inf = xp.isinf(r)
    a = xp.abs(xp.where(inf, 0.0, r))
    big_l = _log_base(a, alpha, scale, xp)[1]
    hs = xp.exp((0.25 * alpha - 0.5) * big_l - _log(scale, xp))
    th = a * hs
    out = -((th * th) / scale)
    limit = xp.where(
        _array(alpha, r, xp) < 0.0,
        constant(0.0, r, xp),
        xp.where(_array(alpha, r, xp) == 0.0, -2.0 / _array(scale, r, xp), -math.inf),
    )
    return xp.where(inf, limit, out)


_SCALE_CLOSED: dict[float, Callable[[Array, Any, Namespace], Array]] = {
    2.0: _scale_quadratic,
    1.0: _scale_pseudo_huber,
    0.0: _scale_cauchy,
    -2.0: _scale_geman_mcclure,
    -math.inf: _scale_welsch,
    math.inf: _scale_exponential,
}


def _general_scale(r: Array, *, xp: Namespace, alpha: Any, scale: Any) -> Array:
    if not _is_array(alpha):
        alpha = _representable(alpha, r, xp)
        form = _SCALE_CLOSED.get(alpha)
        if form is not None:
            return form(r, scale, xp)
        return _scale_general(r, alpha, scale, xp)
    two, neg, pos = alpha == 2.0, alpha == -math.inf, alpha == math.inf
    out = _scale_general(r, xp.where(two | neg | pos, 1.0, alpha), scale, xp)
    for mask, key in ((two, 2.0), (neg, -math.inf), (pos, math.inf)):
        out = xp.where(mask, _SCALE_CLOSED[key](xp.where(mask, r, 0.0), scale, xp), out)
    return out


def _named_scale(alpha: float) -> Elementwise:
    form = _SCALE_CLOSED[alpha]

    def derivative(r: Array, *, xp: Namespace, scale: Any) -> Array:
        return form(r, scale, xp)

    return derivative


# --- Barron's general loss: alpha ---------------------------------------------------------
#: terms of the series of phi2 (|v| < 1), of phi' (|z| < 1) and of the divided difference
#: (|u|, |w| <= 2)
_PHI_TERMS, _DIVIDED_TERMS = 20, 26
#: below this |L| and |z| the divided difference is its series
_DIVIDED_NEAR = 2.0


def _phi2(v: Array, xp: Namespace) -> Array:
    """(e**v - 1 - v) / v**2: its series below |v| = 1, the closed form beyond."""
    small = xp.abs(v) < 1.0
    vs = xp.where(small, v, 0.0)
    series = constant(1.0 / math.factorial(_PHI_TERMS + 1), v, xp)
    for j in range(_PHI_TERMS - 1, -1, -1):
        series = series * vs + 1.0 / math.factorial(j + 2)
    vl = xp.where(small, 1.0, v)
    return xp.where(small, series, (xp.expm1(vl) - vl) / (vl * vl))


def _exprel_slope(z: Array, xp: Namespace) -> Array:
    """phi'(z) for phi(z) = (e**z - 1) / z: ((z - 1) e**z + 1) / z**2, a series below 1."""
    small = xp.abs(z) < 1.0
    zs = xp.where(small, z, 0.0)
    series = constant((_PHI_TERMS + 1) / math.factorial(_PHI_TERMS + 2), z, xp)
    for k in range(_PHI_TERMS, 0, -1):
        series = series * zs + k / math.factorial(k + 1)
    zl = xp.where(small, 1.0, z)
    return xp.where(small, series, ((zl - 1.0) * xp.exp(zl) + 1.0) / (zl * zl))


def _alpha_general(r: Array, alpha: Any, scale: Any, xp: Namespace) -> Array:
    """Return d rho / d alpha for a finite alpha other than 2 (the module's docstring)."""
    inf = xp.isinf(r)
    a = xp.abs(xp.where(inf, 0.0, r))
    al = _array(alpha, r, xp)
    b, big_l = _log_base(a, al, scale, xp)
    z = (0.5 * al) * big_l
    near = (big_l <= _DIVIDED_NEAR) & (xp.abs(z) <= _DIVIDED_NEAR)
    # near: (b / 4) L**3 e**z sum_j h_(j-1)(u, w) / (j + 2)!, u = -L, w = -z
    u = -xp.where(near, big_l, 0.0)
    w = -xp.where(near, z, 0.0)
    h = xp.ones_like(u)
    power = xp.ones_like(u)
    divided_difference = h / 6.0
    for j in range(2, _DIVIDED_TERMS + 1):
        power = power * w
        h = u * h + power
        divided_difference = divided_difference + h * (1.0 / math.factorial(j + 2))
    cube = (big_l * big_l) * big_l
    near_value = ((0.25 * b) * cube) * (xp.exp(z) * divided_difference)
    # far: (sign(alpha - 2) / 2) L**2 (e**z phi2(-L) - phi'(z))
    lf = xp.where(near, 1.0, big_l)
    zf = xp.where(near, 1.0, z)
    sign = xp.where(al > 2.0, constant(0.5, r, xp), constant(-0.5, r, xp))
    far_value = (sign * (lf * lf)) * (xp.exp(zf) * _phi2(-lf, xp) - _exprel_slope(zf, xp))
    # e**z overflows (alpha > 2, a huge t) where the derivative does, to +inf (not inf - inf)
    far_value = xp.where(zf > math.log(largest(xp, r.dtype)), math.inf, far_value)
    out = xp.where(near, near_value, far_value)
    # |r| = inf: rho -> 1 - 2 / alpha for alpha < 0 (derivative 2 / alpha**2), inf above
    neg = al < 0.0
    am = xp.where(neg, al, -1.0)
    limit = xp.where(neg, 2.0 / (am * am), math.inf)
    return xp.where(inf, limit, out)


def _general_alpha(r: Array, *, xp: Namespace, alpha: Any, scale: Any) -> Array:
    if not _is_array(alpha):
        alpha = _representable(alpha, r, xp)
        if alpha == 2.0 or math.isinf(alpha):
            return propagated(r, xp.zeros_like(r), xp)
        return _alpha_general(r, alpha, scale, xp)
    special = (alpha == 2.0) | xp.isinf(alpha)
    out = _alpha_general(xp.where(special, 0.0, r), xp.where(special, 1.0, alpha), scale, xp)
    return propagated(r, xp.where(special, 0.0, out), xp)


# --- the other redescenders ----------------------------------------------------------------
#: (-1)**(k + 1) 2k / (2k + 1)!, k >= 1: sin h - h cos h = sum of c_k h**(2k + 1)
_SIN_MINUS = tuple((-1) ** (k + 1) * 2 * k / math.factorial(2 * k + 1) for k in range(1, 16))


def _andrews_a(r: Array, *, xp: Namespace, a: Any) -> Array:
    # a (2 (1 - cos t) - t sin t) = 4 a sin(h) (sin h - h cos h), h = t / 2 (at most pi / 2:
    # the series of the difference has no cancellation); 4 a beyond a pi
    aa = _array(a, r, xp)
    t = xp.clip(xp.abs(r) / aa, 0.0, math.pi)
    h = 0.5 * t
    h2 = h * h
    series = constant(_SIN_MINUS[-1], r, xp)
    for coefficient in _SIN_MINUS[-2::-1]:
        series = series * h2 + coefficient
    return (4.0 * aa) * xp.sin(h) * ((h * h2) * series)


#: 1 / k!, k >= 3: P(3, y) = 1 - e**-y (1 + y + y**2 / 2) = e**-y sum_k y**k / k!
_GAMMA3 = tuple(1.0 / math.factorial(k) for k in range(3, 40))
#: below y = a |r| = 4 Ramsay's derivative is the series of P(3, y) (positive terms)
_RAMSAY_SERIES = 4.0


def _ramsay_a(r: Array, *, xp: Namespace, a: Any) -> Array:
    # d/da (1 - (1 + y) e**-y) / a**2 with y = a |r|: -(2 / a**3) P(3, y), P the regularized
    # incomplete gamma function. Below y = 4 as -2 |r|**3 e**-y sum_k y**(k - 3) / k! (no
    # cancellation, and no a**3); above, 1 - e**-y (1 + y + y**2 / 2) loses under 2 bits.
    aa = _array(a, r, xp)
    m = xp.abs(r)
    y = aa * m
    small = y < _RAMSAY_SERIES
    ys = xp.where(small, y, 0.0)
    ms = xp.where(small, m, 0.0)
    series = constant(_GAMMA3[-1], r, xp)
    for coefficient in _GAMMA3[-2::-1]:
        series = series * ys + coefficient
    near = -2.0 * (((ms * ms) * ms) * (xp.exp(-ys) * series))
    yl = xp.where(small, 1.0, xp.where(y > 1e3, 1e3, y))  # e**-y (...) is 0 beyond
    tail = xp.exp(-yl) * (1.0 + yl * (1.0 + 0.5 * yl))
    far = -((((2.0 * (1.0 - tail)) / aa) / aa) / aa)
    return propagated(r, xp.where(small, near, far), xp)


def _arctan_scale(r: Array, *, xp: Namespace, scale: Any) -> Array:
    # (2 rho - r psi) / scale = scale (arctan x - x / (1 + x**2)), x = t**2
    # = scale (f - sin f) / 2 with f = 2 arctan x (sin f = 2 x / (1 + x**2)): a series
    # below f = 2 (no cancellation), the difference above. f is pi - 2 arctan(v**2) with
    # v = scale / r beyond |t| = 1, so that t**2 is never formed where it overflows.
    s = _array(scale, r, xp)
    a = xp.abs(r)
    near = a <= s
    t = xp.where(near, a, 0.0) / s
    v = s / xp.where(near, s, a)
    f = xp.where(near, 2.0 * xp.atan(t * t), math.pi - 2.0 * xp.atan(v * v))
    small = f < 2.0
    fs = xp.where(small, f, 0.0)
    f2 = fs * fs
    series = constant(1.0 / math.factorial(31), r, xp)
    for k in range(14, 0, -1):
        series = series * (-f2) + 1.0 / math.factorial(2 * k + 1)
    fl = xp.where(small, 2.0, f)
    out = s * (0.5 * xp.where(small, (fs * f2) * series, fl - xp.sin(fl)))
    return propagated(r, out, xp)


# --- the hard redescenders -----------------------------------------------------------------
def _hampel_parts(r: Array, a: Any, b: Any, c: Any, xp: Namespace) -> tuple[Array, ...]:
    """Return |r| clipped to [0, b] and [0, a], v = clip(|r|, b, c) - b and q = v / (c - b).

    q is where(|r| > b, 1, 0) where b = c (no descending part).
    """
    aa, bb, cc = (_array(v, r, xp) for v in (a, b, c))
    m = xp.abs(r)
    mb, ma = xp.minimum(m, bb), xp.minimum(m, aa)
    v = xp.clip(m, bb, cc) - bb
    width = cc - bb
    flat = width > 0.0
    q = xp.where(flat, v / xp.where(flat, width, 1.0), xp.astype(m > bb, r.dtype))
    return aa, mb, ma, v, q


def _hampel_a(r: Array, *, xp: Namespace, a: Any, b: Any, c: Any) -> Array:
    # 0 to a, |r| - a to b, then (b - a) + v (1 - q / 2): (b + c) / 2 - a beyond c
    _, mb, ma, v, q = _hampel_parts(r, a, b, c, xp)
    return propagated(r, (mb - ma) + v * (1.0 - 0.5 * q), xp)


def _hampel_b(r: Array, *, xp: Namespace, a: Any, b: Any, c: Any) -> Array:
    # a q (1 - q / 2): 0 to b, a / 2 beyond c
    aa, _, _, _, q = _hampel_parts(r, a, b, c, xp)
    return propagated(r, aa * (q * (1.0 - 0.5 * q)), xp)


def _hampel_c(r: Array, *, xp: Namespace, a: Any, b: Any, c: Any) -> Array:
    # a q**2 / 2: 0 to b, a / 2 beyond c
    aa, _, _, _, q = _hampel_parts(r, a, b, c, xp)
    return propagated(r, (0.5 * aa) * (q * q), xp)


def _trimmed_c(r: Array, *, xp: Namespace, c: Any) -> Array:
    # 0 inside c, c beyond (d/dc c**2 / 2)
    cc = _array(c, r, xp)
    return propagated(r, xp.where(xp.abs(r) > cc, cc, 0.0), xp)


# --- the asymmetric losses ---------------------------------------------------------------------
def _quantile_q(r: Array, *, xp: Namespace, q: Any) -> Array:
    # q z on one side, (q - 1) z on the other: z = -r on both
    return -r


def _huber_rho(r: Array, delta: Any, xp: Namespace) -> Array:
    a = xp.abs(r)
    m = xp.minimum(a, _array(delta, r, xp))
    return m * (a - 0.5 * m)


def _huber_quantile_q(r: Array, *, xp: Namespace, q: Any, delta: Any) -> Array:
    # +-huber(r): its weight is q where r <= 0, 1 - q where r > 0
    h = _huber_rho(r, delta, xp)
    return xp.where(r > 0.0, -h, h)


def _huber_quantile_delta(r: Array, *, xp: Namespace, q: Any, delta: Any) -> Array:
    side = xp.where(r > 0.0, 1.0 - _array(q, r, xp), _array(q, r, xp))
    return side * _excess(r, delta, xp)


def _expectile_q(r: Array, *, xp: Namespace, q: Any) -> Array:
    # q r**2 where r <= 0, (1 - q) r**2 where r > 0: -r |r|
    return -(r * xp.abs(r))


# --- the epsilon-insensitive losses ------------------------------------------------------------
def _outside(r: Array, epsilon: Any, xp: Namespace) -> Array:
    return xp.abs(r) > _array(epsilon, r, xp)


def _epsilon_epsilon(r: Array, *, xp: Namespace, epsilon: Any) -> Array:
    # -1 outside the tube, 0 inside and on its edge (psi's convention there)
    return propagated(r, -xp.astype(_outside(r, epsilon, xp), r.dtype), xp)


def _squared_epsilon(r: Array, *, xp: Namespace, epsilon: Any) -> Array:
    # -2 max(|r| - epsilon, 0)
    return propagated(r, -2.0 * _excess(r, epsilon, xp), xp)


#: (loss, hyper-parameter) -> d rho / d hyper-parameter: every hyper-parameter of every
#: loss of the registry (``tests/test_autodiff.py`` checks that none is missing)
DERIVATIVES: dict[tuple[str, str], Elementwise] = {
    ("huber", "delta"): _huber_delta,
    ("smooth_l1", "beta"): _smooth_l1_beta,
    ("pseudo_huber", "delta"): _pseudo_huber_delta,
    ("fair", "c"): _fair_c,
    ("tukey", "c"): _tukey_c,
    ("cauchy", "scale"): _named_scale(0.0),
    ("welsch", "scale"): _named_scale(-math.inf),
    ("geman_mcclure", "scale"): _named_scale(-2.0),
    ("general", "alpha"): _general_alpha,
    ("general", "scale"): _general_scale,
    ("arctan", "scale"): _arctan_scale,
    ("ramsay_e", "a"): _ramsay_a,
    ("hampel", "a"): _hampel_a,
    ("hampel", "b"): _hampel_b,
    ("hampel", "c"): _hampel_c,
    ("andrews_wave", "a"): _andrews_a,
    ("tukey_quartic", "c"): _tukey_quartic_c,
    ("trimmed", "c"): _trimmed_c,
    ("quantile", "q"): _quantile_q,
    ("huber_quantile", "q"): _huber_quantile_q,
    ("huber_quantile", "delta"): _huber_quantile_delta,
    ("expectile", "q"): _expectile_q,
    ("epsilon_insensitive", "epsilon"): _epsilon_epsilon,
    ("squared_epsilon_insensitive", "epsilon"): _squared_epsilon,
}


def derivative(loss: str, name: str) -> Elementwise | None:
    """Return the derivative of `loss`'s rho with respect to its hyper-parameter `name`."""
    return DERIVATIVES.get((loss, name))
