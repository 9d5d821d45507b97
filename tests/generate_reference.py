"""Write ``src/robustloss/_data/reference.json`` from independent implementations.

robustloss never computes its own expected values. Every value and gradient here comes
from ``torch.nn.functional`` and ``torch.autograd`` in float64 (PyTorch's own weighted
reductions where it has them, else PyTorch's elementwise loss times the weight, reduced by
PyTorch), and is cross-checked against mpmath at 50 digits evaluating the textbook
definitions with explicit branches; for Huber, against ``scipy.special.huber`` and
``optax.huber_loss``; and for unweighted means against Keras 3 (which computes in
float32). The file records, for every value, which implementation produced it and which
ones agreed.

    python tests/generate_reference.py           # rewrite the file
    python tests/generate_reference.py --check   # exit 1 if the file is not what this writes
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[1] / "src" / "robustloss" / "_data" / "reference.json"
REDUCTIONS = ("none", "mean", "sum", "weighted_mean")
DTYPES = ("float16", "bfloat16", "float32", "float64")
TORCH_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
}
mpmath.mp.dps = 50

#: (loss, hyper-parameters) pairs of the file
LOSSES: list[tuple[str, dict[str, float]]] = [
    ("huber", {"delta": 1.0}),
    ("huber", {"delta": 0.5}),
    ("huber", {"delta": 2.5}),
    ("smooth_l1", {"beta": 1.0}),
    ("smooth_l1", {"beta": 0.5}),
    ("smooth_l1", {"beta": 0.0}),
    ("l1", {}),
    ("mse", {}),
]


# --- independent implementations -----------------------------------------------------------
def torch_elementwise(loss: str, x: torch.Tensor, y: torch.Tensor, **p: float) -> torch.Tensor:
    """PyTorch's unreduced loss."""
    if loss == "huber":
        return F.huber_loss(x, y, reduction="none", delta=p["delta"])
    if loss == "smooth_l1":
        return F.smooth_l1_loss(x, y, reduction="none", beta=p["beta"])
    if loss == "l1":
        return F.l1_loss(x, y, reduction="none")
    return F.mse_loss(x, y, reduction="none")


def torch_reduced(
    loss: str, reduction: str, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor | None, **p: float
) -> tuple[torch.Tensor, str]:
    """The reduced loss by PyTorch, and a description of how PyTorch produced it."""
    v = torch.__version__.split("+")[0]
    fn = f"torch.nn.functional.{loss}_loss {v}"
    if w is None:
        if reduction == "weighted_mean":
            reduction = "mean"  # no weight: sum(l) / N
        if reduction in ("none", "mean", "sum"):
            kw = {"delta": p["delta"]} if loss == "huber" else {}
            kw |= {"beta": p["beta"]} if loss == "smooth_l1" else {}
            f = {"huber": F.huber_loss, "smooth_l1": F.smooth_l1_loss, "l1": F.l1_loss}.get(
                loss, F.mse_loss
            )
            return f(x, y, reduction=reduction, **kw), f"{fn} (reduction={reduction!r})"
    wf = torch.broadcast_to(w, x.shape)
    # PyTorch's own weighted reductions, where their semantics are ours.
    if reduction == "mean" and loss == "huber" and x.ndim > 0:
        return F.huber_loss(x, y, reduction="mean", delta=p["delta"], weight=wf), (
            f"{fn} (reduction='mean', weight=w)"
        )
    if reduction == "weighted_mean" and loss in ("l1", "mse") and x.ndim > 0 and x.numel() > 0:
        f = F.l1_loss if loss == "l1" else F.mse_loss
        return f(x, y, reduction="mean", weight=wf), f"{fn} (reduction='mean', weight=w)"
    wl = torch_elementwise(loss, x, y, **p) * wf
    how = f"{fn} (reduction='none') * w"
    if reduction == "none":
        return wl, how
    if reduction == "sum":
        return wl.sum(), f"torch.sum({how})"
    if reduction == "mean":
        return wl.sum() / x.numel(), f"torch.sum({how}) / N"
    return wl.sum() / wf.sum(), f"torch.sum({how}) / torch.sum(w)"


def mp_rho(loss: str, r: mpmath.mpf, **p: float) -> mpmath.mpf:
    """The textbook definitions, branch by branch, at 50 digits."""
    a = abs(r)
    if loss == "huber":
        d = mpmath.mpf(p["delta"])
        return r * r / 2 if a <= d else d * (a - d / 2)
    if loss == "smooth_l1":
        b = mpmath.mpf(p["beta"])
        if b == 0:
            return a
        return r * r / (2 * b) if a < b else a - b / 2
    if loss == "l1":
        return a
    return r * r


def mp_psi(loss: str, r: mpmath.mpf, **p: float) -> mpmath.mpf:
    """d rho / d r, with PyTorch's choices at the kinks (sign(0) = 0, psi(+-delta) = +-delta)."""
    sign = mpmath.mpf(int(r > 0) - int(r < 0))
    if loss == "huber":
        d = mpmath.mpf(p["delta"])
        return r if abs(r) <= d else sign * d
    if loss == "smooth_l1":
        b = mpmath.mpf(p["beta"])
        return sign if b == 0 or abs(r) >= b else r / b
    if loss == "l1":
        return sign
    return 2 * r


def mp_reference(
    loss: str, reduction: str, x: np.ndarray, y: np.ndarray, w: np.ndarray | None, **p: float
) -> tuple[Any, Any]:
    """(value, grad) by mpmath, as float64 arrays (NaN for the mean of nothing)."""
    xs, ys = x.ravel().tolist(), y.ravel().tolist()
    ws = np.broadcast_to(1.0 if w is None else w, x.shape).ravel().tolist()
    r = [mpmath.mpf(a) - mpmath.mpf(b) for a, b in zip(xs, ys, strict=True)]
    wl = [mpmath.mpf(wi) * mp_rho(loss, ri, **p) for wi, ri in zip(ws, r, strict=True)]
    wg = [mpmath.mpf(wi) * mp_psi(loss, ri, **p) for wi, ri in zip(ws, r, strict=True)]
    if reduction == "none":
        return np.array([float(v) for v in wl]).reshape(x.shape), np.array(
            [float(v) for v in wg]
        ).reshape(x.shape)
    if reduction == "sum":
        den = mpmath.mpf(1)
    elif reduction == "mean" or w is None:
        den = mpmath.mpf(len(r))
    else:
        den = mpmath.fsum(mpmath.mpf(v) for v in ws)
    value = math.nan if den == 0 else float(mpmath.fsum(wl) / den)
    grad = (
        np.array([float(g / den) for g in wg]).reshape(x.shape) if den != 0 else np.zeros(x.shape)
    )
    return np.float64(value), grad


def keras_peer(
    loss: str, p: dict[str, float], x: np.ndarray, y: np.ndarray, mean: Any
) -> list[str]:
    """Keras 3, if installed, for the unweighted mean (it computes in float32: rtol 1e-6).

    Keras averages over the last axis, then over the batch: for equal-length rows that is
    the mean over all elements.
    """
    if x.ndim == 0 or x.size == 0 or loss == "smooth_l1":
        return []
    try:
        os.environ.setdefault("KERAS_BACKEND", "numpy")
        import keras
    except ImportError:
        return []
    cls = {"huber": keras.losses.Huber, "l1": keras.losses.MeanAbsoluteError}.get(
        loss, keras.losses.MeanSquaredError
    )
    got = float(cls(**p)(y, x))
    if math.isclose(got, float(mean), rel_tol=1e-6, abs_tol=1e-6):
        return [f"keras.losses.{cls.__name__} {keras.__version__} (float32)"]
    raise AssertionError(f"Keras disagrees on {loss} {p}: {got} vs {mean}")


def huber_peers(x: np.ndarray, y: np.ndarray, delta: float, expected: np.ndarray) -> list[str]:
    """Peers that reproduce the elementwise Huber loss (to 1e-14 relative)."""
    agreed = []
    import scipy
    from scipy.special import huber

    if np.allclose(huber(delta, x - y), expected, rtol=1e-14, atol=0):
        agreed.append(f"scipy.special.huber {scipy.__version__}")
    try:
        import jax
        import optax

        jax.config.update("jax_enable_x64", True)
        got = np.asarray(optax.huber_loss(np.asarray(x), np.asarray(y), delta=delta))
        if np.allclose(got, expected, rtol=1e-14, atol=0):
            agreed.append(f"optax.huber_loss {optax.__version__}")
    except ImportError:
        pass
    return agreed


# --- the cases -----------------------------------------------------------------------------
def _grid(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Multiples of 1/16 in [-8, 8): exact in float16, bfloat16, float32 and float64."""
    return np.asarray(rng.integers(-128, 128, size=shape) / 16.0)


def _weights(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Multiples of 1/4 in [0, 4): exact in every dtype."""
    return np.asarray(rng.integers(0, 16, size=shape) / 4.0)


def inputs(loss: str, p: dict[str, float]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, input, target) sets for one loss; fixed seeds make them reproducible."""
    rng = np.random.default_rng(20261122)
    k = p.get("delta", p.get("beta", 1.0)) or 1.0
    r = np.array([0.0, k, -k, 2 * k, -2 * k, k / 2, -(2.0**-10), 2.0**-10, 1000.0, -1000.0])
    t = np.resize(np.array([0.0, 0.5, -1.25, 3.0]), r.shape)
    rand = np.random.default_rng(7).standard_normal((2, 5, 6)).astype(np.float32) * 3
    return [
        ("0d", _grid(rng, ()), _grid(rng, ())),
        ("1d", _grid(rng, (7,)), _grid(rng, (7,))),
        ("3d", _grid(rng, (2, 3, 4)), _grid(rng, (2, 3, 4))),
        ("empty", np.zeros((0,)), np.zeros((0,))),
        ("empty2d", np.zeros((0, 3)), np.zeros((0, 3))),
        ("edges", r + t, t),
        ("random", rand[0].astype(np.float64), rand[1].astype(np.float64)),
    ]


#: input set -> weight shapes to try besides none: the full shape and broadcasting ones
WEIGHT_SHAPES: dict[str, list[tuple[str, tuple[int, ...]]]] = {
    "1d": [("scalar_weight", ())],
    "3d": [("full_weight", (2, 3, 4)), ("weight_1x3x1", (1, 3, 1)), ("weight_4", (4,))],
    "empty2d": [("weight_3", (3,))],
    "edges": [("full_weight", (10,))],
    "random": [("weight_6", (6,))],
}


def exact_dtypes(*arrays: np.ndarray, results: list[np.ndarray]) -> list[str]:
    """Dtypes in which all `arrays` are exact and no expected value overflows."""
    out = []
    for name in DTYPES:
        td = TORCH_DTYPES[name]
        exact = all(
            torch.equal(torch.from_numpy(a).to(td).double(), torch.from_numpy(a)) for a in arrays
        )
        big = torch.finfo(td).max
        fits = all(np.all(np.abs(v[np.isfinite(v)]) < big / 4) for v in results)
        if exact and fits:
            out.append(name)
    return out


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-13, atol=1e-300, equal_nan=True))


def make_case(
    loss: str,
    p: dict[str, float],
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    wname: str | None,
    w: np.ndarray | None,
) -> dict[str, Any]:
    pid = "".join(f"-{k}{v:g}" for k, v in p.items())
    cid = f"{loss}{pid}-{name}" + (f"-{wname}" if wname else "")
    tv = torch.__version__.split("+")[0]
    expected: dict[str, Any] = {}
    results = []
    for reduction in REDUCTIONS:
        tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(y, dtype=torch.float64)
        tw = None if w is None else torch.tensor(w, dtype=torch.float64)
        value, source = torch_reduced(loss, reduction, tx, ty, tw, **p)
        (value if reduction != "none" else value.sum()).backward()
        grad = tx.grad if tx.grad is not None else torch.zeros_like(tx)
        v_np, g_np = value.detach().numpy(), grad.numpy()
        mv, mg = mp_reference(loss, reduction, x, y, w, **p)
        if not (_close(v_np, mv) and _close(g_np, mg)):
            raise AssertionError(f"{cid} {reduction}: torch and mpmath disagree: {v_np} {mv}")
        checked = [f"mpmath {mpmath.__version__} (50 digits)"]
        if loss == "huber" and reduction == "none" and w is None:
            checked += huber_peers(x, y, p["delta"], v_np)
        if reduction == "mean" and w is None:
            checked += keras_peer(loss, p, x, y, v_np)
        expected[reduction] = {
            "value": v_np.tolist(),
            "value_source": source,
            "grad": g_np.tolist(),
            "grad_source": f"torch.autograd {tv} through {source}",
            "checked_by": checked,
        }
        results += [v_np, g_np]
    arrays = [x, y] + ([] if w is None else [w])
    return {
        "id": cid,
        "loss": loss,
        "params": p,
        "shape": list(x.shape),
        "input": x.tolist(),
        "target": y.tolist(),
        "weight": None if w is None else w.tolist(),
        "dtypes": exact_dtypes(*arrays, results=results),
        "expected": expected,
    }


def build() -> dict[str, Any]:
    """Every case of the file, in a fixed order."""
    cases = []
    for loss, p in LOSSES:
        wrng = np.random.default_rng(99)
        for name, x, y in inputs(loss, p):
            cases.append(make_case(loss, p, name, x, y, None, None))
            for wname, shape in WEIGHT_SHAPES.get(name, []):
                cases.append(make_case(loss, p, name, x, y, wname, _weights(wrng, shape)))
    import scipy

    peers = {"torch": torch.__version__.split("+")[0], "mpmath": mpmath.__version__}
    peers["scipy"] = scipy.__version__
    for name in ("optax", "keras"):
        with contextlib.suppress(ImportError):
            peers[name] = importlib.import_module(name).__version__
    return {
        "format": 1,
        "generator": "tests/generate_reference.py",
        "peers": peers,
        "cases": cases,
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=None, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = dumps(build())
    if args.check:
        same = OUT.exists() and OUT.read_text("utf-8") == text
        print("reference file is up to date" if same else f"{OUT} differs from the generator")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, "utf-8")
    n = len(json.loads(text)["cases"])
    print(f"wrote {n} cases to {OUT} ({len(text) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
