"""JAX: the loss's value differentiates by its analytic derivatives (``jax.custom_jvp``).

``jax.grad`` of the composition that computes rho would differentiate its masks, clips
and compensation terms, exact for the value but not for its derivative: Barron's general
loss gave wrong signs in its far tail. Here rho(input - target) is a ``custom_jvp``
function whose tangent is ``psi(r) (d input - d target)`` plus, for every array
hyper-parameter, ``param_grad(name)(r) d name`` (:meth:`.LossDefinition.param_grad`;
where that is None, JAX's derivative of rho in that parameter alone). Python-float
hyper-parameters are constants of the function (one per loss and values, cached), arrays
are its arguments. The rule is itself JAX code, so that ``jax.hessian``, ``jax.jacfwd``
and ``jax.vmap`` go through it; weights and reductions (linear) stay outside.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._losses import LossDefinition
from .._typing import Array, Namespace

__all__ = ["rho"]


def rho(
    definition: LossDefinition, x: Array, y: Array, values: Mapping[str, Any], xp: Namespace
) -> Array:
    """Return ``rho(x - y)`` elementwise, differentiable through psi and ``param_grad``."""
    names = tuple(sorted(k for k, v in values.items() if hasattr(v, "shape")))
    constants = tuple(sorted((k, v) for k, v in values.items() if not hasattr(v, "shape")))
    f = _function(definition, constants, names, xp)
    return f(x, y, *(values[k] for k in names))


@functools.lru_cache(maxsize=1024)
def _function(
    definition: LossDefinition,
    constants: tuple[tuple[str, float], ...],
    names: tuple[str, ...],
    xp: Namespace,
) -> Callable[..., Array]:
    import jax

    fixed = dict(constants)

    def params_of(arrays: Sequence[Array]) -> dict[str, Any]:
        return {**fixed, **dict(zip(names, arrays, strict=True))}

    @jax.custom_jvp
    def value(x: Array, y: Array, *arrays: Array) -> Array:
        return definition.rho(x - y, xp=xp, **params_of(arrays))

    @value.defjvp
    def value_jvp(primals: Sequence[Array], tangents: Sequence[Array]) -> tuple[Array, Array]:
        x, y, *arrays = primals
        dx, dy, *darrays = tangents
        params = params_of(arrays)
        r = x - y
        out = definition.rho(r, xp=xp, **params)
        tangent = definition.psi(r, xp=xp, **params) * (dx - dy)
        for name, a, da in zip(names, arrays, darrays, strict=True):
            tangent = tangent + _hyper_tangent(definition, name, r, params, a, da, xp)
        return out, tangent

    return value


def _hyper_tangent(
    definition: LossDefinition,
    name: str,
    r: Array,
    params: dict[str, Any],
    a: Array,
    da: Array,
    xp: Namespace,
) -> Array:
    """Return the tangent of rho along one array hyper-parameter: ``param_grad(name)(r) da``."""
    grad = definition.param_grad(name)
    if grad is not None:
        return grad(r, xp=xp, **params) * da
    import jax

    def along(v: Array) -> Array:
        return definition.rho(r, xp=xp, **{**params, name: v})

    return jax.jvp(along, (a,), (da,))[1]
