"""The hard redescenders of statsmodels' norms: a residual beyond a point has no influence.

Hampel's three-part loss, Andrews' wave, the trimmed (truncated) squared error and
Tukey's quartic: ``psi`` is exactly 0 beyond a rejection point, and ``rho`` constant
there. Each equals its ``statsmodels.robust.norms`` namesake (``rho``, ``psi``,
``psi_deriv`` and ``weights``). None is convex: start a fit from a good one (a Huber fit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .._typing import Array, Namespace
from ._base import Documentation, LossDefinition, Parameter, Tuning
from ._double_word import format_of, two_prod
from ._numerics import capped, constant, divided, is_number, propagated
from .redescending import tukey_parts

__all__ = ["ANDREWS_WAVE", "HAMPEL", "TRIMMED", "TUKEY_QUARTIC"]

_NOT_CONVEX = "Not convex: start a fit from a convex one (a Huber fit, say)."


# --- Hampel's three-part redescender -----------------------------------------------------
def _hampel_parts(r: Array, xp: Namespace, a: Any, b: Any, c: Any) -> tuple[Any, ...]:
    """Return a, b, c capped, |r|, whether c > b, and c - b where it is (else 1).

    Where b = c the descending part is empty, and each function has a form without it.
    For Python floats "c > b" is a bool that picks the form; for arrays it is a mask, and
    c - b, where 0, is replaced by 1 so that the unused form divides by nothing.
    """
    a_, b_, c_ = (capped(v, r, xp) for v in (a, b, c))
    wide = c_ > b_
    width = c_ - b_
    if not isinstance(wide, bool):
        width = xp.where(wide, width, constant(1.0, r, xp))
    return a_, b_, c_, xp.abs(r), wide, width


def _pick(wide: Any, descending: Any, flat: Any, xp: Namespace) -> Any:
    """Return the form with a descending part where c > b, the other where b = c."""
    if isinstance(wide, bool):
        return descending() if wide else flat()
    return xp.where(wide, descending(), flat())


def _hampel_rho(r: Array, *, xp: Namespace, a: float, b: float, c: float) -> Array:
    # Huber's a-loss up to b (q (m - q / 2) with q = min(m, a), m = min(|r|, b)), then the
    # integral of the descending line a (c - s) / (c - b) from b to u = clip(|r|, b, c):
    # a (u - b) (1 - (u - b) / (2 (c - b))); constant a (b + c - a) / 2 beyond c
    # (Where autodiff splits a tie of minimum or clip, at |r| = a or b, the two halves of
    # the slope come from the two terms and add up to psi.)
    a_, b_, c_, abs_r, wide, width = _hampel_parts(r, xp, a, b, c)

    def rho(m: Array) -> Array:
        q = xp.minimum(m, constant(a_, r, xp))
        return q * (m - 0.5 * q)

    def descending() -> Array:
        v = xp.clip(abs_r, b_, c_) - b_
        return rho(xp.minimum(abs_r, constant(b_, r, xp))) + a_ * v * (1.0 - v / (2.0 * width))

    def flat() -> Array:  # b = c: no second term to take half the slope at |r| = b
        return rho(xp.where(abs_r <= b_, abs_r, constant(b_, r, xp)))

    return _pick(wide, descending, flat, xp)


def _hampel_psi(r: Array, *, xp: Namespace, a: float, b: float, c: float) -> Array:
    # sign(r) min(|r|, a, a (c - |r|) / (c - b)): the three parts and 0 beyond c at once
    # (|r| clipped at c first: no inf - inf, and c - |r| is exact near c)
    a_, _, c_, abs_r, wide, width = _hampel_parts(r, xp, a, b, c)
    m = xp.minimum(abs_r, constant(c_, r, xp))
    inner = xp.minimum(m, constant(a_, r, xp))
    inner = _pick(
        wide,
        # (c - |r|) / (c - b) lies in [0, 1]: a / (c - b) alone may underflow
        lambda: xp.minimum(inner, a_ * ((c_ - m) / width)),
        # b = c: a jump from a to 0 just beyond c (statsmodels: a at c itself)
        lambda: xp.where(abs_r > c_, constant(0.0, r, xp), inner),
        xp,
    )
    return xp.sign(r) * inner


def _hampel_weight(r: Array, *, xp: Namespace, a: float, b: float, c: float) -> Array:
    # psi / r: 1 up to a, a / |r| to b, a (c - |r|) / ((c - b) |r|) to c, 0 beyond
    a_, _, c_, abs_r, wide, width = _hampel_parts(r, xp, a, b, c)
    m = xp.minimum(abs_r, constant(c_, r, xp))
    big = xp.maximum(abs_r, constant(a_, r, xp))  # >= a > 0: no division by 0
    w = xp.minimum(constant(1.0, r, xp), a_ / big)
    return _pick(
        wide,
        lambda: xp.minimum(w, ((c_ - m) / width) * (a_ / big)),
        lambda: xp.where(abs_r > c_, constant(0.0, r, xp), w),
        xp,
    )


def _hampel_psi_deriv(r: Array, *, xp: Namespace, a: float, b: float, c: float) -> Array:
    # 1 up to a, 0 to b, -a / (c - b) to c (statsmodels' convention at the breaks), 0 beyond
    a_, b_, c_, abs_r, wide, width = _hampel_parts(r, xp, a, b, c)
    zero = constant(0.0, r, xp)
    slope = _pick(wide, lambda: -a_ / width, lambda: 0.0, xp)
    descending = xp.where((abs_r > b_) & (abs_r <= c_), constant(slope, r, xp), zero)
    return propagated(r, xp.where(abs_r <= a_, constant(1.0, r, xp), descending), xp)


def _hampel_order(values: Mapping[str, Any]) -> Any:
    # & rather than a chain: elementwise where the values are arrays
    return (values["a"] <= values["b"]) & (values["b"] <= values["c"])


HAMPEL = LossDefinition(
    "hampel",
    _hampel_rho,
    _hampel_psi,
    _hampel_weight,
    (
        Parameter("a", 2.0, "End of the quadratic part (Huber's delta)."),
        Parameter("b", 4.0, "End of the linear part, at least `a`."),
        Parameter("c", 8.0, "Rejection point, at least `b`."),
    ),
    Documentation(
        summary="Hampel's three-part redescending loss: quadratic, linear, descending, flat.",
        body=f"""\
With ``r = input - target`` and ``m = |r|``, ``psi`` rises like Huber's to ``a``, stays at
``a`` to ``b``, falls linearly to 0 at ``c`` and is 0 beyond::

    hampel(r) = m**2 / 2                                   if m <= a
                a m - a**2 / 2                             if a < m <= b
                a (b + c - a) / 2 - a (c - m)**2 / (2 (c - b))   if b < m <= c
                a (b + c - a) / 2                          otherwise

Equal to ``statsmodels.robust.norms.Hampel(a, b, c)``; statsmodels' tuning scales the
three together (``a = c / 4``, ``b = c / 2``). {_NOT_CONVEX}""",
        weight_formula=(
            "1 inside ``a``, ``a / |r|`` to ``b``, ``a (c - |r|) / ((c - b) |r|)`` to ``c``, 0 "
            "beyond; 1 at 0"
        ),
        references=(
            'F. R. Hampel, E. M. Ronchetti, P. J. Rousseeuw, W. A. Stahel, "Robust '
            'Statistics: The Approach Based on Influence Functions", Wiley, 1986.',
        ),
        see_also=("huber_loss", "tukey_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import hampel_loss
>>> r = np.asarray([1.0, 3.0, 6.0, 10.0])
>>> hampel_loss(r, np.zeros(4), reduction="none")  # 1/2, 6 - 2, 10 - 1, 10
array([ 0.5,  4. ,  9. , 10. ])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import hampel_loss_grad
>>> r = np.asarray([1.0, 3.0, -6.0, 10.0])
>>> hampel_loss_grad(r, np.zeros(4), reduction="sum")
array([ 1.,  2., -1.,  0.])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import HampelLoss
>>> loss = HampelLoss(a=2.0, b=4.0, c=8.0, reduction="sum")
>>> float(loss(np.asarray([1.0, 3.0, 6.0, 10.0]), np.zeros(4)))
23.5
>>> loss.psi_deriv(np.asarray([1.0, 3.0, 6.0, 10.0]))
array([ 1. ,  0. , -0.5,  0. ])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import hampel
>>> hampel(np.asarray([0.0, 1.0, 4.0, 6.0, 10.0]))
array([1.        , 1.        , 0.5       , 0.16666667, 0.        ])""",
    ),
    "HampelLoss",
    psi_deriv=_hampel_psi_deriv,
    constraint=_hampel_order,
    constraint_message="a <= b <= c is required",
    tuning=Tuning("c", lambda p: (p["a"], p["b"], p["c"]), ("a", "b")),
    family="rejecting",
)


# --- Andrews' wave -----------------------------------------------------------------------
def _andrews_t(r: Array, a: float, xp: Namespace) -> tuple[Array, Array, Array]:
    """Return t = r / a where |t| <= pi (0 beyond; NaN is inside), t_lo and the mask.

    t + t_lo is r / a to twice the precision, and sin(t + t_lo) = sin(t) + cos(t) t_lo:
    near t = pi, where sin(t) is small, the rounding of r / a alone would cost
    pi / |sin(t)| ulp of psi.
    """
    t = divided(r, a, xp)
    inside = ~(xp.abs(t) > math.pi)
    t = xp.where(inside, t, constant(0.0, r, xp))
    k = capped(a, r, xp)
    if is_number(a) and k < a:  # beyond the dtype: t is tiny, its rounding harmless
        return t, xp.zeros_like(t), inside
    p, e = two_prod(t, constant(k, r, xp), format_of(r, xp), xp, (True, False))
    rest = xp.where(inside, r, 0.0) - p  # exact: p is within an ulp or two of r
    t_lo = xp.where(xp.isfinite(rest), (rest - e) / k, 0.0)
    return t, t_lo, inside


def _andrews_rho(r: Array, *, xp: Namespace, a: float) -> Array:
    # a**2 (1 - cos t) = 2 (a sin(t / 2))**2: no cancellation for small t, and a**2 is
    # never formed; 2 a**2 beyond pi (sin(pi / 2) = 1 there)
    t = xp.clip(divided(r, a, xp), -math.pi, math.pi)
    s = a * xp.sin(0.5 * t)
    return 2.0 * (s * s)


def _andrews_psi(r: Array, *, xp: Namespace, a: float) -> Array:
    t, t_lo, inside = _andrews_t(r, a, xp)
    sine = xp.sin(t) + xp.cos(t) * t_lo
    return xp.where(inside, a * sine, constant(0.0, r, xp))


def _andrews_weight(r: Array, *, xp: Namespace, a: float) -> Array:
    # sin(t + t_lo) / (t + t_lo); 1 at 0, 0 beyond pi
    t, t_lo, inside = _andrews_t(r, a, xp)
    zero = t == 0.0
    ts = xp.where(zero, 1.0, t)
    ratio = ((xp.sin(ts) + xp.cos(ts) * t_lo) / ts) * (1.0 - t_lo / ts)
    return xp.where(zero & inside, 1.0, xp.where(inside, ratio, 0.0))


def _andrews_psi_deriv(r: Array, *, xp: Namespace, a: float) -> Array:
    t, t_lo, inside = _andrews_t(r, a, xp)
    return xp.where(inside, xp.cos(t) - xp.sin(t) * t_lo, constant(0.0, r, xp))


ANDREWS_WAVE = LossDefinition(
    "andrews_wave",
    _andrews_rho,
    _andrews_psi,
    _andrews_weight,
    (Parameter("a", 1.339, "Scale of the wave; residuals beyond ``a pi`` are rejected."),),
    Documentation(
        summary="Andrews' wave: ``a**2 (1 - cos(r / a))`` inside ``a pi``, constant beyond.",
        body=f"""\
With ``r = input - target``::

    andrews_wave(r) = a**2 (1 - cos(r / a))   if |r| <= a pi
                      2 a**2                  otherwise

so ``psi = a sin(r / a)`` inside ``a pi`` and 0 beyond. ``a = 1.339`` gives 95%
efficiency at the normal distribution. Equal to
``statsmodels.robust.norms.AndrewWave(a)``; computed as ``2 (a sin(r / (2 a)))**2``,
accurate for tiny residuals where ``1 - cos`` is 0. {_NOT_CONVEX}""",
        weight_formula="``sin(r / a) / (r / a)`` inside ``a pi``, 0 beyond; 1 at 0",
        references=(
            'D. F. Andrews, "A Robust Method for Multiple Linear Regression", '
            "Technometrics 16(4), 1974.",
        ),
        see_also=("tukey_loss", "welsch_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import andrews_wave_loss
>>> r = np.asarray([0.0, np.pi / 2, 10.0])
>>> andrews_wave_loss(r, np.zeros(3), a=1.0, reduction="none")
array([0., 1., 2.])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import andrews_wave_loss_grad
>>> r = np.asarray([0.0, np.pi / 2, 10.0])
>>> andrews_wave_loss_grad(r, np.zeros(3), a=1.0, reduction="sum")
array([0., 1., 0.])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import AndrewsWaveLoss
>>> loss = AndrewsWaveLoss(a=1.0, reduction="sum")
>>> float(loss(np.asarray([0.0, np.pi / 2, 10.0]), np.zeros(3)))
3.0""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import andrews_wave
>>> andrews_wave(np.asarray([0.0, np.pi / 2, 10.0]), a=1.0)  # 1, 2 / pi, 0
array([1.        , 0.63661977, 0.        ])""",
    ),
    "AndrewsWaveLoss",
    psi_deriv=_andrews_psi_deriv,
    tuning=Tuning("a", lambda p: (math.pi * p["a"],)),
    family="rejecting",
)


# --- trimmed (truncated) squared error ---------------------------------------------------
def _trimmed_inside(r: Array, c: float, xp: Namespace) -> Array:
    return ~(xp.abs(r) > capped(c, r, xp))  # NaN is inside: it stays NaN


def _trimmed_rho(r: Array, *, xp: Namespace, c: float) -> Array:
    # r**2 / 2 inside c, c**2 / 2 beyond: a where rather than min(|r|, c)**2 / 2, whose
    # derivative autodiff halves at |r| = c (JAX splits a tie of minimum), where psi is r
    inside = _trimmed_inside(r, c, xp)
    k = capped(c, r, xp)
    m = xp.where(inside, r, constant(k, r, xp))
    return m * (0.5 * m)


def _trimmed_psi(r: Array, *, xp: Namespace, c: float) -> Array:
    return xp.where(_trimmed_inside(r, c, xp), r, constant(0.0, r, xp))


def _trimmed_weight(r: Array, *, xp: Namespace, c: float) -> Array:
    inside = _trimmed_inside(r, c, xp)
    return propagated(r, xp.where(inside, constant(1.0, r, xp), constant(0.0, r, xp)), xp)


TRIMMED = LossDefinition(
    "trimmed",
    _trimmed_rho,
    _trimmed_psi,
    _trimmed_weight,
    (Parameter("c", 2.0, "Rejection point: residuals beyond it cost ``c**2 / 2``."),),
    Documentation(
        summary="Trimmed (truncated) squared error: ``min(r**2, c**2) / 2``.",
        body=f"""\
With ``r = input - target``::

    trimmed(r) = r**2 / 2   if |r| <= c
                 c**2 / 2   otherwise

The least-squares loss with every residual beyond ``c`` rejected outright (``psi`` jumps
from ``c`` to 0 there). Equal to ``statsmodels.robust.norms.TrimmedMean(c)`` and GTSAM's
``TruncatedLeastSquares``. {_NOT_CONVEX}""",
        weight_formula="1 inside ``c`` (``|r| = c`` included), 0 beyond",
        see_also=("tukey_loss", "huber_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import trimmed_loss
>>> r = np.asarray([1.0, -2.0, 5.0])
>>> trimmed_loss(r, np.zeros(3), reduction="none")
array([0.5, 2. , 2. ])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import trimmed_loss_grad
>>> trimmed_loss_grad(np.asarray([1.0, -2.0, 5.0]), np.zeros(3), reduction="sum")
array([ 1., -2.,  0.])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import TrimmedLoss
>>> float(TrimmedLoss(c=1.0, reduction="sum")(np.asarray([1.0, -2.0, 5.0]), np.zeros(3)))
1.5""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import trimmed
>>> trimmed(np.asarray([1.0, -2.0, 5.0]))
array([1., 1., 0.])""",
    ),
    "TrimmedLoss",
    psi_deriv=_trimmed_weight,
    tuning=Tuning("c", lambda p: (p["c"],)),
    family="rejecting",
)


# --- Tukey's quartic ---------------------------------------------------------------------
def _quartic_parts(r: Array, c: float, xp: Namespace) -> tuple[Array, Array, Array]:
    """Return m = clip(r, -c, c), v = (m / c)**4 and 1 - v, each without cancellation.

    From Tukey's w = 1 - u**2 (exact near c): 1 - v = w (2 - w) and v = (1 - w)**2.
    """
    m, w = tukey_parts(r, c, xp)
    u2 = 1.0 - w
    return m, u2 * u2, w * (2.0 - w)


def _quartic_rho(r: Array, *, xp: Namespace, c: float) -> Array:
    # m**2 / 2 (1 - 2 v / 3 + v**2 / 5): the factor lies in [8/15, 1], so m**2 / 2 carries
    # the precision; constant 4 c**2 / 15 beyond c (m = c there)
    m, v, _ = _quartic_parts(r, c, xp)
    return (m * (0.5 * m)) * (1.0 - v * (2.0 / 3.0 - v / 5.0))


def _quartic_psi(r: Array, *, xp: Namespace, c: float) -> Array:
    m, _, one_minus_v = _quartic_parts(r, c, xp)
    return m * (one_minus_v * one_minus_v)


def _quartic_weight(r: Array, *, xp: Namespace, c: float) -> Array:
    one_minus_v = _quartic_parts(r, c, xp)[2]
    return one_minus_v * one_minus_v


def _quartic_psi_deriv(r: Array, *, xp: Namespace, c: float) -> Array:
    # (1 - v) (1 - 9 v) inside c, 0 beyond (1 - v = 0 there)
    _, v, one_minus_v = _quartic_parts(r, c, xp)
    return one_minus_v * (1.0 - 9.0 * v)


TUKEY_QUARTIC = LossDefinition(
    "tukey_quartic",
    _quartic_rho,
    _quartic_psi,
    _quartic_weight,
    (Parameter("c", 3.61752, "Rejection point."),),
    Documentation(
        summary="Tukey's quartic loss: ``psi = r (1 - (r / c)**4)**2`` inside ``c``, 0 beyond.",
        body=f"""\
With ``r = input - target`` and ``v = (r / c)**4``::

    tukey_quartic(r) = r**2 / 2 (1 - 2 v / 3 + v**2 / 5)   if |r| <= c
                       4 c**2 / 15                         otherwise

The biweight's quartic sibling: flatter at the centre, falling more steeply near ``c``.
``c = 3.61752`` gives 95% efficiency at the normal distribution. Equal to
``statsmodels.robust.norms.TukeyQuartic(c, k=4)``. {_NOT_CONVEX}""",
        weight_formula="``(1 - (r / c)**4)**2`` inside ``c``, 0 beyond; 1 at 0",
        see_also=("tukey_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import tukey_quartic_loss
>>> r = np.asarray([1.0, 3.0])
>>> tukey_quartic_loss(r, np.zeros(2), c=1.0, reduction="none")  # 4 / 15
array([0.26666667, 0.26666667])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import tukey_quartic_loss_grad
>>> r = np.asarray([0.5, 3.0])
>>> tukey_quartic_loss_grad(r, np.zeros(2), c=1.0, reduction="sum")  # 0.5 (15/16)**2
array([0.43945312, 0.        ])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import TukeyQuarticLoss
>>> TukeyQuarticLoss()
TukeyQuarticLoss(reduction='mean', c=3.61752)""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import tukey_quartic
>>> tukey_quartic(np.asarray([0.0, 0.5, 2.0]), c=1.0)  # (15/16)**2
array([1.        , 0.87890625, 0.        ])""",
    ),
    "TukeyQuarticLoss",
    psi_deriv=_quartic_psi_deriv,
    tuning=Tuning("c", lambda p: (p["c"],)),
    family="rejecting",
)
