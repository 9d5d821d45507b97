"""The family's textbook formulas in PyTorch, elementwise in r: an independent check.

The losses PyTorch lacks, written as printed (each in its row of the cases table), so
that ``torch.autograd`` differentiates them. The reference generator checks mpmath's
values with them, and the PyTorch tests compare robustloss's autograd with theirs.
torch is imported when a formula is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from support.cases import BY_NAME

__all__ = ["torch_rho"]


def torch_rho(loss: str, p: dict[str, float]) -> Callable[[Any], Any]:
    """rho of `loss` with hyper-parameters `p` as a function of a float64 tensor r."""
    formula = BY_NAME[loss].torch_rho
    if formula is None:
        raise KeyError(f"{loss} has no PyTorch textbook formula: PyTorch has the loss itself")
    return formula(p)
