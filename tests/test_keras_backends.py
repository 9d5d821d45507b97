"""robustloss.keras inside Keras models, on every Keras backend, against Keras' own losses.

Keras fixes its backend once per process: each backend runs ``support/keras_backend_check.py``
in a subprocess with ``KERAS_BACKEND`` set (once per backend, for all the tests below), and
the tests compare the numbers it reports. Every expected number is Keras' own: the same
model, seed and data compiled with ``keras.losses.Huber`` (``LogCosh``,
``MeanSquaredError``, ``MeanAbsoluteError``). A backend whose library is not installed is
skipped with the reason; TensorFlow runs where it is installed (CI builds ``.venv-tf`` for
it). Keras' NumPy backend cannot train: there only ``evaluate`` and direct calls are checked.

Run one backend with ``-k``: ``pytest tests/test_keras_backends.py -k tensorflow``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).parent / "support" / "keras_backend_check.py"
SRC = Path(__file__).resolve().parents[1] / "src"
#: Keras' backend -> the library it needs
BACKENDS = {"jax": "jax", "torch": "torch", "numpy": "numpy", "tensorflow": "tensorflow"}
LOSSES = ["huber", "log_cosh", "mse", "mae"]
#: what the script measures for each loss; the fit histories are 5 epochs of SGD
CHECKS = [
    "fit",
    "fit_weighted",
    "fit_class_weight",
    "evaluate",
    "evaluate_weighted",
    "masked",
    "direct",
]
TRAINING = {"fit", "fit_weighted", "fit_class_weight"}
#: Relative tolerance against Keras' own loss. Not bit-identical, measured on all four
#: backends: Huber's linear branch is computed as q (|r| - q / 2) with q = min(|r|, delta)
#: (Keras: delta |r| - delta**2 / 2), log-cosh by a different, accurate formula, and the
#: fit histories follow gradients taken through those different compositions (and,
#: for MSE and MAE, summed by XLA, TensorFlow or PyTorch in a different order once the
#: graph differs); the largest difference seen was about 1e-7 relative.
RTOL = 1e-6
#: Bit-identical, as measured: MSE and MAE compose the operations Keras does (``r * r`` is
#: ``square(r)``, ``r * sign(r)`` is ``abs(r)``), and PyTorch, NumPy and TensorFlow run
#: both as written; XLA (JAX) fuses the two graphs differently (about 1e-7 on the
#: weighted fit histories).
BITWISE = {(b, loss) for b in ("torch", "numpy", "tensorflow") for loss in ("mse", "mae")}


def _skip_reason(backend: str) -> str | None:
    library = BACKENDS[backend]
    if importlib.util.find_spec(library) is None:
        hint = " (CI's TensorFlow step builds .venv-tf for it)" if backend == "tensorflow" else ""
        return f"{library} is not installed in this environment{hint}"
    if importlib.util.find_spec("keras") is None:
        return "keras is not installed"
    return None


def _env(**extra: str) -> dict[str, str]:
    """This environment, with robustloss imported from this checkout."""
    path = [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path), **extra}


def _report(backend: str, directory: Path) -> Any:
    """What the check script measures on `backend`: robustloss's and Keras' numbers."""
    env = _env(KERAS_BACKEND=backend, PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run(
        [sys.executable, str(SCRIPT), str(directory)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert out.returncode == 0, f"the check script failed on {backend}:\n{out.stderr[-4000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def _differences(ours: Any, theirs: Any, rtol: float, what: str) -> list[str]:
    ours, theirs = (v if isinstance(v, list) else [v] for v in (ours, theirs))
    if len(ours) != len(theirs):
        return [f"{what}: {len(ours)} values, Keras {len(theirs)}"]
    return [
        f"{what}, value {i}: {a!r}, Keras {b!r} (rtol {rtol:g})"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        if not (math.isfinite(a) and abs(a - b) <= rtol * abs(b))
    ]


def _check_models(report: Any) -> list[str]:
    """Every fit history, evaluation and direct call against Keras' own loss."""
    found = []
    for loss in LOSSES:
        for check in CHECKS:
            if check in TRAINING and report["backend"] == "numpy":
                continue  # Keras' NumPy backend cannot train a model
            got = report[loss][check]
            rtol = 0.0 if (report["backend"], loss) in BITWISE else RTOL
            found += _differences(got["ours"], got["theirs"], rtol, f"{loss} {check}")
            if check == "masked" and got["theirs"] == pytest.approx(got["unmasked"], rel=1e-3):
                found.append(f"{loss} masked: the mask should change the loss")
            if check == "direct" and got["dtype"] != "float32":
                found.append(f"{loss} direct: dtype {got['dtype']}, not the inputs' float32")
    return found


def _check_round_trip(trip: Any) -> list[str]:
    """Compiled with Huber(delta=2.0, dtype="float32", name="robust"), saved to a .keras
    file, loaded with keras.models.load_model and no custom_objects."""
    want = {"name": "robust", "reduction": "sum_over_batch_size", "dtype": "float32"}
    checks = {
        "class": trip["class"] == "robustloss.keras.Huber",
        "a keras.losses.Loss": trip["is_keras_loss"],
        "config": trip["config"] == {**want, "delta": 2.0},
        "evaluate": trip["after"] == trip["before"],
    }
    return [f"load_model: {what} differs: {trip}" for what, ok in checks.items() if not ok]


def _check_dtypes(backend: str, raised: Any) -> list[str]:
    """int32 is refused everywhere; bfloat16 where robustloss's namespace lacks it."""
    found = []
    if raised["int32"] is None or raised["int32"]["type"] != "ValueError":
        found.append(f"dtype='int32': {raised['int32']}")
    if backend == "numpy":  # NumPy has no bfloat16: known at construction
        error = raised["bfloat16"] or {}
        if error.get("type") != "TypeError" or "numpy backend" not in error.get("message", ""):
            found.append(f"dtype='bfloat16' on the numpy backend: {error}")
    elif raised["bfloat16"] is not None:  # JAX, PyTorch and TensorFlow have bfloat16
        found.append(f"dtype='bfloat16' refused on {backend}: {raised['bfloat16']}")
    # a direct call on NumPy arrays, whatever the backend: refused before any work
    error = raised["numpy_call"] or {}
    if error.get("type") != "TypeError" or "numpy" not in error.get("message", ""):
        found.append(f"bfloat16 on NumPy arrays: {error}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("keras_backend", list(BACKENDS))
def test_keras_backend(keras_backend: str, tmp_path: Path) -> None:
    # one test per backend (one Keras process), so that pytest-xdist runs each once
    reason = _skip_reason(keras_backend)
    if reason is not None:
        pytest.skip(reason)
    report = _report(keras_backend, tmp_path)
    assert report["backend"] == keras_backend
    assert report["subclass"], "the classes are not keras.losses.Loss subclasses"
    found = _check_models(report)
    found += _check_round_trip(report["round_trip"])
    found += _check_dtypes(keras_backend, report["dtypes"])
    assert not found, f"on Keras' {keras_backend} backend:\n" + "\n".join(found)


# --- without Keras --------------------------------------------------------------------------
BLOCK_KERAS = """
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name == "keras" or name.startswith("keras."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, Blocked())
"""


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True
    )
    return out.stdout.strip()


def test_import_robustloss_does_not_import_keras() -> None:
    assert _run("import sys, robustloss; print('keras' in sys.modules)") == "False"


def test_without_keras_the_classes_are_plain_objects() -> None:
    # y_true [[0, 1], [0, 0]], y_pred [[0.6, 0.4], [0.4, 0.6]]: errors 0.6, 0.6, 0.4, 0.6,
    # 0.5 e**2 = 0.18, 0.18, 0.08, 0.18; per sample 0.18, 0.13; mean 0.155
    code = BLOCK_KERAS + (
        "import numpy as np, robustloss, robustloss.keras as rk\n"
        "loss = rk.Huber(delta=2.0)\n"
        "print(type(loss).__mro__[1].__name__, 'keras' in sys.modules)\n"
        "print(float(rk.Huber()(np.asarray([[0.0, 1.0], [0.0, 0.0]]), "
        "np.asarray([[0.6, 0.4], [0.4, 0.6]]))))\n"
        "print(rk.Huber.from_config(loss.get_config()) == loss, loss.dtype)\n"
    )
    assert _run(code).split() == ["KerasLoss", "False", "0.155", "True", "None"]
