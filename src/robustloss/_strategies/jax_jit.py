"""JAX: the generic code under a cached ``jax.jit``, for inputs large enough to pay for it.

One compiled function per loss, reduction, what is computed, hyper-parameters and
weight-or-not; XLA fuses it into one kernel. Inside a caller's own ``jit`` or ``grad``
it is simply inlined. Smaller inputs run eagerly: compiling once per new shape would
cost more than it saves.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from .._checks import Prepared
from .._losses import LossDefinition
from .._typing import Array, Namespace
from . import generic

__all__ = ["JAX_MIN_SIZE", "compute"]

#: smallest input the JAX strategy compiles for: below it, compiling once per shape costs
#: more than the eager composition, unless the caller jits (then it is inlined anyway)
JAX_MIN_SIZE = 1 << 15


def compute(p: Prepared) -> Array | None:
    """Return the value or gradient of a large JAX call by a cached jit, else None."""
    if p.target is None or math.prod(p.shape) < JAX_MIN_SIZE:  # type: ignore[arg-type]
        return None
    items = tuple(sorted(p.values.items()))
    f = _compiled(p.definition, items, p.reduction, p.what, p.weight is not None, p.xp)
    return f(p.input, p.target, p.weight)


@functools.lru_cache(maxsize=512)
def _compiled(
    definition: LossDefinition,
    items: tuple[tuple[str, float], ...],
    reduction: str,
    what: str,
    weighted: bool,
    xp: Namespace,
) -> Callable[..., Array]:
    import jax

    def run(x: Array, y: Array, w: Array | None) -> Array:
        shape = tuple(int(d) for d in x.shape)
        p = Prepared(definition, xp, "jax", x, y, w, dict(items), reduction, what, x.dtype, shape)
        return generic.compute(p)

    return jax.jit(run)
