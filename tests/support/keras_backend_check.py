"""robustloss.keras against Keras' own losses on the Keras backend this process runs.

Keras fixes its backend once per process, so ``tests/test_keras_backends.py`` runs this
script once per backend, with ``KERAS_BACKEND`` set, and reads the JSON it prints: for
every check, robustloss's numbers beside Keras' (``"ours"``, ``"theirs"``), or what was
raised. The assertions are the test's; this script only measures.

Usage: ``KERAS_BACKEND=jax python tests/support/keras_backend_check.py OUTDIR``
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

import robustloss.keras as rk

BACKEND = keras.backend.backend()
#: the NumPy backend runs models but cannot train them
TRAINS = BACKEND != "numpy"
EPOCHS = 5

#: name -> (our class, Keras' class, hyper-parameters)
PAIRS: dict[str, tuple[Any, Any, dict[str, float]]] = {
    "huber": (rk.Huber, keras.losses.Huber, {"delta": 0.8}),
    "log_cosh": (rk.LogCosh, keras.losses.LogCosh, {}),
    "mse": (rk.MeanSquaredError, keras.losses.MeanSquaredError, {}),
    "mae": (rk.MeanAbsoluteError, keras.losses.MeanAbsoluteError, {}),
}


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """X [64, 8], y [64, 1] with errors on both sides of delta, weights, 0/1 labels."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) + rng.normal(0, 2, (64, 1))).astype("float32")
    sw = rng.uniform(0, 2, 64).astype("float32")
    sw[:8] = 0.0
    labels = (y > 0).astype("float32")
    return x, y, sw, labels


def _model(loss: Any) -> Any:
    keras.utils.set_random_seed(0)  # the same initial weights for both losses
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=loss)
    return model


def _both(name: str, run: Callable[[Any], Any]) -> dict[str, Any]:
    ours, theirs, params = PAIRS[name]
    return {"ours": run(ours(**params)), "theirs": run(theirs(**params))}


def _history(**fit: Any) -> Callable[[Any], list[float]]:
    def run(loss: Any) -> list[float]:
        model = _model(loss)
        history = model.fit(batch_size=16, epochs=EPOCHS, shuffle=False, verbose=0, **fit)
        return [float(v) for v in history.history["loss"]]

    return run


def _evaluate(**data: Any) -> Callable[[Any], float]:
    def run(loss: Any) -> float:
        return float(_model(loss).evaluate(batch_size=16, verbose=0, **data))

    return run


def _masked(loss: Any, masking: bool = True) -> float:
    """A sequence model whose output carries a mask: Keras weighs the loss by it."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 5, 3)).astype("float32")
    x[:, 3:] = 0.0  # the last two steps are masked
    y = rng.normal(size=(6, 5, 1)).astype("float32")
    keras.utils.set_random_seed(0)
    layers = [keras.layers.Masking(0.0)] if masking else []
    model = keras.Sequential([keras.Input((5, 3)), *layers, keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=loss)
    return float(model.evaluate(x, y, batch_size=6, verbose=0))


def _direct(name: str) -> dict[str, Any]:
    """A direct call on the backend's own tensors (robustloss's rules)."""
    rng = np.random.default_rng(2)
    yt = keras.ops.convert_to_tensor(rng.normal(0, 1.5, (6, 5)).astype("float32"))
    yp = keras.ops.convert_to_tensor(rng.normal(0, 1.5, (6, 5)).astype("float32"))
    w = keras.ops.convert_to_tensor(rng.uniform(0, 2, 6).astype("float32"))
    ours, theirs, params = PAIRS[name]
    got = ours(**params)(yt, yp, sample_weight=w)
    return {
        "ours": float(keras.ops.convert_to_numpy(got)),
        "theirs": float(keras.ops.convert_to_numpy(theirs(**params)(yt, yp, sample_weight=w))),
        "dtype": str(keras.backend.standardize_dtype(got.dtype)),
        "type": type(got).__module__.split(".")[0],
    }


def _round_trip(directory: Path) -> dict[str, Any]:
    x, y, _, _ = _data()
    model = _model(rk.Huber(delta=2.0, dtype="float32", name="robust"))
    before = float(model.evaluate(x, y, verbose=0))
    path = directory / f"model-{BACKEND}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # no custom_objects
    loss = loaded.loss
    return {
        "class": f"{type(loss).__module__}.{type(loss).__qualname__}",
        "config": loss.get_config(),
        "is_keras_loss": isinstance(loss, keras.losses.Loss),
        "before": before,
        "after": float(loaded.evaluate(x, y, verbose=0)),
    }


def _raised(build: Callable[[], Any]) -> dict[str, str] | None:
    try:
        build()
    except Exception as e:
        return {"type": type(e).__name__, "message": str(e)}
    return None


def _dtypes() -> dict[str, Any]:
    ones = np.ones((2, 3), "float32")
    return {
        "bfloat16": _raised(lambda: rk.Huber(dtype="bfloat16")),
        "int32": _raised(lambda: rk.Huber(dtype="int32")),
        # the backend may compute in bfloat16, NumPy arrays cannot: refused at call time
        "numpy_call": _raised(lambda: rk.LogCosh(dtype="bfloat16")(ones, ones)),
    }


def main(directory: Path) -> dict[str, Any]:
    x, y, sw, labels = _data()
    out: dict[str, Any] = {
        "backend": BACKEND,
        "subclass": all(issubclass(p[0], keras.losses.Loss) for p in PAIRS.values()),
        "round_trip": _round_trip(directory),
        "dtypes": _dtypes(),
    }
    for name in PAIRS:
        checks = {
            "evaluate": _both(name, _evaluate(x=x, y=y)),
            "evaluate_weighted": _both(name, _evaluate(x=x, y=y, sample_weight=sw)),
            "masked": {
                **_both(name, _masked),
                # the same model without the mask: the mask changes the number
                "unmasked": _masked(PAIRS[name][1](**PAIRS[name][2]), masking=False),
            },
            "direct": _direct(name),
        }
        if TRAINS:
            checks["fit"] = _both(name, _history(x=x, y=y))
            checks["fit_weighted"] = _both(name, _history(x=x, y=y, sample_weight=sw))
            class_weight = {0: 1.0, 1: 3.0}
            checks["fit_class_weight"] = _both(
                name, _history(x=x, y=labels, class_weight=class_weight)
            )
        out[name] = checks
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
