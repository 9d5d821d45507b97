"""The loss objects as statsmodels norms: rho, psi, psi_deriv and weights of a residual.

Each equals its peer library in float64 to 1e-12 relative on random and edge residuals:
statsmodels' norms (all four functions), SciPy's ``least_squares`` loss triple (rho, rho',
rho'' of z = r**2) and scikit-learn's pinball and epsilon-insensitive losses. Where the
peer's own formula cancels (1 - (1 - u**2)**3 near 0, 1 - (1 + y) e**-y), its absolute
rounding, a few ulp of its largest value, is allowed too; mpmath (test_psi_deriv.py and
the property tests) judges robustloss's own accuracy there. A norm from ``as_norm()``
fits statsmodels' RLM exactly as statsmodels' own norm does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import robustloss as rl
from support.cases import CASES, NAMES, Case, make_object
from support.matrix import Backend

norms = pytest.importorskip("statsmodels.robust.norms")

#: residuals z = target - input: random, on the breaks of every norm here, 0 and huge
_RNG = np.random.default_rng(2026)
Z = np.concatenate(
    [
        _RNG.normal(0, 3, 400),
        _RNG.standard_cauchy(100),
        [0.0, 1e-300, -1e-12, 1.0, -2.0, 4.0, -8.0, 1.345, 2.69, 4.685, 1e6, -1e300],
    ]
)
#: what each function is compared at: 1e-12 relative, plus the peer's rounding of its sums
RTOL = 1e-12


def _close(got: Any, want: Any, what: str) -> None:
    """Equal where the peer gives a number (its z**2 overflows at z = 1e300: NaN there)."""
    want = np.asarray(want, np.float64)
    ok = ~np.isnan(want)
    big = float(np.max(np.abs(want[np.isfinite(want)]), initial=0.0))
    np.testing.assert_allclose(
        np.asarray(got)[ok], want[ok], rtol=RTOL, atol=8 * 2.0**-52 * big, err_msg=what
    )


def _norm(make: Callable[[], Any]) -> Any:
    """statsmodels' norm, or a skip where the installed statsmodels lacks it (TukeyQuartic
    is recent)."""
    try:
        return make()
    except AttributeError as e:
        pytest.skip(f"statsmodels {e}")


#: (our object, statsmodels' norm, factor: ours = factor * theirs)
STATSMODELS: list[tuple[str, Callable[[], Any], Callable[[], Any], float]] = [
    ("huber", lambda: rl.HuberLoss(delta=1.345), lambda: norms.HuberT(t=1.345), 1.0),
    ("tukey", lambda: rl.TukeyLoss(c=4.685), lambda: norms.TukeyBiweight(c=4.685), 1.0),
    ("hampel", lambda: rl.HampelLoss(), lambda: norms.Hampel(), 1.0),
    ("hampel-b=c", lambda: rl.HampelLoss(a=1.0, b=3.0, c=3.0), lambda: norms.Hampel(1, 3, 3), 1.0),
    ("andrews_wave", lambda: rl.AndrewsWaveLoss(), lambda: norms.AndrewWave(), 1.0),
    ("ramsay_e", lambda: rl.RamsayELoss(), lambda: norms.RamsayE(), 1.0),
    ("trimmed", lambda: rl.TrimmedLoss(c=2.0), lambda: norms.TrimmedMean(c=2.0), 1.0),
    ("tukey_quartic", lambda: rl.TukeyQuarticLoss(), lambda: norms.TukeyQuartic(), 1.0),
    (
        "huber_quantile",
        lambda: rl.HuberQuantileLoss(q=0.8, delta=1.345),
        lambda: norms.MQuantileNorm(0.8, norms.HuberT(t=1.345)),
        1.0,
    ),
    (
        "expectile",  # statsmodels' base norm is z**2 / 2
        lambda: rl.ExpectileLoss(q=0.2),
        lambda: norms.MQuantileNorm(0.2, norms.LeastSquares()),
        2.0,
    ),
    ("mse", lambda: rl.MSELoss(), lambda: norms.LeastSquares(), 2.0),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "factor"), STATSMODELS, ids=lambda v: v)
def test_equals_statsmodels(name: str, ours: Any, theirs: Any, factor: float) -> None:
    loss, norm = ours(), _norm(theirs)
    for what in ("rho", "psi", "psi_deriv", "weights"):
        got = getattr(loss, what)(Z)
        with np.errstate(over="ignore", invalid="ignore"):  # the peer's z**2 at 1e300
            want = factor * np.asarray(getattr(norm, what)(Z), np.float64)
        if what == "weights" and name == "mse":
            want = np.full_like(Z, 2.0)  # LeastSquares.weights is 1: psi / z of z**2
        _close(got, want, f"{name} {what}")


def test_equals_scipy_least_squares_arctan() -> None:
    # SciPy: cost 0.5 C**2 rho(f**2 / C**2), rho(z) = arctan(z); our rho = C**2 / 2 rho(z),
    # psi = f rho'(z), psi' = rho'(z) + 2 z rho''(z)
    lsq = pytest.importorskip("scipy.optimize._lsq.least_squares")
    for c in (0.5, 1.0, 3.0):
        with np.errstate(over="ignore", invalid="ignore"):  # z**2 at 1e300: inf
            z = (Z / c) ** 2
            out = np.empty((3, Z.size))
            lsq.arctan(z, out, cost_only=False)
        loss = rl.ArctanLoss(scale=c)
        _close(loss.rho(Z), 0.5 * c * c * out[0], "rho")
        _close(loss.psi(Z), Z * out[1], "psi")
        _close(loss.psi_deriv(Z), out[1] + 2 * z * out[2], "psi'")
        _close(loss.weights(Z), out[1], "weights")


def test_arctan_fits_like_scipy_least_squares() -> None:
    # SciPy's robust fit of a line with loss='arctan' minimises sum(arctan_loss(f, scale))
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(3)
    t = np.linspace(0, 10, 60)
    y = 2.0 + 0.5 * t + rng.normal(0, 0.1, t.size)
    y[::7] += 8.0

    def residuals(beta: np.ndarray) -> np.ndarray:
        return beta[0] + beta[1] * t - y

    fit = optimize.least_squares(residuals, [0.0, 0.0], loss="arctan", f_scale=0.3)
    ours = float(rl.arctan_loss(residuals(fit.x), np.zeros_like(t), scale=0.3, reduction="sum"))
    assert ours == pytest.approx(fit.cost, rel=1e-12)


def test_equals_sklearn_pinball_and_epsilon_insensitive() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    sgd = pytest.importorskip("sklearn.linear_model._sgd_fast")
    rng = np.random.default_rng(4)
    x, y = rng.normal(0, 3, 300), rng.normal(0, 1, 300)
    x[:20] = y[:20]  # on the kink
    for q in (0.05, 0.5, 0.9):
        want = metrics.mean_pinball_loss(y, x, alpha=q)
        assert float(rl.quantile_loss(x, y, q=q)) == pytest.approx(want, rel=RTOL)
        weight = rng.random(300)
        want = metrics.mean_pinball_loss(y, x, alpha=q, sample_weight=weight)
        got = rl.quantile_loss(x, y, q=q, weight=weight, reduction="weighted_mean")
        assert float(got) == pytest.approx(want, rel=RTOL)
    x[20:40] = y[20:40] + 0.3  # on the tube's edge
    for kind, ours, grad in (
        (sgd.EpsilonInsensitive, rl.epsilon_insensitive_loss, rl.epsilon_insensitive_loss_grad),
        (
            sgd.SquaredEpsilonInsensitive,
            rl.squared_epsilon_insensitive_loss,
            rl.squared_epsilon_insensitive_loss_grad,
        ),
    ):
        peer = kind(0.3)
        want = [peer.py_loss(a, b) for a, b in zip(x, y, strict=True)]
        dwant = [peer.py_dloss(a, b) for a, b in zip(x, y, strict=True)]
        _close(ours(x, y, epsilon=0.3, reduction="none"), want, kind.__name__)
        _close(grad(x, y, epsilon=0.3, reduction="none"), dwant, kind.__name__ + " dloss")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: rl.HuberLoss(delta=1.345), lambda: norms.HuberT()),
        (lambda: rl.TukeyLoss(c=4.685), lambda: norms.TukeyBiweight()),
        (lambda: rl.HampelLoss(), lambda: norms.Hampel()),
        (lambda: rl.AndrewsWaveLoss(), lambda: norms.AndrewWave()),
        (lambda: rl.TukeyQuarticLoss(), lambda: norms.TukeyQuartic()),
        (
            lambda: rl.HuberQuantileLoss(q=0.75, delta=1.345),
            lambda: norms.MQuantileNorm(0.75, norms.HuberT()),
        ),
    ],
    ids=["huber", "tukey", "hampel", "andrews_wave", "tukey_quartic", "huber_quantile"],
)
def test_rlm_fits_with_the_norm_as_with_statsmodels(ours: Any, theirs: Any) -> None:
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.stackloss.load()
    exog = sm.add_constant(np.asarray(data.exog, np.float64))
    endog = np.asarray(data.endog, np.float64)
    want = sm.RLM(endog, exog, M=_norm(theirs)).fit()
    got = sm.RLM(endog, exog, M=ours().as_norm()).fit()
    np.testing.assert_allclose(got.params, want.params, rtol=1e-10)
    np.testing.assert_allclose(got.bse, want.bse, rtol=1e-10)
    np.testing.assert_allclose(got.weights, want.weights, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_the_norm_interface_on_every_backend(case: Case, backend: Backend, dtype: str) -> None:
    """Unreduced, shaped, typed and placed like the residual; NumPy's numbers everywhere."""
    p = case.params[0]
    z = np.asarray([[0.0, 0.5, -1.5], [3.0, -7.0, 0.25]])
    loss = make_object(case, p)
    norm = loss.as_norm()
    x = backend.asarray(z, dtype)
    rtol = 1e-2 if dtype in ("float16", "bfloat16") else 1e-5
    for what in ("rho", "psi", "psi_deriv", "weights"):
        got = getattr(loss, what)(x)
        assert tuple(got.shape) == z.shape, what
        assert got.dtype == x.dtype, what
        want = getattr(loss, what)(z)
        # (a weight at 0 may be 1 / smallest normal number, which depends on the dtype)
        np.testing.assert_allclose(
            backend.to_numpy(got).ravel()[1:], want.ravel()[1:], rtol=rtol, atol=1e-6
        )
        np.testing.assert_array_equal(
            backend.to_numpy(getattr(norm, what)(x)), backend.to_numpy(got)
        )
    np.testing.assert_array_equal(backend.to_numpy(norm(x)), backend.to_numpy(loss.rho(x)))


def test_the_asymmetric_norms_mirror_the_loss() -> None:
    # the loss takes input - target; the norm the statistician's z = target - input
    x, y = np.asarray([1.0, -2.0, 0.5]), np.asarray([0.0, 0.0, 2.0])
    loss = rl.QuantileLoss(q=0.9)
    np.testing.assert_array_equal(loss.rho(y - x), rl.quantile_loss(x, y, q=0.9, reduction="none"))
    np.testing.assert_array_equal(
        loss.psi(y - x), -rl.quantile_loss_grad(x, y, q=0.9, reduction="none")
    )
    # under-prediction (z > 0) weighs q, over-prediction 1 - q: by hand
    np.testing.assert_allclose(loss.rho(y - x), [0.1 * 1.0, 0.9 * 2.0, 0.9 * 1.5])
