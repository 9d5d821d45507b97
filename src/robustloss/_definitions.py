"""The losses themselves: each one is its elementwise ``rho(r)`` and derivative ``psi(r)``.

Everything else (reductions, weights, dtypes, devices, the public faces) is shared. Each
function is branch-free Array API code: ``minimum`` and ``clip`` rather than ``where``
over two branches, so no branch is evaluated where it overflows and autograd never sees
an untaken branch.

Adding a loss means writing its ``rho`` and ``psi`` here, registering a
:class:`LossDefinition`, and one line in each public face.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._typing import Array, Namespace
from ._validation import check_hyperparameter, is_array

__all__ = [
    "HUBER",
    "L1",
    "MSE",
    "SMOOTH_L1",
    "LossDefinition",
    "Parameter",
    "capped",
    "constant",
    "divided",
]

Elementwise = Callable[..., Array]


@dataclass(frozen=True)
class Parameter:
    """A scalar hyper-parameter of a loss and its valid range."""

    name: str
    default: float
    minimum: float = 0.0
    #: whether ``minimum`` itself is valid
    closed: bool = False
    #: the largest valid value (``inf`` included only when set explicitly)
    maximum: float = math.inf
    #: whether an array broadcastable to the input is also accepted (its values are not
    #: checked: that would need the data on the host)
    array: bool = False


@dataclass(frozen=True)
class LossDefinition:
    """One loss: its ``rho``, its derivative ``psi`` and its IRLS weight ``psi(r) / r``.

    Each is called as ``f(r, *, xp, **params)``; the weight is finite at r = 0.
    """

    name: str
    rho: Elementwise
    psi: Elementwise
    weight: Elementwise
    parameters: tuple[Parameter, ...] = ()

    def validate(self, values: Mapping[str, object]) -> dict[str, Any]:
        """Check hyper-parameter values and return them (defaults filled in).

        Scalars come back as Python floats; arrays, where a parameter accepts them, come
        back unchanged and are checked against the input by the engine.
        """
        unknown = set(values) - {p.name for p in self.parameters}
        if unknown:
            raise TypeError(f"{self.name} got unexpected parameter(s) {sorted(unknown)}")
        out: dict[str, Any] = {}
        for p in self.parameters:
            value = values.get(p.name, p.default)
            if p.array and is_array(value):
                out[p.name] = value
            else:
                out[p.name] = check_hyperparameter(
                    p.name, value, minimum=p.minimum, closed=p.closed, maximum=p.maximum
                )
        return out

    def check_representable(self, values: Mapping[str, Any], xp: Namespace, dtype: Any) -> None:
        """Refuse a positive scale-like hyper-parameter that `dtype` cannot hold.

        ``delta``, ``c`` and ``scale`` below the smallest normal number of the working
        dtype would round to 0 (or, where subnormals are flushed, behave as 0): the loss
        would then be 0/0. Raised before any array work, like every other check; beta has
        its own rule (below the smallest normal, Smooth L1 is exactly L1).
        """
        tiny = float(xp.finfo(dtype).smallest_normal)
        for p in self.parameters:
            v = values.get(p.name)
            if isinstance(v, float) and p.minimum == 0 and not p.closed and 0 < v < tiny:
                raise ValueError(
                    f"{p.name}={v!r} is below the smallest normal number of {dtype} "
                    f"({tiny:g}), the dtype {self.name} is computed in"
                )


# --- L1 ----------------------------------------------------------------------------------
def _l1_rho(r: Array, *, xp: Namespace) -> Array:
    # |r| written as r * sign(r): the same value, and autodiff then yields sign(r), which is
    # 0 at r = 0 on every backend (JAX differentiates abs at 0 as 1, PyTorch as 0).
    return r * xp.sign(r)


def _l1_psi(r: Array, *, xp: Namespace) -> Array:
    return xp.sign(r)


def _l1_weight(r: Array, *, xp: Namespace) -> Array:
    # 1 / |r|, which is infinite at 0: capped at 1 / smallest normal (finite, and
    # weight * r is still psi = 0 there)
    tiny = float(xp.finfo(r.dtype).smallest_normal)
    return 1.0 / xp.maximum(xp.abs(r), constant(tiny, r, xp))


L1 = LossDefinition("l1", _l1_rho, _l1_psi, _l1_weight)


# --- MSE ---------------------------------------------------------------------------------
def _mse_rho(r: Array, *, xp: Namespace) -> Array:
    return r * r


def _mse_psi(r: Array, *, xp: Namespace) -> Array:
    return 2.0 * r


def _mse_weight(r: Array, *, xp: Namespace) -> Array:
    return xp.full_like(r, 2.0)


MSE = LossDefinition("mse", _mse_rho, _mse_psi, _mse_weight)


# --- Huber -------------------------------------------------------------------------------
def capped(value: float, r: Array, xp: Namespace, fraction: float = 1.0) -> float:
    """`value`, capped at the largest finite number of ``r.dtype``.

    A hyper-parameter beyond it (``delta=1e300`` on float32) would become inf when the
    library casts it (``inf * 0`` is NaN), or make it raise; no ``|r|`` of that dtype
    reaches the cap, so ``min(|r|, value)`` and ``clip(r, -value, value)`` are unchanged.
    """
    return min(value, fraction * float(xp.finfo(r.dtype).max))


def constant(value: float, like: Array, xp: Namespace) -> Array:
    """`value` as a 0-d array of ``like.dtype``, for ``minimum``, ``maximum`` and ``hypot``.

    array_api_compat converts a Python scalar there with ``torch.result_type``, which
    TorchDynamo cannot trace (``torch.compile(fullgraph=True)`` failed); two arrays of
    one dtype need no promotion.
    """
    return xp.asarray(value, dtype=like.dtype)


def divided(x: Array, value: float, xp: Namespace) -> Array:
    """``x / value`` in ``x.dtype``, also for a `value` beyond its largest number.

    Such a value would become inf there; it divides in two steps through the largest
    number instead (``x / max * (max / value)``), and an infinite `x` stays infinite
    (``inf * 0`` would be NaN). A value within the range divides as usual.
    """
    b = capped(value, x, xp)
    if b == value:
        return x / value
    return xp.where(xp.isinf(x), x, (x / b) * (b / value))


def _huber_rho(r: Array, *, xp: Namespace, delta: float) -> Array:
    # q (|r| - q / 2) with q = min(|r|, delta): 0.5 r^2 where |r| <= delta, and there
    # delta (|r| - delta / 2) otherwise. The quadratic part never sees a large |r|, so
    # nothing overflows before the (linear) result does.
    a = xp.abs(r)
    q = xp.minimum(a, constant(capped(delta, r, xp), r, xp))
    return q * (a - 0.5 * q)


def _huber_psi(r: Array, *, xp: Namespace, delta: float) -> Array:
    d = capped(delta, r, xp)
    return xp.clip(r, -d, d)


def _huber_weight(r: Array, *, xp: Namespace, delta: float) -> Array:
    d = capped(delta, r, xp)
    return d / xp.maximum(xp.abs(r), constant(d, r, xp))


HUBER = LossDefinition("huber", _huber_rho, _huber_psi, _huber_weight, (Parameter("delta", 1.0),))


# --- Smooth L1: huber(delta=beta) / beta, and exactly L1 at beta = 0 ----------------------
def _is_l1(beta: float, r: Array, xp: Namespace) -> bool:
    # beta = 0, or a beta below the smallest normal number of r's dtype: it may be flushed
    # or rounded to 0 when cast (0 / 0), and differs from L1 by less than beta / 2 anyway.
    return beta < float(xp.finfo(r.dtype).smallest_normal)  # a hyper-parameter, not data


def _smooth_l1_rho(r: Array, *, xp: Namespace, beta: float) -> Array:
    if _is_l1(beta, r, xp):
        return _l1_rho(r, xp=xp)
    a = xp.abs(r)
    if capped(beta, r, xp) < beta:  # beyond the dtype: no |r| but inf reaches beta
        return divided(a, beta, xp) * (0.5 * a)
    q = xp.minimum(a, constant(beta, r, xp))
    # (q / beta) (|r| - q / 2): q / beta <= 1, so nothing overflows for a large beta
    return (q / beta) * (a - 0.5 * q)


def _smooth_l1_psi(r: Array, *, xp: Namespace, beta: float) -> Array:
    if _is_l1(beta, r, xp):
        return _l1_psi(r, xp=xp)
    if capped(beta, r, xp) < beta:  # r / beta, and the slope 1 of the linear part at inf
        return xp.where(xp.isinf(r), xp.sign(r), divided(r, beta, xp))
    return xp.clip(r, -beta, beta) / beta


def _smooth_l1_weight(r: Array, *, xp: Namespace, beta: float) -> Array:
    if _is_l1(beta, r, xp):
        return _l1_weight(r, xp=xp)
    b = capped(beta, r, xp)
    if b < beta:  # beyond the dtype: |r| / beta < 1 everywhere, so 1 / beta (0 at inf)
        return divided(b / xp.maximum(xp.abs(r), constant(b, r, xp)), beta, xp)
    # 1 / max(|r|, beta) at once: (beta / max) / beta underflowed where the value does not
    # (0 instead of 1e-20 at r = 1e20, beta = 1e-30, float32)
    return 1.0 / xp.maximum(xp.abs(r), constant(beta, r, xp))


SMOOTH_L1 = LossDefinition(
    "smooth_l1",
    _smooth_l1_rho,
    _smooth_l1_psi,
    _smooth_l1_weight,
    (Parameter("beta", 1.0, closed=True),),
)
