"""The functional API: one explicit, typed function per loss and per gradient.

PyTorch's argument order; arrays first, ``xp`` keyword-only and last. Each body is one
call of the engine with the loss's definition; each docstring is rendered from the
registry (:mod:`._docs`).
"""

from __future__ import annotations

from ._checks import legacy_reduction
from ._docs import loss_function, loss_gradient
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
from ._typing import Array, Namespace, Reduction, Weight

__all__ = [
    "andrews_wave_loss",
    "andrews_wave_loss_grad",
    "arctan_loss",
    "arctan_loss_grad",
    "cauchy_loss",
    "cauchy_loss_grad",
    "epsilon_insensitive_loss",
    "epsilon_insensitive_loss_grad",
    "expectile_loss",
    "expectile_loss_grad",
    "fair_loss",
    "fair_loss_grad",
    "geman_mcclure_loss",
    "geman_mcclure_loss_grad",
    "general_loss",
    "general_loss_grad",
    "hampel_loss",
    "hampel_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "huber_quantile_loss",
    "huber_quantile_loss_grad",
    "l1_loss",
    "l1_loss_grad",
    "log_cosh_loss",
    "log_cosh_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "pseudo_huber_loss",
    "pseudo_huber_loss_grad",
    "quantile_loss",
    "quantile_loss_grad",
    "ramsay_e_loss",
    "ramsay_e_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
    "squared_epsilon_insensitive_loss",
    "squared_epsilon_insensitive_loss_grad",
    "trimmed_loss",
    "trimmed_loss_grad",
    "tukey_loss",
    "tukey_loss_grad",
    "tukey_quartic_loss",
    "tukey_quartic_loss_grad",
    "welsch_loss",
    "welsch_loss_grad",
]


@loss_function(HUBER)
def huber_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HUBER,
        input,
        target,
        reduction,
        weight,
        xp,
        {"delta": delta},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(HUBER)
def huber_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HUBER,
        input,
        target,
        reduction,
        weight,
        xp,
        {"delta": delta},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(SMOOTH_L1)
def smooth_l1_loss(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    beta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        SMOOTH_L1,
        input,
        target,
        legacy_reduction(size_average, reduce, reduction),
        weight,
        xp,
        {"beta": beta},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(SMOOTH_L1)
def smooth_l1_loss_grad(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    beta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        SMOOTH_L1,
        input,
        target,
        legacy_reduction(size_average, reduce, reduction),
        weight,
        xp,
        {"beta": beta},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(L1)
def l1_loss(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        L1,
        input,
        target,
        legacy_reduction(size_average, reduce, reduction),
        weight,
        xp,
        {},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(L1)
def l1_loss_grad(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        L1,
        input,
        target,
        legacy_reduction(size_average, reduce, reduction),
        weight,
        xp,
        {},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(MSE)
def mse_loss(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        MSE,
        input,
        target,
        legacy_reduction(size_average, reduce, reduction),
        weight,
        xp,
        {},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(MSE)
def mse_loss_grad(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        MSE,
        input,
        target,
        legacy_reduction(size_average, reduce, reduction),
        weight,
        xp,
        {},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(LOG_COSH)
def log_cosh_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        LOG_COSH,
        input,
        target,
        reduction,
        weight,
        xp,
        {},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(LOG_COSH)
def log_cosh_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        LOG_COSH,
        input,
        target,
        reduction,
        weight,
        xp,
        {},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(PSEUDO_HUBER)
def pseudo_huber_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        PSEUDO_HUBER,
        input,
        target,
        reduction,
        weight,
        xp,
        {"delta": delta},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(PSEUDO_HUBER)
def pseudo_huber_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        PSEUDO_HUBER,
        input,
        target,
        reduction,
        weight,
        xp,
        {"delta": delta},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(TUKEY)
def tukey_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 4.685,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        TUKEY,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(TUKEY)
def tukey_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 4.685,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        TUKEY,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(CAUCHY)
def cauchy_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        CAUCHY,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(CAUCHY)
def cauchy_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        CAUCHY,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(WELSCH)
def welsch_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        WELSCH,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(WELSCH)
def welsch_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        WELSCH,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(GEMAN_MCCLURE)
def geman_mcclure_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        GEMAN_MCCLURE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(GEMAN_MCCLURE)
def geman_mcclure_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        GEMAN_MCCLURE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(GENERAL)
def general_loss(
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
        GENERAL,
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


@loss_gradient(GENERAL)
def general_loss_grad(
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
        GENERAL,
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


@loss_function(QUANTILE)
def quantile_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    q: float | Array = 0.5,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        QUANTILE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"q": q},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(QUANTILE)
def quantile_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    q: float | Array = 0.5,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        QUANTILE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"q": q},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(HUBER_QUANTILE)
def huber_quantile_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    q: float | Array = 0.5,
    delta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HUBER_QUANTILE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"q": q, "delta": delta},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(HUBER_QUANTILE)
def huber_quantile_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    q: float | Array = 0.5,
    delta: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HUBER_QUANTILE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"q": q, "delta": delta},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(EXPECTILE)
def expectile_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    q: float | Array = 0.5,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        EXPECTILE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"q": q},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(EXPECTILE)
def expectile_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    q: float | Array = 0.5,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        EXPECTILE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"q": q},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(HAMPEL)
def hampel_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    a: float | Array = 2.0,
    b: float | Array = 4.0,
    c: float | Array = 8.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HAMPEL,
        input,
        target,
        reduction,
        weight,
        xp,
        {"a": a, "b": b, "c": c},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(HAMPEL)
def hampel_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    a: float | Array = 2.0,
    b: float | Array = 4.0,
    c: float | Array = 8.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HAMPEL,
        input,
        target,
        reduction,
        weight,
        xp,
        {"a": a, "b": b, "c": c},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(ANDREWS_WAVE)
def andrews_wave_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    a: float | Array = 1.339,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        ANDREWS_WAVE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"a": a},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(ANDREWS_WAVE)
def andrews_wave_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    a: float | Array = 1.339,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        ANDREWS_WAVE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"a": a},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(RAMSAY_E)
def ramsay_e_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    a: float | Array = 0.3,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        RAMSAY_E,
        input,
        target,
        reduction,
        weight,
        xp,
        {"a": a},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(RAMSAY_E)
def ramsay_e_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    a: float | Array = 0.3,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        RAMSAY_E,
        input,
        target,
        reduction,
        weight,
        xp,
        {"a": a},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(TRIMMED)
def trimmed_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 2.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        TRIMMED,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(TRIMMED)
def trimmed_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 2.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        TRIMMED,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(TUKEY_QUARTIC)
def tukey_quartic_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 3.61752,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        TUKEY_QUARTIC,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(TUKEY_QUARTIC)
def tukey_quartic_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 3.61752,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        TUKEY_QUARTIC,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(FAIR)
def fair_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 1.3998,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        FAIR,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(FAIR)
def fair_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float | Array = 1.3998,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        FAIR,
        input,
        target,
        reduction,
        weight,
        xp,
        {"c": c},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(ARCTAN)
def arctan_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        ARCTAN,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(ARCTAN)
def arctan_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float | Array = 1.0,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        ARCTAN,
        input,
        target,
        reduction,
        weight,
        xp,
        {"scale": scale},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(EPSILON_INSENSITIVE)
def epsilon_insensitive_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    epsilon: float | Array = 0.1,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        EPSILON_INSENSITIVE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"epsilon": epsilon},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(EPSILON_INSENSITIVE)
def epsilon_insensitive_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    epsilon: float | Array = 0.1,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        EPSILON_INSENSITIVE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"epsilon": epsilon},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_function(SQUARED_EPSILON_INSENSITIVE)
def squared_epsilon_insensitive_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    epsilon: float | Array = 0.1,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        SQUARED_EPSILON_INSENSITIVE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"epsilon": epsilon},
        where=where,
        axis=axis,
        keepdims=keepdims,
    )


@loss_gradient(SQUARED_EPSILON_INSENSITIVE)
def squared_epsilon_insensitive_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    epsilon: float | Array = 0.1,
    weight: Weight = None,
    *,
    where: Array | None = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        SQUARED_EPSILON_INSENSITIVE,
        input,
        target,
        reduction,
        weight,
        xp,
        {"epsilon": epsilon},
        "grad",
        where=where,
        axis=axis,
        keepdims=keepdims,
    )
