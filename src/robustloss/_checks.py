"""Every check of the public API, in one pass that returns the prepared call.

:func:`prepare` resolves the namespace, checks the reduction, the hyper-parameters, the
shapes and the dtypes, and casts to the working dtype, before any array work: bad input
fails fast with a message that names the offending argument, and nothing the caller
passed is modified. The loss objects and the Keras face check their configuration at
construction with the same functions (:func:`check_reduction`, :func:`check_parameters`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any, NamedTuple, cast

import array_api_compat as aac

from ._losses import LossDefinition, Parameter
from ._typing import Array, Namespace

__all__ = [
    "REDUCTIONS",
    "RESIDUAL",
    "WHAT",
    "Prepared",
    "check_hyperparameter",
    "check_parameters",
    "check_reduction",
    "is_array",
    "legacy_reduction",
    "library",
    "namespace_of",
    "prepare",
]

REDUCTIONS = ("none", "mean", "sum", "weighted_mean")
#: what a call computes: the reduced loss or its gradient (of input and target), or a
#: function of the residual, elementwise (the IRLS weight, and the norm's rho, psi and psi')
WHAT = ("value", "grad", "weight", "rho", "psi", "psi_deriv")
#: the elementwise functions of the residual (the call has no target and no reduction)
RESIDUAL = frozenset({"weight", "rho", "psi", "psi_deriv"})


class Prepared(NamedTuple):
    """One validated call: the loss, its arrays in the working dtype, and what to compute.

    A named tuple rather than a frozen dataclass: it is built on every call, and a tuple
    is built several times faster.
    """

    definition: LossDefinition
    xp: Namespace
    #: the array library behind `xp` (:func:`library`), which picks the strategy
    library: str
    input: Array
    #: None for the IRLS weights, which take the residual as `input`
    target: Array | None
    weight: Array | None
    #: hyper-parameters: Python floats, or arrays of the input's library cast to its dtype
    values: dict[str, Any]
    reduction: str
    what: str
    #: dtype of the result (promoted real floating dtype of input and target); the arrays
    #: above are in this dtype, or in float32 where it is float16 / bfloat16
    dtype: Any
    shape: tuple[int | None, ...]
    #: whether a hyper-parameter is an array (most fast paths want Python floats)
    has_array_values: bool = False
    #: the caller's mask (a boolean array broadcasting to the input), or None: elements
    #: where it is False contribute nothing (their input and target are 0 here)
    where: Array | None = None
    #: the axes reduced over, normalized (None: all of them), and whether they are kept
    axis: tuple[int, ...] | None = None
    keepdims: bool = False
    #: True where an array hyper-parameter is out of range (its entries there are replaced
    #: by the default, and the result is NaN), or None
    invalid: Array | None = None

    @property
    def plain(self) -> bool:
        """Whether the call reduces every element (or none): no mask, no axis."""
        return self.where is None and self.axis is None and not self.keepdims


# --- configuration: reduction and hyper-parameters ---------------------------------------
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
    name: str,
    value: object,
    *,
    minimum: float,
    closed: bool,
    maximum: float = math.inf,
    maximum_closed: bool = True,
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
        Upper bound of the valid range. Infinite values are valid only where `minimum` is
        ``-inf`` and `maximum` is ``inf`` (Barron's ``alpha``); NaN never is.
    maximum_closed : bool, default: True
        Whether a finite `maximum` itself is valid (a quantile ``q < 1``: not).
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    if minimum == -math.inf and maximum == math.inf:
        if v != v:  # NaN (a comparison, as below)
            raise ValueError(f"{name} must not be NaN")
        return v
    below = v <= maximum if maximum_closed else v < maximum
    # -inf < v < inf rather than math.isfinite: a comparison TorchDynamo traces on a float
    ok = -math.inf < v < math.inf and (v >= minimum if closed else v > minimum) and below
    if not ok:
        bound = ">=" if closed else ">"
        upper = "" if maximum == math.inf else f" and {'<=' if maximum_closed else '<'} {maximum:g}"
        raise ValueError(f"{name} must be finite and {bound} {minimum:g}{upper}, got {value!r}")
    return v


def _check_parameter(p: Parameter, value: object) -> Any:
    if is_array(value):  # checked against the input, and elementwise, by prepare
        return value
    return check_hyperparameter(
        p.name,
        value,
        minimum=p.minimum,
        closed=p.closed,
        maximum=p.maximum,
        maximum_closed=p.maximum_closed,
    )


def check_parameters(definition: LossDefinition, values: Mapping[str, object]) -> dict[str, Any]:
    """Check hyper-parameter values and return them (defaults filled in).

    Scalars come back as Python floats; arrays, where a parameter accepts them, come
    back unchanged (:func:`prepare` checks them against the input).
    """
    params = definition.parameters
    if len(values) != len(params) or any(p.name not in values for p in params):
        unknown = set(values) - {p.name for p in params}
        if unknown:
            raise TypeError(f"{definition.name} got unexpected parameter(s) {sorted(unknown)}")
    out = {}
    for p in params:
        v = values.get(p.name, p.default)
        # the common case at the cost of two comparisons: a float inside an open range
        # (NaN fails both); anything else is checked, and refused, in full
        out[p.name] = (
            v if type(v) is float and p.minimum < v < p.maximum else _check_parameter(p, v)
        )
    constraint = definition.constraint
    if (
        constraint is not None
        and all(type(v) is float for v in out.values())
        and not constraint(out)
    ):
        raise ValueError(f"{definition.name}: {definition.constraint_message}, got {out}")
    return out


def is_array(value: object) -> bool:
    """Whether `value` is an array (NumPy scalars such as ``np.float32(2)`` are numbers).

    Known per type once seen (an input's type is known from its checks): a dict lookup,
    which TorchDynamo traces, where array-api-compat's test is not traceable silently.
    """
    kind = _ARRAY_TYPES.get(type(value))
    if kind is None:
        numpy_scalar = type(value).__module__ == "numpy" and type(value).__name__ != "ndarray"
        kind = aac.is_array_api_obj(value) and not _is_number(value) and not numpy_scalar
        _ARRAY_TYPES[type(value)] = kind
    return kind


#: whether values of each type seen are arrays
_ARRAY_TYPES: dict[type, bool] = {float: False, int: False, bool: False, str: False}


def library(xp: Namespace) -> str:
    """Return the name of the array library behind the namespace `xp`.

    From the namespace's module name: the library itself (``numpy``, ``jax.numpy``,
    ``array_api_strict``), array-api-compat's wrapper of it (``array_api_compat.torch``),
    or a copy of array-api-compat vendored inside another package
    (``sklearn.externals.array_api_compat.numpy``) all name the same library.
    """
    # a dict by id (TorchDynamo hashes no module), not functools.lru_cache (which it
    # warns about); the namespace is kept, so that its id stays its own
    entry = _LIBRARIES.get(id(xp))
    if entry is None:
        name = str(getattr(xp, "__name__", xp))
        # a namespace for arrays array-api-compat does not cover names its library itself
        found = (
            getattr(xp, "__array_library__", None)
            or name.rpartition("array_api_compat.")[2].split(".")[0]
        )
        entry = _LIBRARIES[id(xp)] = (str(found), xp)
    return entry[0]


#: the library of each namespace seen (:func:`library`), by its id, with the namespace
_LIBRARIES: dict[int, tuple[str, Namespace]] = {}


# --- the call ----------------------------------------------------------------------------
def prepare(
    definition: LossDefinition,
    input: Array,
    target: Array | None,
    weight: object,
    reduction: str,
    xp: Namespace | None,
    params: Mapping[str, object],
    what: str = "value",
    where: object = None,
    axis: object = None,
    keepdims: object = False,
) -> Prepared:
    """Check a call of `definition` and cast its arrays to the working dtype.

    `reduction` is already canonical (:func:`check_reduction` or :func:`legacy_reduction`).
    Integer and boolean arrays are promoted to the real floating dtype of the other
    argument, or to the namespace's default real floating dtype. The caller's arrays are
    never modified; ``astype(copy=False)`` returns them unchanged when no cast is needed.
    Where `where` is given, the input and target are 0 where it is False (so that no NaN
    there reaches a value or a gradient).
    """
    values = check_parameters(definition, params)
    if not isinstance(keepdims, bool):
        raise TypeError(f"keepdims must be a bool, got {type(keepdims).__name__}")
    if (where is not None or axis is not None or keepdims) and what in RESIDUAL:
        raise TypeError("where, axis and keepdims apply to a loss and its gradient only")
    if reduction == "none" and (axis is not None or keepdims):
        raise ValueError(
            "axis and keepdims choose what a reduction reduces; reduction='none' has none"
        )
    if xp is not None:
        if not aac.is_array_api_obj(input):
            input = xp.asarray(input)
        if target is not None and not aac.is_array_api_obj(target):
            target = xp.asarray(target)
        if isinstance(weight, (list, tuple)):
            weight = xp.asarray(weight)
    try:  # what depends only on the types and dtypes is checked once per combination
        key = (
            type(input),
            input.dtype,
            type(target),
            getattr(target, "dtype", None),
            type(weight),
            getattr(weight, "dtype", None),
            xp,
        )
        types = _TYPES.get(key)
    except (AttributeError, TypeError):  # not an array, or an unhashable dtype
        key, types = None, None
    if types is None:
        types = _check_types(input, target, weight, xp)  # the shapes too, before the dtypes
        if key is not None and types.cacheable:
            _TYPES[key] = types
    else:
        _check_shapes(input, target)
    ns, lib, dtype, work = types.xp, types.library, types.dtype, types.work

    shape = tuple(input.shape) if lib != "dask" else _shape(input)
    axes = None if axis is None else _check_axis(axis, len(shape))
    w = None if weight is None else _prepare_weight(ns, weight, input, shape, work)
    mask = None if where is None else _prepare_where(ns, where, input, shape)
    arrays, invalid = False, None
    if values:
        values, arrays, invalid = _prepare_values(
            definition, ns, values, input, shape, work, types.tiny
        )
    x = input if input.dtype == work else ns.astype(input, work)
    y = target if target is None or target.dtype == work else ns.astype(target, work)
    if mask is not None:  # masked elements: a residual of 0, whatever they hold
        x = ns.where(mask, x, ns.zeros_like(x))
        y = None if y is None else ns.where(mask, y, ns.zeros_like(y))
    return Prepared(
        definition,
        ns,
        lib,
        x,
        y,
        w,
        values,
        reduction,
        what,
        dtype,
        shape,
        arrays,
        mask,
        axes,
        keepdims,
        invalid,
    )


def _check_axis(axis: object, ndim: int) -> tuple[int, ...]:
    """Return `axis` (an int or a tuple of ints) as a sorted tuple of non-negative axes."""
    items = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in items:
        if isinstance(a, bool) or not isinstance(a, int):
            raise TypeError(f"axis must be an int, a tuple of ints or None, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for an input of {ndim} dimension(s)")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"axis {axis!r} repeats an axis")
    return tuple(sorted(out))


def _prepare_where(
    ns: Namespace, where: object, input: Array, shape: tuple[int | None, ...]
) -> Array:
    """Check the mask: a boolean array of the input's library broadcasting to its shape."""
    if not is_array(where):
        raise TypeError(f"where must be a boolean array, got {type(where).__name__}")
    mask = cast(Array, where)
    _same_library(ns, "where", mask, input)
    if not ns.isdtype(mask.dtype, "bool"):
        raise TypeError(f"where must be a boolean array, got dtype {mask.dtype}")
    if not _broadcasts_to(_shape(mask), shape):
        raise ValueError(
            f"where of shape {tuple(mask.shape)} does not broadcast to the input shape "
            f"{tuple(input.shape)}"
        )
    return mask


class _Types(NamedTuple):
    """What the types and dtypes of a call's arrays determine."""

    xp: Namespace
    library: str
    #: the result dtype, and the working dtype (float32 for float16 / bfloat16)
    dtype: Any
    work: Any
    #: the smallest normal number of the working dtype
    tiny: float
    #: False where the dtype is the namespace's default (which PyTorch lets one change)
    cacheable: bool


#: the checked types of every combination seen, keyed by types, dtypes and the given xp
_TYPES: dict[tuple[Any, ...], _Types] = {}


def _check_types(
    input: Array, target: Array | None, weight: object, xp: Namespace | None
) -> _Types:
    """Resolve the namespace, check the dtypes and promote: the checks of a new combination."""
    ns = _namespace(input, target, weight, xp)
    _ARRAY_TYPES[type(input)] = True
    _check_shapes(input, target)
    named = (("input", input),) if target is None else (("input", input), ("target", target))
    floats = [dt for dt in (_real_float_dtype(ns, a, n) for n, a in named) if dt is not None]
    if floats:
        dtype = floats[0] if len(floats) == 1 else ns.result_type(*floats)
    else:
        info = ns.__array_namespace_info__()
        dtype = info.default_dtypes(device=aac.device(input))["real floating"]
    work = ns.float32 if ns.finfo(dtype).bits < 32 else dtype
    if is_array(weight):
        _real_float_dtype(ns, weight, "weight")
    tiny = float(ns.finfo(work).smallest_normal)
    return _Types(ns, library(ns), dtype, work, tiny, bool(floats))


def _check_shapes(input: Array, target: Array | None) -> None:
    """Refuse a target whose shape is not the input's (unknown Dask sizes match any)."""
    if (
        target is not None
        and target.shape != input.shape
        and not _same_shape(_shape(input), _shape(target))
    ):
        raise ValueError(
            f"input and target must have the same shape, got input "
            f"{tuple(input.shape)} and target {tuple(target.shape)}"
        )


def _prepare_weight(
    ns: Namespace, weight: object, input: Array, shape: tuple[int | None, ...], work: Any
) -> Array:
    if isinstance(weight, bool):
        raise TypeError("weight must be an array or a real number, got bool")
    if _is_number(weight):
        return ns.asarray(float(cast(Real, weight)), dtype=work, device=aac.device(input))
    if not aac.is_array_api_obj(weight):
        raise TypeError(f"weight must be an array or a real number, got {type(weight).__name__}")
    w = cast(Array, weight)
    if w.shape != shape and not _broadcasts_to(_shape(w), shape):
        raise ValueError(
            f"weight of shape {tuple(w.shape)} does not broadcast to the "
            f"input shape {tuple(input.shape)}"
        )
    return w if w.dtype == work else ns.astype(w, work)


def _prepare_values(
    definition: LossDefinition,
    ns: Namespace,
    values: dict[str, Any],
    input: Array,
    shape: tuple[int | None, ...],
    work: Any,
    tiny: float,
) -> tuple[dict[str, Any], bool, Any]:
    """Cast array hyper-parameters; refuse scalars the working dtype cannot hold.

    ``delta``, ``c`` and ``scale`` below the smallest normal number of the working dtype
    would round to 0 (or, where subnormals are flushed, behave as 0): the loss would then
    be 0/0. beta has its own rule (below the smallest normal, Smooth L1 is exactly L1).

    An array's entries are checked elementwise, without leaving the device: those out of
    range (the scalar rule, NaN included) are replaced by the default, and the mask of
    them is returned, for the result to be NaN there. Also returns whether any
    hyper-parameter is an array.
    """
    out = dict(values)
    arrays = False
    invalid = None
    for p in definition.parameters:
        v = values[p.name]
        if not isinstance(v, float):
            a = _prepare_array_value(ns, p.name, v, input, shape, work)
            ok = _in_range(ns, p, a, tiny)
            out[p.name] = ns.where(ok, a, ns.asarray(p.default, dtype=work))
            invalid = ~ok if invalid is None else invalid | ~ok
            arrays = True
        elif p.minimum == 0 and not p.closed and 0 < v < tiny:
            raise ValueError(
                f"{p.name}={v!r} is below the smallest normal number of {work} "
                f"({tiny:g}), the dtype {definition.name} is computed in"
            )
    if arrays and definition.constraint is not None:
        ok = definition.constraint(out)
        for p in definition.parameters:
            if not isinstance(out[p.name], float):
                out[p.name] = ns.where(ok, out[p.name], ns.asarray(p.default, dtype=work))
        invalid = invalid | ~ok
    return out, arrays, invalid


def _in_range(ns: Namespace, p: Parameter, v: Array, tiny: float) -> Array:
    """Where the entries of `v` satisfy the rule a scalar `p` is checked by (NaN never)."""
    if p.minimum == -math.inf and p.maximum == math.inf:
        return ~ns.isnan(v)
    ok = ns.isfinite(v)
    if p.minimum != -math.inf:
        ok = ok & ((v >= p.minimum) if p.closed else (v > p.minimum))
        if p.minimum == 0 and not p.closed:
            ok = ok & (v >= tiny)
    if p.maximum != math.inf:
        ok = ok & ((v <= p.maximum) if p.maximum_closed else (v < p.maximum))
    return ok


def _prepare_array_value(
    ns: Namespace, name: str, value: Array, input: Array, shape: tuple[int | None, ...], work: Any
) -> Array:
    """Check an array-valued hyper-parameter against the input and cast it.

    It must belong to the input's library, have a real floating (or integer) dtype and
    broadcast to the input's shape; it is cast to the working dtype, keeping autograd.
    """
    _same_library(ns, name, value, input)
    if ns.isdtype(value.dtype, "bool"):
        raise TypeError(f"{name} has boolean dtype; a hyper-parameter is a real number")
    _real_float_dtype(ns, value, name)
    if not _broadcasts_to(_shape(value), shape):
        raise ValueError(
            f"{name} of shape {tuple(value.shape)} does not broadcast to the input shape "
            f"{tuple(input.shape)}"
        )
    return ns.astype(value, work, copy=False)


def _same_library(ns: Namespace, name: str, value: Array, input: Array) -> None:
    """Refuse an array argument that is not of the input's library."""
    if type(value) is type(input):
        return
    try:
        found = aac.array_namespace(input, value)
    except TypeError as e:
        raise TypeError(
            f"{name} is a {_module_library(value)} array but input is a "
            f"{_module_library(input)} array; convert {name} to the input's library"
        ) from e
    if library(found) != library(ns):
        raise TypeError(f"{name} must be an array of the input's library")


def _is_number(value: object) -> bool:
    """Python and NumPy real scalars (``np.float32(0.5)``), which are numbers, not arrays."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _module_library(a: object) -> str:
    return type(a).__module__.split(".")[0]


def _namespace(
    input: Array, target: Array | None, weight: object, xp: Namespace | None
) -> Namespace:
    named = [("input", input)] if target is None else [("input", input), ("target", target)]
    if aac.is_array_api_obj(weight) and not _is_number(weight):
        named.append(("weight", weight))
    return namespace_of(named, xp)


def namespace_of(named: Sequence[tuple[str, object]], xp: Namespace | None) -> Namespace:
    """Return the namespace of the named arrays, or `xp` where it is one of their library.

    Raises TypeError, naming the culprit, where one is not an array, where they come from
    two libraries, or where `xp` is a namespace of another library. A namespace for arrays
    that array-api-compat does not cover (``robustloss._tensorflow``) lists the types it
    serves in ``__array_types__``; given as `xp`, it is used for arrays of those types.
    """
    if xp is not None and hasattr(xp, "__array_types__"):
        for name, a in named:
            if not isinstance(a, xp.__array_types__):
                raise TypeError(
                    f"{name} must be an array of the xp namespace ({library(xp)}), "
                    f"got {type(a).__name__}"
                )
        return xp
    for name, a in named:
        if not aac.is_array_api_obj(a):
            hint = "" if xp is None else " of the xp namespace"
            raise TypeError(f"{name} must be an array{hint}, got {type(a).__name__}")
    try:
        found: Namespace = aac.array_namespace(*(a for _, a in named))
    except TypeError as e:
        which = ", ".join(f"{name} is a {_module_library(a)} array" for name, a in named)
        raise TypeError(
            f"the arrays must come from one library, but {which}; convert them to one "
            "library first (for example with that library's asarray)"
        ) from e
    if xp is None:
        return found
    if library(xp) != library(found):
        raise TypeError(
            f"xp is a namespace of {library(xp)} ({getattr(xp, '__name__', xp)}) but the "
            f"arrays belong to {library(found)}; convert the arrays or drop xp"
        )
    # the caller's namespace as given (array-api-compat, a vendored copy of it, or an
    # Array API library itself); a bare library that is not Array API (torch) is wrapped
    return xp if hasattr(xp, "__array_api_version__") else found


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
