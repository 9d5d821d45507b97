"""log Z as a public function, and the reparametrisations Barron learns alpha and scale by.

An unconstrained latent ``a`` gives ``alpha = lo + (hi - lo) sigmoid(a)`` and an
unconstrained ``s`` gives ``scale = lo + softplus(s)`` (Barron's ``AdaptiveLossFunction``
with its defaults ``alpha_lo = 0.001``, ``alpha_hi = 1.999``, ``scale_lo = 1e-5``); the
inverses give the latent of an initial value. Each takes a Python number (and returns a
float) or an array (and returns one of its library, on its device, differentiable).
"""

from __future__ import annotations

import math
from typing import Any

import array_api_compat as aac

from .._checks import is_array
from .._typing import Array, Namespace
from .special import log_partition_of, log_partition_value

__all__ = [
    "alpha_from_latent",
    "latent_from_alpha",
    "latent_from_scale",
    "log_partition",
    "scale_from_latent",
]


def _namespace(x: Any, xp: Namespace | None) -> tuple[Any, Namespace | None]:
    """(x as a float or an array, its namespace or None for a number)."""
    if is_array(x):
        return x, (aac.array_namespace(x) if xp is None else xp)
    if xp is not None and isinstance(x, (list, tuple)):
        return xp.asarray(x), xp
    return float(x), None


def _float(x: Array, xp: Namespace) -> Array:
    """X in a real floating dtype (integers promoted to the default one)."""
    if xp.isdtype(x.dtype, "real floating"):
        return x
    info = xp.__array_namespace_info__()
    return xp.astype(x, info.default_dtypes(device=aac.device(x))["real floating"])


def log_partition(alpha: float | Array, *, xp: Namespace | None = None) -> float | Array:
    """Return log Z(alpha), the log-normaliser of Barron's distribution at scale 1.

    ``Z(alpha) = integral of exp(-general(x, alpha)) dx`` over the real line, finite for
    alpha >= 0: ``log sqrt(2 pi)`` at alpha = 2 (Gaussian), ``log(sqrt(2) pi)`` at 0
    (Cauchy), ``log(integral of exp(1 - exp(x**2 / 2)) dx) = 0.70526...`` as alpha -> inf.
    :func:`adaptive_loss` adds it to the general loss.

    Computed from a table of mpmath quadratures (``tools/partition_table.py``) by a
    cubic Hermite interpolant whose knots crowd towards alpha = 0 (below 1, in
    ``asinh(alpha / 0.001)``) and towards alpha = 2 (above 1, in ``asinh((t - 1/2) /
    eps)``, ``t = alpha / (alpha + 2)``, which reaches alpha = inf at t = 1). At 2, log Z
    behaves as ``(alpha - 2) log|alpha - 2| / 4``, a term added in closed form. Within
    1e-8 of the quadrature for every alpha >= 0 (6e-9 at most, float64), branch-free and
    differentiable in alpha (its derivative is -inf at 2; autograd gives that of the
    smooth part there, and the one-sided derivative at 0).

    Parameters
    ----------
    alpha : float or array
        Shape parameter, >= 0 (inf allowed); NaN where it is below 0.
    xp : namespace, optional
        Array API namespace of `alpha` (detected by default; a list is converted with it).

    Returns
    -------
    float or array
        A Python float for a number; otherwise an array of alpha's library, dtype
        (integers promoted to the default real floating dtype) and device.

    See Also
    --------
    adaptive_loss, sample_general

    Examples
    --------
    >>> import math
    >>> from robustloss import log_partition
    >>> log_partition(2.0) - math.log(math.sqrt(2 * math.pi))
    0.0
    >>> round(log_partition(1.0), 9)
    1.185495232
    >>> import numpy as np
    >>> log_partition(np.asarray([0.0, 2.0]))
    array([1.49130348, 0.91893853])
    """
    a, ns = _namespace(alpha, xp)
    if ns is None:
        return log_partition_value(a)
    return log_partition_of(_float(a, ns), ns)


def alpha_from_latent(
    latent: float | Array, lo: float = 0.001, hi: float = 1.999, *, xp: Namespace | None = None
) -> float | Array:
    """Return ``alpha = lo + (hi - lo) sigmoid(latent)``, in (lo, hi) for every latent.

    Barron's parametrisation of a learned shape (his defaults: alpha in (0.001, 1.999)).
    The sigmoid is evaluated without overflow for any latent.

    Parameters
    ----------
    latent : float or array
        Unconstrained latent values.
    lo, hi : float, default: 0.001, 1.999
        The range of alpha (``0 <= lo < hi``).
    xp : namespace, optional
        Array API namespace of `latent` (detected by default).

    Returns
    -------
    float or array
        A float for a number, else an array like `latent`.

    Examples
    --------
    >>> from robustloss import alpha_from_latent, latent_from_alpha
    >>> alpha_from_latent(0.0)
    1.0
    >>> round(alpha_from_latent(latent_from_alpha(0.25)), 12)
    0.25
    """
    _check_range(lo, hi)
    x, ns = _namespace(latent, xp)
    if ns is None:
        e = math.exp(-abs(x))
        return lo + (hi - lo) * (1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e))
    x = _float(x, ns)
    # each side on its own masked argument (exp never overflows), so that autograd's
    # derivative is the sigmoid's everywhere, at 0 too (through |x| it would be 0 there)
    up = ns.exp(-ns.where(x >= 0.0, x, 0.0))
    down = ns.exp(ns.where(x >= 0.0, 0.0, x))
    return lo + (hi - lo) * ns.where(x >= 0.0, 1.0 / (1.0 + up), down / (1.0 + down))


def latent_from_alpha(
    alpha: float | Array, lo: float = 0.001, hi: float = 1.999, *, xp: Namespace | None = None
) -> float | Array:
    """Return the latent of `alpha`: the inverse of :func:`alpha_from_latent`.

    ``logit((alpha - lo) / (hi - lo))``; +-inf at lo and hi, NaN outside.

    Parameters
    ----------
    alpha : float or array
        Values in [lo, hi].
    lo, hi : float, default: 0.001, 1.999
        The range of alpha.
    xp : namespace, optional
        Array API namespace of `alpha` (detected by default).

    Returns
    -------
    float or array
        A float for a number, else an array like `alpha`.

    Examples
    --------
    >>> from robustloss import latent_from_alpha
    >>> abs(latent_from_alpha(1.0)) < 1e-15  # the middle of (0.001, 1.999)
    True
    """
    _check_range(lo, hi)
    a, ns = _namespace(alpha, xp)
    if ns is None:
        p = (a - lo) / (hi - lo)
        if not 0.0 <= p <= 1.0:
            return math.nan
        if p in (0.0, 1.0):
            return math.copysign(math.inf, p - 0.5)
        return math.log(p) - math.log1p(-p)
    p = (_float(a, ns) - lo) / (hi - lo)
    return ns.log(p) - ns.log1p(-p)


def scale_from_latent(
    latent: float | Array, lo: float = 1e-5, *, xp: Namespace | None = None
) -> float | Array:
    """Return ``scale = lo + softplus(latent)``, above `lo` for every latent.

    Barron's parametrisation of a learned scale; ``softplus(x) = log(1 + exp(x))``,
    evaluated as ``x + log1p(exp(-x))`` above 0 (no overflow).

    Parameters
    ----------
    latent : float or array
        Unconstrained latent values.
    lo : float, default: 1e-5
        The smallest scale (``>= 0``).
    xp : namespace, optional
        Array API namespace of `latent` (detected by default).

    Returns
    -------
    float or array
        A float for a number, else an array like `latent`.

    Examples
    --------
    >>> from robustloss import latent_from_scale, scale_from_latent
    >>> round(scale_from_latent(0.0, lo=0.0), 12)  # log 2
    0.69314718056
    >>> round(scale_from_latent(latent_from_scale(2.5)), 12)
    2.5
    """
    _check_lo(lo)
    x, ns = _namespace(latent, xp)
    if ns is None:
        return lo + max(x, 0.0) + math.log1p(math.exp(-abs(x)))
    x = _float(x, ns)
    above = x > 0.0  # x + log1p(exp(-x)) above 0, log1p(exp(x)) below: no overflow
    up = ns.where(above, x, 0.0)
    down = ns.where(above, 0.0, x)
    return lo + ns.where(above, up + ns.log1p(ns.exp(-up)), ns.log1p(ns.exp(down)))


def latent_from_scale(
    scale: float | Array, lo: float = 1e-5, *, xp: Namespace | None = None
) -> float | Array:
    """Return the latent of `scale`: the inverse of :func:`scale_from_latent`.

    ``y + log(-expm1(-y))`` with ``y = scale - lo`` (the inverse softplus, without
    cancellation); -inf at ``scale = lo``, NaN below.

    Parameters
    ----------
    scale : float or array
        Values above `lo`.
    lo : float, default: 1e-5
        The smallest scale.
    xp : namespace, optional
        Array API namespace of `scale` (detected by default).

    Returns
    -------
    float or array
        A float for a number, else an array like `scale`.

    Examples
    --------
    >>> from robustloss import latent_from_scale
    >>> round(latent_from_scale(1.0 + 1e-5), 12)  # log(e - 1)
    0.541324854612
    """
    _check_lo(lo)
    s, ns = _namespace(scale, xp)
    if ns is None:
        y = s - lo
        if not y >= 0.0:
            return math.nan
        return -math.inf if y == 0.0 else y + math.log(-math.expm1(-y))
    y = _float(s, ns) - lo
    return y + ns.log(-ns.expm1(-y))


def _check_range(lo: float, hi: float) -> None:
    if not (math.isfinite(lo) and math.isfinite(hi) and 0.0 <= lo < hi):
        raise ValueError(f"lo and hi must be finite with 0 <= lo < hi, got {lo!r} and {hi!r}")


def _check_lo(lo: float) -> None:
    if not (math.isfinite(lo) and lo >= 0.0):
        raise ValueError(f"lo must be finite and >= 0, got {lo!r}")
