"""How to run a prepared call on the namespace at hand: a fast path, or the generic code.

Each strategy computes exactly what :mod:`.generic` computes, from the same definitions
(or, on PyTorch, with PyTorch's own fused kernel where its definition is ours), and is
tested equal to it. ``robustloss.fast_paths(False)`` turns them all off (:mod:`.switch`).

* NumPy, reductions of more than one block (:mod:`.blocked`): the flattened arrays are
  walked in blocks of 2**15 elements; ``rho`` runs on each block while its temporaries
  stay in cache, and the block sums are added in float64. Extra memory is a few blocks,
  whatever the size, and the time about a third of the generic composition's.
* PyTorch (:mod:`.torch_kernels`): ``torch.nn.functional``'s fused kernels for Huber,
  Smooth L1, L1 and MSE (unweighted ``'none'``, ``'mean'``, ``'sum'``; their values and
  autograd are ours); for every other loss a custom autograd function whose backward is
  ``psi`` (one saved tensor instead of one per step of the composition) where autograd is
  on, and the blocked evaluation for reductions of contiguous CPU tensors where it is off.
* JAX, inputs of 512 elements or more (:mod:`.jax_jit`): the generic code under a
  cached ``jax.jit`` (one per loss, reduction, hyper-parameters, weight or not; compiled
  once per shape): XLA fuses it into one kernel. Inside a caller's own ``jit`` or
  ``grad`` it is simply inlined. Smaller inputs run eagerly.
* Dask (:mod:`.dask_blocks`): ``rho``, ``psi`` or the IRLS weight (times the weight) runs
  once per block (one task per block instead of one per step), then Dask's tree
  reduction; every task runs under NumPy's ``errstate(all="ignore")``, so that an
  overflowing value gives inf at compute time without a warning, as on the other
  backends. Nothing is computed, and the tasks are named after the loss.
* CuPy, array-api-strict and other namespaces: the generic path. (On CuPy each step of
  the composition is its own kernel on the device; a hand-fused kernel needs a GPU to be
  verified on, which the project's CI does not have.)

Array-valued hyper-parameters, masks (``where=``) and reductions over some axes take the
generic path, except on Dask and on PyTorch, where they take the psi-backed autograd
function (which also gives the array hyper-parameters' gradients) or the composition.
"""

from __future__ import annotations

from collections.abc import Callable

from .._checks import Prepared
from .._typing import Array
from . import blocked, dask_blocks, generic, jax_jit, torch_kernels
from .switch import fast_paths, fast_paths_enabled

__all__ = ["BLOCK", "JAX_MIN_SIZE", "fast_paths", "fast_paths_enabled", "run"]

BLOCK = blocked.BLOCK
JAX_MIN_SIZE = jax_jit.JAX_MIN_SIZE

#: a strategy computes a prepared call, or returns None to leave it to the generic path
Strategy = Callable[[Prepared], "Array | None"]


def run(p: Prepared) -> Array:
    """Compute `p` by its namespace's strategy where one applies, else generically."""
    strategy = _STRATEGIES.get(p.library)
    applies = strategy in _EVERY_CALL or (p.plain and not p.has_array_values)
    out = strategy(p) if strategy is not None and applies and _enabled(p.library) else None
    return generic.compute(p) if out is None else out


#: the fast path of each library (by the name :func:`.._checks.library` gives)
_STRATEGIES: dict[str, Strategy] = {
    "dask": dask_blocks.compute,
    "numpy": blocked.compute_numpy,
    "torch": torch_kernels.compute,
    "jax": jax_jit.compute,
}


#: the strategies that take every call (arrays, masks, axes), not only plain ones
_EVERY_CALL = (dask_blocks.compute, torch_kernels.compute)


def _enabled(library: str) -> bool:
    """:func:`fast_paths_enabled`, except inside ``torch.compile``: on there.

    TorchDynamo cannot trace a ``ContextVar`` lookup (``fullgraph=True`` would fail), and
    the compiled graph is one kernel anyway.
    """
    if library == "torch":
        import torch

        if torch.compiler.is_compiling():
            return True
    return fast_paths_enabled()
