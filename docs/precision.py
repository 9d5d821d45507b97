"""Measure the precision of every loss against mpmath over residuals from 1e-30 to 1e30.

For each loss and dtype, the elementwise loss of robustloss (NumPy, ``reduction='none'``)
at r = +-logspace(-30, 30) (in the dtype) is compared with the loss's textbook formula
evaluated by mpmath at 200 digits on the same (exact) residuals. The error is relative,
in units of the dtype's epsilon (ulp), over the residuals whose true loss is a normal
number of the dtype; a result of inf or NaN where the true value is finite counts as
"overflow". Log-cosh is also measured for optax, Keras and ``np.log(np.cosh(r))``.

    python docs/precision.py            # prints the markdown table

The documentation's precision page runs :func:`measure` and :func:`log_cosh_errors` when
it is built.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

import robustloss as rl

DTYPES = ("float32", "float64")
C = 4.685


def _general(alpha: float) -> Callable[[Any], Any]:
    def rho(r: Any) -> Any:
        x = r * r
        if alpha == 0:
            return mpmath.log(x / 2 + 1)
        if alpha == 2:
            return x / 2
        if alpha == -math.inf:
            return 1 - mpmath.exp(-x / 2)
        a = mpmath.mpf(alpha)
        b = abs(a - 2)
        return b / a * ((x / b + 1) ** (a / 2) - 1)

    return rho


#: label -> (robustloss elementwise loss, textbook formula in mpmath)
# --- the textbook definitions of statsmodels' norms and of SciPy's and scikit-learn's losses,
# written out here on purpose: this script imports neither the tests nor the package's own
# formulas (r = input - target; z = -r is the residual the asymmetric ones weigh by q)
def _fair(r: Any, p: dict[str, float]) -> Any:
    c = mpmath.mpf(p["c"])
    y = abs(r) / c
    return c * c * (y - mpmath.log1p(y))


def _arctan(r: Any, p: dict[str, float]) -> Any:
    return mpmath.atan(r * r) / 2


def _ramsay_e(r: Any, p: dict[str, float]) -> Any:
    a = mpmath.mpf(p["a"])
    y = a * abs(r)
    return (1 - mpmath.exp(-y) * (1 + y)) / (a * a)


def _hampel(r: Any, p: dict[str, float]) -> Any:
    a, b, c, m = 2, 4, 8, abs(r)
    if m <= a:
        return r * r / 2
    if m <= b:
        return a * m - mpmath.mpf(a * a) / 2
    top = mpmath.mpf(a * (b + c - a)) / 2
    return top - a * (c - m) ** 2 / (2 * (c - b)) if m <= c else top


def _andrews_wave(r: Any, p: dict[str, float]) -> Any:
    a = mpmath.mpf(p["a"])
    return a * a * (1 - mpmath.cos(r / a)) if abs(r) <= a * mpmath.pi else 2 * a * a


def _tukey_quartic(r: Any, p: dict[str, float]) -> Any:
    c = mpmath.mpf(p["c"])
    v = (r / c) ** 4
    return r * r / 2 * (1 - 2 * v / 3 + v * v / 5) if abs(r) <= c else 4 * c * c / 15


def _trimmed(r: Any, p: dict[str, float]) -> Any:
    return min(r * r, mpmath.mpf(p["c"]) ** 2) / 2


def _quantile(r: Any, p: dict[str, float]) -> Any:
    q = mpmath.mpf(p["q"])
    return max(-q * r, (1 - q) * r)


def _huber_quantile(r: Any, p: dict[str, float]) -> Any:
    q = mpmath.mpf(p["q"])
    huber = r * r / 2 if abs(r) <= 1 else abs(r) - mpmath.mpf(1) / 2
    return (1 - q if r > 0 else q) * huber


def _expectile(r: Any, p: dict[str, float]) -> Any:
    q = mpmath.mpf(p["q"])
    return (1 - q if r > 0 else q) * r * r


def _epsilon_insensitive(r: Any, p: dict[str, float]) -> Any:
    return max(abs(r) - mpmath.mpf(p["epsilon"]), 0)


def _squared_epsilon_insensitive(r: Any, p: dict[str, float]) -> Any:
    return max(abs(r) - mpmath.mpf(p["epsilon"]), 0) ** 2


LOSSES: dict[str, tuple[Callable[[np.ndarray], Any], Callable[[Any], Any]]] = {
    "huber (delta=1)": (
        lambda r: rl.huber_loss(r, 0 * r, "none"),
        lambda r: r * r / 2 if abs(r) <= 1 else abs(r) - mpmath.mpf(1) / 2,
    ),
    "smooth_l1 (beta=0.5)": (
        lambda r: rl.smooth_l1_loss(r, 0 * r, reduction="none", beta=0.5),
        lambda r: r * r if abs(r) < 0.5 else abs(r) - mpmath.mpf(1) / 4,
    ),
    "l1": (lambda r: rl.l1_loss(r, 0 * r, reduction="none"), abs),
    "mse": (lambda r: rl.mse_loss(r, 0 * r, reduction="none"), lambda r: r * r),
    "log_cosh": (
        lambda r: rl.log_cosh_loss(r, 0 * r, "none"),
        lambda r: mpmath.log(mpmath.cosh(r)),
    ),
    "pseudo_huber (delta=1)": (
        lambda r: rl.pseudo_huber_loss(r, 0 * r, "none"),
        lambda r: mpmath.sqrt(1 + r * r) - 1,
    ),
    "tukey (c=4.685)": (
        lambda r: rl.tukey_loss(r, 0 * r, "none"),
        lambda r: (C**2 / 6 * (1 - (1 - (r / C) ** 2) ** 3)) if abs(r) <= C else C**2 / 6,
    ),
    "cauchy": (lambda r: rl.cauchy_loss(r, 0 * r, "none"), _general(0.0)),
    "welsch": (lambda r: rl.welsch_loss(r, 0 * r, "none"), _general(-math.inf)),
    "geman_mcclure": (lambda r: rl.geman_mcclure_loss(r, 0 * r, "none"), _general(-2.0)),
    "general (alpha=0.5)": (
        lambda r: rl.general_loss(r, 0 * r, 0.5, reduction="none"),
        _general(0.5),
    ),
    "general (alpha=-4)": (
        lambda r: rl.general_loss(r, 0 * r, -4.0, reduction="none"),
        _general(-4.0),
    ),
    "general (alpha=0 as an array)": (
        lambda r: rl.general_loss(r, 0 * r, np.zeros_like(r), reduction="none"),
        _general(0.0),
    ),
    **{
        f"{name} ({label})": (
            lambda r, f=function, p=params: f(r, 0 * r, reduction="none", **p),
            lambda r, f=formula, p=params: f(r, p),
        )
        for name, function, params, label, formula in (
            ("fair", rl.fair_loss, {"c": 1.3998}, "c=1.3998", _fair),
            ("arctan", rl.arctan_loss, {"scale": 1.0}, "scale=1", _arctan),
            ("ramsay_e", rl.ramsay_e_loss, {"a": 0.3}, "a=0.3", _ramsay_e),
            ("hampel", rl.hampel_loss, {}, "2, 4, 8", _hampel),
            ("andrews_wave", rl.andrews_wave_loss, {"a": 1.339}, "a=1.339", _andrews_wave),
            ("tukey_quartic", rl.tukey_quartic_loss, {"c": 3.61752}, "c=3.61752", _tukey_quartic),
            ("trimmed", rl.trimmed_loss, {"c": 2.0}, "c=2", _trimmed),
            ("quantile", rl.quantile_loss, {"q": 0.9}, "q=0.9", _quantile),
            ("huber_quantile", rl.huber_quantile_loss, {"q": 0.9}, "q=0.9", _huber_quantile),
            ("expectile", rl.expectile_loss, {"q": 0.9}, "q=0.9", _expectile),
            (
                "epsilon_insensitive",
                rl.epsilon_insensitive_loss,
                {"epsilon": 0.125},
                "epsilon=0.125",
                _epsilon_insensitive,
            ),
            (
                "squared_epsilon_insensitive",
                rl.squared_epsilon_insensitive_loss,
                {"epsilon": 0.125},
                "epsilon=0.125",
                _squared_epsilon_insensitive,
            ),
        )
    },
}


def _peers() -> dict[str, Callable[[np.ndarray], Any]]:
    """Other libraries' log-cosh, elementwise, where installed."""
    found: dict[str, Callable[[np.ndarray], Any]] = {
        "np.log(np.cosh(r))": lambda r: np.log(np.cosh(r))
    }
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import optax

        found[f"optax {optax.__version__} log_cosh"] = lambda r: np.asarray(optax.log_cosh(r))
    except ImportError:
        pass
    try:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras

        def keras_log_cosh(r: np.ndarray) -> Any:
            # per-sample mean over the last axis: one element per sample
            out = keras.losses.log_cosh(np.zeros_like(r)[:, None], r[:, None])
            return np.asarray(out)

        found[f"Keras {keras.__version__} log_cosh"] = keras_log_cosh
    except ImportError:
        pass
    return found


def grid(dtype: str) -> np.ndarray:
    r = np.logspace(-30, 30, 601)
    return np.concatenate([-r[::-1], [0.0], r]).astype(dtype)


def error(got: np.ndarray, want: list[Any], dtype: str) -> str:
    """Largest relative error in ulp, over normal true values; or 'overflow'."""
    info = np.finfo(dtype)
    worst = 0.0
    got64 = np.asarray(got, dtype=np.float64)
    for g, w in zip(got64.tolist(), want, strict=True):
        if not (info.tiny <= abs(w) <= info.max):
            continue
        if not math.isfinite(g):
            return "overflow (inf/NaN)"
        worst = max(worst, float(abs((mpmath.mpf(g) - w) / w)) / float(info.eps))
    rel = worst * float(info.eps)
    return f"{rel:.1e} ({worst:.2g} ulp)" if worst < 1e3 else f"{rel:.0e}"


def log_cosh_errors(dtype: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return the positive residuals and the relative error (in ulp) of each log-cosh.

    robustloss's and the installed peers', where the true value is a normal number of the
    dtype; an inf or NaN where it is finite counts as an error of 1e30 ulp.
    """
    info = np.finfo(dtype)
    r = grid(dtype)
    r = r[r > 0]
    curves = {"robustloss": rl.log_cosh_loss(r, np.zeros_like(r), reduction="none")}
    with np.errstate(all="ignore"):
        for label, peer in _peers().items():
            curves[label] = np.asarray(peer(r)).ravel()
    with mpmath.workdps(200):
        want = np.array([float(mpmath.log(mpmath.cosh(mpmath.mpf(float(v))))) for v in r])
    keep = (want >= info.tiny) & (want <= info.max)
    out = {}
    for label, got in curves.items():
        got64 = np.asarray(got, dtype=np.float64)[keep]
        err = np.abs(got64 - want[keep]) / want[keep] / float(info.eps)
        out[label] = np.where(np.isfinite(err), err, 1e30)
    return r[keep].astype(np.float64), out


def measure(*, quiet: bool = False) -> list[tuple[str, str, str]]:
    """Return one row per loss (and per peer's log-cosh): the largest error per dtype."""
    rows = []
    peers = _peers()
    with mpmath.workdps(200), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refs = {}
        for label, (ours, formula) in LOSSES.items():
            cells = []
            for dtype in DTYPES:
                r = grid(dtype)
                key = (label, dtype)
                refs[key] = [formula(mpmath.mpf(float(v))) for v in r]
                cells.append(error(ours(r), refs[key], dtype))
            rows.append((f"robustloss `{label}`", *cells))
            if not quiet:
                print(rows[-1], file=sys.stderr)
        for label, peer in peers.items():
            cells = []
            for dtype in DTYPES:
                r = grid(dtype)
                with np.errstate(all="ignore"):
                    got = np.asarray(peer(r)).ravel()
                    cells.append(error(got, refs[("log_cosh", dtype)], dtype))
            rows.append((f"{label}", *cells))
            if not quiet:
                print(rows[-1], file=sys.stderr)
    return rows


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = [
        "| loss | float32 | float64 |",
        "|---|---:|---:|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
    ]
    return "\n".join(lines)


def main() -> None:
    print(table(measure()))


if __name__ == "__main__":
    main()
