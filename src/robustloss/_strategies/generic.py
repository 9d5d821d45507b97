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
    if p.library == "jax" and p.what == "value":
        # autodiff through psi and the hyper-parameters' analytic derivatives (also the
        # compiled path's, :mod:`.jax_jit`)
        from . import jax_autodiff

        return finish(p, jax_autodiff.rho(p.definition, p.input, p.target, p.values, p.xp))
    f = p.definition.elementwise(p.what)
    return finish(p, f(p.input - p.target, xp=p.xp, **p.values))
