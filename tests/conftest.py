"""The test matrix: one ``backend`` fixture over every installed Array API library.

Tests ask for ``backend`` (and usually ``dtype``); ``pytest_generate_tests`` crosses them
with the dtypes each library has, so ids read ``test_x[torch-float32]`` and no test is
generated for a combination that cannot exist (NumPy has no bfloat16). A library that
is not installed, or a GPU library where no GPU answers, is skipped with the reason.
A module that sets ``OWN_MATRIX = True`` parametrizes ``backend`` itself.
"""

from __future__ import annotations

import os
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

from support import lazy
from support.matrix import BACKENDS, Backend, backend_dtype_pairs, load_backend

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
