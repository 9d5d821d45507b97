"""What a loss is: its elementwise functions, its hyper-parameters and its documentation.

A :class:`LossDefinition` is the single place a loss is written. The engine evaluates
its ``rho``, ``psi`` and ``weight``; the checks validate its parameters (:class:`Parameter`); the
public faces (functions, gradients, objects, IRLS weights) take their names and their
docstrings from it (:mod:`robustloss._docs`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._typing import Array

__all__ = ["Documentation", "Elementwise", "LossDefinition", "Parameter", "Tuning"]

#: ``f(r, *, xp, **hyper_parameters)``: an elementwise function of the residual
Elementwise = Callable[..., Array]


@dataclass(frozen=True)
class Parameter:
    """A hyper-parameter of a loss: its default, its valid range and what it does."""

    name: str
    default: float
    #: what it does, one sentence without the range (the range is rendered from the bounds)
    doc: str
    minimum: float = 0.0
    #: whether ``minimum`` itself is valid
    closed: bool = False
    #: the largest valid value (``inf`` included only when set explicitly)
    maximum: float = math.inf
    #: whether a finite ``maximum`` itself is valid (a quantile ``q < 1``: not)
    maximum_closed: bool = False
    #: k where ``rho(r; c) = c**k f(r / c)`` with the other hyper-parameters fixed (a
    #: scale-like parameter): then ``d rho / d c = (k rho - r psi) / c``, the derivative
    #: :meth:`LossDefinition.param_grad` falls back on (None: not of that form)
    homogeneity: int | None = None
    #: ``d rho / d parameter`` as ``f(r, *, xp, **params)``, for a definition outside the
    #: registry's table of derivatives (:mod:`._derivatives`)
    derivative: Elementwise | None = None

    @property
    def range(self) -> str:
        """The valid range in words, as the docstrings and error messages say it."""
        if self.minimum == -math.inf and self.maximum == math.inf:
            return "any real or +-inf (not NaN)"
        bound = ">=" if self.closed else ">"
        below = "<=" if self.maximum_closed else "<"
        upper = "" if self.maximum == math.inf else f" and {below} {self.maximum:g}"
        return f"finite and {bound} {self.minimum:g}{upper}"


@dataclass(frozen=True)
class Documentation:
    """The facts the docstrings of a loss's faces are rendered from.

    Every text is reStructuredText, flush left; ``examples`` sections are doctests run by
    the test suite, each as it appears in the rendered docstring.
    """

    #: one line: what the loss is
    summary: str
    #: the formula and what to know about it (paragraphs)
    body: str
    #: the IRLS weight ``psi(r) / r`` as a formula, and its value at 0
    weight_formula: str
    references: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    #: a sentence the gradient's docstring adds (its value at a kink, say)
    grad_note: str = ""
    #: doctests of the function, its gradient, its object and its IRLS weight
    examples: str = ""
    grad_examples: str = ""
    object_examples: str = ""
    weight_examples: str = ""


@dataclass(frozen=True)
class Tuning:
    """Which hyper-parameter tunes a symmetric loss's robustness, and where its psi bends.

    ``robustloss.regression.tuning_constant`` solves for this parameter's value at a
    Gaussian efficiency or a breakdown point, by quadrature split at the kinks.
    """

    #: the tuning constant: the hyper-parameter solved for
    parameter: str
    #: the points where psi or its derivative jumps, from the hyper-parameters' values
    kinks: Callable[[Mapping[str, float]], tuple[float, ...]] = lambda p: ()
    #: hyper-parameters scaled with the tuning constant, keeping their proportions to it
    #: (Hampel's a and b, as statsmodels' ``Hampel`` derives them from c)
    proportional: tuple[str, ...] = ()


#: the families of losses, in the order the documentation lists them: a title and what
#: sets the family apart (each definition's ``family`` is one of the keys)
FAMILIES: dict[str, tuple[str, str]] = {
    "convex": (
        "Convex losses",
        "A unique minimum and an influence psi that is bounded (Huber, Smooth L1, L1, "
        "pseudo-Huber, log-cosh, Fair) or linear (MSE): outliers pull, with a bounded force.",
    ),
    "redescending": (
        "Redescending losses",
        "psi returns to 0 for large residuals, so gross outliers lose their influence; the "
        "loss is not convex, and a fit starts from a convex one.",
    ),
    "barron": (
        "Barron's general loss",
        "One shape parameter alpha moves continuously through the family: 2 is the squared "
        "loss, 1 pseudo-Huber, 0 Cauchy, -2 Geman-McClure, -inf Welsch.",
    ),
    "rejecting": (
        "Hard redescenders",
        "psi is exactly 0 beyond a rejection point: residuals there have no influence at all "
        "(statsmodels' Hampel, Andrews' wave, trimmed squares, Tukey's quartic).",
    ),
    "asymmetric": (
        "Quantile losses",
        "Under-prediction weighed by q and over-prediction by 1 - q: the fit predicts a "
        "quantile (or an expectile) of the target.",
    ),
    "insensitive": (
        "Epsilon-insensitive losses",
        "Residuals inside a tube of half-width epsilon cost nothing (support vector regression).",
    ),
}


@dataclass(frozen=True, eq=False)
class LossDefinition:
    """One loss: ``rho``, its derivatives ``psi`` and ``psi_deriv``, and ``psi(r) / r``.

    Each is called as ``f(r, *, xp, **params)`` with ``r = input - target``, so that
    ``psi`` is the derivative with respect to `input`; the weight is finite at r = 0 where
    the loss allows. The residual faces (:meth:`of_residual`: the IRLS weights and the
    loss objects' ``rho``, ``psi``, ``psi_deriv`` and ``weights``) take the statistician's
    residual ``target - input`` instead, as statsmodels' norms do; the two agree for every
    symmetric loss. Two definitions are equal only if they are the same object (the
    engine's caches key on it).
    """

    name: str
    rho: Elementwise
    psi: Elementwise
    weight: Elementwise
    parameters: tuple[Parameter, ...]
    docs: Documentation
    #: class name of the loss object (the function is ``{name}_loss``, its gradient
    #: ``{name}_loss_grad`` and its IRLS weight ``robustloss.weights.{name}``)
    object_name: str
    #: d psi / dr, statsmodels' ``psi_deriv`` (0 where psi is a step, as statsmodels has it)
    psi_deriv: Elementwise
    #: rho(-r) = rho(r); False for the asymmetric losses (quantile, expectile, ...)
    symmetric: bool = True
    #: what the hyper-parameters must satisfy together (Hampel's a <= b <= c): a function
    #: of their checked values, floats or arrays, that is true (elementwise for arrays)
    #: where they are valid, and what it requires in words
    constraint: Callable[[Mapping[str, Any]], Any] | None = None
    constraint_message: str = ""
    #: how the loss is tuned to a Gaussian efficiency (None: it has no tuning constant,
    #: or is asymmetric)
    tuning: Tuning | None = None
    #: where the loss stands in the family (a key of :data:`FAMILIES`): the documentation
    #: groups the losses by it
    family: str = "convex"

    @property
    def function_name(self) -> str:
        """Name of the public loss function."""
        return f"{self.name}_loss"

    def elementwise(self, what: str) -> Elementwise:
        """Return the function of ``r = input - target`` that computes `what`.

        ``rho`` for ``"value"`` and ``"rho"``, ``psi`` for ``"grad"`` and ``"psi"``,
        ``psi_deriv`` for ``"psi_deriv"``, the IRLS weight for ``"weight"``.
        """
        return getattr(self, _ELEMENTWISE[what])  # type: ignore[no-any-return]

    def of_residual(self, what: str) -> Elementwise:
        """Return the function of the residual ``z = target - input`` computing `what`.

        The same function for a symmetric loss; for an asymmetric one its mirror image:
        ``rho(-z)``, ``-psi(-z)`` (the derivative with respect to z), ``psi_deriv(-z)`` and
        ``weight(-z)``.
        """
        f = self.elementwise(what)
        if self.symmetric:
            return f
        if what in ("grad", "psi"):
            return lambda z, *, xp, **params: -f(-z, xp=xp, **params)
        return lambda z, *, xp, **params: f(-z, xp=xp, **params)

    def param_grad(self, name: str) -> Elementwise | None:
        """Return ``d rho / d name`` as ``f(r, *, xp, **params)``, or None.

        `r` is ``input - target`` and `params` are all the hyper-parameters, as ``rho``
        takes them (Python floats or arrays broadcasting to `r`); the result is elementwise,
        shaped like ``rho(r)``. The derivative is the analytic one, free of cancellation
        near r = 0 and in the tails (:mod:`._derivatives`); where a hyper-parameter is
        declared only by its ``homogeneity`` k, Euler's ``(k rho - r psi) / c``. None
        means: differentiate the composition of ``rho`` (no analytic form is known).
        Raises ValueError for a name that is not a hyper-parameter of the loss.
        """
        from ._derivatives import derivative, euler

        for parameter in self.parameters:
            if parameter.name != name:
                continue
            found = derivative(self.name, name)
            if found is not None:
                return found
            if parameter.derivative is not None:
                return parameter.derivative
            if parameter.homogeneity is not None:
                return euler(self.rho, self.psi, name, parameter.homogeneity)
            return None
        names = ", ".join(p.name for p in self.parameters) or "none"
        raise ValueError(f"{self.function_name} has no hyper-parameter {name!r} (it has: {names})")


_ELEMENTWISE = {
    "value": "rho",
    "rho": "rho",
    "grad": "psi",
    "psi": "psi",
    "psi_deriv": "psi_deriv",
    "weight": "weight",
}
