"""What an array hyper-parameter costs: the same loss with a number and with an array.

For Huber's ``delta`` and Tukey's ``c``, each row times robustloss with the number (its
fast path), with an array of one value per element, and with one per last-axis column
(shape ``[1000]`` against ``[size / 1000, 1000]``), on NumPy, PyTorch (forward, and
forward+backward with autograd) and JAX (``jax.jit``). The rows of one size are timed
round robin, and each is the median over ``--repeats`` rounds; the ratio is to the
number in the same run. PyTorch's rows also time the composition a user would write for
a tensor delta (``torch.where``), which ``torch.nn.functional.huber_loss`` cannot take.

    python benchmarks/array_params.py                    # 1e4 to 1e7, float32: a few minutes
    python benchmarks/array_params.py --sizes 1e6 --repeats 30

Writes ``benchmarks/array_params.md`` (``--out`` changes the path).
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
#: loss -> (function, hyper-parameter, its value)
LOSSES = {"huber": ("huber_loss", "delta", 1.0), "tukey": ("tukey_loss", "c", 4.685)}
Row = tuple[str, str, Callable[[], Any]]  # (backend and pass, hyper-parameter form, call)


def _rows(loss: str, x: np.ndarray, y: np.ndarray) -> list[Row]:
    fn_name, name, value = LOSSES[loss]
    fn = getattr(robustloss, fn_name)
    full = np.full(x.shape, value, dtype=x.dtype)
    column = np.full(x.shape[-1:], value, dtype=x.dtype)
    rows: list[Row] = [
        ("NumPy forward", "number", lambda: fn(x, y, **{name: value})),
        ("NumPy forward", "array, per element", lambda: fn(x, y, **{name: full})),
        ("NumPy forward", "array, per column", lambda: fn(x, y, **{name: column})),
    ]
    if importlib.util.find_spec("torch") is not None:
        rows += _torch_rows(fn, name, value, x, y, loss)
    if importlib.util.find_spec("jax") is not None:
        import jax
        import jax.numpy as jnp

        jx, jy = jnp.asarray(x), jnp.asarray(y)
        jfull, jcol = jnp.asarray(full), jnp.asarray(column)
        scalar = jax.jit(lambda a, b: fn(a, b, **{name: value}))
        array = jax.jit(lambda a, b, d: fn(a, b, **{name: d}))
        rows += [
            ("jax.jit forward", "number", lambda: scalar(jx, jy).block_until_ready()),
            (
                "jax.jit forward",
                "array, per element",
                lambda: array(jx, jy, jfull).block_until_ready(),
            ),
            (
                "jax.jit forward",
                "array, per column",
                lambda: array(jx, jy, jcol).block_until_ready(),
            ),
        ]
    return rows


def _torch_rows(
    fn: Callable[..., Any], name: str, value: float, x: np.ndarray, y: np.ndarray, loss: str
) -> list[Row]:
    import torch

    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    txg = tx.clone().requires_grad_(True)
    full = torch.full(tx.shape, value, dtype=tx.dtype)
    column = torch.full(tx.shape[-1:], value, dtype=tx.dtype)

    def backward(**kw: Any) -> Callable[[], Any]:
        def run() -> Any:
            txg.grad = None
            fn(txg, ty, **kw).backward()

        return run

    rows: list[Row] = [
        ("torch forward", "number", lambda: fn(tx, ty, **{name: value})),
        ("torch forward", "array, per element", lambda: fn(tx, ty, **{name: full})),
        ("torch forward", "array, per column", lambda: fn(tx, ty, **{name: column})),
        ("torch forward+backward", "number", backward(**{name: value})),
        ("torch forward+backward", "array, per element", backward(**{name: full})),
        ("torch forward+backward", "array, per column", backward(**{name: column})),
    ]
    if loss == "huber":

        def composed(a: Any, b: Any, d: Any) -> Any:
            r = (a - b).abs()
            return torch.where(r <= d, 0.5 * r * r, d * (r - 0.5 * d)).mean()

        def composed_backward() -> Any:
            txg.grad = None
            composed(txg, ty, column).backward()

        rows += [
            (
                "torch forward",
                "torch.where composition, per column",
                lambda: composed(tx, ty, column),
            ),
            ("torch forward+backward", "torch.where composition, per column", composed_backward),
        ]
    return rows


def measure(loss: str, size: int, dtype: str, repeats: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    shape = (max(1, size // 1000), 1000) if size >= 1000 else (1, size)
    x = rng.standard_normal(shape).astype(dtype)
    y = rng.standard_normal(shape).astype(dtype)
    rows = _rows(loss, x, y)
    for _, _, call in rows:
        call()  # warm-up, and compilation
    batch = max(1, min(100, 1_000_000 // max(size, 1)))
    times: list[list[float]] = [[] for _ in rows]
    for _ in range(repeats):
        for i, (_, _, call) in enumerate(rows):
            call()
            t0 = time.perf_counter()
            for _ in range(batch):
                call()
            times[i].append((time.perf_counter() - t0) / batch)
    out = []
    for (group, form, _), t in zip(rows, times, strict=True):
        out.append(
            {
                "loss": loss,
                "dtype": dtype,
                "size": size,
                "group": group,
                "form": form,
                "seconds": statistics.median(t),
            }
        )
    for row in out:
        ref = next(r for r in out if r["group"] == row["group"] and r["form"] == "number")
        row["ratio"] = row["seconds"] / ref["seconds"]
    return out


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| loss | dtype | size | backend, pass | hyper-parameter | median | to the number |",
        "|---|---|---:|---|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['loss']} | {r['dtype']} | {r['size']:,} | {r['group']} | {r['form']} | "
            f"{r['seconds'] * 1e3:.3f} ms | {r['ratio']:.2f}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e6, 1e7])
    parser.add_argument("--dtypes", nargs="+", default=["float32"], choices=["float32", "float64"])
    parser.add_argument("--loss", nargs="+", default=list(LOSSES), choices=list(LOSSES))
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--out", default=str(HERE / "array_params.md"))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = []
    for loss in args.loss:
        for dtype in args.dtypes:
            for size in args.sizes:
                print(f"  {loss} {dtype} {int(size):,}", file=sys.stderr, flush=True)
                rows += measure(loss, int(size), dtype, args.repeats)
    text = table(rows)
    print(text)
    command = " ".join(argv if argv is not None else sys.argv[1:])
    header = (
        f"Medians over {args.repeats} rounds, `python benchmarks/array_params.py {command}`"
        f" ({time.perf_counter() - start:.0f} s).\n\n"
    )
    Path(args.out).write_text("# Array hyper-parameters\n\n" + header + text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
