"""The backends of the test matrix: which dtypes each has, and how to load it."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pytest

__all__ = ["BACKENDS", "DTYPES", "Backend", "backend_dtype_pairs", "load_backend"]

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

    def to_numpy_all(self, *xs: Any) -> list[np.ndarray]:
        """:meth:`to_numpy` of several arrays; Dask computes them in one pass."""
        if self.name == "dask":
            import dask

            xs = dask.compute(*xs, scheduler="synchronous")
        return [self.to_numpy(x) for x in xs]


def _gpu_count_cupy() -> int:
    cupy = pytest.importorskip("cupy")
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver, no device
        return 0


def load_backend(name: str) -> Backend:
    """Import the library behind `name`, or skip the test with the reason."""
    found = _load(name)
    if isinstance(found, str):
        pytest.skip(found)
    return found


@functools.cache
def _load(name: str) -> Backend | str:
    """The backend, or why it cannot run here (looked up once per session)."""
    try:
        return _import(name)
    except pytest.skip.Exception as e:
        return str(e.msg)


def _import(name: str) -> Backend:
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
            lambda x: np.asarray(x.compute(scheduler="synchronous") if hasattr(x, "dask") else x),
        )
    if name == "cupy":
        cupy = pytest.importorskip("cupy")
        if _gpu_count_cupy() == 0:
            pytest.skip("cupy: no CUDA GPU answers")
        return Backend(
            name, aac.array_namespace(cupy.empty(0)), cupy.cuda.Device(), cupy.asarray, cupy.asnumpy
        )
    raise ValueError(name)


def backend_dtype_pairs() -> list[tuple[str, str]]:
    """Every (backend, dtype) combination of the matrix."""
    return [(b, d) for b in BACKENDS for d in DTYPES[b]]
