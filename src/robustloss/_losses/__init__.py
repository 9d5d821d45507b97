"""The mathematics of every loss, and the registry every other part is derived from.

:data:`LOSSES` maps each loss's name to its :class:`LossDefinition`: its elementwise
``rho``, ``psi`` and IRLS weight, its hyper-parameters and the facts its documentation is
rendered from. The public faces, the command line's self-check and the test tables are
derived from it or checked against it. One module per group of losses:

* :mod:`.piecewise`: L1, MSE, Huber, Smooth L1 (PyTorch's regression losses);
* :mod:`.smooth`: log-cosh, pseudo-Huber (smooth and convex);
* :mod:`.redescending`: Tukey's biweight, and Barron's named cases Cauchy,
  Geman-McClure and Welsch;
* :mod:`.barron`: Barron's general loss.
"""

from __future__ import annotations

from ._base import Documentation, LossDefinition, Parameter
from .barron import GENERAL
from .piecewise import HUBER, L1, MSE, SMOOTH_L1
from .redescending import CAUCHY, GEMAN_MCCLURE, TUKEY, WELSCH
from .smooth import LOG_COSH, PSEUDO_HUBER

__all__ = [
    "CAUCHY",
    "GEMAN_MCCLURE",
    "GENERAL",
    "HUBER",
    "L1",
    "LOG_COSH",
    "LOSSES",
    "MSE",
    "PSEUDO_HUBER",
    "SMOOTH_L1",
    "TUKEY",
    "WELSCH",
    "Documentation",
    "LossDefinition",
    "Parameter",
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
    )
}
