"""examples/fit_line.py on every backend installed, as its author would test it.

With :mod:`robustloss.testing`: each backend of the matrix (skipped with the reason where
it cannot run), the fit run lazily (under ``jax.jit``, on Dask without computing), in
float64 and float32, against SciPy's ``least_squares(loss="huber", f_scale=delta)``,
whose cost ``sum(f_scale**2 rho(f**2 / f_scale**2))`` is twice the sum of Huber losses:
the same minimiser.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from robustloss import testing
from support.scripts import load

#: this module's ``backend`` fixture is its own, as a library author would write it
OWN_MATRIX = True


def _example() -> Any:
    return load("examples/fit_line.py", "fit_line_example")


def _data() -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(0.0, 10.0, 40)
    y = 1.0 + 2.0 * x + 0.1 * np.sin(7.0 * x)
    y[[3, 17, 28, 35]] += 30.0
    return x, y


@pytest.fixture(scope="module")
def scipy_fit() -> np.ndarray:
    least_squares = pytest.importorskip("scipy.optimize").least_squares
    x, y = _data()
    fit = least_squares(
        lambda p: y - p[0] - p[1] * x,
        x0=np.zeros(2),
        loss="huber",
        f_scale=1.0,
        ftol=1e-15,
        xtol=1e-15,
        gtol=1e-15,
    )
    return np.asarray(fit.x)


@pytest.fixture(params=testing.BACKENDS)
def backend(request: pytest.FixtureRequest) -> testing.Backend:
    try:
        return testing.backend(request.param)
    except testing.BackendUnavailableError as e:
        pytest.skip(str(e))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fit_line_on_every_backend(
    backend: testing.Backend, dtype: str, scipy_fit: np.ndarray
) -> None:
    fit_line = _example().fit_line
    x, y = (backend.asarray(a, dtype) for a in _data())
    got = testing.lazy(fit_line, backend.name)(x, y, xp=backend.xp)
    assert got.dtype == backend.dtype(dtype)
    rtol = 1e-7 if dtype == "float64" else 1e-4  # IRLS and SciPy each stop near the minimum
    np.testing.assert_allclose(backend.to_numpy(got), scipy_fit, rtol=rtol)


def test_the_example_runs_as_a_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert _example().main() == 0
    assert capsys.readouterr().out.startswith("robust line: y = 1.10")
