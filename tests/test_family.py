"""The robust family beyond the reference file: precision over the whole range, and
Barron's general loss in alpha (values, continuity, derivative).

(Their IRLS weights are tested in ``test_weights.py``, their objects in ``test_objects.py``.)

Expected numbers come from mpmath at high precision, SciPy, statsmodels and the closed
forms; never from robustloss.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import mpmath
import numpy as np
import pytest

import robustloss as rl
from support.oracle import mp_general

FLOATS = ["float32", "float64"]


def _ulps(got: np.ndarray, want: list[Any], dtype: str) -> float:
    """Largest error in units of the dtype's epsilon, relative, over normal results.

    Below the normal range (the true value rounds to a subnormal or 0) the result must be
    within one smallest normal of the true value.
    """
    info = np.finfo(dtype)
    worst = 0.0
    for g, w in zip(got.tolist(), want, strict=True):
        if abs(w) < info.tiny:
            assert abs(g - float(w)) <= float(info.tiny), (g, w)
            continue
        worst = max(worst, float(abs((mpmath.mpf(g) - w) / w)) / float(info.eps))
    return worst


# --- log-cosh ------------------------------------------------------------------------------
def _residual_grid(dtype: str) -> np.ndarray:
    r = np.logspace(-30, 30, 241)
    return np.concatenate([-r[::-1], [0.0], r]).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_log_cosh_is_accurate_from_1e_minus_30_to_1e30(dtype: str) -> None:
    r = _residual_grid(dtype)
    got = rl.log_cosh_loss(r, np.zeros_like(r), reduction="none")
    with mpmath.workdps(200):  # log(cosh(1e-30)) needs 60 digits to see the 1e-60
        want = [mpmath.log(mpmath.cosh(mpmath.mpf(float(v)))) for v in r]
    assert got.dtype == r.dtype
    assert _ulps(got, want, dtype) <= 2.0


@pytest.mark.parametrize("dtype", FLOATS)
def test_log_cosh_grad_is_tanh_and_finite_everywhere(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    big = float(np.finfo(dtype).max)
    r = np.concatenate([_residual_grid(dtype), np.asarray([8.0, -8.0, big, -big], dtype)])
    x = torch.tensor(r, requires_grad=True)
    out = rl.log_cosh_loss(x, torch.zeros_like(x), reduction="none")
    out.sum().backward()
    assert x.grad is not None
    assert bool(torch.isfinite(x.grad).all())
    assert bool(torch.isfinite(out).all())
    with mpmath.workdps(50):
        want = [mpmath.tanh(mpmath.mpf(float(v))) for v in r]
    assert _ulps(x.grad.numpy(), want, dtype) <= 2.0


def test_log_cosh_jax_grad_is_finite_at_the_switch_and_the_extremes() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    r = jnp.asarray([0.0, 8.0, -8.0, 1e-300, 1e300, -1.7e308])
    g = jax.grad(lambda x: rl.log_cosh_loss(x, jnp.zeros_like(x), reduction="sum"))(r)
    np.testing.assert_allclose(np.asarray(g), np.tanh(np.asarray(r)), rtol=4e-16)


def test_log_cosh_beats_keras_and_optax_in_float32() -> None:
    # Keras' and optax's log-cosh, |r| + softplus(-2|r|) - log 2, return 0 at r = 1e-4 in
    # float32; the true value is 5e-9
    optax = pytest.importorskip("optax")
    jnp = pytest.importorskip("jax.numpy")
    r = np.asarray([1e-4], np.float32)
    assert float(np.asarray(optax.log_cosh(jnp.asarray(r)))[0]) == 0.0
    ours = rl.log_cosh_loss(r, np.zeros_like(r), reduction="none")
    assert float(ours[0]) == pytest.approx(5e-9, rel=1e-6)


# --- pseudo-Huber and Tukey against SciPy and statsmodels ----------------------------------
@pytest.mark.parametrize("delta", [1e-3, 0.5, 1.0, 1e3])
def test_pseudo_huber_equals_scipy_including_tiny_residuals(delta: float) -> None:
    special = pytest.importorskip("scipy.special")
    r = np.concatenate([np.logspace(-12, 4, 200), -np.logspace(-12, 4, 200), [0.0]])
    got = rl.pseudo_huber_loss(r, np.zeros_like(r), reduction="none", delta=delta)
    np.testing.assert_allclose(got, special.pseudo_huber(delta, r), rtol=1e-13, atol=0)
    want_psi = r / np.sqrt(1 + (r / delta) ** 2)
    got_psi = rl.pseudo_huber_loss_grad(r, np.zeros_like(r), reduction="none", delta=delta)
    np.testing.assert_allclose(got_psi, want_psi, rtol=1e-14)


def test_pseudo_huber_does_not_overflow() -> None:
    # delta * |r| for |r| >> delta, where r**2 overflows
    for dtype, big in (("float32", 1e30), ("float64", 1e300)):
        r = np.asarray([big, -big], dtype)
        got = rl.pseudo_huber_loss(r, np.zeros_like(r), reduction="none", delta=2.0)
        np.testing.assert_allclose(got, [2 * big, 2 * big], rtol=1e-6)


def _tukey() -> Any:
    norms = pytest.importorskip("statsmodels.robust.norms")
    return norms.TukeyBiweight(c=4.685)


def test_tukey_equals_statsmodels() -> None:
    norm = _tukey()
    rng = np.random.default_rng(3)
    r = np.concatenate([rng.normal(0, 4, 500), [0.0, 4.685, -4.685, 10.0, -1e6]])
    z = np.zeros_like(r)
    # statsmodels' 1 - (1 - v)**3 cancels for small r (2e-12 relative at r = 0.03)
    np.testing.assert_allclose(rl.tukey_loss(r, z, reduction="none"), norm.rho(r), rtol=1e-10)
    np.testing.assert_allclose(
        rl.tukey_loss_grad(r, z, reduction="none"), norm.psi(r), rtol=1e-12, atol=1e-300
    )


def test_tukey_is_accurate_for_tiny_residuals_where_statsmodels_cancels() -> None:
    r = np.asarray([1e-10, 1e-5])
    got = rl.tukey_loss(r, np.zeros(2), reduction="none")
    c = mpmath.mpf(4.685)
    with mpmath.workdps(60):
        want = [c**2 / 6 * (1 - (1 - (mpmath.mpf(v) / c) ** 2) ** 3) for v in r]
    assert _ulps(got, want, "float64") <= 4


# --- Barron's general loss -----------------------------------------------------------------
def _mp_general_dalpha(t: Any, alpha: float) -> Any:
    """d rho / d alpha by hand (alpha = 0: the limit, evaluated at alpha = 1e-80)."""
    x = t * t
    a = mpmath.mpf(alpha) if alpha != 0 else mpmath.mpf("1e-80")
    b = abs(a - 2)
    db = -1 if a < 2 else 1
    p = (1 + x / b) ** (a / 2)
    dlogp = mpmath.log1p(x / b) / 2 - (a / 2) * (x / b**2) * db / (1 + x / b)
    return (db * a - b) / a**2 * (p - 1) + (b / a) * p * dlogp


ALPHAS = [2.0, 1.0, 0.0, -2.0, -math.inf, math.inf, 0.5, -0.5, 1e-9, -1e-9, 1.999, 3.0, -10.0]
T = np.concatenate([-np.logspace(-4, 1.4, 19), [0.0], np.logspace(-4, 1.4, 19)])


@pytest.mark.parametrize("as_array", [False, True], ids=["float_alpha", "array_alpha"])
@pytest.mark.parametrize("alpha", ALPHAS)
def test_general_loss_against_mpmath(alpha: float, as_array: bool) -> None:
    t = T if alpha != math.inf else T[np.abs(T) < 30]  # exp(t**2 / 2) overflows beyond
    a: Any = np.full(t.shape, alpha) if as_array else alpha
    got = rl.general_loss(t, np.zeros_like(t), a, reduction="none")
    with mpmath.workdps(400):
        want = [mp_general(mpmath.mpf(float(v)), alpha) for v in t]
    # the closed forms are good to a few ulp, except exp(t**2 / 2) - 1 whose relative
    # condition number is t**2 / 2 (up to 450 here); the general form to a few ulp times
    # its exponent |alpha / 2 log1p(t**2 / b)|, the conditioning of the power
    if alpha == math.inf:
        allowed = 4 + 2 * float(np.max(t * t / 2))
    else:
        allowed = 4 if alpha in (2, 0, -2, -math.inf) else 64
    assert _ulps(got, want, "float64") <= allowed


@pytest.mark.parametrize("alpha", [2.0, 1.0, 0.0, -2.0])
def test_general_loss_is_continuous_in_alpha(alpha: float) -> None:
    t = np.asarray([0.1, 1.0, 3.0, 30.0])
    z = np.zeros_like(t)
    at = rl.general_loss(t, z, alpha, reduction="none")
    for eps in (1e-6, -1e-6, 1e-9, -1e-9):
        near = rl.general_loss(t, z, alpha + eps, reduction="none")
        # |d rho / d alpha| <= ~t**2 log terms here (log-singular at alpha = 2)
        np.testing.assert_allclose(near, at, rtol=1e3 * abs(eps) * (1 + abs(math.log(abs(eps)))))


def test_general_loss_tends_to_welsch_and_exp_for_extreme_alpha() -> None:
    t = np.asarray([0.1, 1.0, 3.0])
    z = np.zeros_like(t)
    np.testing.assert_allclose(
        rl.general_loss(t, z, -1e12, reduction="none"), -np.expm1(-0.5 * t * t), rtol=1e-9
    )
    np.testing.assert_allclose(
        rl.general_loss(t, z, 1e12, reduction="none"), np.expm1(0.5 * t * t), rtol=1e-9
    )


def test_general_loss_special_cases_are_the_named_losses() -> None:
    r = np.random.default_rng(5).normal(0, 3, 50)
    z = np.zeros_like(r)
    for alpha, named in ((0.0, rl.cauchy_loss), (-2.0, rl.geman_mcclure_loss)):
        for a in (alpha, np.full(r.shape, alpha)):
            np.testing.assert_allclose(
                rl.general_loss(r, z, a, scale=1.5), named(r, z, scale=1.5), rtol=1e-14
            )
    np.testing.assert_allclose(
        rl.general_loss(r, z, -math.inf, scale=0.5), rl.welsch_loss(r, z, scale=0.5), rtol=1e-15
    )
    # alpha = 1 is pseudo-Huber with delta = scale, divided by scale**2
    np.testing.assert_allclose(
        rl.general_loss(r, z, 1.0, scale=2.0),
        rl.pseudo_huber_loss(r, z, delta=2.0) / 4.0,
        rtol=1e-14,
    )


ALPHA_GRAD = [0.0, 1e-10, -1e-6, -0.5, 1.0, 1.5, -2.0, 3.0, -7.0]


def _dalpha_want(t: np.ndarray, alpha: float) -> np.ndarray:
    with mpmath.workdps(300):
        return np.asarray([float(_mp_general_dalpha(mpmath.mpf(float(v)), alpha)) for v in t])


def _check_dalpha(got: np.ndarray, t: np.ndarray, alpha: float) -> None:
    want = _dalpha_want(t, alpha)
    # relative, and absolute against the size of the loss (the alpha-derivative of tiny
    # residuals is a difference of terms of that size)
    loss = rl.general_loss(t, np.zeros_like(t), alpha, reduction="none")
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-13 * float(np.max(loss)))


@pytest.mark.parametrize("alpha", ALPHA_GRAD)
def test_general_loss_alpha_gradient_torch(alpha: float) -> None:
    torch = pytest.importorskip("torch")
    t = np.asarray([0.0, 1e-3, 0.5, 1.0, 2.0, 3.0, 100.0, 1e8])
    a = torch.full((t.size,), alpha, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(t)
    rl.general_loss(x, torch.zeros_like(x), a, reduction="sum").backward()
    assert a.grad is not None
    _check_dalpha(a.grad.numpy(), t, alpha)


@pytest.mark.parametrize("alpha", ALPHA_GRAD)
def test_general_loss_alpha_gradient_jax(alpha: float) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    t = np.asarray([0.0, 1e-3, 0.5, 1.0, 3.0, 100.0])
    x = jnp.asarray(t)

    def f(a: Any) -> Any:
        return rl.general_loss(x, jnp.zeros_like(x), a, reduction="sum")

    g = jax.jit(jax.grad(f))(jnp.full(t.shape, alpha))
    _check_dalpha(np.asarray(g), t, alpha)


def test_general_loss_per_channel_alpha_broadcasts_and_trains() -> None:
    torch = pytest.importorskip("torch")
    x = torch.tensor([[0.5, 3.0, -2.0], [1.0, -0.1, 8.0]], dtype=torch.float64)
    alpha = torch.tensor([2.0, 0.0, -math.inf], dtype=torch.float64, requires_grad=True)
    out = rl.general_loss(x, torch.zeros_like(x), alpha, reduction="none")
    t = x.numpy()
    with mpmath.workdps(50):
        want = [
            [
                float(mp_general(mpmath.mpf(float(v)), a))
                for v, a in zip(row, (2, 0, -math.inf), strict=True)
            ]
            for row in t
        ]
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-15)
    out.sum().backward()
    assert alpha.grad is not None
    assert torch.isfinite(alpha.grad).all()
    assert alpha.grad[1] != 0  # alpha = 0: the derivative exists and is used


def test_general_loss_alpha_in_float32_keeps_the_input_dtype() -> None:
    x = np.asarray([1.0, 2.0], np.float32)
    out = rl.general_loss(x, np.zeros_like(x), np.asarray([0.0, 1.0]), reduction="none")
    assert out.dtype == np.float32


def test_general_loss_rejects_bad_alpha_and_scale() -> None:
    x = np.ones(3)
    with pytest.raises(ValueError, match="alpha must not be NaN"):
        rl.general_loss(x, x, math.nan)
    with pytest.raises(ValueError, match="alpha of shape"):
        rl.general_loss(x, x, np.ones(2))
    with pytest.raises(TypeError, match="alpha"):
        rl.general_loss(x, x, "0")
    with pytest.raises(ValueError, match="scale"):
        rl.general_loss(x, x, 1.0, scale=0.0)
    alphas = np.ones(3)
    held = rl.GeneralLoss(alpha=alphas)  # an object may hold an array: equal by identity
    assert held.alpha is alphas
    assert held == held
    assert held != rl.GeneralLoss(alpha=alphas)
    assert hash(held) == id(held)
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="alpha"):
        rl.general_loss(x, x, torch.ones(3))
    with pytest.raises(TypeError, match="alpha"):
        rl.general_loss(x, x, np.asarray(["a", "b", "c"]))


def test_no_warning_for_extreme_residuals() -> None:
    big = np.asarray([1e308, -1e308, 0.0, 1e-308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (rl.log_cosh_loss, rl.pseudo_huber_loss, rl.tukey_loss, rl.cauchy_loss):
            assert np.isfinite(f(big, np.zeros(4), reduction="none")).all(), f
        for f in (rl.welsch_loss, rl.geman_mcclure_loss):
            assert np.isfinite(f(big, np.zeros(4), reduction="none")).all(), f
        for alpha in (-3.0, 0.0, 0.5, 1.0):
            assert np.isfinite(rl.general_loss(big, np.zeros(4), alpha, reduction="none")).all()
