"""Which array libraries and devices are here, and how to move data onto them.

Used by ``python -m robustloss``. A library is imported only after
:func:`importlib.util.find_spec` has found it, so asking about an absent library costs
nothing and cannot fail. NumPy itself is imported lazily too: discovery works without it
(the self-check does not).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NAMES", "PROBES", "BackendInfo", "Target", "discover", "installed"]

#: ``from_numpy(array, dtype_name)``: a NumPy array onto the target's device, in that dtype
FromNumpy = Callable[[Any, str], Any]
#: ``to_numpy(arrays)``: results back as NumPy arrays (dtype kept), all in one pass
ToNumpy = Callable[[Sequence[Any]], list[Any]]
#: ``session()``: a context manager that sets the library up for the check and undoes it
Session = Callable[[], contextlib.AbstractContextManager[None]]

_FLOATS = ("float32", "float64")


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


@dataclass(frozen=True)
class Target:
    """One device of one library that the self-check runs on.

    Attributes
    ----------
    backend : str
        Name of the library, as in :data:`NAMES`.
    device : str
        The device as the library names it (``"cpu"``, ``"cuda:0"``, ``"cpu:0"``).
    description : str
        Human-readable model of the device (a GPU's name), or ``""``.
    dtypes : tuple of str
        Floating dtypes the self-check runs in on this device.
    from_numpy : callable
        ``from_numpy(array, dtype)`` converts a NumPy array to the library on this device.
    to_numpy : callable
        ``to_numpy(arrays)`` brings a sequence of results back as NumPy arrays in their own
        dtype, computing lazy ones together.
    context : callable
        Context manager factory the calls on this device run in (CuPy: make it current).
    """

    backend: str
    device: str
    description: str
    dtypes: tuple[str, ...]
    from_numpy: FromNumpy = field(repr=False)
    to_numpy: ToNumpy = field(repr=False)
    context: Session = field(default=_nothing, repr=False, compare=False)

    @property
    def label(self) -> str:
        """``"backend device"``, the name of this target in reports."""
        return f"{self.backend} {self.device}"


@dataclass(frozen=True)
class BackendInfo:
    """An array library: installed or not, its version, devices and remarks.

    Attributes
    ----------
    name : str
        Name of the library, as in :data:`NAMES`.
    version : str or None
        Its version, or None when it is not installed (or could not be asked).
    status : str
        ``"ok"``, ``"not installed"``, ``"installed, no GPU"`` or ``"error: ..."``.
    targets : tuple of Target
        The devices the self-check runs on; empty unless `status` is ``"ok"``.
    notes : tuple of str
        Remarks for the report (``"x64 enabled for the check"``, ``"no CUDA device"``).
    session : callable
        Context manager factory wrapped around the check of this library.
    """

    name: str
    version: str | None
    status: str
    targets: tuple[Target, ...] = ()
    notes: tuple[str, ...] = ()
    session: Session = field(default=_nothing, repr=False, compare=False)

    @property
    def failed(self) -> bool:
        """Whether probing the library raised (a broken install)."""
        return self.status.startswith("error")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed(module: str) -> bool:
    """Whether `module` can be imported, found without importing it (nor its parents).

    Parameters
    ----------
    module : str
        A top-level module name such as ``"torch"``.

    Returns
    -------
    bool
        True when :func:`importlib.util.find_spec` finds it.
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: in sys.modules without a spec
        return False


def _numpy_back(xs: Sequence[Any]) -> list[Any]:
    import numpy as np

    return [np.asarray(x) for x in xs]


def _numpy() -> BackendInfo:
    import numpy as np

    def to(a: Any, dtype: str) -> Any:
        return np.asarray(a, dtype=dtype)

    t = Target("numpy", "cpu", "", _FLOATS, to, _numpy_back)
    return BackendInfo("numpy", np.__version__, "ok", (t,))


def _array_api_strict() -> BackendInfo:
    import array_api_strict as xps
    import numpy as np

    device = xps.Device("CPU_DEVICE")

    def to(a: Any, dtype: str) -> Any:
        return xps.asarray(np.asarray(a, dtype=dtype), device=device)

    t = Target("array_api_strict", "CPU_DEVICE", "", _FLOATS, to, _numpy_back)
    return BackendInfo("array_api_strict", _version("array-api-strict"), "ok", (t,))


def _torch() -> BackendInfo:
    import torch

    def on(device: str) -> FromNumpy:
        def to(a: Any, dtype: str) -> Any:
            return torch.asarray(a, dtype=getattr(torch, dtype), device=device)

        return to

    def back(xs: Sequence[Any]) -> list[Any]:
        return [x.detach().cpu().numpy() for x in xs]

    targets = [Target("torch", "cpu", "", _FLOATS, on("cpu"), back)]
    notes: list[str] = []
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            name = f"cuda:{i}"
            model = str(torch.cuda.get_device_name(i))
            targets.append(Target("torch", name, model, _FLOATS, on(name), back))
    else:
        notes.append("no CUDA device")
    return BackendInfo("torch", torch.__version__, "ok", tuple(targets), tuple(notes))


def _jax() -> BackendInfo:
    import jax
    import numpy as np

    @contextlib.contextmanager
    def x64() -> Iterator[None]:
        # float64 needs x64; switch it on for the check only, then restore the setting.
        before = bool(jax.config.read("jax_enable_x64"))  # type: ignore[no-untyped-call]
        jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call]
        try:
            yield
        finally:
            jax.config.update("jax_enable_x64", before)  # type: ignore[no-untyped-call]

    def back(xs: Sequence[Any]) -> list[Any]:
        return [np.asarray(x) for x in xs]

    targets = []
    for d in jax.devices():

        def to(a: Any, dtype: str, d: Any = d) -> Any:
            return jax.device_put(np.asarray(a, dtype=dtype), d)

        model = "" if d.platform == "cpu" else str(d.device_kind)
        targets.append(Target("jax", f"{d.platform}:{d.id}", model, _FLOATS, to, back))
    notes = ("x64 enabled for the check",)
    return BackendInfo("jax", jax.__version__, "ok", tuple(targets), notes, x64)


def _dask() -> BackendInfo:
    import dask.array as da
    import dask.base
    import numpy as np

    def to(a: Any, dtype: str) -> Any:
        a = np.asarray(a, dtype=dtype)
        chunks = tuple(max(1, (n + 1) // 2) for n in a.shape)  # several blocks per axis
        return da.from_array(a, chunks=chunks)  # type: ignore[no-untyped-call]

    def back(xs: Sequence[Any]) -> list[Any]:
        done = dask.base.compute(*xs, scheduler="synchronous")  # type: ignore[no-untyped-call]
        return [np.asarray(x) for x in done]

    distributed = _version("distributed") if installed("distributed") else None
    note = f"dask.distributed {distributed}" if distributed else "dask.distributed not installed"
    t = Target("dask", "cpu", "", _FLOATS, to, back)
    return BackendInfo("dask", _version("dask"), "ok", (t,), (note,))


def _cupy() -> BackendInfo:
    import cupy

    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver or no device: CuPy imports but cannot run
        count = 0
    if count == 0:
        return BackendInfo("cupy", cupy.__version__, "installed, no GPU")

    def back(xs: Sequence[Any]) -> list[Any]:
        return [cupy.asnumpy(x) for x in xs]

    targets = []
    for i in range(count):

        def to(a: Any, dtype: str, i: int = i) -> Any:
            with cupy.cuda.Device(i):
                return cupy.asarray(a, dtype=dtype)

        def current(i: int = i) -> contextlib.AbstractContextManager[None]:
            device: contextlib.AbstractContextManager[None] = cupy.cuda.Device(i)
            return device

        try:
            model = cupy.cuda.runtime.getDeviceProperties(i)["name"]
            model = model.decode() if isinstance(model, bytes) else str(model)
        except Exception:  # the name is decoration; the check will tell if the GPU works
            model = ""
        targets.append(Target("cupy", f"cuda:{i}", model, _FLOATS, to, back, current))
    return BackendInfo("cupy", cupy.__version__, "ok", tuple(targets))


#: name -> (module whose presence decides, probe that imports and describes it)
PROBES: dict[str, tuple[str, Callable[[], BackendInfo]]] = {
    "numpy": ("numpy", _numpy),
    "array_api_strict": ("array_api_strict", _array_api_strict),
    "torch": ("torch", _torch),
    "jax": ("jax", _jax),
    "dask": ("dask", _dask),
    "cupy": ("cupy", _cupy),
}

#: every library :func:`discover` knows, in report order
NAMES: tuple[str, ...] = tuple(PROBES)


def discover(names: Sequence[str] = NAMES) -> list[BackendInfo]:
    """Describe each library in `names`, importing only those that are installed.

    Parameters
    ----------
    names : sequence of str, optional
        Libraries to describe, from :data:`NAMES`; all of them by default.

    Returns
    -------
    list of BackendInfo
        One entry per name, in the order given. A library whose import or device query
        raises is reported with ``status="error: ..."`` rather than raising.

    Raises
    ------
    KeyError
        If a name is not in :data:`NAMES`.
    """
    found = []
    for name in names:
        module, probe = PROBES[name]
        if not installed(module):
            found.append(BackendInfo(name, None, "not installed"))
            continue
        try:
            found.append(probe())
        except Exception as e:  # a broken install must not stop the report
            found.append(BackendInfo(name, _version(name), f"error: {type(e).__name__}: {e}"))
    return found
