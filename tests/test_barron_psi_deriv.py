"""psi' (d psi / dr, statsmodels' ``psi_deriv``) of Barron's general loss, against mpmath.

With t = r / scale, x = t**2 and b = |alpha - 2|, psi' = g(t) / scale**2 with::

    g = (1 + x / b) ** (alpha / 2 - 2) (1 + (alpha - 1) x / b)

and its limits 1 (alpha = 2), exp(-x / 2) (1 - x) (-inf) and exp(x / 2) (1 + x) (+inf). The
expected numbers are that formula in mpmath at 50 digits, never robustloss's.

Errors are in units of the dtype's epsilon, relative to |psi'| plus, for alpha < 1 (where
g crosses 0, at x = b / (1 - alpha)), the size of the terms that cancel there: the weight
(1 + x / b) ** (alpha / 2 - 1) / scale**2 times (1 + |alpha - 1| y) / (1 + y), y = x / b
(at most 2 / scale**2, about eps / scale**2 near the root, where a relative error means
nothing). The closed forms (alpha = 2, 1, 0, -2, +-inf) are good to a few eps; the general
form to a few eps plus at most |p| eps, p = alpha / 2 - 1: the rounding of log1p and log (of
arguments of order 1) times the power p.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustloss._engine import evaluate
from robustloss._losses import CAUCHY, GEMAN_MCCLURE, GENERAL, WELSCH

DTYPES = ["float32", "float64"]
#: exactly representable in both dtypes
ALPHAS = [2.0, 1.0, 0.5, 0.0, -2.0, -3.5, -math.inf, math.inf, 4.0, 50.0, -50.0]
SCALES = {
    "float32": [1e-30, 1e-10, 0.3, 1.0, 7.0, 1e10, 1e30],
    "float64": [1e-300, 1e-150, 1e-30, 1e-5, 0.3, 1.0, 7.0, 1e5, 1e30, 1e150, 1e300],
}
CLOSED = (2.0, 1.0, 0.0, -2.0, -math.inf, math.inf)


def _tolerance(alpha: float) -> float:
    """Allowed error in eps: a few for the closed forms, 4 + |p| for the general one."""
    if alpha in CLOSED:
        return 6.0
    return 4.0 + abs(alpha / 2 - 1)


def _scale(scale: float, dtype: str) -> float:
    """The scale as the dtype holds it (the reference uses that value)."""
    return float(np.asarray(scale, dtype))


# --- the reference -------------------------------------------------------------------------
def _mp_terms(t: Any, alpha: float) -> tuple[Any, Any]:
    """Return g(t) and the size of the terms that cancel in it (0 where none do)."""
    x = t * t
    if alpha == 2:
        return mpmath.mpf(1), mpmath.mpf(0)
    if alpha == -math.inf:
        w = mpmath.exp(-x / 2)
        return w * (1 - x), w * (1 + x)
    if alpha == math.inf:
        return mpmath.exp(x / 2) * (1 + x), mpmath.mpf(0)
    a = mpmath.mpf(alpha)
    b = abs(a - 2)
    y = x / b
    w = (1 + y) ** (a / 2 - 1)  # the IRLS weight, in units of 1 / scale**2
    g = w * (1 + (a - 1) * y) / (1 + y)
    return g, (w * (1 + abs(a - 1) * y) / (1 + y) if alpha < 1 else mpmath.mpf(0))


def _errors(
    got: np.ndarray, r: np.ndarray, alpha: Any, scale: float, dtype: str
) -> tuple[float, float]:
    """Return the largest error in eps and the residual where it is.

    The result is also checked where it leaves the dtype: inf of the right sign where the
    true value overflows, within two smallest normal numbers of it where it underflows.
    """
    info = np.finfo(dtype)
    eps, tiny, big = float(info.eps), float(info.tiny), float(info.max)
    alphas = np.broadcast_to(np.asarray(alpha, np.float64), r.shape)
    worst, where = 0.0, math.nan
    with mpmath.workdps(50):
        s = mpmath.mpf(scale)
        for g, ri, ai in zip(got.tolist(), r.tolist(), alphas.tolist(), strict=True):
            assert not math.isnan(g), f"NaN at r={ri}, alpha={ai}, scale={scale}"
            if math.isinf(ri):
                continue
            value, terms = _mp_terms(mpmath.mpf(ri) / s, ai)
            want, floor = value / (s * s), terms / (s * s)
            if abs(want) > big * (1 - 8 * eps):  # overflows, or rounds to its edge
                assert math.isinf(g) or abs(g) >= big * (1 - 16 * eps), (ri, g, want)
                if math.isinf(g):
                    assert (g > 0) == (want > 0), (ri, g, want)
                continue
            if abs(want) < 64 * tiny:  # subnormal, or near it: within two tiny
                assert abs(g - want) <= 2 * tiny, (ri, g, want)
                continue
            err = float(abs(mpmath.mpf(g) - want) / (abs(want) + floor)) / eps
            if err > worst:
                worst, where = err, ri
    return worst, where


def _grid(scale: float, dtype: str) -> np.ndarray:
    """0, +-|r| over the whole finite range, and r = scale t for t from 1e-4 to 1e4."""
    info = np.finfo(dtype)
    whole = np.exp(np.linspace(math.log(float(info.tiny)), math.log(float(info.max)) - 1e-9, 90))
    local = scale * np.concatenate([np.geomspace(1e-4, 1e4, 60), np.linspace(0.5, 3.0, 12)])
    with np.errstate(over="ignore"):
        r = np.concatenate([[0.0], whole, local]).astype(dtype)
    r = r[np.isfinite(r)]
    return np.concatenate([r, -r[1:]])


def _psi_deriv(definition: Any, r: Any, **params: Any) -> Any:
    return evaluate(definition, r, None, "none", None, None, params, "psi_deriv")


# --- NumPy, float32 and float64, a Python-float and an array alpha --------------------------
@pytest.mark.parametrize("as_array", [False, True], ids=["float_alpha", "array_alpha"])
@pytest.mark.parametrize("alpha", ALPHAS, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_against_mpmath_over_the_whole_range(dtype: str, alpha: float, as_array: bool) -> None:
    for scale in SCALES[dtype]:
        scale = _scale(scale, dtype)
        r = _grid(scale, dtype)
        a: Any = np.full(r.shape, alpha, dtype) if as_array else alpha
        got = _psi_deriv(GENERAL, r, alpha=a, scale=scale)
        assert got.dtype == r.dtype
        assert got.shape == r.shape
        worst, where = _errors(got, r, alpha, scale, dtype)
        assert worst <= _tolerance(alpha), f"{worst:.1f} eps at r={where}, scale={scale}"


@settings(max_examples=40)
@given(data=st.data())
def test_against_mpmath_anywhere(data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
    width = 32 if dtype == "float32" else 64
    info = np.finfo(dtype)
    exponent = st.floats(math.log(float(info.tiny)), math.log(float(info.max) / 2))
    scale = _scale(math.exp(data.draw(exponent, label="log scale")), dtype)
    alpha = data.draw(st.sampled_from(ALPHAS), label="alpha")
    finite = st.floats(allow_nan=False, allow_infinity=False, width=width)
    near = st.floats(-50.0, 50.0, width=width).map(lambda t: t * scale)
    values = data.draw(st.lists(finite | near, min_size=1, max_size=12), label="r")
    with np.errstate(over="ignore"):
        r = np.asarray(values, np.float64).astype(dtype)
    r = np.where(np.isfinite(r), r, 0.0).astype(dtype)
    for a in (alpha, np.full(r.shape, alpha, dtype)):
        got = _psi_deriv(GENERAL, r, alpha=a, scale=scale)
        worst, where = _errors(got, r, alpha, scale, dtype)
        assert worst <= _tolerance(alpha), f"{worst:.1f} eps at r={where}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_array_alpha_elementwise_and_broadcast(dtype: str) -> None:
    # one alpha per residual, every special value among them, and a column of alphas
    # broadcast along the residuals: the numbers of the Python-float path
    scale = _scale(0.3, dtype)
    r = _grid(scale, dtype)
    alphas = np.resize(np.asarray(ALPHAS, dtype), r.shape)
    got = _psi_deriv(GENERAL, r, alpha=alphas, scale=scale)
    worst, where = _errors(got, r, alphas, scale, dtype)
    assert worst <= max(_tolerance(a) for a in ALPHAS), f"{worst:.1f} eps at r={where}"
    column = np.asarray(ALPHAS, dtype)[:, None]
    table = _psi_deriv(
        GENERAL, np.broadcast_to(r, (len(ALPHAS), r.size)).copy(), alpha=column, scale=scale
    )
    for i, alpha in enumerate(ALPHAS):
        each = _psi_deriv(GENERAL, r, alpha=np.full(r.shape, alpha, dtype), scale=scale)
        np.testing.assert_array_equal(table[i], each, err_msg=f"alpha={alpha}")


# --- exact properties ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_even_exact_at_zero_and_limits_at_infinity(dtype: str) -> None:
    for scale in SCALES[dtype]:
        scale = _scale(scale, dtype)
        r = _grid(scale, dtype)
        r = r[r > 0]
        try:  # 1 / scale**2, correctly rounded to the dtype
            exact = float(Fraction(1) / Fraction(scale) ** 2)
        except OverflowError:
            exact = math.inf
        with np.errstate(over="ignore"):
            at_zero = float(np.asarray(exact, dtype))
        for alpha in ALPHAS:
            for a in (alpha, np.full(r.size + 3, alpha, dtype)):
                x = np.concatenate([[0.0, np.inf, -np.inf], r]).astype(dtype)
                got = _psi_deriv(GENERAL, x, alpha=a, scale=scale)
                mirrored = _psi_deriv(GENERAL, -x, alpha=a, scale=scale)
                np.testing.assert_array_equal(got, mirrored, err_msg=f"{alpha}, {scale}")
                assert got[0] == at_zero, (alpha, scale, got[0], at_zero)
                limit = 0.0 if alpha < 2 else (at_zero if alpha == 2 else math.inf)
                assert got[1] == got[2] == limit, (alpha, scale, got[1:3])


@pytest.mark.parametrize(
    ("definition", "alpha"),
    [(CAUCHY, 0.0), (GEMAN_MCCLURE, -2.0), (WELSCH, -math.inf)],
    ids=["cauchy", "geman_mcclure", "welsch"],
)
@pytest.mark.parametrize("dtype", DTYPES)
def test_named_cases_are_the_general_loss(definition: Any, alpha: float, dtype: str) -> None:
    for scale in (SCALES[dtype][0], 0.3, 7.0, SCALES[dtype][-1]):
        scale = _scale(scale, dtype)
        r = _grid(scale, dtype)
        named = _psi_deriv(definition, r, scale=scale)
        np.testing.assert_array_equal(named, _psi_deriv(GENERAL, r, alpha=alpha, scale=scale))


def test_huge_alpha_is_finite_and_close() -> None:
    # |alpha| far beyond 50: the rounding of log1p(y) times |p L| (up to 745) dominates
    r = _grid(1.0, "float64")
    for alpha in (-1e4, 1e4, -1e12, 1e12):
        got = _psi_deriv(GENERAL, r, alpha=alpha, scale=1.0)
        assert not np.isnan(got).any()
        worst, where = _errors(got, r, alpha, 1.0, "float64")
        assert worst <= 8 + 745 / 2, f"{worst:.1f} eps at r={where}"


# --- other libraries -----------------------------------------------------------------------
def _close(got: np.ndarray, want: np.ndarray, alphas: np.ndarray, dtype: str, what: str) -> None:
    """Equal but for the tolerance each side of mpmath; values below the smallest normal
    number may be flushed to 0 (XLA)."""
    info = np.finfo(dtype)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=what)
    inf = np.isinf(want) | np.isinf(got)
    np.testing.assert_array_equal(got[inf], want[inf], err_msg=what)
    g, w = got[~inf].astype(np.float64), want[~inf].astype(np.float64)
    tol = np.asarray([_tolerance(a) for a in alphas[~inf].tolist()])
    bad = np.abs(g - w) > 2 * tol * float(info.eps) * np.abs(w) + 4 * float(info.tiny)
    assert not bad.any(), f"{what}: {g[bad][:4]} != {w[bad][:4]} at alpha {alphas[~inf][bad][:4]}"


def _away_from_roots(r: np.ndarray, alphas: np.ndarray, scale: float) -> np.ndarray:
    """Where psi' is good to a few eps relative: not within 25% of a root of g in t**2."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        t2 = (r.astype(np.float64) / scale) ** 2
        root = np.where(alphas == -np.inf, 1.0, np.abs(alphas - 2) / (1 - alphas))
        return (alphas >= 1) | ~(np.abs(t2 / root - 1) <= 0.25)


def _every_alpha(scale: float, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """The grid once per alpha, and the alpha of each residual (away from the roots)."""
    r = _grid(scale, dtype)
    rs = np.tile(r, len(ALPHAS))
    alphas = np.repeat(np.asarray(ALPHAS), r.size)
    keep = _away_from_roots(rs, alphas, scale)
    return rs[keep], alphas[keep].astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_and_jax_jit_equal_numpy(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    for scale in (SCALES[dtype][0], 0.3, SCALES[dtype][-1]):
        scale = _scale(scale, dtype)
        r, alphas = _every_alpha(scale, dtype)
        want = _psi_deriv(GENERAL, r, alpha=alphas, scale=scale)
        got = _psi_deriv(GENERAL, torch.asarray(r), alpha=torch.asarray(alphas), scale=scale)
        assert got.dtype == getattr(torch, dtype)
        _close(got.numpy(), want, alphas, dtype, f"torch, scale {scale}")
        got_j = _jitted(jax, scale)(jnp.asarray(r), jnp.asarray(alphas))
        assert got_j.dtype == r.dtype
        _close(np.asarray(got_j), want, alphas, dtype, f"jax, scale {scale}")
        for alpha in ALPHAS:  # a Python float: the closed forms
            on = alphas == alpha
            want = _psi_deriv(GENERAL, r[on], alpha=alpha, scale=scale)
            got = _psi_deriv(GENERAL, torch.asarray(r[on]), alpha=alpha, scale=scale).numpy()
            _close(got, want, alphas[on], dtype, f"torch, alpha {alpha}, scale {scale}")
            if scale == 0.3:
                got_j = _jitted(jax, scale)(jnp.asarray(r[on]), alpha)
                _close(np.asarray(got_j), want, alphas[on], dtype, f"jax, alpha {alpha}")


def _jitted(jax: Any, scale: float, grad: bool = False) -> Any:
    """psi' (or the gradient of its sum) of r and alpha under jax.jit, alpha static if a float."""

    def f(r: Any, alpha: Any) -> Any:
        return _psi_deriv(GENERAL, r, alpha=alpha, scale=scale)

    def total(r: Any, alpha: Any) -> Any:
        return f(r, alpha).sum()

    g = jax.grad(total) if grad else f
    return lambda r, alpha: (
        jax.jit(g)(r, alpha) if hasattr(alpha, "shape") else jax.jit(g, static_argnums=1)(r, alpha)
    )


def test_dask_is_lazy_and_equals_numpy() -> None:
    da = pytest.importorskip("dask.array")
    r = _grid(0.3, "float64")
    for alpha in (0.5, -2.0, -math.inf):
        lazy = _psi_deriv(GENERAL, da.from_array(r, chunks=64), alpha=alpha, scale=0.3)
        assert isinstance(lazy, da.Array)
        got = lazy.compute(scheduler="synchronous")
        np.testing.assert_array_equal(got, _psi_deriv(GENERAL, r, alpha=alpha, scale=0.3))


# --- autograd ------------------------------------------------------------------------------
def _mp_slope(t: Any, alpha: float) -> Any:
    """dg / dt."""
    x = t * t
    if alpha == 2:
        return mpmath.mpf(0)
    if alpha == -math.inf:
        return -t * mpmath.exp(-x / 2) * (3 - x)
    if alpha == math.inf:
        return t * mpmath.exp(x / 2) * (3 + x)
    a = mpmath.mpf(alpha)
    b, p = abs(a - 2), a / 2 - 1
    y = x / b
    return (2 * t / b) * (1 + y) ** (p - 2) * ((p - 1) * (1 + (a - 1) * y) + (a - 1) * (1 + y))


def _torch_grad(torch: Any, r: np.ndarray, alpha: Any, scale: float) -> np.ndarray:
    x = torch.asarray(r).requires_grad_(True)
    a = torch.asarray(alpha) if isinstance(alpha, np.ndarray) else alpha
    (g,) = torch.autograd.grad(_psi_deriv(GENERAL, x, alpha=a, scale=scale).sum(), x)
    return np.asarray(g.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_autograd_is_finite(dtype: str) -> None:
    """torch.autograd and jax.grad of psi': no NaN from an untaken branch, and finite
    wherever psi' and its derivative are well inside the dtype (up to 1e-4 of its largest
    number: nearer, the cotangents of the compensation terms may overflow)."""
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    limit = 1e-4 * float(np.finfo(dtype).max)
    for scale in SCALES[dtype]:
        scale = _scale(scale, dtype)
        r = np.concatenate([[0.0, np.inf, -np.inf], _grid(scale, dtype)]).astype(dtype)
        with mpmath.workdps(30):
            s = mpmath.mpf(scale)
            size = {}
            for alpha in ALPHAS:
                size[alpha] = np.asarray(
                    [
                        0.0
                        if math.isinf(v)
                        else max(
                            abs(float(_mp_terms(mpmath.mpf(v) / s, alpha)[0] / s**2)),
                            abs(float(_mp_slope(mpmath.mpf(v) / s, alpha) / s**3)),
                        )
                        for v in r.tolist()
                    ]
                )
        for alpha in ALPHAS:
            inside = size[alpha] < limit
            for a in (alpha, np.full(r.shape, alpha, dtype)):
                grad = _torch_grad(torch, r, a, scale)
                assert np.isfinite(grad[inside]).all(), (
                    alpha,
                    scale,
                    r[inside][~np.isfinite(grad[inside])],
                )
        if scale == 0.3:
            alphas = np.repeat(np.asarray(ALPHAS, dtype), r.size)
            rs = np.tile(r, len(ALPHAS))
            grad = np.asarray(
                _jitted(jax, scale, grad=True)(jax.numpy.asarray(rs), jax.numpy.asarray(alphas))
            )
            inside = np.concatenate([size[a] < limit for a in ALPHAS])
            assert np.isfinite(grad[inside]).all()


@pytest.mark.parametrize("alpha", ALPHAS, ids=str)
def test_autograd_is_the_derivative(alpha: float) -> None:
    """d psi' / dr by torch.autograd is mpmath's at moderate scales (where psi' is far from
    the dtype's limits; at extreme scales cancelling cotangents may underflow)."""
    torch = pytest.importorskip("torch")
    for dtype in DTYPES:
        eps, tiny = float(np.finfo(dtype).eps), float(np.finfo(dtype).tiny)
        for scale in (0.3, 7.0):
            scale = _scale(scale, dtype)
            r = scale * np.concatenate([[0.0], np.linspace(-40, 40, 161)])
            r = r.astype(dtype)
            with mpmath.workdps(30):
                s = mpmath.mpf(scale)
                want = [_mp_slope(mpmath.mpf(v) / s, alpha) / s**3 for v in r.tolist()]
                value = [_mp_terms(mpmath.mpf(v) / s, alpha)[0] / s**2 for v in r.tolist()]
            want_f = np.asarray([float(w) for w in want])
            # the derivative of a value good to a few eps: a few eps of psi' / |r|, and of
            # the slope (the condition number of psi'' in r is its own)
            size = np.asarray([float(abs(v)) for v in value]) / np.maximum(np.abs(r), scale)
            big = np.abs(want_f) > 1e-4 * float(np.finfo(dtype).max)
            for a in (alpha, np.full(r.shape, alpha, dtype)):
                grad = _torch_grad(torch, r, a, scale)
                err = np.abs(grad - want_f)
                tol = 64 * _tolerance(alpha) * eps * (np.abs(want_f) + 8 * size) + 4 * tiny
                bad = (err > tol) & ~big
                assert not bad.any(), (dtype, scale, r[bad][:3], grad[bad][:3], want_f[bad][:3])
