"""IRLS weights of every loss over the whole range of the dtype, against mpmath.

``robustloss.weights.<loss>(r) = psi(r) / r``: hypothesis draws the dtype, every
hyper-parameter log-uniformly over the working dtype's normal numbers (from its smallest
normal number to its largest: a delta of 1e-30, a scale of 1e30) and the residuals over
the dtype's normal range with random signs; the expected weight is mpmath's psi(r) / r,
rounded to the dtype. The weights run on every backend through the ``xp`` fixture
(``jax.jit``; Dask without compute).
"""

from __future__ import annotations

import math
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.assertions import TOLERANCES, assert_close_or_overflow
from support.cases import CASES, NAMES, Case, weight
from support.matrix import Backend
from support.oracle import EPS, MAX, TINY, flushed, mp_weight, round_to, work_dtype
from support.strategies import dtypes, magnitudes, signed

pytestmark = pytest.mark.parametrize("case", CASES, ids=NAMES)

_ALPHA = st.sampled_from([0.0, -2.0, 1.0, 2.0, 0.5, -0.5, 1.5, -10.0, 4.0, -math.inf, math.inf])


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
    # that is subnormal: on JAX a hyper-parameter above 1 / tiny divides to 0 (README)
    cap = 1 / TINY[work] if backend.name == "jax" else None
    for name in case.parameters:
        if name == "alpha":
            p[name] = data.draw(_ALPHA, label=name)
        else:  # as the loss uses it: rounded to the working dtype
            p[name] = float(round_to(data.draw(magnitudes(work, cap), label=name), work))
    top = None  # exp(t**2 / 2) at alpha = inf: keep t moderate
    if p.get("alpha") == math.inf:
        top = min(max(8 * p["scale"], 4 * TINY[dtype]), MAX[dtype])
    r = flushed(signed(data, dtype, top), dtype, backend.name)
    r = r[r != 0]  # the weight at 0 is a limit, tested by hand elsewhere
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
