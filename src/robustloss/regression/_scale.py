"""Scale estimators of residuals, batched along an axis: the normalised MAD and Huber's proposal 2.

Both are statsmodels' (``statsmodels.robust.scale.mad`` and ``HuberScale``), computed with
Array API operations on the residuals' library and device. Huber's iteration runs a fixed
number of steps with each problem frozen once it has converged, so it gives statsmodels'
answer without a host synchronisation (under ``jax.jit`` and lazily on Dask too).
"""

from __future__ import annotations

import importlib
import math
import operator
from numbers import Integral, Real

import array_api_compat as aac

from .._checks import check_hyperparameter, library, namespace_of
from .._typing import Array, Namespace

__all__ = [
    "GAUSSIAN_3_4",
    "as_float",
    "check_count",
    "check_iterations",
    "huber_scale",
    "huber_scale_of_last_axis",
    "mad",
    "median",
]

#: the normal distribution's third quartile: the MAD of a standard normal sample
GAUSSIAN_3_4 = 0.6744897501960817


def as_float(x: Array, xp: Namespace, name: str) -> Array:
    """Return `x` in a real floating dtype (integers and booleans promoted to the default)."""
    if xp.isdtype(x.dtype, "real floating"):
        return x
    if xp.isdtype(x.dtype, ("integral", "bool")):
        info = xp.__array_namespace_info__()
        default = info.default_dtypes(device=aac.device(x))["real floating"]
        return xp.astype(x, default)
    kind = "complex" if xp.isdtype(x.dtype, "complex floating") else "non-numeric"
    raise TypeError(f"{name} has {kind} dtype {x.dtype}; a real array is needed")


def median(x: Array, xp: Namespace, *, nan_check: bool = True) -> Array:
    """Return the median along the last axis (NaN where a NaN is in the way, NaN if empty).

    Without `nan_check`, a slice holding a NaN has an unspecified median (the IRLS loop
    has no use for the pass that finds them: a NaN there makes the whole problem NaN).

    Of an even count, the mean of the two middle values as ``numpy.median`` computes it.
    On Dask, each block (whole along the last axis) is sorted by NumPy, lazily.
    """
    if library(xp) == "dask":
        import array_api_compat.numpy as np_xp

        x = x.rechunk({x.ndim - 1: -1})
        return x.map_blocks(
            lambda b: median(b, np_xp, nan_check=nan_check), drop_axis=x.ndim - 1, dtype=x.dtype
        )
    n = x.shape[-1]
    if n == 0:
        return xp.full(x.shape[:-1], math.nan, dtype=x.dtype, device=aac.device(x))
    k = n // 2
    if library(xp) in ("numpy", "cupy"):  # selection in linear time, not a sort
        s = importlib.import_module(library(xp)).partition(x, k, axis=-1)
        low = xp.max(s[..., :k], axis=-1) if n % 2 == 0 else None
    else:
        s = xp.sort(x, axis=-1)
        low = s[..., k - 1]
    mid = s[..., k] if n % 2 else (low + s[..., k]) / 2
    if not nan_check:
        return mid
    top = xp.max(x, axis=-1)  # NaN where the slice holds one
    return xp.where(xp.isnan(top), top, mid)


def _last(x: Array, axis: object, xp: Namespace) -> Array:
    """`x` with `axis` moved last (flattened first where `axis` is None)."""
    if axis is None:
        return xp.reshape(x, (-1,))
    if isinstance(axis, bool) or not isinstance(axis, Integral):
        raise TypeError(f"axis must be an int or None, got {type(axis).__name__} {axis!r}")
    if not -x.ndim <= operator.index(axis) < x.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of {x.ndim} dimension(s)")
    last = operator.index(axis) % x.ndim
    return x if last == x.ndim - 1 else xp.moveaxis(x, last, -1)


def _restore(out: Array, x: Array, axis: object, keepdims: bool, xp: Namespace) -> Array:
    """`out` (the axis reduced) with the axis kept as length 1 where `keepdims`."""
    if not keepdims:
        return out
    if axis is None:
        return xp.reshape(out, (1,) * x.ndim)
    return xp.expand_dims(out, axis=int(axis) % x.ndim)  # type: ignore[call-overload]


def _center(center: object) -> float | None:
    """None for the median, else the centre as a float."""
    if isinstance(center, str):
        if center != "median":
            raise ValueError(f"center must be 'median' or a number, got {center!r}")
        return None
    return check_hyperparameter("center", center, minimum=-math.inf, closed=True, maximum=math.inf)


def mad(
    x: Array,
    axis: int | None = -1,
    *,
    center: str | float = "median",
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    """Return the normalised median absolute deviation along `axis`.

    ``median(|x - center|) / 0.6745`` (the divisor is the standard normal's third
    quartile, so that the MAD of a normal sample estimates its standard deviation), as
    ``statsmodels.robust.scale.mad`` computes it.

    Parameters
    ----------
    x : array
        The values, of any Array API library; integers are promoted to the library's
        default real floating dtype.
    axis : int or None, default: -1
        The axis along which to compute (None: all values). Unlike statsmodels, whose
        default is 0, the last axis: the observations are on the last axis, as in
        :func:`fit`'s ``y`` of shape ``[..., n]``.
    center : "median" or float, default: "median"
        The centre: the median along `axis` (statsmodels' default), or a number
        (``center=0`` is the MAD ``statsmodels.api.RLM`` scales its residuals with).
    keepdims : bool, default: False
        Keep the reduced axis with length 1.
    xp : namespace, optional
        The Array API namespace of `x` (found from `x` when not given).

    Returns
    -------
    array
        The scale of each slice along `axis`, in `x`'s library, dtype and device; NaN where
        a slice is empty or holds a NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.regression import mad
    >>> x = np.asarray([[1.0, 2.0, 3.0, 4.0, 100.0], [0.0, 0.0, 1.0, -1.0, 2.0]])
    >>> mad(x)  # median |x - median| = 1 in each row, over 0.6745
    array([1.48260222, 1.48260222])
    >>> mad(x, center=0.0)
    array([4.44780665, 1.48260222])
    """
    ns = namespace_of([("x", x)], xp)
    c = _center(center)
    if not isinstance(keepdims, bool):
        raise TypeError(f"keepdims must be a bool, got {type(keepdims).__name__}")
    x = as_float(x, ns, "x")
    v = _last(x, axis, ns)
    mid = median(v, ns)[..., None] if c is None else c
    return _restore(median(ns.abs(v - mid) / GAUSSIAN_3_4, ns), x, axis, keepdims, ns)


def _huber_h(d: float, dof_fraction: float) -> float:
    """Return the consistency constant of Huber's proposal 2, times ``df_resid / nobs``."""
    cdf = 0.5 * math.erfc(-d / math.sqrt(2.0))
    return dof_fraction * (
        d**2 + (1 - d**2) * cdf - 0.5 - d / math.sqrt(2 * math.pi) * math.exp(-0.5 * d**2)
    )


def check_count(name: str, value: object, minimum: int) -> int:
    """Return `value` as an int, refusing anything but an int >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_iterations(maxiter: object, tol: object) -> tuple[int, float]:
    check_count("maxiter", maxiter, 1)
    if isinstance(tol, bool) or not isinstance(tol, Real) or not 0 <= float(tol) < math.inf:
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    return int(maxiter), float(tol)  # type: ignore[call-overload]


def huber_scale(
    x: Array,
    axis: int | None = -1,
    *,
    d: float = 2.5,
    tol: float = 1e-8,
    maxiter: int = 30,
    ddof: int = 0,
    keepdims: bool = False,
    xp: Namespace | None = None,
) -> Array:
    r"""Return Huber's proposal 2 scale of the residuals along `axis`.

    The fixed point of ``s**2 = sum(chi(x / s)) * s**2 / (n * h)`` with
    ``chi(u) = min(u**2, d**2) / 2`` and ``h = (n - ddof) / n * (d**2 + (1 - d**2) Phi(d)
    - 1/2 - d phi(d))`` (the value that makes it consistent at the normal), iterated from
    the MAD about the median until two steps differ by at most `tol` or `maxiter` - 1
    steps were taken: ``statsmodels.robust.scale.HuberScale(d, tol, maxiter)(n - ddof, n,
    x)``, the scale ``RLM(...).fit(scale_est=HuberScale())`` uses with ``ddof`` the number
    of regressors.

    Parameters
    ----------
    x : array
        The residuals, of any Array API library.
    axis : int or None, default: -1
        The axis along which to compute (None: all values).
    d : float, default: 2.5
        Huber's tuning constant of the scale (> 0).
    tol : float, default: 1e-8
        Stop where two successive scales differ by at most `tol`.
    maxiter : int, default: 30
        At most ``maxiter - 1`` steps (statsmodels' count). Every slice runs them all,
        frozen once it has converged: no host synchronisation.
    ddof : int, default: 0
        Degrees of freedom used up by the fit (``n - ddof`` is statsmodels' ``df_resid``).
    keepdims : bool, default: False
        Keep the reduced axis with length 1.
    xp : namespace, optional
        The Array API namespace of `x`.

    Returns
    -------
    array
        The scale of each slice, in `x`'s library, dtype and device.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.regression import huber_scale
    >>> r = np.asarray([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 30.0])
    >>> float(huber_scale(r))  # statsmodels' HuberScale()(8, 8, r); the std is 9.99
    2.5843979387
    """
    ns = namespace_of([("x", x)], xp)
    dv = check_hyperparameter("d", d, minimum=0.0, closed=False)
    steps, tolerance = check_iterations(maxiter, tol)
    dof = check_count("ddof", ddof, 0)
    if not isinstance(keepdims, bool):
        raise TypeError(f"keepdims must be a bool, got {type(keepdims).__name__}")
    x = as_float(x, ns, "x")
    v = _last(x, axis, ns)
    n = v.shape[-1]
    if n is None or n != n:
        raise ValueError("huber_scale needs the length of the axis (Dask: compute chunk sizes)")
    if n <= dof:
        raise ValueError(f"huber_scale needs more than ddof = {dof} values, got {n}")
    return _restore(
        huber_scale_of_last_axis(v, dv, tolerance, steps, dof, ns), x, axis, keepdims, ns
    )


def huber_scale_of_last_axis(
    v: Array, d: float, tol: float, maxiter: int, ddof: int, xp: Namespace
) -> Array:
    """Huber's proposal 2 along the last axis, checked arguments."""
    n = v.shape[-1]
    factor = 1 / (n * _huber_h(d, (n - ddof) / n))
    mid = median(v, xp)[..., None]
    s = median(xp.abs(v - mid) / GAUSSIAN_3_4, xp)
    previous = xp.full_like(s, math.inf)
    active = xp.ones(s.shape, dtype=xp.bool, device=aac.device(v))
    for _ in range(1, maxiter):
        active = active & (xp.abs(previous - s) > tol)
        u = v / s[..., None]
        chi = xp.where(xp.abs(u) < d, u**2 / 2, d**2 / 2)
        new = xp.sqrt(factor * xp.sum(chi, axis=-1) * s**2)
        previous = xp.where(active, s, previous)
        s = xp.where(active, new, s)
    return s
