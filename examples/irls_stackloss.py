"""Robust linear regression by IRLS on any Array API backend, with robustloss's weights.

Fits the stack-loss data (Brownlee 1965: 21 days of a plant oxidizing ammonia; air flow,
water temperature and acid concentration against stack loss) with Huber's loss
(t = 1.345) and Tukey's biweight (c = 4.685), following the algorithm of statsmodels'
``RLM.fit`` step for step: an OLS start, weights ``w(r / s)`` of the residuals in units
of the scale ``s = MAD(r) / 0.6745`` (centred at 0), a weighted least-squares solve, the
scale re-estimated after each solve, and the same stopping rule (the change of the
deviance ``sum(rho(r / sigma2))``, ``sigma2`` the weighted residual variance, below
``tol``, at most ``maxiter`` iterations). So it reproduces statsmodels' coefficients.
``robustloss.regression.fit`` is this loop, batched and with standard errors; the example
writes it out to show the weights at work in a solver of your own.

The arrays stay in their library (NumPy, array-api-strict, PyTorch on CPU or GPU, JAX,
CuPy); only the convergence test brings one number per iteration to the host. Dask is
left out: the Array API has no median, and Dask arrays have no ``sort`` to build one.

Run as a script, it fits both losses on every one of those libraries that is installed
(saying which it skips), prints one row per library and loss with the coefficients and
their largest difference from statsmodels' ``RLM`` (fitted on the spot where statsmodels
is installed, else the numbers it gives, stored below), and exits with status 1 if any
fit differs by more than :data:`RTOL`::

    python examples/irls_stackloss.py
"""

from __future__ import annotations

import contextlib
import importlib.util
import statistics
import sys
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import array_api_compat as aac

import robustloss
from robustloss import weights

#: Phi^-1(3/4): the MAD of a standard normal sample
GAUSSIAN_3_4 = statistics.NormalDist().inv_cdf(0.75)

#: the stack-loss data (Brownlee 1965, as shipped by R and statsmodels): air flow, water
#: temperature, acid concentration; stack loss
STACKLOSS = [
    (80, 27, 89, 42), (80, 27, 88, 37), (75, 25, 90, 37), (62, 24, 87, 28),
    (62, 22, 87, 18), (62, 23, 87, 18), (62, 24, 93, 19), (62, 24, 93, 20),
    (58, 23, 87, 15), (58, 18, 80, 14), (58, 18, 89, 14), (58, 17, 88, 13),
    (58, 18, 82, 11), (58, 19, 93, 12), (50, 18, 89, 8), (50, 18, 86, 7),
    (50, 19, 72, 8), (50, 19, 79, 8), (50, 20, 80, 9), (56, 20, 82, 15),
    (70, 20, 91, 15),
]  # fmt: skip

#: statsmodels 0.15.0, ``sm.RLM(endog, sm.add_constant(exog), M=norm).fit().params`` on
#: ``sm.datasets.stackloss`` with ``norm`` = ``HuberT(t=1.345)`` and
#: ``TukeyBiweight(c=4.685)``: const, air flow, water temperature, acid concentration.
#: Compared against where statsmodels is not installed.
STATSMODELS_VERSION = "0.15.0"
STATSMODELS_PARAMS = {
    "huber": (-41.026498352456734, 0.8293843344988775, 0.9260659665870695, -0.12784672496844438),
    "tukey": (-42.285350779109336, 0.927557322717872, 0.6507176872805623, -0.112333153784297),
}
#: largest relative difference from statsmodels' coefficients that counts as agreement
#: (both run the same float64 iterations; they differ by rounding only, about 1e-13)
RTOL = 1e-8

#: loss name -> (IRLS weight function, rho as a summed robustloss loss, tuning constant)
NORMS = {
    "huber": (weights.huber, robustloss.huber_loss, "delta", 1.345),
    "tukey": (weights.tukey, robustloss.tukey_loss, "c", 4.685),
}


def stackloss(xp: Any, dtype: Any = None, device: Any = None) -> tuple[Any, Any]:
    """The design matrix (constant first, as ``sm.add_constant``) and the response."""
    dtype = xp.float64 if dtype is None else dtype
    rows = [[1.0, a, w, c] for a, w, c, _ in STACKLOSS]
    y = [float(row[3]) for row in STACKLOSS]
    return xp.asarray(rows, dtype=dtype, device=device), xp.asarray(y, dtype=dtype, device=device)


def _median(xp: Any, a: Any) -> Any:
    s = xp.sort(a)
    n = s.shape[0]
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def mad(xp: Any, r: Any) -> Any:
    """``median(|r|) / 0.6745``: statsmodels' ``scale.mad(r, center=0)``."""
    return _median(xp, xp.abs(r)) / GAUSSIAN_3_4


def _wls(xp: Any, X: Any, y: Any, w: Any) -> tuple[Any, Any, Any]:
    """Weighted least squares: coefficients, residuals, weighted residual variance."""
    wx = X * w[:, None]
    beta = xp.linalg.solve(X.T @ wx, wx.T @ y)
    r = y - X @ beta
    sigma2 = xp.sum(w * r * r) / (X.shape[0] - X.shape[1])
    return beta, r, sigma2


def irls(X: Any, y: Any, norm: str = "huber", *, tol: float = 1e-8, maxiter: int = 50) -> Any:
    """Fit ``y ~ X`` robustly; returns the coefficients (an array of X's library)."""
    xp = aac.array_namespace(X, y)
    weight, rho, name, k = NORMS[norm]
    zeros = xp.zeros_like(y)

    def deviance(r: Any, sigma2: Any) -> float:
        return float(rho(r / sigma2, zeros, reduction="sum", **{name: k}))

    beta, r, sigma2 = _wls(xp, X, y, xp.ones_like(y))
    scale = mad(xp, r)
    history = [deviance(r, sigma2)]
    for _ in range(1, maxiter):
        w = weight(r / scale, **{name: k})
        beta, r, sigma2 = _wls(xp, X, y, w)
        scale = mad(xp, r)
        history.append(deviance(r, sigma2))
        if abs(history[-1] - history[-2]) <= tol:
            break
    return beta


def statsmodels_params(norm: str) -> tuple[tuple[float, ...], str]:
    """statsmodels' coefficients for `norm`, fitted here if it is installed, and whence."""
    try:
        import numpy as np
        import statsmodels
        import statsmodels.api as sm
    except ImportError:
        source = f"statsmodels {STATSMODELS_VERSION} RLM (stored here: it is not installed)"
        return STATSMODELS_PARAMS[norm], source
    norms = sm.robust.norms
    M = norms.HuberT(t=1.345) if norm == "huber" else norms.TukeyBiweight(c=4.685)
    X, y = stackloss(np)
    params = sm.RLM(y, X, M=M).fit().params
    source = f"statsmodels {statsmodels.__version__} RLM (fitted here)"
    return tuple(float(p) for p in params), source


class Library(NamedTuple):
    """An array library to fit on: its namespace, a device, and the setting it needs."""

    label: str
    xp: Any
    device: Any = None
    setting: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext


@contextlib.contextmanager
def _jax_x64() -> Iterator[None]:
    # the fit is in float64, which JAX gives only with x64 on; restore the setting after
    import jax

    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", before)


def libraries() -> tuple[list[Library], list[str]]:
    """The libraries installed here to fit on, and why the others are skipped."""
    found: list[Library] = []
    skipped: list[str] = []
    for name in ("numpy", "array_api_strict", "torch", "jax", "cupy"):
        if importlib.util.find_spec(name) is None:
            skipped.append(f"{name} (not installed)")
            continue
        if name == "numpy":
            import numpy as np

            found.append(Library("numpy", aac.array_namespace(np.empty(0))))
        elif name == "array_api_strict":
            import array_api_strict as xps

            found.append(Library("array_api_strict", xps))
        elif name == "torch":
            import torch

            xp = aac.array_namespace(torch.empty(0))
            found.append(Library("torch cpu", xp, torch.device("cpu")))
            if torch.cuda.is_available():
                found.append(Library("torch cuda:0", xp, torch.device("cuda", 0)))
        elif name == "jax":
            import jax
            import jax.numpy as jnp

            device = jax.devices()[0]
            label = f"jax {device.platform}:{device.id}"
            found.append(Library(label, aac.array_namespace(jnp.empty(0)), device, _jax_x64))
        else:
            import cupy

            try:
                gpus = int(cupy.cuda.runtime.getDeviceCount())
            except Exception:  # no driver: CuPy imports but cannot run
                gpus = 0
            if gpus:
                found.append(Library("cupy cuda:0", aac.array_namespace(cupy.empty(0))))
            else:
                skipped.append("cupy (no GPU)")
    return found, skipped


def _differences(got: tuple[float, ...], want: tuple[float, ...]) -> tuple[float, float]:
    """The largest absolute and relative difference, coefficient by coefficient."""
    abs_diff = max(abs(g - w) for g, w in zip(got, want, strict=True))
    rel_diff = max(abs(g - w) / abs(w) for g, w in zip(got, want, strict=True))
    return abs_diff, rel_diff


def _table(rows: list[list[str]]) -> list[str]:
    """Columns two spaces apart: the first right-aligned, the others left-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(r: list[str]) -> str:
        cells = [c.ljust(w) for c, w in zip(r, widths, strict=True)]
        return "  ".join([r[0].rjust(widths[0]), *cells[1:]]).rstrip()

    return [line(r) for r in rows]


def main() -> int:
    """Fit on every library installed here and compare with statsmodels; 1 if any differs."""
    found, skipped = libraries()
    reference = {norm: statsmodels_params(norm) for norm in NORMS}
    sources = sorted({source for _, source in reference.values()})
    print("IRLS fits of stack loss ~ air flow + water temperature + acid concentration")
    print(f"against {', '.join(sources)}")
    print(f"a fit agrees when every coefficient is within a relative {RTOL:g} of statsmodels'")
    if skipped:
        print(f"skipped: {', '.join(skipped)}")
    print()
    rows = [["library", "loss", "const", "air flow", "water temp", "acid conc", "max abs diff",
             "max rel diff", "agrees"]]  # fmt: skip
    for norm, (params, _) in reference.items():
        rows.append(["statsmodels", norm, *(f"{p:.9g}" for p in params), "", "", ""])
    failed = []
    for lib in found:
        for norm, (want, _) in reference.items():
            try:
                with lib.setting():
                    X, y = stackloss(lib.xp, device=lib.device)
                    beta = irls(X, y, norm)
                    got = tuple(float(beta[i]) for i in range(beta.shape[0]))
            except Exception as e:  # a library that cannot run the fit fails, others go on
                failed.append(f"{lib.label} {norm}")
                error = f"error: {type(e).__name__}: {e}"
                rows.append([lib.label, norm, *[""] * 6, error])
                continue
            abs_diff, rel_diff = _differences(got, want)
            ok = rel_diff <= RTOL
            if not ok:
                failed.append(f"{lib.label} {norm}")
            cells = [f"{g:.9g}" for g in got] + [f"{abs_diff:.1e}", f"{rel_diff:.1e}"]
            rows.append([lib.label, norm, *cells, "yes" if ok else "NO"])
    print("\n".join(_table(rows)))
    print()
    if not found:
        print("FAILED: no array library to fit on")
        return 1
    if failed:
        print(f"FAILED: {', '.join(failed)} (see above)")
        return 1
    print(f"all {len(found) * len(NORMS)} fits agree with statsmodels within relative {RTOL:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
