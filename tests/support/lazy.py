"""Run every public function of robustloss under ``jax.jit`` and with Dask's compute forbidden.

In the spirit of array-api-extra's ``lazy_xp_function``: a test that asks for the ``xp``
fixture on the JAX backend calls every public function (the functional API, the
``*_grad`` functions, ``robustloss.weights``, ``robustloss.keras`` and the loss objects'
``__call__`` and ``grad``) through ``jax.jit``, with the JAX arrays among its arguments
traced and everything else (hyper-parameters, reductions, NumPy arrays, ``xp``) held
static. On the Dask backend the same calls run with a scheduler that fails the test if
robustloss computes or persists anything, and must return a lazy Dask array.

The test code itself is unchanged: :func:`patch` replaces the functions where tests find
them (the public ``robustloss`` modules and the test module's own globals), for the duration
of one test. Tests that look a function up by name at call time (``support.cases.call``)
get the lazy form too.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import robustloss
import robustloss.keras
import robustloss.weights
from robustloss import Loss

__all__ = ["LAZY_BACKENDS", "patch", "public_callables"]

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


class ComputeForbiddenError(AssertionError):
    """Raised when robustloss asks Dask to compute inside a public call."""


def no_compute(*args: Any, **kwargs: Any) -> Any:
    """A Dask scheduler that fails: for ``dask.config.set(scheduler=no_compute)``."""
    raise ComputeForbiddenError("robustloss computed a Dask array inside a public call")


def _key(value: Any) -> Any:
    """A cache key that tells 1, 1.0 and True apart; None where `value` is unhashable."""
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


def jax_jitted(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` through ``jax.jit``: JAX arrays traced, every other argument static."""
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
    """`fn` with Dask's compute and persist forbidden; its result must stay lazy."""
    import dask
    import dask.array as da

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with dask.config.set(scheduler=no_compute):
            out = fn(*args, **kwargs)
        assert isinstance(out, da.Array), f"{fn.__name__} returned {type(out)}, not Dask"
        return out

    wrapper.__wrapped_lazy__ = True  # type: ignore[attr-defined]
    return wrapper


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
