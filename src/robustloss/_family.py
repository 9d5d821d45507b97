"""The smooth and redescending members of the family: log-cosh, pseudo-Huber, Tukey.

Barron's general loss and its special cases (Cauchy, Welsch, Geman-McClure) are in
:mod:`._general`. Every ``rho`` here is accurate to a few ulp over the whole range of
its dtype, and stays finite (with finite autograd derivatives) for every finite input.
"""

from __future__ import annotations

import math

from ._definitions import LossDefinition, Parameter, constant, divided
from ._definitions import capped as _capped
from ._typing import Array, Namespace

__all__ = ["LOG_COSH", "PSEUDO_HUBER", "TUKEY"]


# --- log-cosh ----------------------------------------------------------------------------
#: where log-cosh changes form; any value in [2, 16] gives the same accuracy
_T = 8.0
_LOG2 = math.log(2.0)


def _log_cosh_rho(r: Array, *, xp: Namespace) -> Array:
    # |r| <= T: log cosh r = log1p(2 sinh(r/2)^2), free of the cancellation that makes
    # Keras' and optax's |r| + softplus(-2|r|) - log 2 return 0 below ~1e-4 in float32.
    # |r| > T: |r| - log 2 + log1p(e^-2|r|), where sinh would overflow. Each form sees an
    # argument masked to its own range, so neither overflows and autograd passes exactly
    # zero through the form not taken: no NaN, no inf * 0, and no rounding from adding a
    # cancelling pair of derivatives (which loses tanh(1e-4) in float32).
    # Both forms take |r|, so that the result is exactly even in r (XLA's sinh is not
    # exactly odd: log_cosh(-1) and log_cosh(1) differed by an ulp in float32 under jit).
    a = xp.abs(r)
    small = a <= _T
    s = xp.sinh(0.5 * xp.where(small, a, 0.0))
    b = xp.where(small, _T, a)
    return xp.where(small, xp.log1p(2.0 * s * s), (b - _LOG2) + xp.log1p(xp.exp(-2.0 * b)))


def _log_cosh_psi(r: Array, *, xp: Namespace) -> Array:
    return xp.tanh(r)


def _log_cosh_weight(r: Array, *, xp: Namespace) -> Array:
    # tanh(r) / r, accurate for every r != 0 (tanh is accurate to the last bit); 1 at 0
    zero = r == 0.0
    rs = xp.where(zero, 1.0, r)
    return xp.where(zero, 1.0, xp.tanh(rs) / rs)


LOG_COSH = LossDefinition("log_cosh", _log_cosh_rho, _log_cosh_psi, _log_cosh_weight)


# --- pseudo-Huber ------------------------------------------------------------------------
def _pseudo_huber_t(r: Array, delta: float, xp: Namespace) -> tuple[Array, Array, float]:
    """Return t = r / delta (0 where it is infinite), that mask, and delta as a limit.

    delta is any positive float: beyond the dtype it divides exactly (`divided`), and as
    the limit of psi at |r| = inf it is then inf. Each form sees t masked where it is
    infinite (|r| = inf, or a huge r over a delta below 1), so that neither inf / inf
    nor an inf * 0 in autograd occurs.
    """
    t = divided(r, delta, xp)
    inf = xp.isinf(t)
    limit = delta if delta <= float(xp.finfo(r.dtype).max) else math.inf
    return xp.where(inf, 0.0, t), inf, limit


def _pseudo_huber_rho(r: Array, *, xp: Namespace, delta: float) -> Array:
    # delta**2 (sqrt(1 + t**2) - 1) = r**2 / (hypot(t, 1) + 1): no cancellation for small
    # r (scipy.special.pseudo_huber uses an expm1/log1p form for the same reason), and
    # |r| / (hypot + 1) <= min(|r|, delta), so nothing overflows before the result does.
    # Where t is infinite it is delta |r| (delta**2 is below the last bit of it there).
    t, inf, limit = _pseudo_huber_t(r, delta, xp)
    a = xp.abs(xp.where(inf, 0.0, r))
    rho = a * (a / (xp.hypot(t, constant(1.0, t, xp)) + 1.0))
    return xp.where(inf, xp.abs(r) * limit, rho)


def _pseudo_huber_psi(r: Array, *, xp: Namespace, delta: float) -> Array:
    # delta t / sqrt(1 + t**2) = r / hypot(t, 1), and +-delta where t is infinite
    t, inf, limit = _pseudo_huber_t(r, delta, xp)
    return xp.where(
        inf, xp.sign(r) * limit, xp.where(inf, 0.0, r) / xp.hypot(t, constant(1.0, t, xp))
    )


def _pseudo_huber_weight(r: Array, *, xp: Namespace, delta: float) -> Array:
    # 1 / sqrt(1 + t**2); 0 where t is infinite (1 / |t| is below the smallest normal
    # number wherever t overflows)
    t = divided(r, delta, xp)
    return 1.0 / xp.hypot(t, constant(1.0, t, xp))


PSEUDO_HUBER = LossDefinition(
    "pseudo_huber",
    _pseudo_huber_rho,
    _pseudo_huber_psi,
    _pseudo_huber_weight,
    (Parameter("delta", 1.0),),
)


# --- Tukey's biweight --------------------------------------------------------------------
def _tukey_parts(r: Array, c: float, xp: Namespace) -> tuple[Array, Array]:
    """Return m = clip(r, -c, c) and w = 1 - (m / c)**2.

    w is ((c - a) / c) (1 + a / c), a = |m|: c - a is exact near c, where 1 - u * u loses
    every digit to the rounding of u = r / c (psi just inside c was 20% off in float32);
    c + a is never formed, so c up to the dtype's max is fine. A c below 1 is first taken
    to [0.5, 1) by a power of two (exactly), with a: c - a of a tiny c is otherwise
    subnormal, which XLA flushes to 0 (c = 6.6e-36, float32). No 1 / c**2 is formed,
    which XLA would otherwise make of (m / c) * (m / c) and overflow (NaN under jax.jit
    for c = 1e-200, float64).
    """
    k = _capped(c, r, xp)
    m = xp.clip(r, -k, k)
    a = xp.abs(m)
    if k < 1.0:
        k, exponent = math.frexp(k)
        a = a * 2.0**-exponent
    return m, ((k - a) / k) * (1.0 + a / k)


def _tukey_rho(r: Array, *, xp: Namespace, c: float) -> Array:
    # c^2/6 (1 - w^3) = m^2/6 (1 + w + w^2): exact for small r (no 1 - (1 - v)^3
    # cancellation), constant c^2/6 beyond c (w = 0), and c^2 is never formed alone
    m, w = _tukey_parts(r, c, xp)
    return (m * (m / 6.0)) * (1.0 + w * (1.0 + w))


def _tukey_weight(r: Array, *, xp: Namespace, c: float) -> Array:
    w = _tukey_parts(r, c, xp)[1]
    return w * w


def _tukey_psi(r: Array, *, xp: Namespace, c: float) -> Array:
    # clip(r, -c, c) rather than r: the same value (the weight is 0 beyond c), and no
    # inf * 0 at r = +-inf
    m, w = _tukey_parts(r, c, xp)
    return m * (w * w)


TUKEY = LossDefinition("tukey", _tukey_rho, _tukey_psi, _tukey_weight, (Parameter("c", 4.685),))
