"""The site's figures, drawn at build time from the library itself.

Each function draws one matplotlib figure; the pages call them from ``.. plot::``
directives (the API pages through ``docs/_templates/autosummary/loss.rst``).
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

import robustloss as rl
from robustloss._losses import LOSSES

ROOT = Path(__file__).resolve().parents[2]

#: hyper-parameter settings drawn where "half, once and twice the default" says less
SETTINGS: dict[str, list[dict[str, float]]] = {
    "general": [{"alpha": a} for a in (-math.inf, -2.0, 0.0, 1.0, 2.0)],
    "hampel": [{"a": 1.0, "b": 2.0, "c": 4.0}, {"a": 2.0, "b": 4.0, "c": 8.0}],
    "quantile": [{"q": q} for q in (0.1, 0.5, 0.9)],
    "expectile": [{"q": q} for q in (0.1, 0.5, 0.9)],
    "huber_quantile": [{"q": q} for q in (0.1, 0.5, 0.9)],
    "epsilon_insensitive": [{"epsilon": e} for e in (0.1, 0.5, 1.0)],
    "squared_epsilon_insensitive": [{"epsilon": e} for e in (0.1, 0.5, 1.0)],
}
#: residual range drawn, where the hyper-parameters do not say it
REACH = {"ramsay_e": 12.0, "general": 6.0}


def settings(name: str) -> list[dict[str, float]]:
    """Return the hyper-parameter settings drawn for a loss."""
    if name in SETTINGS:
        return SETTINGS[name]
    params = LOSSES[name].parameters
    if not params:
        return [{}]
    p = params[0]
    return [{p.name: p.default * f} for f in (0.5, 1.0, 2.0)]


def _reach(name: str, drawn: list[dict[str, float]]) -> float:
    if name in REACH:
        return REACH[name]
    sizes = [v for s in drawn for k, v in s.items() if k not in ("q",)]
    return max(3.0, 1.3 * max(sizes, default=0.0))


def _label(setting: dict[str, float]) -> str:
    return ", ".join(f"{k} = {v:g}" for k, v in setting.items()) or "no parameter"


def loss_curves(function_name: str) -> Any:
    """Draw rho, psi and the IRLS weight of one loss, at two or three settings."""
    name = re.sub(r"_loss$", "", function_name)
    definition = LOSSES[name]
    cls = getattr(rl, definition.object_name)
    drawn = settings(name)
    z = np.linspace(-_reach(name, drawn), _reach(name, drawn), 1201)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.1), layout="constrained")
    for setting in drawn:
        obj = cls(**setting)
        for ax, what in zip(axes, ("rho", "psi", "weights"), strict=True):
            ax.plot(z, getattr(obj, what)(z), label=_label(setting))
    titles = ("loss rho(z)", "influence psi(z)", "IRLS weight psi(z) / z")
    # an unbounded weight (L1, quantile: 1 / |z| at 0) is drawn up to ten times its value
    # at a tenth of the range
    away = np.abs(z) >= z[-1] / 10
    top = 10 * max(float(np.max(cls(**setting).weights(z[away]))) for setting in drawn)
    if top < axes[2].get_ylim()[1]:
        axes[2].set_ylim(-0.05 * top, top)
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("residual z = target - input")
        ax.axhline(0, color="0.7", lw=0.6)
        ax.grid(alpha=0.3)
    if len(drawn) > 1 or drawn[0]:
        axes[0].legend(fontsize=8)
    return fig


def family_overview() -> Any:
    """Draw rho and psi of the convex and of the redescending losses, at their defaults."""
    groups = {
        "convex": ["huber", "pseudo_huber", "log_cosh", "fair", "l1"],
        "redescending": ["tukey", "cauchy", "welsch", "geman_mcclure", "hampel", "andrews_wave"],
    }
    z = np.linspace(-9, 9, 1201)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6), layout="constrained", sharex=True)
    for row, (group, names) in enumerate(groups.items()):
        for name in names:
            obj = getattr(rl, LOSSES[name].object_name)()
            axes[row, 0].plot(z, obj.rho(z), label=name)
            axes[row, 1].plot(z, obj.psi(z), label=name)
        axes[row, 0].set_title(f"{group}: loss rho(z)", fontsize=10)
        axes[row, 1].set_title(f"{group}: influence psi(z)", fontsize=10)
        if group == "convex":
            axes[row, 0].set_ylim(0, 8)
        axes[row, 0].legend(fontsize=8, ncols=2)
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.axhline(0, color="0.7", lw=0.6)
    for ax in axes[1]:
        ax.set_xlabel("residual z (default hyper-parameters)")
    return fig


def barron_alpha() -> Any:
    """Draw Barron's general loss and its psi across alpha."""
    z = np.linspace(-6, 6, 1201)
    alphas = (-math.inf, -8.0, -2.0, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0)
    cmap = plt.get_cmap("viridis")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for i, alpha in enumerate(alphas):
        obj = rl.GeneralLoss(alpha)
        color = cmap(i / (len(alphas) - 1))
        axes[0].plot(z, obj.rho(z), color=color, label=f"alpha = {alpha:g}")
        axes[1].plot(z, obj.psi(z), color=color)
    axes[0].set_ylim(0, 6)
    axes[0].legend(fontsize=8, ncols=2)
    axes[0].set_title("general_loss rho(z, alpha), scale = 1", fontsize=10)
    axes[1].set_title("psi(z, alpha)", fontsize=10)
    for ax in axes:
        ax.set_xlabel("residual z")
        ax.grid(alpha=0.3)
    return fig


def _precision_module() -> Any:
    sys.path.insert(0, str(ROOT / "docs"))
    import precision

    return precision


def precision_figure() -> Any:
    """Draw the relative error of log-cosh against mpmath: robustloss and the peers."""
    precision = _precision_module()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained", sharey=True)
    for ax, dtype in zip(axes, ("float32", "float64"), strict=True):
        r, curves = precision.log_cosh_errors(dtype)
        for label, err in curves.items():
            # below 0.01 ulp drawn at 0.01; overflow (inf or NaN) drawn at the top, 1e12
            ax.loglog(r, np.clip(err, 1e-2, 1e12), ".", ms=3, label=label)
        ax.set_ylim(5e-3, 3e12)
        ax.set_title(f"log-cosh, {dtype}: relative error in ulp", fontsize=10)
        ax.set_xlabel("residual r")
        ax.axhline(1, color="0.5", lw=0.6)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("error / eps (clipped to [0.01, 1e12])")
    axes[0].legend(fontsize=8)
    return fig


def benchmark_rows() -> list[dict[str, str]]:
    """Return the rows of ``benchmarks/results.md``, the last benchmark run."""
    lines = (ROOT / "benchmarks" / "results.md").read_text("utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("| loss |"))
    keys = [c.strip() for c in lines[head].strip("|").split("|")]
    rows = []
    for line in lines[head + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(keys, (c.strip() for c in line.strip("|").split("|")), strict=True)))
    return rows


def throughput_figure(loss: str = "huber", dtype: str = "float32") -> Any:
    """Draw elements per second against size for the forward pass, from the last run."""
    series: dict[str, list[tuple[int, float]]] = {}
    for row in benchmark_rows():
        if (row["loss"], row["dtype"], row["pass"]) != (loss, dtype, "forward"):
            continue
        size = int(row["size"].replace(",", ""))
        ms = float(row["median"].split()[0])
        series.setdefault(row["implementation"], []).append((size, size / (ms * 1e-3)))
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    for label, points in series.items():
        points.sort()
        style = "-" if label.startswith("robustloss") else "--"
        ax.loglog(*zip(*points, strict=True), style, marker="o", ms=3, label=label)
    ax.set_xlabel("elements")
    ax.set_ylabel("elements per second")
    ax.set_title(f"{loss}_loss(reduction='mean'), {dtype}, forward", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="lower right")
    return fig


def regression_figure() -> Any:
    """Draw the time per problem against the batch size, from ``benchmarks/regression.md``."""
    lines = (ROOT / "benchmarks" / "regression.md").read_text("utf-8").splitlines()
    series: dict[str, list[tuple[int, float]]] = {}
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 5 or not cells[0].replace(",", "").isdigit():
            continue
        per_problem = float(cells[3].split()[0].replace(",", ""))
        series.setdefault(cells[1], []).append((int(cells[0].replace(",", "")), per_problem))
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    for label, points in series.items():
        style = "--" if label.startswith("statsmodels") else "-"
        ax.loglog(*zip(*sorted(points), strict=True), style, marker="o", ms=3, label=label)
    ax.set_xlabel("problems in the batch")
    ax.set_ylabel("time per problem (us)")
    ax.set_title("robust regression, n = 100, p = 3, Huber", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig
