"""Textbook definitions of the M-estimators beyond PyTorch's and Barron's families.

For each loss: ``rho``, ``psi = d rho / dr`` and ``psi' = d psi / dr`` in mpmath, branch by
branch as printed (statsmodels' norms, scikit-learn's and SciPy's losses), and ``rho`` in
PyTorch for ``torch.autograd``. All are functions of ``r = input - target``; the
asymmetric ones weigh ``z = -r = target - input`` by ``q`` where ``z >= 0``, as
statsmodels' ``MQuantileNorm`` and scikit-learn's pinball loss do. Each is one column of
a row of the cases table (:mod:`support.cases`); torch is imported when asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath

__all__ = ["FORMULAS"]

Params = dict[str, Any]
Formula = Callable[[mpmath.mpf, Params], mpmath.mpf]
TorchFormula = Callable[[Params], Callable[[Any], Any]]


def _mp(v: float) -> mpmath.mpf:
    return mpmath.mpf(v)


def _sign(r: mpmath.mpf) -> mpmath.mpf:
    return mpmath.mpf(1) if r > 0 else (mpmath.mpf(-1) if r < 0 else mpmath.mpf(0))


def _side(r: mpmath.mpf, p: Params) -> mpmath.mpf:
    """The weight of the side of r: 1 - q where r > 0 (z < 0), q elsewhere."""
    q = _mp(p["q"])
    return 1 - q if r > 0 else q


def _huber(r: mpmath.mpf, d: mpmath.mpf) -> mpmath.mpf:
    return r * r / 2 if abs(r) <= d else d * (abs(r) - d / 2)


# --- mpmath: rho, psi, psi' -------------------------------------------------------------------
def _quantile(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    q = _mp(p["q"])
    z = -r
    rho = max(q * z, (q - 1) * z)
    psi = (1 - q) if r > 0 else (-q if r < 0 else mpmath.mpf(0))
    return rho, psi, mpmath.mpf(0)


def _huber_quantile(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    d, s = _mp(p["delta"]), _side(r, p)
    inside = abs(r) <= d
    return s * _huber(r, d), s * (r if inside else d * _sign(r)), s if inside else 0


def _expectile(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    s = _side(r, p)
    return s * r * r, 2 * s * r, 2 * s


def _epsilon_insensitive(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    e = _mp(p["epsilon"])
    out = abs(r) > e
    return max(abs(r) - e, 0), _sign(r) if out else mpmath.mpf(0), mpmath.mpf(0)


def _squared_epsilon_insensitive(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    e = _mp(p["epsilon"])
    m = max(abs(r) - e, 0)
    return m * m, 2 * _sign(r) * m, mpmath.mpf(2) if abs(r) > e else mpmath.mpf(0)


def _hampel(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    a, b, c = (_mp(p[k]) for k in "abc")
    m = abs(r)
    top = a * (b + c - a) / 2
    if m <= a:
        return r * r / 2, r, mpmath.mpf(1)
    if m <= b:
        return a * m - a * a / 2, a * _sign(r), mpmath.mpf(0)
    if m <= c:
        return (
            top - a * (c - m) ** 2 / (2 * (c - b)),
            a * _sign(r) * (c - m) / (c - b),
            -a / (c - b),
        )
    return top, mpmath.mpf(0), mpmath.mpf(0)


def _andrews_wave(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    a = _mp(p["a"])
    if abs(r) <= a * mpmath.pi:
        return a * a * (1 - mpmath.cos(r / a)), a * mpmath.sin(r / a), mpmath.cos(r / a)
    return 2 * a * a, mpmath.mpf(0), mpmath.mpf(0)


def _ramsay_e(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    a = _mp(p["a"])
    y = a * abs(r)
    e = mpmath.exp(-y)
    return (1 - e * (1 + y)) / (a * a), r * e, e * (1 - y)


def _trimmed(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    c = _mp(p["c"])
    if abs(r) <= c:
        return r * r / 2, r, mpmath.mpf(1)
    return c * c / 2, mpmath.mpf(0), mpmath.mpf(0)


def _tukey_quartic(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    c = _mp(p["c"])
    if abs(r) > c:
        return 4 * c * c / 15, mpmath.mpf(0), mpmath.mpf(0)
    v = (r / c) ** 4
    return r * r / 2 * (1 - 2 * v / 3 + v * v / 5), r * (1 - v) ** 2, (1 - v) * (1 - 9 * v)


def _fair(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    c = _mp(p["c"])
    y = abs(r) / c
    return c * c * (y - mpmath.log1p(y)), r / (1 + y), 1 / (1 + y) ** 2


def _arctan(r: mpmath.mpf, p: Params) -> tuple[Any, Any, Any]:
    s = _mp(p["scale"])
    t4 = (r / s) ** 4
    return s * s / 2 * mpmath.atan((r / s) ** 2), r / (1 + t4), (1 - 3 * t4) / (1 + t4) ** 2


# --- PyTorch: rho ---------------------------------------------------------------------------
def _torch_side(r: Any, q: float) -> Any:
    import torch

    return torch.where(r > 0, torch.full_like(r, 1 - q), torch.full_like(r, q))


def _torch_quantile(p: Params) -> Callable[[Any], Any]:
    import torch.nn.functional as F

    q = p["q"]  # relu: derivative 0 at r = 0, as robustloss's psi
    return lambda r: (1 - q) * F.relu(r) + q * F.relu(-r)


def _torch_huber_quantile(p: Params) -> Callable[[Any], Any]:
    import torch.nn.functional as F

    # neuralforecast's HuberQLoss: q h(max(z, 0)) + (1 - q) h(max(-z, 0)), z = -r
    q, d = p["q"], p["delta"]

    def rho(r: Any) -> Any:
        zero = r * 0
        under, over = F.relu(-r), F.relu(r)
        h = F.huber_loss
        return q * h(under, zero, reduction="none", delta=d) + (1 - q) * h(
            over, zero, reduction="none", delta=d
        )

    return rho


def _torch_expectile(p: Params) -> Callable[[Any], Any]:
    return lambda r: _torch_side(r, p["q"]) * r * r


def _torch_epsilon_insensitive(p: Params) -> Callable[[Any], Any]:
    import torch.nn.functional as F

    return lambda r: F.relu(r.abs() - p["epsilon"])


def _torch_squared_epsilon_insensitive(p: Params) -> Callable[[Any], Any]:
    import torch.nn.functional as F

    return lambda r: F.relu(r.abs() - p["epsilon"]) ** 2


def _torch_hampel(p: Params) -> Callable[[Any], Any]:
    import torch

    a, b, c = p["a"], p["b"], p["c"]
    top = a * (b + c - a) / 2

    def rho(r: Any) -> Any:
        m = r.abs()
        third = top - a * (c - m) ** 2 / (2 * (c - b)) if c > b else m * 0 + top
        return torch.where(
            m <= a,
            r * r / 2,
            torch.where(m <= b, a * m - a * a / 2, torch.where(m <= c, third, m * 0 + top)),
        )

    return rho


def _torch_andrews_wave(p: Params) -> Callable[[Any], Any]:
    import torch

    a = p["a"]
    return lambda r: torch.where(
        r.abs() <= a * math.pi, a * a * (1 - torch.cos(r / a)), r * 0 + 2 * a * a
    )


def _torch_ramsay_e(p: Params) -> Callable[[Any], Any]:
    import torch

    a = p["a"]
    return lambda r: (1 - torch.exp(-a * r.abs()) * (1 + a * r.abs())) / a**2


def _torch_trimmed(p: Params) -> Callable[[Any], Any]:
    import torch

    c = p["c"]
    return lambda r: torch.where(r.abs() <= c, r * r / 2, r * 0 + c * c / 2)


def _torch_tukey_quartic(p: Params) -> Callable[[Any], Any]:
    import torch

    c = p["c"]

    def rho(r: Any) -> Any:
        v = (r / c) ** 4  # '<': at |r| = c the constant, whose derivative is exactly psi's 0
        return torch.where(
            r.abs() < c, r * r / 2 * (1 - 2 * v / 3 + v * v / 5), r * 0 + 4 * c * c / 15
        )

    return rho


def _torch_fair(p: Params) -> Callable[[Any], Any]:
    import torch

    c = p["c"]
    return lambda r: c * c * (r.abs() / c - torch.log1p(r.abs() / c))


def _torch_arctan(p: Params) -> Callable[[Any], Any]:
    import torch

    s = p["scale"]
    return lambda r: s * s / 2 * torch.atan((r / s) ** 2)


def _columns(f: Callable[[mpmath.mpf, Params], tuple[Any, Any, Any]]) -> tuple[Formula, ...]:
    return tuple((lambda r, p, k=k: mpmath.mpf(f(r, p)[k])) for k in range(3))  # type: ignore[return-value]


#: loss -> (mp_rho, mp_psi, mp_psi_deriv, torch_rho)
FORMULAS: dict[str, tuple[Formula, Formula, Formula, TorchFormula]] = {
    name: (*_columns(mp), torch)  # type: ignore[misc]
    for name, mp, torch in (
        ("quantile", _quantile, _torch_quantile),
        ("huber_quantile", _huber_quantile, _torch_huber_quantile),
        ("expectile", _expectile, _torch_expectile),
        ("epsilon_insensitive", _epsilon_insensitive, _torch_epsilon_insensitive),
        (
            "squared_epsilon_insensitive",
            _squared_epsilon_insensitive,
            _torch_squared_epsilon_insensitive,
        ),
        ("hampel", _hampel, _torch_hampel),
        ("andrews_wave", _andrews_wave, _torch_andrews_wave),
        ("ramsay_e", _ramsay_e, _torch_ramsay_e),
        ("trimmed", _trimmed, _torch_trimmed),
        ("tukey_quartic", _tukey_quartic, _torch_tukey_quartic),
        ("fair", _fair, _torch_fair),
        ("arctan", _arctan, _torch_arctan),
    )
}
