"""PyTorch: its fused loss kernels where their definition is ours, and a psi-backed autograd.

For Huber, Smooth L1, L1 and MSE, unweighted ``'none'``, ``'mean'`` and ``'sum'`` run
``torch.nn.functional``'s kernels (their values and autograd are ours). Every other loss
runs ``rho`` under a custom autograd function whose backward is ``psi`` where autograd is
on (one saved tensor instead of one per step of the composition), and the blocked
evaluation for reductions of large CPU tensors where it is off.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from .._checks import Prepared
from .._losses import HUBER, L1, MSE, SMOOTH_L1, LossDefinition
from .._reduction import finish
from .._typing import Array
from . import blocked

__all__ = ["compute"]


def compute(p: Prepared) -> Array | None:
    """Return a torch value by a native kernel or the psi-backed autograd, else None."""
    import torch

    if p.what != "value":
        return None
    x, y = p.input, cast(Array, p.target)
    native = _native(p.definition, p.values, x)
    if native is not None and p.weight is None:
        if p.reduction == "none":
            return native(x, y, reduction="none")
        if x.numel() > 0:
            return native(x, y, reduction="mean" if p.reduction == "weighted_mean" else p.reduction)
    grad = torch.is_grad_enabled() and (x.requires_grad or y.requires_grad)
    if not grad and p.reduction != "none" and x.numel() > blocked.BLOCK:
        return blocked.compute_torch(p)
    if grad:
        return finish(p, _rho_function().apply(x - y, p.definition, p.values, p.xp))
    return None


def _native(
    definition: LossDefinition, values: dict[str, Any], x: Any
) -> Callable[..., Any] | None:
    """PyTorch's fused loss with our semantics for these hyper-parameters, or None."""
    import torch
    import torch.nn.functional as F

    info = torch.finfo(x.dtype)
    if definition is HUBER and values["delta"] <= info.max:
        return functools.partial(F.huber_loss, delta=values["delta"])
    if definition is SMOOTH_L1:
        beta = values["beta"]
        if beta < info.tiny:  # exactly L1 here (see the definition)
            return F.l1_loss
        return functools.partial(F.smooth_l1_loss, beta=beta) if beta <= info.max else None
    if definition is L1:
        return F.l1_loss
    if definition is MSE:
        return F.mse_loss
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
