"""IRLS weights ``w(r) = psi(r) / r`` of every loss, for robust fitting on any backend.

Iteratively reweighted least squares fits an M-estimator by solving weighted least
squares problems with the weights ``w(r_i / s)`` of the current residuals ``r_i`` (in units
of a scale ``s``, usually the MAD). Each function here takes residuals (any shape, any
Array API library) and the loss's hyper-parameters, and returns weights of the same shape,
finite everywhere, r = 0 included (where they are the limit of ``psi(r) / r``). They run
through the same engine as the losses: the same checks, dtypes, devices and laziness
(one quiet task per block on Dask). Each function's docstring gives its formula.

Examples
--------
>>> import numpy as np
>>> from robustloss import weights
>>> r = np.asarray([0.0, 1.0, 2.69, 10.0])
>>> weights.huber(r, delta=1.345)
array([1.   , 1.   , 0.5  , 0.1345])
"""

from __future__ import annotations

from ._docs import irls_weight
from ._engine import evaluate
from ._losses import (
    CAUCHY,
    GEMAN_MCCLURE,
    GENERAL,
    HUBER,
    L1,
    LOG_COSH,
    MSE,
    PSEUDO_HUBER,
    SMOOTH_L1,
    TUKEY,
    WELSCH,
)
from ._typing import Array, Namespace

__all__ = [
    "cauchy",
    "geman_mcclure",
    "general",
    "huber",
    "l1",
    "log_cosh",
    "mse",
    "pseudo_huber",
    "smooth_l1",
    "tukey",
    "welsch",
]


@irls_weight(HUBER)
def huber(residual: Array, delta: float = 1.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(HUBER, residual, None, "none", None, xp, {"delta": delta}, "weight")


@irls_weight(SMOOTH_L1)
def smooth_l1(residual: Array, beta: float = 1.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(SMOOTH_L1, residual, None, "none", None, xp, {"beta": beta}, "weight")


@irls_weight(L1)
def l1(residual: Array, *, xp: Namespace | None = None) -> Array:
    return evaluate(L1, residual, None, "none", None, xp, {}, "weight")


@irls_weight(MSE)
def mse(residual: Array, *, xp: Namespace | None = None) -> Array:
    return evaluate(MSE, residual, None, "none", None, xp, {}, "weight")


@irls_weight(LOG_COSH)
def log_cosh(residual: Array, *, xp: Namespace | None = None) -> Array:
    return evaluate(LOG_COSH, residual, None, "none", None, xp, {}, "weight")


@irls_weight(PSEUDO_HUBER)
def pseudo_huber(residual: Array, delta: float = 1.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(PSEUDO_HUBER, residual, None, "none", None, xp, {"delta": delta}, "weight")


@irls_weight(TUKEY)
def tukey(residual: Array, c: float = 4.685, *, xp: Namespace | None = None) -> Array:
    return evaluate(TUKEY, residual, None, "none", None, xp, {"c": c}, "weight")


@irls_weight(CAUCHY)
def cauchy(residual: Array, scale: float = 1.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(CAUCHY, residual, None, "none", None, xp, {"scale": scale}, "weight")


@irls_weight(WELSCH)
def welsch(residual: Array, scale: float = 1.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(WELSCH, residual, None, "none", None, xp, {"scale": scale}, "weight")


@irls_weight(GEMAN_MCCLURE)
def geman_mcclure(residual: Array, scale: float = 1.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(GEMAN_MCCLURE, residual, None, "none", None, xp, {"scale": scale}, "weight")


@irls_weight(GENERAL)
def general(
    residual: Array, alpha: float | Array, scale: float = 1.0, *, xp: Namespace | None = None
) -> Array:
    params = {"alpha": alpha, "scale": scale}
    return evaluate(GENERAL, residual, None, "none", None, xp, params, "weight")
