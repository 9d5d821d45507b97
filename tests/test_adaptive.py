"""Barron's distribution as a likelihood: log Z, the adaptive and Student's t NLLs, the
latents, the sampler, and maximum likelihood recovering the shape and the scale.

Every expected number comes from mpmath quadrature of Barron's formula written out here,
from SciPy (``scipy.stats.t``, ``scipy.special.gammaln``, ``scipy.integrate.quad``,
``scipy.stats.kstest``) or from the closed forms (log sqrt(2 pi), log(sqrt(2) pi)).
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np
import pytest

import robustloss as rl
from support.assertions import assert_close

pytest.importorskip("scipy")
import scipy.integrate
import scipy.special
import scipy.stats

ALPHAS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
SCALES = (0.1, 1.0, 10.0)


# --- Barron's formulas, in mpmath --------------------------------------------------------
def mp_rho(x: Any, alpha: Any) -> Any:
    """Barron's rho at scale 1, from the paper, with its limits at 0, 2 and inf."""
    x, a = mpmath.mpf(x), mpmath.mpf(alpha)
    if a == 0:
        return mpmath.log(x * x / 2 + 1)
    if a == 2:
        return x * x / 2
    if mpmath.isinf(a):
        return mpmath.exp(x * x / 2) - 1
    b = abs(a - 2)
    return b / a * ((x * x / b + 1) ** (a / 2) - 1)


def mp_log_z(alpha: Any) -> Any:
    """log of the integral of exp(-rho(x, alpha)) over the real line."""
    a = mpmath.mpf(alpha)
    # for alpha >= 2, rho >= x**2 / 2: nothing beyond 12 counts
    cuts = [0, 0.5, 1, 2, 4, 12] + ([] if a >= 2 else [256, mpmath.inf])
    if not mpmath.isinf(a) and 0 < abs(a - 2) < 1:
        r = mpmath.sqrt(abs(a - 2))
        cuts = sorted({*cuts, r / 4, r, 4 * r})
    return mpmath.log(2 * mpmath.quad(lambda x: mpmath.exp(-mp_rho(x, a)), cuts))


def mp_nll(x: Any, alpha: Any, scale: Any) -> Any:
    s = mpmath.mpf(scale)
    return mp_rho(mpmath.mpf(x) / s, alpha) + mpmath.log(s) + mp_log_z(alpha)


# --- log Z -------------------------------------------------------------------------------
def test_log_partition_closed_forms() -> None:
    assert rl.log_partition(2.0) == pytest.approx(math.log(math.sqrt(2 * math.pi)), abs=1e-15)
    assert rl.log_partition(0.0) == pytest.approx(math.log(math.sqrt(2) * math.pi), abs=1e-15)
    with mpmath.workdps(30):
        limit = float(mp_log_z(mpmath.inf))
    assert rl.log_partition(math.inf) == pytest.approx(limit, abs=1e-12)
    for big in (1e6, 1e12, 1e300):  # the limit is approached as 1 / alpha
        assert abs(rl.log_partition(big) - limit) < 10.0 / big + 1e-12
    assert math.isnan(rl.log_partition(-0.5))


#: alphas drawn once (seeded) over [0, 4] and log-uniformly up to 1e4, and next to 2
RANDOM_ALPHAS = [
    *np.random.default_rng(7).uniform(0.0, 4.0, 10).tolist(),
    *(10.0 ** np.random.default_rng(8).uniform(-4.0, 4.0, 8)).tolist(),
    2.0 - 1e-7,
    2.0 + 3e-5,
    1.999,
    2.01,
]


@pytest.mark.parametrize("alpha", RANDOM_ALPHAS, ids=lambda a: f"{a:.6g}")
def test_log_partition_against_fresh_quadrature(alpha: float) -> None:
    with mpmath.workdps(25):
        want = float(mp_log_z(alpha))
    assert rl.log_partition(alpha) == pytest.approx(want, abs=1e-8)


def test_log_partition_arrays_on_every_backend(backend: Any, dtype: str, xp: Any) -> None:
    if dtype not in ("float32", "float64"):
        pytest.skip("log Z is computed in the array's dtype; half types not tested")
    alphas = [0.0, 0.3, 1.0, 2.0, 2.0 + 1e-3, 5.0, 1e5, math.inf, -1.0, math.nan]
    with mpmath.workdps(25):
        want = [float(mp_log_z(a)) if a >= 0 else math.nan for a in alphas]
    a = backend.asarray(np.reshape(alphas, (2, 5)), dtype)
    got = rl.log_partition(a)
    tol = 1e-9 if dtype == "float64" else 3e-6
    assert_close(
        got, np.reshape(want, (2, 5)), rtol=tol, atol=tol, xp=xp, dtype=a.dtype, shape=(2, 5)
    )


def _mp_log_z_slope(alpha: float) -> float:
    with mpmath.workdps(25):
        return float(mpmath.diff(mp_log_z, mpmath.mpf(alpha), h=mpmath.mpf(1e-8)))


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 1.9, 2.3, 4.0, 50.0])
def test_log_partition_derivative_torch_and_jax(alpha: float) -> None:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    with mpmath.workdps(25):
        if alpha == 0.0:  # one-sided: log Z is defined for alpha >= 0 only
            want = float(mpmath.diff(mp_log_z, mpmath.mpf(0), direction=1, h=mpmath.mpf(1e-8)))
        else:
            want = _mp_log_z_slope(alpha)
    a = torch.tensor(alpha, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(rl.log_partition(a), a)
    assert float(slope) == pytest.approx(want, abs=1e-6)
    jax_slope = jax.grad(lambda b: rl.log_partition(b))(jax.numpy.asarray(alpha, dtype="float64"))
    assert float(jax_slope) == pytest.approx(want, abs=1e-6)


# --- the adaptive loss -------------------------------------------------------------------
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_the_density_integrates_to_one(alpha: float, scale: float) -> None:
    def density(x: float) -> float:
        return math.exp(-float(rl.adaptive_loss(np.asarray([x]), np.zeros(1), alpha, scale)))

    total = 0.0
    for lo, hi in ((-np.inf, -scale), (-scale, 0.0), (0.0, scale), (scale, np.inf)):
        part, _ = scipy.integrate.quad(density, lo, hi, epsabs=1e-12, epsrel=1e-11, limit=200)
        total += part
    assert total == pytest.approx(1.0, abs=1e-6)


def test_adaptive_loss_by_barrons_formula(backend: Any, dtype: str, xp: Any) -> None:
    if dtype not in ("float32", "float64"):
        pytest.skip("float32 and float64")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 3)) * 3.0
    y = rng.normal(size=(5, 3))
    alpha = np.asarray([0.0, 1.3, 2.0])
    scale = np.asarray([[0.5], [1.0], [2.0], [0.1], [7.0]])
    w = rng.uniform(0.5, 2.0, size=(5, 1))
    with mpmath.workdps(25):
        elementwise = np.asarray(
            [
                [float(mp_nll(x[i, j] - y[i, j], alpha[j], scale[i, 0])) for j in range(3)]
                for i in range(5)
            ]
        )
    want = {
        "none": elementwise * w,
        "sum": np.sum(elementwise * w),
        "mean": np.mean(elementwise * w),
        "weighted_mean": np.sum(elementwise * w) / np.sum(np.broadcast_to(w, x.shape)),
    }
    tol = 1e-9 if dtype == "float64" else 2e-5
    args = [backend.asarray(v, dtype) for v in (x, y, alpha, scale, w)]
    for reduction, value in want.items():
        got = rl.adaptive_loss(*args[:4], reduction=reduction, weight=args[4])
        assert_close(got, value, rtol=tol, atol=tol, xp=xp, what=reduction)
    # Python-number hyper-parameters: the same numbers
    got = rl.adaptive_loss(args[0], args[1], 1.3, 2.0, reduction="none")
    with mpmath.workdps(25):
        want_none = np.vectorize(lambda r: float(mp_nll(r, 1.3, 2.0)))(x - y)
    assert_close(got, want_none, rtol=tol, atol=tol, xp=xp)


def test_adaptive_loss_checks() -> None:
    x = np.zeros(3)
    with pytest.raises(ValueError, match="alpha"):
        rl.adaptive_loss(x, x, -0.5)
    with pytest.raises(ValueError, match="scale"):
        rl.adaptive_loss(x, x, 1.0, 0.0)
    with pytest.raises(ValueError, match="broadcast"):
        rl.adaptive_loss(x, x, np.ones(2))
    got = rl.adaptive_loss(x, x, np.asarray([-1.0, 1.0, 2.0]), reduction="none")
    assert np.isnan(got[0])
    assert np.all(np.isfinite(got[1:]))


def _mp_slope(x: float, alpha: float, scale: float) -> Any:
    return mpmath.diff(lambda r: mp_rho(r / scale, alpha), mpmath.mpf(x))


def test_adaptive_loss_grad_is_the_general_loss_grad() -> None:
    x = np.linspace(-5, 5, 11)
    for alpha, scale in ((0.0, 1.0), (1.5, 0.3), (2.7, 4.0)):
        got = rl.adaptive_loss_grad(x, np.zeros(11), alpha, scale, reduction="none")
        with mpmath.workdps(25):
            want = [float(_mp_slope(v, alpha, scale)) for v in x]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


# --- gradients of the NLL in input, alpha and scale --------------------------------------
POINTS = [(0.7, 0.0, 1.0), (-2.5, 0.5, 0.7), (3.0, 1.3, 2.0), (0.2, 2.6, 0.4), (-8.0, 1.0, 3.0)]


def _mp_gradient(x: float, alpha: float, scale: float) -> list[float]:
    with mpmath.workdps(30):
        f = mp_nll
        gx = mpmath.diff(lambda v: f(v, alpha, scale), mpmath.mpf(x))
        direction = 1 if alpha == 0 else 0
        ga = mpmath.diff(
            lambda a: f(x, a, scale), mpmath.mpf(alpha), h=mpmath.mpf(1e-10), direction=direction
        )
        gs = mpmath.diff(lambda s: f(x, alpha, s), mpmath.mpf(scale))
    return [float(gx), float(ga), float(gs)]


@pytest.mark.parametrize("point", POINTS, ids=str)
def test_nll_gradient_torch_against_mpmath(point: tuple[float, float, float]) -> None:
    torch = pytest.importorskip("torch")
    want = _mp_gradient(*point)
    x, a, s = (torch.tensor([v], dtype=torch.float64, requires_grad=True) for v in point)
    got = torch.autograd.grad(
        rl.adaptive_loss(x, torch.zeros(1, dtype=torch.float64), a, s), (x, a, s)
    )
    np.testing.assert_allclose([float(g) for g in got], want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("point", POINTS, ids=str)
def test_nll_gradient_jax_against_central_differences(point: tuple[float, float, float]) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy

    def nll(v: Any) -> Any:
        return rl.adaptive_loss(v[0:1], jnp.zeros(1, dtype=v.dtype), v[1:2], v[2:3])

    v = jnp.asarray(point, dtype="float64")
    got = np.asarray(jax.grad(nll)(v))
    h = 1e-6
    central = []
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        if i == 1 and point[1] == 0.0:  # one-sided at alpha = 0 (second order)
            f0, f1, f2 = (float(nll(v + k * e)) for k in (0, 1, 2))
            central.append((-3 * f0 + 4 * f1 - f2) / (2 * h))
        else:
            central.append((float(nll(v + e)) - float(nll(v - e))) / (2 * h))
    np.testing.assert_allclose(got, central, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got, _mp_gradient(*point), rtol=1e-6, atol=1e-6)


# --- Barron's properties, by autograd ----------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_barron_properties_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    dt = getattr(torch, dtype)
    x = torch.linspace(-20, 20, 401, dtype=dt)
    zero = torch.zeros_like(x)
    for alpha in (0.0, 0.5, 1.0, 2.0, 3.0):
        a = torch.full_like(x, alpha, requires_grad=True)
        s = torch.full_like(x, 1.3, requires_grad=True)
        xi = x.clone().requires_grad_(True)
        nll = rl.adaptive_loss(xi, zero, a, s, reduction="none")
        gx, ga, gs = torch.autograd.grad(nll.sum(), (xi, a, s))
        # the NLL rises with |x|: its x-derivative has the sign of x
        assert torch.all(torch.sign(gx) == torch.sign(x)), alpha
        assert torch.all(torch.isfinite(ga)), alpha  # finite at alpha = 0 and 2 too
        assert torch.all(torch.isfinite(gs)), alpha
        # the general loss alone falls as the scale grows
        c = torch.full_like(x, 1.3, requires_grad=True)
        (gc,) = torch.autograd.grad(rl.general_loss(x / c, zero, alpha, reduction="sum"), c)
        assert torch.all(gc <= 0), alpha


def _general_sum(x: Any, c: Any, alpha: float) -> Any:
    return rl.general_loss(x / c, 0.0 * x, alpha, reduction="sum")


def _adaptive_sum(x: Any, a: Any, s: Any) -> Any:
    return rl.adaptive_loss(x, 0.0 * x, a, s, reduction="sum")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_barron_properties_jax(dtype: str) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = jnp.linspace(-20, 20, 401, dtype=dtype)
    for alpha in (0.0, 0.5, 1.0, 2.0, 3.0):
        a = jnp.full(x.shape, alpha, dtype=dtype)
        s = jnp.full(x.shape, 1.3, dtype=dtype)
        gx, ga, gs = jax.grad(_adaptive_sum, argnums=(0, 1, 2))(x, a, s)
        assert bool(jnp.all(jnp.sign(gx) == jnp.sign(x))), alpha
        assert bool(jnp.all(jnp.isfinite(ga))), alpha
        assert bool(jnp.all(jnp.isfinite(gs))), alpha
        gc = jax.grad(_general_sum, argnums=1)(x, jnp.full(x.shape, 1.3, dtype=dtype), alpha)
        assert bool(jnp.all(gc <= 0)), alpha


# --- Student's t -------------------------------------------------------------------------
def test_students_t_against_scipy(backend: Any, dtype: str, xp: Any) -> None:
    if dtype not in ("float32", "float64"):
        pytest.skip("float32 and float64")
    rng = np.random.default_rng(5)
    r = rng.standard_cauchy((4, 3))
    df = np.asarray([0.5, 3.0, 40.0])
    scale = np.asarray([[0.2], [1.0], [3.0], [10.0]])
    want = -scipy.stats.t.logpdf(r, df, scale=scale)
    tol = 1e-10 if dtype == "float64" else 3e-5
    args = [backend.asarray(v, dtype) for v in (r, np.zeros_like(r), df, scale)]
    got = rl.students_t_loss(*args, reduction="none")
    assert_close(got, want, rtol=tol, atol=tol, xp=xp, shape=(4, 3))
    got = rl.students_t_loss(args[0], args[1], 3.0, 2.0, reduction="mean")
    assert_close(got, np.mean(-scipy.stats.t.logpdf(r, 3.0, scale=2.0)), rtol=tol, atol=tol)


def test_students_t_gradients_torch() -> None:
    torch = pytest.importorskip("torch")
    for r, df, s in ((0.7, 1.0, 1.0), (-3.0, 4.5, 0.5), (12.0, 0.3, 2.0)):
        x, d, c = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (r, df, s))
        got = torch.autograd.grad(
            rl.students_t_loss(x[None], torch.zeros(1, dtype=torch.float64), d, c), (x, d, c)
        )
        h = 1e-6
        f = lambda r_, d_, s_: -scipy.stats.t.logpdf(r_, d_, scale=s_)  # noqa: E731
        want = [
            (f(r + h, df, s) - f(r - h, df, s)) / (2 * h),
            (f(r, df + h, s) - f(r, df - h, s)) / (2 * h),
            (f(r, df, s + h) - f(r, df, s - h)) / (2 * h),
        ]
        np.testing.assert_allclose([float(g) for g in got], want, rtol=1e-6, atol=1e-8)


def test_log_gamma_against_scipy() -> None:
    from robustloss._likelihood.special import log_gamma

    x = np.concatenate([np.geomspace(1e-8, 1e6, 400), np.linspace(0.4, 3.0, 300), [1e15, 1e300]])
    got = log_gamma(x, np.__array_namespace__() if hasattr(np, "__array_namespace__") else np)
    want = scipy.special.gammaln(x)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=5e-15)
    assert [log_gamma(v) for v in (0.5, 4.0)] == [math.lgamma(0.5), math.lgamma(4.0)]
    torch = pytest.importorskip("torch")
    t = torch.tensor([0.1, 0.5, 1.0, 2.5, 30.0], dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(log_gamma(t, torch).sum(), t)
    np.testing.assert_allclose(slope.numpy(), scipy.special.digamma(t.detach().numpy()), rtol=1e-12)


# --- latents -----------------------------------------------------------------------------
def test_latents_round_trip_and_ranges() -> None:
    z = np.asarray([-1e4, -30.0, -1.0, 0.0, 2.0, 30.0, 1e4])
    alpha = rl.alpha_from_latent(z)
    assert np.all((alpha >= 0.001) & (alpha <= 1.999))
    np.testing.assert_allclose(alpha, 0.001 + 1.998 * scipy.special.expit(z), rtol=1e-15)
    scale = rl.scale_from_latent(z)
    np.testing.assert_allclose(scale, 1e-5 + np.logaddexp(0.0, z), rtol=1e-15)
    inner = np.asarray([0.01, 0.5, 1.0, 1.9])
    back = rl.alpha_from_latent(rl.latent_from_alpha(inner))
    np.testing.assert_allclose(back, inner, rtol=1e-13)
    s = np.asarray([1e-3, 0.5, 2.0, 1e3])
    np.testing.assert_allclose(rl.scale_from_latent(rl.latent_from_scale(s)), s, rtol=1e-12)
    assert rl.alpha_from_latent(0.0) == 1.0
    assert abs(rl.latent_from_alpha(1.0)) < 1e-15
    with pytest.raises(ValueError, match="lo"):
        rl.alpha_from_latent(0.0, lo=2.0, hi=1.0)


@pytest.mark.parametrize("library", ["torch", "jax"])
def test_latents_derivatives(library: str) -> None:
    # the derivatives of the sigmoid and the softplus, at 0 too
    z = np.asarray([-800.0, -3.0, 0.0, 0.5, 800.0])
    want_alpha = 1.998 * scipy.special.expit(z) * scipy.special.expit(-z)
    want_scale = scipy.special.expit(z)
    if library == "torch":
        torch = pytest.importorskip("torch")
        t = torch.tensor(z, requires_grad=True)
        (ga,) = torch.autograd.grad(rl.alpha_from_latent(t).sum(), t)
        (gs,) = torch.autograd.grad(rl.scale_from_latent(t).sum(), t)
        got_alpha, got_scale = ga.numpy(), gs.numpy()
    else:
        jax = pytest.importorskip("jax")
        j = jax.numpy.asarray(z)
        got_alpha = np.asarray(jax.grad(lambda v: rl.alpha_from_latent(v).sum())(j))
        got_scale = np.asarray(jax.grad(lambda v: rl.scale_from_latent(v).sum())(j))
    np.testing.assert_allclose(got_alpha, want_alpha, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(got_scale, want_scale, rtol=1e-14, atol=1e-300)


# --- the sampler -------------------------------------------------------------------------
def _cdf(alpha: float, scale: float) -> Any:
    """The CDF of Barron's distribution by SciPy quadrature of exp(-rho), normalised by
    mpmath's Z."""
    with mpmath.workdps(20):
        z = float(mpmath.exp(mp_log_z(alpha)))

    def density(t: float) -> float:
        return math.exp(-float(mp_rho(t, alpha))) / z

    def cdf(xs: Any) -> Any:
        out = []
        for x in np.atleast_1d(xs) / scale:
            part, _ = scipy.integrate.quad(density, 0.0, abs(x))
            out.append(0.5 + math.copysign(part, x))
        return np.asarray(out)

    return cdf


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 2.0, 3.5])
def test_sampler_numpy_kolmogorov_smirnov(alpha: float) -> None:
    draws = rl.sample_general(np.random.default_rng(11), (1500,), alpha, 1.7)
    assert draws.shape == (1500,)
    assert draws.dtype == np.float64
    result = scipy.stats.kstest(draws, _cdf(alpha, 1.7))
    assert result.pvalue > 1e-3, result


def test_sampler_torch_and_jax() -> None:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    first = rl.sample_general(torch.Generator().manual_seed(3), (1000,), 1.0, dtype=torch.float64)
    again = rl.sample_general(torch.Generator().manual_seed(3), (1000,), 1.0, dtype=torch.float64)
    assert torch.equal(first, again)
    assert scipy.stats.kstest(first.numpy(), _cdf(1.0, 1.0)).pvalue > 1e-3
    key = jax.random.PRNGKey(4)
    draws = rl.sample_general(key, (1000,), 0.5, 2.0, dtype="float64")
    assert np.array_equal(draws, rl.sample_general(key, (1000,), 0.5, 2.0, dtype="float64"))
    assert scipy.stats.kstest(np.asarray(draws), _cdf(0.5, 2.0)).pvalue > 1e-3
    # per-element shapes: alpha broadcasting to the shape, NaN where out of range
    alpha = np.asarray([[0.0], [2.0], [-1.0]])
    mixed = rl.sample_general(np.random.default_rng(0), (3, 4000), alpha)
    assert np.all(np.isnan(mixed[2]))
    assert np.all(np.isfinite(mixed[:2]))
    assert np.std(mixed[1]) == pytest.approx(1.0, rel=0.05)
    with pytest.raises(TypeError, match="rng"):
        rl.sample_general(7, (3,), 1.0)


# --- maximum likelihood recovers the shape and the scale ---------------------------------
CASES = [(a, s) for a in (0.5, 1.0, 1.5) for s in (0.5, 2.0)]
N = 100_000


def _data(alpha: float, scale: float, seed: int) -> np.ndarray:
    return np.asarray(rl.sample_general(np.random.default_rng(seed), (N,), alpha, scale))


def _fit_torch(data: np.ndarray) -> tuple[float, float]:
    """alpha and scale minimising the mean NLL, by PyTorch's L-BFGS on the latents."""
    import torch

    x = torch.from_numpy(data)
    zero = torch.zeros_like(x)
    la = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    ls = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([la, ls], lr=1.0, max_iter=100, line_search_fn="strong_wolfe")

    def closure() -> Any:
        opt.zero_grad()
        nll = rl.adaptive_loss(x, zero, rl.alpha_from_latent(la), rl.scale_from_latent(ls))
        nll.backward()
        return nll

    opt.step(closure)
    return float(rl.alpha_from_latent(la.detach())), float(rl.scale_from_latent(ls.detach()))


def _fit_jax(data: np.ndarray) -> tuple[float, float]:
    """alpha and scale minimising the mean NLL, by optax's L-BFGS on the latents."""
    import jax
    import optax

    x = jax.numpy.asarray(data)
    zero = jax.numpy.zeros_like(x)

    def nll(p: Any) -> Any:
        alpha, scale = rl.alpha_from_latent(p[0:1]), rl.scale_from_latent(p[1:2])
        return rl.adaptive_loss(x, zero, alpha, scale)

    opt = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(nll)

    @jax.jit
    def step(params: Any, state: Any) -> Any:
        value, grad = value_and_grad(params, state=state)
        updates, state = opt.update(grad, state, params, value=value, grad=grad, value_fn=nll)
        return optax.apply_updates(params, updates), state

    params = jax.numpy.zeros(2, dtype="float64")
    state = opt.init(params)
    for _ in range(40):
        params, state = step(params, state)
    return float(rl.alpha_from_latent(params[0])), float(rl.scale_from_latent(params[1]))


@pytest.mark.slow
@pytest.mark.parametrize("library", ["torch", "jax"])
def test_maximum_likelihood_recovers_alpha_and_scale(library: str) -> None:
    pytest.importorskip(library)
    if library == "jax":
        pytest.importorskip("optax")
    fit = _fit_torch if library == "torch" else _fit_jax
    for i, (alpha_true, scale_true) in enumerate(CASES):
        data = _data(alpha_true, scale_true, seed=i)
        alpha, scale = fit(data)
        assert abs(alpha - alpha_true) < 0.05, (alpha_true, scale_true, alpha)
        assert abs(scale / scale_true - 1) < 0.02, (alpha_true, scale_true, scale)


#: Z(n / d) to 10 digits, by Mathematica, as published with Barron's reference
#: implementation (robust_loss_pytorch, tests/distribution_test.py): (n, d, Z(n / d))
_BARRON_PARTITIONS = (
    (1, 7, 4.080330073), (1, 6, 4.038544331), (1, 5, 3.984791180), (1, 4, 3.912448576),
    (1, 3, 3.808203509), (2, 5, 3.735479786), (3, 7, 3.706553276), (1, 2, 3.638993131),
    (3, 5, 3.553489270), (2, 3, 3.501024540), (3, 4, 3.439385624), (4, 5, 3.404121259),
    (1, 1, 3.272306973), (6, 5, 3.149249092), (5, 4, 3.119044506), (4, 3, 3.068687433),
    (7, 5, 3.028084866), (3, 2, 2.965924889), (8, 5, 2.901059987), (5, 3, 2.855391798),
    (7, 4, 2.794052016), (7, 3, 2.260434598), (5, 2, 2.218882601), (8, 3, 2.190349858),
    (3, 1, 2.153202857), (4, 1, 2.101960916), (7, 2, 2.121140098), (5, 1, 2.080000512),
    (9, 2, 2.089161164), (6, 1, 2.067751267), (7, 1, 2.059929623), (8, 1, 2.054500222),
    (10, 3, 2.129863884), (11, 3, 2.113763384), (13, 3, 2.092928254), (14, 3, 2.085788350),
    (16, 3, 2.075212740), (11, 2, 2.073116001), (17, 3, 2.071185791), (13, 2, 2.063452243),
    (15, 2, 2.056990258),
)  # fmt: skip


def test_log_partition_equals_barrons_published_values() -> None:
    """Z at 41 rationals and log Z(inf) = 0.70526025442, as Barron's tests print them."""
    import robustloss

    for n, d, z in _BARRON_PARTITIONS:
        got = math.exp(robustloss.log_partition(n / d))
        assert got == pytest.approx(z, rel=1e-8, abs=0), (n, d)
    assert robustloss.log_partition(math.inf) == pytest.approx(0.70526025442, abs=1e-10)
