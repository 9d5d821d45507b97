"""Live cross-checks against the peers that are installed, on fresh seeded random inputs.

The reference file pins values once, on exact inputs; these tests ask PyTorch, SciPy,
optax and Keras again on other (random, inexact) data, in float32 and float64, so that a
disagreement on inputs the file lacks shows. Each peer is skipped where it is missing.
The expected numbers come from the peer, never from robustloss; float32 results are
compared with the peer evaluated in float64 on the same (float32) values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import robustloss as rl
from support.assertions import TOLERANCES, assert_close
from support.cases import BY_NAME, TORCH_NATIVE, Case, call, function, params
from support.matrix import Backend

OWN_MATRIX = True  # the backends here are the ones PyTorch's tensors convert to
TORCH_BACKENDS = ["numpy", "torch", "torch-cuda"]
DTYPES = ["float32", "float64"]
SHAPES = [(), (17,), (4, 5, 6)]


def _random(shape: tuple[int, ...], dtype: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Input and target; residuals of a few units, so both Huber branches are hit."""
    rng = np.random.default_rng(seed)
    x = np.asarray(rng.standard_normal(shape) * 2.0, dtype=dtype)
    y = np.asarray(rng.standard_normal(shape) * 2.0, dtype=dtype)
    return x, y


def _close(got: Any, want: Any, dtype: str, what: str) -> None:
    """Within the reference tolerance of `dtype` (absolute 1e-6 / 1e-15 near zero)."""
    rtol, atol = TOLERANCES[dtype]
    assert_close(
        got, want, rtol=rtol, atol=max(atol, 1e-6 if dtype == "float32" else 1e-15), what=what
    )


def _torch_peer(
    case: Case,
    params: dict[str, float],
    xn: np.ndarray,
    yn: np.ndarray,
    reduction: str,
    weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """torch.nn.functional's loss in float64 and its torch.autograd gradient."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    x = torch.tensor(xn, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(yn, dtype=torch.float64)
    kw: dict[str, Any] = {"reduction": reduction, **params}
    if weight is not None:  # PyTorch wants the weight at the input's size
        kw["weight"] = torch.broadcast_to(torch.tensor(weight, dtype=torch.float64), x.shape)
    value = getattr(F, case.torch)(x, y, **kw)
    (value.sum() if reduction == "none" else value).backward()
    assert x.grad is not None
    return value.detach().numpy(), x.grad.numpy()


def _ours(
    backend: Backend,
    dtype: str,
    case: Case,
    params: dict[str, float],
    xn: np.ndarray,
    yn: np.ndarray,
    reduction: str,
    weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """robustloss's value and gradient on `backend`, checked for dtype and shape."""
    x, y = backend.asarray(xn, dtype), backend.asarray(yn, dtype)
    w = None if weight is None else backend.asarray(weight, dtype)
    kw = {"reduction": reduction, "weight": w}
    value = call(case, "loss", x, y, params, **kw)
    grad = call(case, "grad", x, y, params, **kw)
    assert value.dtype == backend.dtype(dtype)
    assert grad.dtype == backend.dtype(dtype)
    assert tuple(value.shape) == (xn.shape if reduction == "none" else ())
    assert tuple(grad.shape) == xn.shape
    got_value, got_grad = backend.to_numpy_all(value, grad)
    return got_value, got_grad


# --- PyTorch -------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", TORCH_BACKENDS, indirect=True)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{len(s)}d")
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(("case", "params"), params(TORCH_NATIVE))
def test_against_torch(
    backend: Backend,
    dtype: str,
    case: Case,
    params: dict[str, float],
    shape: tuple[int, ...],
    reduction: str,
) -> None:
    xn, yn = _random(shape, dtype, seed=len(shape))
    want_value, want_grad = _torch_peer(case, params, xn, yn, reduction)
    got_value, got_grad = _ours(backend, dtype, case, params, xn, yn, reduction)
    _close(got_value, want_value, dtype, "value")
    _close(got_grad, want_grad, dtype, "grad vs torch.autograd")


#: (loss, our reduction, PyTorch's reduction with weight=): where PyTorch's weighted
#: semantics are ours. Its huber_loss 'mean' divides by N, its l1_loss / mse_loss 'mean'
#: by sum(w), which is our 'weighted_mean'.
WEIGHTED = [
    ("huber", "none", "none"),
    ("huber", "sum", "sum"),
    ("huber", "mean", "mean"),
    ("l1", "none", "none"),
    ("l1", "sum", "sum"),
    ("l1", "weighted_mean", "mean"),
    ("mse", "none", "none"),
    ("mse", "sum", "sum"),
    ("mse", "weighted_mean", "mean"),
]


@pytest.mark.parametrize("backend", TORCH_BACKENDS, indirect=True)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("wshape", [(4, 5, 6), (5, 1), ()], ids=["full", "5x1", "scalar"])
@pytest.mark.parametrize(
    ("name", "ours", "theirs"), WEIGHTED, ids=[f"{a}-{b}" for a, b, _ in WEIGHTED]
)
def test_weighted_against_torch(
    backend: Backend, dtype: str, wshape: tuple[int, ...], name: str, ours: str, theirs: str
) -> None:
    xn, yn = _random((4, 5, 6), dtype, seed=3)
    wn = np.asarray(np.random.default_rng(4).random(wshape) * 2, dtype=dtype)
    params = {"delta": 0.7} if name == "huber" else {}
    case = BY_NAME[name]
    want_value, want_grad = _torch_peer(case, params, xn, yn, theirs, weight=wn)
    got_value, got_grad = _ours(backend, dtype, case, params, xn, yn, ours, weight=wn)
    _close(got_value, want_value, dtype, "value")
    _close(got_grad, want_grad, dtype, "grad vs torch.autograd")


def test_torch_weighted_means_differ_from_each_other() -> None:
    # The reason 'weighted_mean' exists: PyTorch's huber 'mean' is sum(w*l)/N, its mse
    # 'mean' sum(w*l)/sum(w). If PyTorch ever unifies them, the table above must change.
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    x, y = torch.zeros(4, dtype=torch.float64), torch.full((4,), 0.5, dtype=torch.float64)
    w = torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=torch.float64)
    assert float(F.huber_loss(x, y, weight=w)) == 0.125 * 2 / 4
    assert float(F.mse_loss(x, y, weight=w)) == 0.25 * 2 / 2
    assert float(F.l1_loss(x, y, weight=w)) == 0.5 * 2 / 2


# --- SciPy and optax -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("delta", [0.1, 1.0, 4.0])
def test_huber_against_scipy(dtype: str, delta: float) -> None:
    special = pytest.importorskip("scipy.special")
    xn, yn = _random((1000,), dtype, seed=9)
    got = rl.huber_loss(xn, yn, reduction="none", delta=delta)
    assert got.dtype == np.dtype(dtype)
    want = special.huber(delta, xn.astype(np.float64) - yn.astype(np.float64))
    _close(got, want, dtype, "scipy.special.huber")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_against_optax(dtype: str, delta: float) -> None:
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    xn, yn = _random((3, 50), dtype, seed=10)
    x, y = jnp.asarray(xn), jnp.asarray(yn)
    got = rl.huber_loss(x, y, reduction="none", delta=delta)
    assert isinstance(got, jax.Array)
    assert got.dtype == x.dtype
    x64, y64 = jnp.asarray(xn, jnp.float64), jnp.asarray(yn, jnp.float64)
    _close(got, optax.huber_loss(x64, y64, delta=delta), dtype, "optax.huber_loss")
    # and the gradient of the sum against jax.grad through optax
    want_grad = jax.grad(lambda a: jnp.sum(optax.huber_loss(a, y64, delta=delta)))(x64)
    got_grad = rl.huber_loss_grad(x, y, reduction="sum", delta=delta)
    _close(got_grad, want_grad, dtype, "jax.grad of optax.huber_loss")


# --- Keras 3 -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cls", "name", "params"),
    [
        ("Huber", "huber", {"delta": 1.5}),
        ("Huber", "huber", {}),
        ("MeanSquaredError", "mse", {}),
        ("MeanAbsoluteError", "l1", {}),
    ],
    ids=["huber-delta1.5", "huber", "mse", "mae"],
)
def test_against_keras_default_reduction(keras: Any, cls: str, name: str, params: Any) -> None:
    # Keras' default 'sum_over_batch_size' of per-sample means over the last axis is the
    # mean over all elements for equal-length rows; with a [batch] sample_weight it is
    # sum(w * l) / N, i.e. our 'mean' with the weight as a column.
    # Keras computes in float32, even given float64 inputs and dtype="float64" (its
    # ops.mean promotes float64 with "float32" to float32), so the tolerance is float32's.
    xn, yn = _random((8, 5), "float64", seed=12)
    wn = np.random.default_rng(13).random(8)
    loss = getattr(keras.losses, cls)(**params)
    assert loss.reduction == "sum_over_batch_size"
    ours = function(BY_NAME[name])
    want = np.asarray(loss(yn, xn))  # Keras' order: (y_true, y_pred)
    got = ours(xn, yn, **params)
    assert got.dtype == np.float64
    _close(got, want, "float32", f"keras.losses.{cls}")
    want_w = np.asarray(loss(yn, xn, sample_weight=wn))
    got_w = ours(xn, yn, weight=wn[:, None], **params)
    _close(got_w, want_w, "float32", f"keras.losses.{cls} with sample_weight")
