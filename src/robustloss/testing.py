"""Test code that embeds robustloss on every array library here: the matrix, the lazy harness.

For library authors who call robustloss from their own Array API code and want to test
that code the way robustloss tests itself:

* the backend matrix: :func:`available_backends` (every library, and device, that
  answers here), :func:`backend` (one of them, or :class:`BackendUnavailableError` with the
  reason), and for each a :class:`Backend` that converts NumPy data to its arrays and
  back, with the floating dtypes it has;
* the lazy harness: :func:`lazy` runs a function the way a JAX or Dask user would call
  it, under ``jax.jit`` (JAX arrays traced, every other argument static) or with Dask's
  compute forbidden (:class:`ComputeForbiddenError` if the function computes, and it must
  return a lazy Dask array). Code that passes under it has no value-dependent Python on
  array data and keeps Dask lazy.

It needs NumPy; each library is imported only when asked for. With pytest, parametrize
over :data:`BACKENDS` and turn :class:`BackendUnavailableError` into a skip::

    @pytest.fixture(params=robustloss.testing.BACKENDS)
    def backend(request):
        try:
            return robustloss.testing.backend(request.param)
        except robustloss.testing.BackendUnavailableError as e:
            pytest.skip(str(e))

Examples
--------
>>> import robustloss
>>> from robustloss import testing
>>> "numpy" in [b.name for b in testing.available_backends()]
True
>>> b = testing.backend("numpy")
>>> x = b.asarray([0.0, 2.0], "float32")
>>> f = testing.lazy(lambda a: robustloss.huber_loss(a, 0 * a, reduction="none"), b.name)
>>> b.to_numpy(f(x)).tolist()
[0.0, 1.5]
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BACKENDS",
    "DTYPES",
    "Backend",
    "BackendUnavailableError",
    "ComputeForbiddenError",
    "available_backends",
    "backend",
    "dask_lazy",
    "jax_jitted",
    "lazy",
    "no_compute",
]

_HALF = ("float16", "bfloat16")
#: the floating dtypes of each backend, in the order tests run them
DTYPES: dict[str, tuple[str, ...]] = {
    "numpy": ("float16", "float32", "float64"),
    "array_api_strict": ("float32", "float64"),
    "torch": (*_HALF, "float32", "float64"),
    "torch-cuda": (*_HALF, "float32", "float64"),
    "jax": (*_HALF, "float32", "float64"),
    "dask": ("float16", "float32", "float64"),
    "cupy": ("float16", "float32", "float64"),
}
#: every backend of the matrix (a library, or a library on a device)
BACKENDS: tuple[str, ...] = tuple(DTYPES)


class BackendUnavailableError(Exception):
    """A backend cannot run here: the library is not installed, or no device answers."""


@dataclass(frozen=True)
class Backend:
    """One library of the matrix on one device, with converters to and from NumPy."""

    name: str
    #: the Array API namespace (array-api-compat's wrapper where the library needs one)
    xp: Any
    device: Any
    _from_numpy: Callable[[Any], Any] = field(repr=False)
    _to_numpy: Callable[[Any], Any] = field(repr=False)

    @property
    def dtypes(self) -> tuple[str, ...]:
        """The floating dtypes this backend has, by name."""
        return DTYPES[self.name]

    def dtype(self, name: str) -> Any:
        """Return the library's dtype object called `name` (``'bfloat16'`` included)."""
        import numpy as np

        found = getattr(self.xp, name, None)
        return np.dtype(name) if found is None else found  # Dask's wrapper lacks float16

    def asarray(self, values: Any, dtype: str | None = None) -> Any:
        """Convert `values` (anything NumPy reads) to this library, on its device."""
        import numpy as np

        a = np.asarray(values, dtype=np.float64 if dtype in ("bfloat16", None) else dtype)
        x = self._from_numpy(a)
        if dtype is not None:
            x = self.xp.astype(x, self.dtype(dtype))
        return x

    def to_numpy(self, x: Any) -> Any:
        """Bring `x` back as a float64 NumPy array (computing a lazy one)."""
        import numpy as np

        return np.asarray(self._to_numpy(x), dtype=np.float64)

    def to_numpy_all(self, *xs: Any) -> list[Any]:
        """:meth:`to_numpy` of several arrays; Dask computes them in one pass."""
        if self.name == "dask":
            import dask

            xs = dask.compute(*xs, scheduler="synchronous")  # type: ignore[attr-defined,no-untyped-call]
        return [self.to_numpy(x) for x in xs]


def backend(name: str) -> Backend:
    """Return the backend `name` of :data:`BACKENDS`.

    Raises
    ------
    BackendUnavailableError
        Where its library is not installed or no device answers, saying which.
    ValueError
        If `name` is not a backend of the matrix.
    """
    found = _load(name)
    if isinstance(found, str):
        raise BackendUnavailableError(found)
    return found


def available_backends(names: Sequence[str] = BACKENDS) -> list[Backend]:
    """Return every backend of `names` that runs here, in the order of `names`."""
    return [b for b in map(_load, names) if isinstance(b, Backend)]


@functools.cache
def _load(name: str) -> Backend | str:
    """Return the backend, or why it cannot run here (looked up once per process)."""
    if name not in DTYPES:
        raise ValueError(f"unknown backend {name!r}; the backends are {', '.join(BACKENDS)}")
    module = {"torch-cuda": "torch", "array_api_strict": "array_api_strict"}.get(name, name)
    if importlib.util.find_spec("numpy") is None or importlib.util.find_spec(module) is None:
        return (
            f"{name}: {module if importlib.util.find_spec('numpy') else 'numpy'} is not installed"
        )
    return _import(name)


def _import(name: str) -> Backend | str:
    import array_api_compat as aac
    import numpy as np

    if name == "numpy":
        return Backend(name, aac.array_namespace(np.empty(0)), "cpu", np.array, np.asarray)
    if name == "array_api_strict":
        import array_api_strict as xps

        return Backend(name, xps, xps.Device("CPU_DEVICE"), xps.asarray, np.asarray)
    if name in ("torch", "torch-cuda"):
        import torch

        if name == "torch-cuda" and not torch.cuda.is_available():
            return "torch-cuda: no CUDA GPU answers"
        device = torch.device("cuda" if name == "torch-cuda" else "cpu")
        return Backend(
            name,
            aac.array_namespace(torch.empty(0)),
            device,
            lambda a: torch.asarray(a, device=device),
            lambda x: x.detach().cpu().to(torch.float64).numpy(),
        )
    if name == "jax":
        import jax
        import jax.numpy as jnp

        return Backend(
            name,
            jnp,
            jax.devices("cpu")[0],
            lambda a: jnp.asarray(a),
            lambda x: np.asarray(x, np.float64),
        )
    if name == "dask":
        import dask.array as da

        return Backend(
            name,
            aac.array_namespace(da.empty(0)),
            "cpu",
            lambda a: da.from_array(  # type: ignore[no-untyped-call]
                a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape)
            ),
            lambda x: np.asarray(x.compute(scheduler="synchronous") if hasattr(x, "dask") else x),
        )
    import cupy

    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver, no device
        count = 0
    if count == 0:
        return "cupy: no CUDA GPU answers"
    return Backend(
        name, aac.array_namespace(cupy.empty(0)), cupy.cuda.Device(), cupy.asarray, cupy.asnumpy
    )


# --- the lazy harness ----------------------------------------------------------------------
class ComputeForbiddenError(AssertionError):
    """Raised where a function under :func:`dask_lazy` asks Dask to compute."""


def no_compute(*args: Any, **kwargs: Any) -> Any:
    """Fail: a Dask scheduler for ``dask.config.set(scheduler=no_compute)``."""
    raise ComputeForbiddenError("a Dask array was computed inside a call that must stay lazy")


def _key(value: Any) -> Any:
    """Return a cache key that tells 1, 1.0 and True apart; None where it is unhashable."""
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


def jax_jitted(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Return `fn` through ``jax.jit``: JAX arrays traced, every other argument static.

    One compiled function per structure of the arguments and value of the static ones
    (an unhashable static argument compiles anew each call).
    """
    import jax

    cache: dict[Any, Callable[..., Any]] = {}

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        leaves, tree = jax.tree_util.tree_flatten((args, kwargs))
        traced = [i for i, leaf in enumerate(leaves) if isinstance(leaf, jax.Array)]
        static = tuple(None if i in traced else _key(leaf) for i, leaf in enumerate(leaves))
        key = (tree, tuple(traced), static)
        cacheable = all(k is not None for i, k in enumerate(static) if i not in traced)
        jitted = cache.get(key) if cacheable else None
        if jitted is None:
            frozen = list(leaves)

            def inner(*arrays: Any) -> Any:
                values = list(frozen)
                for i, a in zip(traced, arrays, strict=True):
                    values[i] = a
                a, k = jax.tree_util.tree_unflatten(tree, values)
                return fn(*a, **k)

            jitted = jax.jit(inner)
            if cacheable:
                cache[key] = jitted
        return jitted(*(leaves[i] for i in traced))

    wrapper.__wrapped_lazy__ = True  # type: ignore[attr-defined]
    return wrapper


def dask_lazy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Return `fn` with Dask's compute and persist forbidden; its result must stay lazy.

    Raises :class:`ComputeForbiddenError` where `fn` computes, and AssertionError where
    it returns anything but a Dask array.
    """
    import dask
    import dask.array as da

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with dask.config.set(scheduler=no_compute):
            out = fn(*args, **kwargs)
        if not isinstance(out, da.Array):
            raise AssertionError(f"{fn.__name__} returned {type(out).__name__}, not a Dask array")
        return out

    wrapper.__wrapped_lazy__ = True  # type: ignore[attr-defined]
    return wrapper


def lazy(fn: Callable[..., Any], backend: str) -> Callable[..., Any]:
    """Return `fn` as a user of `backend` runs it: jitted on JAX, without compute on Dask.

    Unchanged on every other backend.
    """
    if backend == "jax":
        return jax_jitted(fn)
    if backend == "dask":
        return dask_lazy(fn)
    return fn
