"""Dask: one quiet task per block, then Dask's tree reduction; nothing is computed.

``rho``, ``psi`` or the IRLS weight, times the weight, runs once per block (one task per
block instead of one per step of the composition). The sums, the division by the
denominator and the cast to the result dtype are tasks of their own. Every task runs
under NumPy's ``errstate(all="ignore")``: an overflowing value gives inf at compute time
without a warning, as on the other backends (the engine's own ``errstate`` is long gone
by then). Tasks are named after the loss (``huber_loss``, ``huber_loss-sum``, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import array_api_compat as aac

from .._checks import Prepared
from .._reduction import denominator, masked
from .._typing import Array

__all__ = ["compute"]

_SUFFIX = {
    "value": "_loss",
    "grad": "_loss_grad",
    "weight": "_weight",
    "rho": "_rho",
    "psi": "_psi",
    "psi_deriv": "_psi_deriv",
}


def compute(p: Prepared) -> Array:
    """Return the lazy result of a Dask call, one quiet task per block."""
    import dask.array as da
    import numpy as np

    paired = p.target is not None
    fn = p.definition.elementwise(p.what) if paired else p.definition.of_residual(p.what)
    name = p.definition.name + _SUFFIX[p.what]
    arrays = {k: v for k, v in p.values.items() if not isinstance(v, float)}
    scalars = {k: v for k, v in p.values.items() if k not in arrays}
    # the operands after input (and target), by name: weight, out-of-range mask, the
    # caller's mask, then the array hyper-parameters
    extras = {
        k: v
        for k, v in (("weight", p.weight), ("invalid", p.invalid), ("where", p.where))
        if v is not None
    }
    names = [*extras, *arrays]

    def block(a: Any, *more: Any) -> Any:
        if paired:
            b, more = more[0], more[1:]
            ns = aac.array_namespace(a, b)
            r = a - b
        else:
            ns, r = aac.array_namespace(a), a
        given = dict(zip(names, more, strict=True))
        out = fn(r, xp=ns, **scalars, **{k: given[k] for k in arrays})
        return masked(ns, out, given.get("invalid"), given.get("weight"), given.get("where"))

    x = p.input
    meta = x._meta
    operands = [x, *([p.target] if paired else []), *extras.values(), *arrays.values()]
    elementwise = _per_block(block, operands, x.dtype, meta, name)

    def total(a: Any, axis: tuple[int, ...] | None = None, keepdims: bool = False) -> Any:
        return da.reduction(  # type: ignore[no-untyped-call]
            a,
            _quiet(np.sum),
            _quiet(np.sum),
            axis=axis,
            keepdims=keepdims,
            dtype=a.dtype,
            name=f"{name}-sum",
        )

    def divide(a: Any, b: Any) -> Any:
        return da.map_blocks(  # type: ignore[no-untyped-call]
            _quiet(np.divide), a, b, dtype=a.dtype, meta=meta, token=f"{name}-divide"
        )

    reduced = p.what == "value" and p.reduction != "none"
    out = total(elementwise, p.axis, p.keepdims) if reduced else elementwise
    den = denominator(p, total, None if reduced else True)
    if isinstance(den, float):
        out = out / den
    elif den is not None:
        out = divide(out, den)
    dtype = p.dtype  # not `p` in the closure: Dask would hash the input graphs with it

    with np.errstate(all="ignore"):  # Dask casts its meta array, which may hold a value
        return da.map_blocks(  # type: ignore[no-untyped-call]
            _quiet(lambda a: a.astype(dtype, copy=False)),
            out,
            dtype=p.dtype,
            meta=meta,
            token=f"{name}-astype",
        )


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` under ``numpy.errstate(all="ignore")``: Dask runs it later, outside the engine."""
    import numpy as np

    def quiet(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    return quiet


def _per_block(fn: Callable[..., Any], arrays: list[Any], dtype: Any, meta: Any, name: str) -> Any:
    """``fn`` of the blocks of `arrays` (broadcast against the first), one quiet task each."""
    import dask.array as da

    # blockwise lines the trailing axes up, as broadcasting does (what da.elemwise does)
    pairs = [(a, tuple(range(a.ndim))[::-1]) for a in arrays]
    return da.blockwise(  # type: ignore[no-untyped-call]
        _quiet(fn),
        tuple(range(arrays[0].ndim))[::-1],
        *(item for pair in pairs for item in pair),
        dtype=dtype,
        meta=meta,
        token=name,
    )
