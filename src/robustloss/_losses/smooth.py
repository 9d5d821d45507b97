"""The smooth convex losses: log-cosh and pseudo-Huber, Huber's loss without its kink.

Every ``rho`` here is accurate to a few ulp over the whole range of its dtype, and stays
finite (with finite autograd derivatives) for every finite input. Pseudo-Huber is also
Barron's general loss at alpha = 1 (:mod:`.barron`), where it is written in units of the
scale instead of with ``delta``: the two forms are kept on purpose, each exact for its
own hyper-parameter.
"""

from __future__ import annotations

import math

from .._typing import Array, Namespace
from ._base import Documentation, LossDefinition, Parameter, Tuning
from ._numerics import constant, divided, is_number, largest

__all__ = ["FAIR", "LOG_COSH", "PSEUDO_HUBER"]


# --- log-cosh ----------------------------------------------------------------------------
#: where log-cosh changes form; any value in [2, 16] gives the same accuracy
_T = 8.0
_LOG2 = math.log(2.0)


def _log_cosh_rho(r: Array, *, xp: Namespace) -> Array:
    # |r| <= T: log cosh r = log1p(2 sinh(r/2)^2), free of the cancellation that makes
    # Keras' and optax's |r| + softplus(-2|r|) - log 2 return 0 below ~1e-4 in float32.
    # |r| > T: |r| - log 2 + log1p(e^-2|r|), where sinh would overflow. Each form sees an
    # argument masked to its own range, so neither overflows and autograd passes exactly
    # zero through the form not taken: no NaN, no inf * 0, and no rounding from adding a
    # cancelling pair of derivatives (which loses tanh(1e-4) in float32).
    # Both forms take |r|, so that the result is exactly even in r (XLA's sinh is not
    # exactly odd: log_cosh(-1) and log_cosh(1) differed by an ulp in float32 under jit).
    a = xp.abs(r)
    small = a <= _T
    s = xp.sinh(0.5 * xp.where(small, a, 0.0))
    b = xp.where(small, _T, a)
    return xp.where(small, xp.log1p(2.0 * s * s), (b - _LOG2) + xp.log1p(xp.exp(-2.0 * b)))


def _log_cosh_psi(r: Array, *, xp: Namespace) -> Array:
    return xp.tanh(r)


def _log_cosh_weight(r: Array, *, xp: Namespace) -> Array:
    # tanh(r) / r, accurate for every r != 0 (tanh is accurate to the last bit); 1 at 0
    zero = r == 0.0
    rs = xp.where(zero, 1.0, r)
    return xp.where(zero, 1.0, xp.tanh(rs) / rs)


def _log_cosh_psi_deriv(r: Array, *, xp: Namespace) -> Array:
    # sech(r)**2 = 4 e / (1 + e)**2 with e = exp(-2|r|) <= 1: no 1 - tanh**2 cancellation
    # (which is 0 beyond |r| ~ 9 in float32 where the value is 1e-7), and no overflow
    e = xp.exp(-2.0 * xp.abs(r))
    return (4.0 * e) / ((1.0 + e) * (1.0 + e))


LOG_COSH = LossDefinition(
    "log_cosh",
    _log_cosh_rho,
    _log_cosh_psi,
    _log_cosh_weight,
    (),
    Documentation(
        summary="Log-cosh loss ``log(cosh(input - target))``: quadratic near 0, linear far out.",
        body="""\
A smooth, convex, everywhere twice-differentiable Huber-like loss with ``psi = tanh``.
Computed to within 2 ulp in float32 and float64 for every finite residual: the
obvious form overflows beyond ~89 (float32) and the forms of Keras and optax
(``|r| + softplus(-2|r|) - log 2``) return 0 for residuals below ~1e-4 in float32.""",
        weight_formula="``tanh(r) / r``; 1 at 0",
        see_also=("pseudo_huber_loss", "huber_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import log_cosh_loss
>>> x = np.asarray([0.0, 2.0, -2.0])
>>> float(log_cosh_loss(x, np.zeros(3), reduction="sum"))  # 2 log(cosh 2)
2.6500054947
>>> small = np.asarray([1e-4], dtype=np.float32)
>>> log_cosh_loss(small, np.zeros(1, dtype=np.float32), reduction="none")
array([5.e-09], dtype=float32)""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import log_cosh_loss_grad
>>> log_cosh_loss_grad(np.asarray([0.0, 2.0]), np.zeros(2), reduction="none")
array([0.        , 0.96402758])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import LogCoshLoss
>>> float(LogCoshLoss(reduction="sum")(np.asarray([2.0, -2.0]), np.zeros(2)))
2.6500054947""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import log_cosh
>>> log_cosh(np.asarray([0.0, 2.0]))  # tanh(2) / 2
array([1.        , 0.48201379])""",
    ),
    "LogCoshLoss",
    psi_deriv=_log_cosh_psi_deriv,
    family="convex",
)


# --- pseudo-Huber ------------------------------------------------------------------------
def _pseudo_huber_t(r: Array, delta: float, xp: Namespace) -> tuple[Array, Array, float]:
    """Return t = r / delta (0 where it is infinite), that mask, and delta as a limit.

    delta is any positive float: beyond the dtype it divides exactly (`divided`), and as
    the limit of psi at |r| = inf it is then inf. Each form sees t masked where it is
    infinite (|r| = inf, or a huge r over a delta below 1), so that neither inf / inf
    nor an inf * 0 in autograd occurs.
    """
    t = divided(r, delta, xp)
    inf = xp.isinf(t)
    limit = delta if not is_number(delta) or delta <= largest(xp, r.dtype) else math.inf
    return xp.where(inf, 0.0, t), inf, limit


def _pseudo_huber_rho(r: Array, *, xp: Namespace, delta: float) -> Array:
    # delta**2 (sqrt(1 + t**2) - 1) = r**2 / (hypot(t, 1) + 1): no cancellation for small
    # r (scipy.special.pseudo_huber uses an expm1/log1p form for the same reason), and
    # |r| / (hypot + 1) <= min(|r|, delta), so nothing overflows before the result does.
    # Where t is infinite it is delta |r| (delta**2 is below the last bit of it there).
    t, inf, limit = _pseudo_huber_t(r, delta, xp)
    a = xp.abs(xp.where(inf, 0.0, r))
    rho = a * (a / (xp.hypot(t, constant(1.0, t, xp)) + 1.0))
    return xp.where(inf, xp.abs(r) * limit, rho)


def _pseudo_huber_psi(r: Array, *, xp: Namespace, delta: float) -> Array:
    # delta t / sqrt(1 + t**2) = r / hypot(t, 1), and +-delta where t is infinite
    t, inf, limit = _pseudo_huber_t(r, delta, xp)
    return xp.where(
        inf, xp.sign(r) * limit, xp.where(inf, 0.0, r) / xp.hypot(t, constant(1.0, t, xp))
    )


def _pseudo_huber_weight(r: Array, *, xp: Namespace, delta: float) -> Array:
    # 1 / sqrt(1 + t**2); 0 where t is infinite (1 / |t| is below the smallest normal
    # number wherever t overflows)
    t = divided(r, delta, xp)
    return 1.0 / xp.hypot(t, constant(1.0, t, xp))


def _pseudo_huber_psi_deriv(r: Array, *, xp: Namespace, delta: float) -> Array:
    # (1 + t**2) ** -1.5 = h**3 with h = 1 / hypot(t, 1): 0 where t overflows
    t = divided(r, delta, xp)
    h = 1.0 / xp.hypot(t, constant(1.0, t, xp))
    return h * (h * h)


PSEUDO_HUBER = LossDefinition(
    "pseudo_huber",
    _pseudo_huber_rho,
    _pseudo_huber_psi,
    _pseudo_huber_weight,
    (Parameter("delta", 1.0, "Scale of the transition and slope of the linear part."),),
    Documentation(
        summary=(
            "Pseudo-Huber loss ``delta**2 * (sqrt(1 + (r / delta)**2) - 1)``, r = input - target."
        ),
        body="""\
A smooth, convex approximation of :func:`huber_loss` (0.5 r**2 near 0, slope ``delta``
far out), equal to ``scipy.special.pseudo_huber(delta, r)``. Accurate for tiny
``r / delta`` (no ``sqrt(1 + x) - 1`` cancellation) and free of overflow for huge r.""",
        weight_formula="``1 / sqrt(1 + (r / delta)**2)``; 1 at 0",
        references=(
            'P. Charbonnier, L. Blanc-Feraud, G. Aubert, M. Barlaud, "Two deterministic '
            'half-quadratic regularization algorithms for computed imaging", ICIP 1994.',
        ),
        see_also=("huber_loss", "log_cosh_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import pseudo_huber_loss
>>> x = np.asarray([0.0, 1.0, 3.0])
>>> pseudo_huber_loss(x, np.zeros(3), reduction="none")  # 0, sqrt(2) - 1, sqrt(10) - 1
array([0.        , 0.41421356, 2.16227766])
>>> float(pseudo_huber_loss(x, np.zeros(3)))
0.8588304075""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import pseudo_huber_loss_grad
>>> r = np.asarray([0.0, 1.0, 3.0])
>>> pseudo_huber_loss_grad(r, np.zeros(3), reduction="none")  # r / sqrt(1 + r**2)
array([0.        , 0.70710678, 0.9486833 ])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import PseudoHuberLoss
>>> loss = PseudoHuberLoss(delta=1.0)
>>> float(loss(np.asarray([0.0, 1.0, 3.0]), np.zeros(3)))
0.8588304075
>>> loss
PseudoHuberLoss(reduction='mean', delta=1.0)""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import pseudo_huber
>>> pseudo_huber(np.asarray([0.0, 3.0]), delta=4.0)  # 1 / sqrt(1 + 9 / 16)
array([1. , 0.8])""",
    ),
    "PseudoHuberLoss",
    psi_deriv=_pseudo_huber_psi_deriv,
    tuning=Tuning("delta"),
    family="convex",
)


# --- Fair --------------------------------------------------------------------------------
#: where Fair's rho changes form: below, a series; above, y - log1p(y) loses < 2 bits
_FAIR_SERIES = 1.0
#: coefficients 1/3, 1/5, ... of atanh(s) / s - 1 = s**2 / 3 + s**4 / 5 + ... in s**2
_ATANH_TERMS = tuple(1.0 / (2 * k + 3) for k in range(17))


def _fair_rho(r: Array, *, xp: Namespace, c: float) -> Array:
    # c**2 (y - log1p(y)), y = |r| / c. For y < 1 through log1p(y) = 2 atanh(s) with
    # s = y / (2 + y) <= 1/3: y - log1p(y) = y**2 (1 / (2 + y) - 2 y Q(s**2) / (2 + y)**3),
    # Q = 1/3 + s**2 / 5 + ..., so rho = m**2 (...) has no cancellation and no c**2
    # (which over- or underflows for c far from 1). For y >= 1: c (m - c log1p(y)).
    m = xp.abs(r)
    y = divided(m, c, xp)
    small = y < _FAIR_SERIES
    ys = xp.where(small, y, 0.0)
    s2 = (ys / (2.0 + ys)) ** 2
    q = constant(_ATANH_TERMS[-1], r, xp)
    for coefficient in _ATANH_TERMS[-2::-1]:
        q = q * s2 + coefficient
    d = 2.0 + ys
    series = (m * (xp.where(small, m, 0.0) / d)) * (1.0 - (2.0 * ys) * q / (d * d))
    yl = xp.where(small, 1.0, y)
    ml = xp.where(small, 0.0, m)
    # where y = |r| / c overflows and |r| does not (a c below 1), log1p(y) is
    # log|r| - log(c): log1p(inf) would make the loss -inf
    over = xp.isinf(yl) & xp.isfinite(m)
    log_c = math.log(c) if is_number(c) else xp.log(c)
    logs = xp.where(over, xp.log(xp.where(over, m, 1.0)) - log_c, xp.log1p(xp.where(over, 1.0, yl)))
    large = c * (ml - c * logs)  # inf - inf at |r| = inf: inf there
    large = xp.where(xp.isinf(m), m, large)
    return xp.where(small, series, large)


def _fair_psi(r: Array, *, xp: Namespace, c: float) -> Array:
    # r / (1 + y); for y > 1 as sign(r) c / (1 + c / |r|), which tends to c as |r| -> inf
    # (r / (1 + y) would be inf / inf there, and 0 where y overflows for a tiny c)
    m = xp.abs(r)
    y = divided(m, c, xp)
    small = y <= 1.0
    near = xp.where(small, r, 0.0) / (1.0 + xp.where(small, y, 0.0))
    far = c / (1.0 + c / xp.where(small, 1.0, m))
    return xp.where(small, near, xp.sign(r) * far)


def _fair_weight(r: Array, *, xp: Namespace, c: float) -> Array:
    return 1.0 / (1.0 + divided(xp.abs(r), c, xp))


def _fair_psi_deriv(r: Array, *, xp: Namespace, c: float) -> Array:
    h = 1.0 / (1.0 + divided(xp.abs(r), c, xp))
    return h * h


FAIR = LossDefinition(
    "fair",
    _fair_rho,
    _fair_psi,
    _fair_weight,
    (Parameter("c", 1.3998, "Scale: quadratic well inside it, linear (slope ``c``) beyond."),),
    Documentation(
        summary="Fair loss ``c**2 (|r| / c - log(1 + |r| / c))``: smooth, convex, linear tails.",
        body="""\
With ``r = input - target`` and ``y = |r| / c``::

    fair(r) = c**2 (y - log(1 + y)),   psi = r / (1 + y)

Quadratic (``r**2 / 2``) near 0 and linear with slope ``c`` far out, like
:func:`pseudo_huber_loss`, with three continuous derivatives. ``c = 1.3998`` gives 95%
efficiency at the normal distribution. Equal to GTSAM's ``noiseModel.mEstimator.Fair``
and to statsmodels' (0.14 and earlier) ``robust.norms`` Fair; accurate to the last bits
for tiny ``y``, where ``y - log(1 + y)`` cancels.""",
        weight_formula="``1 / (1 + |r| / c)``; 1 at 0",
        references=(
            'R. C. Fair, "On the Robust Estimation of Econometric Models", Annals of '
            "Economic and Social Measurement 3(4), 1974.",
        ),
        see_also=("pseudo_huber_loss", "huber_loss", "log_cosh_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import fair_loss
>>> r = np.asarray([0.0, 1.0, 3.0])
>>> fair_loss(r, np.zeros(3), c=1.0, reduction="none")  # 0, 1 - log 2, 3 - log 4
array([0.        , 0.30685282, 1.61370564])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import fair_loss_grad
>>> r = np.asarray([0.0, 1.0, -3.0])
>>> fair_loss_grad(r, np.zeros(3), c=1.0, reduction="sum")  # r / (1 + |r|)
array([ 0.  ,  0.5 , -0.75])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import FairLoss
>>> loss = FairLoss(c=1.0)
>>> loss.psi_deriv(np.asarray([0.0, 1.0, 3.0]))  # 1 / (1 + |r|)**2
array([1.    , 0.25  , 0.0625])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import fair
>>> fair(np.asarray([0.0, 1.0, 3.0]), c=1.0)
array([1.  , 0.5 , 0.25])""",
    ),
    "FairLoss",
    psi_deriv=_fair_psi_deriv,
    tuning=Tuning("c"),
    family="convex",
)
