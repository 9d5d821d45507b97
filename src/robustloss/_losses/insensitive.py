"""The epsilon-insensitive losses of support vector regression: no loss inside a tube.

Residuals within ``epsilon`` of 0 cost nothing; beyond it the absolute error (or its
square) of what sticks out. ``epsilon = 0`` is exactly L1 (or the squared error).
"""

from __future__ import annotations

from .._typing import Array, Namespace
from ._base import Documentation, LossDefinition, Parameter, Tuning
from ._numerics import (
    capped,
    constant,
    is_number,
    propagated,
    smallest_normal,
    step_psi_deriv,
)

__all__ = ["EPSILON_INSENSITIVE", "SQUARED_EPSILON_INSENSITIVE"]

_EPSILON = Parameter(
    "epsilon", 0.1, "Half-width of the tube in which residuals cost nothing.", closed=True
)
_SKLEARN = """\
It equals the loss of scikit-learn's ``SGDRegressor(loss="{loss}", epsilon=epsilon)``
per element (``py_loss(input, target)``, and its derivative ``py_dloss``); ``'mean'``
is its mean."""


def _excess(r: Array, epsilon: float, xp: Namespace) -> Array:
    """max(|r| - epsilon, 0): exact wherever |r| is within a factor 2 of epsilon.

    |r| as r sign(r): autodiff differentiates it to 0 at r = 0 (JAX's abs to 1), as psi.
    """
    # a where rather than max(|r| - epsilon, 0), whose derivative JAX halves at the tie
    # |r| = epsilon (psi is 0 there); NaN is outside, so it stays NaN
    out = _outside(r, epsilon, xp)
    return xp.where(out, r * xp.sign(r) - capped(epsilon, r, xp), constant(0.0, r, xp))


def _outside(r: Array, epsilon: float, xp: Namespace) -> Array:
    return ~(xp.abs(r) <= capped(epsilon, r, xp))  # NaN is outside


# --- epsilon-insensitive -----------------------------------------------------------------
def _epsilon_rho(r: Array, *, xp: Namespace, epsilon: float) -> Array:
    return _excess(r, epsilon, xp)


def _epsilon_psi(r: Array, *, xp: Namespace, epsilon: float) -> Array:
    # sign(r) outside the tube, 0 inside and on its edge (scikit-learn's convention); a
    # product, so that NaN stays NaN
    return xp.sign(r) * xp.astype(_outside(r, epsilon, xp), r.dtype)


def _epsilon_weight(r: Array, *, xp: Namespace, epsilon: float) -> Array:
    # 1 / |r| outside the tube (finite: |r| > epsilon >= 0 there), 0 inside; at epsilon = 0
    # that is L1's weight, capped at 1 / smallest normal at r = 0
    tiny = smallest_normal(xp, r.dtype)
    l1 = 1.0 / xp.maximum(xp.abs(r), constant(tiny, r, xp))
    if is_number(epsilon) and epsilon == 0.0:
        return l1
    out = _outside(r, epsilon, xp)
    w = xp.where(out, 1.0 / xp.where(out, xp.abs(r), 1.0), constant(0.0, r, xp))
    w = propagated(r, w, xp)
    return w if is_number(epsilon) else xp.where(epsilon == 0.0, l1, w)


EPSILON_INSENSITIVE = LossDefinition(
    "epsilon_insensitive",
    _epsilon_rho,
    _epsilon_psi,
    _epsilon_weight,
    (_EPSILON,),
    Documentation(
        summary="Epsilon-insensitive loss ``max(0, |input - target| - epsilon)``.",
        body=f"""\
The loss of linear support vector regression: residuals inside the tube
``|r| <= epsilon`` cost nothing, the others their distance to the tube. It is L1 at
``epsilon = 0``. {_SKLEARN.format(loss="epsilon_insensitive")}""",
        weight_formula=(
            "``1 / |r|`` outside the tube, 0 inside it and on its edge; at ``epsilon = 0`` "
            "L1's (capped at 1 / smallest normal number at 0)"
        ),
        references=('V. Vapnik, "The Nature of Statistical Learning Theory", Springer, 1995.',),
        see_also=("squared_epsilon_insensitive_loss", "l1_loss"),
        grad_note="On the tube's edge ``|r| = epsilon`` the derivative is 0, as in scikit-learn.",
        examples="""\
>>> import numpy as np
>>> from robustloss import epsilon_insensitive_loss
>>> x = np.asarray([0.25, -2.0, 3.0])
>>> epsilon_insensitive_loss(x, np.zeros(3), epsilon=0.5, reduction="none")
array([0. , 1.5, 2.5])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import epsilon_insensitive_loss_grad
>>> x = np.asarray([0.25, -2.0, 3.0])
>>> epsilon_insensitive_loss_grad(x, np.zeros(3), epsilon=0.5, reduction="sum")
array([ 0., -1.,  1.])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import EpsilonInsensitiveLoss
>>> loss = EpsilonInsensitiveLoss(epsilon=0.5)
>>> float(loss(np.asarray([0.25, -2.0, 3.0]), np.zeros(3)))
1.3333333333""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import epsilon_insensitive
>>> epsilon_insensitive(np.asarray([0.25, -2.0, 4.0]), epsilon=0.5)
array([0.  , 0.5 , 0.25])""",
    ),
    "EpsilonInsensitiveLoss",
    psi_deriv=step_psi_deriv,
    tuning=Tuning("epsilon", lambda p: (p["epsilon"],)),
    family="insensitive",
)


# --- squared epsilon-insensitive ---------------------------------------------------------
def _squared_rho(r: Array, *, xp: Namespace, epsilon: float) -> Array:
    e = _excess(r, epsilon, xp)
    return e * e


def _squared_psi(r: Array, *, xp: Namespace, epsilon: float) -> Array:
    return xp.sign(r) * (2.0 * _excess(r, epsilon, xp))


def _squared_weight(r: Array, *, xp: Namespace, epsilon: float) -> Array:
    squared = propagated(r, xp.full_like(r, 2.0), xp)
    if is_number(epsilon) and epsilon == 0.0:  # the squared error: 2 everywhere, r = 0 too
        return squared
    # 2 (|r| - epsilon) / |r| outside the tube (no 0 / 0: |r| > epsilon > 0 there), 0 inside
    # (|r| - epsilon is exact near the tube's edge; 2 at |r| = inf, not inf / inf)
    out = _outside(r, epsilon, xp)
    a = xp.where(out, xp.abs(r), 1.0)
    w = xp.where(xp.isinf(r), 2.0, 2.0 * (_excess(r, epsilon, xp) / a))
    w = propagated(r, xp.where(out, w, 0.0), xp)
    return w if is_number(epsilon) else xp.where(epsilon == 0.0, squared, w)


def _squared_psi_deriv(r: Array, *, xp: Namespace, epsilon: float) -> Array:
    out = xp.where(_outside(r, epsilon, xp), constant(2.0, r, xp), constant(0.0, r, xp))
    return propagated(r, out, xp)


SQUARED_EPSILON_INSENSITIVE = LossDefinition(
    "squared_epsilon_insensitive",
    _squared_rho,
    _squared_psi,
    _squared_weight,
    (_EPSILON,),
    Documentation(
        summary="Squared epsilon-insensitive loss ``max(0, |input - target| - epsilon)**2``.",
        body=f"""\
The squared distance of the residual to the tube ``|r| <= epsilon``: smooth where the
epsilon-insensitive loss has kinks, and :func:`mse_loss` at ``epsilon = 0``.
{_SKLEARN.format(loss="squared_epsilon_insensitive")}""",
        weight_formula=(
            "``2 (|r| - epsilon) / |r|`` outside the tube, 0 inside it; 2 everywhere at "
            "``epsilon = 0``"
        ),
        see_also=("epsilon_insensitive_loss", "mse_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import squared_epsilon_insensitive_loss
>>> x = np.asarray([0.25, -2.0, 3.0])
>>> squared_epsilon_insensitive_loss(x, np.zeros(3), epsilon=0.5, reduction="none")
array([0.  , 2.25, 6.25])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import squared_epsilon_insensitive_loss_grad
>>> x = np.asarray([0.25, -2.0, 3.0])
>>> squared_epsilon_insensitive_loss_grad(x, np.zeros(3), epsilon=0.5, reduction="sum")
array([ 0., -3.,  5.])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import SquaredEpsilonInsensitiveLoss
>>> loss = SquaredEpsilonInsensitiveLoss(epsilon=0.5, reduction="sum")
>>> float(loss(np.asarray([0.25, -2.0, 3.0]), np.zeros(3)))
8.5""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import squared_epsilon_insensitive
>>> squared_epsilon_insensitive(np.asarray([0.25, -2.0, 4.0]), epsilon=0.5)
array([0.  , 1.5 , 1.75])""",
    ),
    "SquaredEpsilonInsensitiveLoss",
    psi_deriv=_squared_psi_deriv,
    tuning=Tuning("epsilon", lambda p: (p["epsilon"],)),
    family="insensitive",
)
