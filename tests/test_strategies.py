"""Every evaluation strategy equals the plain generic path, on every loss definition.

``robustloss.fast_paths(False)`` gives the generic Array API composition; each test
computes the same call both ways. Also: the NumPy strategy's memory bound, PyTorch's
native kernels and psi-backed autograd, the JAX cache, Dask's laziness, and the switch.
"""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
import warnings
from typing import Any

import numpy as np
import pytest

import robustloss as rl
from robustloss import _strategies
from robustloss._strategies import jax_jit, torch_kernels
from support.cases import CASES, NAMES, Case, call, paths
from support.cases import weight as irls_weight
from support.lazy import no_compute
from support.matrix import Backend

REDUCTIONS = ["none", "mean", "sum", "weighted_mean"]
BLOCK = _strategies.BLOCK
#: every definition, with hyper-parameters that exercise its special paths
PATHS = paths()


def _call(case: Case, params: dict[str, float], *args: Any, grad: bool = False, **kw: Any) -> Any:
    return call(case, "grad" if grad else "loss", *args, params, **kw)


def _both(case: Case, params: dict[str, float], *args: Any, **kw: Any) -> tuple[Any, Any]:
    fast = _call(case, params, *args, **kw)
    with rl.fast_paths(False):
        generic = _call(case, params, *args, **kw)
    return fast, generic


def _inputs(size: int, dtype: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(size) * 3).astype(dtype)
    y = (rng.standard_normal(size) * 3).astype(dtype)
    return x, y, rng.uniform(0, 2, size).astype(dtype)


def _tol(dtype: str) -> dict[str, float]:
    # different summation orders; float32 sums of 1e5 terms differ by ~1e-6 relative
    return {"rtol": 2e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-14}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("case", "params"), PATHS)
def test_strategy_equals_generic(
    backend: Backend, dtype: str, case: Case, params: dict[str, float], reduction: str
) -> None:
    xn, yn, wn = _inputs(17 * 2000, "float64")  # a block and a bit; JAX compiles
    assert xn.size > max(BLOCK, _strategies.JAX_MIN_SIZE)
    if dtype in ("float16", "bfloat16"):  # keep the sums within float16's range
        xn, yn = xn / 64, yn / 64
    shapes = [xn.reshape(-1, 17)[:, :], xn]  # 2-d and 1-d
    for xs in shapes:
        x = backend.asarray(xs, dtype)
        y = backend.asarray(yn.reshape(xs.shape), dtype)
        for w in (None, backend.asarray(wn.reshape(xs.shape), dtype)):
            fast, generic = _both(case, params, x, y, reduction=reduction, weight=w)
            assert fast.dtype == generic.dtype
            assert tuple(fast.shape) == tuple(generic.shape)
            rtol = {"float16": 2e-3, "bfloat16": 1.6e-2}.get(dtype)
            tol = _tol(dtype) if rtol is None else {"rtol": rtol, "atol": 1e-3}
            np.testing.assert_allclose(backend.to_numpy(fast), backend.to_numpy(generic), **tol)
            g_fast, g_generic = (
                _call(case, params, x, y, grad=True, reduction=reduction, weight=w),
                None,
            )
            with rl.fast_paths(False):
                g_generic = _call(case, params, x, y, grad=True, reduction=reduction, weight=w)
            np.testing.assert_allclose(backend.to_numpy(g_fast), backend.to_numpy(g_generic), **tol)


test_strategy_equals_generic.dtypes = ("float16", "bfloat16", "float32", "float64")  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5])
@pytest.mark.parametrize("reduction", ["mean", "sum", "weighted_mean"])
def test_numpy_blocks_at_their_edges(size: int, reduction: str) -> None:
    x, y, w = _inputs(size, "float64", seed=size)
    for case, params in (p.values for p in PATHS):
        for weight in (None, w, w[:1], 0.5):
            fast, generic = _both(case, params, x, y, reduction=reduction, weight=weight)
            np.testing.assert_allclose(fast, generic, rtol=1e-12, atol=1e-300, equal_nan=True)
            assert type(fast) is type(generic)


def test_numpy_strided_read_only_and_broadcast_weights() -> None:
    x, y, w = _inputs(6 * BLOCK, "float32", seed=9)
    xs = x.reshape(3, -1)[:, ::-2]  # negative stride, not contiguous
    ys = y.reshape(3, -1)[:, 1::2]
    xs.flags.writeable = False
    wb = w[: xs.shape[1]]  # broadcasts over the rows
    before = (xs.copy(), ys.copy(), wb.copy())
    for reduction in ("mean", "sum", "weighted_mean"):
        for case, params in (p.values for p in PATHS):
            fast, generic = _both(case, params, xs, ys, reduction=reduction, weight=wb)
            np.testing.assert_allclose(fast, generic, **_tol("float32"))
    for a, b in zip((xs, ys, wb), before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("case", "params"), PATHS)
def test_numpy_memory_is_bounded(case: Case, params: dict[str, float]) -> None:
    x, y, _ = _inputs(10**7, "float32", seed=1)
    for reduction in ("mean", "sum"):
        tracemalloc.start()
        try:
            _call(case, params, x, y, reduction=reduction)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= 16 * 2**20, f"{case.name} {reduction}: {peak / 2**20:.1f} MiB"


# --- PyTorch -------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("case", "params"), PATHS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_forward_and_backward_equal_generic(
    case: Case, params: dict[str, float], reduction: str, dtype: str
) -> None:
    torch = pytest.importorskip("torch")
    xn, yn, _ = _inputs(1000, dtype, seed=3)
    results = []
    for enabled in (True, False):
        x = torch.tensor(xn, requires_grad=True)
        y = torch.tensor(yn, requires_grad=True)
        with rl.fast_paths(enabled):
            out = _call(case, params, x, y, reduction=reduction)
        (out.sum() if reduction == "none" else out).backward()
        assert x.grad is not None
        assert y.grad is not None
        results.append((out.detach().numpy(), x.grad.numpy(), y.grad.numpy()))
    for fast, generic in zip(*results, strict=True):
        np.testing.assert_allclose(fast, generic, **_tol(dtype))


def test_torch_uses_its_native_kernels_and_psi_backward() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(100, requires_grad=True)
    y = torch.randn(100)
    assert "HuberLoss" in type(rl.huber_loss(x, y).grad_fn).__name__
    assert "SmoothL1" in type(rl.smooth_l1_loss(x, y, beta=0.5).grad_fn).__name__
    assert "Mse" in type(rl.mse_loss(x, y).grad_fn).__name__
    # other losses: one custom node holding r, not a node per step of the composition
    out = rl.tukey_loss(x, y, reduction="none")
    assert "Rho" in type(out.grad_fn).__name__
    with rl.fast_paths(False):
        assert "Rho" not in type(rl.tukey_loss(x, y, reduction="none").grad_fn).__name__


NATIVE_CALLS = [
    ("huber_loss", {"delta": 0.75}),
    ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}),
    ("l1_loss", {}),
    ("mse_loss", {}),
]


def _checked_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls that go through the full checks (``prepare``)."""
    from robustloss import _engine

    count = [0]
    prepare = _engine.prepare

    def counting(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return prepare(*args, **kwargs)

    monkeypatch.setattr(_engine, "prepare", counting)
    return count


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "weighted_mean", None])
@pytest.mark.parametrize(("name", "params"), NATIVE_CALLS)
def test_torch_lane_repeats_a_checked_native_call_bit_for_bit(
    name: str,
    params: dict[str, float],
    reduction: str | None,
    dtype: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    torch = pytest.importorskip("torch")
    fn = getattr(rl, name)
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(40, 3, dtype=getattr(torch, dtype), generator=gen, requires_grad=True)
    y = torch.randn(40, 3, dtype=getattr(torch, dtype), generator=gen)
    monkeypatch.setattr(torch_kernels, "_PLANS", {})  # nothing remembered by an earlier test
    checked = _checked_calls(monkeypatch)
    first = fn(x, y, reduction=reduction, **params)
    (g1,) = torch.autograd.grad(first.sum(), x)
    again = fn(x, y, reduction=reduction, **params)
    (g2,) = torch.autograd.grad(again.sum(), x)
    assert checked[0] == 1  # the second call took the lane
    assert torch.equal(first, again)
    assert torch.equal(g1, g2)
    with rl.fast_paths(False):
        generic = fn(x, y, reduction=reduction, **params)
    torch.testing.assert_close(again, generic, rtol=1e-6 if dtype == "float32" else 1e-14, atol=0)


def test_torch_lane_keeps_every_check_and_error(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    x, y = torch.randn(6, dtype=torch.float64), torch.randn(6, dtype=torch.float64)
    rl.huber_loss(x, y, delta=1.0)  # remembered
    checked = _checked_calls(monkeypatch)
    with pytest.raises(ValueError, match="same shape"):
        rl.huber_loss(x, y[:5], delta=1.0)
    with pytest.raises(TypeError):
        rl.huber_loss(x, y, delta=True)  # equal to 1.0 as a key, but not a float
    with pytest.raises(TypeError):
        rl.huber_loss(x, y.numpy(), delta=1.0)
    with pytest.raises(ValueError, match="delta"):
        rl.huber_loss(x, y, delta=float("nan"))
    with pytest.raises(ValueError, match="reduction"):
        rl.huber_loss(x, y, reduction="avg")
    empty = torch.zeros(0, dtype=torch.float64)
    assert torch.isnan(rl.huber_loss(empty, empty, delta=1.0))  # our rule, not the kernel's
    before = checked[0]
    rl.huber_loss(x, y, delta=1.0)
    assert checked[0] == before
    with rl.fast_paths(False):
        rl.huber_loss(x, y, delta=1.0)
    assert checked[0] == before + 1


@pytest.mark.filterwarnings("ignore:Dynamo detected a call to a `functools.lru_cache`")
def test_torch_compile_fullgraph_after_the_lane_remembers() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(32, dtype=torch.float64, requires_grad=True)
    y = torch.randn(32, dtype=torch.float64)

    def step(a: Any, b: Any) -> Any:
        return rl.huber_loss(a, b, delta=0.5) + rl.mse_loss(a, b) + rl.l1_loss(a, b)

    want = step(x, y)
    step(x, y)  # remembered: the second eager call takes the lane
    torch._dynamo.reset()
    compiled = torch.compile(step, fullgraph=True, dynamic=False, backend="aot_eager")
    got = compiled(x, y)
    torch.testing.assert_close(got, want, rtol=1e-14, atol=0)
    (g,) = torch.autograd.grad(got, x)
    (g_want,) = torch.autograd.grad(step(x, y), x)
    torch.testing.assert_close(g, g_want, rtol=1e-14, atol=0)


def test_torch_second_derivatives_through_the_psi_backward() -> None:
    torch = pytest.importorskip("torch")
    x = torch.tensor([0.3, -1.2, 2.5], dtype=torch.float64, requires_grad=True)
    y = torch.zeros(3, dtype=torch.float64)
    (g,) = torch.autograd.grad(rl.log_cosh_loss(x, y, reduction="sum"), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 1 - np.tanh(x.detach().numpy()) ** 2, rtol=1e-14)


def test_torch_compile_and_func_grad() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(50, dtype=torch.float64)
    y = torch.zeros(50, dtype=torch.float64)
    g = torch.func.grad(lambda a: rl.cauchy_loss(a, y))(x)
    with rl.fast_paths(False):
        want = torch.func.grad(lambda a: rl.cauchy_loss(a, y))(x)
    torch.testing.assert_close(g, want)


# --- JAX -----------------------------------------------------------------------------------
def test_jax_strategy_is_cached_and_works_under_jit_and_grad() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    n = _strategies.JAX_MIN_SIZE
    x, y = jnp.linspace(-3, 3, n), jnp.zeros(n)
    before = jax_jit._compiled.cache_info().misses
    rl.pseudo_huber_loss(x, y, delta=0.25)
    rl.pseudo_huber_loss(x + 1, y, delta=0.25)
    assert jax_jit._compiled.cache_info().misses == before + 1
    f = jax.jit(jax.grad(lambda a: rl.pseudo_huber_loss(a, y, delta=0.25)))
    with rl.fast_paths(False):
        want = jax.grad(lambda a: rl.pseudo_huber_loss(a, y, delta=0.25))(x)
    np.testing.assert_allclose(np.asarray(f(x)), np.asarray(want), rtol=1e-14)


@pytest.mark.parametrize(("case", "params"), PATHS)
def test_jax_strategy_compiles_the_residual_faces_too(case: Case, params: dict[str, float]) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    z = jnp.linspace(-5.0, 5.0, _strategies.JAX_MIN_SIZE + 1)
    obj = getattr(rl, case.object)(**params)
    weight = getattr(rl.weights, case.name)
    before = jax_jit._compiled.cache_info().misses
    fast = [weight(z, **params), obj.rho(z), obj.psi(z), obj.psi_deriv(z)]
    assert jax_jit._compiled.cache_info().misses == before + 4
    with rl.fast_paths(False):
        generic = [weight(z, **params), obj.rho(z), obj.psi(z), obj.psi_deriv(z)]
    for f, g in zip(fast, generic, strict=True):
        np.testing.assert_allclose(np.asarray(f), np.asarray(g), rtol=1e-6, atol=1e-30)


@pytest.mark.parametrize("what", ["loss", "grad"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "weighted_mean"])
@pytest.mark.parametrize(("case", "params"), PATHS)
def test_jax_lane_repeats_a_checked_compiled_call_bit_for_bit(
    case: Case,
    params: dict[str, float],
    reduction: str,
    what: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = jnp.linspace(-4.0, 4.0, _strategies.JAX_MIN_SIZE + 3)
    y = jnp.cos(x)
    monkeypatch.setattr(jax_jit, "_PLANS", {})  # nothing remembered by an earlier test
    checked = _checked_calls(monkeypatch)
    first = call(case, what, x, y, params, reduction=reduction)
    again = call(case, what, x, y, params, reduction=reduction)
    assert checked[0] == 1  # the second call took the lane
    np.testing.assert_array_equal(np.asarray(first), np.asarray(again))
    small = call(case, what, x[:10], y[:10], params, reduction=reduction)  # eager: checked
    assert checked[0] == 2
    with rl.fast_paths(False):
        want = call(case, what, x[:10], y[:10], params, reduction=reduction)
    np.testing.assert_array_equal(np.asarray(small), np.asarray(want))


def test_jax_lane_keeps_every_check_and_error(monkeypatch: pytest.MonkeyPatch) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    n = _strategies.JAX_MIN_SIZE
    x, y = jnp.linspace(-3.0, 3.0, n), jnp.zeros(n)
    rl.cauchy_loss(x, y, scale=2.0)  # remembered
    with pytest.raises(ValueError, match="same shape"):
        rl.cauchy_loss(x, y[1:], scale=2.0)
    with pytest.raises(TypeError):
        rl.cauchy_loss(x, np.zeros(n), scale=2.0)
    with pytest.raises(ValueError, match="scale"):
        rl.cauchy_loss(x, y, scale=-2.0)
    checked = _checked_calls(monkeypatch)
    f = jax.jit(lambda a: rl.cauchy_loss(a, y, scale=2.0))  # tracers: the checked path
    np.testing.assert_allclose(np.asarray(f(x)), np.asarray(rl.cauchy_loss(x, y, scale=2.0)))
    assert checked[0] == 1
    g = jax.grad(lambda a: rl.cauchy_loss(a, y, scale=2.0))(x)
    with rl.fast_paths(False):
        want = jax.grad(lambda a: rl.cauchy_loss(a, y, scale=2.0))(x)
    np.testing.assert_allclose(np.asarray(g), np.asarray(want), rtol=1e-6)


# --- Dask ----------------------------------------------------------------------------------
def test_dask_strategy_is_one_task_per_block_and_lazy() -> None:
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    xn, yn, _ = _inputs(4000, "float64")
    x, y = da.from_array(xn, chunks=500), da.from_array(yn, chunks=500)
    with dask.config.set(scheduler=no_compute):
        fast = rl.general_loss(x, y, 0.5, reduction="none")
        with rl.fast_paths(False):
            generic = rl.general_loss(x, y, 0.5, reduction="none")
    assert len(fast.dask) < len(generic.dask) / 4
    np.testing.assert_allclose(fast.compute(scheduler="sync"), generic.compute(scheduler="sync"))


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_dask_tasks_are_named_after_the_loss(case: Case) -> None:
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.linspace(-3.0, 3.0, 8), chunks=4)
    p = case.paths[0]
    names = {
        "value": call(case, "loss", x, 0 * x, p, reduction="mean"),
        "grad": call(case, "grad", x, 0 * x, p, reduction="sum"),
        "weight": irls_weight(case, x, p),
    }
    suffix = {"value": "_loss", "grad": "_loss_grad", "weight": "_weight"}
    for what, out in names.items():
        prefix = case.name + suffix[what]
        assert out.name.startswith(f"{prefix}-astype-"), out.name
        layers = {str(k).split("-")[0] for k in out.dask.layers}
        assert prefix in layers, layers
        assert not any(name.startswith("quiet") for name in layers), layers


def test_dask_does_not_warn_when_computed() -> None:
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.asarray([1e308, -1e308, 0.0]), chunks=2)
    out = rl.mse_loss(x, da.zeros_like(x), reduction="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(out.compute(scheduler="sync")[:2]).all()


# --- the switch ----------------------------------------------------------------------------
def test_the_switch_is_scoped_and_typed() -> None:
    assert rl.fast_paths_enabled()
    with rl.fast_paths(False):
        assert not rl.fast_paths_enabled()
        with rl.fast_paths(True):
            assert rl.fast_paths_enabled()
        assert not rl.fast_paths_enabled()
    assert rl.fast_paths_enabled()
    with pytest.raises(TypeError, match="bool"), rl.fast_paths("no"):  # type: ignore[arg-type]
        pass


def test_the_environment_variable_turns_it_off() -> None:
    code = "import robustloss; print(robustloss.fast_paths_enabled())"
    env = {"ROBUSTLOSS_FAST_PATHS": "0", "PATH": ""}
    import os

    env = {**os.environ, **env}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
