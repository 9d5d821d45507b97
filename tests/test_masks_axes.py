"""``where=`` (masks) and ``axis=`` / ``keepdims=`` (per-axis reductions), for every loss on
every backend and dtype, through the ``xp`` fixture (``jax.jit``; Dask without compute).

Expected numbers come from mpmath (``support.oracle``) elementwise, then NumPy float64
sums over the kept elements and the chosen axes: the reduction rules worked by hand
(``'mean'`` divides by the number of kept elements, ``'weighted_mean'`` by their total
weight; masked elements count nowhere, whatever they hold).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from support.assertions import TOLERANCES, assert_close
from support.cases import CASES, NAMES, Case, call, make_object
from support.matrix import Backend
from support.oracle import flushed, oracle, round_to, work_dtype

pytestmark = pytest.mark.parametrize("case", CASES, ids=NAMES)

_SHAPE = (3, 4, 5)
_RNG = np.random.default_rng(20261202)


def _data(dtype: str, backend: Backend) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Residuals, a mask (True: kept), weights and the inputs with NaN, inf where masked."""
    r = round_to(_RNG.normal(0.0, 3.0, _SHAPE), dtype)
    r = flushed(r, dtype, backend.name)
    mask = _RNG.random(_SHAPE) < 0.7
    mask[0, 0, :] = False  # a row with nothing kept: its mean is NaN
    w = round_to(_RNG.uniform(0.5, 2.0, _SHAPE[-1:]), work_dtype(dtype))
    x = r.copy()
    x[~mask] = _RNG.choice([math.nan, math.inf, -math.inf, 1e30], size=int((~mask).sum()))
    x = round_to(x, dtype)  # 1e30 is inf in the half types
    return r, mask, w, x


def _p(case: Case) -> dict[str, float]:
    return dict(case.params[0])


def _expected(
    case: Case,
    r: np.ndarray,
    mask: np.ndarray,
    w: np.ndarray | None,
    reduction: str,
    axis: Any,
    keepdims: bool,
    grad: bool,
    dtype: str,
) -> np.ndarray:
    work = work_dtype(dtype)
    q = {k: float(round_to(v, work)) for k, v in _p(case).items()}
    rho, psi = oracle(case.name, np.where(mask, r, 0.0), q)
    weights = np.ones(r.shape) if w is None else np.broadcast_to(w, r.shape)
    kept_w = np.where(mask, weights, 0.0)
    terms = np.where(mask, (psi if grad else rho) * weights, 0.0)
    if reduction == "none":
        return terms
    if reduction == "sum":
        den: Any = 1.0
    elif reduction == "mean":
        den = np.sum(mask, axis=axis, keepdims=True)
    else:
        den = np.sum(kept_w, axis=axis, keepdims=True)
    den = np.where(np.asarray(den) == 0, math.nan, den)
    if grad:
        return np.broadcast_to(terms / den, r.shape) if reduction != "sum" else terms
    total = np.sum(terms, axis=axis, keepdims=True) / den
    if not keepdims:
        total = np.squeeze(total, axis=axis) if axis is not None else total.reshape(())
    return np.asarray(total)


#: the dtypes the tests run in: the semantics do not depend on the dtype, and the
#: working-dtype rules of the half types are tested elsewhere
_DTYPES = ("float32", "float64")


def _close(got: Any, want: np.ndarray, dtype: str, scale: float, what: str) -> None:
    rtol, atol = TOLERANCES[dtype]
    assert_close(got, want, rtol=4 * rtol, atol=max(atol, 4 * rtol * scale), what=what)


@pytest.mark.parametrize(
    ("reduction", "weighted"),
    [("none", True), ("sum", False), ("mean", False), ("mean", True), ("weighted_mean", True)],
    ids=["none-weighted", "sum", "mean", "mean-weighted", "weighted_mean"],
)
def test_masked_elements_count_nowhere(
    case: Case, backend: Backend, xp: ModuleType, dtype: str, reduction: str, weighted: bool
) -> None:
    """Value and gradient over the kept elements only, whatever the masked ones hold."""
    r, mask, w, x = _data(dtype, backend)
    xa, ya = backend.asarray(x, dtype), backend.asarray(np.zeros_like(r), dtype)
    m = backend.asarray(mask, "bool")
    wa = backend.asarray(w, work_dtype(dtype)) if weighted else None
    p = _p(case)
    for kind in ("loss", "grad"):
        got = call(case, kind, xa, ya, p, reduction=reduction, weight=wa, where=m)
        want = _expected(
            case, r, mask, w if weighted else None, reduction, None, False, kind == "grad", dtype
        )
        scale = float(np.nanmax(np.abs(want), initial=1.0))
        _close(got, want, dtype, scale, f"{kind} {reduction}")


@pytest.mark.parametrize(
    ("axis", "keepdims", "reduction"),
    [
        (0, False, "sum"),
        (-1, True, "mean"),
        ((0, 2), False, "weighted_mean"),
        (-1, False, "weighted_mean"),
        ((0, 2), True, "mean"),
    ],
    ids=["0-sum", "-1-keepdims-mean", "0,2-weighted_mean", "-1-weighted_mean", "0,2-keepdims-mean"],
)
def test_reductions_over_some_axes(
    case: Case,
    backend: Backend,
    xp: ModuleType,
    dtype: str,
    axis: Any,
    keepdims: bool,
    reduction: str,
) -> None:
    """Sums, counts and weights over the chosen axes, with a mask; the gradient is that
    of the sum of the reduced values."""
    r, mask, w, x = _data(dtype, backend)
    xa, ya = backend.asarray(x, dtype), backend.asarray(np.zeros_like(r), dtype)
    m = backend.asarray(mask, "bool")
    wa = backend.asarray(w, work_dtype(dtype))
    p = _p(case)
    kw = {"reduction": reduction, "weight": wa, "where": m, "axis": axis, "keepdims": keepdims}
    got = call(case, "loss", xa, ya, p, **kw)
    want = _expected(case, r, mask, w, reduction, axis, keepdims, False, dtype)
    assert tuple(got.shape) == want.shape
    scale = float(np.nanmax(np.abs(want), initial=1.0))
    _close(got, want, dtype, scale, "value")
    grad = call(case, "grad", xa, ya, p, **kw)
    want = _expected(case, r, mask, w, reduction, axis, keepdims, True, dtype)
    _close(grad, want, dtype, float(np.nanmax(np.abs(want), initial=1.0)), "grad")


def test_the_objects_take_masks_and_axes(case: Case, backend: Backend, xp: ModuleType) -> None:
    """``loss(input, target, where=..., axis=...)`` and ``loss.grad`` as the functions."""
    dtype = "float64" if "float64" in backend.dtypes else "float32"
    r, mask, _, x = _data(dtype, backend)
    xa, ya = backend.asarray(x, dtype), backend.asarray(np.zeros_like(r), dtype)
    m = backend.asarray(mask, "bool")
    loss = make_object(case, _p(case))
    got = loss(xa, ya, where=m, axis=-1)
    want = _expected(case, r, mask, None, "mean", -1, False, False, dtype)
    _close(got, want, dtype, float(np.nanmax(np.abs(want), initial=1.0)), "object")
    grad = loss.grad(xa, ya, where=m, axis=-1, keepdims=True)
    want = _expected(case, r, mask, None, "mean", -1, True, True, dtype)
    _close(grad, want, dtype, float(np.nanmax(np.abs(want), initial=1.0)), "object grad")


def test_bad_masks_and_axes_are_refused_first(case: Case, backend: Backend) -> None:
    """A clear error before any work, naming the argument."""
    x = backend.asarray(np.ones(_SHAPE), "float32")
    p = _p(case)
    mask = backend.asarray(np.ones(_SHAPE, dtype=bool), "bool")
    with pytest.raises(TypeError, match="where must be a boolean array"):
        call(case, "loss", x, x, p, where=backend.asarray(np.ones(_SHAPE), "float32"))
    with pytest.raises(TypeError, match="where must be a boolean array"):
        call(case, "loss", x, x, p, where=[True])
    with pytest.raises(ValueError, match="where of shape"):
        call(case, "loss", x, x, p, where=backend.asarray(np.ones((2,), dtype=bool), "bool"))
    if backend.name != "numpy":
        with pytest.raises(TypeError, match="where is a numpy array"):
            call(case, "loss", x, x, p, where=np.ones(_SHAPE, dtype=bool))
    with pytest.raises(ValueError, match="out of bounds"):
        call(case, "loss", x, x, p, axis=3)
    with pytest.raises(ValueError, match="repeats"):
        call(case, "grad", x, x, p, axis=(0, -3))
    with pytest.raises(TypeError, match="axis must be"):
        call(case, "loss", x, x, p, axis=1.0)
    with pytest.raises(TypeError, match="keepdims must be a bool"):
        call(case, "loss", x, x, p, axis=0, keepdims=1)
    with pytest.raises(ValueError, match="reduction='none'"):
        call(case, "loss", x, x, p, reduction="none", axis=0, where=mask)


test_masked_elements_count_nowhere.dtypes = _DTYPES  # type: ignore[attr-defined]
test_reductions_over_some_axes.dtypes = _DTYPES  # type: ignore[attr-defined]
