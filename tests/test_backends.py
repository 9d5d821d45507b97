"""What each backend adds: autograd, jit, laziness, distribution, devices.

Gradients are checked against PyTorch's own losses and autograd, ``jax.grad`` and central
differences; none of the expected numbers comes from robustloss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import robustloss as rl
from support.cases import FAMILY, Case, call, params, paths
from support.lazy import no_compute, pickled_dask_arrays
from support.matrix import load_backend
from support.textbook import torch_rho

REDUCTIONS = ["none", "mean", "sum", "weighted_mean"]


def _kink(case: Case, p: dict[str, float], default: float) -> float:
    """The hyper-parameter residuals are measured in (the kinks sit there), or `default`."""
    return default if case.unit is None else p[case.unit]


#: every hyper-parameter set whose kink is exact in float32, so that `_data` puts
#: residuals exactly on it
ON_THE_KINKS = [
    param
    for param in params()
    if float(np.float32(_kink(*param.values, 1.0))) == _kink(*param.values, 1.0)
]


def _data(kink: float, dtype: str = "float64") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residuals that include 0 and +-kink exactly, plus random ones; a broadcast weight."""
    rng = np.random.default_rng(42)
    r = np.concatenate([[0.0, kink, -kink, 2 * kink + 0.25, -3.0], rng.normal(0, 2, 7)])
    r[:5] = r[:5] + 0.0  # -0.0 never appears
    y = rng.integers(-16, 17, r.size) / 8  # multiples of 1/8: x - y gives r back exactly
    x, y = (r + y).reshape(3, 4).astype(dtype), y.reshape(3, 4).astype(dtype)
    assert ((x - y).ravel()[:5] == r[:5]).all()
    return x, y, rng.random(4)


# --- PyTorch ------------------------------------------------------------------------------
def _torch_native(case: Case, reduction: str, x: Any, y: Any, w: Any, p: dict[str, float]) -> Any:
    """PyTorch's own loss with our reduction semantics (see docs/reference/semantics.md).

    ``F.smooth_l1_loss(beta=0)`` is PyTorch's L1 path; its gradient at r = 0 is
    ``sign(0) = 0``, the same as ours, so beta = 0 is compared like any other beta.
    """
    import torch.nn.functional as F

    name = case.name
    if name in FAMILY:  # in float64: the textbook formulas cancel in float32
        r = (x - y).double()
        none = torch_rho(name, p)(r).to(x.dtype) * (1.0 if w is None else w)
        if reduction == "none":
            return none
        if reduction == "weighted_mean" and w is not None:
            return none.sum() / w.expand_as(x).sum()
        return none.sum() if reduction == "sum" else none.mean()
    fn = getattr(F, case.torch)
    none = fn(x, y, reduction="none", **p) * (1.0 if w is None else w)
    if reduction == "none":
        return none
    if reduction == "sum":
        return none.sum()
    if w is not None and reduction == "mean" and name == "huber":
        return F.huber_loss(x, y, reduction="mean", weight=w.expand_as(x), **p)
    if w is not None and reduction == "weighted_mean" and name in ("l1", "mse"):
        return fn(x, y, reduction="mean", weight=w.expand_as(x))
    if reduction == "weighted_mean" and w is not None:
        return none.sum() / w.expand_as(x).sum()
    return none.mean()


@pytest.mark.parametrize("weighted", [False, True], ids=["no_weight", "weight"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("case", "p"), ON_THE_KINKS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_autograd(
    case: Case, p: dict[str, float], reduction: str, weighted: bool, dtype: str
) -> None:
    torch = pytest.importorskip("torch")
    xn, yn, wn = _data(_kink(case, p, 1.0), dtype)
    tdtype = getattr(torch, dtype)
    y, w = torch.tensor(yn), torch.tensor(wn, dtype=tdtype) if weighted else None
    kw = {"reduction": reduction, "weight": w}
    ours = torch.tensor(xn, requires_grad=True)
    theirs = torch.tensor(xn, requires_grad=True)
    out = call(case, "loss", ours, y, p, **kw)
    ref = _torch_native(case, reduction, theirs, y, w, p)
    rtol = 1e-6 if dtype == "float32" else 1e-12
    torch.testing.assert_close(out, ref, rtol=rtol, atol=1e-7)
    (out.sum() if reduction == "none" else out).backward()
    (ref.sum() if reduction == "none" else ref).backward()
    torch.testing.assert_close(ours.grad, theirs.grad, rtol=rtol, atol=1e-7)
    explicit = call(case, "grad", torch.tensor(xn), y, p, **kw)
    torch.testing.assert_close(explicit, theirs.grad, rtol=rtol, atol=1e-7)


def test_torch_gradient_at_the_kinks_by_hand() -> None:
    # r = 0, +-delta, beyond: huber psi = clip(r, -delta, delta); l1 and smooth_l1(beta=0)
    # sign(r), 0 at r = 0 (torch: F.l1_loss and F.smooth_l1_loss(beta=0) give 0 there too)
    torch = pytest.importorskip("torch")
    r = [0.0, 0.5, -0.5, 2.0, -2.0]
    cases = [
        (rl.huber_loss, {"delta": 0.5}, [0.0, 0.5, -0.5, 0.5, -0.5]),
        (rl.smooth_l1_loss, {"beta": 0.5}, [0.0, 1.0, -1.0, 1.0, -1.0]),
        (rl.smooth_l1_loss, {"beta": 0.0}, [0.0, 1.0, -1.0, 1.0, -1.0]),
        (rl.l1_loss, {}, [0.0, 1.0, -1.0, 1.0, -1.0]),
        (rl.mse_loss, {}, [0.0, 1.0, -1.0, 4.0, -4.0]),
    ]
    for loss, p, want in cases:
        x = torch.tensor(r, dtype=torch.float64, requires_grad=True)
        loss(x, torch.zeros(5, dtype=torch.float64), reduction="sum", **p).backward()
        assert x.grad is not None
        assert x.grad.tolist() == want, (loss, p)


def test_torch_half_precision_autograd() -> None:
    torch = pytest.importorskip("torch")
    x = torch.tensor([0.5, -2.0, 1.0], dtype=torch.bfloat16, requires_grad=True)
    out = rl.huber_loss(x, torch.zeros(3, dtype=torch.bfloat16), reduction="sum")
    out.backward()
    assert out.dtype == torch.bfloat16
    assert x.grad is not None
    assert x.grad.tolist() == [0.5, -1.0, 1.0]  # clip(r, -1, 1)


@pytest.mark.parametrize("name", ["torch", "torch-cuda"])
def test_torch_result_lives_on_the_input_device(name: str) -> None:
    backend = load_backend(name)
    x = backend.asarray([1.0, 2.0], "float32")
    for f in (rl.huber_loss, rl.mse_loss_grad):
        assert f(x, x * 0).device == x.device
    assert rl.l1_loss(x, x * 0, weight=2.0).device == x.device


# --- JAX ----------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("case", "p"), ON_THE_KINKS)
def test_jax_jit_and_grad(case: Case, p: dict[str, float], reduction: str) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    xn, yn, wn = _data(_kink(case, p, 1.0))
    x, y, w = jnp.asarray(xn), jnp.asarray(yn), jnp.asarray(wn)

    def f(a: Any, b: Any, c: Any) -> Any:
        return call(case, "loss", a, b, p, reduction=reduction, weight=c)

    eager = f(x, y, w)
    jitted = jax.jit(f)(x, y, w)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(eager), rtol=1e-14)
    g = jax.jit(lambda a, b, c: call(case, "grad", a, b, p, reduction=reduction, weight=c))(x, y, w)
    # atol: autograd through Tukey's polynomials at r = c gives 1e-16 where psi is 0
    tol = {"rtol": 1e-13, "atol": 4e-16}
    if reduction != "none":
        np.testing.assert_allclose(np.asarray(jax.grad(f)(x, y, w)), np.asarray(g), **tol)
        np.testing.assert_allclose(np.asarray(jax.jit(jax.grad(f))(x, y, w)), np.asarray(g), **tol)
    else:
        vjp = jax.grad(lambda a: f(a, y, w).sum())(x)
        np.testing.assert_allclose(np.asarray(vjp), np.asarray(g), **tol)


def test_jax_jit_of_loss_objects_and_static_argnames() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x, y = jnp.asarray([0.0, 0.5, -2.0, 3.0]), jnp.zeros(4)
    loss = rl.HuberLoss(reduction="sum", delta=0.5)
    # by hand: 0, 0.125, 0.5 (2 - 0.25), 0.5 (3 - 0.25)
    assert float(jax.jit(loss)(x, y)) == 0.125 + 0.875 + 1.375
    assert jax.jit(loss.grad)(x, y).tolist() == [0.0, 0.5, -0.5, 0.5]
    f = jax.jit(rl.smooth_l1_loss, static_argnames=("reduction", "beta"))
    assert float(f(x, y, reduction="sum", beta=0.0)) == 5.5
    assert jax.grad(lambda a: loss(a, y))(x).tolist() == [0.0, 0.5, -0.5, 0.5]


def test_jax_jit_with_python_scalar_weight() -> None:
    jax = pytest.importorskip("jax")
    f = jax.jit(lambda a, b: rl.mse_loss(a, b, reduction="sum", weight=0.5))
    assert float(f(jax.numpy.ones(4), jax.numpy.zeros(4))) == 2.0


# --- Dask ---------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("case", "p"), ON_THE_KINKS)
def test_dask_stays_lazy(case: Case, p: dict[str, float], reduction: str) -> None:
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    xn, yn, wn = _data(_kink(case, p, 1.0))
    x, y = da.from_array(xn, chunks=(2, 3)), da.from_array(yn, chunks=(2, 3))
    w = da.from_array(wn, chunks=2)
    with dask.config.set(scheduler=no_compute):
        out = call(case, "loss", x, y, p, reduction=reduction, weight=w)
        g = call(case, "grad", x, y, p, reduction=reduction, weight=w)
    assert isinstance(out, da.Array)
    assert isinstance(g, da.Array)
    assert g.numblocks[1] > 1  # still in blocks, not gathered into one
    want = call(case, "loss", xn, yn, p, reduction=reduction, weight=wn)
    np.testing.assert_allclose(out.compute(scheduler="sync"), want, rtol=1e-14)
    want_g = call(case, "grad", xn, yn, p, reduction=reduction, weight=wn)
    np.testing.assert_allclose(g.compute(scheduler="sync"), want_g, rtol=1e-14)


def test_dask_objects_stay_lazy() -> None:
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    xn, yn, wn = _data(0.5)
    x, y, w = da.from_array(xn, chunks=2), da.from_array(yn, chunks=2), da.from_array(wn)
    objects = [rl.HuberLoss(delta=0.5), rl.SmoothL1Loss(beta=0.5), rl.L1Loss(), rl.MSELoss()]
    with dask.config.set(scheduler=no_compute):
        lazy = [(f(x, y, w), f.grad(x, y, w)) for f in objects]
    for f, (out, g) in zip(objects, lazy, strict=True):
        assert isinstance(out, da.Array)
        assert isinstance(g, da.Array)
        np.testing.assert_allclose(out.compute(scheduler="sync"), f(xn, yn, wn), rtol=1e-14)
        np.testing.assert_allclose(g.compute(scheduler="sync"), f.grad(xn, yn, wn), rtol=1e-14)


@pytest.mark.parametrize(("case", "p"), paths())
def test_dask_graph_building_never_pickles_the_inputs(
    case: Case, p: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    da = pytest.importorskip("dask.array")
    pickled = pickled_dask_arrays(monkeypatch)
    x = da.random.random((12,), chunks=4)
    y, w = da.zeros_like(x), da.ones_like(x)
    for reduction in REDUCTIONS:
        call(case, "loss", x, y, p, reduction=reduction, weight=w)
        call(case, "grad", x, y, p, reduction=reduction)
    getattr(rl.weights, case.name)(x, **p)
    assert pickled == []


def test_dask_unknown_chunk_sizes() -> None:
    da = pytest.importorskip("dask.array")
    xn = np.arange(10.0)
    x = da.from_array(xn, chunks=3)
    x = x[x > -1]  # same values, chunk sizes unknown until computed
    assert np.isnan(x.shape[0])
    got = rl.mse_loss(x, x * 0)
    assert float(got.compute(scheduler="sync")) == float(np.mean(xn**2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_dask_unknown_chunk_sizes_with_weights(reduction: str) -> None:
    da = pytest.importorskip("dask.array")
    xn = np.arange(-4.0, 6.0)
    x = da.from_array(xn, chunks=3)
    x = x[x > -100]  # chunk sizes unknown until computed
    for w, wn in [(2.0, 2.0), (da.from_array(np.asarray([3.0])), 3.0)]:
        got = rl.l1_loss(x, x * 0, reduction=reduction, weight=w)
        g = rl.l1_loss_grad(x, x * 0, reduction=reduction, weight=w)
        # by hand: |r| w, sign(r) w, over N = 10 or sum(w) = 10 w
        den = {"none": 1.0, "sum": 1.0, "mean": 10.0, "weighted_mean": 10.0 * wn}[reduction]
        want = np.abs(xn) * wn / den
        want_g = np.sign(xn) * wn / den
        if reduction != "none":
            want = want.sum()
        np.testing.assert_allclose(got.compute(scheduler="sync"), want, rtol=1e-15)
        np.testing.assert_allclose(g.compute(scheduler="sync"), want_g, rtol=1e-15)


def test_dask_unknown_empty_mean_is_nan_without_warning() -> None:
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.arange(6.0), chunks=2)
    e = x[x > 100]  # empty, but dask only knows once computed
    assert np.isnan(e.shape[0])
    for f in (rl.huber_loss, rl.smooth_l1_loss, rl.l1_loss, rl.mse_loss):
        assert np.isnan(f(e, e).compute(scheduler="sync"))
        assert np.isnan(f(e, e, reduction="weighted_mean", weight=2.0).compute(scheduler="sync"))
        assert f(e, e, reduction="sum").compute(scheduler="sync") == 0.0


def test_dask_distributed_local_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(5)
    xn, yn = rng.normal(size=(400, 30)), rng.normal(size=(400, 30))
    x, y = da.from_array(xn, chunks=(100, 30)), da.from_array(yn, chunks=(100, 30))
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lazy = rl.huber_loss(x, y, delta=0.5)
        assert isinstance(lazy, da.Array)
        got = client.compute(lazy).result()
        got_default = lazy.compute()  # the client is the default scheduler here
    assert client.status == "closed"
    assert cluster.status.name == "closed"
    assert got_default == got
    r = np.abs(xn - yn)
    want = np.where(r <= 0.5, 0.5 * r**2, 0.5 * (r - 0.25)).mean()  # by the definition
    np.testing.assert_allclose(got, want, rtol=1e-13)


# --- central differences ------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True], ids=["no_weight", "weight"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("case", "p"), params())
def test_reduced_grad_is_a_central_difference(
    case: Case, p: dict[str, float], reduction: str, weighted: bool
) -> None:
    """Each reduction's gradient, weighted and not, by central differences (NumPy)."""
    rng = np.random.default_rng(11)
    # keep residuals away from the kinks (0 and +-parameter) by more than the step
    r = rng.choice([-1, 1], 12) * rng.uniform(0.05, 3.0, 12)
    kink = _kink(case, p, 0.0)
    r = np.where(np.abs(np.abs(r) - kink) < 0.01, r + 0.05, r)
    y = rng.normal(size=12)
    x = r + y
    w = rng.random(12) if weighted else None
    h = 1e-6
    kw = {"reduction": reduction, "weight": w}
    g = call(case, "grad", x, y, p, **kw)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        fd = (call(case, "loss", x + e, y, p, **kw) - call(case, "loss", x - e, y, p, **kw)) / (
            2 * h
        )
        if reduction == "none":  # element i depends on input i only
            fd = fd[i]
        np.testing.assert_allclose(g[i], fd, rtol=1e-6, atol=1e-9)
