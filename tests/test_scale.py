"""Small scales: where t = r / scale leaves the dtype's range, but the values do not.

The scale losses (Cauchy, Welsch, Geman-McClure, the general loss) are functions of
``t = r / scale``; psi and the IRLS weight carry ``1 / scale`` and ``1 / scale**2`` more.
With a scale below 1, t can overflow where r does not (Cauchy's loss at r = 3.4e38,
scale 0.5 is 178, not inf), and psi or the weight in units of t can underflow where their
values do not (Geman-McClure's weight at r = 1e-20, scale 1e-30 is 1.6e21, not 0).
Hypothesis draws the scale down to the working dtype's smallest normal number and the
residuals over the whole range of the dtype; mpmath gives the expected values, for the
scale as a number and as an array (one per residual). Runs on
every backend through the ``xp`` fixture (``jax.jit``; Dask without compute).
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
from support.cases import CASES, Case, call, weight
from support.matrix import Backend
from support.oracle import EPS, MAX, TINY, flushed, mp_weight, oracle, round_to, work_dtype
from support.strategies import dtypes, magnitudes, signed

#: the losses of t = r / scale in Barron's convention (dimensionless rho; SciPy's arctan,
#: whose rho is scale**2 / 2 times a function of t, is tested with the rest)
SCALED = tuple(case for case in CASES if "scale" in case.parameters and case.name != "arctan")
pytestmark = pytest.mark.parametrize("case", SCALED, ids=[case.name for case in SCALED])

_ALPHA = st.sampled_from([0.0, -2.0, 1.0, 0.5, -0.5, 1.5, 0.999, -10.0, 4.0, -math.inf])


def _draw(data: st.DataObject, backend: Backend, case: Case) -> tuple[str, dict[str, float], Any]:
    dtype = data.draw(st.sampled_from(dtypes(backend)), label="dtype")
    work = work_dtype(dtype)
    # the scale as the loss uses it: rounded to the working dtype, at least its tiny
    scale = data.draw(magnitudes(work).filter(lambda s: s < 1.0), label="scale")
    p = {"scale": float(round_to(scale, work))}
    if "alpha" in case.parameters:
        p["alpha"] = float(round_to(data.draw(_ALPHA, label="alpha"), work))
    return dtype, p, flushed(signed(data, dtype), dtype, backend.name)


def _tolerance(dtype: str, p: dict[str, float]) -> float:
    """Relative tolerance: a few ulp, and the logarithms' ulp where they are used.

    Values computed as exponentials of logarithms (``(alpha / 2 - 1) L`` with L up to
    ``2 log t``, ``log|r|``, ``log(scale)``) are about as many ulp off as those
    logarithms are large (100 in float32), as is Barron's form for any alpha.
    """
    work = work_dtype(dtype)
    alpha = p.get("alpha", 0.0)
    a = 2.0 if not math.isfinite(alpha) else abs(alpha)
    logs = 2 * math.log(MAX[work]) + abs(math.log(p["scale"]))
    cond = 1.0 + (2.0 + a) * logs / 16
    return max(16 * EPS[work] * cond, TOLERANCES[dtype][0])


def _check(
    got: np.ndarray, want: np.ndarray, dtype: str, rtol: float, what: str, backend: Backend
) -> None:
    # XLA flushes subnormal intermediates (t**2 / b in L) to 0: values up to a few
    # smallest normal numbers (rho = b/2 t**2 / b) may be 0 on JAX
    tiny = TINY[dtype] * (32 if backend.name == "jax" else 4)
    assert_close_or_overflow(got, want, dtype, rtol, tiny, what)


@given(data=st.data())
def test_small_scale_over_the_whole_range(
    case: Case, backend: Backend, xp: ModuleType, data: st.DataObject
) -> None:
    """rho, psi and the IRLS weight equal mpmath's for every residual of the dtype."""
    loss = case.name
    dtype, p, r = _draw(data, backend, case)
    x, zero = backend.asarray(r, dtype), backend.asarray(np.zeros_like(r), dtype)

    def check_all(p: dict[str, Any], rho: Any, psi: Any, w: Any, rtol: float) -> None:
        value = call(case, "loss", x, zero, p, reduction="none")
        grad = call(case, "grad", x, zero, p, reduction="none")
        _check(backend.to_numpy(value), rho, dtype, rtol, "value", backend)
        _check(backend.to_numpy(grad), psi, dtype, rtol, "grad", backend)
        _check(backend.to_numpy(weight(case, x, p)), w, dtype, rtol, "weight", backend)

    rho, psi = oracle(loss, r, p)
    w = mp_weight(loss, r, p)
    check_all(p, rho, psi, w, _tolerance(dtype, p))
    # the scale as an array (one per residual): the same numbers, over the same range
    scales = backend.asarray(np.full(r.shape, p["scale"]), work_dtype(dtype))
    check_all({**p, "scale": scales}, rho, psi, w, _tolerance(dtype, p))
    if "alpha" not in case.parameters:
        return
    # an array alpha, one per residual (2, +-inf selected elementwise): the same numbers
    alphas = round_to(data.draw(st.lists(_ALPHA, min_size=r.size, max_size=r.size)), "float32")
    a = backend.asarray(alphas, work_dtype(dtype))
    each = [{"alpha": float(v), "scale": p["scale"]} for v in alphas]
    want = [oracle(loss, r[i : i + 1], q) for i, q in enumerate(each)]
    rho, psi = (np.concatenate([w_[k] for w_ in want]) for k in (0, 1))
    w = np.concatenate([mp_weight(loss, r[i : i + 1], q) for i, q in enumerate(each)])
    rtol = max(_tolerance(dtype, q) for q in each)
    check_all({"alpha": a, "scale": p["scale"]}, rho, psi, w, rtol)


@pytest.mark.parametrize(
    ("r", "scale", "want"),
    [
        # by hand: log(1 + t**2 / 2) = 2 log(t) - log(2) + log1p(2 / t**2), t = r / scale
        (3.4e38, 0.5, 2 * math.log(6.8e38) - math.log(2.0)),
        (1.0e38, 0.25, 2 * math.log(4.0e38) - math.log(2.0)),
    ],
)
def test_cauchy_beyond_float32_by_hand(
    case: Case, backend: Backend, xp: ModuleType, r: float, scale: float, want: float
) -> None:
    """Cauchy's loss where t overflows float32 (the general loss at alpha = 0)."""
    if "float32" not in backend.dtypes:
        pytest.skip(f"{backend.name} has no float32")
    p: dict[str, float] = {"alpha": 0.0} if "alpha" in case.parameters else {}
    p["scale"] = scale
    if case.bounded:  # Welsch and Geman-McClure: their sup there, 1 and 2 (by hand)
        want = {"welsch": 1.0, "geman_mcclure": 2.0}[case.name]
    x = backend.asarray(np.asarray([r, -r]), "float32")
    zero = backend.asarray(np.zeros(2), "float32")
    got = backend.to_numpy(call(case, "loss", x, zero, p, reduction="none"))
    np.testing.assert_allclose(got, want, rtol=4 * EPS["float32"])


def test_psi_near_zero_with_a_tiny_scale(case: Case, backend: Backend, xp: ModuleType) -> None:
    """psi(r) = r / scale**2 (1 + O(t**2)) near 0 for every alpha (by hand).

    scale**2 = 1e-40 is below float32's smallest normal number: XLA would divide by 0 if
    it joined the two divisions by the scale. Welsch's and the general form's exponentials
    take log(scale) into their exponent: |log(scale)| = 46 ulp more there.
    """
    if "float32" not in backend.dtypes:
        pytest.skip(f"{backend.name} has no float32")
    r = np.asarray([1e-30, -3e-31, 2e-29, -1e-30])
    x = backend.asarray(r, "float32")
    zero = backend.asarray(np.zeros(4), "float32")
    scale = float(round_to(1e-20, "float32"))
    want = round_to(r, "float32") / scale / scale
    rtol = 8 * EPS["float32"]
    alphas: list[Any] = [None]
    if "alpha" in case.parameters:
        array = backend.asarray(np.asarray([2, 0.5, -np.inf, np.inf]), "float32")
        alphas = [2.0, 0.5, -math.inf, array]
    for alpha in alphas:
        p: dict[str, Any] = {"scale": 1e-20} if alpha is None else {"alpha": alpha, "scale": 1e-20}
        closed = alpha is None or (isinstance(alpha, float) and alpha == 2.0)
        exponential = case.name == "welsch" or (case.name == "general" and not closed)
        tol = rtol * (1 + abs(math.log(scale))) if exponential else rtol
        got = backend.to_numpy(call(case, "grad", x, zero, p, reduction="none"))
        np.testing.assert_allclose(got, want, rtol=tol, err_msg=f"alpha={alpha}")
