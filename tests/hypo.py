"""Hypothesis strategies and the mpmath oracle shared by the property and adversarial tests.

The oracle is ``generate_reference``'s: the definitions of DESIGN.md written out branch by
branch in mpmath. Values are rounded to the dtype under test with NumPy (and ml_dtypes for
bfloat16), never computed by robustloss.
"""

from __future__ import annotations

import math
from typing import Any

import ml_dtypes
import mpmath
import numpy as np
from hypothesis import strategies as st

from generate_reference import mp_psi, mp_rho

__all__ = [
    "BOUNDED",
    "EPS",
    "LOSS_NAMES",
    "MAX",
    "PARAMETER_NAMES",
    "SUBNORMAL",
    "TINY",
    "TRANSITIONS",
    "close_or_overflow",
    "flushed",
    "magnitudes",
    "mp_weight",
    "oracle",
    "params",
    "round_to",
    "signed",
    "work_dtype",
]

#: every loss of the package, by its name in ``robustloss._reference.LOSSES``
LOSS_NAMES = (
    "huber",
    "smooth_l1",
    "l1",
    "mse",
    "log_cosh",
    "pseudo_huber",
    "tukey",
    "cauchy",
    "welsch",
    "geman_mcclure",
    "general",
)

#: the hyper-parameters of each loss, by name
PARAMETER_NAMES = {
    "huber": ("delta",),
    "smooth_l1": ("beta",),
    "pseudo_huber": ("delta",),
    "tukey": ("c",),
    "cauchy": ("scale",),
    "welsch": ("scale",),
    "geman_mcclure": ("scale",),
    "general": ("alpha", "scale"),
}

_NP_DTYPES: dict[str, Any] = {
    "float16": np.float16,
    "bfloat16": ml_dtypes.bfloat16,
    "float32": np.float32,
    "float64": np.float64,
}
#: machine epsilon of each dtype
EPS = {name: float(ml_dtypes.finfo(t).eps) for name, t in _NP_DTYPES.items()}
#: largest finite value of each dtype
MAX = {name: float(ml_dtypes.finfo(t).max) for name, t in _NP_DTYPES.items()}
#: smallest normal number of each dtype
TINY = {name: float(ml_dtypes.finfo(t).smallest_normal) for name, t in _NP_DTYPES.items()}
#: spacing of the subnormal numbers of each dtype
SUBNORMAL = {name: float(ml_dtypes.finfo(t).smallest_subnormal) for name, t in _NP_DTYPES.items()}

_positive = st.one_of(
    st.sampled_from([1.0, 1.345, 4.685, 0.5, 2.0]),
    st.floats(1e-2, 1e2, allow_subnormal=False),
)
_alpha = st.one_of(
    st.sampled_from([-math.inf, -2.0, 0.0, 1.0, 2.0, math.inf, 0.5, -0.5, 1.999, 2.001]),
    st.floats(-16.0, 16.0, allow_subnormal=False).filter(lambda a: a == 0 or abs(a) > 1e-8),
)

_PARAMS: dict[str, dict[str, st.SearchStrategy[float]]] = {
    "huber": {"delta": _positive},
    "smooth_l1": {"beta": st.one_of(st.just(0.0), _positive)},
    "l1": {},
    "mse": {},
    "log_cosh": {},
    "pseudo_huber": {"delta": _positive},
    "tukey": {"c": _positive},
    "cauchy": {"scale": _positive},
    "welsch": {"scale": _positive},
    "geman_mcclure": {"scale": _positive},
    "general": {"alpha": _alpha, "scale": _positive},
}


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


def mp_weight(loss: str, r: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """The IRLS weight psi(r) / r of `loss` by mpmath (r != 0), as float64 (inf beyond)."""
    out = np.empty(r.shape)
    with mpmath.workdps(60):
        for i, v in np.ndenumerate(r):
            w = mp_psi(loss, mpmath.mpf(float(v)), p) / mpmath.mpf(float(v))
            out[i] = float(w) if w < 1e308 else math.inf
    return out


def params(loss: str) -> st.SearchStrategy[dict[str, float]]:
    """Valid hyper-parameters of `loss`."""
    return st.fixed_dictionaries(_PARAMS[loss])


def round_to(values: Any, dtype: str) -> np.ndarray:
    """`values` rounded to `dtype` (overflow gives inf, silently), returned as float64."""
    with np.errstate(over="ignore"):
        return np.asarray(values, np.float64).astype(_NP_DTYPES[dtype]).astype(np.float64)


def close_or_overflow(
    got: np.ndarray, want: np.ndarray, dtype: str, rtol: float, atol: float, what: str = ""
) -> None:
    """`got` is inf where `want` overflows `dtype`, else `want` within rtol and atol;
    values within rtol of the dtype's largest number may round either way."""
    rounded = round_to(want, dtype)
    edge = np.abs(want) > MAX[dtype] * (1 - rtol)  # rounds either way
    over = np.isinf(rounded) & ~edge
    np.testing.assert_array_equal(np.isinf(got[over]), True, err_msg=f"{what}: overflow")
    ok = ~over & ~edge
    np.testing.assert_allclose(got[ok], want[ok], rtol=rtol, atol=atol, err_msg=what)


def work_dtype(dtype: str) -> str:
    """The dtype a loss computes in: float32 for the half types, else `dtype` itself."""
    return "float32" if dtype in ("float16", "bfloat16") else dtype


def flushed(values: np.ndarray, dtype: str, backend: str) -> np.ndarray:
    """`values` as `backend` sees them: XLA on CPU flushes subnormal numbers of the
    working dtype to zero (JAX), every other backend keeps them."""
    if backend != "jax":
        return values
    return np.where(np.abs(values) < TINY[work_dtype(dtype)], 0.0, values)


def BOUNDED(loss: str, p: dict[str, float]) -> float | None:  # noqa: N802  (a table)
    """sup of the loss over r where it is bounded (the redescending losses), else None."""
    if loss == "tukey":
        return p["c"] ** 2 / 6
    if loss == "welsch":
        return 1.0
    if loss == "geman_mcclure":
        return 2.0
    if loss == "general" and p["alpha"] < 0:
        a = p["alpha"]
        return 1.0 if a == -math.inf else abs(a - 2) / abs(a)
    return None


def TRANSITIONS(loss: str, p: dict[str, float]) -> list[float]:  # noqa: N802  (a table)
    """Residuals where a definition changes branch, or where robustloss changes form."""
    if loss == "huber":
        return [p["delta"]]
    if loss == "smooth_l1":
        return [p["beta"]] if p["beta"] > 0 else []
    if loss == "tukey":
        return [p["c"]]
    if loss == "pseudo_huber":
        return [p["delta"]]
    if loss == "log_cosh":
        return [8.0]  # where the implementation switches forms
    if loss in ("welsch", "cauchy", "geman_mcclure", "general"):
        return [p["scale"], 2 * p["scale"]]  # x = t**2 / 2 = 0.5, and t = 2
    return []


def oracle(loss: str, r: np.ndarray, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """rho and psi of `loss` at each residual, by mpmath, as float64 (overflow: inf)."""
    alpha = p.get("alpha", 1.0)
    extra = 0
    if alpha not in (0.0, math.inf, -math.inf):
        extra = int(abs(math.log10(abs(alpha))))  # Barron's form cancels for tiny, huge alpha
    big = max([1.0, *(abs(v) for v in p.values() if math.isfinite(v))])
    rho = np.empty(r.shape)
    psi = np.empty(r.shape)
    for i, v in np.ndenumerate(r):
        if math.isnan(v):
            rho[i] = psi[i] = math.nan
            continue
        if math.isinf(v):  # the limit: far out, and inf where rho still grows there
            with mpmath.workdps(40 + extra):
                far = [mpmath.mpf(f"{math.copysign(1, v):+.0f}e{k}") for k in (100000, 200000)]
                rho1, rho2 = (mp_rho(loss, m, p) for m in far)
                rho[i] = math.inf if rho2 > rho1 * (1 + mpmath.mpf(1e-9)) else _float(rho1)
                if loss == "general" and -math.inf < alpha < 0:  # slow for a tiny alpha
                    rho[i] = (2 - alpha) / -alpha
                psi[i] = _float(mp_psi(loss, far[1], p))
            continue
        # the formulas as printed cancel like 1 - (1 - r**2) near 0: carry enough digits
        ratio = abs(float(v)) / big
        small = 0 if ratio == 0 else max(0, int(-math.log10(ratio)))
        with mpmath.workdps(40 + extra + 2 * small):
            m = mpmath.mpf(float(v))
            rho[i] = _float(mp_rho(loss, m, p))
            psi[i] = _float(mp_psi(loss, m, p))
    return rho, psi


def _float(m: Any) -> float:
    try:
        return float(m)
    except OverflowError:  # pragma: no cover - mpmath returns inf itself
        return math.copysign(math.inf, float(mpmath.sign(m)))
