"""The redescending losses: the influence of a residual falls back as it grows.

Tukey's biweight (no influence at all beyond its rejection point, ``psi = 0`` there), and
the redescending members of Barron's family with names of their own, in decreasing order
of tail weight: Cauchy (alpha = 0), Geman-McClure (-2) and Welsch (-inf), each computed
exactly as :mod:`.barron` computes the general loss at that alpha. None is convex: start
a fit from a good one (a Huber fit, say).
"""

from __future__ import annotations

import math

from .._typing import Array, Namespace
from ._base import Documentation, LossDefinition, Parameter
from ._numerics import capped
from .barron import BARRON, named_case

__all__ = ["CAUCHY", "GEMAN_MCCLURE", "TUKEY", "WELSCH"]


# --- Tukey's biweight --------------------------------------------------------------------
def _tukey_parts(r: Array, c: float, xp: Namespace) -> tuple[Array, Array]:
    """Return m = clip(r, -c, c) and w = 1 - (m / c)**2.

    w is ((c - a) / c) (1 + a / c), a = |m|: c - a is exact near c, where 1 - u * u loses
    every digit to the rounding of u = r / c (psi just inside c was 20% off in float32);
    c + a is never formed, so c up to the dtype's max is fine. A c below 1 is first taken
    to [0.5, 1) by a power of two (exactly), with a: c - a of a tiny c is otherwise
    subnormal, which XLA flushes to 0 (c = 6.6e-36, float32). No 1 / c**2 is formed,
    which XLA would otherwise make of (m / c) * (m / c) and overflow (NaN under jax.jit
    for c = 1e-200, float64).
    """
    k = capped(c, r, xp)
    m = xp.clip(r, -k, k)
    a = xp.abs(m)
    if k < 1.0:
        k, exponent = math.frexp(k)
        a = a * 2.0**-exponent
    return m, ((k - a) / k) * (1.0 + a / k)


def _tukey_rho(r: Array, *, xp: Namespace, c: float) -> Array:
    # c^2/6 (1 - w^3) = m^2/6 (1 + w + w^2): exact for small r (no 1 - (1 - v)^3
    # cancellation), constant c^2/6 beyond c (w = 0), and c^2 is never formed alone
    m, w = _tukey_parts(r, c, xp)
    return (m * (m / 6.0)) * (1.0 + w * (1.0 + w))


def _tukey_weight(r: Array, *, xp: Namespace, c: float) -> Array:
    w = _tukey_parts(r, c, xp)[1]
    return w * w


def _tukey_psi(r: Array, *, xp: Namespace, c: float) -> Array:
    # clip(r, -c, c) rather than r: the same value (the weight is 0 beyond c), and no
    # inf * 0 at r = +-inf
    m, w = _tukey_parts(r, c, xp)
    return m * (w * w)


TUKEY = LossDefinition(
    "tukey",
    _tukey_rho,
    _tukey_psi,
    _tukey_weight,
    (Parameter("c", 4.685, "Rejection point."),),
    Documentation(
        summary="Tukey's biweight loss: redescending, constant beyond ``c``.",
        body="""\
With ``r = input - target``::

    tukey(r) = c**2 / 6 * (1 - (1 - (r / c)**2)**3)   if |r| <= c
               c**2 / 6                               otherwise

equal to ``statsmodels.robust.norms.TukeyBiweight(c).rho``. Residuals beyond ``c``
have no influence at all (``psi = 0``); the default ``c = 4.685`` gives 95%
efficiency at the normal distribution (for residuals in units of their scale).
Accurate for tiny residuals, where ``1 - (1 - v)**3`` cancels.""",
        weight_formula=(
            "``(1 - (r / c)**2)**2`` inside ``c``, 0 beyond; 1 at 0; equal to "
            "``statsmodels.robust.norms.TukeyBiweight(c).weights``"
        ),
        references=(
            'A. E. Beaton, J. W. Tukey, "The Fitting of Power Series, Meaning Polynomials, '
            'Illustrated on Band-Spectroscopic Data", Technometrics 16(2), 1974.',
        ),
        see_also=("huber_loss", "cauchy_loss", "robustloss.weights.tukey"),
        examples="""\
>>> import numpy as np
>>> from robustloss import tukey_loss
>>> r = np.asarray([0.0, 1.0, 10.0])
>>> tukey_loss(r, np.zeros(3), reduction="none")
array([0.        , 0.4775661 , 3.65820417])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import tukey_loss_grad
>>> r = np.asarray([0.0, 1.0, 2.0, 10.0])
>>> tukey_loss_grad(r, np.zeros(4), reduction="none")  # r (1 - (r / c)**2)**2
array([0.        , 0.9109563 , 1.33746682, 0.        ])""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import TukeyLoss
>>> TukeyLoss(reduction="none")(np.asarray([10.0]), np.zeros(1))  # c**2 / 6
array([3.65820417])""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import tukey
>>> tukey(np.asarray([0.0, 1.0, 3.0]), c=2.0)  # (1 - 1/4)**2
array([1.    , 0.5625, 0.    ])
>>> tukey(np.asarray([0.0, 4.685, 5.0]), c=4.685)
array([1., 0., 0.])""",
    ),
    "TukeyLoss",
)


# --- Barron's named cases -----------------------------------------------------------------
def _special_case(alpha: str) -> str:
    return f"""\
It is :func:`general_loss` with ``alpha = {alpha}`` (Barron's convention: the loss is
dimensionless, ``0.5 t**2`` for small ``t = r / scale``)."""


CAUCHY = named_case(
    "cauchy",
    0.0,
    Documentation(
        summary="Cauchy (Lorentzian) loss ``log(1 + (r / scale)**2 / 2)``: redescending, log tail.",
        body=_special_case("0"),
        weight_formula="``1 / (scale**2 (1 + t**2 / 2))``; ``1 / scale**2`` at 0",
        references=(BARRON,),
        see_also=("general_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import cauchy_loss
>>> cauchy_loss(np.asarray([0.0, 2.0]), np.zeros(2), reduction="none")  # log 3 at 2
array([0.        , 1.09861229])
>>> float(cauchy_loss(np.asarray([1.0]), np.zeros(1), scale=2.0))  # log(1 + 1/8)
0.1177830357""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import cauchy_loss_grad
>>> float(cauchy_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 2 / (1 + 2)
0.6666666667""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import CauchyLoss
>>> float(CauchyLoss(scale=2.0)(np.asarray([1.0]), np.zeros(1)))
0.1177830357""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import cauchy
>>> cauchy(np.asarray([0.0, 2.0]))
array([1.        , 0.33333333])""",
    ),
    "CauchyLoss",
)
GEMAN_MCCLURE = named_case(
    "geman_mcclure",
    -2.0,
    Documentation(
        summary="Geman-McClure loss ``2 t**2 / (t**2 + 4)``, ``t = r / scale``: bounded by 2.",
        body=_special_case("-2"),
        weight_formula="``16 / (scale**2 (t**2 + 4)**2)``; ``1 / scale**2`` at 0",
        references=(BARRON,),
        see_also=("general_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import geman_mcclure_loss
>>> geman_mcclure_loss(np.asarray([0.0, 0.5, 2.0]), np.zeros(3), reduction="none")
array([0.        , 0.11764706, 1.        ])""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import geman_mcclure_loss_grad
>>> float(geman_mcclure_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 16 t / (t**2 + 4)**2
0.5""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import GemanMcClureLoss
>>> float(GemanMcClureLoss()(np.asarray([2.0]), np.zeros(1)))
1.0""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import geman_mcclure
>>> geman_mcclure(np.asarray([0.0, 2.0]))  # 16 / 64
array([1.  , 0.25])""",
    ),
    "GemanMcClureLoss",
)
WELSCH = named_case(
    "welsch",
    -math.inf,
    Documentation(
        summary=(
            "Welsch (Leclerc) loss ``1 - exp(-(r / scale)**2 / 2)``: bounded, redescending fast."
        ),
        body=_special_case("-inf"),
        weight_formula="``exp(-t**2 / 2) / scale**2``; ``1 / scale**2`` at 0",
        references=(BARRON,),
        see_also=("general_loss",),
        examples="""\
>>> import numpy as np
>>> from robustloss import welsch_loss
>>> float(welsch_loss(np.asarray([2.0]), np.zeros(1)))  # 1 - exp(-2)
0.8646647168""",
        grad_examples="""\
>>> import numpy as np
>>> from robustloss import welsch_loss_grad
>>> float(welsch_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 2 exp(-2)
0.2706705665""",
        object_examples="""\
>>> import numpy as np
>>> from robustloss import WelschLoss
>>> float(WelschLoss()(np.asarray([2.0]), np.zeros(1)))
0.8646647168""",
        weight_examples="""\
>>> import numpy as np
>>> from robustloss.weights import welsch
>>> welsch(np.asarray([0.0, 2.0]))  # exp(-2)
array([1.        , 0.13533528])""",
    ),
    "WelschLoss",
)
