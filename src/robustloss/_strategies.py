"""How to run a loss fast on the namespace at hand, from the same definitions.

The engine (:mod:`._engine`) validates and prepares the arguments, then asks :func:`run`
for a result; ``None`` means "use the generic Array API composition". Each strategy
computes exactly what the generic path computes, from the same ``rho`` and ``psi`` (or,
on PyTorch, with PyTorch's own fused kernel where its definition is ours), and is tested
equal to it. ``robustloss.fast_paths(False)`` turns them all off.

* NumPy, reductions of more than one block: blocked evaluation. The flattened arrays
  are walked in blocks of 2**15 elements; ``rho`` runs on each block while its
  temporaries stay in cache, and the block sums are added in float64. Extra memory is
  a few blocks, whatever the size, and the time about a third of the generic
  composition's.
* PyTorch: ``torch.nn.functional``'s fused kernels for Huber, Smooth L1, L1 and MSE
  (unweighted ``'none'``, ``'mean'``, ``'sum'``; their values and autograd are ours); for
  every other loss a custom autograd function whose backward is ``psi`` (one saved
  tensor instead of one per step of the composition) where autograd is on, and the
  blocked evaluation of NumPy for reductions of contiguous CPU tensors where it is off.
* JAX, inputs of 2**15 elements or more: the generic code under a cached ``jax.jit``
  (one per loss, reduction, hyper-parameters, weight or not): XLA fuses it into one
  kernel. Inside a caller's own ``jit`` or ``grad`` it is simply inlined. Smaller inputs
  run eagerly: compiling once per new shape would cost more than it saves.
* Dask: ``rho`` (or ``psi``) times the weight runs once per block (``map_blocks``: one
  task per block instead of one per step), then Dask's tree reduction; every task runs
  under NumPy's ``errstate(all="ignore")``, so that an overflowing value gives inf at
  compute time without a warning, as on the other backends. Nothing is computed. The
  IRLS weights (:mod:`robustloss.weights`) run the same way (:func:`dask_weight`).
* CuPy, array-api-strict and other namespaces: the generic path. (CuPy gets its fusion
  from the generic composition on the device; a hand-fused kernel needs a GPU to be
  verified on, which the project's CI does not have.)

Array-valued hyper-parameters (Barron's ``alpha``) take the generic path, except on Dask.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import array_api_compat as aac

from ._config import fast_paths_enabled
from ._definitions import HUBER, L1, MSE, SMOOTH_L1, LossDefinition
from ._typing import Array
from ._validation import Prepared, is_array

__all__ = ["BLOCK", "JAX_MIN_SIZE", "dask_weight", "run"]

#: elements per block of the NumPy strategy (128 KiB of float32 per temporary)
BLOCK = 1 << 15
#: smallest input the JAX strategy compiles for: below it, compiling once per shape costs
#: more than the eager composition, unless the caller jits (then it is inlined anyway)
JAX_MIN_SIZE = 1 << 15

Generic = Callable[[LossDefinition, Prepared, dict[str, Any], str, bool], Array]


def run(
    definition: LossDefinition,
    p: Prepared,
    values: dict[str, Any],
    reduction: str,
    derivative: bool,
    generic: Generic,
) -> Array | None:
    """Compute by the namespace's strategy; None means "take the generic path"."""
    xp = p.xp
    if not _enabled(xp):
        return None
    if aac.is_dask_namespace(xp):
        return _dask(definition, p, values, reduction, derivative)
    if any(is_array(v) for v in values.values()):
        return None
    if aac.is_numpy_namespace(xp):
        if derivative or reduction == "none" or None in p.shape:
            return None
        if math.prod(p.shape) <= BLOCK:  # type: ignore[arg-type]  # one block: the same work
            return None
        return _numpy_blocked(definition, p, values, reduction)
    if aac.is_torch_namespace(xp):
        return _torch(definition, p, values, reduction, derivative, generic)
    if aac.is_jax_namespace(xp):
        if math.prod(p.shape) < JAX_MIN_SIZE:  # type: ignore[arg-type]
            return None
        return _jax(definition, p, values, reduction, derivative, generic)
    return None


def _enabled(xp: Any) -> bool:
    """:func:`fast_paths_enabled`, except inside ``torch.compile``: on there.

    TorchDynamo cannot trace a ``ContextVar`` lookup (``fullgraph=True`` would fail), and
    the compiled graph is one kernel anyway.
    """
    if aac.is_torch_namespace(xp):
        import torch

        if torch.compiler.is_compiling():
            return True
    return fast_paths_enabled()


# --- NumPy: blocked ----------------------------------------------------------------------
def _flat(a: Any) -> Any:
    """Something sliceable by flat index without copying the whole array."""
    return a.reshape(-1) if a.flags.c_contiguous else a.flat  # flatiter slices copy a block


def _numpy_blocked(
    definition: LossDefinition, p: Prepared, values: dict[str, Any], reduction: str
) -> Array:
    import numpy as np

    x = p.input
    wf = None if p.weight is None else _flat(np.broadcast_to(p.weight, x.shape))
    out = _blocked(definition, p, values, reduction, _flat(x), _flat(p.target), wf)
    return np.asarray(out, dtype=x.dtype)[()]


def _blocked(
    definition: LossDefinition,
    p: Prepared,
    values: dict[str, Any],
    reduction: str,
    xf: Any,
    yf: Any,
    wf: Any,
) -> float:
    """Walk flat views of input, target and weight in blocks; the reduced loss."""
    xp = p.xp
    n = math.prod(p.shape)  # type: ignore[arg-type]
    total = 0.0
    weights = 0.0
    for i in range(0, n, BLOCK):
        j = min(i + BLOCK, n)
        loss = definition.rho(xf[i:j] - yf[i:j], xp=xp, **values)
        if wf is not None:
            w = wf[i:j]
            loss = loss * w
            weights += float(xp.sum(w))
        total += float(xp.sum(loss))
    if reduction == "sum":
        return total
    den = weights if (reduction == "weighted_mean" and wf is not None) else float(n)
    return total / den if den else math.nan


def _torch_blocked(
    definition: LossDefinition, p: Prepared, values: dict[str, Any], reduction: str
) -> Array | None:
    """Run the blocked evaluation on contiguous CPU tensors that need no autograd."""
    import torch

    x, y, w = p.input, p.target, p.weight
    if x.device.type != "cpu" or not (x.is_contiguous() and y.is_contiguous()):
        return None
    if torch.compiler.is_compiling():  # a traced graph fuses by itself; no Python loop
        return None
    wf = None
    if w is not None:
        full = torch.broadcast_to(w, x.shape)
        if not full.is_contiguous():
            return None  # broadcast weights: the generic path (no full-size copy)
        wf = full.reshape(-1)
    out = _blocked(definition, p, values, reduction, x.reshape(-1), y.reshape(-1), wf)
    return torch.tensor(out, dtype=x.dtype)


# --- PyTorch: native kernels and a psi-backed autograd function -------------------------
def _torch_native(definition: LossDefinition, values: dict[str, Any], x: Any) -> Any:
    """PyTorch's fused loss with our semantics for these hyper-parameters, or None."""
    import torch
    import torch.nn.functional as F

    info = torch.finfo(x.dtype)
    if definition is HUBER and values["delta"] <= info.max:
        return functools.partial(F.huber_loss, delta=values["delta"])
    if definition is SMOOTH_L1:
        beta = values["beta"]
        if beta < info.tiny:  # exactly L1 here (see _definitions)
            return F.l1_loss
        return functools.partial(F.smooth_l1_loss, beta=beta) if beta <= info.max else None
    if definition is L1:
        return F.l1_loss
    if definition is MSE:
        return F.mse_loss
    return None


@functools.cache
def _torch_rho_function() -> Any:
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


def _torch(
    definition: LossDefinition,
    p: Prepared,
    values: dict[str, Any],
    reduction: str,
    derivative: bool,
    generic: Generic,
) -> Array | None:
    import torch

    if derivative:
        return None
    x, y = p.input, p.target
    native = _torch_native(definition, values, x)
    if native is not None and p.weight is None and x.numel() > 0 and reduction != "none":
        return native(x, y, reduction="mean" if reduction == "weighted_mean" else reduction)
    if native is not None and p.weight is None and reduction == "none":
        return native(x, y, reduction="none")
    grad = torch.is_grad_enabled() and (x.requires_grad or y.requires_grad)
    if not grad and reduction != "none" and x.numel() > BLOCK:
        return _torch_blocked(definition, p, values, reduction)
    if grad:
        from ._engine import _reduce

        loss = _torch_rho_function().apply(x - y, definition, values, p.xp)
        return _reduce(p, loss, reduction)
    return None


# --- JAX: a cached jit of the generic code -----------------------------------------------
@functools.lru_cache(maxsize=512)
def _jax_compiled(
    definition: LossDefinition,
    items: tuple[tuple[str, float], ...],
    reduction: str,
    derivative: bool,
    weighted: bool,
    generic: Generic,
    xp: Any,
) -> Callable[..., Array]:
    import jax

    def compute(x: Array, y: Array, w: Array | None) -> Array:
        shape = tuple(int(d) for d in x.shape)
        p = Prepared(xp=xp, input=x, target=y, weight=w, dtype=x.dtype, shape=shape)
        return generic(definition, p, dict(items), reduction, derivative)

    return jax.jit(compute)


def _jax(
    definition: LossDefinition,
    p: Prepared,
    values: dict[str, Any],
    reduction: str,
    derivative: bool,
    generic: Generic,
) -> Array:
    items = tuple(sorted(values.items()))
    f = _jax_compiled(definition, items, reduction, derivative, p.weight is not None, generic, p.xp)
    return f(p.input, p.target, p.weight)


# --- Dask: one task per block ------------------------------------------------------------
def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` under ``numpy.errstate(all="ignore")``: Dask runs it later, outside the engine."""
    import numpy as np

    def quiet(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    return quiet


def _by_kind(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split `values` into the array-valued ones (blocked with the data) and the others."""
    arrays = {name: v for name, v in values.items() if is_array(v)}
    return arrays, {name: v for name, v in values.items() if name not in arrays}


def _per_block(fn: Callable[..., Any], arrays: list[Any], dtype: Any, meta: Any) -> Any:
    """``fn`` of the blocks of `arrays` (broadcast against the first), one quiet task each."""
    import dask.array as da

    # blockwise lines the trailing axes up, as broadcasting does (what da.elemwise does)
    pairs = [(a, tuple(range(a.ndim))[::-1]) for a in arrays]
    return da.blockwise(  # type: ignore[no-untyped-call]
        _quiet(fn),
        tuple(range(arrays[0].ndim))[::-1],
        *(item for pair in pairs for item in pair),
        dtype=dtype,
        meta=meta,
    )


def dask_weight(definition: LossDefinition, r: Any, values: dict[str, Any], dtype: Any) -> Any:
    """Return the IRLS weight of the Dask array `r`: one quiet task per block, in `dtype`."""
    import numpy as np

    arrays, scalars = _by_kind(values)
    names = list(arrays)

    def block(a: Any, *more: Any) -> Any:
        ns = aac.array_namespace(a)
        out = definition.weight(a, xp=ns, **scalars, **dict(zip(names, more, strict=True)))
        return out.astype(dtype, copy=False)

    with np.errstate(all="ignore"):  # the meta array may hold a value
        meta = r._meta.astype(dtype)
    return _per_block(block, [r, *arrays.values()], dtype, meta)


def _dask(
    definition: LossDefinition,
    p: Prepared,
    values: dict[str, Any],
    reduction: str,
    derivative: bool,
) -> Array:
    """Every task of the graph runs under IEEE rules: inf and NaN propagate silently.

    ``rho`` (or ``psi``) times the weight runs once per block; the sums, the division by
    the denominator and the cast to the result dtype are Dask tasks of their own, each
    wrapped by :func:`_quiet` (NumPy would warn at compute time on an overflowing sum or
    cast, which the engine's ``errstate`` no longer covers).
    """
    import dask.array as da
    import numpy as np

    from ._engine import _denominator

    fn = definition.psi if derivative else definition.rho
    arrays, scalars = _by_kind(values)
    names = list(arrays)
    weighted = p.weight is not None

    def block(a: Any, b: Any, *more: Any) -> Any:
        ns = aac.array_namespace(a, b)
        extra = dict(zip(names, more[int(weighted) :], strict=True))
        out = fn(a - b, xp=ns, **scalars, **extra)
        return out * more[0] if weighted else out

    x = p.input
    meta = x._meta
    extras = [*([p.weight] if weighted else []), *arrays.values()]
    elementwise = _per_block(block, [x, p.target, *extras], x.dtype, meta)

    def total(a: Any) -> Any:
        return da.reduction(  # type: ignore[no-untyped-call]
            a, _quiet(np.sum), _quiet(np.sum), dtype=a.dtype
        )

    def divide(a: Any, b: Any) -> Any:
        return da.map_blocks(  # type: ignore[no-untyped-call]
            _quiet(np.divide), a, b, dtype=a.dtype, meta=meta
        )

    out = elementwise if derivative or reduction == "none" else total(elementwise)
    den = _denominator(p, reduction, total)
    if isinstance(den, float):
        out = out / den
    elif den is not None:
        out = divide(out, den)
    with np.errstate(all="ignore"):  # Dask casts its meta array, which may hold a value
        return da.map_blocks(  # type: ignore[no-untyped-call]
            _quiet(lambda a: a.astype(p.dtype, copy=False)), out, dtype=p.dtype, meta=meta
        )
