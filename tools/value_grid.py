"""Check that a change leaves every number alone: dump a grid of results, compare two dumps.

Through the public API only, so that two versions of robustloss can be compared: every
loss, its gradient and its IRLS weight, on NumPy, array-api-strict, PyTorch, JAX and Dask
(those installed), in every dtype each has, for every reduction, weighted and not, over
residuals from 0 and subnormal sizes to the dtype's max and inf and over hyper-parameters
at every special path (beyond the dtype, below its smallest normal, Barron's special
alphas, an array alpha); plus reductions of 70,000 elements (the blocked and jitted
paths) and PyTorch autograd. Two dumps agree when every array is bit-identical (NaN
equal to NaN, the sign of zero included) and every error is the same.

    git worktree add /tmp/before <commit>
    PYTHONPATH=/tmp/before/src python tools/value_grid.py dump before.pkl
    PYTHONPATH=src python tools/value_grid.py dump after.pkl
    python tools/value_grid.py compare before.pkl after.pkl
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import pickle
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

PARAMS: dict[str, list[dict[str, float]]] = {
    "huber": [{"delta": d} for d in (1.0, 0.7, 1e-30, 1e30, 1e300)],
    "smooth_l1": [{"beta": b} for b in (1.0, 1.3, 0.0, 1e-40, 1e30, 1e300)],
    "l1": [{}],
    "mse": [{}],
    "log_cosh": [{}],
    "pseudo_huber": [{"delta": d} for d in (1.0, 0.5, 1e-20, 1e39, 1e300)],
    "tukey": [{"c": c} for c in (4.685, 1.5, 0.3, 1e-30, 1e300)],
    "cauchy": [{"scale": s} for s in (1.0, 0.5, 1e-20, 3.0, 1e30)],
    "welsch": [{"scale": s} for s in (1.0, 2.0, 1e-20, 1e30)],
    "geman_mcclure": [{"scale": s} for s in (1.0, 0.5, 1e-20, 1e30)],
    "general": [
        {"alpha": a, "scale": s}
        for a in (2.0, 1.0, 0.0, -2.0, -math.inf, math.inf, 0.5, -11.9, 3.0, 1e-8, 2.0000001)
        for s in (1.0, 0.01, 7.0)
    ],
}
EDGES = [0.0, -0.0, 1e-30, -1e-20, 1e-8, 0.5, -0.999, 1.0, 1.345, 2.0, -3.0, 4.685, 8.0]
EDGES += [8.5, 30.0, 88.0, 1e3, -1e10, 1e20, 1e38, 3e38, 1e200, 1e308, math.inf, -math.inf]
R = np.concatenate([EDGES, np.linspace(-12, 12, 37)])
T = np.linspace(-0.3, 0.2, R.size)
W = np.abs(np.sin(np.arange(R.size))) + 0.1
ALPHAS = np.resize(np.asarray([2.0, 1.0, 0.0, -2.0, -np.inf, np.inf, 0.5, -11.9]), R.size)

Convert = Callable[[np.ndarray, str], Any]


def _have(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _backends() -> Iterator[tuple[str, tuple[str, ...], Convert, Callable[[Any], np.ndarray]]]:
    with np.errstate(all="ignore"):
        yield "numpy", ("float16", "float32", "float64"), lambda a, d: a.astype(d), np.asarray
    if _have("array_api_strict"):
        import array_api_strict as xps

        def strict(a: np.ndarray, d: str) -> Any:
            return xps.asarray(a.astype(d))

        yield "array_api_strict", ("float32", "float64"), strict, np.asarray
    if _have("torch"):
        import torch

        def tensor(a: np.ndarray, d: str) -> Any:
            return torch.asarray(a).to(getattr(torch, d))

        def back(t: Any) -> np.ndarray:
            return t.detach().to(torch.float64).numpy()

        yield "torch", ("float16", "bfloat16", "float32", "float64"), tensor, back
    if _have("jax"):
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        def jarray(a: np.ndarray, d: str) -> Any:
            return jnp.asarray(a, getattr(jnp, d))

        yield "jax", ("float16", "bfloat16", "float32", "float64"), jarray, np.asarray
    if _have("dask"):
        import dask.array as da

        def lazy(a: np.ndarray, d: str) -> Any:
            return da.from_array(a.astype(d), chunks=17)

        def compute(a: Any) -> np.ndarray:
            return np.asarray(a.compute(scheduler="synchronous"))

        yield "dask", ("float16", "float32", "float64"), lazy, compute


def _call(rl: Any, name: str, kind: str, x: Any, y: Any, p: dict[str, Any], **kw: Any) -> Any:
    f = getattr(rl, name + "_loss" + ("_grad" if kind == "grad" else ""))
    if name == "general":
        return f(x, y, p["alpha"], p["scale"], **kw)
    return f(x, y, **p, **kw)


def _weight(rl: Any, name: str, r: Any, p: dict[str, Any]) -> Any:
    f = getattr(rl.weights, name)
    return f(r, p["alpha"], p["scale"]) if name == "general" else f(r, **p)


def _record(
    out: dict[Any, Any],
    key: Any,
    back: Callable[[Any], Any],
    f: Callable[..., Any],
    *args: Any,
    **kw: Any,
) -> None:
    """``out[key] = back(f(*args, **kw))``, or the error it raised."""
    try:
        out[key] = back(f(*args, **kw))
    except Exception as e:  # the same error, or the same numbers
        out[key] = f"{type(e).__name__}: {str(e)[:80]}"


def dump() -> dict[Any, Any]:
    """Every result of the grid, by a key naming the call."""
    import robustloss as rl
    import robustloss.weights

    out: dict[Any, Any] = {}
    for backend, dtypes, convert, back in _backends():
        for dtype in dtypes:
            with np.errstate(all="ignore"):
                x, y, w = (convert(a, dtype) for a in (R, T, W))
                alpha = convert(ALPHAS, dtype)
            for name, sets in PARAMS.items():
                for i, p in enumerate(sets):
                    for reduction in ("none", "mean", "sum", "weighted_mean"):
                        for kind in ("value", "grad"):
                            for weighted in (False, True):
                                key = (backend, dtype, name, i, reduction, kind, weighted)
                                kw = {"reduction": reduction, "weight": w if weighted else None}
                                _record(out, key, back, _call, rl, name, kind, x, y, p, **kw)
                    _record(
                        out, (backend, dtype, name, i, "weights"), back, _weight, rl, name, x, p
                    )
            for reduction in ("none", "sum"):
                for kind in ("value", "grad"):
                    for s in (1.0, 0.01):
                        key = (backend, dtype, "general-array", s, reduction, kind)
                        p = {"alpha": alpha, "scale": s}
                        _record(
                            out, key, back, _call, rl, "general", kind, x, y, p, reduction=reduction
                        )
    _large(rl, out)
    return out


def _large(rl: Any, out: dict[Any, Any]) -> None:
    rng = np.random.default_rng(0)
    xb, yb, wb = rng.normal(size=70_000) * 3, rng.normal(size=70_000), rng.random(70_000)
    backends = [b for b in _backends() if b[0] in ("numpy", "torch", "jax")]
    for name, sets in PARAMS.items():
        for i, p in enumerate(sets[:2]):
            for backend, _, convert, back in backends:
                for dtype in ("float32", "float64"):
                    x, y, w = (convert(a, dtype) for a in (xb, yb, wb))
                    for reduction in ("mean", "sum", "weighted_mean"):
                        for kind in ("value", "grad"):
                            key = ("large", backend, dtype, name, i, reduction, kind)
                            value = _call(rl, name, kind, x, y, p, reduction=reduction, weight=w)
                            out[key] = back(value)
            if _have("torch"):
                import torch

                xt = torch.asarray(xb[:5000]).requires_grad_(True)
                loss = _call(rl, name, "value", xt, torch.asarray(yb[:5000]), p)
                loss.backward()
                out[("autograd", name, i)] = (loss.detach().numpy(), xt.grad.numpy())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return all(_same(u, v) for u, v in zip(a, b, strict=True))
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    a, b = np.asarray(a), np.asarray(b)
    return bool(
        a.shape == b.shape
        and a.dtype == b.dtype
        and np.array_equal(a, b, equal_nan=True)
        and np.array_equal(np.signbit(a), np.signbit(b))
    )


def compare(before: dict[Any, Any], after: dict[Any, Any]) -> int:
    """Print what differs; 0 when nothing does."""
    if before.keys() != after.keys():
        print(
            "the grids differ in their calls:", sorted(before.keys() ^ after.keys(), key=str)[:10]
        )
        return 1
    differ = [k for k in before if not _same(before[k], after[k])]
    for k in differ[:20]:
        print("differs:", k, str(before[k])[:100], "|", str(after[k])[:100])
    print(f"{len(before)} results compared, {len(differ)} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("file")
    both = sub.add_parser("compare")
    both.add_argument("before")
    both.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "dump":
        with open(args.file, "wb") as f:
            pickle.dump(dump(), f)
        return 0
    with open(args.before, "rb") as f, open(args.after, "rb") as g:
        return compare(pickle.load(f), pickle.load(g))


if __name__ == "__main__":
    sys.exit(main())
