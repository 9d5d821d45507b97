"""Time batched robust regression against a Python loop over statsmodels' RLM, in one run.

Each batch is ``B`` independent regressions of ``n = 100`` observations on ``p = 3``
regressors (an intercept and two covariates; Student's t noise with 2 degrees of
freedom and 10% gross outliers), fitted with Huber's loss (statsmodels' ``HuberT()``,
``robustloss.regression.fit(X, y, "huber")``), MAD scale, statsmodels' defaults. The
peer is what users write today: ``for i in range(B): RLM(y[i], X[i], M=HuberT()).fit()``.
robustloss fits the whole batch in one call, on NumPy, on PyTorch's CPU tensors and, where
one answers, on a GPU (PyTorch CUDA, CuPy). Every row is the median of ``--repeats``
timings after a warm-up call; the statsmodels loop is timed the same way up to 1,000
problems and once above (it takes minutes). The rows of a batch size are timed round
robin. Every robustloss row is checked against the statsmodels fits before it is timed.

    python benchmarks/regression.py --quick     # batches of 10 and 100: seconds
    python benchmarks/regression.py             # 10 to 10,000: a few minutes

Writes ``benchmarks/regression.md`` and ``benchmarks/regression.png`` (time against batch
size; the plot needs matplotlib). ``--out`` changes the stem.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from robustloss.regression import fit

HERE = Path(__file__).resolve().parent
N, P = 100, 3


def problems(batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`batch` regressions of N observations on P regressors, with outliers."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(batch, N, P - 1))
    X = np.concatenate([np.ones((batch, N, 1)), x], axis=-1)
    beta = rng.normal(size=(batch, P))
    y = np.einsum("bnp,bp->bn", X, beta) + rng.standard_t(2, size=(batch, N))
    out = rng.random((batch, N)) < 0.1
    y[out] += rng.normal(20, 5, size=int(out.sum()))
    return X, y


def _statsmodels(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    import statsmodels.api as sm

    norm = sm.robust.norms.HuberT()
    return np.stack([sm.RLM(y[i], X[i], M=norm).fit().params for i in range(len(y))])


def _runners(X: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], Any]]:
    """name -> a call fitting the whole batch (done on return: GPU rows synchronise)."""
    rows: dict[str, Callable[[], Any]] = {"robustloss, NumPy": lambda: fit(X, y, "huber").params}
    if importlib.util.find_spec("torch") is not None:
        import torch

        import robustloss

        Xt, yt = torch.asarray(X), torch.asarray(y)
        rows["robustloss, torch CPU"] = lambda: fit(Xt, yt, "huber").params

        def generic() -> Any:  # the Array API iteration on the tensors themselves
            with robustloss.fast_paths(False):
                return fit(Xt, yt, "huber").params

        rows["robustloss, torch CPU, fast paths off"] = generic
        if torch.cuda.is_available():
            Xc, yc = Xt.cuda(), yt.cuda()

            def cuda() -> Any:
                out = fit(Xc, yc, "huber").params
                torch.cuda.synchronize()
                return out.cpu()

            rows["robustloss, torch CUDA"] = cuda
    if importlib.util.find_spec("cupy") is not None:
        try:
            import cupy

            cupy.cuda.runtime.getDeviceCount()
            Xg, yg = cupy.asarray(X), cupy.asarray(y)

            def gpu() -> Any:
                out = fit(Xg, yg, "huber").params
                cupy.cuda.Device().synchronize()
                return cupy.asnumpy(out)

            rows["robustloss, CuPy"] = gpu
        except Exception:  # no GPU answers
            pass
    return rows


def _to_numpy(a: Any) -> np.ndarray:
    return np.asarray(a.cpu() if hasattr(a, "cpu") else a)


def measure(batch: int, repeats: int) -> list[dict[str, Any]]:
    X, y = problems(batch)
    runners = _runners(X, y)
    want = _statsmodels(X, y)  # also the warm-up of the peer
    for name, run in runners.items():  # warm up, and check
        got = _to_numpy(run())
        worst = float(np.max(np.abs(got - want) / (1 + np.abs(want))))
        assert worst < 1e-8, (name, worst)
    timings: dict[str, list[float]] = {"statsmodels RLM, Python loop": []}
    timings.update({name: [] for name in runners})
    peer_repeats = repeats if batch <= 1000 else 1
    for r in range(repeats):
        if r < peer_repeats:
            t = time.perf_counter()
            _statsmodels(X, y)
            timings["statsmodels RLM, Python loop"].append(time.perf_counter() - t)
        for name, run in runners.items():
            t = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - t)
    return [
        {"batch": batch, "name": name, "seconds": statistics.median(ts), "repeats": len(ts)}
        for name, ts in timings.items()
    ]


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| problems | fitter | time | per problem | speed-up over the loop |",
        "|---:|---|---:|---:|---:|",
    ]
    for batch in sorted({r["batch"] for r in rows}):
        sel = [r for r in rows if r["batch"] == batch]
        peer = next(r["seconds"] for r in sel if r["name"].startswith("statsmodels"))
        for r in sel:
            s = r["seconds"]
            lines.append(
                f"| {batch:,} | {r['name']} | {s:.4g} s | {s / batch * 1e6:,.1f} us "
                f"| {peer / s:,.1f}x |"
            )
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return False
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name in dict.fromkeys(r["name"] for r in rows):
        pts = sorted((r["batch"], r["seconds"]) for r in rows if r["name"] == name)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"regressions in the batch (n = {N}, p = {P})")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Huber IRLS, MAD scale: statsmodels' defaults")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="batches of 10 and 100")
    parser.add_argument("--batches", nargs="+", type=int)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "regression"), help="stem of .md and .png")
    args = parser.parse_args(argv)
    batches = args.batches or ([10, 100] if args.quick else [10, 100, 1000, 10000])
    start = time.perf_counter()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' ConvergenceWarning on a rare problem
        for batch in batches:
            rows += measure(batch, args.repeats)
    text = table(rows)
    print(text)
    stem = Path(args.out)
    header = (
        f"Medians of {args.repeats} timings per row (the statsmodels loop: one above 1,000 "
        f"problems), `python benchmarks/regression.py "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}` "
        f"({time.perf_counter() - start:.0f} s), on {_machine()}.\n\n"
    )
    stem.with_suffix(".md").write_text(
        "# Batched robust regression\n\n" + header + text + "\n", "utf-8"
    )
    if plot(rows, stem.with_suffix(".png")):
        print(f"wrote {stem.with_suffix('.md')} and {stem.with_suffix('.png')}", file=sys.stderr)
    return 0


def _machine() -> str:
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"


if __name__ == "__main__":
    raise SystemExit(main())
