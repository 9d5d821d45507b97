"""Namespace resolution, argument validation and dtype promotion.

Every check of the public API lives here and runs before any array work, so that bad
input fails fast with a message that names the offending argument.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from numbers import Real
from typing import Any, cast

import array_api_compat as aac

from ._typing import Array, Namespace

__all__ = [
    "Prepared",
    "check_hyperparameter",
    "check_reduction",
    "is_array",
    "legacy_reduction",
    "prepare",
    "prepare_parameter",
    "prepare_parameters",
]

REDUCTIONS = ("none", "mean", "sum", "weighted_mean")

_LIBRARY_TESTS = (
    ("numpy", aac.is_numpy_namespace),
    ("torch", aac.is_torch_namespace),
    ("jax", aac.is_jax_namespace),
    ("cupy", aac.is_cupy_namespace),
    ("dask", aac.is_dask_namespace),
    ("array_api_strict", aac.is_array_api_strict_namespace),
)


def check_reduction(reduction: object) -> str:
    """Return the canonical name of `reduction` (``None`` is ``"none"``) or raise ValueError."""
    if reduction is None:
        return "none"
    if isinstance(reduction, str) and reduction in REDUCTIONS:
        return reduction
    choices = ", ".join(repr(r) for r in REDUCTIONS)
    raise ValueError(f"reduction must be one of {choices} or None, got {reduction!r}")


def legacy_reduction(size_average: object, reduce: object, reduction: object) -> str:
    """Map PyTorch's deprecated ``size_average`` / ``reduce`` pair onto a reduction.

    Follows ``torch.nn._reduction.legacy_get_string``: when either flag is given it wins over
    `reduction`; a missing flag counts as True. Warns with a DeprecationWarning.
    """
    if size_average is None and reduce is None:
        return check_reduction(reduction)
    for name, flag in (("size_average", size_average), ("reduce", reduce)):
        if flag is not None and not isinstance(flag, bool):
            hint = f"; did you mean reduction={flag!r}?" if isinstance(flag, str) else ""
            raise TypeError(f"{name} must be a bool or None, got {flag!r}{hint}")
    warnings.warn(
        "size_average and reduce are deprecated (as in PyTorch); "
        "use reduction='none' | 'mean' | 'sum' instead",
        DeprecationWarning,
        stacklevel=3,
    )
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def check_hyperparameter(
    name: str, value: object, *, minimum: float, closed: bool, maximum: float = math.inf
) -> float:
    """Validate one real hyper-parameter and return it as a Python float.

    Parameters
    ----------
    name : str
        Name used in the error message.
    value : object
        A Python or NumPy real scalar. Booleans, arrays and complex numbers are refused.
    minimum : float
        Lower bound of the valid range.
    closed : bool
        Whether `minimum` itself is valid (``beta >= 0``) or not (``delta > 0``).
    maximum : float, default: inf
        Largest valid value. Infinite values are valid only where `minimum` is ``-inf``
        and `maximum` is ``inf`` (Barron's ``alpha``); NaN never is.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    if minimum == -math.inf and maximum == math.inf:
        if math.isnan(v):
            raise ValueError(f"{name} must not be NaN")
        return v
    ok = math.isfinite(v) and (v >= minimum if closed else v > minimum) and v <= maximum
    if not ok:
        bound = ">=" if closed else ">"
        upper = "" if maximum == math.inf else f" and <= {maximum:g}"
        raise ValueError(f"{name} must be finite and {bound} {minimum:g}{upper}, got {value!r}")
    return v


def is_array(value: object) -> bool:
    """Whether `value` is an array (NumPy scalars such as ``np.float32(2)`` are numbers)."""
    return aac.is_array_api_obj(value) and not _is_number(value)


def prepare_parameter(p: Prepared, name: str, value: Array) -> Array:
    """Check an array-valued hyper-parameter against the prepared input and cast it.

    It must belong to the input's library, have a real floating (or integer) dtype and
    broadcast to the input's shape; it is cast to the working dtype, keeping autograd.
    """
    try:
        ns = aac.array_namespace(p.input, value)
    except TypeError as e:
        lib = type(value).__module__.split(".")[0]
        raise TypeError(f"{name} is a {lib} array but input is not") from e
    if _library(ns) != _library(p.xp):
        raise TypeError(f"{name} must be an array of the input's library")
    _real_float_dtype(p.xp, value, name)
    if not _broadcasts_to(_shape(value), p.shape):
        raise ValueError(
            f"{name} of shape {tuple(value.shape)} does not broadcast to the input shape "
            f"{tuple(p.input.shape)}"
        )
    return p.xp.astype(value, p.input.dtype, copy=False)


def prepare_parameters(p: Prepared, values: dict[str, Any]) -> dict[str, Any]:
    """Return `values` with each array checked and cast by :func:`prepare_parameter`."""
    return {
        name: prepare_parameter(p, name, value) if is_array(value) else value
        for name, value in values.items()
    }


@dataclass(frozen=True)
class Prepared:
    """Validated arrays, cast to the dtype the loss is computed in."""

    xp: Namespace
    input: Array
    target: Array
    weight: Array | None
    #: dtype of the result (promoted real floating dtype of input and target); the arrays
    #: above are in this dtype, or in float32 where it is float16 / bfloat16
    dtype: Any
    shape: tuple[int | None, ...]


def _library(xp: Namespace) -> str:
    for name, test in _LIBRARY_TESTS:
        if test(xp):
            return name
    return str(getattr(xp, "__name__", xp))


def _is_number(value: object) -> bool:
    """Python and NumPy real scalars (``np.float32(0.5)``), which are numbers, not arrays."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _namespace(input: Array, target: Array, weight: object, xp: Namespace | None) -> Namespace:
    weighted = aac.is_array_api_obj(weight) and not _is_number(weight)
    arrays = [input, target] + ([weight] if weighted else [])
    for name, a in zip(("input", "target"), arrays, strict=False):
        if not aac.is_array_api_obj(a):
            hint = "" if xp is None else " of the xp namespace"
            raise TypeError(f"{name} must be an array{hint}, got {type(a).__name__}")
    try:
        found: Namespace = aac.array_namespace(*arrays)
    except TypeError as e:
        libs = sorted({type(a).__module__.split(".")[0] for a in arrays})
        raise TypeError(
            f"input, target and weight must be arrays of one library, got {', '.join(libs)}"
        ) from e
    if xp is not None and _library(xp) != _library(found):
        raise TypeError(
            f"xp is {_library(xp)} but the arrays belong to {_library(found)}; "
            "convert the arrays or drop xp"
        )
    return found


def _shape(x: Array) -> tuple[int | None, ...]:
    # Dask reports unknown chunk sizes as NaN; the standard says None.
    return tuple(None if d is None or d != d else int(d) for d in x.shape)


def _same_shape(a: tuple[int | None, ...], b: tuple[int | None, ...]) -> bool:
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )


def _broadcasts_to(w: tuple[int | None, ...], shape: tuple[int | None, ...]) -> bool:
    if len(w) > len(shape):
        return False
    tail = shape[len(shape) - len(w) :]
    return all(a in (1, None) or b is None or a == b for a, b in zip(w, tail, strict=True))


def _real_float_dtype(xp: Namespace, x: Array, name: str) -> Any | None:
    """Return x's dtype if real floating, None if it should be promoted; raise otherwise."""
    dt = x.dtype
    if xp.isdtype(dt, "real floating"):
        return dt
    if xp.isdtype(dt, "complex floating"):
        raise TypeError(f"{name} has complex dtype {dt}; robust losses are defined for reals")
    if xp.isdtype(dt, ("integral", "bool")):
        return None
    raise TypeError(f"{name} has non-numeric dtype {dt}")


def prepare(
    input: Array, target: Array, weight: object, *, xp: Namespace | None = None
) -> Prepared:
    """Resolve the namespace, check shapes and dtypes, and cast to the working dtype.

    Integer and boolean arrays are promoted to the real floating dtype of the other
    argument, or to the namespace's default real floating dtype. The caller's arrays are
    never modified; ``astype(copy=False)`` returns them unchanged when no cast is needed.
    """
    if xp is not None and not aac.is_array_api_obj(input):
        input = xp.asarray(input)
    if xp is not None and not aac.is_array_api_obj(target):
        target = xp.asarray(target)
    if xp is not None and isinstance(weight, (list, tuple)):
        weight = xp.asarray(weight)
    ns = _namespace(input, target, weight, xp)

    shape, tshape = _shape(input), _shape(target)
    if not _same_shape(shape, tshape):
        raise ValueError(
            f"input and target must have the same shape, got input {tuple(input.shape)} "
            f"and target {tuple(target.shape)}"
        )
    floats = [
        dt
        for dt in (_real_float_dtype(ns, input, "input"), _real_float_dtype(ns, target, "target"))
        if dt is not None
    ]
    device = aac.device(input)
    if floats:
        dtype = ns.result_type(*floats)
    else:
        dtype = ns.__array_namespace_info__().default_dtypes(device=device)["real floating"]
    work = ns.float32 if ns.finfo(dtype).bits < 32 else dtype

    w = None
    if weight is not None:
        if isinstance(weight, bool):
            raise TypeError("weight must be an array or a real number, got bool")
        if _is_number(weight):
            w = ns.asarray(float(cast(Real, weight)), dtype=work, device=device)
        elif aac.is_array_api_obj(weight):
            warr = cast(Array, weight)
            _real_float_dtype(ns, warr, "weight")
            if not _broadcasts_to(_shape(warr), shape):
                raise ValueError(
                    f"weight of shape {tuple(warr.shape)} does not broadcast to the "
                    f"input shape {tuple(input.shape)}"
                )
            w = ns.astype(warr, work, copy=False)
        else:
            raise TypeError(
                f"weight must be an array or a real number, got {type(weight).__name__}"
            )

    return Prepared(
        xp=ns,
        input=ns.astype(input, work, copy=False),
        target=ns.astype(target, work, copy=False),
        weight=w,
        dtype=dtype,
        shape=shape,
    )
