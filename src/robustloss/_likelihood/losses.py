"""Negative log-likelihoods: Barron's adaptive loss and Student's t.

Each is a :class:`.._losses.LossDefinition` of its own, evaluated by the engine like
every loss (checks, weights, reductions, the backends' strategies), but kept out of the
registry of robust losses :data:`.._losses.LOSSES`: a negative log-likelihood is not 0 at
r = 0, it can be negative, and its value is meant to be compared across shapes and
scales, which is the point of it; the registry's facts (bounded, convex, tuning
constants, the reference file of M-estimator losses) do not apply to it.

The residual part of both is Barron's general loss (:data:`.._losses.GENERAL`), the same
code as :func:`robustloss.general_loss`; ``psi``, its derivative and the IRLS weight are
those of the general loss, as ``log(scale)`` and ``log Z`` do not depend on the residual.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .._docs import loss_function, loss_gradient
from .._engine import evaluate
from .._losses import GENERAL, Documentation, LossDefinition, Parameter
from .._typing import Array, Namespace, Reduction, Weight
from .special import log_gamma, log_partition_of, log_partition_value

__all__ = [
    "ADAPTIVE",
    "STUDENTS_T",
    "adaptive_loss",
    "adaptive_loss_grad",
    "students_t_loss",
    "students_t_loss_grad",
]

BARRON = 'J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.'


def _is_array(v: Any) -> bool:
    return hasattr(v, "shape")


def _log(v: Any, xp: Namespace) -> Any:
    return xp.log(v) if _is_array(v) else math.log(v)


def _general(
    f: Callable[..., Array], k: int, r: Array, xp: Namespace, alpha: Any, scale: Any
) -> Array:
    """Return the general loss's `f` (rho, psi, psi', weight: ``k`` = 0, 1, 2, 2) at ``r / scale``.

    A float scale goes to the general loss, whose forms are exact for any scale; an array
    scale divides the residual here, and the result by ``scale**k``.
    """
    if not _is_array(scale):
        return f(r, xp=xp, alpha=alpha, scale=scale)
    out = f(r / scale, xp=xp, alpha=alpha, scale=1.0)
    return out if k == 0 else out / (scale if k == 1 else scale * scale)


# --- Barron's adaptive loss ----------------------------------------------------------------
def log_partition_any(alpha: Any, xp: Namespace) -> Any:
    """Log Z of a float (a float) or of an array (an array of `xp`)."""
    return log_partition_of(alpha, xp) if _is_array(alpha) else log_partition_value(alpha)


def _adaptive_rho(r: Array, *, xp: Namespace, alpha: Any, scale: Any) -> Array:
    constant = _log(scale, xp) + log_partition_any(alpha, xp)
    return _general(GENERAL.rho, 0, r, xp, alpha, scale) + constant


def _adaptive_psi(r: Array, *, xp: Namespace, alpha: Any, scale: Any) -> Array:
    return _general(GENERAL.psi, 1, r, xp, alpha, scale)


def _adaptive_weight(r: Array, *, xp: Namespace, alpha: Any, scale: Any) -> Array:
    return _general(GENERAL.weight, 2, r, xp, alpha, scale)


def _adaptive_psi_deriv(r: Array, *, xp: Namespace, alpha: Any, scale: Any) -> Array:
    return _general(GENERAL.psi_deriv, 2, r, xp, alpha, scale)


_SCALE = Parameter(
    "scale",
    1.0,
    "Residuals are measured in units of `scale` (``t = r / scale``); learned with `alpha`.",
)

ADAPTIVE = LossDefinition(
    "adaptive",
    _adaptive_rho,
    _adaptive_psi,
    _adaptive_weight,
    (
        Parameter(
            "alpha",
            1.0,
            "Shape parameter, as in :func:`general_loss`, but where a density exists: "
            "alpha >= 0 (below, exp(-rho) is not integrable).",
            minimum=0.0,
            closed=True,
        ),
        _SCALE,
    ),
    Documentation(
        summary="Barron's adaptive loss: the negative log-likelihood of his distribution.",
        body="""\
With ``t = (input - target) / scale``::

    adaptive(t) = general(t, alpha) + log(scale) + log_partition(alpha)

the negative log-density of ``p(x) = exp(-general(x / scale, alpha)) / (scale Z(alpha))``
(:func:`log_partition`). Unlike :func:`general_loss`, whose value grows with `alpha`
and `scale` so that minimising it drives them to their most robust extreme, it can be
minimised over `alpha` and `scale` too (pass them as arrays of the input's library that
require gradients, per output dimension or channel, parametrised by
:func:`alpha_from_latent` and :func:`scale_from_latent`): that is how Barron learns the
shape of the loss. alpha = 2 is the Gaussian NLL, 0 the Cauchy one.

The residual part is :func:`general_loss`'s code, so the gradient with respect to
`input` is :func:`general_loss_grad`'s. ``log_partition`` has a derivative of -inf at
alpha = 2 (it behaves as ``(alpha - 2) log|alpha - 2| / 4`` there); autograd gives the
finite derivative of the smooth part at exactly 2, the true one elsewhere.""",
        weight_formula=(
            "``(t**2 / |alpha - 2| + 1)**(alpha / 2 - 1) / scale**2``, the general loss's"
        ),
        references=(BARRON,),
        see_also=("general_loss", "log_partition", "alpha_from_latent", "sample_general"),
        grad_note="The same as :func:`general_loss_grad`'s.",
        examples="""\
>>> import numpy as np
>>> from robustloss import adaptive_loss
>>> zero = np.zeros(1)
>>> float(adaptive_loss(zero, zero, 2.0))  # the Gaussian: log sqrt(2 pi)
0.9189385332
>>> float(adaptive_loss(np.asarray([2.0]), zero, 0.0))  # log 3 + log(sqrt(2) pi)
2.5899157648

A shape and a scale per column, broadcasting to the input:

>>> x = np.asarray([[0.5, 3.0], [-1.0, 0.1]])
>>> adaptive_loss(x, np.zeros_like(x), np.asarray([2.0, 0.5]),
...               np.asarray([1.0, 0.1]), reduction="none")
array([[ 1.04393853, 10.84300063],
       [ 1.41893853, -0.60221996]])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import adaptive_loss_grad
>>> float(adaptive_loss_grad(np.asarray([2.0]), np.zeros(1), 0.0)[0])  # t / (1 + t**2 / 2)
0.6666666667""",
    ),
    "AdaptiveLoss",
    _adaptive_psi_deriv,
    family="barron",
)


@loss_function(ADAPTIVE)
def adaptive_loss(
    input: Array,
    target: Array,
    alpha: float | Array,
    scale: float | Array = 1.0,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    params = {"alpha": alpha, "scale": scale}
    return evaluate(
        ADAPTIVE,
        input,
        target,
        reduction,
        weight,
        xp,
        params,
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(ADAPTIVE)
def adaptive_loss_grad(
    input: Array,
    target: Array,
    alpha: float | Array,
    scale: float | Array = 1.0,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    params = {"alpha": alpha, "scale": scale}
    return evaluate(
        ADAPTIVE,
        input,
        target,
        reduction,
        weight,
        xp,
        params,
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


# --- Student's t ---------------------------------------------------------------------------
def _cauchy_scale(df: Any, scale: Any, xp: Namespace) -> Any:
    # log1p(t**2 / df) is the general loss at alpha = 0 (log1p(y**2 / 2)) of
    # y = r / (scale sqrt(df / 2)): its forms do not overflow for large residuals
    half = xp.sqrt(0.5 * df) if _is_array(df) else math.sqrt(0.5 * df)
    return scale * half


def _students_t_rho(r: Array, *, xp: Namespace, df: Any, scale: Any) -> Array:
    arrays = _is_array(df)
    lg = log_gamma(0.5 * df, xp if arrays else None) - log_gamma(
        0.5 * (df + 1.0), xp if arrays else None
    )
    constant = _log(scale, xp) + lg + 0.5 * _log(math.pi * df, xp)
    c = _cauchy_scale(df, scale, xp)
    return (0.5 * (df + 1.0)) * _general(GENERAL.rho, 0, r, xp, 0.0, c) + constant


def _students_t_psi(r: Array, *, xp: Namespace, df: Any, scale: Any) -> Array:
    c = _cauchy_scale(df, scale, xp)
    return (0.5 * (df + 1.0)) * _general(GENERAL.psi, 1, r, xp, 0.0, c)


def _students_t_weight(r: Array, *, xp: Namespace, df: Any, scale: Any) -> Array:
    c = _cauchy_scale(df, scale, xp)
    return (0.5 * (df + 1.0)) * _general(GENERAL.weight, 2, r, xp, 0.0, c)


def _students_t_psi_deriv(r: Array, *, xp: Namespace, df: Any, scale: Any) -> Array:
    c = _cauchy_scale(df, scale, xp)
    return (0.5 * (df + 1.0)) * _general(GENERAL.psi_deriv, 2, r, xp, 0.0, c)


STUDENTS_T = LossDefinition(
    "students_t",
    _students_t_rho,
    _students_t_psi,
    _students_t_weight,
    (Parameter("df", 1.0, "Degrees of freedom (1 is Cauchy; inf would be Gaussian)."), _SCALE),
    Documentation(
        summary="Student's t negative log-likelihood, with learnable `df` and `scale`.",
        body="""\
With ``t = (input - target) / scale``::

    students_t(t) = (df + 1) / 2 * log1p(t**2 / df) + log(scale)
                    + lgamma(df / 2) + log(pi df) / 2 - lgamma((df + 1) / 2)

``-scipy.stats.t.logpdf(input - target, df, scale=scale)``, as Barron's
``StudentsTLossFunction`` computes it. `df` and `scale` may be arrays broadcasting to
the input, to be learned. ``lgamma`` is Lanczos' approximation for arrays (the Array API
has none), :func:`math.lgamma` for numbers.""",
        weight_formula="``(df + 1) / (df + t**2) / scale**2``",
        references=(BARRON,),
        see_also=("adaptive_loss", "cauchy_loss"),
        examples="""\
>>> import numpy as np
>>> from robustloss import students_t_loss
>>> float(students_t_loss(np.asarray([1.5]), np.zeros(1), 3.0, 2.0))  # scipy.stats.t
2.0377365440""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import students_t_loss_grad
>>> float(students_t_loss_grad(np.asarray([1.0]), np.zeros(1), 1.0)[0])  # 2 t / (1 + t**2)
1.0""",
    ),
    "StudentsTLoss",
    _students_t_psi_deriv,
    family="barron",
)


@loss_function(STUDENTS_T)
def students_t_loss(
    input: Array,
    target: Array,
    df: float | Array,
    scale: float | Array = 1.0,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    params = {"df": df, "scale": scale}
    return evaluate(
        STUDENTS_T,
        input,
        target,
        reduction,
        weight,
        xp,
        params,
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(STUDENTS_T)
def students_t_loss_grad(
    input: Array,
    target: Array,
    df: float | Array,
    scale: float | Array = 1.0,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    params = {"df": df, "scale": scale}
    return evaluate(
        STUDENTS_T,
        input,
        target,
        reduction,
        weight,
        xp,
        params,
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )
