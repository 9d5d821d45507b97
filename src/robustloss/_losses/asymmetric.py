"""The asymmetric losses: quantile (pinball), Huberized quantile and expectile.

Each weighs a residual by ``q`` on one side and by ``1 - q`` on the other, so that its
minimiser is a quantile (or an expectile) of the target rather than its centre. Written
in ``r = input - target`` like every loss, so that ``psi`` is the derivative with respect
to `input`: with the statistician's residual ``z = target - input`` (what scikit-learn,
statsmodels and the forecasting libraries write) the weight ``q`` falls on ``z > 0``,
under-prediction. The residual faces (``robustloss.weights`` and the loss objects'
``rho``, ``psi``, ``psi_deriv`` and ``weights``) take that ``z``, as statsmodels' norms do.
"""

from __future__ import annotations

from .._typing import Array, Namespace
from ._base import Documentation, LossDefinition, Parameter
from ._numerics import capped, constant, propagated, smallest_normal, step_psi_deriv

__all__ = ["EXPECTILE", "HUBER_QUANTILE", "QUANTILE"]

_Q = Parameter(
    "q",
    0.5,
    "The quantile (expectile) the loss is minimised at: residuals with target above "
    "input weigh ``q``, the others ``1 - q``.",
    maximum=1.0,
)
_SIDE = """\
Its weights ``q`` and ``1 - q`` are Python floats; ``1 - q`` is computed in float64, so
``q`` near 0 or 1 keeps every digit the dtype has."""


def _sided(r: Array, q: float, xp: Namespace) -> Array:
    """``1 - q`` where ``r > 0`` (input above target), ``q`` elsewhere (0 included)."""
    return xp.where(r > 0.0, constant(1.0 - q, r, xp), constant(q, r, xp))


# --- quantile (pinball) ------------------------------------------------------------------
def _quantile_rho(r: Array, *, xp: Namespace, q: float) -> Array:
    # (1 - q) max(r, 0) + q max(-r, 0): one rounding per element, exact at r = 0; |r| as
    # r sign(r), which autodiff differentiates to 0 at r = 0 (JAX's abs to 1), as psi
    return _sided(r, q, xp) * (r * xp.sign(r))


def _quantile_psi(r: Array, *, xp: Namespace, q: float) -> Array:
    # 1 - q above, -q below, 0 at r = 0 (inside the subdifferential [-q, 1 - q]; at
    # q = 1/2 half L1's sign(0) = 0)
    return _sided(r, q, xp) * xp.sign(r)


def _quantile_weight(r: Array, *, xp: Namespace, q: float) -> Array:
    # side / |r|, infinite at 0: capped there at side / smallest normal, as L1's
    tiny = smallest_normal(xp, r.dtype)
    return _sided(r, q, xp) / xp.maximum(xp.abs(r), constant(tiny, r, xp))


QUANTILE = LossDefinition(
    "quantile",
    _quantile_rho,
    _quantile_psi,
    _quantile_weight,
    (_Q,),
    Documentation(
        summary="Quantile (pinball) loss: L1 weighted ``q`` below the target, ``1 - q`` above.",
        body=f"""\
With the residual ``z = target - input``::

    quantile(z) = max(q z, (q - 1) z) = q z         if z >= 0
                                        (q - 1) z   otherwise

Minimised by the ``q``-quantile of the target: use it to predict quantiles (``q = 0.9``
penalises under-prediction nine times as much as over-prediction); ``q = 0.5`` is half
the absolute error. ``quantile_loss(input, target, q=q)`` equals
``sklearn.metrics.mean_pinball_loss(target, input, alpha=q)``, and its elementwise form
statsmodels' ``MQuantileNorm(q, LeastAbsDev)``. {_SIDE}""",
        weight_formula=(
            "``q / |z|`` for ``z = target - input >= 0``, ``(1 - q) / |z|`` below; infinite "
            "at 0, capped there at ``q`` / smallest normal number"
        ),
        references=('R. Koenker, G. Bassett, "Regression Quantiles", Econometrica 46(1), 1978.',),
        see_also=("huber_quantile_loss", "expectile_loss", "l1_loss"),
        grad_note=(
            "At ``input == target`` the derivative is 0 (inside the subdifferential "
            "``[-q, 1 - q]``); ``psi'`` is 0 everywhere else."
        ),
        examples="""\
>>> import numpy as np
>>> from robustloss import quantile_loss
>>> target = np.asarray([10.0, 10.0])
>>> quantile_loss(np.asarray([8.0, 12.0]), target, q=0.75, reduction="none")
array([1.5, 0.5])
>>> float(quantile_loss(np.asarray([8.0, 12.0]), target, q=0.75))
1.0""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import quantile_loss_grad
>>> quantile_loss_grad(np.asarray([8.0, 12.0]), np.asarray([10.0, 10.0]), q=0.75)
array([-0.375,  0.125])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import QuantileLoss
>>> loss = QuantileLoss(q=0.75, reduction="sum")
>>> float(loss(np.asarray([8.0, 12.0]), np.asarray([10.0, 10.0])))
2.0
>>> loss.rho(np.asarray([2.0, -2.0]))  # of z = target - input
array([1.5, 0.5])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import quantile
>>> quantile(np.asarray([2.0, -2.0]), q=0.75)  # z = target - input
array([0.375, 0.125])""",
    ),
    "QuantileLoss",
    psi_deriv=step_psi_deriv,
    symmetric=False,
    family="asymmetric",
)


# --- Huberized quantile ------------------------------------------------------------------
def _huber_parts(r: Array, q: float, delta: float, xp: Namespace) -> tuple[Array, Array]:
    """Return the side's weight and Huber's clipped residual min(|r|, delta)."""
    return _sided(r, q, xp), xp.minimum(xp.abs(r), constant(capped(delta, r, xp), r, xp))


def _huber_quantile_rho(r: Array, *, xp: Namespace, q: float, delta: float) -> Array:
    side, m = _huber_parts(r, q, delta, xp)
    return side * (m * (xp.abs(r) - 0.5 * m))


def _huber_quantile_psi(r: Array, *, xp: Namespace, q: float, delta: float) -> Array:
    d = capped(delta, r, xp)
    return _sided(r, q, xp) * xp.clip(r, -d, d)


def _huber_quantile_psi_deriv(r: Array, *, xp: Namespace, q: float, delta: float) -> Array:
    inside = xp.abs(r) <= capped(delta, r, xp)
    return propagated(r, xp.where(inside, _sided(r, q, xp), constant(0.0, r, xp)), xp)


def _huber_quantile_weight(r: Array, *, xp: Namespace, q: float, delta: float) -> Array:
    d = capped(delta, r, xp)
    return _sided(r, q, xp) * (d / xp.maximum(xp.abs(r), constant(d, r, xp)))


HUBER_QUANTILE = LossDefinition(
    "huber_quantile",
    _huber_quantile_rho,
    _huber_quantile_psi,
    _huber_quantile_weight,
    (_Q, Parameter("delta", 1.0, "Where the quadratic part turns linear.")),
    Documentation(
        summary="Huberized quantile loss: :func:`huber_loss` weighted ``q`` and ``1 - q``.",
        body=f"""\
With the residual ``z = target - input`` and Huber's loss ``h``
(``0.5 z**2`` inside ``delta``, ``delta (|z| - delta / 2)`` beyond)::

    huber_quantile(z) = q h(z)         if z >= 0
                        (1 - q) h(z)   otherwise

A quantile loss without the kink at 0: it predicts quantiles like
:func:`quantile_loss` (to which ``huber_quantile / delta`` tends as ``delta -> 0``)
and is smooth for gradient descent. Equal to neuralforecast's ``HuberQLoss(q, delta)``
(``q h(max(z, 0)) + (1 - q) h(max(-z, 0))``) and elementwise to statsmodels'
``MQuantileNorm(q, HuberT(t=delta))``. {_SIDE}""",
        weight_formula=(
            "Huber's ``min(1, delta / |z|)`` times ``q`` for ``z = target - input >= 0`` and "
            "``1 - q`` below; ``q`` at 0"
        ),
        references=(
            'Y. Aravkin, A. Kambadur, A. C. Lozano, R. Luss, "Sparse Quantile Huber '
            'Regression for Efficient and Robust Estimation", arXiv:1402.4624, 2014.',
        ),
        see_also=("quantile_loss", "huber_loss", "expectile_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import huber_quantile_loss
>>> x = np.asarray([9.5, 13.0])
>>> y = np.asarray([10.0, 10.0])
>>> huber_quantile_loss(x, y, q=0.75, reduction="none")  # 0.75 * 0.125, 0.25 * 2.5
array([0.09375, 0.625  ])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import huber_quantile_loss_grad
>>> x = np.asarray([9.5, 13.0])
>>> huber_quantile_loss_grad(x, np.asarray([10.0, 10.0]), q=0.75, reduction="none")
array([-0.375,  0.25 ])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import HuberQuantileLoss
>>> loss = HuberQuantileLoss(q=0.75, delta=1.0)
>>> float(loss(np.asarray([9.5, 13.0]), np.asarray([10.0, 10.0])))
0.359375
>>> loss.psi_deriv(np.asarray([0.5, -0.5, 3.0]))  # of z = target - input
array([0.75, 0.25, 0.  ])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import huber_quantile
>>> huber_quantile(np.asarray([0.5, -4.0]), q=0.75)
array([0.75  , 0.0625])""",
    ),
    "HuberQuantileLoss",
    psi_deriv=_huber_quantile_psi_deriv,
    symmetric=False,
    family="asymmetric",
)


# --- expectile ---------------------------------------------------------------------------
def _expectile_rho(r: Array, *, xp: Namespace, q: float) -> Array:
    # (side r) r and (2 side) r: side <= 1 first, so nothing overflows before the value
    return (_sided(r, q, xp) * r) * r


def _expectile_psi(r: Array, *, xp: Namespace, q: float) -> Array:
    return (2.0 * _sided(r, q, xp)) * r


def _expectile_weight(r: Array, *, xp: Namespace, q: float) -> Array:
    return propagated(r, 2.0 * _sided(r, q, xp), xp)


EXPECTILE = LossDefinition(
    "expectile",
    _expectile_rho,
    _expectile_psi,
    _expectile_weight,
    (_Q,),
    Documentation(
        summary="Expectile loss: squared error weighted ``q`` below the target, ``1 - q`` above.",
        body=f"""\
With the residual ``z = target - input``::

    expectile(z) = q z**2         if z >= 0
                   (1 - q) z**2   otherwise

Minimised by the ``q``-expectile of the target; ``q = 0.5`` is half :func:`mse_loss`.
statsmodels' ``MQuantileNorm(q, LeastSquares())`` is half of it (its base norm is
``z**2 / 2``): ``expectile_loss`` elementwise is ``2 * MQuantileNorm(q,
LeastSquares()).rho(z)``, and likewise its ``psi``, ``psi_deriv`` and ``weights``.
{_SIDE}""",
        weight_formula="``2 q`` for ``z = target - input >= 0``, ``2 (1 - q)`` below",
        references=(
            'W. K. Newey, J. L. Powell, "Asymmetric Least Squares Estimation and Testing", '
            "Econometrica 55(4), 1987.",
        ),
        see_also=("quantile_loss", "mse_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import expectile_loss
>>> x = np.asarray([8.0, 12.0])
>>> expectile_loss(x, np.asarray([10.0, 10.0]), q=0.75, reduction="none")
array([3., 1.])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import expectile_loss_grad
>>> expectile_loss_grad(np.asarray([8.0, 12.0]), np.asarray([10.0, 10.0]), q=0.75)
array([-1.5,  0.5])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import ExpectileLoss
>>> float(ExpectileLoss(q=0.75)(np.asarray([8.0, 12.0]), np.asarray([10.0, 10.0])))
2.0""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import expectile
>>> expectile(np.asarray([2.0, -2.0, 0.0]), q=0.75)
array([1.5, 0.5, 1.5])""",
    ),
    "ExpectileLoss",
    psi_deriv=_expectile_weight,
    symmetric=False,
    family="asymmetric",
)
