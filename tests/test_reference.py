"""Every reference case, reduction, backend and dtype: value and gradient.

The expected numbers come from ``src/robustloss/_data/reference.json``, written by
``tests/generate_reference.py`` from PyTorch and mpmath (see its docstring). A case runs in
every dtype its inputs are exact in.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import array_api_compat as aac
import numpy as np
import pytest

from matrix import Backend, backend_dtype_pairs
from robustloss._reference import LOSSES, TOLERANCES, load_reference

OWN_MATRIX = True  # this module crosses backends with cases itself
CASES = load_reference()["cases"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" not in metafunc.fixturenames:
        return
    params, ids = [], []
    for b, d in backend_dtype_pairs():
        for case in CASES:
            if d not in case["dtypes"]:
                continue
            for reduction in case["expected"]:
                params.append((b, d, case, reduction))
                ids.append(f"{b}-{d}-{case['id']}-{reduction}")
    metafunc.parametrize(
        ("backend", "dtype", "case", "reduction"), params, ids=ids, indirect=["backend"]
    )


def check(backend: Backend, got: Any, like: Any, dtype: str, shape: tuple[int, ...]) -> None:
    """Same library, device, dtype and shape as asked (the caller compares the values)."""
    assert aac.array_namespace(got) is backend.xp
    assert aac.device(got) == aac.device(like)
    assert got.dtype == backend.dtype(dtype)
    assert tuple(got.shape) == shape


def test_reference(backend: Backend, dtype: str, case: dict[str, Any], reduction: str) -> None:
    loss, loss_grad = LOSSES[case["loss"]]
    shape = tuple(case["shape"])
    x = backend.asarray(np.reshape(case["input"], shape), dtype)
    y = backend.asarray(np.reshape(case["target"], shape), dtype)
    w = None if case["weight"] is None else backend.asarray(case["weight"], dtype)
    kwargs = {"reduction": reduction, "weight": w, **case["params"]}
    want = case["expected"][reduction]

    value, grad = loss(x, y, **kwargs), loss_grad(x, y, **kwargs)
    value_shape = shape if reduction == "none" else ()
    check(backend, value, x, dtype, value_shape)
    check(backend, grad, x, dtype, shape)
    rtol, atol = TOLERANCES[dtype]
    got_value, got_grad = backend.to_numpy_all(value, grad)
    np.testing.assert_allclose(
        got_value, np.reshape(want["value"], value_shape), rtol=rtol, atol=atol, err_msg="value"
    )
    np.testing.assert_allclose(
        got_grad, np.reshape(want["grad"], shape), rtol=rtol, atol=atol, err_msg="grad"
    )


def test_every_value_has_an_independent_producer() -> None:
    data = load_reference()
    assert data["format"] == 1
    assert {"torch", "mpmath"} <= set(data["peers"])
    ids = [c["id"] for c in data["cases"]]
    assert len(ids) == len(set(ids))
    for case in data["cases"]:
        assert case["loss"] in LOSSES
        assert set(case["expected"]) == {"none", "mean", "sum", "weighted_mean"}
        assert case["dtypes"], case["id"]
        for entry in case["expected"].values():
            for key in ("value_source", "grad_source"):
                assert entry[key].startswith("torch"), (case["id"], entry[key])
                assert "robustloss" not in entry[key]
            assert any(c.startswith("mpmath") for c in entry["checked_by"])


def test_the_reference_covers_the_matrix() -> None:
    losses = {c["loss"] for c in CASES}
    assert losses == set(LOSSES)
    for loss in losses:
        mine = [c for c in CASES if c["loss"] == loss]
        assert {len(c["shape"]) for c in mine} >= {0, 1, 2, 3}
        assert any(0 in c["shape"] for c in mine)
        assert any(c["weight"] is not None for c in mine)
        assert {d for c in mine for d in c["dtypes"]} == set(TOLERANCES)


@pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("torch", "mpmath", "scipy", "optax", "keras")),
    reason="regenerating the reference needs torch, mpmath, scipy, optax and keras",
)
def test_reference_file_is_what_the_generator_writes() -> None:
    script = Path(__file__).with_name("generate_reference.py")
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
