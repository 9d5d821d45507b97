"""robustloss.regression against statsmodels' RLM, on every backend, batched and lazily.

The expected numbers are statsmodels' own (``RLM(...).fit()`` on the datasets it ships,
its ``mad`` and ``HuberScale``, its tuning tables and solvers) or worked by hand (mpmath
for Huber's efficiency); none come from robustloss.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from robustloss import (
    GeneralLoss,
    HampelLoss,
    HuberLoss,
    HuberQuantileLoss,
    TukeyLoss,
    fast_paths,
)
from robustloss._losses import LOSSES
from robustloss.regression import fit, huber_scale, mad, tuning_constant
from robustloss.testing import jax_jitted
from support.lazy import pickled_dask_arrays
from support.matrix import Backend, load_backend

sm = pytest.importorskip("statsmodels.api")
norms = sm.robust.norms

OWN_MATRIX = True
#: the datasets statsmodels ships that make a linear model (longley: condition 5e9)
DATASETS = ("stackloss", "engel", "statecrime", "ccard", "copper", "longley")
#: statsmodels' norm and the loss by name (statsmodels' defaults)
NORMS = {
    "huber": lambda: norms.HuberT(),
    "tukey": lambda: norms.TukeyBiweight(),
    "hampel": lambda: norms.Hampel(),
    "andrews_wave": lambda: norms.AndrewWave(),
    "ramsay_e": lambda: norms.RamsayE(),
    "trimmed": lambda: norms.TrimmedMean(),
}
SCALES = ("mad", "huber")
GPU = ("torch-cuda", "cupy")


def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    d = getattr(sm.datasets, name).load()
    X = sm.add_constant(np.array(d.exog, dtype=np.float64), has_constant="add")
    return np.ascontiguousarray(X), np.array(d.endog, dtype=np.float64)


def _rlm(X: np.ndarray, y: np.ndarray, norm: Any, scale: str, **kw: Any) -> Any:
    est = sm.robust.scale.HuberScale() if scale == "huber" else "mad"
    return sm.RLM(y, X, M=norm).fit(scale_est=est, **kw)


def _assert_matches(got: dict[str, np.ndarray], want: Any, rtol: float = 1e-8) -> None:
    np.testing.assert_allclose(got["params"], want.params, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(got["bse"], want.bse, rtol=rtol)
    np.testing.assert_allclose(got["scale"], want.scale, rtol=rtol)
    np.testing.assert_allclose(got["weights"], want.weights, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(got["cov"], want.cov_params(), rtol=rtol, atol=1e-14)
    assert abs(int(got["n_iter"]) - want.fit_history["iteration"]) <= 1


def _numbers(backend: Backend, res: Any) -> dict[str, np.ndarray]:
    names = ("params", "bse", "scale", "weights", "resid", "n_iter", "converged")
    arrays = [getattr(res, n) for n in names] + [res.cov_params()]
    values = backend.to_numpy_all(*arrays)
    return dict(zip((*names, "cov"), values, strict=True))


# --- statsmodels' numbers -------------------------------------------------------------------
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("loss", NORMS)
@pytest.mark.parametrize("dataset", DATASETS)
def test_equals_statsmodels_rlm_on_its_datasets(dataset: str, loss: str, scale: str) -> None:
    X, y = _data(dataset)
    want = _rlm(X, y, NORMS[loss](), scale)
    res = fit(X, y, loss, scale)
    got = _numbers(load_backend("numpy"), res)
    _assert_matches(got, want)
    np.testing.assert_allclose(got["resid"], want.resid, rtol=1e-8, atol=1e-12 * np.max(np.abs(y)))
    assert int(got["n_iter"]) == want.fit_history["iteration"]
    deviance = want.fit_history["deviance"]
    assert bool(got["converged"]) == (abs(deviance[-1] - deviance[-2]) <= 1e-8)


@pytest.mark.parametrize("fast", [True, False], ids=["fast-paths", "generic"])
@pytest.mark.parametrize("name", ["numpy", "array_api_strict", "torch", "jax", "dask", *GPU])
@pytest.mark.parametrize("loss", NORMS)
def test_equals_statsmodels_on_every_backend(name: str, loss: str, fast: bool) -> None:
    backend = load_backend(name)
    if not fast and name not in ("torch", "torch-cuda", "numpy", "cupy"):
        pytest.skip("no fast path to turn off")
    for dataset, scale in (("stackloss", "mad"), ("statecrime", "huber")):
        X, y = _data(dataset)
        want = _rlm(X, y, NORMS[loss](), scale)
        with fast_paths(fast):  # torch CPU: NumPy views, or the Array API loop on tensors
            res = fit(backend.asarray(X), backend.asarray(y), loss, scale)
        assert type(res.params) is type(backend.asarray(X))
        _assert_matches(_numbers(backend, res), want)


def test_under_jax_jit_with_a_fixed_iteration_count() -> None:
    backend = load_backend("jax")
    X, y = _data("stackloss")
    for loss, scale in (("tukey", "huber"), ("huber", "mad")):
        want = _rlm(X, y, NORMS[loss](), scale)
        for early_stop in (False, True):  # lax.fori_loop, lax.while_loop
            jitted = jax_jitted(
                lambda X, y, e=early_stop, m=loss, s=scale: fit(X, y, m, s, early_stop=e)
            )
            res = jitted(backend.asarray(X), backend.asarray(y))
            _assert_matches(_numbers(backend, res), want)


def test_fixed_iterations_give_the_early_stopped_answer() -> None:
    X, y = _data("stackloss")
    a, b = fit(X, y, "tukey"), fit(X, y, "tukey", early_stop=False)
    for name in ("params", "scale", "weights", "n_iter", "converged", "bse"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_dask_stays_lazy_and_fits_each_block() -> None:
    backend = load_backend("dask")
    import dask
    import dask.array as da

    from robustloss.testing import no_compute

    X, y = _data("stackloss")
    Xs = np.broadcast_to(X, (6, *X.shape)).copy()
    ys = y + np.arange(6.0)[:, None] * np.linspace(-1, 1, y.size)  # six problems
    with dask.config.set(scheduler=no_compute):
        res = fit(da.from_array(Xs, chunks=(2, 7, 2)), da.from_array(ys, chunks=(3, 10)), "tukey")
    assert isinstance(res.params, da.Array)
    assert res.params.shape == (6, 4)
    got = _numbers(backend, res)
    for i in range(6):
        want = _rlm(X, ys[i], norms.TukeyBiweight(), "mad")
        _assert_matches({k: v[i] for k, v in got.items()}, want)


def test_dask_graph_building_never_pickles_the_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    da = pytest.importorskip("dask.array")
    pickled = pickled_dask_arrays(monkeypatch)
    X, y = _data("stackloss")
    Xs = da.from_array(np.broadcast_to(X, (4, *X.shape)).copy(), chunks=(2, 7, 2))
    ys = da.from_array(np.broadcast_to(y, (4, y.size)).copy(), chunks=(2, 7))
    start = da.zeros((4, X.shape[1]), chunks=2)
    for kw in ({}, {"scale": da.ones(4, chunks=2), "start": start}, {"weights": ys * 0 + 1}):
        fit(Xs, ys, "huber", **kw)
    assert pickled == []


def test_on_a_dask_distributed_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    X, y = _data("stackloss")
    ys = y + np.linspace(-2, 2, 8)[:, None] * np.cos(np.arange(y.size))  # eight problems
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        res = fit(da.from_array(X), da.from_array(ys, chunks=(2, 21)), "hampel", "huber")
        params, bse = client.compute([res.params, res.bse], sync=True)
    for i in range(8):
        want = _rlm(X, ys[i], norms.Hampel(), "huber")
        np.testing.assert_allclose(params[i], want.params, rtol=1e-8)
        np.testing.assert_allclose(bse[i], want.bse, rtol=1e-8)


def test_torch_keeps_device_and_dtype() -> None:
    backend = load_backend("torch")
    import torch

    X, y = _data("stackloss")
    res = fit(torch.asarray(X, dtype=torch.float32), torch.asarray(y, dtype=torch.float32))
    assert res.params.dtype == torch.float32
    assert res.bse.dtype == torch.float32
    want = _rlm(X, y, norms.HuberT(), "mad")
    np.testing.assert_allclose(backend.to_numpy(res.params), want.params, rtol=2e-4)


@pytest.mark.parametrize("name", ["numpy", "torch", "dask"])
def test_half_types_are_fitted_in_float32_and_returned_in_their_dtype(name: str) -> None:
    backend = load_backend(name)
    X, y = _data("stackloss")
    res = fit(backend.asarray(X, "float16"), backend.asarray(y, "float16"), "huber")
    assert str(res.params.dtype).endswith("float16")
    assert str(res.bse.dtype).endswith("float16")
    want = _rlm(X.astype(np.float16).astype(np.float64), y, norms.HuberT(), "mad")
    np.testing.assert_allclose(backend.to_numpy(res.params), want.params, rtol=2e-2, atol=2e-2)


# --- batches ---------------------------------------------------------------------------------
def test_a_batch_of_1000_equals_1000_single_fits() -> None:
    rng = np.random.default_rng(7)
    n = 25
    x = rng.uniform(0, 10, size=(1000, n))
    X = np.stack([np.ones_like(x), x], axis=-1)
    y = 3.0 - 0.5 * x + rng.standard_t(2, size=(1000, n))  # heavy tails
    res = fit(X, y, "tukey")
    assert res.params.shape == (1000, 2)
    assert res.n_iter.shape == (1000,)
    assert len(np.unique(res.n_iter)) > 3  # each problem stopped on its own
    for i in range(1000):
        one = fit(X[i], y[i], "tukey")
        for name in ("params", "scale", "weights", "bse"):
            np.testing.assert_allclose(
                getattr(res, name)[i], getattr(one, name), rtol=1e-12, atol=1e-13
            )
        assert res.n_iter[i] == one.n_iter
        assert res.converged[i] == one.converged
    for i in range(0, 1000, 111):  # and each is statsmodels' fit
        want = _rlm(X[i], y[i], norms.TukeyBiweight(), "mad")
        _assert_matches(
            _numbers(load_backend("numpy"), one if i == 999 else fit(X[i], y[i], "tukey")), want
        )


def test_leading_axes_broadcast() -> None:
    X, y = _data("stackloss")
    ys = np.stack([y, y[::-1], 2 * y])  # one design, three responses
    res = fit(X, ys, "hampel")
    for i in range(3):
        np.testing.assert_allclose(res.params[i], fit(X, ys[i], "hampel").params, rtol=1e-13)


# --- losses, scales and options --------------------------------------------------------------
def test_every_loss_of_the_registry_fits() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, size=200)
    X = np.stack([np.ones_like(x), x], axis=-1)
    y = 1.0 + 2.0 * x + 0.1 * rng.standard_normal(200)
    y[:10] += 50  # gross outliers
    for name, definition in LOSSES.items():
        loss: Any = GeneralLoss(alpha=0.5) if name == "general" else name
        res = fit(X, y, loss, maxiter=200)
        assert np.all(np.isfinite(res.params)), name
        if definition.symmetric and name not in ("mse", "squared_epsilon_insensitive"):
            np.testing.assert_allclose(res.params, [1.0, 2.0], atol=0.1, err_msg=name)


def test_the_huberized_quantile_is_statsmodels_m_quantile() -> None:
    X, y = _data("engel")
    for q in (0.25, 0.75):
        want = sm.RLM(y, X, M=norms.MQuantileNorm(q, norms.HuberT())).fit()
        res = fit(X, y, HuberQuantileLoss(q=q, delta=1.345))
        _assert_matches(_numbers(load_backend("numpy"), res), want)


def test_loss_objects_carry_their_constants() -> None:
    X, y = _data("statecrime")
    want = _rlm(X, y, norms.TukeyBiweight(c=3.5), "mad")
    _assert_matches(_numbers(load_backend("numpy"), fit(X, y, TukeyLoss(c=3.5))), want)
    want = _rlm(X, y, norms.Hampel(1.5, 3.5, 8.0), "mad")
    _assert_matches(
        _numbers(load_backend("numpy"), fit(X, y, HampelLoss(a=1.5, b=3.5, c=8.0))), want
    )
    # by name, Huber is statsmodels' HuberT (1.345), not the loss function's delta = 1
    np.testing.assert_array_equal(fit(X, y).params, fit(X, y, HuberLoss(delta=1.345)).params)


def test_start_params_fixed_scale_and_update_scale() -> None:
    X, y = _data("stackloss")
    start = np.asarray([-40.0, 0.7, 1.3, -0.15])
    want = sm.RLM(y, X, M=norms.HuberT()).fit(start_params=start)
    _assert_matches(_numbers(load_backend("numpy"), fit(X, y, start=start)), want)
    want = sm.RLM(y, X, M=norms.HuberT()).fit(start_scale=2.5, update_scale=False)
    got = fit(X, y, scale=2.5)
    _assert_matches(_numbers(load_backend("numpy"), got), want)
    want = sm.RLM(y, X, M=norms.TukeyBiweight()).fit(update_scale=False)
    _assert_matches(_numbers(load_backend("numpy"), fit(X, y, "tukey", update_scale=False)), want)
    want = sm.RLM(y, X, M=norms.HuberT()).fit(maxiter=4)
    res = fit(X, y, maxiter=4)
    _assert_matches(_numbers(load_backend("numpy"), res), want)
    assert int(res.n_iter) == 4
    assert not bool(res.converged)


def test_observation_weights() -> None:
    X, y = _data("stackloss")
    plain = fit(X, y, "tukey")
    # the same fit (to the convergence tolerance: the deviance criterion scales with w)
    np.testing.assert_allclose(
        fit(X, y, "tukey", weights=np.full(21, 3.0)).params, plain.params, rtol=1e-7
    )
    # with a fixed scale, a zero weight removes the observation from the fit
    w = np.ones(21)
    w[[0, 20]] = 0.0
    keep = w == 1
    got = fit(X, y, "tukey", scale=3.0, weights=w)
    np.testing.assert_allclose(
        got.params, fit(X[keep], y[keep], "tukey", scale=3.0).params, rtol=1e-7
    )
    # the start is weighted least squares (NumPy's lstsq on the rows times sqrt(w))
    w = np.linspace(0.5, 2.0, 21)
    s = np.sqrt(w)
    wls = np.linalg.lstsq(X * s[:, None], y * s, rcond=None)[0]
    np.testing.assert_allclose(
        fit(X, y, weights=w, maxiter=1, start="ols", scale=1e300).params, wls, rtol=1e-12
    )


def test_inputs_are_not_mutated() -> None:
    X, y = _data("stackloss")
    X0, y0 = X.copy(), y.copy()
    fit(X, y, "tukey", weights=np.ones(21), start=np.zeros(4))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.ones(5)}, ValueError, r"X must have shape \[..., n, p\]"),
        ({"y": np.ones(20)}, ValueError, "X has 21 observations"),
        ({"X": np.ones((21, 21))}, ValueError, "more observations than regressors"),
        ({"loss": "nope"}, ValueError, "unknown loss 'nope'"),
        ({"loss": 3}, TypeError, "loss must be a loss name"),
        ({"loss": "general"}, ValueError, "needs its shape alpha"),
        ({"scale": "iqr"}, ValueError, "scale must be 'mad', 'huber'"),
        ({"scale": -1.0}, ValueError, "fixed scale must be finite and > 0"),
        ({"start": "zeros"}, ValueError, "start must be 'ols'"),
        ({"start": np.zeros(3)}, ValueError, r"start of shape \(3,\) does not broadcast"),
        ({"weights": np.ones(20)}, ValueError, r"weights of shape \(20,\) does not broadcast"),
        ({"maxiter": 0}, ValueError, "maxiter must be an int >= 1"),
        ({"tol": -1.0}, ValueError, "tol must be a finite number >= 0"),
        ({"update_scale": 1}, TypeError, "update_scale must be a bool"),
        ({"X": [[1.0]]}, TypeError, "X must be an array"),
    ],
)
def test_bad_input_is_refused_before_any_work(
    kwargs: dict[str, Any], error: type, match: str
) -> None:
    X, y = _data("stackloss")
    args = {"X": X, "y": y, **kwargs}
    with pytest.raises(error, match=match):
        fit(args.pop("X"), args.pop("y"), **args)


def test_arrays_of_two_libraries_are_refused() -> None:
    torch = load_backend("torch").xp
    X, y = _data("stackloss")
    with pytest.raises(TypeError, match="one library"):
        fit(X, torch.asarray(y))
    with pytest.raises(TypeError, match="weights is a torch array but X and y are numpy arrays"):
        fit(X, y, weights=torch.ones(21))


# --- scale estimators ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["numpy", "array_api_strict", "torch", "jax", "dask", *GPU])
def test_mad_and_huber_scale_are_statsmodels(name: str) -> None:
    backend = load_backend(name)
    rng = np.random.default_rng(1)
    r = rng.standard_t(3, size=(4, 3, 31))
    r[0, 0, :5] = 40.0
    x = backend.asarray(r)
    for center, sm_center in (("median", np.median), (0.0, 0.0)):
        want = np.stack([sm.robust.scale.mad(r[i], center=sm_center, axis=-1) for i in range(4)])
        got = backend.to_numpy(mad(x, center=center))
        np.testing.assert_allclose(got, want, rtol=1e-14)
    np.testing.assert_allclose(
        backend.to_numpy(mad(x, axis=0)), sm.robust.scale.mad(r, axis=0), rtol=1e-14
    )
    np.testing.assert_allclose(
        backend.to_numpy(mad(x, axis=None)), sm.robust.scale.mad(r.ravel()), rtol=1e-14
    )
    assert tuple(mad(x, axis=1, keepdims=True).shape) == (4, 1, 31)
    for ddof in (0, 4):
        want = np.asarray(
            [
                [sm.robust.scale.HuberScale()(31 - ddof, 31, r[i, j]) for j in range(3)]
                for i in range(4)
            ]
        )
        np.testing.assert_allclose(backend.to_numpy(huber_scale(x, ddof=ddof)), want, rtol=1e-12)
    want = sm.robust.scale.HuberScale(d=1.5, tol=1e-12, maxiter=100)(31, 31, r[1, 2])
    got = huber_scale(x, d=1.5, tol=1e-12, maxiter=100)
    np.testing.assert_allclose(backend.to_numpy(got)[1, 2], want, rtol=1e-12)


def test_mad_of_a_nan_or_an_even_count() -> None:
    x = np.asarray([[1.0, np.nan, 3.0], [1.0, 2.0, 4.0]])
    got = mad(x)
    assert math.isnan(got[0])
    assert got[1] == pytest.approx(1.0 / 0.6744897501960817)
    even = np.asarray([0.0, 1.0, 3.0, 10.0])  # median 2, |x - 2| = 2, 1, 1, 8: median 1.5
    assert float(mad(even)) == pytest.approx(1.5 / 0.6744897501960817, rel=1e-15)


def test_scale_estimators_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="center must be 'median' or a number"):
        mad(np.ones(3), center="mean")
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        mad(np.ones(3), axis=2)
    with pytest.raises(ValueError, match="d must be finite and > 0"):
        huber_scale(np.ones(3), d=0.0)
    with pytest.raises(ValueError, match="more than ddof = 3"):
        huber_scale(np.ones(3), ddof=3)
    with pytest.raises(TypeError, match="x must be an array"):
        mad([1.0, 2.0])


# --- tuning constants ------------------------------------------------------------------------
def test_huber_95_is_the_root_of_its_closed_form_efficiency() -> None:
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 30

    def eff(c: Any) -> Any:  # Huber's efficiency at the normal, worked by hand
        P, f = mp.ncdf(c), mp.npdf(c)
        return (2 * P - 1) ** 2 / (2 * P - 1 - 2 * c * f + 2 * c**2 * (1 - P))

    want = float(mp.findroot(lambda c: eff(c) - mp.mpf("0.95"), 1.345))
    assert tuning_constant("huber") == pytest.approx(want, rel=1e-12)
    assert round(tuning_constant("huber"), 3) == 1.345  # statsmodels' HuberT default
    assert tuning_constant("smooth_l1") == pytest.approx(want, rel=1e-12)


def test_tukey_constants_are_statsmodels_tables() -> None:
    get_tuning = getattr(norms.TukeyBiweight, "get_tuning", None)
    if get_tuning is None:
        pytest.skip("this statsmodels has no TukeyBiweight.get_tuning")
    for eff in (0.85, 0.9, 0.95, 0.99):
        assert tuning_constant("tukey", eff) == pytest.approx(get_tuning(eff=eff)[0], abs=2e-6)
    for bp in (0.5, 0.25, 0.1):
        assert tuning_constant("tukey", breakdown=bp) == pytest.approx(
            get_tuning(bp=bp)[0], abs=2e-6
        )


@pytest.mark.parametrize(
    ("name", "norm", "jump", "bracket"),
    [
        ("huber", "HuberT", False, None),
        ("hampel", "Hampel", False, None),
        ("andrews_wave", "AndrewWave", False, None),
        ("ramsay_e", "RamsayE", False, (0.01, 1.0)),
        ("trimmed", "TrimmedMean", True, None),
        ("tukey_quartic", "TukeyQuartic", False, None),
    ],
)
def test_efficiency_constants_are_statsmodels_solvers(
    name: str, norm: str, jump: bool, bracket: Any
) -> None:
    tools = pytest.importorskip("statsmodels.robust.tools")
    if not hasattr(norms, norm) or not hasattr(tools, "_get_tuning_param"):
        pytest.skip(f"this statsmodels lacks {norm} or its tuning solver")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's quad warns at psi's kinks
        want = tools._get_tuning_param(getattr(norms, norm)(), 0.95, use_jump=jump, bracket=bracket)
    # statsmodels integrates across psi's kinks with scipy's quad: good to a few 1e-6
    assert tuning_constant(name) == pytest.approx(want, rel=5e-6)


def test_published_constants() -> None:
    # the 95% constants of the literature (MATLAB's robustfit and statsmodels' defaults),
    # Cauchy and Welsch in Barron's parametrisation (scale = c / sqrt(2))
    published = {
        "tukey": 4.685,
        "andrews_wave": 1.339,
        "fair": 1.400,
        "trimmed": 2.795,
        "cauchy": 2.385 / math.sqrt(2),
        "welsch": 2.985 / math.sqrt(2),
        "tukey_quartic": 3.6175,
    }
    for name, value in published.items():
        assert tuning_constant(name) == pytest.approx(value, abs=1.5e-3), name
    assert tuning_constant(GeneralLoss(alpha=-2.0)) == pytest.approx(
        tuning_constant("geman_mcclure"), rel=1e-9
    )


def test_tuning_constants_refuse() -> None:
    for name in ("l1", "mse", "log_cosh", "quantile", "expectile"):
        with pytest.raises(ValueError, match="tuning_constant needs a symmetric loss"):
            tuning_constant(name)
    with pytest.raises(ValueError, match="ranges over"):
        tuning_constant("epsilon_insensitive")  # never as efficient as 95%
    with pytest.raises(ValueError, match="rho is unbounded"):
        tuning_constant("huber", breakdown=0.5)
    with pytest.raises(ValueError, match="not both"):
        tuning_constant("tukey", 0.9, breakdown=0.5)
    with pytest.raises(ValueError, match="efficiency must be > 0 and < 1"):
        tuning_constant("tukey", 1.0)
    with pytest.raises(ValueError, match=r"breakdown must be > 0 and <= 0.5"):
        tuning_constant("tukey", breakdown=0.6)


# --- the example ------------------------------------------------------------------------------
def test_the_pixel_trends_example(tmp_path: Any) -> None:
    from support.scripts import load

    example = load("examples/pixel_trends.py", "pixel_trends")
    figure = tmp_path / "trends.png"
    errors = example.main([str(figure)])
    assert errors["robust"] < errors["ols"] / 5  # the clouds drag least squares away
    data = example.scene()
    one = fit(data["X"], data["Y"][40, 20], "tukey")  # the batch is the pixels' fits
    np.testing.assert_allclose(example.trends(data)["robust"].params[40, 20], one.params)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert figure.stat().st_size > 0


# --- searched: every loss, shapes and options ---------------------------------------------------
@given(
    loss=st.sampled_from([n for n in LOSSES if n != "general"]),
    batch=st.sampled_from([(), (3,), (2, 2)]),
    n=st.integers(6, 40),
    p=st.integers(1, 4),
    scale=st.sampled_from(["mad", "huber", 1.5]),
    seed=st.integers(0, 2**16),
)
def test_the_solution_is_the_weighted_fit_of_its_weights(
    loss: str, batch: tuple[int, ...], n: int, p: int, scale: Any, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    X = np.concatenate([np.ones((*batch, n, 1)), rng.normal(size=(*batch, n, p - 1))], axis=-1)
    y = X @ rng.normal(size=p) + rng.standard_t(2, size=(*batch, n))
    res = fit(X, y, loss, scale, maxiter=30)
    lazy = fit(X, y, loss, scale, maxiter=30, early_stop=False)
    for name in ("params", "weights", "n_iter", "converged"):
        np.testing.assert_array_equal(getattr(res, name), getattr(lazy, name))
    flat = [a.reshape(-1, *a.shape[len(batch) :]) for a in (X, y, res.weights, res.params)]
    for Xi, yi, wi, bi in zip(*flat, strict=True):
        one = fit(Xi, yi, loss, scale, maxiter=30)
        np.testing.assert_allclose(one.params, bi, rtol=1e-10, atol=1e-10)
        s = np.sqrt(wi)
        if np.all(np.isfinite(s)) and np.linalg.matrix_rank(Xi * s[:, None]) == p:
            # the coefficients are the weighted least-squares fit with their weights
            want = np.linalg.lstsq(Xi * s[:, None], yi * s, rcond=None)[0]
            np.testing.assert_allclose(bi, want, rtol=1e-7, atol=1e-7)
