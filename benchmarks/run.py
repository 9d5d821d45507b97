"""Time robustloss against its peers on the same data, in one run.

Each row is the median of ``--repeats`` timings of one call (after a warm-up), and its
ratio to PyTorch's native ``torch.nn.functional.huber_loss`` measured in the same run.
Peers that are not installed are left out. Writes a markdown table to stdout and, with
``--out FILE``, to a file.

    python benchmarks/run.py                 # 1e4, 1e6 and 1e7 float32 elements
    python benchmarks/run.py --sizes 1e5 --repeats 50
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import robustloss

Case = tuple[str, Callable[[], Any]]


def _have(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _median_seconds(f: Callable[[], Any], repeats: int) -> float:
    f()  # warm-up (and jit compilation)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _cases(x: np.ndarray, y: np.ndarray) -> list[Case]:
    cases: list[Case] = [
        ("memory floor: read input and target once (NumPy sum)", lambda: (x.sum(), y.sum())),
        ("robustloss, NumPy", lambda: robustloss.huber_loss(x, y)),
        ("naive NumPy: where(abs(r) <= d, 0.5 r², d(abs(r) - d/2)).mean()", lambda: _naive(x, y)),
    ]
    if _have("scipy"):
        from scipy.special import huber

        cases.append(("scipy.special.huber(1, r).mean()", lambda: huber(1.0, x - y).mean()))
    if _have("torch"):
        import torch
        import torch.nn.functional as F

        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        cases += [
            ("torch.nn.functional.huber_loss", lambda: F.huber_loss(tx, ty)),
            ("robustloss, torch", lambda: robustloss.huber_loss(tx, ty)),
        ]
    if _have("jax") and _have("optax"):
        import jax
        import jax.numpy as jnp
        import optax

        jx, jy = jnp.asarray(x), jnp.asarray(y)
        optax_mean = jax.jit(lambda a, b: optax.huber_loss(a, b).mean())
        ours = jax.jit(robustloss.huber_loss)
        cases += [
            (
                "jax.jit(optax.huber_loss(...).mean())",
                lambda: optax_mean(jx, jy).block_until_ready(),
            ),
            ("jax.jit(robustloss.huber_loss)", lambda: ours(jx, jy).block_until_ready()),
        ]
    return cases


def _naive(x: np.ndarray, y: np.ndarray) -> Any:
    r = x - y
    a = np.abs(r)
    return np.where(a <= 1.0, 0.5 * r * r, a - 0.5).mean()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e6, 1e7])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--out", help="also write the markdown table to this file")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    lines = [
        f"huber_loss, reduction='mean', {args.dtype}; median of {args.repeats} calls",
        "",
        "| size | implementation | time | vs torch native |",
        "|---:|---|---:|---:|",
    ]
    for size in (int(s) for s in args.sizes):
        x = rng.standard_normal(size).astype(args.dtype)
        y = rng.standard_normal(size).astype(args.dtype)
        results = []
        for name, f in _cases(x, y):
            print(f"  {size:>11,} {name} ...", file=sys.stderr, flush=True)
            results.append((name, _median_seconds(f, args.repeats)))
        native = dict(results).get("torch.nn.functional.huber_loss")
        for name, t in results:
            ratio = f"{t / native:.2f}x" if native else "-"
            lines.append(f"| {size:,} | {name} | {t * 1e3:.3f} ms | {ratio} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
