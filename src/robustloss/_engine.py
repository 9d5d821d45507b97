"""The evaluation engine: one checked pass, one strategy, one cast, for every face.

:func:`evaluate` is the whole pipeline: :func:`._checks.prepare` validates the call and
casts it to the working dtype (float32 for float16 / bfloat16), :func:`._strategies.run`
computes it (a fast path where one applies, else the generic Array API composition,
:mod:`._strategies.generic`), and the result is cast back to the call's dtype. How the
elementwise result is weighted and reduced is :mod:`._reduction`'s.

A call whose signature a strategy has checked and remembered (PyTorch's native kernels,
JAX's compiled calls) runs again through that strategy's ``lane``, which keeps the checks
that depend on the arrays themselves and skips those fixed by the signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ._checks import Prepared, check_reduction, prepare
from ._losses import LossDefinition
from ._reduction import QUIET, ieee_quiet
from ._strategies import jax_jit, run, torch_kernels
from ._typing import Array, Namespace

__all__ = ["evaluate"]

#: the strategies that remember checked calls, and the lane of each array type they saw
#: (:func:`.torch_kernels.lane`, :func:`.jax_jit.lane`)
_REMEMBERING = {"torch": torch_kernels, "jax": jax_jit}
_LANES: dict[type, Callable[..., Array | None]] = {}


def evaluate(
    definition: LossDefinition,
    input: Array,
    target: Array | None,
    reduction: object,
    weight: object,
    xp: Namespace | None,
    params: Mapping[str, object],
    what: str = "value",
    where: object = None,
    axis: object = None,
    keepdims: object = False,
) -> Array:
    """Compute the loss of `definition` (``what="value"``), its gradient or its IRLS weight.

    For the IRLS weights (``what="weight"``) `input` is the residual, `target` is None and
    the result is elementwise. `where`, `axis` and `keepdims` are the caller's mask and
    reduced axes (:mod:`._reduction`).
    """
    lane = _LANES.get(type(input))
    if lane is None and torch_kernels.tracing(input):  # torch.compile checks with torch alone
        lane = torch_kernels.lane
    plain = where is None and axis is None and keepdims is False
    if lane is not None and plain:  # a signature checked before, run again (PyTorch, JAX)
        out = lane(definition, input, target, reduction, weight, xp, params, what)
        if out is not None:
            return out
    p = prepare(
        definition,
        input,
        target,
        weight,
        check_reduction(reduction),
        xp,
        params,
        what,
        where,
        axis,
        keepdims,
    )
    if p.library in QUIET:  # the cast too: float32 to float16 may overflow
        with ieee_quiet():
            return _cast(p, run(p))
    out = _cast(p, run(p))
    strategy = _REMEMBERING.get(p.library)
    if strategy is not None and xp is None and plain and strategy.remember(p, reduction, params):
        _LANES.setdefault(type(input), strategy.lane)
    return out


def _cast(p: Prepared, out: Array) -> Array:
    """`out` in the call's result dtype (it is computed in float32 for the half types)."""
    return out if out.dtype == p.dtype else p.xp.astype(out, p.dtype)
