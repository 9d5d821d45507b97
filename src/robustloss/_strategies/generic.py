"""The plain Array API composition: the reference every other strategy is tested against."""

from __future__ import annotations

from .._checks import Prepared
from .._reduction import finish
from .._typing import Array

__all__ = ["compute"]


def compute(p: Prepared) -> Array:
    """Compute ``rho`` or ``psi`` of ``input - target``, weighted and reduced.

    Or, where ``target`` is None, a function of the residual: the IRLS weight, or the
    norm's rho, psi and psi'.
    """
    if p.target is None:
        f = p.definition.of_residual(p.what)
        return finish(p, f(p.input, xp=p.xp, **p.values))
    f = p.definition.elementwise(p.what)
    return finish(p, f(p.input - p.target, xp=p.xp, **p.values))
