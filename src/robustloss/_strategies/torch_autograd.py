"""The autograd function of the PyTorch strategy: ``rho`` forward, ``psi`` backward.

Imported only where PyTorch is (by :mod:`.torch_kernels`, on its first call with autograd
on). The class is defined once, at module level: ``torch.compile`` traces an autograd
function it can find there (one created inside a function is a graph break).

Autograd through the composition of ``rho`` saves one tensor per step; this function
saves the residual and the array hyper-parameters, and its backward is ``psi`` (times
the incoming gradient). The gradient of an array hyper-parameter is the definition's
analytic ``d rho / d parameter`` where it has one (``param_grad``), else autograd of
``rho`` with respect to that parameter, computed inside the backward.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any

import array_api_compat.torch as compat
import torch

from .._losses import LossDefinition
from .._typing import Namespace

__all__ = ["Rho", "namespace", "rho", "traceable"]


def _sign(x: Any, /) -> Any:
    """Return the sign of a real tensor, NaN where it is NaN (as the standard says)."""
    return torch.where(torch.isnan(x), x, torch.sign(x))


#: array-api-compat's namespace of PyTorch, with a ``sign`` that ``torch.func.vmap`` and
#: ``torch.compile`` can batch: array-api-compat's writes NaN through a boolean mask
#: (``out[isnan(x)] = nan``), which vmap refuses; this one selects with ``where``
namespace = types.ModuleType(compat.__name__, compat.__doc__)
namespace.__dict__.update({k: v for k, v in vars(compat).items() if k != "__spec__"})
namespace.sign = _sign  # type: ignore[attr-defined]


def rho(r: Any, definition: LossDefinition, values: Mapping[str, Any], xp: Namespace) -> Any:
    """Return ``rho(r)`` elementwise, differentiable through :class:`Rho`.

    `values` holds the hyper-parameters: Python floats, or tensors (which get gradients).
    """
    # TorchDynamo passes only constants (strings, numbers, tuples of them) and tensors to
    # an autograd function it traces: the definition and the namespace go by name
    key = (definition.name, id(definition), id(xp))
    if key not in _KNOWN:
        _KNOWN[key] = (definition, xp)
    names = tuple([k for k, v in values.items() if isinstance(v, torch.Tensor)])
    scalars = tuple([(k, v) for k, v in values.items() if k not in names])
    return Rho.apply(r, key, scalars, names, *[values[k] for k in names])  # type: ignore[no-untyped-call]


#: the definition and namespace of each key :func:`rho` passed to :class:`Rho`
_KNOWN: dict[tuple[str, int, int], tuple[LossDefinition, Namespace]] = {}


class Rho(torch.autograd.Function):
    """``rho(r)`` forward; ``grad * psi(r)`` (and ``d rho / d parameter``) backward.

    Called as ``Rho.apply(r, key, scalars, names, *arrays)``: the loss and namespace by
    their key (:func:`rho`), the float hyper-parameters as ``(name, value)`` pairs, the
    tensor ones positionally (autograd follows only positional tensors), named by
    `names`.
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(
        r: Any,
        key: tuple[str, int, int],
        scalars: tuple[tuple[str, float], ...],
        names: tuple[str, ...],
        *arrays: Any,
    ) -> Any:
        """Return ``rho(r)`` elementwise."""
        definition, xp = _KNOWN[key]
        return definition.rho(r, xp=xp, **_values(scalars, names, arrays))

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        """Save the residual and the tensor hyper-parameters; the rest as attributes."""
        r, key, scalars, names, *arrays = inputs
        ctx.save_for_backward(r, *arrays)
        ctx.key, ctx.scalars, ctx.names = key, scalars, names

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        """Return ``grad * psi(r)`` for `r`, and each tensor hyper-parameter's gradient."""
        r, *arrays = ctx.saved_tensors
        definition, xp = _KNOWN[ctx.key]
        values = _values(ctx.scalars, ctx.names, arrays)
        needs = ctx.needs_input_grad
        dr = grad * definition.psi(r, xp=xp, **values) if needs[0] else None
        grads = [
            _parameter_grad(definition, name, r, values, xp, grad) if needs[4 + i] else None
            for i, name in enumerate(ctx.names)
        ]
        return (dr, None, None, None, *grads)


def _values(
    scalars: tuple[tuple[str, float], ...], names: tuple[str, ...], arrays: Any
) -> dict[str, Any]:
    return {**dict(scalars), **dict(zip(names, arrays, strict=True))}


def traceable(definition: LossDefinition, values: Mapping[str, Any]) -> bool:
    """Whether ``torch.compile`` can trace :class:`Rho`'s backward with these values.

    Not where a tensor hyper-parameter has no analytic derivative: the backward's
    ``torch.autograd.grad`` is not traced.
    """
    return all(
        _analytic(definition, k) is not None
        for k, v in values.items()
        if isinstance(v, torch.Tensor)
    )


def _parameter_grad(
    definition: LossDefinition,
    name: str,
    r: Any,
    values: dict[str, Any],
    xp: Namespace,
    grad: Any,
) -> Any:
    """Return the gradient of ``sum(grad * rho)`` with respect to the hyper-parameter `name`."""
    value = values[name]
    analytic = _analytic(definition, name)
    if analytic is not None:
        return _sum_to(grad * analytic(r, xp=xp, **values), value.shape)
    with torch.enable_grad():  # autograd of rho's composition, in that parameter only
        leaf = value.detach().requires_grad_(True)
        out = definition.rho(r.detach(), xp=xp, **{**values, name: leaf})
        (g,) = torch.autograd.grad(out, leaf, grad_outputs=grad)
    return g


def _analytic(definition: LossDefinition, name: str) -> Callable[..., Any] | None:
    """Return the definition's ``d rho / d name`` (``param_grad``), or None."""
    param_grad = getattr(definition, "param_grad", None)
    return None if param_grad is None else param_grad(name)


def _sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """`g` summed over the axes a hyper-parameter of `shape` was broadcast along."""
    if tuple(g.shape) == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    return g.sum(dim=axes, keepdim=False).reshape(shape) if axes else g.reshape(shape)
