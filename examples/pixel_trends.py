"""A robust trend for every pixel of an image time series with clouds, in one batched fit.

A synthetic scene of 64 x 64 pixels observed 60 times (say, monthly reflectance from a
satellite): each pixel has its own level and linear trend, a seasonal swing and noise,
and about one observation in six is hit by a cloud, which brightens it by a lot (more
often in the second half). Least squares per pixel is dragged up and off by the clouds
(its trend map is ten times further from the truth); Tukey's biweight
(``robustloss.regression.fit(X, Y, "tukey")``: statsmodels' RLM, for all 4,096 pixels in
one call) rejects them. The design ``X`` (intercept, time, season) is shared and
broadcasts against the ``[64, 64, 60]`` stack of observations.

Run as a script, it prints the error of both trend maps and, where matplotlib is
installed, draws the true, least-squares and robust trend maps and one pixel's series
with both fits::

    python examples/pixel_trends.py [figure.png]
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from robustloss.regression import fit

SIZE, STEPS = 64, 60


def scene(seed: int = 0) -> dict[str, Any]:
    """Return the design, the observations with clouds, and the true trends."""
    rng = np.random.default_rng(seed)
    t = np.arange(STEPS) / 12.0  # years
    X = np.stack([np.ones(STEPS), t, np.sin(2 * math.pi * t)], axis=-1)  # [60, 3]
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    level = 0.2 + 0.1 * xx
    trend = 0.02 * np.sin(3 * xx) * np.cos(2 * yy) - 0.005  # a smooth map of trends
    season = 0.03 + 0.02 * yy
    clean = level[..., None] + trend[..., None] * t + season[..., None] * X[:, 2]
    Y = clean + rng.normal(0.0, 0.01, size=clean.shape)
    clouds = rng.random(Y.shape) < 0.12
    late = t > t[-1] / 2  # cloudier in the second half: a biased trend for least squares
    clouds |= (rng.random(Y.shape) < 0.08) & late
    Y = np.where(clouds, Y + rng.uniform(0.2, 0.6, size=Y.shape), Y)
    return {"X": X, "Y": Y, "t": t, "trend": trend, "clouds": clouds}


def trends(data: dict[str, Any]) -> dict[str, Any]:
    """Return the least-squares and robust fits of every pixel (one call each)."""
    X, Y = data["X"], data["Y"]
    return {
        "ols": fit(X, Y, "mse", maxiter=1),  # least squares: the start of the iteration
        "robust": fit(X, Y, "tukey"),
    }


def draw(data: dict[str, Any], fits: dict[str, Any], path: Path) -> bool:
    """Draw the trend maps and one pixel's series; False where matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    maps = [
        ("true trend", data["trend"]),
        ("least squares", fits["ols"].params[..., 1]),
        ("robust (Tukey)", fits["robust"].params[..., 1]),
    ]
    low, high = float(np.min(data["trend"])), float(np.max(data["trend"]))
    fig, axes = plt.subplots(1, 4, figsize=(17, 3.8), layout="constrained")
    for ax, (title, image) in zip(axes[:3], maps, strict=True):
        shown = ax.imshow(image, vmin=low, vmax=high, cmap="RdBu_r")
        ax.set_title(f"{title}, per year")
        ax.set_axis_off()
    fig.colorbar(shown, ax=axes[:3], shrink=0.9)
    i, j = 40, 20
    t, X = data["t"], data["X"]
    ax = axes[3]
    cloudy = data["clouds"][i, j]
    ax.plot(t[~cloudy], data["Y"][i, j][~cloudy], "k.", label="clear")
    ax.plot(t[cloudy], data["Y"][i, j][cloudy], "x", color="0.6", label="cloudy")
    for name, style in (("ols", "C3--"), ("robust", "C0-")):
        ax.plot(t, X @ fits[name].params[i, j], style, label=name)
    ax.set_xlabel("years")
    ax.set_title(f"pixel ({i}, {j})")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = sys.argv[1:] if argv is None else argv
    data = scene()
    fits = trends(data)
    errors = {
        name: float(np.sqrt(np.mean((f.params[..., 1] - data["trend"]) ** 2)))
        for name, f in fits.items()
    }
    print(f"{SIZE * SIZE} pixels x {STEPS} observations, {data['clouds'].mean():.0%} cloudy")
    for name, error in errors.items():
        print(f"{name:7} RMS error of the trend: {error:.4f} per year")
    if args and draw(data, fits, Path(args[0])):
        print(f"wrote {args[0]}")
    return errors


if __name__ == "__main__":
    main()
