"""The table of losses: one row per loss, and every list the tests use derived from it.

A row names the loss's public faces (function, ``_grad`` function, object class and
``robustloss.weights`` function), its hyper-parameters with their defaults, the
hyper-parameter sets the tests run (those of the shipped reference file, one per special
path of the definition, and more), where it is not smooth or changes form, and what it is
(symmetric, bounded, convex, redescending). ``tests/test_registry.py`` checks the table
against the package, and its facts against the mpmath oracle.

Functions are looked up by name on the public ``robustloss`` package when a test calls
them (:func:`call`, :func:`weight`, :func:`make_object`), so that the ``xp`` fixture's
lazy forms (``jax.jit``, Dask without compute) are the ones called. robustloss is imported
there, not here: ``tests/reference/generate.py`` reads the table without importing it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mpmath

from support.formulas import FORMULAS

__all__ = [
    "BY_NAME",
    "CASES",
    "FAMILY",
    "NAMES",
    "TORCH_NATIVE",
    "Case",
    "bind",
    "bound",
    "call",
    "definition_names",
    "function",
    "kinks",
    "make_object",
    "param_id",
    "params",
    "paths",
    "reference_file",
    "registry_names",
    "transitions",
    "weight",
]

Params = dict[str, Any]
#: ``f(r, params)``: a function of an mpmath residual
Formula = Callable[[mpmath.mpf, Params], mpmath.mpf]


@dataclass(frozen=True)
class Case:
    """One loss of the package and what the tests need to know about it."""

    #: the loss's name (the key of the reference file's cases)
    name: str
    #: its loss-object class in ``robustloss``
    object: str
    #: hyper-parameter -> default; None: required, and passed positionally (general's alpha)
    parameters: dict[str, float | None]
    #: the hyper-parameter sets of the shipped reference file, in its order (changing
    #: them changes the file: ``tests/reference/generate.py``)
    reference: tuple[Params, ...]
    #: one set per special path of the definition (beta = 0 is L1; alpha = 0 and -inf are
    #: limits): what the strategy tests cross with every backend and dtype
    paths: tuple[Params, ...]
    #: further sets the tests run besides
    more: tuple[Params, ...] = ()
    #: the hyper-parameter in whose units a residual is measured (None: absolute)
    unit: str | None = None
    #: |r| / unit where rho is not infinitely differentiable (0 for L1)
    kink_points: tuple[float, ...] = ()
    #: |r| / unit where a definition changes branch or robustloss changes form
    transition_points: tuple[float, ...] = ()
    #: rho(-r) = rho(r)
    symmetric: bool = True
    #: rho is bounded, for every valid hyper-parameter
    bounded: bool = False
    #: rho is convex, for every valid hyper-parameter
    convex: bool = False
    #: psi(r) -> 0 as |r| -> inf, for every valid hyper-parameter
    redescending: bool = False
    #: sup of rho over r where it is bounded (None: unbounded for those parameters)
    sup: Callable[[Params], float | None] = field(default=lambda p: None, repr=False)
    #: the slope |psi| rises to in the linear tails and never exceeds (None: no linear tail)
    tail_slope: Callable[[Params], float | None] = field(default=lambda p: None, repr=False)
    #: this loss is the general loss at this alpha (with the same scale)
    alpha: float | None = None
    #: its function in ``torch.nn.functional`` (None: PyTorch has none)
    torch: str | None = None
    #: the textbook definition in mpmath, branch by branch: ``rho(r, params)`` and its
    #: derivative ``psi(r, params)`` (the oracle every expected value is computed from)
    mp_rho: Formula = field(default=lambda r, p: mpmath.nan, repr=False)
    mp_psi: Formula = field(default=lambda r, p: mpmath.nan, repr=False)
    #: d psi / d r, statsmodels' ``psi_deriv`` (0 where psi is a step)
    mp_psi_deriv: Formula = field(default=lambda r, p: mpmath.nan, repr=False)
    #: where the kinks and transitions are, for a loss whose hyper-parameters place them
    #: separately (Hampel's a, b, c; Ramsay's 1 / a): residuals (>= 0) of ``p``
    kinks_of: Callable[[Params], tuple[float, ...]] | None = field(default=None, repr=False)
    transitions_of: Callable[[Params], tuple[float, ...]] | None = field(default=None, repr=False)
    #: for a loss PyTorch lacks, its textbook definition in PyTorch: ``torch_rho(params)``
    #: is a function of a float64 tensor r, which ``torch.autograd`` differentiates (the
    #: independent check of mpmath's values, and of robustloss's autograd)
    torch_rho: Callable[[Params], Callable[[Any], Any]] | None = field(default=None, repr=False)

    @property
    def function(self) -> str:
        """Its public function in ``robustloss``."""
        return f"{self.name}_loss"

    @property
    def grad(self) -> str:
        """Its public gradient function in ``robustloss``."""
        return f"{self.name}_loss_grad"

    @property
    def weight(self) -> str:
        """Its IRLS weight function in ``robustloss.weights``."""
        return self.name

    @property
    def params(self) -> tuple[Params, ...]:
        """Every hyper-parameter set the tests run, each once: the reference file's first."""
        out: list[Params] = []
        for p in (*self.reference, *self.paths, *self.more):
            if p not in out:
                out.append(p)
        return tuple(out)


def _slope_one(p: Params) -> float:
    return 1.0


def _general_sup(p: Params) -> float | None:
    a = p["alpha"]
    if a >= 0:
        return None
    return 1.0 if a == -math.inf else abs(a - 2) / abs(a)


# --- the textbook definitions (DESIGN.md), branch by branch, in mpmath ----------------------
def _sign(r: mpmath.mpf) -> mpmath.mpf:
    return mpmath.mpf(1) if r > 0 else (mpmath.mpf(-1) if r < 0 else mpmath.mpf(0))


def _huber_rho(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    d = mpmath.mpf(p["delta"])
    return r * r / 2 if abs(r) <= d else d * (abs(r) - d / 2)


def _huber_psi(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    d = mpmath.mpf(p["delta"])
    return r if abs(r) <= d else d * _sign(r)


def _huber_psi_deriv(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    return mpmath.mpf(1 if abs(r) <= p["delta"] else 0)


def _smooth_l1_rho(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    b = mpmath.mpf(p["beta"])
    if b == 0:  # exactly L1
        return abs(r)
    if abs(r) <= b:
        return (r * r / 2) / b
    return (b * (abs(r) - b / 2)) / b


def _smooth_l1_psi(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    b = mpmath.mpf(p["beta"])
    if b == 0 or abs(r) > b:  # at r = 0 the derivative of |r| is sign(0) = 0, as in PyTorch
        return _sign(r)
    return r / b


def _smooth_l1_psi_deriv(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    b = mpmath.mpf(p["beta"])
    return mpmath.mpf(0) if b == 0 or abs(r) > b else 1 / b


def _tukey_rho(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    c = mpmath.mpf(p["c"])
    return c * c / 6 * (1 - (1 - (r / c) ** 2) ** 3) if abs(r) <= c else c * c / 6


def _tukey_psi(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    c = mpmath.mpf(p["c"])
    return r * (1 - (r / c) ** 2) ** 2 if abs(r) <= c else mpmath.mpf(0)


def _tukey_psi_deriv(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    c = mpmath.mpf(p["c"])
    u2 = (r / c) ** 2
    return (1 - u2) * (1 - 5 * u2) if abs(r) <= c else mpmath.mpf(0)


def _pseudo_huber_rho(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    d = mpmath.mpf(p["delta"])
    return d * d * (mpmath.sqrt(1 + (r / d) ** 2) - 1)


def _pseudo_huber_psi(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    d = mpmath.mpf(p["delta"])
    return r / mpmath.sqrt(1 + (r / d) ** 2)


def _pseudo_huber_psi_deriv(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    d = mpmath.mpf(p["delta"])
    return (1 + (r / d) ** 2) ** mpmath.mpf(-1.5)


def mp_general(t: mpmath.mpf, alpha: float) -> mpmath.mpf:
    """Barron's rho(t, alpha) and its limits, as printed in the paper."""
    x = t * t
    if alpha == 2:
        return x / 2
    if alpha == 0:
        return mpmath.log(x / 2 + 1)
    if alpha == -math.inf:
        return 1 - mpmath.exp(-x / 2)
    if alpha == math.inf:
        return mpmath.exp(x / 2) - 1
    a = mpmath.mpf(alpha)
    b = abs(a - 2)
    return b / a * ((x / b + 1) ** (a / 2) - 1)


def mp_general_slope(t: mpmath.mpf, alpha: float) -> mpmath.mpf:
    """d rho / dt = t (t**2 / |alpha - 2| + 1) ** (alpha / 2 - 1), and its limits."""
    x = t * t
    if alpha == 2:
        return t
    if alpha == -math.inf:
        return t * mpmath.exp(-x / 2)
    if alpha == math.inf:
        return t * mpmath.exp(x / 2)
    a = mpmath.mpf(alpha)
    return t * (x / abs(a - 2) + 1) ** (a / 2 - 1)


def mp_general_curvature(t: mpmath.mpf, alpha: float) -> mpmath.mpf:
    """d**2 rho / dt**2 = (x / b + 1) ** (alpha / 2 - 2) (1 + (alpha - 1) x / b), x = t**2."""
    x = t * t
    if alpha == 2:
        return mpmath.mpf(1)
    if alpha == -math.inf:
        return mpmath.exp(-x / 2) * (1 - x)
    if alpha == math.inf:
        return mpmath.exp(x / 2) * (1 + x)
    a = mpmath.mpf(alpha)
    b = abs(a - 2)
    return (x / b + 1) ** (a / 2 - 2) * (1 + (a - 1) * x / b)


def _barron_psi_deriv(alpha: float | None) -> Formula:
    def psi_deriv(r: mpmath.mpf, p: Params) -> mpmath.mpf:
        s = mpmath.mpf(p["scale"])
        return mp_general_curvature(r / s, p["alpha"] if alpha is None else alpha) / (s * s)

    return psi_deriv


def _barron(alpha: float | None) -> tuple[Formula, Formula]:
    """rho and psi of the general loss in r, at `alpha` (None: the parameter ``alpha``)."""

    def rho(r: mpmath.mpf, p: Params) -> mpmath.mpf:
        s = mpmath.mpf(p["scale"])
        return mp_general(r / s, p["alpha"] if alpha is None else alpha)

    def psi(r: mpmath.mpf, p: Params) -> mpmath.mpf:
        s = mpmath.mpf(p["scale"])
        return mp_general_slope(r / s, p["alpha"] if alpha is None else alpha) / s

    return rho, psi


# --- the family's textbook definitions in PyTorch (torch is imported when one is asked for)
def _torch_log_cosh(p: Params) -> Callable[[Any], Any]:
    import torch.nn.functional as F

    # cosh overflows at |r| = 1000: the softplus form
    return lambda r: r.abs() + F.softplus(-2 * r.abs()) - math.log(2.0)


def _torch_pseudo_huber(p: Params) -> Callable[[Any], Any]:
    import torch

    d = p["delta"]
    return lambda r: d * d * (torch.sqrt(1 + (r / d) ** 2) - 1)


def _torch_tukey(p: Params) -> Callable[[Any], Any]:
    import torch

    c = p["c"]
    return lambda r: torch.where(
        r.abs() <= c, c * c / 6 * (1 - (1 - (r / c) ** 2) ** 3), torch.full_like(r, c * c / 6)
    )


def _torch_barron(alpha: float | None) -> Callable[[Params], Callable[[Any], Any]]:
    def formula(p: Params) -> Callable[[Any], Any]:
        import torch

        s = p["scale"]
        a = p["alpha"] if alpha is None else alpha
        if a == 2:
            return lambda r: 0.5 * (r / s) ** 2
        if a == 0:
            return lambda r: torch.log(0.5 * (r / s) ** 2 + 1)
        if a == -math.inf:
            return lambda r: 1 - torch.exp(-0.5 * (r / s) ** 2)
        if a == math.inf:
            return lambda r: torch.exp(0.5 * (r / s) ** 2) - 1
        b = abs(a - 2)
        return lambda r: b / a * (((r / s) ** 2 / b + 1) ** (a / 2) - 1)

    return formula


def _row(name: str, object: str, parameters: dict[str, float | None], **facts: Any) -> Case:
    """A row whose textbook definitions are in :mod:`support.formulas`."""
    rho, psi, psi_deriv, torch_rho = FORMULAS[name]
    return Case(
        name,
        object,
        parameters,
        mp_rho=rho,
        mp_psi=psi,
        mp_psi_deriv=psi_deriv,
        torch_rho=torch_rho,
        **facts,
    )


CASES: tuple[Case, ...] = (
    Case(
        "huber",
        "HuberLoss",
        {"delta": 1.0},
        reference=({"delta": 1.0}, {"delta": 0.5}, {"delta": 2.5}),
        paths=({"delta": 0.7},),
        more=({"delta": 0.75}, {"delta": 1.5}, {"delta": 1.345}),
        unit="delta",
        kink_points=(1.0,),
        transition_points=(1.0,),
        convex=True,
        tail_slope=lambda p: p["delta"],
        torch="huber_loss",
        mp_rho=_huber_rho,
        mp_psi=_huber_psi,
        mp_psi_deriv=_huber_psi_deriv,
    ),
    Case(
        "smooth_l1",
        "SmoothL1Loss",
        {"beta": 1.0},
        reference=({"beta": 1.0}, {"beta": 0.5}, {"beta": 0.0}),
        paths=({"beta": 1.3}, {"beta": 0.0}),
        more=({"beta": 0.3},),
        unit="beta",
        kink_points=(1.0,),  # at beta = 0 that is r = 0: L1's kink
        transition_points=(1.0,),
        convex=True,
        tail_slope=_slope_one,
        torch="smooth_l1_loss",
        mp_rho=_smooth_l1_rho,
        mp_psi=_smooth_l1_psi,
        mp_psi_deriv=_smooth_l1_psi_deriv,
    ),
    Case(
        "l1",
        "L1Loss",
        {},
        reference=({},),
        paths=({},),
        kink_points=(0.0,),
        convex=True,
        tail_slope=_slope_one,
        torch="l1_loss",
        mp_rho=lambda r, p: abs(r),
        mp_psi=lambda r, p: _sign(r),
        mp_psi_deriv=lambda r, p: mpmath.mpf(0),
    ),
    Case(
        "mse",
        "MSELoss",
        {},
        reference=({},),
        paths=({},),
        convex=True,
        torch="mse_loss",
        mp_rho=lambda r, p: r * r,
        mp_psi=lambda r, p: 2 * r,
        mp_psi_deriv=lambda r, p: mpmath.mpf(2),
    ),
    Case(
        "log_cosh",
        "LogCoshLoss",
        {},
        reference=({},),
        paths=({},),
        transition_points=(8.0,),  # where robustloss switches forms
        convex=True,
        tail_slope=_slope_one,
        mp_rho=lambda r, p: mpmath.log(mpmath.cosh(r)),
        mp_psi=lambda r, p: mpmath.tanh(r),
        mp_psi_deriv=lambda r, p: 1 / mpmath.cosh(r) ** 2,
        torch_rho=_torch_log_cosh,
    ),
    Case(
        "pseudo_huber",
        "PseudoHuberLoss",
        {"delta": 1.0},
        reference=({"delta": 1.0}, {"delta": 0.5}),
        paths=({"delta": 0.5},),
        more=({"delta": 0.75}, {"delta": 2.0}, {"delta": 0.3}),
        unit="delta",
        transition_points=(1.0,),
        convex=True,
        tail_slope=lambda p: p["delta"],
        mp_rho=_pseudo_huber_rho,
        mp_psi=_pseudo_huber_psi,
        mp_psi_deriv=_pseudo_huber_psi_deriv,
        torch_rho=_torch_pseudo_huber,
    ),
    Case(
        "tukey",
        "TukeyLoss",
        {"c": 4.685},
        reference=({"c": 4.685}, {"c": 1.5}),
        paths=({"c": 1.5},),
        more=({"c": 2.0},),
        unit="c",
        kink_points=(1.0,),
        transition_points=(1.0,),
        bounded=True,
        redescending=True,
        sup=lambda p: p["c"] ** 2 / 6,
        mp_rho=_tukey_rho,
        mp_psi=_tukey_psi,
        mp_psi_deriv=_tukey_psi_deriv,
        torch_rho=_torch_tukey,
    ),
    Case(
        "cauchy",
        "CauchyLoss",
        {"scale": 1.0},
        reference=({"scale": 1.0}, {"scale": 0.5}),
        paths=({"scale": 0.5},),
        more=({"scale": 0.75}, {"scale": 2.0}),
        unit="scale",
        transition_points=(1.0, 2.0),  # x = t**2 / 2 = 0.5, and t = 2
        redescending=True,
        alpha=0.0,
        mp_rho=_barron(0.0)[0],
        mp_psi=_barron(0.0)[1],
        mp_psi_deriv=_barron_psi_deriv(0.0),
        torch_rho=_torch_barron(0.0),
    ),
    Case(
        "welsch",
        "WelschLoss",
        {"scale": 1.0},
        reference=({"scale": 1.0},),
        paths=({"scale": 2.0},),
        more=({"scale": 0.75},),
        unit="scale",
        transition_points=(1.0, 2.0),
        bounded=True,
        redescending=True,
        sup=lambda p: 1.0,
        alpha=-math.inf,
        mp_rho=_barron(-math.inf)[0],
        mp_psi=_barron(-math.inf)[1],
        mp_psi_deriv=_barron_psi_deriv(-math.inf),
        torch_rho=_torch_barron(-math.inf),
    ),
    Case(
        "geman_mcclure",
        "GemanMcClureLoss",
        {"scale": 1.0},
        reference=({"scale": 2.0},),
        paths=({"scale": 1.0},),
        more=({"scale": 0.75}, {"scale": 3.0}),
        unit="scale",
        transition_points=(1.0, 2.0),
        bounded=True,
        redescending=True,
        sup=lambda p: 2.0,
        alpha=-2.0,
        mp_rho=_barron(-2.0)[0],
        mp_psi=_barron(-2.0)[1],
        mp_psi_deriv=_barron_psi_deriv(-2.0),
        torch_rho=_torch_barron(-2.0),
    ),
    Case(
        "general",
        "GeneralLoss",
        {"alpha": None, "scale": 1.0},
        reference=(
            {"alpha": 2.0, "scale": 1.0},
            {"alpha": 1.0, "scale": 1.0},
            {"alpha": 0.0, "scale": 1.0},
            {"alpha": -2.0, "scale": 1.0},
            {"alpha": -math.inf, "scale": 1.0},
            {"alpha": 0.5, "scale": 1.5},
            {"alpha": -3.5, "scale": 1.0},
            {"alpha": 4.0, "scale": 0.5},
        ),
        paths=(
            {"alpha": 0.5, "scale": 1.5},
            {"alpha": 0.0, "scale": 1.0},
            {"alpha": -math.inf, "scale": 1.0},
        ),
        more=(
            {"alpha": 0.0, "scale": 0.75},
            {"alpha": -5.0, "scale": 1.0},
            {"alpha": 0.5, "scale": 1.0},
            {"alpha": 0.5, "scale": 2.0},
            {"alpha": math.inf, "scale": 1.0},
            {"alpha": 0.25, "scale": 2.0},
        ),
        unit="scale",
        transition_points=(1.0, 2.0),
        # bounded for alpha < 0, convex for alpha >= 1, redescending for alpha < 1: not
        # for every alpha, so none of the flags
        sup=_general_sup,
        mp_rho=_barron(None)[0],
        mp_psi=_barron(None)[1],
        mp_psi_deriv=_barron_psi_deriv(None),
        torch_rho=_torch_barron(None),
    ),
    # --- the M-estimators of statsmodels, SciPy and scikit-learn (support/formulas.py) ---
    _row(
        "fair",
        "FairLoss",
        {"c": 1.3998},
        reference=({"c": 1.3998},),
        paths=({"c": 0.5},),
        more=({"c": 2.0},),
        unit="c",
        kink_points=(0.0,),  # |r|**3 / (3 c): the third derivative jumps at 0
        transition_points=(1.0,),  # where robustloss switches forms
        convex=True,
        tail_slope=lambda p: p["c"],
    ),
    _row(
        "arctan",
        "ArctanLoss",
        {"scale": 1.0},
        reference=({"scale": 1.0},),
        paths=({"scale": 0.5},),
        more=({"scale": 2.0},),
        unit="scale",
        transition_points=(1.0,),
        bounded=True,
        redescending=True,
        sup=lambda p: math.pi * p["scale"] ** 2 / 4,
    ),
    _row(
        "ramsay_e",
        "RamsayELoss",
        {"a": 0.3},
        reference=({"a": 0.3},),
        paths=({"a": 1.0},),
        more=({"a": 0.5},),
        kinks_of=lambda p: (0.0,),  # a |r|**3 / 3: the third derivative jumps at 0
        transitions_of=lambda p: (1.0 / p["a"],),  # the series ends at a |r| = 1
        bounded=True,
        redescending=True,
        sup=lambda p: 1.0 / p["a"] ** 2,
    ),
    _row(
        "hampel",
        "HampelLoss",
        {"a": 2.0, "b": 4.0, "c": 8.0},
        reference=({"a": 2.0, "b": 4.0, "c": 8.0},),
        paths=({"a": 1.0, "b": 2.0, "c": 4.0}, {"a": 1.5, "b": 3.0, "c": 3.0}),
        more=({"a": 0.5, "b": 0.5, "c": 2.0},),
        kinks_of=lambda p: (p["a"], p["b"], p["c"]),
        bounded=True,
        redescending=True,
        sup=lambda p: p["a"] * (p["b"] + p["c"] - p["a"]) / 2,
    ),
    _row(
        "andrews_wave",
        "AndrewsWaveLoss",
        {"a": 1.339},
        reference=({"a": 1.339},),
        paths=({"a": 1.0},),
        more=({"a": 2.5},),
        unit="a",
        kink_points=(math.pi,),
        transition_points=(math.pi,),
        bounded=True,
        redescending=True,
        sup=lambda p: 2 * p["a"] ** 2,
    ),
    _row(
        "tukey_quartic",
        "TukeyQuarticLoss",
        {"c": 3.61752},
        reference=({"c": 3.61752},),
        paths=({"c": 1.5},),
        more=({"c": 5.0},),
        unit="c",
        kink_points=(1.0,),
        transition_points=(1.0,),
        bounded=True,
        redescending=True,
        sup=lambda p: 4 * p["c"] ** 2 / 15,
    ),
    _row(
        "trimmed",
        "TrimmedLoss",
        {"c": 2.0},
        reference=({"c": 2.0},),
        paths=({"c": 1.0},),
        more=({"c": 3.0},),
        unit="c",
        kink_points=(1.0,),
        transition_points=(1.0,),
        bounded=True,
        redescending=True,
        sup=lambda p: p["c"] ** 2 / 2,
    ),
    _row(
        "quantile",
        "QuantileLoss",
        {"q": 0.5},
        reference=({"q": 0.5}, {"q": 0.9}),
        paths=({"q": 0.25},),
        more=({"q": 0.1}, {"q": 0.75}),
        kink_points=(0.0,),
        symmetric=False,
        convex=True,
        tail_slope=lambda p: max(p["q"], 1 - p["q"]),
    ),
    _row(
        "huber_quantile",
        "HuberQuantileLoss",
        {"q": 0.5, "delta": 1.0},
        reference=({"q": 0.75, "delta": 1.0},),
        paths=({"q": 0.25, "delta": 1.5},),
        more=({"q": 0.5, "delta": 0.5}, {"q": 0.9, "delta": 2.0}),
        unit="delta",
        kink_points=(0.0, 1.0),
        transition_points=(1.0,),
        symmetric=False,
        convex=True,
        tail_slope=lambda p: max(p["q"], 1 - p["q"]) * p["delta"],
    ),
    _row(
        "expectile",
        "ExpectileLoss",
        {"q": 0.5},
        reference=({"q": 0.75},),
        paths=({"q": 0.25},),
        more=({"q": 0.5}, {"q": 0.9}),
        kink_points=(0.0,),
        symmetric=False,
        convex=True,
    ),
    _row(
        "epsilon_insensitive",
        "EpsilonInsensitiveLoss",
        {"epsilon": 0.1},
        reference=({"epsilon": 0.5}, {"epsilon": 0.0}),
        paths=({"epsilon": 0.25}, {"epsilon": 0.0}),
        more=({"epsilon": 1.0},),
        unit="epsilon",
        kink_points=(1.0,),  # at epsilon = 0 that is r = 0: L1's kink
        transition_points=(1.0,),
        convex=True,
        tail_slope=_slope_one,
    ),
    _row(
        "squared_epsilon_insensitive",
        "SquaredEpsilonInsensitiveLoss",
        {"epsilon": 0.1},
        reference=({"epsilon": 0.5},),
        paths=({"epsilon": 0.25}, {"epsilon": 0.0}),
        more=({"epsilon": 1.0},),
        unit="epsilon",
        kink_points=(1.0,),
        transition_points=(1.0,),
        convex=True,
    ),
)

#: every loss of the package, by name
NAMES = tuple(case.name for case in CASES)
BY_NAME = {case.name: case for case in CASES}
#: the losses PyTorch has a function for (``torch.nn.functional``)
TORCH_NATIVE = tuple(case for case in CASES if case.torch is not None)
#: the losses PyTorch lacks: mpmath produces their reference values, PyTorch formulas check
FAMILY = tuple(case.name for case in CASES if case.torch is None)


def param_id(case: Case, p: Params) -> str:
    """A readable id: ``huber-delta0.5``, ``general-alpha-inf-scale1``, ``l1``."""
    return case.name + "".join(f"-{k}{v:g}" for k, v in p.items())


def params(cases: tuple[Case, ...] = CASES) -> list[Any]:
    """``pytest.param(case, p)`` for every hyper-parameter set of `cases`, with ids."""
    import pytest

    return [pytest.param(c, p, id=param_id(c, p)) for c in cases for p in c.params]


def paths(cases: tuple[Case, ...] = CASES) -> list[Any]:
    """``pytest.param(case, p)`` for one set per special path of each of `cases`."""
    import pytest

    return [pytest.param(c, p, id=param_id(c, p)) for c in cases for p in c.paths]


def kinks(case: Case, p: Params) -> list[float]:
    """Residuals (>= 0) where `case` with parameters `p` is not smooth."""
    if case.kinks_of is not None:
        return list(case.kinks_of(p))
    u = 1.0 if case.unit is None else p[case.unit]
    return [k * u for k in case.kink_points]


def transitions(case: Case, p: Params) -> list[float]:
    """Residuals (> 0) where a definition changes branch, or robustloss changes form."""
    if case.transitions_of is not None or case.kinks_of is not None:
        found = {*(case.transitions_of or (lambda p: ()))(p), *kinks(case, p)}
        return sorted(t for t in found if t > 0)
    u = 1.0 if case.unit is None else p[case.unit]
    return [t * u for t in case.transition_points if t * u > 0]


def bound(case: Case, p: Params) -> float | None:
    """sup of the loss over r where it is bounded (the redescending losses), else None."""
    return case.sup(p)


# --- calling a loss by its row ---------------------------------------------------------------
def _robustloss() -> Any:
    import robustloss
    import robustloss.weights

    return robustloss


def function(case: Case, kind: str = "loss") -> Callable[..., Any]:
    """The public function of `case`: ``kind`` is ``"loss"``, ``"grad"`` or ``"weight"``.

    Looked up at call time, so that the ``xp`` fixture's lazy form is the one returned.
    """
    rl = _robustloss()
    if kind == "weight":
        return getattr(rl.weights, case.weight)  # type: ignore[no-any-return]
    return getattr(rl, case.grad if kind == "grad" else case.function)  # type: ignore[no-any-return]


def _split(case: Case, p: Params) -> tuple[list[Any], Params]:
    """The required hyper-parameters (positional, in order) and the rest (keywords)."""
    required = [k for k, default in case.parameters.items() if default is None]
    return [p[k] for k in required], {k: v for k, v in p.items() if k not in required}


def call(case: Case, kind: str, input: Any, target: Any, p: Params, **kw: Any) -> Any:
    """``robustloss.<loss>(input, target, ...)`` (``kind="loss"``) or its ``_grad``
    (``kind="grad"``) with hyper-parameters `p` and keywords `kw` (reduction, weight, xp).
    """
    positional, keywords = _split(case, p)
    return function(case, kind)(input, target, *positional, **keywords, **kw)


def bind(case: Case, kind: str, p: Params) -> Callable[..., Any]:
    """``f(input, target, **kw)``: :func:`call` with the function looked up now (for code
    that must not look anything up, such as a function ``torch.compile`` traces)."""
    positional, keywords = _split(case, p)
    fn = function(case, kind)

    def bound(input: Any, target: Any, **kw: Any) -> Any:
        return fn(input, target, *positional, **keywords, **kw)

    return bound


def weight(case: Case, residual: Any, p: Params, **kw: Any) -> Any:
    """``robustloss.weights.<loss>(residual, ...)`` with hyper-parameters `p`."""
    positional, keywords = _split(case, p)
    return function(case, "weight")(residual, *positional, **keywords, **kw)


def make_object(case: Case, p: Params, **kw: Any) -> Any:
    """``robustloss.<Object>(...)`` with hyper-parameters `p` and keywords (reduction)."""
    positional, keywords = _split(case, p)
    return getattr(_robustloss(), case.object)(*positional, **keywords, **kw)


# --- what the package itself lists -----------------------------------------------------------
def registry_names() -> list[str]:
    """The losses of the package's registry of loss definitions (``robustloss._losses``)."""
    from robustloss._losses import LOSSES

    return list(LOSSES)


def definition_names() -> list[str]:
    """The names of every loss definition object in the modules of ``robustloss._losses``."""
    import importlib
    import pkgutil

    import robustloss._losses as losses

    found = []
    for info in pkgutil.iter_modules(losses.__path__):
        module = importlib.import_module(f"{losses.__name__}.{info.name}")
        found += [v.name for v in vars(module).values() if isinstance(v, losses.LossDefinition)]
    return list(dict.fromkeys(found))


def reference_file() -> dict[str, Any]:
    """The shipped reference file, parsed (cached by the package)."""
    from robustloss._cli.reference import load_reference

    return load_reference()
