"""The test matrix: one ``backend`` fixture over every installed Array API library.

Tests ask for ``backend`` (and usually ``dtype``); ``pytest_generate_tests`` crosses them
with the dtypes each library has, so ids read ``test_x[torch-float32]`` and no test is
generated for a combination that cannot exist (NumPy has no bfloat16). A library that
is not installed, or a GPU library where no GPU answers, is skipped with the reason.
A module that sets ``OWN_MATRIX = True`` parametrizes ``backend`` itself. The ``keras``
fixture gives Keras 3 to the tests that compare with it.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Keras' backend is chosen when it is first imported (by robustloss.keras, below): JAX,
# so that the Keras losses are the Keras-backed ones in this process (TensorFlow, Keras'
# default, is tested in its own environment)
os.environ.setdefault("KERAS_BACKEND", "jax")

from support import lazy
from support.matrix import BACKENDS, Backend, backend_dtype_pairs, load_backend

#: the reference generator is a script (it imports every peer library), not a test module
collect_ignore = ["reference"]

#: hypothesis profiles: "ci" (the default: few examples, derandomized, so that a run is
#: reproducible) and "thorough" (for long local runs); pick one with
#: ROBUSTLOSS_HYPOTHESIS_PROFILE=thorough or pytest --hypothesis-profile=thorough
_COMMON = {
    "deadline": None,  # the first call of a backend compiles or imports
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=6, derandomize=True, database=None, **_COMMON)
settings.register_profile("thorough", max_examples=400, **_COMMON)
settings.load_profile(os.environ.get("ROBUSTLOSS_HYPOTHESIS_PROFILE", "ci"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    names = metafunc.fixturenames
    if "backend" not in names or getattr(metafunc.module, "OWN_MATRIX", False):
        return
    if "dtype" in names:
        pairs = backend_dtype_pairs()
        wanted = getattr(metafunc.function, "dtypes", None)
        metafunc.parametrize(
            ("backend", "dtype"),
            [(b, d) for b, d in pairs if wanted is None or d in wanted],
            indirect=["backend"],
            ids=[f"{b}-{d}" for b, d in pairs if wanted is None or d in wanted],
        )
    else:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Backend:
    """The library under test; see ``pytest_generate_tests``."""
    return load_backend(request.param)


@pytest.fixture
def xp(
    backend: Backend, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    """The Array API namespace of ``backend``.

    On JAX and Dask it also makes every public function of robustloss run lazily for the
    test: through ``jax.jit``, or with Dask's compute forbidden (see ``support/lazy.py``).
    """
    lazy.patch(monkeypatch, backend.name, request.module)
    return backend.xp


@pytest.fixture(scope="session")
def keras() -> Any:
    """Keras 3 (on JAX unless ``KERAS_BACKEND`` says otherwise), imported without letting
    its import-time warnings fail the run; skips where it is missing or older."""
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "jax")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a dependency's import-time notice is not our test
        try:
            import keras
        except Exception as e:  # not installed, or a backend that cannot load
            pytest.skip(f"keras cannot be imported: {type(e).__name__}: {e}")
    if int(keras.__version__.split(".")[0]) < 3:
        pytest.skip(f"Keras 3 needed, found {keras.__version__}")
    return keras
