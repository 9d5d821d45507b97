"""Compiled forward+backward: robustloss against torch.nn.functional under torch.compile.

Each side is ``torch.compile(fullgraph=True)`` of the loss of a tensor that requires grad,
then its backward, on CPU float32 tensors. As in ``interleaved.py`` the two calls
alternate inside every round (a batch of calls each, after an untimed one), and the
median over the rounds is reported; the table goes to ``compile.md``::

    python benchmarks/compile.py                              # 1e3, 1e5, 1e6 elements
    python benchmarks/compile.py --sizes 1e3 --rounds 11 --backend aot_eager
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import robustloss

#: (name, robustloss's function, torch.nn.functional's name, keyword arguments)
LOSSES = (
    ("Huber", robustloss.huber_loss, "huber_loss", {"delta": 1.0}),
    ("SmoothL1", robustloss.smooth_l1_loss, "smooth_l1_loss", {"beta": 1.0}),
    ("L1", robustloss.l1_loss, "l1_loss", {}),
    ("MSE", robustloss.mse_loss, "mse_loss", {}),
)


def measure(size: int, rounds: int, backend: str, loss: str) -> dict[str, float]:
    """Return the median time (seconds) of a compiled forward+backward of each side."""
    import torch
    import torch.nn.functional as F

    _, ours, theirs, kwargs = next(entry for entry in LOSSES if entry[0] == loss)
    torch._dynamo.reset()  # each size and loss compiles afresh (no recompile limit)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal(size).astype("float32")).requires_grad_(True)
    y = torch.from_numpy(rng.standard_normal(size).astype("float32"))

    def step(f: Callable[..., Any]) -> Callable[[], None]:
        compiled = torch.compile(
            lambda a, b: f(a, b, **kwargs), fullgraph=True, dynamic=False, backend=backend
        )

        def run() -> None:
            x.grad = None
            compiled(x, y).backward()

        return run

    rows = {"torch.nn.functional": step(getattr(F, theirs)), "robustloss": step(ours)}
    for call in rows.values():  # compiled here, outside the timing
        call()
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


def table(results: list[tuple[str, int, dict[str, float]]], backend: str, rounds: int) -> str:
    """Return the markdown table of the results."""
    import torch

    lines = [
        "# Compiled forward+backward: robustloss and torch.nn.functional",
        "",
        f"`torch.compile(fullgraph=True, backend={backend!r})` of each loss, then its "
        f"backward; float32 CPU tensors; median of {rounds} interleaved rounds. "
        f"PyTorch {torch.__version__}, {platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} threads.",
        "",
        "| loss | size | torch.nn.functional | robustloss | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for loss, size, m in results:
        native, ours = m["torch.nn.functional"], m["robustloss"]
        lines.append(
            f"| {loss} | {size:,} | {native * 1e6:.1f} us | {ours * 1e6:.1f} us | "
            f"{ours / native:.2f}x |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e5, 1e6])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--backend", default="inductor")
    parser.add_argument("--loss", nargs="+", default=[entry[0] for entry in LOSSES])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("compile.md"))
    args = parser.parse_args(argv)
    results = [
        (loss, size, measure(size, args.rounds, args.backend, loss))
        for loss in args.loss
        for size in (int(s) for s in args.sizes)
    ]
    text = table(results, args.backend, args.rounds)
    args.out.write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
