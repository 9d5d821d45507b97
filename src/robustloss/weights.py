"""IRLS weights ``w(r) = psi(r) / r`` of every loss, for robust fitting on any backend.

Iteratively reweighted least squares fits an M-estimator by solving weighted least
squares problems with the weights ``w(r_i / s)`` of the current residuals ``r_i`` (in units
of a scale ``s``, usually the MAD). Each function here takes residuals (any shape, any
Array API library) and the loss's hyper-parameters, and returns weights of the same shape,
finite everywhere, r = 0 included (where they are the limit of ``psi(r) / r``):

* ``huber``: ``min(1, delta / |r|)``; 1 at 0;
* ``smooth_l1``: ``1 / max(|r|, beta)``; ``1 / beta`` at 0;
* ``l1``: ``1 / |r|``, capped at ``1 / tiny`` (finite at 0);
* ``mse``: the constant 2;
* ``log_cosh``: ``tanh(r) / r``; 1 at 0;
* ``pseudo_huber``: ``1 / sqrt(1 + (r / delta)**2)``; 1 at 0;
* ``tukey``: ``(1 - (r / c)**2)**2`` inside ``c``, 0 beyond; 1 at 0;
* ``cauchy``: ``1 / (scale**2 (1 + t**2 / 2))``;
* ``welsch``: ``exp(-t**2 / 2) / scale**2``;
* ``geman_mcclure``: ``16 / (scale**2 (t**2 + 4)**2)``;
* ``general``: ``(t**2 / |alpha - 2| + 1)**(alpha / 2 - 1) / scale**2``;
  the last four are ``1 / scale**2`` at 0.

(``t = r / scale``; ``tiny`` is the smallest normal number of the dtype.) ``huber`` and
``tukey`` equal ``statsmodels.robust.norms.HuberT(t=delta).weights`` and
``TukeyBiweight(c).weights``. Hyper-parameters are validated as in the losses; integer
residuals are promoted to the default floating dtype; float16 / bfloat16 are computed in
float32 and returned in their own dtype.

Examples
--------
>>> import numpy as np
>>> from robustloss import weights
>>> r = np.asarray([0.0, 1.0, 2.69, 10.0])
>>> weights.huber(r, delta=1.345)
array([1.   , 1.   , 0.5  , 0.1345])
>>> weights.tukey(np.asarray([0.0, 4.685, 5.0]), c=4.685)
array([1., 0., 0.])
"""

from __future__ import annotations

from typing import Any

import array_api_compat as aac

from ._definitions import HUBER, L1, MSE, SMOOTH_L1, LossDefinition
from ._engine import _ieee
from ._family import LOG_COSH, PSEUDO_HUBER, TUKEY
from ._general import CAUCHY, GEMAN_MCCLURE, GENERAL, WELSCH
from ._strategies import dask_weight
from ._typing import Array, Namespace
from ._validation import prepare, prepare_parameters

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


def _weights(
    definition: LossDefinition, residual: Array, xp: Namespace | None, **params: Any
) -> Array:
    values = definition.validate(params)
    p = prepare(residual, residual, None, xp=xp)
    values = prepare_parameters(p, values)
    definition.check_representable(values, p.xp, p.input.dtype)
    if aac.is_dask_namespace(p.xp):  # quiet at compute time, as the losses
        return dask_weight(definition, p.input, values, p.dtype)
    with _ieee(p.xp):
        w = definition.weight(p.input, xp=p.xp, **values)
        return p.xp.astype(w, p.dtype, copy=False)


def huber(residual: Array, delta: float = 1.0, *, xp: Namespace | None = None) -> Array:
    """Huber weights ``min(1, delta / |r|)``: 1 inside ``delta``, ``delta / |r|`` beyond.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import huber
    >>> huber(np.asarray([-4.0, 0.5, 2.0]), delta=2.0)
    array([0.5, 1. , 1. ])
    """
    return _weights(HUBER, residual, xp, delta=delta)


def smooth_l1(residual: Array, beta: float = 1.0, *, xp: Namespace | None = None) -> Array:
    """Smooth L1 weights ``1 / max(|r|, beta)`` (``beta = 0`` is :func:`l1`).

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import smooth_l1
    >>> smooth_l1(np.asarray([0.0, 0.25, 4.0]), beta=0.5)
    array([2.  , 2.  , 0.25])
    """
    return _weights(SMOOTH_L1, residual, xp, beta=beta)


def l1(residual: Array, *, xp: Namespace | None = None) -> Array:
    """Least-absolute-deviation weights ``1 / |r|``, capped at 1 / smallest normal number.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import l1
    >>> l1(np.asarray([-4.0, 0.5]))
    array([0.25, 2.  ])
    >>> bool(np.isfinite(l1(np.zeros(1)))[0])
    True
    """
    return _weights(L1, residual, xp)


def mse(residual: Array, *, xp: Namespace | None = None) -> Array:
    """Squared-error weights: the constant 2 (``psi = 2 r``).

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import mse
    >>> mse(np.asarray([-4.0, 0.5]))
    array([2., 2.])
    """
    return _weights(MSE, residual, xp)


def log_cosh(residual: Array, *, xp: Namespace | None = None) -> Array:
    """Log-cosh weights ``tanh(r) / r`` (1 at r = 0).

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import log_cosh
    >>> log_cosh(np.asarray([0.0, 2.0]))  # tanh(2) / 2
    array([1.        , 0.48201379])
    """
    return _weights(LOG_COSH, residual, xp)


def pseudo_huber(residual: Array, delta: float = 1.0, *, xp: Namespace | None = None) -> Array:
    """Pseudo-Huber weights ``1 / sqrt(1 + (r / delta)**2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import pseudo_huber
    >>> pseudo_huber(np.asarray([0.0, 3.0]), delta=4.0)  # 1 / sqrt(1 + 9 / 16)
    array([1. , 0.8])
    """
    return _weights(PSEUDO_HUBER, residual, xp, delta=delta)


def tukey(residual: Array, c: float = 4.685, *, xp: Namespace | None = None) -> Array:
    """Tukey biweight weights ``(1 - (r / c)**2)**2`` inside ``c``, 0 beyond.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import tukey
    >>> tukey(np.asarray([0.0, 1.0, 3.0]), c=2.0)  # (1 - 1/4)**2
    array([1.    , 0.5625, 0.    ])
    """
    return _weights(TUKEY, residual, xp, c=c)


def cauchy(residual: Array, scale: float = 1.0, *, xp: Namespace | None = None) -> Array:
    """Cauchy weights ``1 / (scale**2 (1 + t**2 / 2))``, ``t = r / scale``.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import cauchy
    >>> cauchy(np.asarray([0.0, 2.0]))
    array([1.        , 0.33333333])
    """
    return _weights(CAUCHY, residual, xp, scale=scale)


def welsch(residual: Array, scale: float = 1.0, *, xp: Namespace | None = None) -> Array:
    """Welsch weights ``exp(-t**2 / 2) / scale**2``, ``t = r / scale``.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import welsch
    >>> welsch(np.asarray([0.0, 2.0]))  # exp(-2)
    array([1.        , 0.13533528])
    """
    return _weights(WELSCH, residual, xp, scale=scale)


def geman_mcclure(residual: Array, scale: float = 1.0, *, xp: Namespace | None = None) -> Array:
    """Geman-McClure weights ``16 / (scale**2 (t**2 + 4)**2)``, ``t = r / scale``.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import geman_mcclure
    >>> geman_mcclure(np.asarray([0.0, 2.0]))  # 16 / 64
    array([1.  , 0.25])
    """
    return _weights(GEMAN_MCCLURE, residual, xp, scale=scale)


def general(
    residual: Array, alpha: float | Array, scale: float = 1.0, *, xp: Namespace | None = None
) -> Array:
    """Weights of Barron's general loss, ``(t**2 / |alpha - 2| + 1)**(alpha/2 - 1) / scale**2``.

    `alpha` is a number or an array broadcastable to `residual`, as in
    :func:`robustloss.general_loss`.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.weights import general
    >>> general(np.asarray([0.0, 2.0]), alpha=1.0)  # 1 / sqrt(1 + 4)
    array([1.        , 0.4472136])
    """
    return _weights(GENERAL, residual, xp, alpha=alpha, scale=scale)
