"""The mathematics of every loss, and the registry every other part is derived from.

:data:`LOSSES` maps each loss's name to its :class:`LossDefinition`: its elementwise
``rho``, ``psi`` and IRLS weight, its hyper-parameters and the facts its documentation is
rendered from. The public faces, the command line's self-check and the test tables are
derived from it or checked against it. One module per group of losses:

* :mod:`.piecewise`: L1, MSE, Huber, Smooth L1 (PyTorch's regression losses);
* :mod:`.smooth`: log-cosh, pseudo-Huber, Fair (smooth and convex);
* :mod:`.redescending`: Tukey's biweight, Barron's named cases Cauchy,
  Geman-McClure and Welsch, Ramsay's Ea and SciPy's arctan;
* :mod:`.barron`: Barron's general loss;
* :mod:`.rejecting`: Hampel, Andrews' wave, trimmed squares, Tukey's quartic (hard
  redescenders: psi is 0 beyond a rejection point);
* :mod:`.asymmetric`: quantile (pinball), Huberized quantile, expectile;
* :mod:`.insensitive`: epsilon-insensitive and squared epsilon-insensitive.
"""

from __future__ import annotations

from ._base import FAMILIES, Documentation, LossDefinition, Parameter, Tuning
from .asymmetric import EXPECTILE, HUBER_QUANTILE, QUANTILE
from .barron import GENERAL
from .insensitive import EPSILON_INSENSITIVE, SQUARED_EPSILON_INSENSITIVE
from .piecewise import HUBER, L1, MSE, SMOOTH_L1
from .redescending import ARCTAN, CAUCHY, GEMAN_MCCLURE, RAMSAY_E, TUKEY, WELSCH
from .rejecting import ANDREWS_WAVE, HAMPEL, TRIMMED, TUKEY_QUARTIC
from .smooth import FAIR, LOG_COSH, PSEUDO_HUBER

__all__ = [
    "ANDREWS_WAVE",
    "ARCTAN",
    "CAUCHY",
    "EPSILON_INSENSITIVE",
    "EXPECTILE",
    "FAIR",
    "FAMILIES",
    "GEMAN_MCCLURE",
    "GENERAL",
    "HAMPEL",
    "HUBER",
    "HUBER_QUANTILE",
    "L1",
    "LOG_COSH",
    "LOSSES",
    "MSE",
    "PSEUDO_HUBER",
    "QUANTILE",
    "RAMSAY_E",
    "SMOOTH_L1",
    "SQUARED_EPSILON_INSENSITIVE",
    "TRIMMED",
    "TUKEY",
    "TUKEY_QUARTIC",
    "WELSCH",
    "Documentation",
    "LossDefinition",
    "Parameter",
    "Tuning",
]

#: every loss, by name, in the order the documentation lists them
LOSSES: dict[str, LossDefinition] = {
    d.name: d
    for d in (
        HUBER,
        SMOOTH_L1,
        L1,
        MSE,
        LOG_COSH,
        PSEUDO_HUBER,
        TUKEY,
        CAUCHY,
        WELSCH,
        GEMAN_MCCLURE,
        GENERAL,
        FAIR,
        ARCTAN,
        RAMSAY_E,
        HAMPEL,
        ANDREWS_WAVE,
        TUKEY_QUARTIC,
        TRIMMED,
        QUANTILE,
        HUBER_QUANTILE,
        EXPECTILE,
        EPSILON_INSENSITIVE,
        SQUARED_EPSILON_INSENSITIVE,
    )
}
