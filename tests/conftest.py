"""The test matrix: one ``backend`` fixture over every installed Array API library.

Tests ask for ``backend`` (and usually ``dtype``); ``pytest_generate_tests`` crosses them
with the dtypes each library has, so ids read ``test_x[torch-float32]`` and no test is
generated for a combination that cannot exist (NumPy has no bfloat16). A library that
is not installed, or a GPU library where no GPU answers, is skipped with the reason.
A module that sets ``OWN_MATRIX = True`` parametrizes ``backend`` itself.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from matrix import BACKENDS, Backend, backend_dtype_pairs, load_backend


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
def xp(backend: Backend) -> ModuleType:
    """The Array API namespace of ``backend``."""
    return backend.xp
