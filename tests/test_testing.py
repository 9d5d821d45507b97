"""robustloss.testing, as a library author uses it: the backend matrix and the lazy harness.

Expected values are the inputs themselves (exact in every dtype they are given in) or
worked by hand; the harness is shown to fail on exactly what it exists to catch.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

import robustloss
from robustloss import testing

AVAILABLE = testing.available_backends()


def test_numpy_and_array_api_strict_are_always_there() -> None:
    names = [b.name for b in AVAILABLE]
    assert names[0] == "numpy"
    assert names == [n for n in testing.BACKENDS if n in names]  # the matrix's order
    if importlib.util.find_spec("array_api_strict") is not None:
        assert "array_api_strict" in names


@pytest.mark.parametrize("b", AVAILABLE, ids=lambda b: b.name)
def test_every_backend_round_trips_in_each_of_its_dtypes(b: testing.Backend) -> None:
    values = [[0.0, -1.5], [2.25, 4.0]]  # exact in every floating dtype, and so is the sum
    for dtype in b.dtypes:
        x = b.asarray(values, dtype)
        assert x.dtype == b.dtype(dtype)
        assert x.shape == (2, 2)
        np.testing.assert_array_equal(b.to_numpy(x), values)
        got = robustloss.huber_loss(x, 0 * x, reduction="sum")  # the library's own arrays
        assert got.dtype == b.dtype(dtype)
        assert float(b.to_numpy(got)) == 0.0 + 1.0 + 1.75 + 3.5


def test_a_backend_that_cannot_run_says_why() -> None:
    with pytest.raises(ValueError, match="unknown backend 'tensorflow'"):
        testing.backend("tensorflow")
    unavailable = [n for n in testing.BACKENDS if n not in {b.name for b in AVAILABLE}]
    for name in unavailable:  # on a machine without a GPU: torch-cuda and cupy at least
        with pytest.raises(testing.BackendUnavailableError, match=f"^{name}: "):
            testing.backend(name)


def _value_dependent(x: Any) -> Any:
    # Python control flow on array data: what jit cannot trace
    return x if float(x[0]) > 0 else -x


def test_lazy_on_jax_catches_value_dependent_python() -> None:
    jax = pytest.importorskip("jax")
    b = testing.backend("jax")
    x = b.asarray([1.0, 2.0], "float32")
    with pytest.raises(jax.errors.ConcretizationTypeError):
        testing.lazy(_value_dependent, "jax")(x)
    traces = []

    def loss(a: Any, delta: float) -> Any:
        traces.append(delta)
        return robustloss.huber_loss(a, 0 * a, delta=delta)

    f = testing.lazy(loss, "jax")
    assert [float(f(x, 1.0)), float(f(2 * x, 1.0)), float(f(x, 0.5))] == [1.0, 2.5, 0.625]
    assert traces == [1.0, 0.5]  # compiled once per static argument, not per call


def test_lazy_on_dask_forbids_compute_and_requires_a_lazy_result() -> None:
    pytest.importorskip("dask.array")
    b = testing.backend("dask")
    x = b.asarray([1.0, 2.0, 3.0], "float64")
    with pytest.raises(testing.ComputeForbiddenError):
        testing.lazy(lambda a: a.sum().compute(), "dask")(x)
    with pytest.raises(AssertionError, match="not a Dask array"):
        testing.lazy(lambda a: 1.0, "dask")(x)
    out = testing.lazy(lambda a: robustloss.huber_loss(a, 0 * a), "dask")(x)
    assert float(b.to_numpy(out)) == (0.5 + 1.5 + 2.5) / 3


def test_lazy_elsewhere_is_the_function_itself() -> None:
    for name in ("numpy", "torch", "array_api_strict", "cupy"):
        assert testing.lazy(_value_dependent, name) is _value_dependent
