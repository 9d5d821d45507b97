"""Run every public function of robustloss under ``jax.jit`` and with Dask's compute forbidden.

In the spirit of array-api-extra's ``lazy_xp_function``: a test that asks for the ``xp``
fixture on the JAX backend calls every public function (the functional API, the
``*_grad`` functions, ``robustloss.weights``, ``robustloss.keras`` and the loss objects'
``__call__`` and ``grad``) through ``jax.jit``, with the JAX arrays among its arguments
traced and everything else (hyper-parameters, reductions, NumPy arrays, ``xp``) held
static. On the Dask backend the same calls run with a scheduler that fails the test if
robustloss computes or persists anything, and must return a lazy Dask array.

The wrappers are :mod:`robustloss.testing`'s (public, for library authors); here they
are applied to every public function. The test code itself is unchanged: :func:`patch`
replaces the functions where tests find them (the public ``robustloss`` modules and the
test module's own globals), for the duration of one test. Tests that look a function up
by name at call time (``support.cases.call``) get the lazy form too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import robustloss
import robustloss.keras
import robustloss.weights
from robustloss import Loss
from robustloss.testing import ComputeForbiddenError, dask_lazy, jax_jitted, no_compute

__all__ = [
    "LAZY_BACKENDS",
    "ComputeForbiddenError",
    "no_compute",
    "patch",
    "pickled_dask_arrays",
    "public_callables",
]

#: backends on which the ``xp`` fixture runs robustloss lazily
LAZY_BACKENDS = ("jax", "dask")


def _functions(module: ModuleType) -> dict[str, Callable[..., Any]]:
    return {
        name: getattr(module, name)
        for name in module.__all__
        if inspect.isfunction(getattr(module, name))
        and name not in ("fast_paths", "fast_paths_enabled")
    }


def public_callables() -> list[tuple[Any, str]]:
    """(owner, attribute) of every public function and loss-object method."""
    found: list[tuple[Any, str]] = []
    for module in (robustloss, robustloss.weights, robustloss.keras):
        found += [(module, name) for name in _functions(module)]
    found += [(Loss, "__call__"), (Loss, "forward"), (Loss, "grad")]
    found += [(robustloss.keras.KerasLoss, "__call__")]
    return found


def patch(monkeypatch: pytest.MonkeyPatch, backend: str, test_module: ModuleType | None) -> None:
    """Replace every public callable by its lazy form on `backend` (no-op elsewhere)."""
    if backend not in LAZY_BACKENDS:
        return
    wrap = jax_jitted if backend == "jax" else dask_lazy
    replaced: dict[int, Callable[..., Any]] = {}
    for owner, name in public_callables():
        original = inspect.getattr_static(owner, name)
        if getattr(original, "__wrapped_lazy__", False):
            continue
        lazy = replaced.setdefault(id(original), wrap(original))
        monkeypatch.setattr(owner, name, lazy)
    if test_module is not None:
        for name, value in list(vars(test_module).items()):
            if id(value) in replaced:
                monkeypatch.setattr(test_module, name, replaced[id(value)])


def pickled_dask_arrays(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of every Dask array pickled from now on (the test's end undoes it).

    Dask names a task by hashing its function; a function closing over a Dask array is
    pickled, whole input graph and all, so that an iterative algorithm would build its
    graph in quadratic time.
    """
    import dask.array as da

    pickled: list[str] = []
    reduce = da.Array.__reduce__

    def spy(self: Any) -> Any:
        pickled.append(self.name)
        return reduce(self)

    monkeypatch.setattr(da.Array, "__reduce__", spy)
    return pickled
