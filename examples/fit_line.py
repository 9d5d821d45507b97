"""A robust straight-line fit written once against the Array API, with robustloss inside.

The kind of function a library author writes: it takes whatever arrays it is handed,
works in their namespace (and passes it on to robustloss as ``xp=``, as a library with
a vendored array-api-compat would), and calls robustloss for the IRLS weights. A fixed
number of iterations and no host synchronisation: it runs under ``jax.jit`` and stays
lazy on Dask. ``tests/test_fit_line_example.py`` tests it on every backend installed
with :mod:`robustloss.testing`, against SciPy's ``least_squares(loss="huber")``.

    python examples/fit_line.py
"""

from __future__ import annotations

from typing import Any

import array_api_compat

import robustloss.weights


def fit_line(x: Any, y: Any, *, delta: float = 1.0, iterations: int = 50, xp: Any = None) -> Any:
    """Fit ``y = a + b x`` minimising ``sum(huber(y - a - b x, delta))``; return ``[a, b]``.

    Iteratively reweighted least squares: each step solves the weighted normal equations
    of a line with robustloss's Huber weights of the current residuals.
    """
    xp = array_api_compat.array_namespace(x, y) if xp is None else xp
    w = xp.ones_like(x)
    for _ in range(iterations):
        sw, sx, sy = xp.sum(w), xp.sum(w * x), xp.sum(w * y)
        sxx, sxy = xp.sum(w * x * x), xp.sum(w * x * y)
        b = (sw * sxy - sx * sy) / (sw * sxx - sx * sx)
        a = (sy - b * sx) / sw
        w = robustloss.weights.huber(y - a - b * x, delta, xp=xp)
    return xp.stack([a, b])


def main() -> int:
    import numpy as np

    x = np.linspace(0.0, 10.0, 40)
    y = 1.0 + 2.0 * x + 0.1 * np.sin(7.0 * x)
    y[[3, 17, 28, 35]] += 30.0  # gross outliers
    a, b = fit_line(x, y).tolist()
    print(f"robust line: y = {a:.4f} + {b:.4f} x (the outliers pull least squares to ", end="")
    slope, intercept = np.polyfit(x, y, 1)
    print(f"y = {intercept:.4f} + {slope:.4f} x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
