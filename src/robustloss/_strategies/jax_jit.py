"""JAX: the generic code under a cached ``jax.jit``, from 512 elements up.

One compiled function per loss, what is computed, reduction, hyper-parameters and
weight-or-not, each compiled once per shape and dtype by ``jax.jit`` itself; XLA fuses it
into one kernel. Inside a caller's own ``jit`` or ``grad`` it is simply inlined.

Eager, the composition dispatches one ``jax.numpy`` operation per step: about 0.15 ms a
call at 1,000 elements, ten times the compiled loss. Compiling costs 50-100 ms per new
shape (on CPU), which a loop over one shape repays within a few hundred calls. Below 512
elements the work is too small to repay it, and code that makes many tiny calls on
ever-new shapes (a test suite, interactive use) would compile at every one: those run
eagerly, each operation compiled once per shape by JAX and shared by every loss. Either
way a shape is always computed by the same path, so repeated calls give the same bits.

A compiled call whose signature (loss, what, reduction, hyper-parameter values, dtypes)
has been checked once is remembered: :func:`lane` runs it again with only the checks that
depend on the arrays themselves (types, shapes), as the PyTorch strategy does.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

from .._checks import Prepared
from .._losses import LossDefinition
from .._typing import Array, Namespace
from . import generic, signature

__all__ = ["JAX_MIN_SIZE", "compute", "lane", "remember"]

#: smallest input the JAX strategy compiles for (see above)
JAX_MIN_SIZE = 1 << 9


def compute(p: Prepared) -> Array | None:
    """Return the value, gradient or IRLS weight of a JAX call by a cached jit, or None."""
    if math.prod(p.shape) < JAX_MIN_SIZE:  # type: ignore[arg-type]
        return None
    items = tuple(sorted(p.values.items()))
    f = _compiled(
        p.definition, items, p.reduction, p.what, p.target is not None, p.weight is not None, p.xp
    )
    return f(p.input, p.target, p.weight)


#: the remembered compiled calls: (loss, what, reduction as given, dtypes, values) -> jit
_PLANS: dict[tuple[Any, ...], Callable[..., Array]] = {}


def lane(
    definition: LossDefinition,
    x: Any,
    y: Any,
    reduction: object,
    weight: object,
    xp: object,
    params: Mapping[str, object],
    what: str,
) -> Array | None:
    """Run a remembered compiled call again, or return None for the checked path."""
    values = signature.lane_values(x, y, weight, xp, params)
    if values is None:
        return None
    f = _PLANS.get((definition, what, reduction, x.dtype, y.dtype, values))
    if f is None or x.shape != y.shape or math.prod(x.shape) < JAX_MIN_SIZE:
        return None
    return f(x, y, None)


def remember(p: Prepared, reduction: object, params: Mapping[str, object]) -> bool:
    """Remember a checked call that :func:`compute` ran compiled, for :func:`lane`.

    Not inside a caller's ``jit`` (tracers): there the checks cost once per trace.
    """
    import jax

    size = math.prod(p.shape)  # type: ignore[arg-type]
    if size < JAX_MIN_SIZE or isinstance(p.input, jax.core.Tracer):
        return False
    values = signature.remembered_values(p, params)
    if values is None:
        return False
    items = tuple(sorted(p.values.items()))
    f = _compiled(p.definition, items, p.reduction, p.what, True, False, p.xp)
    key = (p.definition, p.what, reduction, p.input.dtype, p.input.dtype, values)  # one dtype
    signature.store(_PLANS, key, f)
    return True


@functools.lru_cache(maxsize=1024)
def _compiled(
    definition: LossDefinition,
    items: tuple[tuple[str, float], ...],
    reduction: str,
    what: str,
    paired: bool,
    weighted: bool,
    xp: Namespace,
) -> Callable[..., Array]:
    import jax

    def run(x: Array, y: Array | None, w: Array | None) -> Array:
        shape = tuple(int(d) for d in x.shape)
        p = Prepared(definition, xp, "jax", x, y, w, dict(items), reduction, what, x.dtype, shape)
        return generic.compute(p)

    return jax.jit(run)
