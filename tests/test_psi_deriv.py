"""psi' (``psi_deriv``), the second derivative of every loss, against mpmath and autodiff.

``psi_deriv`` is reached through the loss objects' statsmodels-style interface
(``obj.psi_deriv(z)``, with z = target - input). Hypothesis draws the dtype, the
hyper-parameters and residuals over the dtype's normal range on every backend; the
expected value is the row's textbook ``psi'`` in mpmath (``support.cases``). Besides: it
is the derivative of psi as torch.autograd and jax.grad take it, and NaN stays NaN.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.assertions import TOLERANCES, assert_close_or_overflow
from support.cases import CASES, NAMES, Case, call, kinks, make_object
from support.matrix import Backend
from support.oracle import EPS, MAX, TINY, flushed, round_to, work_dtype
from support.strategies import dtypes, signed
from support.strategies import params as drawn_params

ALL = pytest.mark.parametrize("case", CASES, ids=NAMES)


def mp_psi_deriv(case: Case, z: np.ndarray, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """psi'(z) by mpmath at residuals z = target - input, and |z psi''(z)|: how far the
    rounding of z alone moves it, per unit of relative error (large near a root of psi',
    where no relative accuracy is possible)."""
    mirror = 1 if case.symmetric else -1
    want = np.empty(z.shape)
    cond = np.empty(z.shape)
    with mpmath.workdps(60):
        for i, v in np.ndenumerate(z):
            r = mirror * mpmath.mpf(float(v))
            d = case.mp_psi_deriv(r, p)
            want[i] = float(d)
            if r == 0:
                cond[i] = 0.0
                continue
            h = abs(r) * mpmath.mpf(10) ** -30
            dd = (case.mp_psi_deriv(r + h, p) - case.mp_psi_deriv(r - h, p)) / (2 * h)
            cond[i] = float(min(abs(r * dd), mpmath.mpf(10) ** 300))
    return want, np.nan_to_num(cond, nan=0.0)


@ALL
@given(data=st.data())
def test_psi_deriv_against_mpmath(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """obj.psi_deriv(z) is mpmath's psi', to a few ulp times the condition number."""
    dtype = data.draw(st.sampled_from(dtypes(backend)), label="dtype")
    work = work_dtype(dtype)
    p = {k: float(round_to(v, work)) for k, v in data.draw(drawn_params(case)).items()}
    if "alpha" in p and math.isinf(p["alpha"]) and p["alpha"] > 0:
        top = 8.0 * p["scale"]  # exp(t**2 / 2): keep t moderate
    else:
        top = 1e4 * max([1.0, *(abs(v) for v in p.values() if math.isfinite(v))])
    z = flushed(signed(data, dtype, min(top, MAX[dtype] / 2)), dtype, backend.name)
    # away from the kinks, where psi' jumps and rounding z picks a side
    for k in kinks(case, p):
        z = z[~np.isclose(np.abs(z), k, rtol=1e-5, atol=0)]
    if not z.size:
        return
    want, slope = mp_psi_deriv(case, z, p)
    got = backend.to_numpy(make_object(case, p).psi_deriv(backend.asarray(z, dtype)))
    # Barron's exponential forms take log(scale) into their exponent (as its weights)
    logs = abs(math.log(p["scale"])) if case.alpha is not None or "alpha" in p else 0.0
    rtol = max(16 * EPS[work] * (1 + logs), TOLERANCES[dtype][0])
    atol = 16 * EPS[work] * slope + 4 * TINY[dtype]
    for g, w, t in zip(got, want, atol, strict=True):
        assert_close_or_overflow(np.asarray([g]), np.asarray([w]), dtype, rtol, t, "psi'")


@ALL
def test_psi_deriv_is_the_derivative_of_psi_by_autodiff(case: Case) -> None:
    """torch.autograd and jax.grad of the loss's gradient give psi', away from the kinks.

    Not at r = 0 itself either: psi is written as sign(r) times a function of |r| there
    (exactly odd), whose autodiff derivative at 0 is 0 where psi' is not.
    """
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    rng = np.random.default_rng(11)
    for hyper in case.params:
        u = 1.0 if case.unit is None else (hyper[case.unit] or 1.0)
        r = rng.normal(0, 3 * u, 40)
        for k in kinks(case, hyper):
            r = r[~np.isclose(np.abs(r), k, atol=1e-6)]
        if hyper.get("alpha") == math.inf:
            r = r / 4
        want = make_object(case, hyper).psi_deriv(-r)  # z = -r: target 0, input r
        x = torch.tensor(r, requires_grad=True)
        psi = call(case, "grad", x, torch.zeros_like(x), hyper, reduction="none")
        (dt,) = torch.autograd.grad(psi.sum(), x)
        np.testing.assert_allclose(dt.numpy(), want, rtol=1e-12, atol=1e-14, err_msg=str(hyper))
        zero = jax.numpy.zeros(r.shape)

        def total(v: Any, hyper: dict[str, Any] = hyper, zero: Any = zero) -> Any:
            return call(case, "grad", v, zero, hyper, reduction="none").sum()

        dj = np.asarray(jax.grad(total)(jax.numpy.asarray(r)))
        np.testing.assert_allclose(dj, want, rtol=1e-12, atol=1e-14, err_msg=str(hyper))


@ALL
def test_psi_deriv_keeps_nan_shape_and_dtype(case: Case) -> None:
    hyper = case.params[0]
    z = np.asarray([[math.nan, 0.5], [-2.0, 0.0]], dtype=np.float32)
    out = make_object(case, hyper).psi_deriv(z)
    assert out.dtype == np.float32
    assert out.shape == (2, 2)
    assert math.isnan(out[0, 0])
    assert np.isfinite(out[1:]).all()
    assert np.isfinite(out[0, 1])


def test_psi_deriv_by_hand() -> None:
    import robustloss as rl

    z = np.asarray([0.0, 0.5, 1.0, 3.0])
    # Huber: 1 inside delta (its edge included), 0 beyond; Tukey: (1 - u**2)(1 - 5 u**2)
    assert rl.HuberLoss(delta=1.0).psi_deriv(z).tolist() == [1.0, 1.0, 1.0, 0.0]
    assert rl.TukeyLoss(c=2.0).psi_deriv(z).tolist() == [1.0, 0.9375 * 0.6875, -0.25 * 0.75, 0.0]
    # Cauchy: (1 - t**2 / 2) / (1 + t**2 / 2)**2 at t = 0, 1, 3
    got = rl.CauchyLoss().psi_deriv(np.asarray([0.0, 1.0, 3.0]))
    np.testing.assert_allclose(got, [1.0, 0.5 / 2.25, -3.5 / 5.5**2], rtol=1e-15)
    # the quantile loss: 0 everywhere (psi is a step); MSE: 2
    assert rl.QuantileLoss(q=0.9).psi_deriv(z).tolist() == [0.0] * 4
    assert rl.MSELoss().psi_deriv(z).tolist() == [2.0] * 4
