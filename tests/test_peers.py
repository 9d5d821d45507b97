"""Live cross-checks against the peers that are installed, on fresh random inputs.

The reference file pins values once; these tests ask PyTorch, SciPy, optax and Keras again
on other data, in float32 and float64, so a disagreement on inputs the file lacks shows.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pytest

import robustloss as rl
from matrix import Backend

SHAPES = [(), (17,), (4, 5, 6)]
REDUCTIONS = ["none", "mean", "sum"]


def _random(shape: tuple[int, ...], dtype: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    y = (rng.standard_normal(shape) * 3).astype(dtype)
    return np.asarray(x), np.asarray(y)


def _tol(dtype: str) -> dict[str, float]:
    return {"rtol": 2e-6, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-13, "atol": 0}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{len(s)}d")
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("huber", {"delta": 0.7}),
        ("smooth_l1", {"beta": 1.3}),
        ("smooth_l1", {"beta": 0.0}),
        ("l1", {}),
        ("mse", {}),
    ],
    ids=["huber", "smooth_l1", "smooth_l1_beta0", "l1", "mse"],
)
def test_against_torch(
    backend: Backend,
    dtype: str,
    name: str,
    params: dict[str, float],
    shape: tuple[int, ...],
    reduction: str,
) -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    xn, yn = _random(shape, dtype, seed=len(shape))
    peer = getattr(F, f"{name}_loss")
    want = peer(torch.from_numpy(xn), torch.from_numpy(yn), reduction=reduction, **params)
    loss = getattr(rl, f"{name}_loss")
    got = loss(
        backend.asarray(xn, dtype), backend.asarray(yn, dtype), reduction=reduction, **params
    )
    np.testing.assert_allclose(backend.to_numpy(got), want.double().numpy(), **_tol(dtype))


test_against_torch.dtypes = ("float32", "float64")  # type: ignore[attr-defined]
# (half precision is covered by the reference matrix)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_weighted_reductions(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    xn, yn = _random((6, 7), dtype, seed=3)
    wn = np.random.default_rng(4).random((6, 7)).astype(dtype)
    x, y, w = (torch.from_numpy(a) for a in (xn, yn, wn))
    # PyTorch's weighted "mean" is N-normalised for huber_loss, weight-normalised for the rest
    pairs = [
        (rl.huber_loss(x, y, weight=w, delta=0.5), F.huber_loss(x, y, weight=w, delta=0.5)),
        (rl.mse_loss(x, y, reduction="weighted_mean", weight=w), F.mse_loss(x, y, weight=w)),
        (rl.l1_loss(x, y, reduction="weighted_mean", weight=w), F.l1_loss(x, y, weight=w)),
        (rl.l1_loss(x, y, reduction="sum", weight=w), F.l1_loss(x, y, reduction="sum", weight=w)),
    ]
    for got, want in pairs:
        torch.testing.assert_close(got, want, **_tol(dtype))


@pytest.mark.parametrize("delta", [0.1, 1.0, 4.0])
def test_huber_against_scipy(delta: float) -> None:
    special = pytest.importorskip("scipy.special")
    xn, yn = _random((1000,), "float64", seed=9)
    got = rl.huber_loss(xn, yn, reduction="none", delta=delta)
    np.testing.assert_allclose(got, special.huber(delta, xn - yn), rtol=1e-15, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_against_optax(dtype: str, delta: float) -> None:
    optax = pytest.importorskip("optax")
    jnp = pytest.importorskip("jax.numpy")
    xn, yn = _random((3, 50), dtype, seed=10)
    x, y = jnp.asarray(xn), jnp.asarray(yn)
    want = optax.huber_loss(x, y, delta=delta)
    got = rl.huber_loss(x, y, reduction="none", delta=delta)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), **_tol(dtype))


@pytest.fixture(scope="module")
def keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # import-time deprecations inside Keras' dependencies
        keras = pytest.importorskip("keras")
    return keras


@pytest.mark.parametrize(
    ("cls", "ours", "kw"),
    [
        ("Huber", rl.huber_loss, {"delta": 1.5}),
        ("MeanSquaredError", rl.mse_loss, {}),
        ("MeanAbsoluteError", rl.l1_loss, {}),
    ],
)
def test_against_keras_default_reduction(keras: Any, cls: str, ours: Any, kw: Any) -> None:
    # Keras' sum_over_batch_size of per-sample means over the last axis equals the mean over
    # all elements for equal-length rows; with a [batch] weight it is sum(w * l) / N too.
    # Keras computes in float32 (even when asked for float64), so compare in float32.
    xn, yn = _random((8, 5), "float32", seed=12)
    wn = np.random.default_rng(13).random(8).astype("float32")
    loss = getattr(keras.losses, cls)(**kw)
    want = float(loss(yn, xn))
    np.testing.assert_allclose(float(ours(xn, yn, **kw)), want, rtol=2e-6)
    want_w = float(loss(yn, xn, sample_weight=wn))
    got_w = ours(xn, yn, weight=wn[:, None], **kw)
    np.testing.assert_allclose(float(got_w), want_w, rtol=2e-6)
