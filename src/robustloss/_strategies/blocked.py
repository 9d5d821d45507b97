"""Blocked evaluation of reductions on the CPU (NumPy, and PyTorch without autograd).

The flattened arrays are walked in blocks of :data:`BLOCK` elements; ``rho`` runs on each
block while its temporaries stay in cache, and the block sums are added in float64.
"""

from __future__ import annotations

import math
from typing import Any, cast

from .._checks import Prepared
from .._typing import Array

__all__ = ["BLOCK", "compute_numpy", "compute_torch"]

#: elements per block (128 KiB of float32 per temporary)
BLOCK = 1 << 15


def compute_numpy(p: Prepared) -> Array | None:
    """Return the reduced value of a NumPy call of more than one block, else None."""
    if p.what != "value" or p.reduction == "none" or None in p.shape:
        return None
    if math.prod(p.shape) <= BLOCK:  # type: ignore[arg-type]  # one block: the same work
        return None
    import numpy as np

    x = p.input
    wf = None if p.weight is None else _flat(np.broadcast_to(p.weight, x.shape))
    out = _blocked(p, _flat(x), _flat(p.target), wf)
    return np.asarray(out, dtype=x.dtype)[()]


def compute_torch(p: Prepared) -> Array | None:
    """Return the blocked evaluation of contiguous CPU tensors (no autograd), or None."""
    import torch

    x, y, w = p.input, cast(Array, p.target), p.weight
    if x.device.type != "cpu" or not (x.is_contiguous() and y.is_contiguous()):
        return None
    if torch.compiler.is_compiling():  # a traced graph fuses by itself; no Python loop
        return None
    wf = None
    if w is not None:
        full = torch.broadcast_to(w, x.shape)
        if not full.is_contiguous():
            return None  # broadcast weights: the generic path (no full-size copy)
        wf = full.reshape(-1)
    out = _blocked(p, x.reshape(-1), y.reshape(-1), wf)
    return torch.tensor(out, dtype=x.dtype)


def _flat(a: Any) -> Any:
    """Something sliceable by flat index without copying the whole array."""
    return a.reshape(-1) if a.flags.c_contiguous else a.flat  # flatiter slices copy a block


def _blocked(p: Prepared, xf: Any, yf: Any, wf: Any) -> float:
    """Walk flat views of input, target and weight in blocks; the reduced loss."""
    xp, rho, values = p.xp, p.definition.rho, p.values
    n = math.prod(p.shape)  # type: ignore[arg-type]
    total = 0.0
    weights = 0.0
    for i in range(0, n, BLOCK):
        j = min(i + BLOCK, n)
        loss = rho(xf[i:j] - yf[i:j], xp=xp, **values)
        if wf is not None:
            w = wf[i:j]
            loss = loss * w
            weights += float(xp.sum(w))
        total += float(xp.sum(loss))
    if p.reduction == "sum":
        return total
    den = weights if (p.reduction == "weighted_mean" and wf is not None) else float(n)
    return total / den if den else math.nan
