"""Hypothesis strategies shared by the property, adversarial, scale and weight tests.

What they draw is checked against the mpmath oracle (:mod:`support.oracle`), never
against robustloss.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from support.cases import Case
from support.oracle import HAS_BFLOAT16, MAX, TINY, round_to

__all__ = ["dtypes", "magnitudes", "params", "signed"]

_positive = st.one_of(
    st.sampled_from([1.0, 1.345, 4.685, 0.5, 2.0]),
    st.floats(1e-2, 1e2, allow_subnormal=False),
)
_alpha = st.one_of(
    st.sampled_from([-math.inf, -2.0, 0.0, 1.0, 2.0, math.inf, 0.5, -0.5, 1.999, 2.001]),
    st.floats(-16.0, 16.0, allow_subnormal=False).filter(lambda a: a == 0 or abs(a) > 1e-8),
)
#: valid values of each hyper-parameter, by its name
_BY_PARAMETER: dict[str, st.SearchStrategy[float]] = {
    "delta": _positive,
    "beta": st.one_of(st.just(0.0), _positive),
    "c": _positive,
    "scale": _positive,
    "alpha": _alpha,
    "a": _positive,
    "epsilon": st.one_of(st.just(0.0), _positive),
    "q": st.one_of(
        st.sampled_from([0.5, 0.1, 0.9, 0.25]), st.floats(1e-3, 1 - 1e-3, allow_subnormal=False)
    ),
}
#: losses whose hyper-parameters are drawn together: Hampel's a <= b <= c
_JOINT: dict[str, st.SearchStrategy[dict[str, float]]] = {
    "hampel": st.lists(_positive, min_size=3, max_size=3)
    .map(sorted)
    .map(lambda v: {"a": v[0], "b": v[1], "c": v[2]}),
}


def dtypes(backend: Any) -> list[str]:
    """The dtypes of `backend` the oracle can round to (bfloat16 needs ml_dtypes)."""
    return [d for d in backend.dtypes if d != "bfloat16" or HAS_BFLOAT16]


def magnitudes(dtype: str, top: float | None = None) -> st.SearchStrategy[float]:
    """Positive numbers spread evenly in log over the normal numbers of `dtype` (to `top`)."""
    high = math.log(top if top is not None else MAX[dtype])
    return st.floats(math.log(TINY[dtype]), high).map(math.exp)


def signed(data: st.DataObject, dtype: str, top: float | None = None, size: int = 8) -> np.ndarray:
    """Up to `size` residuals of `dtype` with random signs, their sizes by `magnitudes`."""
    n = data.draw(st.integers(1, size))
    signs = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n))
    sizes = data.draw(st.lists(magnitudes(dtype, top), min_size=n, max_size=n), label="|r|")
    return round_to(np.asarray(signs) * np.asarray(sizes), dtype)


def params(case: Case) -> st.SearchStrategy[dict[str, float]]:
    """Valid hyper-parameters of `case`."""
    if case.name in _JOINT:
        return _JOINT[case.name]
    return st.fixed_dictionaries({name: _BY_PARAMETER[name] for name in case.parameters})
