"""The losses themselves: each one is its elementwise ``rho(r)`` and derivative ``psi(r)``.

Everything else (reductions, weights, dtypes, devices, the public faces) is shared. Each
function is branch-free Array API code: ``minimum`` and ``clip`` rather than ``where``
over two branches, so no branch is evaluated where it overflows and autograd never sees
an untaken branch.

Adding a loss means writing its ``rho`` and ``psi`` here, registering a
:class:`LossDefinition`, and one line in each public face.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ._typing import Array, Namespace
from ._validation import check_hyperparameter

__all__ = ["HUBER", "L1", "MSE", "SMOOTH_L1", "LossDefinition", "Parameter"]

Elementwise = Callable[..., Array]


@dataclass(frozen=True)
class Parameter:
    """A scalar hyper-parameter of a loss and its valid range."""

    name: str
    default: float
    minimum: float = 0.0
    #: whether ``minimum`` itself is valid
    closed: bool = False


@dataclass(frozen=True)
class LossDefinition:
    """One loss: ``rho(r, *, xp, **params)`` and ``psi(r, *, xp, **params) = rho'(r)``."""

    name: str
    rho: Elementwise
    psi: Elementwise
    parameters: tuple[Parameter, ...] = ()

    def validate(self, values: Mapping[str, object]) -> dict[str, float]:
        """Check hyper-parameter values and return them as floats (defaults filled in)."""
        unknown = set(values) - {p.name for p in self.parameters}
        if unknown:
            raise TypeError(f"{self.name} got unexpected parameter(s) {sorted(unknown)}")
        return {
            p.name: check_hyperparameter(
                p.name, values.get(p.name, p.default), minimum=p.minimum, closed=p.closed
            )
            for p in self.parameters
        }


# --- L1 ----------------------------------------------------------------------------------
def _l1_rho(r: Array, *, xp: Namespace) -> Array:
    # |r| written as r * sign(r): the same value, and autodiff then yields sign(r), which is
    # 0 at r = 0 on every backend (JAX differentiates abs at 0 as 1, PyTorch as 0).
    return r * xp.sign(r)


def _l1_psi(r: Array, *, xp: Namespace) -> Array:
    return xp.sign(r)


L1 = LossDefinition("l1", _l1_rho, _l1_psi)


# --- MSE ---------------------------------------------------------------------------------
def _mse_rho(r: Array, *, xp: Namespace) -> Array:
    return r * r


def _mse_psi(r: Array, *, xp: Namespace) -> Array:
    return 2.0 * r


MSE = LossDefinition("mse", _mse_rho, _mse_psi)


# --- Huber -------------------------------------------------------------------------------
def _huber_rho(r: Array, *, xp: Namespace, delta: float) -> Array:
    # 0.5 q^2 + delta (|r| - q) with q = min(|r|, delta): the quadratic part never sees a
    # large |r|, so nothing overflows before the (linear) result does.
    a = xp.abs(r)
    q = xp.minimum(a, delta)
    return 0.5 * (q * q) + delta * (a - q)


def _huber_psi(r: Array, *, xp: Namespace, delta: float) -> Array:
    return xp.clip(r, -delta, delta)


HUBER = LossDefinition("huber", _huber_rho, _huber_psi, (Parameter("delta", 1.0),))


# --- Smooth L1: huber(delta=beta) / beta, and exactly L1 at beta = 0 ----------------------
def _smooth_l1_rho(r: Array, *, xp: Namespace, beta: float) -> Array:
    if beta == 0.0:  # a hyper-parameter, not array data
        return _l1_rho(r, xp=xp)
    a = xp.abs(r)
    q = xp.minimum(a, beta)
    return (0.5 * (q * q)) / beta + (a - q)


def _smooth_l1_psi(r: Array, *, xp: Namespace, beta: float) -> Array:
    if beta == 0.0:
        return _l1_psi(r, xp=xp)
    return xp.clip(r, -beta, beta) / beta


SMOOTH_L1 = LossDefinition(
    "smooth_l1", _smooth_l1_rho, _smooth_l1_psi, (Parameter("beta", 1.0, closed=True),)
)
