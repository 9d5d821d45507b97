"""robustloss against PyTorch's own loss on CPU tensors, interleaved call by call.

``run.py`` times each row in turn; at sizes where both sides run the same kernel its
ratios move with the machine. Here the two calls alternate inside every round (a batch of
calls each, after an untimed one), so that drifts fall on both alike, and the median over
the rounds is reported, forward and forward+backward::

    python benchmarks/interleaved.py                       # 1e3 and 1e5 elements, 61 rounds
    python benchmarks/interleaved.py --sizes 1e3 1e5 1e6 --rounds 101
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import robustloss


def measure(size: int, rounds: int) -> dict[str, float]:
    """Return the median time per call (seconds) of each of the four rows."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal(size).astype("float32"))
    y = torch.from_numpy(rng.standard_normal(size).astype("float32"))
    xg = x.clone().requires_grad_(True)

    def backward(f: Callable[..., Any]) -> Callable[[], None]:
        def run() -> None:
            xg.grad = None
            f(xg, y).backward()

        return run

    rows: dict[str, Callable[[], Any]] = {
        "torch.nn.functional.huber_loss, forward": lambda: F.huber_loss(x, y),
        "robustloss.huber_loss, forward": lambda: robustloss.huber_loss(x, y),
        "torch.nn.functional.huber_loss, forward+backward": backward(F.huber_loss),
        "robustloss.huber_loss, forward+backward": backward(robustloss.huber_loss),
    }
    batch = max(1, min(200, 1_000_000 // size))
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(rounds):
        for name, call in rows.items():
            call()
            t0 = time.perf_counter()
            for _ in range(batch):
                call()
            times[name].append((time.perf_counter() - t0) / batch)
    return {name: statistics.median(t) for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e5])
    parser.add_argument("--rounds", type=int, default=61)
    args = parser.parse_args(argv)
    print("| size | pass | torch.nn.functional | robustloss | ratio |")
    print("|---:|---|---:|---:|---:|")
    for size in (int(s) for s in args.sizes):
        m = measure(size, args.rounds)
        for kind in ("forward", "forward+backward"):
            native = m[f"torch.nn.functional.huber_loss, {kind}"]
            ours = m[f"robustloss.huber_loss, {kind}"]
            print(
                f"| {size:,} | {kind} | {native * 1e6:.1f} us | {ours * 1e6:.1f} us | "
                f"{ours / native:.2f}x |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
