"""The signature of a remembered call, shared by the strategies that remember calls.

A strategy that has computed a checked call can remember it (``remember``) and run the
same signature again through its ``lane`` with only the checks that depend on the arrays
(:mod:`.torch_kernels`, :mod:`.jax_jit`). What makes a call eligible, on either side, is
written once here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from .._checks import Prepared
from . import switch

__all__ = ["MAX_PLANS", "lane_values", "remembered_values", "store"]

#: the most signatures a strategy remembers (it forgets them all beyond)
MAX_PLANS = 1024


def lane_values(
    x: Any, y: Any, weight: object, xp: object, params: Mapping[str, object]
) -> tuple[float, ...] | None:
    """Return the hyper-parameter values of a call a lane may serve, or None.

    An unweighted call without ``xp`` of two arrays of one type, every hyper-parameter a
    Python float (checked before any lookup: an array does not hash, and True == 1.0),
    with the fast paths on.
    """
    if weight is not None or xp is not None or type(y) is not type(x):
        return None
    values = tuple(params.values())
    for v in values:
        if type(v) is not float:
            return None
    return cast(tuple[float, ...], values) if switch.fast_paths_enabled() else None


def remembered_values(p: Prepared, params: Mapping[str, object]) -> tuple[float, ...] | None:
    """Return the hyper-parameter values of a checked call worth remembering, or None.

    One that :func:`lane_values` would accept, whose arrays have the result's dtype (no
    cast) and no hyper-parameter is an array.
    """
    x, y = p.input, p.target
    if y is None or p.has_array_values or not (x.dtype == y.dtype == p.dtype):
        return None
    return lane_values(x, y, p.weight, None, params)


def store(plans: dict[tuple[Any, ...], Any], key: tuple[Any, ...], plan: Any) -> None:
    """Remember `plan` under `key`, forgetting every plan beyond :data:`MAX_PLANS`."""
    if len(plans) >= MAX_PLANS:
        plans.clear()
    plans[key] = plan
