"""Loss objects of the likelihoods: :class:`AdaptiveLoss` and :class:`StudentsTLoss`.

Configured once and called many times, as the other loss objects (:mod:`robustloss`'s
``HuberLoss``, ...), with the same call, gradient, config and statsmodels-norm faces.
To learn their hyper-parameters, pass arrays that require gradients (or use the modules
of :mod:`robustloss.torch`, which hold them as parameters).
"""

from __future__ import annotations

from .._objects import Loss
from .._typing import Array, Reduction
from .losses import ADAPTIVE, STUDENTS_T

__all__ = ["AdaptiveLoss", "StudentsTLoss"]


class AdaptiveLoss(Loss):
    definition = ADAPTIVE
    alpha: float | Array
    scale: float | Array

    def __init__(
        self, alpha: float | Array, scale: float | Array = 1.0, reduction: Reduction = "mean"
    ) -> None:
        super().__init__(reduction, alpha=alpha, scale=scale)


class StudentsTLoss(Loss):
    definition = STUDENTS_T
    df: float | Array
    scale: float | Array

    def __init__(
        self, df: float | Array, scale: float | Array = 1.0, reduction: Reduction = "mean"
    ) -> None:
        super().__init__(reduction, df=df, scale=scale)
