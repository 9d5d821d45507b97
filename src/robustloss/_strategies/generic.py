"""The plain Array API composition: the reference every other strategy is tested against."""

from __future__ import annotations

from .._checks import Prepared
from .._reduction import finish
from .._typing import Array

__all__ = ["compute"]


def compute(p: Prepared) -> Array:
    """``rho``, ``psi`` or the IRLS weight of the residuals, weighted and reduced."""
    r = p.input if p.target is None else p.input - p.target
    return finish(p, p.definition.elementwise(p.what)(r, xp=p.xp, **p.values))
