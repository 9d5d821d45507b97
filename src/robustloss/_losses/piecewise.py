"""The piecewise losses: L1, MSE, Huber and Smooth L1 (PyTorch's four regression losses).

Each function is branch-free Array API code: ``minimum`` and ``clip`` rather than
``where`` over two branches, so no branch is evaluated where it overflows and autograd
never sees an untaken branch.
"""

from __future__ import annotations

from typing import Any

from .._typing import Array, Namespace
from ._base import Documentation, Elementwise, LossDefinition, Parameter, Tuning
from ._numerics import (
    capped,
    constant,
    divided,
    is_number,
    propagated,
    smallest_normal,
    step_psi_deriv,
)

__all__ = ["HUBER", "L1", "MSE", "SMOOTH_L1"]

#: how PyTorch's weighted mean maps onto the reductions, said once for L1 and MSE
_TORCH_WEIGHTED_MEAN = """\
PyTorch's ``l1_loss(weight=w)`` and ``mse_loss(weight=w)`` with ``reduction='mean'``
divide by ``sum(w)``; that is ``reduction='weighted_mean'`` here, while ``'mean'``
always divides by the number of elements, for every loss."""


# --- L1 ----------------------------------------------------------------------------------
def _l1_rho(r: Array, *, xp: Namespace) -> Array:
    # |r| written as r * sign(r): the same value, and autodiff then yields sign(r), which is
    # 0 at r = 0 on every backend (JAX differentiates abs at 0 as 1, PyTorch as 0).
    return r * xp.sign(r)


def _l1_psi(r: Array, *, xp: Namespace) -> Array:
    return xp.sign(r)


def _l1_weight(r: Array, *, xp: Namespace) -> Array:
    # 1 / |r|, which is infinite at 0: capped at 1 / smallest normal (finite, and
    # weight * r is still psi = 0 there)
    tiny = smallest_normal(xp, r.dtype)
    return 1.0 / xp.maximum(xp.abs(r), constant(tiny, r, xp))


L1 = LossDefinition(
    "l1",
    _l1_rho,
    _l1_psi,
    _l1_weight,
    (),
    Documentation(
        summary="Absolute error ``|input - target|``.",
        body=f"""\
Matches :func:`torch.nn.functional.l1_loss` for ``'none'``, ``'mean'`` and ``'sum'``.
{_TORCH_WEIGHTED_MEAN}""",
        weight_formula="``1 / |r|``, capped at 1 / smallest normal number (finite at 0)",
        see_also=("smooth_l1_loss",),
        grad_note="At ``input == target`` the derivative is 0, as in PyTorch.",
        examples="""\
>>> import numpy as np
>>> from robustloss import l1_loss
>>> x = np.asarray([1.0, 2.0, 3.0, 4.0])
>>> y = np.zeros(4)
>>> float(l1_loss(x, y))
2.5
>>> w = np.asarray([1.0, 3.0, 0.0, 1.0])
>>> float(l1_loss(x, y, weight=w)), float(l1_loss(x, y, reduction="weighted_mean", weight=w))
(2.75, 2.2)""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import l1_loss_grad
>>> l1_loss_grad(np.asarray([1.0, 0.0, -2.0, 4.0]), np.zeros(4))
array([ 0.25,  0.  , -0.25,  0.25])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import L1Loss
>>> float(L1Loss(reduction="sum")(np.asarray([1.0, -2.0]), np.zeros(2)))
3.0""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import l1
>>> l1(np.asarray([-4.0, 0.5]))
array([0.25, 2.  ])
>>> bool(np.isfinite(l1(np.zeros(1)))[0])
True""",
    ),
    "L1Loss",
    psi_deriv=step_psi_deriv,
    family="convex",
)


# --- MSE ---------------------------------------------------------------------------------
def _mse_rho(r: Array, *, xp: Namespace) -> Array:
    return r * r


def _mse_psi(r: Array, *, xp: Namespace) -> Array:
    return 2.0 * r


def _mse_weight(r: Array, *, xp: Namespace) -> Array:
    # psi / r = psi' = 2 (one function for both)
    return propagated(r, xp.full_like(r, 2.0), xp)


MSE = LossDefinition(
    "mse",
    _mse_rho,
    _mse_psi,
    _mse_weight,
    (),
    Documentation(
        summary="Squared error ``(input - target)**2``.",
        body=f"""\
Matches :func:`torch.nn.functional.mse_loss` for ``'none'``, ``'mean'`` and ``'sum'``.
{_TORCH_WEIGHTED_MEAN}""",
        weight_formula="the constant 2 (``psi = 2 r``)",
        see_also=("huber_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import mse_loss
>>> x = np.asarray([1.0, 2.0, 3.0, 4.0])
>>> float(mse_loss(x, np.zeros(4)))
7.5
>>> float(mse_loss(x, np.zeros(4), reduction="sum", weight=0.5))
15.0""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import mse_loss_grad
>>> mse_loss_grad(np.asarray([1.0, 2.0, 3.0, 4.0]), np.zeros(4))
array([0.5, 1. , 1.5, 2. ])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import MSELoss
>>> float(MSELoss()(np.asarray([1.0, -2.0]), np.zeros(2)))
2.5""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import mse
>>> mse(np.asarray([-4.0, 0.5]))
array([2., 2.])""",
    ),
    "MSELoss",
    psi_deriv=_mse_weight,
    family="convex",
)


# --- Huber -------------------------------------------------------------------------------
def _huber_rho(r: Array, *, xp: Namespace, delta: float) -> Array:
    # q (|r| - q / 2) with q = min(|r|, delta): 0.5 r^2 where |r| <= delta, and there
    # delta (|r| - delta / 2) otherwise. The quadratic part never sees a large |r|, so
    # nothing overflows before the (linear) result does.
    a = xp.abs(r)
    q = xp.minimum(a, constant(capped(delta, r, xp), r, xp))
    return q * (a - 0.5 * q)


def _huber_psi(r: Array, *, xp: Namespace, delta: float) -> Array:
    d = capped(delta, r, xp)
    return xp.clip(r, -d, d)


def _huber_weight(r: Array, *, xp: Namespace, delta: float) -> Array:
    d = capped(delta, r, xp)
    return d / xp.maximum(xp.abs(r), constant(d, r, xp))


def _huber_psi_deriv(r: Array, *, xp: Namespace, delta: float) -> Array:
    # 1 inside delta (|r| = delta included, as statsmodels' HuberT), 0 beyond
    return propagated(r, xp.astype(xp.abs(r) <= capped(delta, r, xp), r.dtype), xp)


HUBER = LossDefinition(
    "huber",
    _huber_rho,
    _huber_psi,
    _huber_weight,
    (Parameter("delta", 1.0, "Where the quadratic part turns linear."),),
    Documentation(
        summary="Huber loss: quadratic for small residuals, linear for large ones.",
        body="""\
With ``r = input - target``::

    huber(r) = 0.5 r**2                  if |r| <= delta
               delta (|r| - delta / 2)   otherwise

Matches :func:`torch.nn.functional.huber_loss` and, per element,
``scipy.special.huber(delta, r)`` and ``optax.huber_loss``. Note that
``huber_loss(delta=d) == d * smooth_l1_loss(beta=d)``: the two coincide only at 1.""",
        weight_formula=(
            "``min(1, delta / |r|)``: 1 inside ``delta``, ``delta / |r|`` beyond; equal to "
            "``statsmodels.robust.norms.HuberT(t=delta).weights``"
        ),
        references=(
            'P. J. Huber, "Robust Estimation of a Location Parameter", Ann. Math. '
            "Statist. 35(1), 1964.",
        ),
        see_also=("smooth_l1_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import huber_loss
>>> x = np.asarray([[1.5, 2.0, 3.5, 4.0]])
>>> y = np.asarray([[1.0, 2.5, 3.0, 5.0]])
>>> float(huber_loss(x, y))
0.21875
>>> huber_loss(x, y, reduction="none")
array([[0.125, 0.125, 0.125, 0.5  ]])
>>> float(huber_loss(x, y, reduction="sum", delta=0.5))
0.75""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import huber_loss_grad
>>> x = np.asarray([[1.5, 2.0, 3.5, 4.0]])
>>> y = np.asarray([[1.0, 2.5, 3.0, 5.0]])
>>> huber_loss_grad(x, y)
array([[ 0.125, -0.125,  0.125, -0.25 ]])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import HuberLoss
>>> loss = HuberLoss(delta=1.0)
>>> x = np.asarray([[1.5, 2.0, 3.5, 4.0]])
>>> y = np.asarray([[1.0, 2.5, 3.0, 5.0]])
>>> float(loss(x, y))
0.21875
>>> loss.grad(x, y)
array([[ 0.125, -0.125,  0.125, -0.25 ]])
>>> HuberLoss.from_config(loss.get_config()) == loss
True
>>> total = HuberLoss(reduction="sum")
>>> float(total(np.asarray([[2.0, 1, 3, 4]]), np.asarray([[1.0, 2, 2, 5]])))
2.0""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import huber
>>> huber(np.asarray([-4.0, 0.5, 2.0]), delta=2.0)
array([0.5, 1. , 1. ])""",
    ),
    "HuberLoss",
    psi_deriv=_huber_psi_deriv,
    tuning=Tuning("delta", lambda p: (p["delta"],)),
    family="convex",
)


# --- Smooth L1: huber(delta=beta) / beta, and exactly L1 at beta = 0 ----------------------
def _is_l1(beta: Any, r: Array, xp: Namespace) -> bool:
    # beta = 0, or a beta below the smallest normal number of r's dtype: it may be flushed
    # or rounded to 0 when cast (0 / 0), and differs from L1 by less than beta / 2 anyway.
    # An array beta is taken apart elementwise by `_l1_where`.
    return is_number(beta) and beta < smallest_normal(xp, r.dtype)  # a hyper-parameter


def _beyond(beta: Any, r: Array, xp: Namespace) -> bool:
    # a Python-float beta beyond the dtype's largest number (an array is within it)
    return is_number(beta) and capped(beta, r, xp) < beta


def _l1_where(f: Elementwise, l1: Elementwise) -> Elementwise:
    """`f` of a Python-float beta, and of an array beta L1's `l1` where its entry is 0."""

    def g(r: Array, *, xp: Namespace, beta: Any) -> Array:
        if is_number(beta):
            return f(r, xp=xp, beta=beta)
        zero = beta < smallest_normal(xp, r.dtype)
        safe = xp.where(zero, constant(1.0, r, xp), beta)  # no 0 / 0, in autograd neither
        return xp.where(zero, l1(r, xp=xp), f(r, xp=xp, beta=safe))

    return g


def _smooth_l1_rho(r: Array, *, xp: Namespace, beta: float) -> Array:
    if _is_l1(beta, r, xp):
        return _l1_rho(r, xp=xp)
    a = xp.abs(r)
    if _beyond(beta, r, xp):  # beyond the dtype: no |r| but inf reaches beta
        return divided(a, beta, xp) * (0.5 * a)
    q = xp.minimum(a, constant(beta, r, xp))
    # (q / beta) (|r| - q / 2): q / beta <= 1, so nothing overflows for a large beta
    return (q / beta) * (a - 0.5 * q)


def _smooth_l1_psi(r: Array, *, xp: Namespace, beta: float) -> Array:
    if _is_l1(beta, r, xp):
        return _l1_psi(r, xp=xp)
    if _beyond(beta, r, xp):  # r / beta, and the slope 1 of the linear part at inf
        return xp.where(xp.isinf(r), xp.sign(r), divided(r, beta, xp))
    return xp.clip(r, -beta, beta) / beta


def _smooth_l1_weight(r: Array, *, xp: Namespace, beta: float) -> Array:
    if _is_l1(beta, r, xp):
        return _l1_weight(r, xp=xp)
    b = capped(beta, r, xp)
    if _beyond(beta, r, xp):  # beyond the dtype: |r| / beta < 1 everywhere, so 1 / beta
        return divided(b / xp.maximum(xp.abs(r), constant(b, r, xp)), beta, xp)
    # 1 / max(|r|, beta) at once: (beta / max) / beta underflowed where the value does not
    # (0 instead of 1e-20 at r = 1e20, beta = 1e-30, float32)
    return 1.0 / xp.maximum(xp.abs(r), constant(beta, r, xp))


def _smooth_l1_psi_deriv(r: Array, *, xp: Namespace, beta: float) -> Array:
    # 1 / beta inside beta (the Huber convention at |r| = beta), 0 beyond; L1's 0 at beta 0
    if _is_l1(beta, r, xp):
        return step_psi_deriv(r, xp=xp)
    inside = xp.astype(xp.abs(r) <= capped(beta, r, xp), r.dtype)
    return propagated(r, divided(inside, beta, xp), xp)


SMOOTH_L1 = LossDefinition(
    "smooth_l1",
    _l1_where(_smooth_l1_rho, _l1_rho),
    _l1_where(_smooth_l1_psi, _l1_psi),
    _l1_where(_smooth_l1_weight, _l1_weight),
    (Parameter("beta", 1.0, "Width of the quadratic zone; 0 is exactly L1.", closed=True),),
    Documentation(
        summary="Smooth L1 loss: Huber's loss scaled so that its linear part has slope 1.",
        body="""\
With ``r = input - target``::

    smooth_l1(r) = 0.5 r**2 / beta     if |r| < beta
                   |r| - beta / 2      otherwise

so ``smooth_l1(beta) == huber(delta=beta) / beta``. ``beta = 0`` is exactly
:func:`l1_loss`, with a finite gradient everywhere. Matches
:func:`torch.nn.functional.smooth_l1_loss`.""",
        weight_formula="``1 / max(|r|, beta)``; ``1 / beta`` at 0 (``beta = 0`` is L1's)",
        references=('R. Girshick, "Fast R-CNN", ICCV 2015.',),
        see_also=("huber_loss", "l1_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import smooth_l1_loss
>>> x = np.asarray([1.5, 2.0, 0.5])
>>> y = np.asarray([1.0, 10.0, 0.4])
>>> smooth_l1_loss(x, y, reduction="none").round(12).tolist()
[0.125, 7.5, 0.005]
>>> float(smooth_l1_loss(x, y, reduction="sum", beta=0.0))
8.6""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import smooth_l1_loss_grad
>>> x = np.asarray([1.5, 2.0, 0.5, 0.0])
>>> y = np.asarray([1.0, 10.0, 0.4, 0.0])
>>> smooth_l1_loss_grad(x, y, reduction="sum")
array([ 0.5, -1. ,  0.1,  0. ])
>>> smooth_l1_loss_grad(x, y, reduction="sum", beta=0.0)
array([ 1., -1.,  1.,  0.])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import SmoothL1Loss
>>> loss = SmoothL1Loss(reduction=None)
>>> loss(np.asarray([1.5, 2.0, 0.5]), np.asarray([1.0, 10.0, 0.4])).round(12).tolist()
[0.125, 7.5, 0.005]
>>> SmoothL1Loss(beta=0.5)
SmoothL1Loss(reduction='mean', beta=0.5)""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import smooth_l1
>>> smooth_l1(np.asarray([0.0, 0.25, 4.0]), beta=0.5)
array([2.  , 2.  , 0.25])""",
    ),
    "SmoothL1Loss",
    psi_deriv=_l1_where(_smooth_l1_psi_deriv, step_psi_deriv),
    tuning=Tuning("beta", lambda p: (p["beta"],)),
    family="convex",
)
