"""Time robustloss against its peers on the same data, in one run; write a table and a plot.

Every row is the median of ``--repeats`` timings (after a warm-up call, which also
compiles under ``jax.jit``), on the same input and target; the rows are timed round
robin, so that the machine's drifts hit all of them alike. A timing is one call from
1e6 elements up, and the mean of a batch of calls below (1e6 / size, at most 200),
after one untimed call (PyTorch's threads sleep while other rows run: the first call after
them pays for waking them, whichever row it is).
Ratios are to the peer of the same group measured in the same run: PyTorch's native
``torch.nn.functional`` loss for NumPy and PyTorch rows, ``jax.jit(optax...)`` for JAX
rows. Forward is the reduced loss (``reduction='mean'``); forward+backward adds the
gradient with respect to the input (autograd on PyTorch and JAX, ``*_grad`` on NumPy).
The memory floor is the time to read both inputs once. Peers that are not installed are
left out.

    python benchmarks/run.py --quick             # a few minutes: 256 to 1e7, float32
    python benchmarks/run.py                     # 256 to 1e8, float32 and float64
    python benchmarks/run.py --loss log_cosh --sizes 1e6 --repeats 50

The per-call overhead table subtracts, size by size, the native computation from
robustloss's: ``torch.nn.functional``'s loss on PyTorch, the naive NumPy composition on
NumPy, ``jax.jit(optax...)`` on JAX (eager robustloss). At small sizes it is the Python a
training loop pays on every step.

Writes ``benchmarks/results.md`` and ``benchmarks/throughput.png`` (``--out`` changes
the stem; the plot needs matplotlib).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import robustloss

HERE = Path(__file__).resolve().parent
#: loss -> (robustloss function, its grad, torch.nn.functional name, optax name, naive NumPy)
LOSSES: dict[str, tuple[str, str | None, str | None]] = {
    "huber": ("huber_loss", "huber_loss", "huber_loss"),
    "mse": ("mse_loss", "mse_loss", "squared_error"),
    "log_cosh": ("log_cosh_loss", None, "log_cosh"),
    "tukey": ("tukey_loss", None, None),
}


def _have(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _naive(loss: str, x: np.ndarray, y: np.ndarray) -> Any:
    """The obvious NumPy composition a user would write."""
    r = x - y
    if loss == "huber":
        a = np.abs(r)
        return np.where(a <= 1.0, 0.5 * r * r, a - 0.5).mean()
    if loss == "mse":
        return (r * r).mean()
    if loss == "log_cosh":
        return np.log(np.cosh(r)).mean()
    c = 4.685
    return np.where(np.abs(r) <= c, c * c / 6 * (1 - (1 - (r / c) ** 2) ** 3), c * c / 6).mean()


Row = tuple[str, str, str, Callable[[], Any]]  # (group, pass, name, call)


def _numpy_rows(loss: str, x: np.ndarray, y: np.ndarray) -> list[Row]:
    fn = getattr(robustloss, LOSSES[loss][0])
    grad = getattr(robustloss, LOSSES[loss][0] + "_grad")
    rows: list[Row] = [
        ("cpu", "forward", "memory floor: read input and target once", lambda: (x.sum(), y.sum())),
        ("cpu", "forward", "robustloss, NumPy", lambda: fn(x, y)),
        ("cpu", "forward", "robustloss, NumPy, generic path", lambda: _generic(fn, x, y)),
        ("cpu", "forward", "naive NumPy composition", lambda: _naive(loss, x, y)),
        (
            "cpu",
            "forward+backward",
            "robustloss, NumPy (loss and *_grad)",
            lambda: (fn(x, y), grad(x, y)),
        ),
    ]
    if loss == "huber" and _have("scipy"):
        from scipy.special import huber

        rows.append(
            ("cpu", "forward", "scipy.special.huber(1, r).mean()", lambda: huber(1.0, x - y).mean())
        )
    return rows


def _generic(fn: Callable[..., Any], *args: Any) -> Any:
    with robustloss.fast_paths(False):
        return fn(*args)


def _torch_rows(loss: str, x: np.ndarray, y: np.ndarray) -> list[Row]:
    import torch
    import torch.nn.functional as F

    fn = getattr(robustloss, LOSSES[loss][0])
    native_name = LOSSES[loss][1]
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    txg = tx.clone().requires_grad_(True)

    def backward(f: Callable[..., Any]) -> Callable[[], Any]:
        def run() -> Any:
            txg.grad = None
            f(txg, ty).backward()

        return run

    rows: list[Row] = [
        ("cpu", "forward", "robustloss, torch", lambda: fn(tx, ty)),
        ("cpu", "forward+backward", "robustloss, torch", backward(fn)),
    ]
    if native_name is not None:
        native = getattr(F, native_name)
        rows += [
            ("cpu", "forward", f"torch.nn.functional.{native_name}", lambda: native(tx, ty)),
            ("cpu", "forward+backward", f"torch.nn.functional.{native_name}", backward(native)),
        ]
    return rows


def _jax_rows(loss: str, x: np.ndarray, y: np.ndarray) -> list[Row]:
    import jax
    import jax.numpy as jnp

    fn = getattr(robustloss, LOSSES[loss][0])
    jx, jy = jnp.asarray(x), jnp.asarray(y)
    ours = jax.jit(lambda a, b: fn(a, b))
    ours_grad = jax.jit(jax.grad(lambda a, b: fn(a, b)))
    rows: list[Row] = [
        (
            "jax",
            "forward",
            "robustloss eager (cached jit inside)",
            lambda: fn(jx, jy).block_until_ready(),
        ),
        ("jax", "forward", "jax.jit(robustloss)", lambda: ours(jx, jy).block_until_ready()),
        (
            "jax",
            "forward+backward",
            "jax.jit(jax.grad(robustloss))",
            lambda: ours_grad(jx, jy).block_until_ready(),
        ),
    ]
    optax_name = LOSSES[loss][2]
    if optax_name is not None and _have("optax"):
        import optax

        peer = getattr(optax, optax_name)
        theirs = jax.jit(lambda a, b: peer(a, b).mean())
        theirs_grad = jax.jit(jax.grad(lambda a, b: peer(a, b).mean()))
        rows += [
            (
                "jax",
                "forward",
                f"jax.jit(optax.{optax_name}(...).mean())",
                lambda: theirs(jx, jy).block_until_ready(),
            ),
            (
                "jax",
                "forward+backward",
                f"jax.jit(jax.grad(optax.{optax_name}))",
                lambda: theirs_grad(jx, jy).block_until_ready(),
            ),
        ]
    return rows


def measure(loss: str, size: int, dtype: str, repeats: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(size).astype(dtype)
    y = rng.standard_normal(size).astype(dtype)
    rows = _numpy_rows(loss, x, y)
    if _have("torch"):
        rows += _torch_rows(loss, x, y)
    if _have("jax"):
        rows += _jax_rows(loss, x, y)
    # round robin: every row is timed once per round, so drifts of the machine's speed
    # (frequency, neighbours) fall on all rows alike; medians over the rounds
    reps = max(3, min(repeats, int(2e8 // max(size, 1))))  # fewer rounds for 1e8
    times: list[list[float]] = [[] for _ in rows]
    for _, kind, name, call in rows:
        print(f"  {loss} {dtype} {size:>12,} {kind:<16} {name} ...", file=sys.stderr, flush=True)
        call()  # warm-up (and jit compilation)
    # below 1e6 elements a round times a batch of calls per row (the mean of the batch):
    # one call of a few microseconds is mostly the timer and a cache the previous row cooled
    batch = max(1, min(200, 1_000_000 // max(size, 1)))
    for _ in range(reps):
        for i, (_, _, _, call) in enumerate(rows):
            call()  # untimed: wakes the library's threads the row before let sleep
            t0 = time.perf_counter()
            for _ in range(batch):
                call()
            times[i].append((time.perf_counter() - t0) / batch)
    out = [
        {
            "loss": loss,
            "dtype": dtype,
            "size": size,
            "group": group,
            "pass": kind,
            "name": name,
            "seconds": statistics.median(t),
        }
        for (group, kind, name, _), t in zip(rows, times, strict=True)
    ]
    _ratios(out)
    return out


def _ratios(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row["group"] == "cpu":
            ref = [
                r
                for r in rows
                if r["pass"] == row["pass"] and r["name"].startswith("torch.nn.functional")
            ]
        else:
            ref = [r for r in rows if r["pass"] == row["pass"] and "optax" in r["name"]]
        row["ratio"] = row["seconds"] / ref[0]["seconds"] if ref else None
        row["reference"] = ref[0]["name"] if ref else None


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| loss | dtype | size | pass | implementation | median | ratio | to |",
        "|---|---|---:|---|---|---:|---:|---|",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else ""
        to = r["reference"] if r["ratio"] is not None else ""
        lines.append(
            f"| {r['loss']} | {r['dtype']} | {r['size']:,} | {r['pass']} | {r['name']} | "
            f"{r['seconds'] * 1e3:.3f} ms | {ratio} | {to} |"
        )
    return "\n".join(lines)


#: (backend, pass, robustloss's row, the native row it is compared with)
OVERHEAD = (
    ("torch", "forward", "robustloss, torch", "torch.nn.functional."),
    ("torch", "forward+backward", "robustloss, torch", "torch.nn.functional."),
    ("NumPy", "forward", "robustloss, NumPy", "naive NumPy composition"),
    ("JAX", "forward", "robustloss eager (cached jit inside)", "jax.jit(optax."),
)


def overhead(rows: list[dict[str, Any]]) -> str:
    """The per-call overhead: robustloss's time minus the native one, in microseconds."""
    lines = [
        "| loss | dtype | size | backend | pass | robustloss | native | overhead | ratio |",
        "|---|---|---:|---|---|---:|---:|---:|---:|",
    ]
    keys = dict.fromkeys((r["loss"], r["dtype"], r["size"]) for r in rows)
    for loss, dtype, size in keys:
        same = [r for r in rows if (r["loss"], r["dtype"], r["size"]) == (loss, dtype, size)]
        for backend, kind, ours, native in OVERHEAD:
            a = [r for r in same if r["pass"] == kind and r["name"] == ours]
            b = [r for r in same if r["pass"] == kind and r["name"].startswith(native)]
            if not (a and b):
                continue
            t, n = a[0]["seconds"], b[0]["seconds"]
            lines.append(
                f"| {loss} | {dtype} | {size:,} | {backend} | {kind} | {t * 1e6:.1f} us | "
                f"{n * 1e6:.1f} us | {(t - n) * 1e6:+.1f} us | {t / n:.2f}x |"
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
    combos = sorted({(r["loss"], r["dtype"]) for r in rows})
    fig, axes = plt.subplots(1, len(combos), figsize=(6.5 * len(combos), 4.8), squeeze=False)
    for ax, (loss, dtype) in zip(axes[0], combos, strict=True):
        sel = [
            r for r in rows if r["loss"] == loss and r["dtype"] == dtype and r["pass"] == "forward"
        ]
        for name in dict.fromkeys(r["name"] for r in sel):
            pts = sorted((r["size"], r["size"] / r["seconds"]) for r in sel if r["name"] == name)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("elements")
        ax.set_ylabel("elements per second (forward, mean)")
        ax.set_title(f"{loss}, {dtype}")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e3..1e7, float32, huber: < 2 min")
    parser.add_argument("--sizes", nargs="+", type=float)
    parser.add_argument("--dtypes", nargs="+", default=None, choices=["float32", "float64"])
    parser.add_argument("--loss", nargs="+", default=None, choices=list(LOSSES))
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--out", default=str(HERE / "results"), help="stem of the .md and .png")
    args = parser.parse_args(argv)
    if args.quick:
        sizes = args.sizes or [256, 1e3, 1e4, 1e5, 1e7]
        dtypes, losses, repeats = (
            args.dtypes or ["float32"],
            args.loss or ["huber"],
            args.repeats or 7,
        )
    else:
        sizes = args.sizes or [256, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]
        dtypes, losses, repeats = (
            args.dtypes or ["float32", "float64"],
            args.loss or ["huber", "log_cosh"],
            args.repeats or 15,
        )
    start = time.perf_counter()
    rows = []
    for loss in losses:
        for dtype in dtypes:
            for size in sizes:
                rows += measure(loss, int(size), dtype, repeats)
    text = table(rows) + "\n\n## Per-call overhead\n\n" + overhead(rows)
    print(text)
    stem = Path(args.out)
    header = (
        f"Medians of up to {repeats} calls per row, `python benchmarks/run.py "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}` "
        f"({time.perf_counter() - start:.0f} s).\n\n"
    )
    stem.with_suffix(".md").write_text("# Benchmarks\n\n" + header + text + "\n", "utf-8")
    if plot(rows, stem.with_name(stem.name.replace("results", "throughput")).with_suffix(".png")):
        print(f"wrote {stem.with_suffix('.md')} and the plot", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
