"""PyTorch: its fused loss kernels where their definition is ours, and a psi-backed autograd.

For Huber, Smooth L1, L1 and MSE, unweighted ``'none'``, ``'mean'`` and ``'sum'`` run
``torch.nn.functional``'s kernels (their values and autograd are ours). Every other loss
runs ``rho`` under a custom autograd function whose backward is ``psi`` where autograd is
on (:mod:`.torch_autograd`: one saved tensor instead of one per step of the composition,
and the gradients of tensor hyper-parameters), and the blocked evaluation for reductions
of large CPU tensors where it is off.

A native call whose signature (loss, reduction, hyper-parameter values, dtypes) has been
checked and computed once is remembered: :func:`lane` runs it again with only the checks
that depend on the arrays themselves (types, shapes, emptiness), the fast-path switch and
``torch.compile``'s state, about a microsecond instead of five. A training loop calls the
same signature at every step.

Inside ``torch.compile`` every tensor call takes the lane (:func:`tracing`), which checks
it with PyTorch alone (:func:`traced`): TorchDynamo traces that without a graph break or a
warning, where array-api-compat's namespace lookups are ``functools.lru_cache``-wrapped
(TorchDynamo warns about each). A call it does not vouch for (an ``xp``, a tensor
hyper-parameter, anything to refuse) takes the checked path, which raises or computes as
outside the trace.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from numbers import Real
from typing import Any

from .._checks import Prepared, check_parameters, check_reduction
from .._losses import HUBER, L1, MSE, SMOOTH_L1, LossDefinition
from .._reduction import finish
from .._typing import Array
from . import blocked, generic, signature

__all__ = ["compute", "lane", "remember", "traced", "tracing"]


def compute(p: Prepared) -> Array:
    """Return a torch value by a native kernel, the psi-backed autograd or the composition.

    The composition (of every other call: gradients, residual faces, no autograd) is the
    generic one, with the namespace of :mod:`.torch_autograd` (its ``sign`` batches).
    """
    import torch

    from .torch_autograd import namespace, rho, traceable

    x, y = p.input, p.target
    if p.what != "value" or y is None:
        return generic.compute(p if p.xp is namespace else p._replace(xp=namespace))
    compiling = torch.compiler.is_compiling()
    plain = p.plain and not p.has_array_values  # what the native kernels and blocks know
    if plain and p.weight is None and (p.reduction == "none" or x.numel() > 0):
        native = _native(p.definition, tuple(p.values.values()), x.dtype)
        if native is not None:
            reduction = "mean" if p.reduction == "weighted_mean" else p.reduction
            if compiling:  # what TorchDynamo traces: the public function
                return native[1](x, y, reduction=reduction)
            return native[0](x, y, _ENUM[reduction], *native[2])
    if p.xp is not namespace:
        p = p._replace(xp=namespace)
    grad = torch.is_grad_enabled() and (
        x.requires_grad
        or y.requires_grad
        or any(isinstance(v, torch.Tensor) and v.requires_grad for v in p.values.values())
    )
    if grad and (not compiling or traceable(p.definition, p.values)):
        return finish(p, rho(x - y, p.definition, p.values, p.xp))
    if not compiling and plain and p.reduction != "none" and x.numel() > blocked.BLOCK:
        return blocked.compute_torch(p)
    return generic.compute(p)


def tracing(x: object) -> bool:
    """Whether `x` is a tensor inside a ``torch.compile`` trace (no import of torch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor) and torch.compiler.is_compiling()


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
    ``xp``, other shapes, an empty mean, a switch turned off) takes the checked path,
    which raises or computes exactly as before. Inside ``torch.compile`` it is
    :func:`traced`.
    """
    import torch

    if torch.compiler.is_compiling():
        return traced(definition, x, y, reduction, weight, xp, params, what)
    if what != "value":
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


def traced(
    definition: LossDefinition,
    x: Any,
    y: Any,
    reduction: object,
    weight: object,
    xp: object,
    params: Mapping[str, object],
    what: str,
) -> Array | None:
    """Check and compute a call inside ``torch.compile`` with PyTorch alone, or return None.

    The checks :func:`.._checks.prepare` makes, on tensors: the reduction and the
    hyper-parameters (:func:`.._checks.check_parameters`), the shapes, the dtypes (real
    floating, integers and booleans promoted, half types computed in float32) and the
    weight's. Every call they would refuse, and every call with an ``xp`` or a tensor
    hyper-parameter, returns None: the checked path then raises or computes it.
    """
    import torch

    from .torch_autograd import namespace

    if xp is not None or not isinstance(x, torch.Tensor):
        return None
    if y is not None and (not isinstance(y, torch.Tensor) or y.shape != x.shape):
        return None
    for v in params.values():
        if type(v) is not float and (isinstance(v, bool) or not isinstance(v, Real)):
            return None  # a tensor hyper-parameter, or one to refuse
    dtype = _result_dtype(x.dtype, None if y is None else y.dtype)
    if dtype is None:
        return None
    work = torch.float32 if dtype.itemsize < 4 else dtype
    w = None if weight is None else _traced_weight(weight, x, work)
    if w is None and weight is not None:
        return None
    values = check_parameters(definition, params)
    tiny = torch.finfo(work).smallest_normal
    for parameter in definition.parameters:
        if parameter.minimum == 0 and not parameter.closed and 0 < values[parameter.name] < tiny:
            return None  # refused by the checked path
    p = Prepared(
        definition,
        namespace,
        "torch",
        x if x.dtype == work else x.to(work),
        y if y is None or y.dtype == work else y.to(work),
        w,
        values,
        check_reduction(reduction),
        what,
        dtype,
        tuple(x.shape),
    )
    out = compute(p)
    return out if out.dtype == dtype else out.to(dtype)


def _result_dtype(a: Any, b: Any) -> Any:
    """Return the promoted real floating dtype of two tensors' dtypes (`b` may be None).

    None where one is complex or not numeric (the checked path refuses it).
    """
    import torch

    floats = []
    for dt in (a,) if b is None else (a, b):
        if dt.is_complex:
            return None
        if dt.is_floating_point:
            floats.append(dt)
        elif dt not in (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64):
            return None  # promoted by the checked path, or refused
    if not floats:
        return torch.get_default_dtype()
    return floats[0] if len(floats) == 1 else torch.promote_types(*floats)


def _traced_weight(weight: object, x: Any, work: Any) -> Any:
    """Return the weight as a tensor of the working dtype (None: the checked path's)."""
    import torch

    if isinstance(weight, bool):
        return None
    if isinstance(weight, Real):
        return torch.as_tensor(float(weight), dtype=work, device=x.device)
    if not isinstance(weight, torch.Tensor) or _result_dtype(weight.dtype, None) is None:
        return None
    shape, ws = tuple(x.shape), tuple(weight.shape)
    if len(ws) > len(shape) or any(
        a != 1 and a != b for a, b in zip(ws, shape[len(shape) - len(ws) :], strict=True)
    ):
        return None
    return weight if weight.dtype == work else weight.to(work)


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
