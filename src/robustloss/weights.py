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
    ANDREWS_WAVE,
    ARCTAN,
    CAUCHY,
    EPSILON_INSENSITIVE,
    EXPECTILE,
    FAIR,
    GEMAN_MCCLURE,
    GENERAL,
    HAMPEL,
    HUBER,
    HUBER_QUANTILE,
    L1,
    LOG_COSH,
    MSE,
    PSEUDO_HUBER,
    QUANTILE,
    RAMSAY_E,
    SMOOTH_L1,
    SQUARED_EPSILON_INSENSITIVE,
    TRIMMED,
    TUKEY,
    TUKEY_QUARTIC,
    WELSCH,
)
from ._typing import Array, Namespace

__all__ = [
    "andrews_wave",
    "arctan",
    "cauchy",
    "epsilon_insensitive",
    "expectile",
    "fair",
    "geman_mcclure",
    "general",
    "hampel",
    "huber",
    "huber_quantile",
    "l1",
    "log_cosh",
    "mse",
    "pseudo_huber",
    "quantile",
    "ramsay_e",
    "smooth_l1",
    "squared_epsilon_insensitive",
    "trimmed",
    "tukey",
    "tukey_quartic",
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


@irls_weight(QUANTILE)
def quantile(residual: Array, q: float = 0.5, *, xp: Namespace | None = None) -> Array:
    return evaluate(QUANTILE, residual, None, "none", None, xp, {"q": q}, "weight")


@irls_weight(HUBER_QUANTILE)
def huber_quantile(
    residual: Array, q: float = 0.5, delta: float = 1.0, *, xp: Namespace | None = None
) -> Array:
    return evaluate(
        HUBER_QUANTILE, residual, None, "none", None, xp, {"q": q, "delta": delta}, "weight"
    )


@irls_weight(EXPECTILE)
def expectile(residual: Array, q: float = 0.5, *, xp: Namespace | None = None) -> Array:
    return evaluate(EXPECTILE, residual, None, "none", None, xp, {"q": q}, "weight")


@irls_weight(HAMPEL)
def hampel(
    residual: Array, a: float = 2.0, b: float = 4.0, c: float = 8.0, *, xp: Namespace | None = None
) -> Array:
    return evaluate(HAMPEL, residual, None, "none", None, xp, {"a": a, "b": b, "c": c}, "weight")


@irls_weight(ANDREWS_WAVE)
def andrews_wave(residual: Array, a: float = 1.339, *, xp: Namespace | None = None) -> Array:
    return evaluate(ANDREWS_WAVE, residual, None, "none", None, xp, {"a": a}, "weight")


@irls_weight(RAMSAY_E)
def ramsay_e(residual: Array, a: float = 0.3, *, xp: Namespace | None = None) -> Array:
    return evaluate(RAMSAY_E, residual, None, "none", None, xp, {"a": a}, "weight")


@irls_weight(TRIMMED)
def trimmed(residual: Array, c: float = 2.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(TRIMMED, residual, None, "none", None, xp, {"c": c}, "weight")


@irls_weight(TUKEY_QUARTIC)
def tukey_quartic(residual: Array, c: float = 3.61752, *, xp: Namespace | None = None) -> Array:
    return evaluate(TUKEY_QUARTIC, residual, None, "none", None, xp, {"c": c}, "weight")


@irls_weight(FAIR)
def fair(residual: Array, c: float = 1.3998, *, xp: Namespace | None = None) -> Array:
    return evaluate(FAIR, residual, None, "none", None, xp, {"c": c}, "weight")


@irls_weight(ARCTAN)
def arctan(residual: Array, scale: float = 1.0, *, xp: Namespace | None = None) -> Array:
    return evaluate(ARCTAN, residual, None, "none", None, xp, {"scale": scale}, "weight")


@irls_weight(EPSILON_INSENSITIVE)
def epsilon_insensitive(
    residual: Array, epsilon: float = 0.1, *, xp: Namespace | None = None
) -> Array:
    return evaluate(
        EPSILON_INSENSITIVE, residual, None, "none", None, xp, {"epsilon": epsilon}, "weight"
    )


@irls_weight(SQUARED_EPSILON_INSENSITIVE)
def squared_epsilon_insensitive(
    residual: Array, epsilon: float = 0.1, *, xp: Namespace | None = None
) -> Array:
    return evaluate(
        SQUARED_EPSILON_INSENSITIVE,
        residual,
        None,
        "none",
        None,
        xp,
        {"epsilon": epsilon},
        "weight",
    )
