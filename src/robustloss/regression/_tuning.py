"""Tuning constants from a Gaussian efficiency or a breakdown point, computed by quadrature.

The asymptotic efficiency of an M-estimator of location at the standard normal is
``E[Z psi(Z)]**2 / E[psi(Z)**2]`` (by Stein's identity ``E[psi'(Z)] = E[Z psi(Z)]``, which
holds where psi jumps too, as trimmed squares' does); the breakdown point of the
S-estimator with a bounded rho is ``E[rho(Z)] / rho(inf)``. Both expectations are computed
by Gauss-Legendre quadrature on panels split at the loss's kinks (:class:`Tuning`), in
float64 on NumPy, and the constant is found by bracketing and bisection.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from typing import Any

from .._engine import evaluate
from .._losses import LossDefinition
from .._typing import Namespace
from ._losses import resolve

__all__ = ["tuning_constant"]

#: the normal density is below 1e-36 beyond this: the integrals end there
_LIMIT = 13.0
#: the widest quadrature panel
_PANEL = 0.25
#: the tuning constants searched, as a geometric grid to bracket the solution
_GRID: tuple[float, ...] = tuple(float(10.0 ** (k / 16)) for k in range(-48, 49))


@functools.cache
def _legendre(n: int = 16) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Return the Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n)."""
    nodes, weights = [], []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            step = p1 / dp
            x -= step
            if abs(step) < 1e-16:
                break
        nodes.append(x)
        weights.append(2 / ((1 - x * x) * dp * dp))
    return tuple(nodes), tuple(weights)


def _numpy() -> Namespace:
    try:
        import array_api_compat.numpy as xp
    except ImportError as e:  # pragma: no cover - NumPy is everywhere the tests run
        raise ImportError("tuning_constant computes with NumPy; install numpy") from e
    return xp


def _expect(f: Callable[[Any], Any], kinks: tuple[float, ...], xp: Namespace) -> float:
    """Return ``E[f(Z)]`` for a standard normal Z, `f` smooth between the `kinks`."""
    cuts = sorted({0.0, _LIMIT, -_LIMIT, *(s * k for k in kinks for s in (1, -1) if k < _LIMIT)})
    t, w = _legendre()
    z, wz = [], []
    for a, b in itertools.pairwise(cuts):
        panels = max(1, math.ceil((b - a) / _PANEL))
        h = (b - a) / panels
        for j in range(panels):
            left = a + j * h
            z += [left + (ti + 1) * h / 2 for ti in t]
            wz += [
                wi * h / 2 * math.exp(-0.5 * (left + (ti + 1) * h / 2) ** 2)
                for ti, wi in zip(t, w, strict=True)
            ]
    values = f(xp.asarray(z, dtype=xp.float64))
    return float(xp.sum(values * xp.asarray(wz, dtype=xp.float64))) / math.sqrt(2 * math.pi)


def gaussian_efficiency(definition: LossDefinition, params: dict[str, float]) -> float:
    """Return the Gaussian efficiency of the M-estimator of location with this loss."""
    xp = _numpy()
    kinks = definition.tuning.kinks(params) if definition.tuning else ()

    def psi(z: Any) -> Any:
        return evaluate(definition, z, None, "none", None, xp, params, "psi")

    slope = _expect(lambda z: z * psi(z), kinks, xp)
    spread = _expect(lambda z: psi(z) ** 2, kinks, xp)
    return 0.0 if spread == 0 else slope**2 / spread


def breakdown_point(definition: LossDefinition, params: dict[str, float]) -> float:
    """Return ``E[rho(Z)] / rho(inf)``: the S-estimator's breakdown point (0 if unbounded)."""
    xp = _numpy()
    kinks = definition.tuning.kinks(params) if definition.tuning else ()

    def rho(z: Any) -> Any:
        return evaluate(definition, z, None, "none", None, xp, params, "rho")

    top = float(rho(xp.asarray([math.inf], dtype=xp.float64))[0])
    return 0.0 if top == math.inf else _expect(rho, kinks, xp) / top


def _with(definition: LossDefinition, params: dict[str, float], c: float) -> dict[str, float]:
    """`params` with the tuning constant set to `c` (and its proportional ones scaled)."""
    tuning = definition.tuning
    assert tuning is not None
    ratio = c / params[tuning.parameter]
    out = dict(params)
    out[tuning.parameter] = c
    for name in tuning.proportional:
        out[name] = params[name] * ratio
    return out


def tuning_constant(
    loss: object, efficiency: float | None = None, *, breakdown: float | None = None
) -> float:
    """Return the tuning constant that gives a loss a Gaussian efficiency or a breakdown point.

    The efficiency is the asymptotic efficiency at the normal distribution of the
    M-estimator of location (and of regression coefficients) relative to least squares,
    ``E[Z psi(Z)]**2 / E[psi(Z)**2]``; the breakdown point is that of the S-estimator with
    this rho, ``E[rho(Z)] / rho(inf)`` (losses with a bounded rho only). Both are computed
    by quadrature and solved for, not looked up, to about 1e-10.

    Parameters
    ----------
    loss : str or loss object
        A symmetric loss with a tuning constant: by name (its other hyper-parameters at
        their defaults) or as an object (its other hyper-parameters as set there, e.g.
        ``GeneralLoss(alpha=0.5)``). The constant is ``delta`` (Huber, pseudo-Huber),
        ``beta`` (Smooth L1), ``c`` (Tukey, Fair, Tukey's quartic, trimmed squares, and
        Hampel's, with ``a`` and ``b`` kept in proportion to it as statsmodels'
        ``Hampel`` does: ``a = c / 4``, ``b = c / 2`` at the defaults), ``scale``
        (Cauchy, Welsch, Geman-McClure, arctan, Barron's general loss), ``a`` (Ramsay's
        Ea, Andrews' wave) or ``epsilon`` (the epsilon-insensitive losses).
    efficiency : float, optional
        The Gaussian efficiency wanted, in (0, 1); 0.95 when neither it nor `breakdown`
        is given.
    breakdown : float, optional
        The breakdown point wanted, in (0, 0.5], for a loss with a bounded rho.

    Returns
    -------
    float
        The value of the tuning constant.

    Raises
    ------
    ValueError
        Where the loss has no tuning constant (L1, MSE, log-cosh, the asymmetric
        losses), where both or neither target is out of range, or where no value of the
        constant reaches it (the epsilon-insensitive loss is at most as efficient as L1).

    Examples
    --------
    >>> from robustloss.regression import tuning_constant
    >>> round(tuning_constant("huber"), 4)  # 95% efficiency: statsmodels' HuberT 1.345
    1.345
    >>> round(tuning_constant("tukey"), 4)  # statsmodels' TukeyBiweight 4.685
    4.6851
    >>> round(tuning_constant("tukey", breakdown=0.5), 4)  # the S-estimator's constant
    1.5476
    """
    definition, params = resolve(loss)
    if definition.tuning is None:
        why = "is asymmetric" if not definition.symmetric else "has no tuning constant"
        raise ValueError(
            f"{definition.name} {why}; tuning_constant needs a symmetric loss with one"
        )
    if any(not isinstance(v, float) for v in params.values()):
        raise ValueError("tuning_constant needs scalar hyper-parameters, not arrays")
    if efficiency is not None and breakdown is not None:
        raise ValueError("give efficiency or breakdown, not both")
    if breakdown is None:
        target = _fraction(0.95 if efficiency is None else efficiency, "efficiency", 1.0)
        return _solve(definition, params, gaussian_efficiency, target, "Gaussian efficiency")
    target = _fraction(breakdown, "breakdown", 0.5)
    if breakdown_point(definition, params) == 0:
        raise ValueError(
            f"{definition.name}'s rho is unbounded: a breakdown point needs a bounded rho"
        )
    return _solve(definition, params, breakdown_point, target, "breakdown point")


def _fraction(value: object, name: str, top: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not 0 < v <= top or (top == 1.0 and v == 1.0):
        upper = "< 1" if top == 1.0 else f"<= {top:g}"
        raise ValueError(f"{name} must be > 0 and {upper}, got {value!r}")
    return v


def _solve(
    definition: LossDefinition,
    params: dict[str, float],
    measure: Callable[[LossDefinition, dict[str, float]], float],
    target: float,
    what: str,
) -> float:
    """Bracket the constant on a geometric grid, then bisect to full precision."""

    def f(c: float) -> float:
        return measure(definition, _with(definition, params, c)) - target

    values = [f(c) for c in _GRID]
    for (a, fa), (b, fb) in itertools.pairwise(zip(_GRID, values, strict=True)):
        if fa == 0:
            return a
        if (fa < 0) != (fb < 0):
            for _ in range(100):
                mid = 0.5 * (a + b)
                if mid in (a, b):
                    break
                fm = f(mid)
                if (fm < 0) == (fa < 0):
                    a, fa = mid, fm
                else:
                    b = mid
            return 0.5 * (a + b)
    low, high = min(values) + target, max(values) + target
    raise ValueError(
        f"no {definition.tuning.parameter if definition.tuning else ''} gives {definition.name} "
        f"a {what} of {target:g}: it ranges over [{low:.4g}, {high:.4g}]"
    )
