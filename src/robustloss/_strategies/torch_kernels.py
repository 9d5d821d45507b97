"""PyTorch: its fused loss kernels where their definition is ours, and a psi-backed autograd.

For Huber, Smooth L1, L1 and MSE, unweighted ``'none'``, ``'mean'`` and ``'sum'`` run
``torch.nn.functional``'s kernels (their values and autograd are ours). Every other loss
runs ``rho`` under a custom autograd function whose backward is ``psi`` where autograd is
on (one saved tensor instead of one per step of the composition), and the blocked
evaluation for reductions of large CPU tensors where it is off.

A native call whose signature (loss, reduction, hyper-parameter values, dtypes) has been
checked and computed once is remembered: :func:`lane` runs it again with only the checks
that depend on the arrays themselves (types, shapes, emptiness), the fast-path switch and
``torch.compile``'s state, about a microsecond instead of five. A training loop calls the
same signature at every step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, cast

from .._checks import Prepared
from .._losses import HUBER, L1, MSE, SMOOTH_L1, LossDefinition
from .._reduction import finish
from .._typing import Array
from . import blocked, signature

__all__ = ["compute", "lane", "remember"]


def compute(p: Prepared) -> Array | None:
    """Return a torch value by a native kernel or the psi-backed autograd, else None."""
    import torch

    if p.what != "value":
        return None
    x, y = p.input, cast(Array, p.target)
    if p.weight is None and (p.reduction == "none" or x.numel() > 0):
        native = _native(p.definition, tuple(p.values.values()), x.dtype)
        if native is not None:
            reduction = "mean" if p.reduction == "weighted_mean" else p.reduction
            if torch.compiler.is_compiling():  # what TorchDynamo traces: the public function
                return native[1](x, y, reduction=reduction)
            return native[0](x, y, _ENUM[reduction], *native[2])
    grad = torch.is_grad_enabled() and (x.requires_grad or y.requires_grad)
    if not grad and p.reduction != "none" and x.numel() > blocked.BLOCK:
        return blocked.compute_torch(p)
    if grad:
        return finish(p, _rho_function().apply(x - y, p.definition, p.values, p.xp))
    return None


#: the remembered native calls: (loss, reduction as given, dtypes, values) -> their kernel,
#: its reduction number and its extra arguments
_PLANS: dict[tuple[Any, ...], tuple[Callable[..., Any], int, tuple[float, ...]]] = {}


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
    """Run a remembered native call again, or return None for the checked path.

    The remembered signature fixes everything :func:`.._checks.prepare` checks once per
    signature (the reduction, the hyper-parameter values and their types, the dtypes); what
    depends on the arrays themselves is checked here, and anything unusual (a weight, an
    ``xp``, other shapes, an empty mean, a switch turned off, a ``torch.compile`` trace)
    takes the checked path, which raises or computes exactly as before.
    """
    import torch

    if torch.compiler.is_compiling() or what != "value":  # TorchDynamo traces the checked path
        return None
    values = signature.lane_values(x, y, weight, xp, params)
    if values is None:
        return None
    plan = _PLANS.get((definition, reduction, x.dtype, y.dtype, values))
    if plan is None or x.shape != y.shape:
        return None
    kernel, number, extra = plan
    if number != 0 and x.numel() == 0:  # the empty mean is NaN by our rule, not the kernel's
        return None
    return kernel(x, y, number, *extra)


def remember(p: Prepared, reduction: object, params: Mapping[str, object]) -> bool:
    """Remember a checked call of the fast path's native kernel, for :func:`lane`.

    Returns whether it was remembered: only values of the losses with a native kernel
    that :func:`.signature.remembered_values` accepts, outside ``torch.compile``.
    """
    import torch

    if p.what != "value" or p.definition not in _HAS_NATIVE:  # most calls end here
        return False
    if torch.compiler.is_compiling():  # before the switch: TorchDynamo cannot read it
        return False
    values = signature.remembered_values(p, params)
    if values is None:
        return False
    native = _native(p.definition, tuple(p.values.values()), p.input.dtype)
    if native is None:
        return False
    number = _ENUM["mean" if p.reduction == "weighted_mean" else p.reduction]
    key = (p.definition, reduction, p.input.dtype, p.input.dtype, values)  # one dtype
    signature.store(_PLANS, key, (native[0], number, native[2]))
    return True


#: the losses PyTorch has a fused kernel for (for some of their hyper-parameters)
_HAS_NATIVE = (HUBER, SMOOTH_L1, L1, MSE)
#: torch.nn.functional's reduction names as its kernels number them
_ENUM = {"none": 0, "mean": 1, "sum": 2}
#: (kernel, public function, extra arguments) of each loss and hyper-parameters, or None
Native = tuple[Callable[..., Any], Callable[..., Any], tuple[float, ...]] | None
_NATIVE: dict[tuple[Any, ...], Native] = {}


def _native(definition: LossDefinition, values: tuple[Any, ...], dtype: Any) -> Native:
    """PyTorch's fused loss with our semantics for these hyper-parameters, or None.

    The kernel (``torch._C._nn``) is what ``torch.nn.functional`` calls once it has
    broadcast its arguments, which have one shape here: calling it directly saves that
    function's few microseconds of Python. Looked up once per loss, values and dtype.
    """
    key = (definition, values, dtype)
    if key not in _NATIVE:
        _NATIVE[key] = _find_native(definition, values, dtype)
    return _NATIVE[key]


def _find_native(definition: LossDefinition, values: tuple[Any, ...], dtype: Any) -> Native:
    import torch
    import torch.nn.functional as F

    kernels = torch._C._nn
    info = torch.finfo(dtype)
    if definition is HUBER and values[0] <= info.max:
        delta = values[0]
        return kernels.huber_loss, functools.partial(F.huber_loss, delta=delta), (delta,)
    if definition is SMOOTH_L1:
        beta = values[0]
        if beta < info.tiny:  # exactly L1 here (see the definition)
            return kernels.l1_loss, F.l1_loss, ()
        if beta <= info.max:
            return kernels.smooth_l1_loss, functools.partial(F.smooth_l1_loss, beta=beta), (beta,)
        return None
    if definition is L1:
        return kernels.l1_loss, F.l1_loss, ()
    if definition is MSE:
        return kernels.mse_loss, F.mse_loss, ()
    return None


@functools.cache
def _rho_function() -> Any:
    import torch

    class Rho(torch.autograd.Function):
        """rho(r) forward, grad * psi(r) backward: saves r only."""

        generate_vmap_rule = True

        @staticmethod
        def forward(r: Any, definition: LossDefinition, values: dict[str, Any], xp: Any) -> Any:
            return definition.rho(r, xp=xp, **values)

        @staticmethod
        def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
            r, definition, values, xp = inputs
            ctx.save_for_backward(r)
            ctx.psi = functools.partial(definition.psi, xp=xp, **values)

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            (r,) = ctx.saved_tensors
            return grad * ctx.psi(r), None, None, None

    return Rho
