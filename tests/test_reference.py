"""Every reference case and reduction, on every backend and dtype: value and gradient.

The expected numbers come from ``src/robustloss/_data/reference.json``, written by
``tests/reference/generate.py`` from PyTorch, mpmath, SciPy and optax (see its docstring);
robustloss never produced any of them. A case runs in every dtype it lists (its inputs are
exact there), with the package's tolerances (``support.assertions.TOLERANCES``).

Ids read ``test_reference[torch-float32-huber-delta0.5-3d-full_weight-mean]``. One test
checks value and gradient together. A backend that cannot run here (no GPU, not installed)
gets one skipped test per dtype, with the reason, instead of one per case.
"""

from __future__ import annotations

import importlib.util
import math
import re
import runpy
from pathlib import Path
from typing import Any

import array_api_compat as aac
import numpy as np
import pytest

from support.assertions import TOLERANCES
from support.cases import BY_NAME, NAMES, call, reference_file
from support.matrix import Backend, backend_dtype_pairs, load_backend

OWN_MATRIX = True  # this module crosses the backends and dtypes with the cases itself
DATA = reference_file()
GENERATOR = Path(__file__).resolve().parent / "reference" / "generate.py"
CASES: list[dict[str, Any]] = DATA["cases"]
REDUCTIONS = ("none", "mean", "sum", "weighted_mean")
CASE_KEYS = ["id", "loss", "params", "shape", "input", "target", "weight", "dtypes", "expected"]
#: the implementations allowed to produce expected values (never robustloss)
PRODUCERS = ("torch.nn.functional.", "torch.autograd ", "mpmath ")


def _is_strict_array(x: Any) -> bool:
    from array_api_strict._array_object import Array  # the package does not export it

    return isinstance(x, Array)


#: is this an array of the backend's own library?
OWN_ARRAY = {
    "numpy": aac.is_numpy_array,
    "array_api_strict": _is_strict_array,
    "torch": aac.is_torch_array,
    "torch-cuda": aac.is_torch_array,
    "jax": aac.is_jax_array,
    "dask": aac.is_dask_array,
    "cupy": aac.is_cupy_array,
}


def _unavailable(name: str) -> str | None:
    """Why backend `name` cannot run here, or None if it can."""
    try:
        load_backend(name)
    except pytest.skip.Exception as e:
        return str(e.msg)
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" not in metafunc.fixturenames:
        return
    params = []
    for b, d in backend_dtype_pairs():
        reason = _unavailable(b)
        if reason is not None:
            params.append(
                pytest.param(b, d, None, None, id=f"{b}-{d}", marks=pytest.mark.skip(reason=reason))
            )
            continue
        for case in CASES:
            if d in case["dtypes"]:
                for reduction in REDUCTIONS:
                    params.append(
                        pytest.param(b, d, case, reduction, id=f"{b}-{d}-{case['id']}-{reduction}")
                    )
    metafunc.parametrize(("backend", "dtype", "case", "reduction"), params, indirect=["backend"])


def _check_array(
    backend: Backend, got: Any, x: Any, dtype: str, shape: tuple[int, ...], what: str
) -> None:
    """`got` is an array of the backend's library, on x's device, of `dtype` and `shape`."""
    assert OWN_ARRAY[backend.name](got), f"{what}: {type(got)} is not a {backend.name} array"
    assert aac.array_namespace(got) is backend.xp, what
    assert aac.device(got) == aac.device(x), what
    assert got.dtype == backend.dtype(dtype), f"{what}: dtype {got.dtype}, expected {dtype}"
    assert tuple(got.shape) == shape, f"{what}: shape {tuple(got.shape)}, expected {shape}"


def _to_numpy(backend: Backend, *xs: Any) -> list[np.ndarray]:
    """The results as float64 NumPy arrays; Dask computes them in one unoptimized pass.

    Skipping Dask's graph optimization (fusion changes no number) halves the time of
    the many tiny graphs here.
    """
    if backend.name == "dask":
        import dask

        xs = dask.compute(*xs, scheduler="synchronous", optimize_graph=False)
        return [np.asarray(x, dtype=np.float64) for x in xs]
    return backend.to_numpy_all(*xs)


def test_reference(backend: Backend, dtype: str, case: dict[str, Any], reduction: str) -> None:
    row = BY_NAME[case["loss"]]
    shape = tuple(case["shape"])
    x = backend.asarray(np.reshape(case["input"], shape), dtype)
    y = backend.asarray(np.reshape(case["target"], shape), dtype)
    w = None if case["weight"] is None else backend.asarray(case["weight"], dtype)
    kwargs = {"reduction": reduction, "weight": w}
    want = case["expected"][reduction]

    value = call(row, "loss", x, y, case["params"], **kwargs)
    grad = call(row, "grad", x, y, case["params"], **kwargs)

    value_shape = shape if reduction == "none" else ()
    _check_array(backend, value, x, dtype, value_shape, "value")
    _check_array(backend, grad, x, dtype, shape, "grad")
    rtol, atol = TOLERANCES[dtype]
    got_value, got_grad = _to_numpy(backend, value, grad)
    want_value = np.reshape(np.asarray(want["value"], dtype=np.float64), value_shape)
    want_grad = np.reshape(np.asarray(want["grad"], dtype=np.float64), shape)
    for what, got, want_ in (("value", got_value, want_value), ("grad", got_grad, want_grad)):
        if not np.allclose(got, want_, rtol=rtol, atol=atol, equal_nan=True):  # fast path
            np.testing.assert_allclose(got, want_, rtol=rtol, atol=atol, err_msg=what)


# --- the file itself ------------------------------------------------------------------------
def test_every_entry_names_an_independent_producer() -> None:
    assert DATA["format"] == 1
    # the generator's name when it wrote the file (it was moved since; the next rewrite
    # records the present one)
    assert DATA["generator"] == "tests/reference/generate.py"
    assert GENERATOR.is_file()
    assert {"torch", "mpmath", "scipy", "optax"} <= set(DATA["peers"])
    assert "robustloss" not in DATA["peers"]
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in CASES:
        assert list(case)[: len(CASE_KEYS)] == CASE_KEYS, case["id"]
        assert case["loss"] in NAMES, case["id"]
        assert set(case["expected"]) == set(REDUCTIONS), case["id"]
        assert case["dtypes"], case["id"]
        assert set(case["dtypes"]) <= set(TOLERANCES), case["id"]
        for reduction, entry in case["expected"].items():
            where = f"{case['id']} {reduction}"
            for key in ("value_source", "grad_source"):
                source = entry[key]
                assert source.startswith(PRODUCERS), (where, source)
                assert "robustloss" not in source.lower(), (where, source)
                assert re.search(r" \d+\.\d+", source), (where, "no version", source)
            checkers = entry.get("checked_by", [])
            assert checkers, (where, "no independent check")
            assert all("robustloss" not in c.lower() for c in checkers), where
            assert entry["value_source"] not in checkers, (where, "checked by its own producer")


def test_the_reference_covers_the_matrix() -> None:
    assert {c["loss"] for c in CASES} == set(NAMES)
    for loss in NAMES:
        mine = [c for c in CASES if c["loss"] == loss]
        assert {len(c["shape"]) for c in mine} >= {0, 1, 2, 3}, loss
        assert any(0 in c["shape"] for c in mine), loss
        weights = [np.shape(c["weight"]) for c in mine if c["weight"] is not None]
        assert any(s == () for s in weights), loss
        full = [
            c
            for c in mine
            if c["weight"] is not None and np.shape(c["weight"]) == tuple(c["shape"])
        ]
        broadcast = [
            c
            for c in mine
            if c["weight"] is not None and np.shape(c["weight"]) != tuple(c["shape"])
        ]
        assert full, loss
        assert broadcast, loss
        assert {d for c in mine for d in c["dtypes"]} == set(TOLERANCES), loss
        # ties |r| == delta (or beta) are where implementations differ; the file has them
        for c in mine:
            k = c["params"].get("delta") or c["params"].get("beta")
            if k and c["id"].endswith("-edges"):
                r = np.subtract(c["input"], c["target"])
                assert np.any(np.abs(r) == k), c["id"]


def _exact(values: Any, dtype: str) -> bool | None:
    """Whether `values` are exact in `dtype` (None: no bfloat16 type to ask here)."""
    a = np.asarray(values, dtype=np.float64)
    if dtype == "bfloat16":
        if importlib.util.find_spec("ml_dtypes") is None:
            return None
        import ml_dtypes

        return bool(np.array_equal(a.astype(ml_dtypes.bfloat16).astype(np.float64), a))
    return bool(np.array_equal(a.astype(dtype).astype(np.float64), a))


def test_the_inputs_are_exact_in_the_dtypes_a_case_lists() -> None:
    for case in CASES:
        arrays = [case["input"], case["target"]] + (
            [] if case["weight"] is None else [case["weight"]]
        )
        for dtype in case["dtypes"]:
            assert all(_exact(a, dtype) is not False for a in arrays), (case["id"], dtype)
            # and no expected number overflows that dtype
            big = float(np.finfo(np.float16).max) if dtype == "float16" else math.inf
            for entry in case["expected"].values():
                for key in ("value", "grad"):
                    v = np.asarray(entry[key], dtype=np.float64)
                    assert np.all(np.abs(v[np.isfinite(v)]) <= big), (case["id"], dtype, key)


@pytest.mark.slow
@pytest.mark.skipif(
    not all(
        importlib.util.find_spec(m)
        for m in ("torch", "jax", "scipy", "optax", "statsmodels", "mpmath")
    ),
    reason="regenerating the reference needs torch, jax, scipy, optax, statsmodels and mpmath",
)
def test_reference_file_is_what_the_generator_writes(capsys: pytest.CaptureFixture[str]) -> None:
    # ``python tests/reference/generate.py --check``, run in this process (torch and JAX
    # are loaded already) from its file: the script is not a module of the tests
    generator = runpy.run_path(str(GENERATOR), run_name="reference_generator")
    status = generator["main"](["--check"])
    out = capsys.readouterr()
    assert status == 0, out.out + out.err
    assert "peer disagrees" not in out.err, out.err
