"""The test matrix: one ``backend`` fixture over every installed Array API library.

Tests ask for ``backend`` (and usually ``dtype``); ``pytest_generate_tests`` crosses them
with the dtypes each library has, so ids read ``test_x[torch-float32]`` and no test is
generated for a combination that cannot exist (NumPy has no bfloat16). A library that
is not installed, or a GPU library where no GPU answers, is skipped with the reason.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pytest

if importlib.util.find_spec("jax") is not None:
    import jax

    jax.config.update("jax_enable_x64", True)

_HALF = ("float16", "bfloat16")
#: dtypes of each backend, in the order tests run them
DTYPES: dict[str, tuple[str, ...]] = {
    "numpy": ("float16", "float32", "float64"),
    "array_api_strict": ("float32", "float64"),
    "torch": (*_HALF, "float32", "float64"),
    "torch-cuda": (*_HALF, "float32", "float64"),
    "jax": (*_HALF, "float32", "float64"),
    "dask": ("float16", "float32", "float64"),
    "cupy": ("float16", "float32", "float64"),
}
BACKENDS = tuple(DTYPES)


@dataclass(frozen=True)
class Backend:
    """One library of the matrix, with converters to and from NumPy."""

    name: str
    #: the Array API namespace (array_api_compat's wrapper where the library needs one)
    xp: ModuleType
    device: Any
    _from_numpy: Callable[[np.ndarray], Any] = field(repr=False)
    _to_numpy: Callable[[Any], np.ndarray] = field(repr=False)

    @property
    def dtypes(self) -> tuple[str, ...]:
        return DTYPES[self.name]

    def dtype(self, name: str) -> Any:
        """The library's dtype object called `name` (``'bfloat16'`` included)."""
        found = getattr(self.xp, name, None)
        return np.dtype(name) if found is None else found  # Dask's wrapper lacks float16

    def asarray(self, values: Any, dtype: str | None = None) -> Any:
        """Convert `values` (anything NumPy reads) to this library, on its device."""
        a = np.asarray(values, dtype=np.float64 if dtype in ("bfloat16", None) else dtype)
        x = self._from_numpy(a)
        if dtype is not None:
            x = self.xp.astype(x, self.dtype(dtype))
        return x

    def to_numpy(self, x: Any) -> np.ndarray:
        """Bring `x` back as a float64 NumPy array (computing lazy arrays)."""
        return np.asarray(self._to_numpy(x), dtype=np.float64)


def _gpu_count_cupy() -> int:
    cupy = pytest.importorskip("cupy")
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver, no device
        return 0


def load_backend(name: str) -> Backend:
    """Import the library behind `name`, or skip the test with the reason."""
    import array_api_compat as aac

    if name == "numpy":
        return Backend(name, aac.array_namespace(np.empty(0)), "cpu", np.array, np.asarray)
    if name == "array_api_strict":
        xps = pytest.importorskip("array_api_strict")
        return Backend(name, xps, xps.Device("CPU_DEVICE"), xps.asarray, np.asarray)
    if name in ("torch", "torch-cuda"):
        torch = pytest.importorskip("torch")
        if name == "torch-cuda" and not torch.cuda.is_available():
            pytest.skip("torch-cuda: no CUDA GPU answers")
        device = torch.device("cuda" if name == "torch-cuda" else "cpu")
        return Backend(
            name,
            aac.array_namespace(torch.empty(0)),
            device,
            lambda a: torch.asarray(a, device=device),
            lambda x: x.detach().cpu().to(torch.float64).numpy(),
        )
    if name == "jax":
        jnp = pytest.importorskip("jax.numpy")
        device = jax.devices("cpu")[0]
        return Backend(
            name, jnp, device, lambda a: jnp.asarray(a), lambda x: np.asarray(x, np.float64)
        )
    if name == "dask":
        da = pytest.importorskip("dask.array")
        return Backend(
            name,
            aac.array_namespace(da.empty(0)),
            "cpu",
            lambda a: da.from_array(a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape)),
            lambda x: np.asarray(x.compute()),
        )
    if name == "cupy":
        cupy = pytest.importorskip("cupy")
        if _gpu_count_cupy() == 0:
            pytest.skip("cupy: no CUDA GPU answers")
        return Backend(
            name, aac.array_namespace(cupy.empty(0)), cupy.cuda.Device(), cupy.asarray, cupy.asnumpy
        )
    raise ValueError(name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    names = metafunc.fixturenames
    if "backend" not in names:
        return
    if "dtype" in names:
        pairs = [(b, d) for b in BACKENDS for d in DTYPES[b]]
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
