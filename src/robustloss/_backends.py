"""Find the array libraries installed here, and how to move NumPy data onto each device.

Nothing is imported unless ``importlib.util.find_spec`` finds it, so asking costs nothing
for absent libraries. Used by ``python -m robustloss``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BackendInfo", "Target", "discover"]

FromNumpy = Callable[[Any, str], Any]
ToNumpy = Callable[[Any], Any]


@dataclass(frozen=True)
class Target:
    """One device of one library that the self-check runs on."""

    label: str
    device: str
    dtypes: tuple[str, ...]
    from_numpy: FromNumpy = field(repr=False)
    to_numpy: ToNumpy = field(repr=False)


@dataclass(frozen=True)
class BackendInfo:
    """An array library: installed or not, its version, and its usable devices."""

    name: str
    version: str | None
    status: str
    targets: tuple[Target, ...] = ()
    notes: tuple[str, ...] = ()


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _numpy() -> BackendInfo:
    import numpy as np

    def to(a: Any, dtype: str) -> Any:
        return np.asarray(a, dtype=dtype)

    t = Target("numpy", "cpu", ("float32", "float64"), to, np.asarray)
    return BackendInfo("numpy", np.__version__, "ok", (t,))


def _array_api_strict() -> BackendInfo:
    import array_api_strict as xps
    import numpy as np

    def to(a: Any, dtype: str) -> Any:
        return xps.asarray(np.asarray(a, dtype=dtype))

    t = Target("array_api_strict", "CPU_DEVICE", ("float32", "float64"), to, np.asarray)
    return BackendInfo("array_api_strict", _version("array-api-strict"), "ok", (t,))


def _torch() -> BackendInfo:
    import torch

    def on(device: str) -> FromNumpy:
        def to(a: Any, dtype: str) -> Any:
            return torch.asarray(a, dtype=getattr(torch, dtype), device=device)

        return to

    def back(x: Any) -> Any:
        return x.detach().cpu().numpy()

    dtypes = ("float32", "float64")
    targets = [Target("torch", "cpu", dtypes, on("cpu"), back)]
    notes = []
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            name = f"cuda:{i}"
            label = f"torch ({name}, {torch.cuda.get_device_name(i)})"
            targets.append(Target(label, name, dtypes, on(name), back))
    else:
        notes.append("no CUDA device")
    return BackendInfo("torch", torch.__version__, "ok", tuple(targets), tuple(notes))


def _jax() -> BackendInfo:
    import jax
    import numpy as np

    jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call]  # float64 too
    targets = []
    for d in jax.devices():

        def to(a: Any, dtype: str, d: Any = d) -> Any:
            return jax.device_put(np.asarray(a, dtype=dtype), d)

        targets.append(
            Target(f"jax ({d.platform}:{d.id})", str(d), ("float32", "float64"), to, np.asarray)
        )
    return BackendInfo("jax", jax.__version__, "ok", tuple(targets), ("x64 enabled",))


def _dask() -> BackendInfo:
    import dask.array as da
    import numpy as np

    def to(a: Any, dtype: str) -> Any:
        a = np.asarray(a, dtype=dtype)
        chunks = tuple(max(1, (n + 1) // 2) for n in a.shape)
        return da.from_array(a, chunks=chunks)  # type: ignore[no-untyped-call]

    def back(x: Any) -> Any:
        return np.asarray(x.compute(scheduler="synchronous"))

    notes = ("dask.distributed installed",) if importlib.util.find_spec("distributed") else ()
    t = Target("dask", "cpu", ("float32", "float64"), to, back)
    return BackendInfo("dask", _version("dask"), "ok", (t,), notes)


def _cupy() -> BackendInfo:
    import cupy

    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver or no device: CuPy imports but cannot run
        count = 0
    if count == 0:
        return BackendInfo("cupy", cupy.__version__, "installed, no GPU")
    targets = []
    for i in range(count):

        def to(a: Any, dtype: str, i: int = i) -> Any:
            with cupy.cuda.Device(i):
                return cupy.asarray(a, dtype=dtype)

        targets.append(
            Target(f"cupy (cuda:{i})", f"cuda:{i}", ("float32", "float64"), to, cupy.asnumpy)
        )
    return BackendInfo("cupy", cupy.__version__, "ok", tuple(targets))


_PROBES: dict[str, tuple[str, Callable[[], BackendInfo]]] = {
    "numpy": ("numpy", _numpy),
    "array_api_strict": ("array_api_strict", _array_api_strict),
    "torch": ("torch", _torch),
    "jax": ("jax", _jax),
    "dask": ("dask.array", _dask),
    "cupy": ("cupy", _cupy),
}
NAMES = tuple(_PROBES)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package of a dotted name is missing
        return False


def discover(names: tuple[str, ...] = NAMES) -> list[BackendInfo]:
    """Describe each library in `names`; import only those that are installed."""
    found = []
    for name in names:
        module, probe = _PROBES[name]
        if not _installed(module):
            found.append(BackendInfo(name, None, "not installed"))
            continue
        try:
            found.append(probe())
        except Exception as e:  # a broken install must not stop the report
            found.append(BackendInfo(name, None, f"error: {type(e).__name__}: {e}"))
    return found
