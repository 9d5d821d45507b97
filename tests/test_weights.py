"""IRLS weights of every loss: ``robustloss.weights.<loss>(r) = psi(r) / r``.

Over the whole range of the dtype, against mpmath: hypothesis draws the dtype, every
hyper-parameter log-uniformly over the working dtype's normal numbers (from its smallest
normal number to its largest: a delta of 1e-30, a scale of 1e30) and the residuals over
the dtype's normal range with random signs; the expected weight is mpmath's psi(r) / r,
rounded to the dtype. The weights run on every backend through the ``xp`` fixture
(``jax.jit``; Dask without compute). Besides: the weight times r is the loss's gradient,
its limit at r = 0 is mpmath's, statsmodels' norms agree, hand-worked values, validation,
and every backend gives NumPy's numbers.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.assertions import TOLERANCES, assert_close_or_overflow
from support.cases import BY_NAME, CASES, NAMES, Case, call, params, weight
from support.matrix import Backend
from support.oracle import EPS, MAX, TINY, flushed, mp_weight, round_to, work_dtype
from support.strategies import dtypes, magnitudes, signed

_ALPHA = st.sampled_from([0.0, -2.0, 1.0, 2.0, 0.5, -0.5, 1.5, -10.0, 4.0, -math.inf, math.inf])


@pytest.mark.parametrize("case", CASES, ids=NAMES)
@given(data=st.data())
def test_weights_over_the_whole_range(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """weights.<loss>(r) = psi(r) / r for hyper-parameters and residuals of any size."""
    loss = case.name
    dtype = data.draw(st.sampled_from(dtypes(backend)), label="dtype")
    work = work_dtype(dtype)
    p: dict[str, float] = {}
    # XLA on CPU divides by a scalar through its reciprocal, which it flushes to 0 when
    # that is subnormal: on JAX a hyper-parameter above 1 / tiny divides to 0
    # (docs/reference/semantics.md)
    cap = 1 / TINY[work] if backend.name == "jax" else None
    for name in case.parameters:
        if name == "alpha":
            p[name] = data.draw(_ALPHA, label=name)
        elif name == "q":
            p[name] = float(round_to(data.draw(st.floats(1e-3, 1 - 1e-3), label=name), work))
        else:  # as the loss uses it: rounded to the working dtype
            p[name] = float(round_to(data.draw(magnitudes(work, cap), label=name), work))
    if case.name == "hampel":  # a <= b <= c
        p = dict(zip("abc", sorted(p.values()), strict=True))
    top = None  # exp(t**2 / 2) at alpha = inf: keep t moderate
    if p.get("alpha") == math.inf:
        top = min(max(8 * p["scale"], 4 * TINY[dtype]), MAX[dtype])
    r = flushed(signed(data, dtype, top), dtype, backend.name)
    r = r[r != 0]  # the weight at 0 is a limit: test_weight_times_residual_is_psi
    if not r.size:
        return
    want = mp_weight(loss, r, p)
    got = backend.to_numpy(weight(case, backend.asarray(r, dtype), p))
    # a few ulp; the exponentials of the general loss and Welsch about as many more as
    # their exponents are large (and log(scale) is taken into them)
    logs = 2 * math.log(MAX[work]) + abs(math.log(p.get("scale", 1.0)))
    cond = 1.0 + (logs / 4 if loss in ("general", "welsch") else 0.0)
    rtol = max(16 * EPS[work] * cond, TOLERANCES[dtype][0])
    assert_close_or_overflow(got, want, dtype, rtol, 4 * TINY[dtype], "weight")


@pytest.mark.parametrize(("case", "p"), params())
def test_weight_times_residual_is_psi_and_finite_at_zero(case: Case, p: dict[str, Any]) -> None:
    """w(r) r = psi(r) (the loss's gradient) for r != 0, and w(0) is mpmath's limit of
    psi(r) / r (where that is infinite, L1's, the documented 1 / tiny)."""
    r = np.concatenate([[0.0], np.random.default_rng(6).normal(0, 4, 200)])
    if p.get("alpha") == math.inf:
        r = r / 4
    w = weight(case, r, p)
    # the weights take z = target - input; psi(z) = d rho / dz = -(d rho / d input)
    psi = -call(case, "grad", np.zeros_like(r), r, p, reduction="none")
    at_zero = float(mp_weight(case.name, np.zeros(1), p)[0])
    if math.isinf(at_zero):  # documented: the slope at 0+ over the smallest normal number
        slope = float(mp_weight(case.name, np.ones(1), p)[0]) if case.name == "quantile" else 1
        at_zero = slope / float(np.finfo(np.float64).tiny)
    assert np.all(np.isfinite(w))
    assert w[0] == pytest.approx(at_zero, rel=1e-15)
    np.testing.assert_allclose(w[1:] * r[1:], psi[1:], rtol=2e-15, atol=1e-300)


def test_weights_take_array_alpha_and_validate() -> None:
    import robustloss.weights as weights

    r = np.asarray([0.0, 2.0, 2.0])
    w = weights.general(r, np.asarray([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(w, [1.0, 1 / math.sqrt(5.0), 1.0], rtol=1e-15)
    with pytest.raises(ValueError, match="delta"):
        weights.huber(r, delta=0.0)
    with pytest.raises(TypeError, match="complex"):
        weights.tukey(np.ones(2, complex))
    assert weights.huber(np.asarray([1, 3])).dtype == np.float64  # integers promoted


def test_smooth_l1_weight_with_a_tiny_beta_by_hand() -> None:
    """1 / max(|r|, beta): 1e-20 at r = 1e20, beta = 1e-30 in float32 (was 0)."""
    import robustloss.weights as weights

    r = np.asarray([1e20, -1e10, 1e-31, 0.0], np.float32)
    got = weights.smooth_l1(r, beta=1e-30)
    want = 1.0 / np.maximum(np.abs(r.astype(np.float64)), float(np.float32(1e-30)))
    np.testing.assert_allclose(got, want, rtol=2 * float(np.finfo(np.float32).eps))


def test_huber_weights_equal_statsmodels() -> None:
    import robustloss.weights as weights

    norms = pytest.importorskip("statsmodels.robust.norms")
    r = np.random.default_rng(4).normal(0, 3, 300)
    np.testing.assert_allclose(
        weights.huber(r, delta=1.345), norms.HuberT(t=1.345).weights(r), rtol=1e-14
    )


def test_tukey_weights_equal_statsmodels() -> None:
    import robustloss.weights as weights

    norms = pytest.importorskip("statsmodels.robust.norms")
    rng = np.random.default_rng(3)
    r = np.concatenate([rng.normal(0, 4, 500), [0.0, 4.685, -4.685, 10.0, -1e6]])
    norm = norms.TukeyBiweight(c=4.685)
    np.testing.assert_allclose(weights.tukey(r), norm.weights(r), rtol=1e-12, atol=1e-300)


#: a kinked, a redescending, a smooth loss and the general one, each in the table
SAMPLE = [
    ("huber", {"delta": 1.345}),
    ("tukey", {"c": 4.685}),
    ("log_cosh", {}),
    ("general", {"alpha": 0.5, "scale": 2.0}),
]


@pytest.mark.parametrize(("name", "p"), SAMPLE, ids=[name for name, _ in SAMPLE])
def test_weights_on_every_backend(
    backend: Backend, dtype: str, name: str, p: dict[str, Any]
) -> None:
    """Every backend and dtype gives mpmath's weights, to the dtype's precision."""
    case = BY_NAME[name]
    assert p in case.params
    rn = np.asarray([0.0, 0.5, -3.0, 7.0])
    w = weight(case, backend.asarray(rn, dtype), p)
    assert w.dtype == backend.dtype(dtype)
    want = mp_weight(name, rn, p)
    rtol = {"float16": 2e-3, "bfloat16": 1.6e-2, "float32": 1e-6}.get(dtype, 1e-15)
    np.testing.assert_allclose(backend.to_numpy(w).astype(np.float64), want, rtol=rtol)
