"""The mpmath oracle: the definitions of DESIGN.md, evaluated at high precision.

Each loss's textbook definition, branch by branch in mpmath, is part of its row in the
cases table (:mod:`support.cases`); this module evaluates, reduces and rounds them.

Every expected value of the property, adversarial, scale and weight tests, and of the
reference file (``tests/reference/generate.py``), comes from here or from a peer library,
never from robustloss. Values are rounded to the dtype under test with NumPy, and with
ml_dtypes for bfloat16 where it is installed (:data:`HAS_BFLOAT16`; without it bfloat16 is
left out of what the tests draw).

This module imports only mpmath, NumPy, the standard library and the cases table, so
that the tests that use it run with the core test dependencies alone.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

import mpmath
import numpy as np

from support.cases import BY_NAME, CASES, mp_general, mp_general_slope

__all__ = [
    "DTYPES",
    "EPS",
    "HAS_BFLOAT16",
    "MAX",
    "SPECIAL_ALPHA",
    "SUBNORMAL",
    "TINY",
    "flushed",
    "mp_general",
    "mp_general_slope",
    "mp_psi",
    "mp_reduce",
    "mp_rho",
    "mp_weight",
    "oracle",
    "round_to",
    "work_dtype",
]

#: the floating dtypes the tests round to
DTYPES = ("float16", "bfloat16", "float32", "float64")
#: whether bfloat16 rounding is available (it needs ml_dtypes)
HAS_BFLOAT16 = importlib.util.find_spec("ml_dtypes") is not None

# (mantissa bits, minimum exponent, maximum exponent) of each IEEE-style format; bfloat16
# is float32 with 7 stored mantissa bits
_FORMATS = {"float16": (10, -14, 15), "bfloat16": (7, -126, 127), "float32": (23, -126, 127)}
_FORMATS["float64"] = (52, -1022, 1023)
#: machine epsilon of each dtype
EPS = {name: 2.0**-m for name, (m, _, _) in _FORMATS.items()}
#: largest finite value of each dtype
MAX = {name: (2 - 2.0**-m) * 2.0**hi for name, (m, _, hi) in _FORMATS.items()}
#: smallest normal number of each dtype
TINY = {name: 2.0**lo for name, (_, lo, _) in _FORMATS.items()}
#: spacing of the subnormal numbers of each dtype
SUBNORMAL = {name: 2.0 ** (lo - m) for name, (m, lo, _) in _FORMATS.items()}


# --- rounding ------------------------------------------------------------------------------
def _numpy_dtype(dtype: str) -> Any:
    if dtype == "bfloat16":
        import ml_dtypes  # optional: see HAS_BFLOAT16

        return ml_dtypes.bfloat16
    return np.dtype(dtype)


def round_to(values: Any, dtype: str) -> np.ndarray:
    """`values` rounded to `dtype` (overflow gives inf, silently), returned as float64."""
    with np.errstate(over="ignore"):
        return np.asarray(values, np.float64).astype(_numpy_dtype(dtype)).astype(np.float64)


def work_dtype(dtype: str) -> str:
    """The dtype a loss computes in: float32 for the half types, else `dtype` itself."""
    return "float32" if dtype in ("float16", "bfloat16") else dtype


def flushed(values: np.ndarray, dtype: str, backend: str) -> np.ndarray:
    """`values` as `backend` sees them: XLA on CPU flushes subnormal numbers of the
    working dtype to zero (JAX), every other backend keeps them."""
    if backend != "jax":
        return values
    return np.where(np.abs(values) < TINY[work_dtype(dtype)], 0.0, values)


# --- the definitions of DESIGN.md: each loss's row of the cases table -----------------------
#: the losses that are the general loss at a fixed alpha (DESIGN.md)
SPECIAL_ALPHA = {case.name: case.alpha for case in CASES if case.alpha is not None}


def mp_rho(loss: str, r: mpmath.mpf, p: dict[str, float]) -> mpmath.mpf:
    """The elementwise loss `loss` at `r`, by its textbook definition (its cases row)."""
    return BY_NAME[loss].mp_rho(r, p)


def mp_psi(loss: str, r: mpmath.mpf, p: dict[str, float]) -> mpmath.mpf:
    """d rho / d r; at r = 0 the derivative of |r| is sign(0) = 0, as in PyTorch."""
    return BY_NAME[loss].mp_psi(r, p)


def mp_reduce(
    loss: str, p: dict[str, float], reduction: str, x: np.ndarray, y: np.ndarray, w: Any
) -> tuple[Any, np.ndarray]:
    """(value, gradient) at the working precision, rounded to float64 at the end."""
    wb = np.broadcast_to(np.float64(1.0) if w is None else w, x.shape)
    r = [mpmath.mpf(a) - mpmath.mpf(b) for a, b in zip(x.ravel(), y.ravel(), strict=True)]
    ws = [mpmath.mpf(v) for v in wb.ravel()]
    wl = [wi * mp_rho(loss, ri, p) for wi, ri in zip(ws, r, strict=True)]
    wg = [wi * mp_psi(loss, ri, p) for wi, ri in zip(ws, r, strict=True)]
    if reduction == "none":
        value: Any = np.array([float(v) for v in wl]).reshape(x.shape)
        return value, np.array([float(g) for g in wg]).reshape(x.shape)
    if reduction == "sum":
        den = mpmath.mpf(1)
    elif reduction == "mean":
        den = mpmath.mpf(x.size)
    else:  # weighted_mean: sum(w broadcast to the input)
        den = mpmath.fsum(ws)
    total = mpmath.fsum(wl)
    value = np.float64(math.nan) if den == 0 else np.float64(float(total / den))
    grad = np.array([float(g / den) for g in wg]).reshape(x.shape)
    return value, grad


# --- elementwise, as float64 arrays --------------------------------------------------------
def mp_weight(loss: str, r: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """The IRLS weight psi(z) / z of `loss` by mpmath, as float64 (inf beyond).

    `r` holds residuals ``z = target - input``, as ``robustloss.weights`` takes them (the
    same as ``input - target`` for a symmetric loss; an asymmetric one is mirrored). At
    z = 0 it is the limit of psi(z) / z as z -> 0+: psi(h) / h at h = 1e-80 (in units of
    the smallest hyper-parameter), or inf where it still grows between 1e-40 and 1e-80
    (L1, Smooth L1 with beta = 0, the quantile loss).
    """
    mirror = -1 if not BY_NAME[loss].symmetric else 1
    out = np.empty(r.shape)
    with mpmath.workdps(60):
        for i, v in np.ndenumerate(r):
            if v == 0:
                out[i] = _weight_at_zero(loss, p, mirror)
                continue
            z = mirror * mpmath.mpf(float(v))  # input - target
            w = mp_psi(loss, z, p) / z
            out[i] = float(w) if w < 1e308 else math.inf
    return out


def _weight_at_zero(loss: str, p: dict[str, float], mirror: int = 1) -> float:
    sizes = [abs(v) for v in p.values() if v != 0 and math.isfinite(v)]
    unit = mirror * mpmath.mpf(min([1.0, *sizes]))
    with mpmath.workdps(200):  # the formulas cancel like 1 - (1 - r**2) near 0
        near, nearer = (unit * mpmath.mpf(f"1e-{k}") for k in (40, 80))
        w1, w2 = (mp_psi(loss, h, p) / h for h in (near, nearer))
        if w2 > w1 * (1 + mpmath.mpf(1e-9)):
            return math.inf
        return float(w2) if w2 < 1e308 else math.inf


def oracle(loss: str, r: np.ndarray, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """rho and psi of `loss` at each residual, by mpmath, as float64 (overflow: inf)."""
    alpha = p.get("alpha", 1.0)
    extra = 0
    if alpha not in (0.0, math.inf, -math.inf):
        extra = int(abs(math.log10(abs(alpha))))  # Barron's form cancels for tiny, huge alpha
    big = max([1.0, *(abs(v) for v in p.values() if math.isfinite(v))])
    # a tiny hyper-parameter (Ramsay's a = 1e-300): 1 - exp(-a r) (1 + a r) over a**2
    # cancels to its square, so carry twice its digits more
    tiny = min([1.0, *(abs(v) for v in p.values() if math.isfinite(v) and v != 0)])
    extra += 2 * int(-math.log10(tiny))
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
