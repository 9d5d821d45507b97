"""Properties every loss must have, searched by hypothesis on every backend and dtype.

Each test runs for every loss of the package on every backend (the dtype, the
hyper-parameters and the residuals are drawn), through the ``xp`` fixture: on JAX every
call goes through ``jax.jit`` and on Dask nothing may be computed inside robustloss (see
``support/lazy.py``). Expected values come from mpmath (``support.oracle``) or from
formulas worked by hand, never from robustloss. The number of examples is set by the
hypothesis profile (``conftest.py``): ``ci`` by default, ``thorough`` for long local runs.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from support.assertions import TOLERANCES, assert_close
from support.cases import BY_NAME, CASES, NAMES, Case, bound, call, kinks, transitions, weight
from support.matrix import Backend
from support.oracle import EPS, MAX, SUBNORMAL, TINY, flushed, oracle, round_to
from support.strategies import dtypes, params

pytestmark = pytest.mark.parametrize("case", CASES, ids=NAMES)


def _residuals(dtype: str, p: dict[str, float], size: int = 16) -> st.SearchStrategy[np.ndarray]:
    """Residuals exact in `dtype`, from 0 through the transitions to far in the tails."""
    top = min(1e4, MAX[dtype] / 2)
    scales = [1.0, *(v for v in p.values() if math.isfinite(v) and v > 0)]
    near = [t * f for t in scales for f in (0.5, 1.0, 1.0 + 1e-3, 2.0, 8.0)]
    element = st.one_of(
        st.floats(-top, top, allow_subnormal=False),
        st.sampled_from([0.0, *near, *(-v for v in near)]),
    )
    return hnp.arrays(np.float64, st.integers(1, size), elements=element).map(
        lambda a: round_to(a, dtype)
    )


def _draw(
    data: st.DataObject, backend: Backend, case: Case
) -> tuple[str, dict[str, float], np.ndarray]:
    dtype = data.draw(st.sampled_from(dtypes(backend)), label="dtype")
    p = _working(data.draw(params(case), label="params"), dtype)
    r = data.draw(_residuals(dtype, p), label="r")
    return dtype, p, flushed(r, dtype, backend.name)  # as the backend sees them


def _working(p: dict[str, float], dtype: str) -> dict[str, float]:
    """`p` as the loss sees it: hyper-parameters are cast to the working dtype (float32
    for the half types), so that is what the definition is evaluated with."""
    work = "float32" if dtype in ("float16", "bfloat16") else dtype
    return {k: float(round_to(v, work)) for k, v in p.items()}


def _eval(
    backend: Backend,
    case: Case,
    kind: str,
    x: Any,
    y: Any,
    p: dict[str, float],
    reduction: str = "none",
    **kw: Any,
) -> np.ndarray:
    """`case`'s loss or grad (`kind`), looked up at call time: the xp fixture may have
    replaced it by its lazy form."""
    return backend.to_numpy(call(case, kind, x, y, p, reduction=reduction, **kw))


def _close(got: np.ndarray, want: np.ndarray, dtype: str, what: str, scale: float = 0.0) -> None:
    """`got` is `want` rounded to `dtype`, within the dtype's tolerance.

    Where `want` overflows the dtype the result must be inf; `scale` widens the absolute
    tolerance where a value is a small difference of larger terms (psi near its zeros).
    """
    rtol, atol = TOLERANCES[dtype]
    assert_close(got, want, rtol=rtol, atol=max(atol, rtol * scale), what=what, overflow=dtype)


@given(data=st.data())
def test_value_and_grad_are_the_definition(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """Elementwise value and derivative equal mpmath's, rounded to the dtype."""
    dtype, p, r = _draw(data, backend, case)
    x, zero = backend.asarray(r, dtype), backend.asarray(np.zeros_like(r), dtype)
    rho, psi = oracle(case.name, r, p)
    _close(_eval(backend, case, "loss", x, zero, p), rho, dtype, "value")
    # psi near its zeros (Tukey at c, the redescenders far out) is a small difference:
    # judge it on the scale of psi over the sample
    big = float(np.max(np.abs(psi[np.isfinite(psi)]), initial=0.0))
    _close(_eval(backend, case, "grad", x, zero, p), psi, dtype, "grad", big)


@given(data=st.data())
def test_zero_at_zero_nonnegative_and_symmetric(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """rho(0) = psi(0) = 0; rho >= 0; swapping input and target: same rho, -psi, bit for bit."""
    dtype, p, r = _draw(data, backend, case)
    t = round_to(data.draw(hnp.arrays(np.float64, r.shape, elements=st.floats(-4, 4))), dtype)
    x, y = backend.asarray(r, dtype), backend.asarray(t, dtype)
    values = _eval(backend, case, "loss", x, y, p)
    swapped = _eval(backend, case, "loss", y, x, p)
    grads = _eval(backend, case, "grad", x, y, p)
    grads_swapped = _eval(backend, case, "grad", y, x, p)
    assert (values >= 0).all(), values
    if case.symmetric:  # the asymmetric losses weigh the two sides differently
        np.testing.assert_array_equal(values, swapped)
        np.testing.assert_array_equal(grads, -grads_swapped)
    at_zero = _eval(backend, case, "loss", x, x, p)
    grad_at_zero = _eval(backend, case, "grad", x, x, p)
    np.testing.assert_array_equal(at_zero, 0.0)
    np.testing.assert_array_equal(grad_at_zero, 0.0)
    # psi has the sign of r (or is 0): the loss never decreases away from 0
    assert (grads * (r - t) >= 0).all()


@given(data=st.data())
def test_monotone_in_the_residual_and_bounded(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """rho is non-decreasing in |r|; the redescending losses never exceed their bound."""
    dtype, p, r = _draw(data, backend, case)
    a = np.sort(np.abs(r))
    zero = backend.asarray(np.zeros_like(a), dtype)
    values = _eval(backend, case, "loss", backend.asarray(a, dtype), zero, p)
    slack = 8 * EPS[dtype]
    finite = np.isfinite(values)
    assert (np.diff(values[finite]) >= -slack * values[finite][1:]).all(), (a, values)
    sup = bound(case, p)
    if sup is not None:
        assert (values <= round_to(sup, dtype) * (1 + slack)).all(), (sup, values)
    grads = _eval(backend, case, "grad", backend.asarray(a, dtype), zero, p)
    slope = case.tail_slope(p)
    if slope is not None:
        assert (grads <= round_to(slope, dtype) * (1 + slack)).all(), grads


@given(data=st.data())
def test_continuous_at_every_transition(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """No jump across a branch or a change of form: at the transition and 1, 2, 4 ulp to
    either side, rho varies by no more than its slope allows, and rho and psi are mpmath's.
    """
    dtype = data.draw(st.sampled_from(dtypes(backend)), label="dtype")
    p = _working(data.draw(params(case), label="params"), dtype)
    points = [v for v in round_to(transitions(case, p), dtype) if 0 < v < MAX[dtype] / 4]
    if not points:
        return
    eps = EPS[dtype]
    steps = np.array([-4, -2, -1, 0, 1, 2, 4], dtype=np.float64) * eps
    a = round_to(np.concatenate([t * (1 + steps) for t in points]), dtype)
    a = a * data.draw(st.sampled_from([1.0, -1.0]), label="sign")
    zero = backend.asarray(np.zeros_like(a), dtype)
    x = backend.asarray(a, dtype)
    values = _eval(backend, case, "loss", x, zero, p)
    grads = _eval(backend, case, "grad", x, zero, p)
    rho, psi = oracle(case.name, a, p)
    _close(values, rho, dtype, "value")
    # psi where it falls to 0 at a rejection point (Andrews' a pi, where a sin(r / a) is
    # a few ulp of a off from rounding r / a) is judged on its scale elsewhere too
    unit = oracle(case.name, np.asarray([min(points)]) / 2, p)[1]
    _close(grads, psi, dtype, "grad", float(np.max(np.abs([*psi, *unit]))))
    for v, d, at in zip(*(z.reshape(len(points), -1) for z in (values, grads, a)), strict=True):
        width = abs(at[-1] - at[0])
        assert np.ptp(v) <= 1.5 * np.max(np.abs(d)) * width + 16 * eps * np.max(v), (at, v)


@given(data=st.data())
def test_grad_is_a_central_difference(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """In float64, psi equals (rho(r + h) - rho(r - h)) / 2h away from the kinks."""
    p = data.draw(params(case), label="params")
    r = data.draw(_residuals("float64", p, size=8), label="r")
    h = 1e-6 * np.maximum(np.abs(r), 1e-2)
    # the losses with kinks: away from 0 and every transition
    away = [0.0, *transitions(case, p)] if kinks(case, p) else []
    far = np.ones(r.shape, bool)
    for k in away:
        far &= np.abs(np.abs(r) - k) > 4 * h
    zero = backend.asarray(np.zeros_like(r), "float64")
    up = _eval(backend, case, "loss", backend.asarray(r + h, "float64"), zero, p)
    down = _eval(backend, case, "loss", backend.asarray(r - h, "float64"), zero, p)
    grads = _eval(backend, case, "grad", backend.asarray(r, "float64"), zero, p)
    ok = far & np.isfinite(up) & np.isfinite(down) & np.isfinite(grads)
    with np.errstate(invalid="ignore"):
        central = (up - down) / ((r + h) - (r - h))
        scale = np.maximum(np.abs(up), np.abs(down)) * 1e-15 / h  # rounding of rho, over h
    np.testing.assert_allclose(
        grads[ok], central[ok], rtol=1e-5, atol=float(np.max(scale[ok], initial=0)) + 1e-9
    )


def _hand(loss: str, r: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """The closed forms the general loss reduces to, worked by hand in float64."""
    t = r / p["scale"]
    return {
        "general2": 0.5 * t * t,
        "cauchy": np.log1p(0.5 * t * t),
        "geman_mcclure": 2 * t * t / (t * t + 4),
        "welsch": -np.expm1(-0.5 * t * t),
    }[loss]


@given(data=st.data())
def test_relations_between_losses(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """huber(d) = d smooth_l1(d); general at alpha = 2, 0, -2, -inf; limits and orderings."""
    dtype, p, r = _draw(data, backend, case)
    rtol = TOLERANCES[dtype][0]
    # results below the smallest normal number are rounded to the subnormal spacing
    # (XLA flushes them to 0); the formulas by hand are not
    atol = 2 * (TINY[dtype] if backend.name == "jax" else SUBNORMAL[dtype])
    x, zero = backend.asarray(r, dtype), backend.asarray(np.zeros_like(r), dtype)
    value = _eval(backend, case, "loss", x, zero, p)
    grad = _eval(backend, case, "grad", x, zero, p)
    ok = np.isfinite(value) & (np.abs(value) < MAX[dtype] / 4)
    general = BY_NAME["general"]
    if case.name == "huber":
        d = p["delta"]
        other = _eval(backend, BY_NAME["smooth_l1"], "loss", x, zero, {"beta": d})
        other_g = _eval(backend, BY_NAME["smooth_l1"], "grad", x, zero, {"beta": d})
        # smooth_l1 is rounded before it is scaled by d: so is its absolute error
        np.testing.assert_allclose(value[ok], d * other[ok], rtol=2 * rtol, atol=(1 + d) * atol)
        np.testing.assert_allclose(grad, d * other_g, rtol=2 * rtol, atol=(1 + d) * atol)
        # pseudo-Huber is below Huber and tends to it where |r| << delta
        ph = _eval(backend, BY_NAME["pseudo_huber"], "loss", x, zero, {"delta": d})
        assert (ph[ok] <= value[ok] * (1 + 2 * rtol) + atol).all()
        inner = ok & (np.abs(r) <= d)
        gap = value[inner] - ph[inner]
        assert (gap <= value[inner] * ((r[inner] / d) ** 2 / 4 + 2 * rtol) + atol).all()
    elif case.name == "smooth_l1":
        l1 = np.abs(r)
        assert (value[ok] <= l1[ok] * (1 + rtol) + atol).all()
        assert (l1[ok] - value[ok] <= p["beta"] / 2 * (1 + rtol) + rtol * l1[ok]).all()
    elif case.alpha is not None:  # Cauchy, Geman-McClure, Welsch
        at = {"alpha": case.alpha, **p}
        same = _eval(backend, general, "loss", x, zero, at)
        np.testing.assert_allclose(value, same, rtol=2 * rtol, atol=atol)
        np.testing.assert_allclose(value, _hand(case.name, r, p), rtol=2 * rtol, atol=atol)
    elif case.name == "general":
        s = p["scale"]
        two = _eval(backend, general, "loss", x, zero, {"alpha": 2.0, "scale": s})
        want = _hand("general2", r, p)
        fits = np.abs(want) < MAX[dtype] / 4
        np.testing.assert_allclose(two[fits], want[fits], rtol=2 * rtol, atol=atol)
        # Barron's loss increases with alpha
        if p["alpha"] < 2:
            assert (value[ok] <= two[ok] * (1 + 4 * rtol) + atol).all()
    elif case.name in ("tukey", "log_cosh"):
        half_square = 0.5 * r * r
        assert (value[ok] <= half_square[ok] * (1 + 2 * rtol) + atol).all()
        if case.name == "log_cosh":
            low = np.abs(r) - math.log(2)
            assert (value[ok] >= low[ok] - rtol * np.abs(r[ok])).all()


@given(data=st.data())
def test_reductions_are_consistent(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """sum = N mean; weighted_mean(1) = mean; sum(w) = sum(w l); scaling w by 2 changes nothing."""
    dtype, p, r = _draw(data, backend, case)
    rtol = TOLERANCES[dtype][0] * 4
    positive = st.one_of(st.just(0.0), st.floats(1e-3, 8))  # subnormal weights: no digits
    wn = data.draw(hnp.arrays(np.float64, r.shape, elements=positive), label="weight")
    wn = round_to(wn, dtype)
    # elementwise results are rounded to the dtype, sums are not: in the subnormal range
    # that is up to half a subnormal spacing per term; XLA on CPU flushes subnormal
    # results to zero
    atol = r.size * 8 * (TINY[dtype] if backend.name == "jax" else SUBNORMAL[dtype])
    x, zero = backend.asarray(r, dtype), backend.asarray(np.zeros_like(r), dtype)
    w, ones = backend.asarray(wn, dtype), backend.asarray(np.ones_like(r), dtype)
    w2 = backend.asarray(2 * wn, dtype)
    none = _eval(backend, case, "loss", x, zero, p)
    if not np.isfinite(none).all() or none.sum() > MAX[dtype] / 64:
        return  # sums of values near overflow are not comparable
    n = r.size
    total = _eval(backend, case, "loss", x, zero, p, reduction="sum")
    mean = _eval(backend, case, "loss", x, zero, p, reduction="mean")
    np.testing.assert_allclose(total, mean * n, rtol=rtol, atol=atol * n)
    unit = _eval(backend, case, "loss", x, zero, p, reduction="weighted_mean", weight=ones)
    np.testing.assert_allclose(unit, mean, rtol=rtol, atol=atol)
    weighted_sum = _eval(backend, case, "loss", x, zero, p, reduction="sum", weight=w)
    np.testing.assert_allclose(weighted_sum, np.sum(wn * none), rtol=rtol, atol=atol)
    wm = _eval(backend, case, "loss", x, zero, p, reduction="weighted_mean", weight=w)
    wm2 = _eval(backend, case, "loss", x, zero, p, reduction="weighted_mean", weight=w2)
    np.testing.assert_array_equal(wm, wm2)
    if wn.sum() == 0:
        assert np.isnan(wm)
    # the derivative of each reduction is psi times w / denominator
    gn = _eval(backend, case, "grad", x, zero, p)
    gm = _eval(backend, case, "grad", x, zero, p, reduction="mean")
    gw = _eval(backend, case, "grad", x, zero, p, reduction="sum", weight=w)
    np.testing.assert_allclose(gm, gn / n, rtol=rtol, atol=atol)
    np.testing.assert_allclose(gw, wn * gn, rtol=rtol, atol=atol)


# --- hyper-parameters as arrays ------------------------------------------------------------
def _per_element(
    data: st.DataObject, backend: Backend, case: Case, least: int = 1
) -> tuple[str, list[dict[str, float]], np.ndarray]:
    """A dtype, one hyper-parameter set per residual (as the loss sees them), residuals."""
    dtype = data.draw(st.sampled_from(dtypes(backend)), label="dtype")
    n = data.draw(st.integers(least, 6), label="n")
    sets = [_working(data.draw(params(case), label="params"), dtype) for _ in range(n)]
    r = np.concatenate([data.draw(_residuals(dtype, p, size=1), label="r") for p in sets])
    return dtype, sets, flushed(r, dtype, backend.name)


def _arrays(backend: Backend, sets: list[dict[str, float]], dtype: str) -> dict[str, Any]:
    """Each hyper-parameter as an array of the backend, one entry per residual."""
    work = "float32" if dtype in ("float16", "bfloat16") else dtype
    return {k: backend.asarray(np.asarray([p[k] for p in sets]), work) for k in sets[0]}


def _oracle_each(case: Case, r: np.ndarray, sets: list[dict[str, float]]) -> tuple[Any, Any]:
    pairs = [oracle(case.name, r[i : i + 1], p) for i, p in enumerate(sets)]
    return tuple(np.concatenate([pair[k] for pair in pairs]) for k in (0, 1))


@given(data=st.data())
def test_array_hyper_parameters_are_the_definition(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """Every hyper-parameter an array, one value per element: each element's value,
    derivative and IRLS weight equal mpmath's at that element's hyper-parameters."""
    if not case.parameters:
        pytest.skip(f"{case.name} has no hyper-parameter")
    dtype, sets, r = _per_element(data, backend, case)
    x, zero = backend.asarray(r, dtype), backend.asarray(np.zeros_like(r), dtype)
    p = _arrays(backend, sets, dtype)
    rho, psi = _oracle_each(case, r, sets)
    _close(_eval(backend, case, "loss", x, zero, p), rho, dtype, "value")
    big = float(np.max(np.abs(psi[np.isfinite(psi)]), initial=0.0))
    _close(_eval(backend, case, "grad", x, zero, p), psi, dtype, "grad", big)
    # the reductions of them: the sum of the elementwise values
    total = backend.to_numpy(call(case, "loss", x, zero, p, reduction="sum"))
    terms = float(np.sum(np.abs(rho)))
    if math.isfinite(terms):
        _close(total, np.asarray(np.sum(rho)), dtype, "sum", 4 * terms)


@given(data=st.data())
def test_out_of_range_array_entries_are_nan_where_they_apply(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """An entry out of range (NaN, or what a number would be refused for) makes its own
    element NaN, in the value, the derivative and the weight, and no other."""
    if not case.parameters:
        pytest.skip(f"{case.name} has no hyper-parameter")
    dtype, sets, r = _per_element(data, backend, case, least=2)
    name = data.draw(st.sampled_from(sorted(case.parameters)), label="parameter")
    bad = {"alpha": [math.nan]}.get(name, [math.nan, -1.0, math.inf])
    if name == "q":
        bad = [math.nan, 0.0, 1.0, 1.5]
    i = data.draw(st.integers(0, len(sets) - 1), label="bad entry")
    sets = [dict(p) for p in sets]
    sets[i][name] = data.draw(st.sampled_from(bad), label="bad value")
    x, zero = backend.asarray(r, dtype), backend.asarray(np.zeros_like(r), dtype)
    p = _arrays(backend, sets, dtype)
    good = np.ones(len(sets), dtype=bool)
    good[i] = False
    value = _eval(backend, case, "loss", x, zero, p)
    grad = _eval(backend, case, "grad", x, zero, p)
    assert np.isnan(value[i]), value
    assert np.isnan(grad[i]), grad
    keep = _arrays(backend, [q for j, q in enumerate(sets) if j != i], dtype)
    rest = np.delete(r, i)
    xr, zr = backend.asarray(rest, dtype), backend.asarray(np.zeros_like(rest), dtype)
    np.testing.assert_array_equal(value[good], _eval(backend, case, "loss", xr, zr, keep))
    np.testing.assert_array_equal(grad[good], _eval(backend, case, "grad", xr, zr, keep))
    assert np.isnan(backend.to_numpy(call(case, "loss", x, zero, p, reduction="mean")))
    w = backend.to_numpy(weight(case, x, p))  # the IRLS weight too
    assert np.isnan(w[i]), w
    np.testing.assert_array_equal(w[good], backend.to_numpy(weight(case, xr, keep)))
