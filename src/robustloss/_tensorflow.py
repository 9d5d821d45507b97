"""An Array API namespace for TensorFlow tensors, as far as robustloss's code needs one.

array-api-compat does not cover TensorFlow, and ``tf.experimental.numpy`` follows NumPy
rather than the Array API standard (its ``hypot`` overflows, its promotion of Python
scalars differs), so the functions that robustloss's loss definitions, its engine and
its Keras face call on ``xp`` are written here over ``tf.math`` and ``tf.experimental.numpy``.
Python scalars combine with a tensor in the tensor's dtype, as the standard says.

It is a namespace for robustloss's own use (``xp=`` in :mod:`robustloss.keras`), not a
complete Array API implementation: no in-place updates, no ``linalg`` or ``fft``, and
devices are left to TensorFlow's placement. Importing it imports TensorFlow.
:data:`__array_types__` tells :func:`robustloss._checks.namespace_of` which arrays it
serves, and :data:`__array_library__` names the library.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import tensorflow as tf  # type: ignore[import-not-found, import-untyped, unused-ignore]
import tensorflow.experimental.numpy as tnp  # type: ignore[import-not-found, import-untyped, unused-ignore]

#: the library behind this namespace, for :func:`robustloss._checks.library`
__array_library__ = "tensorflow"
#: the array types this namespace serves (a variable reads as a tensor)
__array_types__ = (tf.Tensor, tf.Variable)

Array = Any
DType = Any

bool = tf.bool
int8, int16, int32, int64 = tf.int8, tf.int16, tf.int32, tf.int64
uint8, uint16, uint32, uint64 = tf.uint8, tf.uint16, tf.uint32, tf.uint64
float16, bfloat16, float32, float64 = tf.float16, tf.bfloat16, tf.float32, tf.float64
complex64, complex128 = tf.complex64, tf.complex128
e, pi, inf, nan = math.e, math.pi, math.inf, math.nan
newaxis = None


# --- arrays, dtypes --------------------------------------------------------------------------
def asarray(
    obj: object, /, *, dtype: DType | None = None, device: object = None, copy: object = None
) -> Array:
    """``obj`` as a tensor (a tensor as it is, cast where `dtype` says)."""
    if isinstance(obj, __array_types__):
        return obj if dtype is None or obj.dtype == dtype else tf.cast(obj, dtype)
    return tf.convert_to_tensor(obj, dtype=dtype)


def astype(
    x: Array, dtype: DType, /, *, copy: builtins.bool = True, device: object = None
) -> Array:
    """``x`` cast to `dtype` (``tf.cast`` returns `x` itself where nothing changes)."""
    return tf.cast(x, dtype)


def device(x: Array, /) -> str:
    """Return the device TensorFlow placed `x` on ("" inside a ``tf.function`` trace)."""
    return str(getattr(x, "device", ""))


class finfo_object(NamedTuple):  # noqa: N801  (the standard's name)
    """Machine limits of a floating dtype, as ``xp.finfo`` returns them."""

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: DType


def finfo(type: DType | Array, /) -> finfo_object:
    """Machine limits of a floating dtype (or of a tensor's dtype)."""
    dt = tf.as_dtype(getattr(type, "dtype", type))
    if dt == tf.bfloat16:
        import ml_dtypes  # TensorFlow's own bfloat16 type comes from it

        machine: Any = ml_dtypes.finfo
        info: Any = machine(ml_dtypes.bfloat16)
    else:
        info = np.finfo(dt.as_numpy_dtype)
    return finfo_object(
        int(info.bits),
        float(info.eps),
        float(info.max),
        float(info.min),
        float(info.smallest_normal),
        dt,
    )


def iinfo(type: DType | Array, /) -> Any:
    """Machine limits of an integer dtype (NumPy's ``iinfo``)."""
    return np.iinfo(tf.as_dtype(getattr(type, "dtype", type)).as_numpy_dtype)


_KINDS: dict[str, Callable[[Any], Any]] = {
    "bool": lambda d: d == tf.bool,
    "signed integer": lambda d: d.is_integer and not d.is_unsigned,
    "unsigned integer": lambda d: d.is_integer and d.is_unsigned,
    "integral": lambda d: d.is_integer,
    "real floating": lambda d: d.is_floating,
    "complex floating": lambda d: d.is_complex,
    "numeric": lambda d: d.is_integer or d.is_floating or d.is_complex,
}


def isdtype(dtype: DType, kind: object) -> builtins.bool:
    """Whether `dtype` is of `kind`: a kind name, a dtype, or a tuple of them."""
    if isinstance(kind, tuple):
        return builtins.any(isdtype(dtype, k) for k in kind)
    dt = tf.as_dtype(dtype)
    if isinstance(kind, str):
        return builtins.bool(_KINDS[kind](dt))
    return builtins.bool(dt == tf.as_dtype(kind))


def result_type(*arrays_and_dtypes: object) -> DType:
    """Return the promoted dtype (NumPy's table; Python scalars do not promote)."""
    dtypes = [
        tf.as_dtype(getattr(a, "dtype", a))
        for a in arrays_and_dtypes
        if not isinstance(a, (int, float, complex))
    ]
    return tf.as_dtype(np.result_type(*(d.as_numpy_dtype for d in dtypes)))


class _Info:
    """What ``xp.__array_namespace_info__()`` returns: TensorFlow's default dtypes."""

    def default_dtypes(self, *, device: object = None) -> dict[str, DType]:
        return {
            "real floating": tf.float32,
            "complex floating": tf.complex64,
            "integral": tf.int64,
            "indexing": tf.int64,
        }

    def capabilities(self) -> dict[str, object]:
        # shapes can be unknown inside a tf.function trace
        return {"boolean indexing": True, "data-dependent shapes": True}


def __array_namespace_info__() -> _Info:  # noqa: N807  (the standard's name)
    """TensorFlow's defaults, in the standard's inspection interface."""
    return _Info()


def _tensor(value: object, like: Array) -> Array:
    """`value` as a tensor; a Python scalar takes the dtype of `like`."""
    if isinstance(value, __array_types__):
        return value
    return tf.convert_to_tensor(value, dtype=like.dtype)


def _pair(x1: object, x2: object) -> tuple[Array, Array]:
    if isinstance(x1, __array_types__):
        return x1, _tensor(x2, x1)
    return _tensor(x1, x2), x2


# --- elementwise -----------------------------------------------------------------------------
abs = tf.math.abs
sign = tf.math.sign
exp = tf.math.exp
expm1 = tf.math.expm1
log = tf.math.log
log1p = tf.math.log1p
sqrt = tf.math.sqrt
sin = tf.math.sin
cos = tf.math.cos
sinh = tf.math.sinh
tanh = tf.math.tanh
atan = tf.math.atan
round = tf.math.round
isinf = tf.math.is_inf
isnan = tf.math.is_nan
isfinite = tf.math.is_finite


def log2(x: Array, /) -> Array:
    """Base-2 logarithm."""
    return tnp.log2(x)


def minimum(x1: object, x2: object, /) -> Array:
    """Elementwise minimum, broadcasting."""
    return tf.math.minimum(*_pair(x1, x2))


def maximum(x1: object, x2: object, /) -> Array:
    """Elementwise maximum, broadcasting."""
    return tf.math.maximum(*_pair(x1, x2))


def hypot(x1: object, x2: object, /) -> Array:
    """``sqrt(x1**2 + x2**2)`` without overflow: the larger one times ``sqrt(1 + q**2)``."""
    a, b = (tf.math.abs(v) for v in _pair(x1, x2))
    big, small = tf.math.maximum(a, b), tf.math.minimum(a, b)
    q = tf.math.divide_no_nan(small, big)  # 0 where both are 0
    out = big * tf.math.sqrt(1.0 + q * q)
    return tf.where(tf.math.is_inf(big), big, out)  # inf, also beside a NaN


def clip(x: Array, /, min: object = None, max: object = None) -> Array:
    """`x` clipped to ``[min, max]`` (either may be None)."""
    out = x
    if min is not None:
        out = tf.math.maximum(out, _tensor(min, x))
    if max is not None:
        out = tf.math.minimum(out, _tensor(max, x))
    return out


def where(condition: Array, x1: object, x2: object, /) -> Array:
    """`x1` where `condition`, else `x2`, broadcasting; Python scalars take the other's dtype."""
    if not isinstance(x1, __array_types__) and not isinstance(x2, __array_types__):
        x1 = tf.convert_to_tensor(x1, dtype=tf.float32 if isinstance(x1, float) else None)
    a, b = _pair(x1, x2)
    return tf.where(condition, a, b)


# --- creation --------------------------------------------------------------------------------
def zeros(
    shape: int | Sequence[int], *, dtype: DType | None = None, device: object = None
) -> Array:
    """Zeros of `shape` (float32 by default)."""
    return tf.zeros(shape, dtype=dtype or tf.float32)


def ones(shape: int | Sequence[int], *, dtype: DType | None = None, device: object = None) -> Array:
    """Ones of `shape` (float32 by default)."""
    return tf.ones(shape, dtype=dtype or tf.float32)


empty = zeros


def full(
    shape: int | Sequence[int],
    fill_value: object,
    *,
    dtype: DType | None = None,
    device: object = None,
) -> Array:
    """`fill_value` of `shape`."""
    return tf.fill(shape, tf.convert_to_tensor(fill_value, dtype=dtype))


def zeros_like(x: Array, /, *, dtype: DType | None = None, device: object = None) -> Array:
    """Zeros shaped like `x`."""
    return tf.zeros_like(x, dtype=dtype)


def ones_like(x: Array, /, *, dtype: DType | None = None, device: object = None) -> Array:
    """Ones shaped like `x`."""
    return tf.ones_like(x, dtype=dtype)


def full_like(
    x: Array, /, fill_value: object, *, dtype: DType | None = None, device: object = None
) -> Array:
    """`fill_value` shaped like `x`, in `x`'s dtype unless `dtype` says otherwise."""
    dt = x.dtype if dtype is None else dtype
    return tf.fill(tf.shape(x), tf.convert_to_tensor(fill_value, dtype=dt))


def arange(
    start: float,
    /,
    stop: float | None = None,
    step: float = 1,
    *,
    dtype: DType | None = None,
    device: object = None,
) -> Array:
    """Evenly spaced values in ``[start, stop)``."""
    if stop is None:
        start, stop = 0, start
    return tf.range(start, stop, step, dtype=dtype)


# --- shapes ----------------------------------------------------------------------------------
def reshape(x: Array, /, shape: Sequence[int], *, copy: object = None) -> Array:
    """`x` with a new shape."""
    return tf.reshape(x, shape)


def expand_dims(x: Array, /, *, axis: int = 0) -> Array:
    """`x` with a new axis of length 1 at `axis`."""
    return tf.expand_dims(x, axis)


def squeeze(x: Array, /, axis: int | tuple[int, ...]) -> Array:
    """`x` without the axes of length 1 named by `axis`."""
    return tf.squeeze(x, axis=axis)


def moveaxis(x: Array, source: int | Sequence[int], destination: int | Sequence[int], /) -> Array:
    """`x` with axes moved."""
    return tnp.moveaxis(x, source, destination)


def stack(arrays: Sequence[Array], /, *, axis: int = 0) -> Array:
    """Join arrays of one shape along a new axis."""
    return tf.stack(list(arrays), axis=axis)


def broadcast_to(x: Array, /, shape: Sequence[int]) -> Array:
    """`x` broadcast to `shape`."""
    return tf.broadcast_to(x, shape)


def broadcast_arrays(*arrays: Array) -> list[Array]:
    """Return the arrays broadcast to their common shape (raise where they do not)."""
    shape = tf.TensorShape([])
    for a in arrays:
        shape = tf.broadcast_static_shape(shape, a.shape)
    if shape.is_fully_defined():
        return [tf.broadcast_to(a, shape) for a in arrays]
    dynamic = tf.shape(arrays[0])
    for a in arrays[1:]:
        dynamic = tf.broadcast_dynamic_shape(dynamic, tf.shape(a))
    return [tf.broadcast_to(a, dynamic) for a in arrays]


def matrix_transpose(x: Array, /) -> Array:
    """`x` with its last two axes swapped."""
    return tf.linalg.matrix_transpose(x)


def matmul(x1: Array, x2: Array, /) -> Array:
    """Matrix product, batched over leading axes (NumPy's rules for 1-d operands)."""
    return tnp.matmul(x1, x2)


def take(x: Array, indices: Array, /, *, axis: int | None = None) -> Array:
    """Elements of `x` at `indices` along `axis` (of the flattened `x` where None)."""
    if axis is None:
        return tf.gather(tf.reshape(x, [-1]), indices)
    return tf.gather(x, indices, axis=axis)


def sort(
    x: Array, /, *, axis: int = -1, descending: builtins.bool = False, stable: object = True
) -> Array:
    """`x` sorted along `axis`."""
    return tf.sort(x, axis=axis, direction="DESCENDING" if descending else "ASCENDING")


def nonzero(x: Array, /) -> tuple[Array, ...]:
    """Return the indices of the nonzero elements, one array per axis."""
    found = tf.where(tf.cast(x, tf.bool))
    return tuple(found[:, i] for i in range(x.ndim))


# --- reductions ------------------------------------------------------------------------------
def sum(
    x: Array,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: DType | None = None,
    keepdims: builtins.bool = False,
) -> Array:
    """Sum over `axis` (every axis by default)."""
    if dtype is not None:
        x = tf.cast(x, dtype)
    return tf.math.reduce_sum(x, axis=axis, keepdims=keepdims)


def mean(
    x: Array, /, *, axis: int | tuple[int, ...] | None = None, keepdims: builtins.bool = False
) -> Array:
    """Mean over `axis` (every axis by default)."""
    return tf.math.reduce_mean(x, axis=axis, keepdims=keepdims)


def max(
    x: Array, /, *, axis: int | tuple[int, ...] | None = None, keepdims: builtins.bool = False
) -> Array:
    """Maximum over `axis` (every axis by default)."""
    return tf.math.reduce_max(x, axis=axis, keepdims=keepdims)


def any(
    x: Array, /, *, axis: int | tuple[int, ...] | None = None, keepdims: builtins.bool = False
) -> Array:
    """Whether any element over `axis` is true."""
    return tf.math.reduce_any(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)
