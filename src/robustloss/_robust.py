"""Functional API of the smooth and redescending losses.

Log-cosh, pseudo-Huber, Tukey, Cauchy, Welsch, Geman-McClure and Barron's general loss.

Which one to use, by the shape of the influence function ``psi`` (how much a residual
pulls on the fit):

* convex, ``psi`` bounded: :func:`log_cosh_loss`, :func:`pseudo_huber_loss` (smooth
  versions of Huber's loss): a unique minimum, outliers pull with a bounded force;
* redescending, ``psi -> 0`` for large residuals: :func:`tukey_loss` (exactly 0 beyond
  ``c``), :func:`cauchy_loss`, :func:`geman_mcclure_loss`, :func:`welsch_loss` (in
  decreasing order of tail weight): gross outliers are ignored, but the loss is not convex,
  so start from a good fit (a Huber fit, say);
* :func:`general_loss` spans all of them with one shape parameter ``alpha``, which can be
  learned.
"""

from __future__ import annotations

from typing import Any

from ._definitions import LossDefinition
from ._engine import evaluate
from ._family import LOG_COSH, PSEUDO_HUBER, TUKEY
from ._functional import _docstring, _grad_doc
from ._general import CAUCHY, GEMAN_MCCLURE, GENERAL, WELSCH
from ._typing import Array, Namespace, Reduction

__all__ = [
    "cauchy_loss",
    "cauchy_loss_grad",
    "geman_mcclure_loss",
    "geman_mcclure_loss_grad",
    "general_loss",
    "general_loss_grad",
    "log_cosh_loss",
    "log_cosh_loss_grad",
    "pseudo_huber_loss",
    "pseudo_huber_loss_grad",
    "tukey_loss",
    "tukey_loss_grad",
    "welsch_loss",
    "welsch_loss_grad",
]


def _run(
    definition: LossDefinition,
    input: Array,
    target: Array,
    reduction: object,
    weight: object,
    xp: Namespace | None,
    derivative: bool,
    **params: Any,
) -> Array:
    return evaluate(
        definition,
        input,
        target,
        reduction=reduction,
        weight=weight,
        xp=xp,
        params=params,
        derivative=derivative,
    )


_SCALE = """\
scale : float, default: 1.0
        Residuals are measured in units of `scale` (``t = r / scale``); finite and > 0."""


# --- log-cosh ----------------------------------------------------------------------------
@_docstring(
    """Log-cosh loss ``log(cosh(input - target))``: quadratic near 0, linear far out.

    A smooth, convex, everywhere twice-differentiable Huber-like loss with ``psi = tanh``.
    Computed to within 2 ulp in float32 and float64 for every finite residual: the
    obvious form overflows beyond ~89 (float32) and the forms of Keras and optax
    (``|r| + softplus(-2|r|) - log 2``) return 0 for residuals below ~1e-4 in float32.

    Parameters
    ----------
    {shared}
    {reduction}
    {tail}

    {returns}

    {raises}

    See Also
    --------
    pseudo_huber_loss, huber_loss, log_cosh_loss_grad

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import log_cosh_loss
    >>> x = np.asarray([0.0, 2.0, -2.0])
    >>> float(log_cosh_loss(x, np.zeros(3), reduction="sum"))  # 2 log(cosh 2)
    2.6500054947
    >>> small = np.asarray([1e-4], dtype=np.float32)
    >>> log_cosh_loss(small, np.zeros(1, dtype=np.float32), reduction="none")
    array([5.e-09], dtype=float32)
    """
)
def log_cosh_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(LOG_COSH, input, target, reduction, weight, xp, False)


@_docstring(
    _grad_doc("log_cosh_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import log_cosh_loss_grad
    >>> log_cosh_loss_grad(np.asarray([0.0, 2.0]), np.zeros(2), reduction="none")
    array([0.        , 0.96402758])
    """
)
def log_cosh_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(LOG_COSH, input, target, reduction, weight, xp, True)


# --- pseudo-Huber ------------------------------------------------------------------------
@_docstring(
    """Pseudo-Huber loss ``delta**2 * (sqrt(1 + (r / delta)**2) - 1)``, r = input - target.

    A smooth, convex approximation of :func:`huber_loss` (0.5 r**2 near 0, slope ``delta``
    far out), equal to ``scipy.special.pseudo_huber(delta, r)``. Accurate for tiny
    ``r / delta`` (no ``sqrt(1 + x) - 1`` cancellation) and free of overflow for huge r.

    Parameters
    ----------
    {shared}
    {reduction}
    delta : float, default: 1.0
        Scale of the transition and slope of the linear part; finite and > 0.
    {tail}

    {returns}

    {raises}

    See Also
    --------
    huber_loss, log_cosh_loss, pseudo_huber_loss_grad

    References
    ----------
    P. Charbonnier, L. Blanc-Feraud, G. Aubert, M. Barlaud, "Two deterministic
    half-quadratic regularization algorithms for computed imaging", ICIP 1994.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import pseudo_huber_loss
    >>> x = np.asarray([0.0, 1.0, 3.0])
    >>> pseudo_huber_loss(x, np.zeros(3), reduction="none")  # 0, sqrt(2) - 1, sqrt(10) - 1
    array([0.        , 0.41421356, 2.16227766])
    >>> float(pseudo_huber_loss(x, np.zeros(3)))
    0.8588304075
    """
)
def pseudo_huber_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(PSEUDO_HUBER, input, target, reduction, weight, xp, False, delta=delta)


@_docstring(
    _grad_doc("pseudo_huber_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import pseudo_huber_loss_grad
    >>> r = np.asarray([0.0, 1.0, 3.0])
    >>> pseudo_huber_loss_grad(r, np.zeros(3), reduction="none")  # r / sqrt(1 + r**2)
    array([0.        , 0.70710678, 0.9486833 ])
    """
)
def pseudo_huber_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(PSEUDO_HUBER, input, target, reduction, weight, xp, True, delta=delta)


# --- Tukey -------------------------------------------------------------------------------
@_docstring(
    """Tukey's biweight loss: redescending, constant beyond ``c``.

    With ``r = input - target``::

        tukey(r) = c**2 / 6 * (1 - (1 - (r / c)**2)**3)   if |r| <= c
                   c**2 / 6                               otherwise

    equal to ``statsmodels.robust.norms.TukeyBiweight(c).rho``. Residuals beyond ``c``
    have no influence at all (``psi = 0``); the default ``c = 4.685`` gives 95%
    efficiency at the normal distribution (for residuals in units of their scale).
    Accurate for tiny residuals, where ``1 - (1 - v)**3`` cancels.

    Parameters
    ----------
    {shared}
    {reduction}
    c : float, default: 4.685
        Rejection point; finite and > 0.
    {tail}

    {returns}

    {raises}

    See Also
    --------
    huber_loss, cauchy_loss, tukey_loss_grad, robustloss.weights.tukey

    References
    ----------
    A. E. Beaton, J. W. Tukey, "The Fitting of Power Series, Meaning Polynomials,
    Illustrated on Band-Spectroscopic Data", Technometrics 16(2), 1974.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import tukey_loss
    >>> r = np.asarray([0.0, 1.0, 10.0])
    >>> tukey_loss(r, np.zeros(3), reduction="none")
    array([0.        , 0.4775661 , 3.65820417])
    """
)
def tukey_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float = 4.685,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(TUKEY, input, target, reduction, weight, xp, False, c=c)


@_docstring(
    _grad_doc("tukey_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import tukey_loss_grad
    >>> r = np.asarray([0.0, 1.0, 2.0, 10.0])
    >>> tukey_loss_grad(r, np.zeros(4), reduction="none")  # r (1 - (r / c)**2)**2
    array([0.        , 0.9109563 , 1.33746682, 0.        ])
    """
)
def tukey_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    c: float = 4.685,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(TUKEY, input, target, reduction, weight, xp, True, c=c)


# --- Cauchy, Welsch, Geman-McClure --------------------------------------------------------
_SPECIAL_CASE = """

    It is :func:`general_loss` with ``alpha = {alpha}`` (Barron's convention: the loss is
    dimensionless, ``0.5 t**2`` for small ``t = r / scale``).

    Parameters
    ----------
    {{shared}}
    {{reduction}}
    {scale}
    {{tail}}

    {{returns}}

    {{raises}}

    See Also
    --------
    general_loss, {name}_grad

    References
    ----------
    J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.
"""


@_docstring(
    """Cauchy (Lorentzian) loss ``log(1 + (r / scale)**2 / 2)``: redescending, log tail."""
    + _SPECIAL_CASE.format(alpha="0", scale=_SCALE, name="cauchy_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import cauchy_loss
    >>> cauchy_loss(np.asarray([0.0, 2.0]), np.zeros(2), reduction="none")  # log 3 at 2
    array([0.        , 1.09861229])
    >>> float(cauchy_loss(np.asarray([1.0]), np.zeros(1), scale=2.0))  # log(1 + 1/8)
    0.1177830357
    """
)
def cauchy_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(CAUCHY, input, target, reduction, weight, xp, False, scale=scale)


@_docstring(
    _grad_doc("cauchy_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import cauchy_loss_grad
    >>> float(cauchy_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 2 / (1 + 2)
    0.6666666667
    """
)
def cauchy_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(CAUCHY, input, target, reduction, weight, xp, True, scale=scale)


@_docstring(
    """Welsch (Leclerc) loss ``1 - exp(-(r / scale)**2 / 2)``: bounded, redescending fast."""
    + _SPECIAL_CASE.format(alpha="-inf", scale=_SCALE, name="welsch_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import welsch_loss
    >>> float(welsch_loss(np.asarray([2.0]), np.zeros(1)))  # 1 - exp(-2)
    0.8646647168
    """
)
def welsch_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(WELSCH, input, target, reduction, weight, xp, False, scale=scale)


@_docstring(
    _grad_doc("welsch_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import welsch_loss_grad
    >>> float(welsch_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 2 exp(-2)
    0.2706705665
    """
)
def welsch_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(WELSCH, input, target, reduction, weight, xp, True, scale=scale)


@_docstring(
    """Geman-McClure loss ``2 t**2 / (t**2 + 4)``, ``t = r / scale``: bounded by 2."""
    + _SPECIAL_CASE.format(alpha="-2", scale=_SCALE, name="geman_mcclure_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import geman_mcclure_loss
    >>> geman_mcclure_loss(np.asarray([0.0, 0.5, 2.0]), np.zeros(3), reduction="none")
    array([0.        , 0.11764706, 1.        ])
    """
)
def geman_mcclure_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(GEMAN_MCCLURE, input, target, reduction, weight, xp, False, scale=scale)


@_docstring(
    _grad_doc("geman_mcclure_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import geman_mcclure_loss_grad
    >>> float(geman_mcclure_loss_grad(np.asarray([2.0]), np.zeros(1))[0])  # 16 t / (t**2 + 4)**2
    0.5
    """
)
def geman_mcclure_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    scale: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(GEMAN_MCCLURE, input, target, reduction, weight, xp, True, scale=scale)


# --- Barron's general loss ---------------------------------------------------------------
@_docstring(
    """Barron's general and adaptive robust loss, with shape parameter `alpha`.

    With ``t = (input - target) / scale`` and ``b = |alpha - 2|``::

        general(t) = b / alpha * ((t**2 / b + 1) ** (alpha / 2) - 1)

    and its limits: ``0.5 t**2`` (alpha = 2), pseudo-Huber ``sqrt(t**2 + 1) - 1``
    (alpha = 1), Cauchy (0), Geman-McClure (-2), Welsch (-inf) and ``exp(t**2 / 2) - 1``
    (+inf). Lower `alpha` means heavier tails are ignored: convex for alpha >= 1,
    redescending for alpha < 1.

    Python-float alphas 2, 1, 0, -2 and +-inf use the closed forms. Everywhere else the
    loss is computed as ``(b / 2) L exprel(alpha L / 2)`` with ``L = log1p(t**2 / b)``,
    which has no ``0 / 0`` at alpha = 0: the value and its derivative with respect to
    `alpha` are exact there, with no epsilon (Barron's reference code shifts alpha by one,
    which biases the value and its derivative near 0). At alpha = 2 the derivative with
    respect to alpha is unbounded (it grows like ``log|alpha - 2|``); autograd returns 0
    for an array alpha equal to 2 or +-inf.

    Parameters
    ----------
    {shared}
    alpha : float or array
        Shape parameter, any real or +-inf (not NaN). An array must broadcast to `input`
        and come from the same library (a learned per-channel alpha, say); it is cast to
        the working dtype, keeps its autograd graph, and its values are not checked.
    {scale}
    {reduction}
    {tail}

    {returns}

    {raises}

    See Also
    --------
    cauchy_loss, geman_mcclure_loss, welsch_loss, pseudo_huber_loss, general_loss_grad

    References
    ----------
    J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import general_loss
    >>> r, zero = np.asarray([2.0]), np.zeros(1)
    >>> [float(general_loss(r, zero, alpha)) for alpha in (2.0, 1.0, 0.0, -1.0)]
    [2.0, 1.2360679775, 1.0986122887, 1.0360389879]

    A per-element alpha:

    >>> general_loss(np.full(3, 2.0), np.zeros(3), np.asarray([2.0, 0.0, -np.inf]),
    ...              reduction="none")
    array([2.        , 1.09861229, 0.86466472])
    """.replace("{scale}", _SCALE)
)
def general_loss(
    input: Array,
    target: Array,
    alpha: float | Array,
    scale: float = 1.0,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(GENERAL, input, target, reduction, weight, xp, False, alpha=alpha, scale=scale)


@_docstring(
    _grad_doc("general_loss", " The derivative with respect to `alpha` is autograd's.")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import general_loss_grad
    >>> float(general_loss_grad(np.asarray([2.0]), np.zeros(1), 1.0)[0])  # t / sqrt(t**2 + 1)
    0.894427191
    """
)
def general_loss_grad(
    input: Array,
    target: Array,
    alpha: float | Array,
    scale: float = 1.0,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return _run(GENERAL, input, target, reduction, weight, xp, True, alpha=alpha, scale=scale)
