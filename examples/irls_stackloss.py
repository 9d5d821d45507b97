"""Robust linear regression by IRLS on any Array API backend, with robustloss's weights.

Fits the stack-loss data (Brownlee 1965: 21 days of a plant oxidizing ammonia; air flow,
water temperature and acid concentration against stack loss) with Huber's loss
(t = 1.345) and Tukey's biweight (c = 4.685), following the algorithm of statsmodels'
``RLM.fit`` step for step: an OLS start, weights ``w(r / s)`` of the residuals in units
of the scale ``s = MAD(r) / 0.6745`` (centred at 0), a weighted least-squares solve, the
scale re-estimated after each solve, and the same stopping rule (the change of the
deviance ``sum(rho(r / sigma2))``, ``sigma2`` the weighted residual variance, below
``tol``, at most ``maxiter`` iterations). So it reproduces statsmodels' coefficients.

The arrays stay in their library (NumPy, PyTorch on CPU or GPU, CuPy, JAX); only the
convergence test brings one number per iteration to the host.

    python examples/irls_stackloss.py             # NumPy, and PyTorch if installed
"""

from __future__ import annotations

import statistics
from typing import Any

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


def main() -> None:
    import numpy as np

    backends: list[Any] = [np]
    try:
        import torch

        backends.append(torch)
    except ImportError:
        pass
    for lib in backends:
        xp = aac.array_namespace(lib.asarray([0.0]))
        X, y = stackloss(xp)
        for norm in NORMS:
            beta = irls(X, y, norm)
            print(f"{lib.__name__:6} {norm:6}", np.round(np.asarray(aac.to_device(beta, "cpu")), 6))


if __name__ == "__main__":
    main()
