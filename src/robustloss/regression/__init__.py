"""Robust regression on any Array API backend: batched IRLS, scale estimators, tuning constants.

:func:`fit` is statsmodels' ``RLM(...).fit()`` (iteratively reweighted least squares with
the MAD or Huber's proposal 2 as the scale, and its H1 standard errors) for every loss of
robustloss, over a whole batch of problems at once: ``X`` of shape ``[..., n, p]`` and ``y``
of shape ``[..., n]``, on the arrays' own library and device. :func:`mad` and
:func:`huber_scale` are the scale estimators, :func:`tuning_constant` the constant that
gives a loss a Gaussian efficiency or a breakdown point.
"""

from __future__ import annotations

from ._irls import FitResult, fit
from ._scale import huber_scale, mad
from ._tuning import tuning_constant

__all__ = ["FitResult", "fit", "huber_scale", "mad", "tuning_constant"]
