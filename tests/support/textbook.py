"""The family's textbook formulas in PyTorch, elementwise in r: an independent check.

The losses PyTorch lacks (log-cosh, pseudo-Huber, Tukey and the general loss with its
special cases) written as printed, so that ``torch.autograd`` differentiates them. The
reference generator checks mpmath's values with them, and the PyTorch tests compare
robustloss's autograd with theirs. torch is imported when a formula is asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from support.oracle import SPECIAL_ALPHA

__all__ = ["torch_rho"]


def torch_rho(loss: str, p: dict[str, float]) -> Callable[[Any], Any]:
    """rho of `loss` with hyper-parameters `p` as a function of a float64 tensor r."""
    import torch
    import torch.nn.functional as F

    if loss == "log_cosh":  # cosh overflows at |r| = 1000: the softplus form
        return lambda r: r.abs() + F.softplus(-2 * r.abs()) - math.log(2.0)
    if loss == "pseudo_huber":
        d = p["delta"]
        return lambda r: d * d * (torch.sqrt(1 + (r / d) ** 2) - 1)
    if loss == "tukey":
        c = p["c"]
        return lambda r: torch.where(
            r.abs() <= c, c * c / 6 * (1 - (1 - (r / c) ** 2) ** 3), torch.full_like(r, c * c / 6)
        )
    s = p["scale"]
    alpha = p.get("alpha", SPECIAL_ALPHA.get(loss, math.nan))
    if alpha == 2:
        return lambda r: 0.5 * (r / s) ** 2
    if alpha == 0:
        return lambda r: torch.log(0.5 * (r / s) ** 2 + 1)
    if alpha == -math.inf:
        return lambda r: 1 - torch.exp(-0.5 * (r / s) ** 2)
    if alpha == math.inf:
        return lambda r: torch.exp(0.5 * (r / s) ** 2) - 1
    b = abs(alpha - 2)
    return lambda r: b / alpha * (((r / s) ** 2 / b + 1) ** (alpha / 2) - 1)
