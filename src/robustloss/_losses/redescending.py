"""The redescending losses: the influence of a residual falls back as it grows.

Tukey's biweight (no influence at all beyond its rejection point, ``psi = 0`` there), and
the redescending members of Barron's family with names of their own, in decreasing order
of tail weight: Cauchy (alpha = 0), Geman-McClure (-2) and Welsch (-inf), each computed
exactly as :mod:`.barron` computes the general loss at that alpha. None is convex: start
a fit from a good one (a Huber fit, say).
"""

from __future__ import annotations

import math

from .._typing import Array, Namespace
from ._base import Documentation, LossDefinition, Parameter, Tuning
from ._double_word import format_of, two_prod
from ._numerics import capped, constant, divided, is_number
from .barron import BARRON, SCALE, named_case

__all__ = ["ARCTAN", "CAUCHY", "GEMAN_MCCLURE", "RAMSAY_E", "TUKEY", "WELSCH", "tukey_parts"]


# --- Tukey's biweight --------------------------------------------------------------------
def tukey_parts(r: Array, c: float, xp: Namespace) -> tuple[Array, Array]:
    """Return m = clip(r, -c, c) and w = 1 - (m / c)**2.

    w is ((c - a) / c) (1 + a / c), a = |m|: c - a is exact near c, where 1 - u * u loses
    every digit to the rounding of u = r / c (psi just inside c was 20% off in float32);
    c + a is never formed, so c up to the dtype's max is fine. A c below 1 is first taken
    to [0.5, 1) by a power of two (exactly), with a: c - a of a tiny c is otherwise
    subnormal, which XLA flushes to 0 (c = 6.6e-36, float32). No 1 / c**2 is formed,
    which XLA would otherwise make of (m / c) * (m / c) and overflow (NaN under jax.jit
    for c = 1e-200, float64).
    """
    k = capped(c, r, xp)
    m = xp.clip(r, -k, k)
    a = xp.abs(m)
    if not is_number(k):  # an array c: below 1, times 2**100 (exact, and as good: a ratio)
        small = k < 1.0
        k = xp.where(small, k * 2.0**100, k)
        a = xp.where(small, a * 2.0**100, a)
    elif k < 1.0:
        k, exponent = math.frexp(k)
        a = a * 2.0**-exponent
    return m, ((k - a) / k) * (1.0 + a / k)


def _tukey_rho(r: Array, *, xp: Namespace, c: float) -> Array:
    # c^2/6 (1 - w^3) = m^2/6 (1 + w + w^2): exact for small r (no 1 - (1 - v)^3
    # cancellation), constant c^2/6 beyond c (w = 0), and c^2 is never formed alone
    m, w = tukey_parts(r, c, xp)
    return (m * (m / 6.0)) * (1.0 + w * (1.0 + w))


def _tukey_weight(r: Array, *, xp: Namespace, c: float) -> Array:
    w = tukey_parts(r, c, xp)[1]
    return w * w


def _tukey_psi(r: Array, *, xp: Namespace, c: float) -> Array:
    # clip(r, -c, c) rather than r: the same value (the weight is 0 beyond c), and no
    # inf * 0 at r = +-inf
    m, w = tukey_parts(r, c, xp)
    return m * (w * w)


def _tukey_psi_deriv(r: Array, *, xp: Namespace, c: float) -> Array:
    # d/dr r w**2 = w (1 - 5 u**2) = w (5 w - 4) with u = r / c, inside c; 0 beyond (w = 0)
    w = tukey_parts(r, c, xp)[1]
    return w * (5.0 * w - 4.0)


TUKEY = LossDefinition(
    "tukey",
    _tukey_rho,
    _tukey_psi,
    _tukey_weight,
    (Parameter("c", 4.685, "Rejection point."),),
    Documentation(
        summary="Tukey's biweight loss: redescending, constant beyond ``c``.",
        body="""\
With ``r = input - target``::

    tukey(r) = c**2 / 6 * (1 - (1 - (r / c)**2)**3)   if |r| <= c
               c**2 / 6                               otherwise

equal to ``statsmodels.robust.norms.TukeyBiweight(c).rho``. Residuals beyond ``c``
have no influence at all (``psi = 0``); the default ``c = 4.685`` gives 95%
efficiency at the normal distribution (for residuals in units of their scale).
Accurate for tiny residuals, where ``1 - (1 - v)**3`` cancels.""",
        weight_formula=(
            "``(1 - (r / c)**2)**2`` inside ``c``, 0 beyond; 1 at 0; equal to "
            "``statsmodels.robust.norms.TukeyBiweight(c).weights``"
        ),
        references=(
            'A. E. Beaton, J. W. Tukey, "The Fitting of Power Series, Meaning Polynomials, '
            'Illustrated on Band-Spectroscopic Data", Technometrics 16(2), 1974.',
        ),
        see_also=("huber_loss", "cauchy_loss", "robustloss.weights.tukey"),
        examples="""\
>>> import numpy as np
>>> from robustloss import tukey_loss
>>> r = np.asarray([0.0, 1.0, 10.0])
>>> tukey_loss(r, np.zeros(3), reduction="none")
array([0.        , 0.4775661 , 3.65820417])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import tukey_loss_grad
>>> r = np.asarray([0.0, 1.0, 2.0, 10.0])
>>> tukey_loss_grad(r, np.zeros(4), reduction="none")  # r (1 - (r / c)**2)**2
array([0.        , 0.9109563 , 1.33746682, 0.        ])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import TukeyLoss
>>> TukeyLoss(reduction="none")(np.asarray([10.0]), np.zeros(1))  # c**2 / 6
array([3.65820417])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import tukey
>>> tukey(np.asarray([0.0, 1.0, 3.0]), c=2.0)  # (1 - 1/4)**2
array([1.    , 0.5625, 0.    ])
>>> tukey(np.asarray([0.0, 4.685, 5.0]), c=4.685)
array([1., 0., 0.])""",
    ),
    "TukeyLoss",
    psi_deriv=_tukey_psi_deriv,
    tuning=Tuning("c", lambda p: (p["c"],)),
    family="redescending",
)


# --- Barron's named cases -----------------------------------------------------------------
def _special_case(alpha: str) -> str:
    return f"""\
It is :func:`general_loss` with ``alpha = {alpha}`` (Barron's convention: the loss is
dimensionless, ``0.5 t**2`` for small ``t = r / scale``)."""


CAUCHY = named_case(
    "cauchy",
    0.0,
    Documentation(
        summary="Cauchy (Lorentzian) loss ``log(1 + (r / scale)**2 / 2)``: redescending, log tail.",
        body=_special_case("0"),
        weight_formula="``1 / (scale**2 (1 + t**2 / 2))``; ``1 / scale**2`` at 0",
        references=(BARRON,),
        see_also=("general_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import cauchy_loss
>>> cauchy_loss(np.asarray([0.0, 2.0]), np.zeros(2), reduction="none")  # log 3 at 2
array([0.        , 1.09861229])
>>> float(cauchy_loss(np.asarray([1.0]), np.zeros(1), scale=2.0))  # log(1 + 1/8)
0.1177830357""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import cauchy_loss_grad
>>> float(cauchy_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 2 / (1 + 2)
0.6666666667""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import CauchyLoss
>>> float(CauchyLoss(scale=2.0)(np.asarray([1.0]), np.zeros(1)))
0.1177830357""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import cauchy
>>> cauchy(np.asarray([0.0, 2.0]))
array([1.        , 0.33333333])""",
    ),
    "CauchyLoss",
)
GEMAN_MCCLURE = named_case(
    "geman_mcclure",
    -2.0,
    Documentation(
        summary="Geman-McClure loss ``2 t**2 / (t**2 + 4)``, ``t = r / scale``: bounded by 2.",
        body=_special_case("-2"),
        weight_formula="``16 / (scale**2 (t**2 + 4)**2)``; ``1 / scale**2`` at 0",
        references=(BARRON,),
        see_also=("general_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import geman_mcclure_loss
>>> geman_mcclure_loss(np.asarray([0.0, 0.5, 2.0]), np.zeros(3), reduction="none")
array([0.        , 0.11764706, 1.        ])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import geman_mcclure_loss_grad
>>> float(geman_mcclure_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 16 t / (t**2 + 4)**2
0.5""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import GemanMcClureLoss
>>> float(GemanMcClureLoss()(np.asarray([2.0]), np.zeros(1)))
1.0""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import geman_mcclure
>>> geman_mcclure(np.asarray([0.0, 2.0]))  # 16 / 64
array([1.  , 0.25])""",
    ),
    "GemanMcClureLoss",
)
WELSCH = named_case(
    "welsch",
    -math.inf,
    Documentation(
        summary=(
            "Welsch (Leclerc) loss ``1 - exp(-(r / scale)**2 / 2)``: bounded, redescending fast."
        ),
        body=_special_case("-inf"),
        weight_formula="``exp(-t**2 / 2) / scale**2``; ``1 / scale**2`` at 0",
        references=(BARRON,),
        see_also=("general_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import welsch_loss
>>> float(welsch_loss(np.asarray([2.0]), np.zeros(1)))  # 1 - exp(-2)
0.8646647168""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import welsch_loss_grad
>>> float(welsch_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 2 exp(-2)
0.2706705665""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import WelschLoss
>>> float(WelschLoss()(np.asarray([2.0]), np.zeros(1)))
0.8646647168""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import welsch
>>> welsch(np.asarray([0.0, 2.0]))  # exp(-2)
array([1.        , 0.13533528])""",
    ),
    "WelschLoss",
)


# --- Ramsay's Ea -------------------------------------------------------------------------
#: below y = a |r| = 1 rho is a series (1 - (1 + y) e**-y cancels there); above, it loses
#: under 2 bits
_RAMSAY_SERIES = 1.0
#: S(y) = (1 - (1 + y) e**-y) / y**2 = sum_k (-1)**k (k - 1) y**(k - 2) / k!, k >= 2
_RAMSAY_TERMS = tuple((-1) ** k * (k - 1) / math.factorial(k) for k in range(2, 23))


def _ramsay_rho(r: Array, *, xp: Namespace, a: float) -> Array:
    # (1 - (1 + y) e**-y) / a**2 with y = a |r|: r**2 S(y) for y < 1 (no cancellation,
    # and no a**2, which under- or overflows for an a far from 1), the closed form above
    m = xp.abs(r)
    y = capped(a, r, xp) * m
    small = y < _RAMSAY_SERIES
    ys = xp.where(small, y, 0.0)
    s = constant(_RAMSAY_TERMS[-1], r, xp)
    for coefficient in _RAMSAY_TERMS[-2::-1]:
        s = s * ys + coefficient
    yl = xp.where(small, 1.0, y)
    yl = xp.where(xp.isinf(yl), 1e3, yl)  # (1 + y) e**-y is 0 there, not inf * 0
    closed = ((1.0 - (1.0 + yl) * xp.exp(-yl)) / a) / a
    return xp.where(small, (m * xp.where(small, m, 0.0)) * s, closed)


def _ramsay_half(r: Array, a: float, xp: Namespace) -> tuple[Array, Array, Array]:
    """Return y = a |r| as y + y_lo exactly, and h = exp(-y / 2).

    e**-(y + y_lo) = h * h * (1 - y_lo): the rounding of a |r| alone would cost a |r| ulp
    (700 in float64's tail), and h * h reaches twice as far as e**-y before 0. y_lo is 0
    where it is not finite.
    """
    m = xp.abs(r)
    y, y_lo = two_prod(m, constant(capped(a, r, xp), r, xp), format_of(r, xp), xp, (False, False))
    y_lo = xp.where(xp.isfinite(y_lo), y_lo, 0.0)
    return y, y_lo, xp.exp(-0.5 * y)


def _ramsay_psi(r: Array, *, xp: Namespace, a: float) -> Array:
    # r e**-y = (r h) h (1 - y_lo); 0 at |r| = inf (not inf * 0)
    _, y_lo, h = _ramsay_half(r, a, xp)
    finite = ~xp.isinf(r)  # NaN stays NaN
    psi = ((xp.where(finite, r, 0.0) * h) * h) * (1.0 - y_lo)
    return xp.where(finite, psi, constant(0.0, r, xp))


def _ramsay_weight(r: Array, *, xp: Namespace, a: float) -> Array:
    _, y_lo, h = _ramsay_half(r, a, xp)
    return (h * h) * (1.0 - y_lo)


def _ramsay_psi_deriv(r: Array, *, xp: Namespace, a: float) -> Array:
    # e**-y (1 - y): (1 - y) - y_lo is exact near its root y = 1; 0 where y is infinite
    y, y_lo, h = _ramsay_half(r, a, xp)
    finite = ~xp.isinf(y)
    one_minus_y = (1.0 - xp.where(finite, y, 0.0)) - y_lo
    curvature = ((h * one_minus_y) * h) * (1.0 - y_lo)
    return xp.where(finite, curvature, constant(0.0, r, xp))


RAMSAY_E = LossDefinition(
    "ramsay_e",
    _ramsay_rho,
    _ramsay_psi,
    _ramsay_weight,
    (Parameter("a", 0.3, "Rate at which the influence decays: ``psi = r exp(-a |r|)``."),),
    Documentation(
        summary="Ramsay's Ea loss: ``psi = r exp(-a |r|)``, softly redescending and bounded.",
        body="""\
With ``r = input - target`` and ``y = a |r|``::

    ramsay_e(r) = (1 - exp(-y) (1 + y)) / a**2

``r**2 / 2`` near 0, rising to ``1 / a**2``; ``psi`` peaks at ``|r| = 1 / a`` and decays
exponentially beyond. Equal to ``statsmodels.robust.norms.RamsayE(a)`` (default
``a = 0.3``); accurate for small ``y``, where the closed form cancels, through its
series. Not convex: start a fit from a convex one (a Huber fit, say).""",
        weight_formula="``exp(-a |r|)``; 1 at 0",
        references=(
            'J. O. Ramsay, "A Comparative Study of Several Robust Estimates of Slope, '
            'Intercept, and Scale in Linear Regression", JASA 72(359), 1977.',
        ),
        see_also=("welsch_loss", "cauchy_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import ramsay_e_loss
>>> r = np.asarray([0.0, 1.0])
>>> ramsay_e_loss(r, np.zeros(2), a=1.0, reduction="none")  # 1 - 2 / e
array([0.        , 0.26424112])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import ramsay_e_loss_grad
>>> ramsay_e_loss_grad(np.asarray([0.0, 1.0]), np.zeros(2), a=1.0, reduction="sum")
array([0.        , 0.36787944])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import RamsayELoss
>>> RamsayELoss(a=1.0).psi_deriv(np.asarray([0.0, 1.0, 2.0]))  # (1 - y) exp(-y)
array([ 1.        ,  0.        , -0.13533528])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import ramsay_e
>>> ramsay_e(np.asarray([0.0, 1.0]), a=1.0)
array([1.        , 0.36787944])""",
    ),
    "RamsayELoss",
    psi_deriv=_ramsay_psi_deriv,
    tuning=Tuning("a"),
    family="redescending",
)


# --- arctan (SciPy's least_squares) ------------------------------------------------------
def _arctan_t(r: Array, scale: float, xp: Namespace) -> tuple[Array, Array, Array]:
    """Return t = r / scale where |t| <= 1 (0 elsewhere), v = 1 / t beyond, and |t| <= 1.

    Every form below is written in whichever of t and v is at most 1 in magnitude, so that
    t**4 never overflows where the value it gives (like psi = scale v**3 / (1 + v**4))
    is representable.
    """
    t = divided(r, scale, xp)
    near = xp.abs(t) <= 1.0
    v = capped(scale, r, xp) / xp.where(near, 1.0, r)
    return xp.where(near, t, 0.0), xp.where(near, 0.0, v), near


def _arctan_rho(r: Array, *, xp: Namespace, scale: float) -> Array:
    # scale**2 / 2 arctan(t**2) = r**2 / 2 (arctan(x) / x) for x = t**2 <= 1 (no scale**2,
    # exact where x underflows), and (scale (scale / 2)) arctan(x) beyond
    t = divided(r, scale, xp)
    x = t * t
    near = x <= 1.0
    zero = x == 0.0
    xs = xp.where(zero, 1.0, x)
    ratio = xp.where(zero, 1.0, xp.atan(xs) / xs)
    rn = xp.where(near, r, 0.0)
    s = capped(scale, r, xp)
    far = (s * (s / 2.0)) * xp.atan(xp.where(near, 1.0, x))
    return xp.where(near, (rn * (rn / 2.0)) * ratio, far)


def _arctan_psi(r: Array, *, xp: Namespace, scale: float) -> Array:
    # r / (1 + t**4) near, scale v**3 / (1 + v**4) far (0 at |r| = inf)
    t, v, near = _arctan_t(r, scale, xp)
    t4 = (t * t) * (t * t)
    v4 = (v * v) * (v * v)
    s = capped(scale, r, xp)
    return xp.where(near, xp.where(near, r, 0.0) / (1.0 + t4), s * (v * v * v) / (1.0 + v4))


def _arctan_weight(r: Array, *, xp: Namespace, scale: float) -> Array:
    t, v, near = _arctan_t(r, scale, xp)
    t4 = (t * t) * (t * t)
    v4 = (v * v) * (v * v)
    return xp.where(near, 1.0 / (1.0 + t4), v4 / (1.0 + v4))


def _arctan_psi_deriv(r: Array, *, xp: Namespace, scale: float) -> Array:
    # (1 - 3 t**4) / (1 + t**4)**2, or v**4 (v**4 - 3) / (1 + v**4)**2 far out
    t, v, near = _arctan_t(r, scale, xp)
    t4 = (t * t) * (t * t)
    v4 = (v * v) * (v * v)
    dn = 1.0 + t4
    df = 1.0 + v4
    return xp.where(near, (1.0 - 3.0 * t4) / (dn * dn), (v4 * (v4 - 3.0)) / (df * df))


ARCTAN = LossDefinition(
    "arctan",
    _arctan_rho,
    _arctan_psi,
    _arctan_weight,
    (SCALE,),
    Documentation(
        summary="Arctan loss ``scale**2 / 2 * arctan((r / scale)**2)``: SciPy's ``'arctan'``.",
        body="""\
With ``r = input - target`` and ``t = r / scale``::

    arctan(r) = scale**2 / 2 * arctan(t**2),   psi = r / (1 + t**4)

SciPy's :func:`scipy.optimize.least_squares` minimises ``0.5 * sum(C**2 rho(f**2 /
C**2))`` with ``loss='arctan'`` (``rho(z) = arctan(z)``) and ``f_scale = C``: that is
``arctan_loss(..., scale=C, reduction='sum')`` of the residuals ``f``, as its
``loss='huber'`` is :func:`huber_loss` with ``delta = C``. Bounded by
``pi scale**2 / 4``: a residual far beyond ``scale`` has almost no influence.
Not convex: start a fit from a convex one (a Huber fit, say).""",
        weight_formula="``1 / (1 + (r / scale)**4)``; 1 at 0",
        see_also=("cauchy_loss", "huber_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import arctan_loss
>>> r = np.asarray([0.0, 1.0])
>>> arctan_loss(r, np.zeros(2), reduction="none")  # arctan(1) / 2 = pi / 8
array([0.        , 0.39269908])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import arctan_loss_grad
>>> arctan_loss_grad(np.asarray([0.0, 1.0, 2.0]), np.zeros(3), reduction="sum")
array([0.        , 0.5       , 0.11764706])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import ArctanLoss
>>> ArctanLoss(scale=2.0).weights(np.asarray([0.0, 2.0]))
array([1. , 0.5])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import arctan
>>> arctan(np.asarray([0.0, 1.0, 2.0]))  # 1 / (1 + t**4)
array([1.        , 0.5       , 0.05882353])""",
    ),
    "ArctanLoss",
    psi_deriv=_arctan_psi_deriv,
    tuning=Tuning("scale"),
    family="redescending",
)
