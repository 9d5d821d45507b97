"""``robustloss.keras`` against Keras 3 itself, on every backend.

Expected numbers come from Keras (run live, on its JAX backend, in float32), from the
tf.keras documentation and Keras' docstrings (each worked out by hand below), and, where
Keras 3 fails (``[batch_size]`` weights for inputs of rank 3), from Keras' own per-sample
losses weighted and reduced by hand in NumPy float64. Never from robustloss.
"""

from __future__ import annotations

import json
import math
import pickle
from typing import Any

import numpy as np
import pytest

import robustloss.keras as rk
from support.assertions import assert_close
from support.matrix import Backend

DTYPES = ["float32", "float64"]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]
#: our class -> (Keras class name, Keras function name, hyper-parameters)
CLASSES: dict[str, tuple[type[rk.KerasLoss], str, dict[str, float]]] = {
    "huber": (rk.Huber, "huber", {"delta": 0.8}),
    "log_cosh": (rk.LogCosh, "log_cosh", {}),
    "mse": (rk.MeanSquaredError, "mean_squared_error", {}),
    "mae": (rk.MeanAbsoluteError, "mean_absolute_error", {}),
}
FUNCTIONS = {"huber": rk.huber, "log_cosh": rk.log_cosh, "mse": rk.mean_squared_error}
FUNCTIONS["mae"] = rk.mean_absolute_error
KERAS_CLASS = {"huber": "Huber", "log_cosh": "LogCosh", "mse": "MeanSquaredError"}
KERAS_CLASS["mae"] = "MeanAbsoluteError"


def _data(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """y_true, y_pred in float32; errors of a few units, so both Huber branches are hit."""
    rng = np.random.default_rng(seed)
    y_true = rng.normal(0, 1.5, shape).astype(np.float32)
    y_pred = rng.normal(0, 1.5, shape).astype(np.float32)
    return y_true, y_pred


def _weights(kind: str, shape: tuple[int, ...], seed: int) -> Any:
    rng = np.random.default_rng(seed)
    if kind == "none":
        return None
    if kind == "scalar":
        return 0.7
    if kind == "batch":
        return rng.uniform(0, 2, shape[0]).astype(np.float32)
    return rng.uniform(0, 2, shape[:2]).astype(np.float32)  # [batch, d1]


def _close(got: Any, want: Any, what: str) -> None:
    # Keras computes in float32: float32 tolerances
    assert_close(got, want, rtol=2e-6, atol=1e-7, what=what)


@pytest.mark.parametrize("name", list(CLASSES))
@pytest.mark.parametrize("shape", [(6, 5), (4, 3, 5)], ids=["2d", "3d"])
def test_functions_equal_keras(
    keras: Any, backend: Backend, dtype: str, name: str, shape: tuple[int, ...]
) -> None:
    _, fname, params = CLASSES[name]
    yt, yp = _data(shape, 1)
    want = np.asarray(getattr(keras.losses, fname)(yt, yp, **params))
    got = FUNCTIONS[name](backend.asarray(yt, dtype), backend.asarray(yp, dtype), **params)
    assert got.dtype == backend.dtype(dtype)
    assert tuple(got.shape) == shape[:-1]
    _close(backend.to_numpy(got), want, f"{fname} {shape}")


test_functions_equal_keras.dtypes = DTYPES  # type: ignore[attr-defined]


def _by_hand(per_sample: np.ndarray, w: np.ndarray, reduction: str | None) -> Any:
    """tf.keras' rule for [batch] weights of any rank, reduced as Keras 3 reduces."""
    values = per_sample * w.reshape((w.shape[0],) + (1,) * (per_sample.ndim - 1))
    if reduction in (None, "none"):
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight":
        return values.sum() / w.sum()
    return values.sum() / values.size


@pytest.mark.parametrize("weight", ["none", "scalar", "batch", "batch_d1"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(CLASSES))
@pytest.mark.parametrize("shape", [(6, 5), (4, 3, 5)], ids=["2d", "3d"])
def test_classes_equal_keras(
    keras: Any,
    backend: Backend,
    dtype: str,
    name: str,
    reduction: str | None,
    weight: str,
    shape: tuple[int, ...],
) -> None:
    if weight == "batch_d1" and len(shape) == 2:
        weight = "batch"  # [batch, d1] weights need inputs of rank 3: the (B,) weight again
    cls, fname, params = CLASSES[name]
    yt, yp = _data(shape, 2)
    w = _weights(weight, shape, 3)
    theirs = getattr(keras.losses, KERAS_CLASS[name])(reduction=reduction, **params)
    if weight == "batch" and len(shape) == 3:
        # Keras 3 cannot broadcast (B,) against per-sample losses (B, d1): tf.keras' rule
        per_sample = np.asarray(getattr(keras.losses, fname)(yt, yp, **params), np.float64)
        want = _by_hand(per_sample, w.astype(np.float64), reduction)
    else:
        want = np.asarray(theirs(yt, yp, sample_weight=w))
    ours = cls(reduction=reduction, **params)
    wx = w if w is None or isinstance(w, float) else backend.asarray(w, dtype)
    got = ours(backend.asarray(yt, dtype), backend.asarray(yp, dtype), sample_weight=wx)
    assert got.dtype == backend.dtype(dtype)
    assert tuple(got.shape) == np.shape(want)
    _close(backend.to_numpy(got), want, f"{cls.__name__}({reduction}) weight {weight} {shape}")


test_classes_equal_keras.dtypes = DTYPES  # type: ignore[attr-defined]


def test_keras_3_fails_on_batch_weights_of_rank_3_inputs(keras: Any) -> None:
    # the reason for the hand-made expectation above
    yt, yp = _data((4, 3, 5), 2)
    with pytest.raises(Exception, match=r"[Ii]ncompatible|broadcast"):
        keras.losses.Huber()(yt, yp, sample_weight=np.ones(4, np.float32))


# --- documented numbers, by hand -------------------------------------------------------------
Y_TRUE = [[0.0, 1.0], [0.0, 0.0]]
Y_PRED = [[0.6, 0.4], [0.4, 0.6]]


def test_the_tf_keras_documentation_example() -> None:
    # errors [[0.6, -0.6], [0.4, 0.6]]: 0.5 e**2 = [[0.18, 0.18], [0.08, 0.18]];
    # per sample [0.18, 0.13]; mean 0.155; weights [1, 0]: 0.18 / 2 = 0.09; sum 0.31
    yt, yp = np.asarray(Y_TRUE), np.asarray(Y_PRED)
    assert float(rk.Huber()(yt, yp)) == pytest.approx(0.155, rel=1e-14)
    assert float(rk.Huber()(yt, yp, sample_weight=np.asarray([1.0, 0.0]))) == pytest.approx(
        0.09, rel=1e-14
    )
    assert float(rk.Huber(reduction="sum")(yt, yp)) == pytest.approx(0.31, rel=1e-14)
    np.testing.assert_allclose(rk.Huber(reduction="none")(yt, yp), [0.18, 0.13], rtol=1e-14)
    np.testing.assert_allclose(rk.huber(yt, yp), [0.18, 0.13], rtol=1e-14)
    # mean_with_sample_weight: 0.18 / (1 + 0)
    h = rk.Huber(reduction="mean_with_sample_weight")
    assert float(h(yt, yp, sample_weight=np.asarray([1.0, 0.0]))) == pytest.approx(0.18)


def test_the_keras_docstring_examples() -> None:
    # MeanSquaredError: errors 0.1, 0.1, 0.2 -> (0.01 + 0.01 + 0.04) / 3 = 0.02
    mse = rk.MeanSquaredError()(np.asarray([1.0, 0.0, 1.0]), np.asarray([0.9, 0.1, 0.8]))
    assert float(mse) == pytest.approx(0.02, rel=1e-14)
    # MeanAbsoluteError: errors 0.9, 0, 0.8 -> 1.7 / 3
    mae = rk.MeanAbsoluteError()(np.asarray([1.0, 0.3, 1.0]), np.asarray([1.9, 0.3, 1.8]))
    assert float(mae) == pytest.approx(1.7 / 3, rel=1e-14)
    # log_cosh: errors [[1, 0], [0, 0]] -> per sample [log(cosh 1) / 2, 0]; Keras' docstring
    # prints 0.108, the mean of those (what the LogCosh class returns)
    yt, yp = np.asarray([[0.0, 1.0], [0.0, 0.0]]), np.asarray([[1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(rk.log_cosh(yt, yp), [math.log(math.cosh(1.0)) / 2, 0.0])
    assert float(rk.LogCosh()(yt, yp)) == pytest.approx(math.log(math.cosh(1.0)) / 4)


def test_log_cosh_keeps_the_digits_keras_loses(keras: Any) -> None:
    yt = np.zeros((1, 1), np.float32)
    yp = np.full((1, 1), 1e-4, np.float32)
    assert float(np.asarray(keras.losses.log_cosh(yt, yp))[0]) == 0.0
    assert float(rk.log_cosh(yt, yp)[0]) == pytest.approx(5e-9, rel=1e-6)


# --- config and validation -----------------------------------------------------------------
def test_get_config_keeps_delta_where_keras_drops_it(keras: Any) -> None:
    assert "delta" not in keras.losses.Huber(delta=2.0).get_config()  # the Keras 3.15 bug
    loss = rk.Huber(delta=2.0, reduction="sum", name="h")
    config = json.loads(json.dumps(loss.get_config()))
    assert config["delta"] == 2.0
    again = rk.Huber.from_config(config)
    assert again == loss
    assert hash(again) == hash(loss)
    # a config written by Keras (no delta) is read too
    assert rk.Huber.from_config(keras.losses.Huber().get_config()) == rk.Huber()


@pytest.mark.parametrize("cls", [rk.LogCosh, rk.MeanSquaredError, rk.MeanAbsoluteError])
def test_config_round_trip(cls: type[rk.KerasLoss]) -> None:
    loss = cls(reduction=None, name="x", dtype="float64")  # type: ignore[call-arg]
    assert cls.from_config(json.loads(json.dumps(loss.get_config()))) == loss
    assert repr(loss).startswith(cls.__name__)


def test_default_names_are_keras_names(keras: Any) -> None:
    for name, (cls, _, _) in CLASSES.items():
        assert cls().name == getattr(keras.losses, KERAS_CLASS[name])().name


@pytest.mark.parametrize("delta", [0.0, -1.0, math.nan, math.inf])
def test_bad_delta_is_refused(delta: float) -> None:
    with pytest.raises(ValueError, match="delta"):
        rk.Huber(delta=delta)
    with pytest.raises(ValueError, match="delta"):
        rk.huber(np.ones((2, 2)), np.ones((2, 2)), delta=delta)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="reduction"):
        rk.Huber(reduction="avg")
    with pytest.raises(ValueError, match="same shape"):
        rk.MeanSquaredError()(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="at least one axis"):
        rk.mean_absolute_error(np.asarray(1.0), np.asarray(2.0))
    with pytest.raises(ValueError, match="sample_weight"):
        rk.Huber()(np.ones((4, 3)), np.ones((4, 3)), sample_weight=np.ones(3))
    with pytest.raises(TypeError, match="complex"):
        rk.LogCosh()(np.ones((2, 2), complex), np.ones((2, 2), complex))
    with pytest.raises(AttributeError):
        rk.Huber().delta = 2.0  # type: ignore[misc]


def test_dtypes_the_backend_lacks_are_refused() -> None:
    with pytest.raises(ValueError, match="int32"):
        rk.Huber(dtype="int32")  # type: ignore[arg-type]
    # NumPy has no bfloat16: refused at construction on Keras' NumPy backend, else at the
    # call, before any work, naming the arrays' library
    with pytest.raises(TypeError, match=r"bfloat16.*numpy"):
        rk.LogCosh(dtype="bfloat16")(np.ones((2, 2)), np.ones((2, 2)))


def test_pickle_round_trip() -> None:
    loss = rk.Huber(delta=2.0, reduction="sum", name="h")
    again = pickle.loads(pickle.dumps(loss))
    assert type(again) is rk.Huber
    assert again == loss


def test_keras_rank_adjustment_of_targets() -> None:
    # y_true of shape (B,) against y_pred (B, 1): Keras expands y_true
    yt, yp = np.asarray([0.0, 1.0, 2.0]), np.asarray([[0.5], [1.0], [4.0]])
    np.testing.assert_allclose(rk.mean_squared_error(yt, yp), [0.25, 0.0, 4.0])


def test_lists_with_xp() -> None:
    import array_api_compat.numpy as xnp

    assert float(rk.Huber()(Y_TRUE, Y_PRED, xp=xnp)) == pytest.approx(0.155)


# --- backends ------------------------------------------------------------------------------
def test_keras_loss_under_jax_jit_and_grad() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    loss = rk.Huber(delta=0.5)
    yt, yp = jnp.asarray(Y_TRUE), jnp.asarray(Y_PRED)
    f = jax.jit(lambda t, p, w: loss(t, p, sample_weight=w))
    w = jnp.asarray([1.0, 0.5])
    assert float(f(yt, yp, w)) == pytest.approx(float(loss(yt, yp, sample_weight=w)))
    g = jax.grad(lambda p: loss(yt, p))(yp)
    assert g.shape == yp.shape


def test_keras_loss_torch_autograd() -> None:
    torch = pytest.importorskip("torch")
    yp = torch.tensor(Y_PRED, dtype=torch.float64, requires_grad=True)
    rk.Huber()(torch.tensor(Y_TRUE, dtype=torch.float64), yp).backward()
    assert yp.grad is not None
    # d/dp of mean over 4 elements of 0.5 e**2 (all |e| < 1): e / 4
    want = (np.asarray(Y_PRED) - np.asarray(Y_TRUE)) / 4
    np.testing.assert_allclose(yp.grad.numpy(), want, rtol=1e-15)


def test_keras_loss_stays_lazy_on_dask() -> None:
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")

    def forbid(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed inside robustloss.keras")

    yt = da.from_array(np.asarray(Y_TRUE), chunks=1)
    yp = da.from_array(np.asarray(Y_PRED), chunks=1)
    with dask.config.set(scheduler=forbid):
        out = rk.Huber()(yt, yp, sample_weight=da.from_array(np.asarray([1.0, 0.0]), chunks=1))
    assert isinstance(out, da.Array)
    assert float(out.compute(scheduler="sync")) == pytest.approx(0.09)


def test_half_precision_accumulates_in_float32() -> None:
    yt = np.zeros((1, 4096), np.float16)
    yp = np.full((1, 4096), 0.1, np.float16)
    got = rk.mean_squared_error(yt, yp)
    assert got.dtype == np.float16
    assert float(got[0]) == pytest.approx(float(np.float16(0.1)) ** 2, rel=1e-3)


def test_huber_function_takes_a_delta_per_output() -> None:
    """``robustloss.keras.huber(..., delta=array)``: one delta per output, by hand."""
    import robustloss.keras as rk

    y_true = np.zeros((2, 3))
    y_pred = np.asarray([[0.5, 3.0, 1.0], [2.0, -1.0, 4.0]])
    got = rk.huber(y_true, y_pred, delta=np.asarray([1.0, 2.0, 0.5]))
    # row 0: 0.125, 2 (3 - 1), 0.5 (1 - 0.25); row 1: 1 (2 - 0.5), 0.5, 0.5 (4 - 0.25)
    np.testing.assert_allclose(got, [(0.125 + 4.0 + 0.375) / 3, (1.5 + 0.5 + 1.875) / 3])
