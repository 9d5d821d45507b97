"""The IRLS example reproduces statsmodels' RLM on the stack-loss data, on every backend.

statsmodels fits the model itself (``RLM(...).fit()`` with its defaults); the example
only uses robustloss's weights and losses, so agreement checks them in use.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from support.matrix import load_backend
from support.scripts import load

#: backends with the linalg extension and sort (Dask has no sort)
BACKENDS = ["numpy", "array_api_strict", "torch", "torch-cuda", "jax", "cupy"]


def _example() -> ModuleType:
    return load("examples/irls_stackloss.py", "irls_stackloss")


def _statsmodels_fit(norm: str) -> np.ndarray:
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.stackloss.load()
    exog = sm.add_constant(np.asarray(data.exog, dtype=np.float64))
    M = (
        sm.robust.norms.HuberT(t=1.345)
        if norm == "huber"
        else sm.robust.norms.TukeyBiweight(c=4.685)
    )
    return np.asarray(sm.RLM(np.asarray(data.endog, np.float64), exog, M=M).fit().params)


def test_the_embedded_data_is_statsmodels_stackloss() -> None:
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.stackloss.load()
    rows = np.column_stack([np.asarray(data.exog), np.asarray(data.endog)])
    np.testing.assert_array_equal(np.asarray(_example().STACKLOSS, dtype=np.float64), rows)


@pytest.mark.parametrize("norm", ["huber", "tukey"])
@pytest.mark.parametrize("name", BACKENDS)
def test_irls_reproduces_statsmodels_rlm(name: str, norm: str) -> None:
    backend = load_backend(name)
    want = _statsmodels_fit(norm)
    example = _example()
    X, y = example.stackloss(backend.xp, device=backend.device)
    beta: Any = example.irls(X, y, norm)
    got = backend.to_numpy(beta)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # far from OLS: the robust fit really reweighted the outlying days
    ols = np.linalg.lstsq(backend.to_numpy(X), backend.to_numpy(y), rcond=None)[0]
    assert np.max(np.abs(got - ols) / np.abs(ols)) > 0.05


def test_the_example_runs_as_a_script(capsys: pytest.CaptureFixture[str]) -> None:
    _example().main()
    out = capsys.readouterr().out
    assert "numpy  huber" in out
    assert "tukey" in out
