"""Guarantees beyond single calls: torch.compile, threads, Dask at scale, GPU streams.

* ``torch.compile(fullgraph=True)`` of the functional API on CPU (a graph break fails);
* the loss objects called from 8 threads at once on shared inputs give bit-identical
  results to serial calls, with the strategy switch set differently per thread;
* a Dask evaluation over more than 2**31 elements stays lazy and bounded in memory, and
  its mean is the closed-form expectation;
* GPU (skipped where none answers): no host synchronization on torch-CUDA
  (``torch.cuda.set_sync_debug_mode("error")``) and a 1e9-element CuPy evaluation.
"""

from __future__ import annotations

import math
import resource
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import robustloss as rl
from support.cases import CASES, Case, bind, call, make_object, paths
from support.lazy import no_compute
from support.matrix import load_backend

OWN_MATRIX = True


# --- torch.compile -------------------------------------------------------------------------
@pytest.mark.slow
# TorchDynamo's own note on array_api_compat's functools.lru_cache helpers
@pytest.mark.filterwarnings("ignore:Dynamo detected a call to a `functools.lru_cache`")
@pytest.mark.parametrize(("case", "p"), paths())
def test_torch_compile_fullgraph(case: Case, p: dict[str, float]) -> None:
    torch = pytest.importorskip("torch")
    f, g = bind(case, "loss", p), bind(case, "grad", p)

    def every(x: Any, y: Any, w: Any) -> list[Any]:
        return [
            f(x, y, reduction="mean"),
            g(x, y, reduction="sum"),
            f(x, y, reduction="weighted_mean", weight=w),
            g(x, y, reduction="none", weight=w),
        ]

    gen = torch.Generator().manual_seed(7)
    x, y, w = (torch.randn(64, dtype=torch.float64, generator=gen) for _ in range(3))
    torch._dynamo.reset()
    # aot_eager: TorchDynamo's capture and AOTAutograd, without needing a C++ compiler
    compiled = torch.compile(every, fullgraph=True, dynamic=False, backend="aot_eager")
    for got, want in zip(compiled(x, y, w.abs()), every(x, y, w.abs()), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-13, atol=0)


# --- threads -------------------------------------------------------------------------------
def _objects() -> list[rl.Loss]:
    """The object of every loss, with each special path's hyper-parameters."""
    out: list[rl.Loss] = []
    for reduction in ("mean", "none", "weighted_mean"):
        out += [make_object(c, p, reduction=reduction) for c in CASES for p in c.paths]
    return out


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_loss_objects_are_thread_safe(name: str) -> None:
    backend = load_backend(name)
    rng = np.random.default_rng(11)
    n = 2**16 + 3  # several blocks of the NumPy strategy
    x, y = (backend.asarray(rng.normal(0, 3, n), "float32") for _ in range(2))
    w = backend.asarray(rng.uniform(0, 2, n), "float32")
    calls = [
        (obj, grad, fast) for obj in _objects() for grad in (False, True) for fast in (True, False)
    ]

    def run(call: tuple[rl.Loss, bool, bool]) -> np.ndarray:
        obj, grad, fast = call
        with rl.fast_paths(fast):
            out = (obj.grad if grad else obj)(x, y, w)
            assert rl.fast_paths_enabled() is fast  # the switch is per thread
        return backend.to_numpy(out)

    serial = [run(c) for c in calls]
    order = list(rng.permutation(len(calls))) * 3
    start = threading.Barrier(8)

    def worker(k: int) -> list[tuple[int, np.ndarray]]:
        start.wait()
        return [(i, run(calls[i])) for i in order[k::8]]

    with ThreadPoolExecutor(8) as pool:
        results = [item for chunk in pool.map(worker, range(8)) for item in chunk]
    assert len(results) == len(order)
    for i, got in results:
        np.testing.assert_array_equal(got, serial[i], err_msg=str(calls[i][0]))


# --- Dask beyond 2**31 elements -------------------------------------------------------------
@pytest.mark.slow
def test_dask_mean_over_more_than_2_31_elements() -> None:
    """Huber (delta = 1) of U(-2, 2): E = (1/6 + 1) / 2 = 7/12, by hand."""
    da = pytest.importorskip("dask.array")
    import dask

    n = 2**31 + 2**26
    chunk = 2**25  # 128 MiB of float32: the whole array would be 8.25 GiB
    x = da.random.default_rng(20261127).random(n, dtype=np.float32, chunks=chunk)
    x = 4 * x - 2
    zero = da.zeros(n, dtype=np.float32, chunks=chunk)
    with dask.config.set(scheduler=no_compute):
        lazy = rl.huber_loss(x, zero, reduction="mean")
        lazy_sum = rl.huber_loss(x, zero, reduction="sum")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    mean, total = dask.compute(lazy, lazy_sum, scheduler="threads")
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 3 * 2**20, f"peak memory grew by {grown / 2**20:.1f} GiB"
    # sd of huber(U) < 1: five standard errors
    tol = 5 / math.sqrt(n)
    assert abs(float(mean) - 7 / 12) < tol
    assert abs(float(total) / n - 7 / 12) < tol


# --- GPU ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("case", "p"), paths())
def test_torch_cuda_never_synchronizes(case: Case, p: dict[str, float]) -> None:
    backend = load_backend("torch-cuda")
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, y, w = (backend.asarray(rng.normal(size=(256, 33)), "float32") for _ in range(3))
    x.requires_grad_(True)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for reduction in ("none", "mean", "sum", "weighted_mean"):
            call(case, "loss", x, y, p, reduction=reduction, weight=w)
            call(case, "grad", x, y, p, reduction=reduction, weight=w)
        call(case, "loss", x, y, p).backward()
    finally:
        torch.cuda.set_sync_debug_mode("default")


@pytest.mark.slow
def test_cupy_evaluates_1e9_elements() -> None:
    backend = load_backend("cupy")
    cupy = backend.xp
    n = 10**9
    x = cupy.linspace(-2, 2, n, dtype=cupy.float32)
    zero = cupy.zeros(1, dtype=cupy.float32)
    got = float(rl.huber_loss(x, cupy.broadcast_to(zero, x.shape), reduction="mean"))
    assert abs(got - 7 / 12) < 1e-4
