"""The conversion table of the porting guide (``docs/guides/porting.md``), row by row.

A row says: the peer's value = factor x the robustloss call. Each row has one check here
that computes both sides in float64, over residuals from -20 to 20 (steps of 0.1, through
0 and break points such as 0.5, 1 and 3) and a few hyper-parameters: against
the peer itself where it is a Python package (PyTorch, Keras 3 on JAX, optax, SciPy,
statsmodels; skipped where it is not installed), against the peer's formula written out
from its source for the C++ libraries (Ceres Solver, GTSAM), with the source cited.
Expected numbers never come from robustloss. ``test_the_table_is_the_checked_rows`` keeps
the table and the checks one to one, in the same order.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import robustloss as rl

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guides" / "porting.md"
HEADER = "| peer | factor | robustloss |"

#: residuals r = x - y (and z = y - x): steps of 0.1, so 0 and the breaks 0.5, 1, 3 are on it
R = np.linspace(-20.0, 20.0, 401)
#: 1e-12 relative; the absolute part covers a peer's cancellation where its value is ~0
RTOL, ATOL = 1e-12, 1e-14
#: Keras 3 on JAX takes its means in float32, also for float64 inputs and floatx (its
#: result_type("float64", "float32") is float32): its numbers are float32-accurate only
KERAS_RTOL = 1e-6
REDUCTIONS = ("none", "mean", "sum")


def close(got: Any, want: Any, rtol: float = RTOL, what: str = "") -> None:
    got = np.asarray(got.detach() if hasattr(got, "detach") else got, dtype=np.float64)
    want = np.asarray(want.detach() if hasattr(want, "detach") else want, dtype=np.float64)
    assert got.shape == want.shape, what
    np.testing.assert_allclose(got, want, rtol=rtol, atol=ATOL, err_msg=what)


def inputs() -> tuple[np.ndarray, np.ndarray]:
    """Input x and target y with x - y = R (to rounding)."""
    y = np.random.default_rng(7).normal(0.0, 2.0, R.shape)
    return y + R, y


def sample_weight() -> np.ndarray:
    """A weight of R's shape, with zeros."""
    w = np.random.default_rng(8).random(R.shape) * 2.0
    w[::7] = 0.0
    return w


@dataclass(frozen=True)
class Row:
    id: str
    library: str
    peer: str
    ours: str
    factor: str
    check: Callable[[], None]


ROWS: list[Row] = []


def row(
    id_: str, library: str, peer: str, ours: str, factor: str = "1"
) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as the check of one row of the table."""

    def register(check: Callable[[], None]) -> Callable[[], None]:
        ROWS.append(Row(id_, library, peer, ours, factor, check))
        return check

    return register


# --- PyTorch -----------------------------------------------------------------------------
def torch_inputs() -> tuple[Any, Any, Any]:
    torch = pytest.importorskip("torch")
    x, y = inputs()
    return torch, torch.tensor(x), torch.tensor(y)


@row(
    "torch-huber_loss",
    "PyTorch",
    "`F.huber_loss(x, y, reduction=R, delta=d)`",
    "`huber_loss(x, y, reduction=R, delta=d)`",
)
def _() -> None:
    torch, x, y = torch_inputs()
    for reduction in REDUCTIONS:
        for d in (0.5, 1.0, 3.0):
            want = torch.nn.functional.huber_loss(x, y, reduction=reduction, delta=d)
            close(rl.huber_loss(x, y, reduction=reduction, delta=d), want)


@row(
    "torch-smooth_l1_loss",
    "PyTorch",
    "`F.smooth_l1_loss(x, y, reduction=R, beta=b)`",
    "`smooth_l1_loss(x, y, reduction=R, beta=b)`",
)
def _() -> None:
    torch, x, y = torch_inputs()
    for reduction in REDUCTIONS:
        for b in (0.0, 0.5, 1.0, 3.0):
            want = torch.nn.functional.smooth_l1_loss(x, y, reduction=reduction, beta=b)
            close(rl.smooth_l1_loss(x, y, reduction=reduction, beta=b), want)


@row(
    "torch-smooth_l1_loss-as-huber",
    "PyTorch",
    "`F.smooth_l1_loss(x, y, reduction=R, beta=b)`",
    "`huber_loss(x, y, reduction=R, delta=b)`",
    "`1 / b`",
)
def _() -> None:
    torch, x, y = torch_inputs()
    for reduction in REDUCTIONS:
        for b in (0.5, 1.0, 3.0):
            want = torch.nn.functional.smooth_l1_loss(x, y, reduction=reduction, beta=b)
            close(rl.huber_loss(x, y, reduction=reduction, delta=b) / b, want)


@row(
    "torch-l1_loss",
    "PyTorch",
    "`F.l1_loss(x, y, reduction=R)`",
    "`l1_loss(x, y, reduction=R)`",
)
def _() -> None:
    torch, x, y = torch_inputs()
    for reduction in REDUCTIONS:
        want = torch.nn.functional.l1_loss(x, y, reduction=reduction)
        close(rl.l1_loss(x, y, reduction=reduction), want)


@row(
    "torch-mse_loss",
    "PyTorch",
    "`F.mse_loss(x, y, reduction=R)`",
    "`mse_loss(x, y, reduction=R)`",
)
def _() -> None:
    torch, x, y = torch_inputs()
    for reduction in REDUCTIONS:
        want = torch.nn.functional.mse_loss(x, y, reduction=reduction)
        close(rl.mse_loss(x, y, reduction=reduction), want)


@row(
    "torch-huber_loss-weight",
    "PyTorch",
    "`F.huber_loss(x, y, weight=w, delta=d)`",
    "`huber_loss(x, y, weight=w, delta=d)`",
)
def _() -> None:
    # PyTorch's weighted 'mean' of huber_loss divides by the number of elements
    torch, x, y = torch_inputs()
    w = torch.tensor(sample_weight())
    for d in (0.5, 1.0, 3.0):
        want = torch.nn.functional.huber_loss(x, y, weight=w, delta=d)
        close(rl.huber_loss(x, y, weight=w, delta=d), want)
        each = torch.nn.functional.huber_loss(x, y, reduction="none", delta=d)
        close(want, (w * each).sum() / w.numel(), what="PyTorch's rule")


@row(
    "torch-l1_loss-weight",
    "PyTorch",
    "`F.l1_loss(x, y, weight=w)`",
    '`l1_loss(x, y, reduction="weighted_mean", weight=w)`',
)
def _() -> None:
    # PyTorch's weighted 'mean' of l1_loss and mse_loss divides by the sum of the weights
    torch, x, y = torch_inputs()
    w = torch.tensor(sample_weight())
    want = torch.nn.functional.l1_loss(x, y, weight=w)
    close(rl.l1_loss(x, y, reduction="weighted_mean", weight=w), want)
    each = torch.nn.functional.l1_loss(x, y, reduction="none")
    close(want, (w * each).sum() / w.sum(), what="PyTorch's rule")


@row(
    "torch-mse_loss-weight",
    "PyTorch",
    "`F.mse_loss(x, y, weight=w)`",
    '`mse_loss(x, y, reduction="weighted_mean", weight=w)`',
)
def _() -> None:
    torch, x, y = torch_inputs()
    w = torch.tensor(sample_weight())
    want = torch.nn.functional.mse_loss(x, y, weight=w)
    close(rl.mse_loss(x, y, reduction="weighted_mean", weight=w), want)
    each = torch.nn.functional.mse_loss(x, y, reduction="none")
    close(want, (w * each).sum() / w.sum(), what="PyTorch's rule")


@row(
    "torch-size_average-reduce",
    "PyTorch",
    "`F.mse_loss(x, y, size_average=sa, reduce=rd)`",
    "`mse_loss(x, y, size_average=sa, reduce=rd)`",
)
def _() -> None:
    # also l1_loss and smooth_l1_loss; PyTorch warns with a UserWarning, robustloss with a
    # DeprecationWarning
    torch, x, y = torch_inputs()
    names = ("mse_loss", "l1_loss", "smooth_l1_loss")
    legacy = [(sa, rd) for sa in (None, True, False) for rd in (None, True, False)][1:]
    for name in names:
        for sa, rd in legacy:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                want = getattr(torch.nn.functional, name)(x, y, size_average=sa, reduce=rd)
            with pytest.warns(DeprecationWarning, match="size_average"):
                got = getattr(rl, name)(x, y, size_average=sa, reduce=rd)
            close(got, want, what=f"{name}(size_average={sa}, reduce={rd})")


@row(
    "torch-modules",
    "PyTorch",
    "`torch.nn.HuberLoss(reduction=R, delta=d)(x, y)`",
    "`HuberLoss(reduction=R, delta=d)(x, y)`",
)
def _() -> None:
    # and SmoothL1Loss, L1Loss, MSELoss, with the same keyword arguments
    torch, x, y = torch_inputs()
    for reduction in REDUCTIONS:
        for cls, params in [
            ("HuberLoss", {"delta": 0.5}),
            ("HuberLoss", {"delta": 3.0}),
            ("SmoothL1Loss", {"beta": 0.5}),
            ("L1Loss", {}),
            ("MSELoss", {}),
        ]:
            want = getattr(torch.nn, cls)(reduction=reduction, **params)(x, y)
            close(getattr(rl, cls)(reduction=reduction, **params)(x, y), want, what=cls)


# --- Keras 3 -----------------------------------------------------------------------------
def keras_inputs() -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """Keras (on JAX unless KERAS_BACKEND says otherwise), y_true and y_pred [40, 10] and a
    [40] sample weight with a zero."""
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "jax")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a dependency's import-time notice
        keras = pytest.importorskip("keras")
    if int(keras.__version__.split(".")[0]) < 3:
        pytest.skip(f"Keras 3 needed, found {keras.__version__}")
    x, y = inputs()
    sw = np.random.default_rng(9).random(40)
    sw[3] = 0.0
    return keras, y[:400].reshape(40, 10), x[:400].reshape(40, 10), sw


#: Keras' loss class and function, robustloss's function, hyper-parameters
KERAS_LOSSES: list[tuple[str, str, Callable[..., Any], dict[str, float]]] = [
    ("Huber", "huber", rl.huber_loss, {"delta": 0.5}),
    ("Huber", "huber", rl.huber_loss, {"delta": 3.0}),
    ("LogCosh", "log_cosh", rl.log_cosh_loss, {}),
    ("MeanSquaredError", "mean_squared_error", rl.mse_loss, {}),
    ("MeanAbsoluteError", "mean_absolute_error", rl.l1_loss, {}),
]
KERAS_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None, "none")


def check_keras_class(cls: str, params: dict[str, float]) -> None:
    """robustloss.keras's class against Keras' on every reduction, with and without a
    sample weight."""
    import robustloss.keras as rlk

    keras, y_true, y_pred, sw = keras_inputs()
    for reduction in KERAS_REDUCTIONS:
        theirs = getattr(keras.losses, cls)(reduction=reduction, **params)
        ours = getattr(rlk, cls)(reduction=reduction, **params)
        for weight in (None, sw):
            want = theirs(y_true, y_pred, sample_weight=weight)
            got = ours(y_true, y_pred, sample_weight=weight)
            close(got, want, KERAS_RTOL, f"{cls}, {reduction}, weight {weight is not None}")


@row("keras-Huber", "Keras", "`keras.losses.Huber(delta=d)`", "`rlk.Huber(delta=d)`")
def _() -> None:
    check_keras_class("Huber", {"delta": 0.5})
    check_keras_class("Huber", {"delta": 3.0})


@row("keras-LogCosh", "Keras", "`keras.losses.LogCosh()`", "`rlk.LogCosh()`")
def _() -> None:
    check_keras_class("LogCosh", {})


@row(
    "keras-MeanSquaredError",
    "Keras",
    "`keras.losses.MeanSquaredError()`",
    "`rlk.MeanSquaredError()`",
)
def _() -> None:
    check_keras_class("MeanSquaredError", {})


@row(
    "keras-MeanAbsoluteError",
    "Keras",
    "`keras.losses.MeanAbsoluteError()`",
    "`rlk.MeanAbsoluteError()`",
)
def _() -> None:
    check_keras_class("MeanAbsoluteError", {})


@row(
    "keras-huber-per-sample",
    "Keras",
    "`keras.losses.huber(y_true, y_pred, delta=d)`",
    '`huber_loss(y_pred, y_true, reduction="none", delta=d).mean(axis=-1)`',
)
def _() -> None:
    # and log_cosh, mean_squared_error, mean_absolute_error; robustloss.keras has them too
    import robustloss.keras as rlk

    keras, y_true, y_pred, _ = keras_inputs()
    for _cls, function, ours, params in KERAS_LOSSES:
        want = getattr(keras.losses, function)(y_true, y_pred, **params)
        got = ours(y_pred, y_true, reduction="none", **params).mean(axis=-1)
        close(got, want, KERAS_RTOL, function)
        close(getattr(rlk, function)(y_true, y_pred, **params), want, KERAS_RTOL, function)


@row(
    "keras-Huber-sample_weight",
    "Keras",
    "`keras.losses.Huber(delta=d)(y_true, y_pred, sample_weight=sw)`",
    "`huber_loss(y_pred, y_true, delta=d, weight=sw[:, None])`",
)
def _() -> None:
    # the default reduction 'sum_over_batch_size'; and LogCosh, MeanSquaredError,
    # MeanAbsoluteError
    keras, y_true, y_pred, sw = keras_inputs()
    for cls, _function, ours, params in KERAS_LOSSES:
        theirs = getattr(keras.losses, cls)(**params)
        want = theirs(y_true, y_pred, sample_weight=sw)
        close(ours(y_pred, y_true, weight=sw[:, None], **params), want, KERAS_RTOL, cls)
        close(ours(y_pred, y_true, **params), theirs(y_true, y_pred), KERAS_RTOL, cls)


@row(
    "keras-Huber-mean_with_sample_weight",
    "Keras",
    '`keras.losses.Huber(delta=d, reduction="mean_with_sample_weight")`',
    '`huber_loss(y_pred, y_true, reduction="weighted_mean", delta=d, weight=sw[:, None])`',
)
def _() -> None:
    keras, y_true, y_pred, sw = keras_inputs()
    for cls, _function, ours, params in KERAS_LOSSES:
        theirs = getattr(keras.losses, cls)(reduction="mean_with_sample_weight", **params)
        want = theirs(y_true, y_pred, sample_weight=sw)
        got = ours(y_pred, y_true, reduction="weighted_mean", weight=sw[:, None], **params)
        close(got, want, KERAS_RTOL, cls)


# --- optax -------------------------------------------------------------------------------
def optax_inputs() -> tuple[Any, Any, Any]:
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # as the test suite runs JAX
    x, y = inputs()
    return optax, jax.numpy.asarray(x), jax.numpy.asarray(y)


def check_optax(name: str, ours: Callable[..., Any], factor: float, **params: float) -> None:
    optax, x, y = optax_inputs()
    want = getattr(optax.losses, name)(x, y, **params)
    assert want.dtype == np.float64
    close(factor * ours(x, y, reduction="none", **params), want)


@row(
    "optax-huber_loss",
    "optax",
    "`optax.losses.huber_loss(x, y, delta=d)`",
    '`huber_loss(x, y, reduction="none", delta=d)`',
)
def _() -> None:
    for d in (0.5, 1.0, 3.0):
        check_optax("huber_loss", rl.huber_loss, 1.0, delta=d)


@row(
    "optax-l2_loss",
    "optax",
    "`optax.losses.l2_loss(x, y)`",
    '`mse_loss(x, y, reduction="none")`',
    "`1 / 2`",
)
def _() -> None:
    check_optax("l2_loss", rl.mse_loss, 1 / 2)


@row(
    "optax-squared_error",
    "optax",
    "`optax.losses.squared_error(x, y)`",
    '`mse_loss(x, y, reduction="none")`',
)
def _() -> None:
    check_optax("squared_error", rl.mse_loss, 1.0)


@row(
    "optax-log_cosh",
    "optax",
    "`optax.losses.log_cosh(x, y)`",
    '`log_cosh_loss(x, y, reduction="none")`',
)
def _() -> None:
    check_optax("log_cosh", rl.log_cosh_loss, 1.0)


# --- SciPy -------------------------------------------------------------------------------
@row(
    "scipy-special-huber",
    "SciPy",
    "`special.huber(d, x - y)`",
    '`huber_loss(x, y, reduction="none", delta=d)`',
)
def _() -> None:
    special = pytest.importorskip("scipy.special")
    x, y = inputs()
    for d in (0.5, 1.0, 3.0):
        close(rl.huber_loss(x, y, reduction="none", delta=d), special.huber(d, x - y))


@row(
    "scipy-special-pseudo_huber",
    "SciPy",
    "`special.pseudo_huber(d, x - y)`",
    '`pseudo_huber_loss(x, y, reduction="none", delta=d)`',
)
def _() -> None:
    special = pytest.importorskip("scipy.special")
    x, y = inputs()
    for d in (0.5, 1.0, 3.0):
        want = special.pseudo_huber(d, x - y)
        close(rl.pseudo_huber_loss(x, y, reduction="none", delta=d), want)


def least_squares_cost(f: np.ndarray, loss: str, f_scale: float) -> float:
    """``least_squares(...).cost`` where the residuals are `f`: a problem whose residual
    function ignores x, stopped after its first evaluation (the cost is that of f)."""
    optimize = pytest.importorskip("scipy.optimize")
    res = optimize.least_squares(lambda _: f, [0.0], loss=loss, f_scale=f_scale, max_nfev=1)
    assert np.array_equal(res.fun, f)
    return float(res.cost)


def check_least_squares(loss: str, ours: Callable[[float], Any], factor: Callable) -> None:
    """The cost of all 401 residuals at once, and of every fourth one alone."""
    for c in (0.5, 1.0, 3.0):
        close(factor(c) * ours(c).rho(R).sum(), least_squares_cost(R, loss, c), what="sum")
        one = R[::4]
        want = [least_squares_cost(one[i : i + 1], loss, c) for i in range(len(one))]
        close(factor(c) * ours(c).rho(one), want, what=f"each, f_scale {c}")


@row(
    "scipy-least_squares-linear",
    "SciPy",
    '`least_squares(fun, x0, loss="linear").cost`',
    "`MSELoss().rho(f).sum()`",
    "`1 / 2`",
)
def _() -> None:
    check_least_squares("linear", lambda c: rl.MSELoss(), lambda c: 1 / 2)


@row(
    "scipy-least_squares-huber",
    "SciPy",
    '`least_squares(fun, x0, loss="huber", f_scale=C).cost`',
    "`HuberLoss(delta=C).rho(f).sum()`",
)
def _() -> None:
    check_least_squares("huber", lambda c: rl.HuberLoss(delta=c), lambda c: 1.0)


@row(
    "scipy-least_squares-soft_l1",
    "SciPy",
    '`least_squares(fun, x0, loss="soft_l1", f_scale=C).cost`',
    "`PseudoHuberLoss(delta=C).rho(f).sum()`",
)
def _() -> None:
    check_least_squares("soft_l1", lambda c: rl.PseudoHuberLoss(delta=c), lambda c: 1.0)


@row(
    "scipy-least_squares-cauchy",
    "SciPy",
    '`least_squares(fun, x0, loss="cauchy", f_scale=C).cost`',
    "`CauchyLoss(scale=C / 2**0.5).rho(f).sum()`",
    "`C**2 / 2`",
)
def _() -> None:
    check_least_squares("cauchy", lambda c: rl.CauchyLoss(scale=c / 2**0.5), lambda c: c**2 / 2)


@row(
    "scipy-least_squares-arctan",
    "SciPy",
    '`least_squares(fun, x0, loss="arctan", f_scale=C).cost`',
    "`ArctanLoss(scale=C).rho(f).sum()`",
)
def _() -> None:
    check_least_squares("arctan", lambda c: rl.ArctanLoss(scale=c), lambda c: 1.0)


# --- statsmodels -------------------------------------------------------------------------
def statsmodels_norms() -> Any:
    return pytest.importorskip("statsmodels.robust.norms")


def check_norm(norm: Any, ours: Any, factor: float = 1.0) -> None:
    """rho, psi, psi_deriv and weights of the residuals z = y - x: statsmodels' norm against
    factor x the loss object's, and against its ``as_norm()``."""
    for method in ("rho", "psi", "psi_deriv", "weights"):
        want = getattr(norm, method)(R)
        close(factor * getattr(ours, method)(R), want, what=f"{norm}.{method}")
        close(factor * getattr(ours.as_norm(), method)(R), want, what=f"as_norm().{method}")


@row("statsmodels-HuberT", "statsmodels", "`norms.HuberT(t)`", "`HuberLoss(delta=t)`")
def _() -> None:
    norms = statsmodels_norms()
    for t in (0.5, 1.345, 3.0):
        check_norm(norms.HuberT(t), rl.HuberLoss(delta=t))


@row("statsmodels-TukeyBiweight", "statsmodels", "`norms.TukeyBiweight(c)`", "`TukeyLoss(c=c)`")
def _() -> None:
    norms = statsmodels_norms()
    for c in (0.5, 1.0, 4.685):
        check_norm(norms.TukeyBiweight(c), rl.TukeyLoss(c=c))


@row("statsmodels-Hampel", "statsmodels", "`norms.Hampel(a, b, c)`", "`HampelLoss(a=a, b=b, c=c)`")
def _() -> None:
    norms = statsmodels_norms()
    for a, b, c in ((2.0, 4.0, 8.0), (1.0, 2.5, 6.0), (0.5, 1.0, 1.5)):
        check_norm(norms.Hampel(a, b, c), rl.HampelLoss(a=a, b=b, c=c))


@row("statsmodels-AndrewWave", "statsmodels", "`norms.AndrewWave(a)`", "`AndrewsWaveLoss(a=a)`")
def _() -> None:
    norms = statsmodels_norms()
    for a in (0.5, 1.339, 3.0):
        check_norm(norms.AndrewWave(a), rl.AndrewsWaveLoss(a=a))


@row("statsmodels-RamsayE", "statsmodels", "`norms.RamsayE(a)`", "`RamsayELoss(a=a)`")
def _() -> None:
    norms = statsmodels_norms()
    for a in (0.3, 1.0, 3.0):
        check_norm(norms.RamsayE(a), rl.RamsayELoss(a=a))


@row("statsmodels-TrimmedMean", "statsmodels", "`norms.TrimmedMean(c)`", "`TrimmedLoss(c=c)`")
def _() -> None:
    norms = statsmodels_norms()
    for c in (0.5, 2.0, 3.0):
        check_norm(norms.TrimmedMean(c), rl.TrimmedLoss(c=c))


@row(
    "statsmodels-TukeyQuartic",
    "statsmodels",
    "`norms.TukeyQuartic(c)`",
    "`TukeyQuarticLoss(c=c)`",
)
def _() -> None:
    norms = statsmodels_norms()
    # statsmodels' default exponent k = 4 is robustloss's
    for c in (1.0, 3.61752, 5.0):
        check_norm(norms.TukeyQuartic(c), rl.TukeyQuarticLoss(c=c))


@row("statsmodels-LeastSquares", "statsmodels", "`norms.LeastSquares()`", "`MSELoss()`", "`1 / 2`")
def _() -> None:
    norms = statsmodels_norms()
    check_norm(norms.LeastSquares(), rl.MSELoss(), 1 / 2)


@row(
    "statsmodels-StudentT",
    "statsmodels",
    "`norms.StudentT(c, df)`",
    "`CauchyLoss(scale=c * (df / 2) ** 0.5)`",
    "`c**2 * df / 2`",
)
def _() -> None:
    norms = statsmodels_norms()
    # statsmodels: rho = c**2 df / 2 (log(df + (z / c)**2) - log(df))
    for c, df in ((2.3849, 4.0), (1.0, 1.0), (3.0, 10.0)):
        ours = rl.CauchyLoss(scale=c * (df / 2) ** 0.5)
        check_norm(norms.StudentT(c, df), ours, c**2 * df / 2)


@row(
    "statsmodels-MQuantileNorm-HuberT",
    "statsmodels",
    "`norms.MQuantileNorm(q, norms.HuberT(t))`",
    "`HuberQuantileLoss(q=q, delta=t)`",
)
def _() -> None:
    norms = statsmodels_norms()
    # both weigh z = y - x >= 0 by q, z < 0 by 1 - q
    for q in (0.1, 0.5, 0.9):
        for t in (0.5, 1.345):
            ours = rl.HuberQuantileLoss(q=q, delta=t)
            check_norm(norms.MQuantileNorm(q, norms.HuberT(t)), ours)


@row(
    "statsmodels-MQuantileNorm-LeastSquares",
    "statsmodels",
    "`norms.MQuantileNorm(q, norms.LeastSquares())`",
    "`ExpectileLoss(q=q)`",
    "`1 / 2`",
)
def _() -> None:
    norms = statsmodels_norms()
    for q in (0.1, 0.5, 0.9):
        check_norm(norms.MQuantileNorm(q, norms.LeastSquares()), rl.ExpectileLoss(q=q), 1 / 2)


# --- Ceres Solver ------------------------------------------------------------------------
# include/ceres/loss_function.h (Ceres 2.x): a residual block f adds 1/2 rho(s) to the
# cost, s = |f|**2. internal/ceres/loss_function.cc: Evaluate(s, rho) sets rho[0] = rho(s)
# and rho[1] = rho'(s), which is the IRLS weight of r: d/dr 1/2 rho(r**2) = rho'(r**2) r.
# https://github.com/ceres-solver/ceres-solver/blob/master/internal/ceres/loss_function.cc
TINY = np.finfo(np.float64).tiny  # Ceres' std::numeric_limits<double>::min()
Evaluate = Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray]]


def check_ceres(evaluate: Evaluate, ours: Callable[[float], Any], factor: Callable) -> None:
    """Ceres' cost 1/2 rho(r**2) and weight rho'(r**2) of a scalar residual r against
    factor x ours.rho(r) and factor x ours.weights(r)."""
    for a in (0.5, 1.0, 3.0):
        rho, weight = evaluate(R * R, a)
        close(factor(a) * ours(a).rho(R), 0.5 * rho, what=f"cost, a = {a}")
        close(factor(a) * ours(a).weights(R), weight, what=f"weight, a = {a}")


@row("ceres-TrivialLoss", "Ceres Solver", "`ceres::TrivialLoss()`", "`MSELoss()`", "`1 / 2`")
def _() -> None:
    # TrivialLoss: rho[0] = s, rho[1] = 1 (also a block without a loss function)
    def evaluate(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
        return s, np.ones_like(s)

    check_ceres(evaluate, lambda a: rl.MSELoss(), lambda a: 1 / 2)


@row("ceres-HuberLoss", "Ceres Solver", "`ceres::HuberLoss(a)`", "`HuberLoss(delta=a)`")
def _() -> None:
    # HuberLoss(a): b_ = a * a; if s > b_: rho[0] = 2 a_ sqrt(s) - b_,
    # rho[1] = max(min, a_ / sqrt(s)); else rho[0] = s, rho[1] = 1
    def evaluate(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
        outlier, r = s > a * a, np.sqrt(s)
        with np.errstate(divide="ignore"):
            slope = np.maximum(TINY, a / r)
        return np.where(outlier, 2.0 * a * r - a * a, s), np.where(outlier, slope, 1.0)

    check_ceres(evaluate, lambda a: rl.HuberLoss(delta=a), lambda a: 1.0)


@row("ceres-SoftLOneLoss", "Ceres Solver", "`ceres::SoftLOneLoss(a)`", "`PseudoHuberLoss(delta=a)`")
def _() -> None:
    # SoftLOneLoss(a): b_ = a * a, c_ = 1 / b_, sum = 1 + s c_, tmp = sqrt(sum);
    # rho[0] = 2 b_ (tmp - 1), rho[1] = max(min, 1 / tmp)
    def evaluate(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
        tmp = np.sqrt(1.0 + s * (1.0 / (a * a)))
        return 2.0 * (a * a) * (tmp - 1.0), np.maximum(TINY, 1.0 / tmp)

    check_ceres(evaluate, lambda a: rl.PseudoHuberLoss(delta=a), lambda a: 1.0)


@row(
    "ceres-CauchyLoss",
    "Ceres Solver",
    "`ceres::CauchyLoss(a)`",
    "`CauchyLoss(scale=a / 2**0.5)`",
    "`a**2 / 2`",
)
def _() -> None:
    # CauchyLoss(a): b_ = a * a, c_ = 1 / b_, sum = 1 + s c_;
    # rho[0] = b_ log(sum), rho[1] = max(min, 1 / sum)
    def evaluate(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
        total = 1.0 + s * (1.0 / (a * a))
        return (a * a) * np.log(total), np.maximum(TINY, 1.0 / total)

    check_ceres(evaluate, lambda a: rl.CauchyLoss(scale=a / 2**0.5), lambda a: a**2 / 2)


@row("ceres-ArctanLoss", "Ceres Solver", "`ceres::ArctanLoss(a)`", "`ArctanLoss(scale=a**0.5)`")
def _() -> None:
    # ArctanLoss(a): b_ = 1 / (a * a); rho[0] = a_ atan2(s, a_),
    # rho[1] = max(min, 1 / (1 + s * s * b_)); its a is in units of s, a squared residual
    def evaluate(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
        return a * np.arctan2(s, a), np.maximum(TINY, 1.0 / (1.0 + s * s * (1.0 / (a * a))))

    check_ceres(evaluate, lambda a: rl.ArctanLoss(scale=a**0.5), lambda a: 1.0)


@row("ceres-TukeyLoss", "Ceres Solver", "`ceres::TukeyLoss(a)`", "`TukeyLoss(c=a)`")
def _() -> None:
    # TukeyLoss(a), Ceres 2.0 and later: a_squared_ = a * a; if s <= a_squared_:
    # value = 1 - s / a_squared_, rho[0] = a_squared_ / 3 (1 - value**3), rho[1] = value**2;
    # else rho[0] = a_squared_ / 3, rho[1] = 0
    def evaluate(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
        inlier, value = s <= a * a, 1.0 - s / (a * a)
        rho = np.where(inlier, a * a / 3.0 * (1.0 - value**3), a * a / 3.0)
        return rho, np.where(inlier, value**2, 0.0)

    check_ceres(evaluate, lambda a: rl.TukeyLoss(c=a), lambda a: 1.0)

    # Ceres 1.x (before 2.0.0's "Fix Tukey loss function", 6da3647): a_squared_ / 6 and
    # rho[1] = 0.5 value**2, half of the above
    def evaluate_1x(s: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
        rho, weight = evaluate(s, a)
        return rho / 2, weight / 2

    check_ceres(evaluate_1x, lambda a: rl.TukeyLoss(c=a), lambda a: 1 / 2)


# --- GTSAM -------------------------------------------------------------------------------
# gtsam/linear/LossFunctions.cpp and .h (GTSAM 4.1 to 4.3): mEstimator::X::loss(e) and
# weight(e) of the residual e; a factor with a Robust noise model has the error
# loss(|whitened error|) (gtsam/linear/NoiseModel.h, Robust::loss).
# https://github.com/borglab/gtsam/blob/develop/gtsam/linear/LossFunctions.cpp
def check_gtsam(
    loss: Callable[[np.ndarray, float], np.ndarray],
    weight: Callable[[np.ndarray, float], np.ndarray],
    ours: Callable[[float], Any],
    factor: Callable,
) -> None:
    """GTSAM's loss(e) and weight(e) against factor x ours.rho(e), ours.weights(e)."""
    for k in (0.5, 1.0, 3.0):
        close(factor(k) * ours(k).rho(R), loss(R, k), what=f"loss, k = {k}")
        close(factor(k) * ours(k).weights(R), weight(R, k), what=f"weight, k = {k}")


@row("gtsam-Null", "GTSAM", "`Null()`", "`MSELoss()`", "`1 / 2`")
def _() -> None:
    # Null (LossFunctions.h): loss 0.5 e**2, weight 1
    check_gtsam(
        lambda e, k: 0.5 * e * e,
        lambda e, k: np.ones_like(e),
        lambda k: rl.MSELoss(),
        lambda k: 1 / 2,
    )


@row("gtsam-Huber", "GTSAM", "`Huber(k)`", "`HuberLoss(delta=k)`")
def _() -> None:
    # Huber: loss e**2 / 2 if |e| <= k_, else k_ (|e| - k_ / 2); weight 1, else k_ / |e|
    def loss(e: np.ndarray, k: float) -> np.ndarray:
        return np.where(np.abs(e) <= k, e * e / 2, k * (np.abs(e) - k / 2))

    def weight(e: np.ndarray, k: float) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.where(np.abs(e) <= k, 1.0, k / np.abs(e))

    check_gtsam(loss, weight, lambda k: rl.HuberLoss(delta=k), lambda k: 1.0)


@row(
    "gtsam-Cauchy",
    "GTSAM",
    "`Cauchy(k)`",
    "`CauchyLoss(scale=k / 2**0.5)`",
    "`k**2 / 2`",
)
def _() -> None:
    # Cauchy: loss ksquared_ log1p(e**2 / ksquared_) 0.5; weight ksquared_ / (ksquared_ + e**2)
    def loss(e: np.ndarray, k: float) -> np.ndarray:
        return (k * k) * np.log1p(e * e / (k * k)) * 0.5

    def weight(e: np.ndarray, k: float) -> np.ndarray:
        return (k * k) / (k * k + e * e)

    check_gtsam(loss, weight, lambda k: rl.CauchyLoss(scale=k / 2**0.5), lambda k: k**2 / 2)


@row("gtsam-Tukey", "GTSAM", "`Tukey(c)`", "`TukeyLoss(c=c)`")
def _() -> None:
    # Tukey: with u = 1 - e**2 / csquared_, loss csquared_ (1 - u**3) / 6 and weight u**2
    # if |e| <= c_, else csquared_ / 6 and 0
    def loss(e: np.ndarray, c: float) -> np.ndarray:
        u = 1.0 - e * e / (c * c)
        return np.where(np.abs(e) <= c, c * c * (1 - u**3) / 6.0, c * c / 6.0)

    def weight(e: np.ndarray, c: float) -> np.ndarray:
        return np.where(np.abs(e) <= c, (1.0 - e * e / (c * c)) ** 2, 0.0)

    check_gtsam(loss, weight, lambda c: rl.TukeyLoss(c=c), lambda c: 1.0)


@row(
    "gtsam-GemanMcClure",
    "GTSAM",
    "`GemanMcClure(c)`",
    "`GemanMcClureLoss(scale=c / 2)`",
    "`c**2 / 4`",
)
def _() -> None:
    # GemanMcClure: loss 0.5 c**2 e**2 / (c**2 + e**2); weight c**4 / (c**2 + e**2)**2
    def loss(e: np.ndarray, c: float) -> np.ndarray:
        return 0.5 * (c * c * (e * e)) / (c * c + e * e)

    def weight(e: np.ndarray, c: float) -> np.ndarray:
        return (c * c) ** 2 / (c * c + e * e) ** 2

    check_gtsam(loss, weight, lambda c: rl.GemanMcClureLoss(scale=c / 2), lambda c: c**2 / 4)


@row(
    "gtsam-Welsch",
    "GTSAM",
    "`Welsch(c)`",
    "`WelschLoss(scale=c / 2**0.5)`",
    "`c**2 / 2`",
)
def _() -> None:
    # Welsch: loss csquared_ 0.5 (-expm1(-e**2 / csquared_)); weight exp(-e**2 / csquared_)
    def loss(e: np.ndarray, c: float) -> np.ndarray:
        return (c * c) * 0.5 * -np.expm1(-(e * e) / (c * c))

    def weight(e: np.ndarray, c: float) -> np.ndarray:
        return np.exp(-(e * e) / (c * c))

    check_gtsam(loss, weight, lambda c: rl.WelschLoss(scale=c / 2**0.5), lambda c: c**2 / 2)


@row("gtsam-Fair", "GTSAM", "`Fair(c)`", "`FairLoss(c=c)`")
def _() -> None:
    # Fair: loss c_**2 (|e| / c_ - log1p(|e| / c_)); weight 1 / (1 + |e| / c_)
    def loss(e: np.ndarray, c: float) -> np.ndarray:
        u = np.abs(e) / c
        return c * c * (u - np.log1p(u))

    def weight(e: np.ndarray, c: float) -> np.ndarray:
        return 1.0 / (1.0 + np.abs(e) / c)

    check_gtsam(loss, weight, lambda c: rl.FairLoss(c=c), lambda c: 1.0)


@row(
    "gtsam-L2WithDeadZone",
    "GTSAM",
    "`L2WithDeadZone(k)`",
    "`SquaredEpsilonInsensitiveLoss(epsilon=k)`",
    "`1 / 2`",
)
def _() -> None:
    # L2WithDeadZone: loss 0 if |e| < k_, else 0.5 (k_ - |e|)**2; weight 0 if |e| <= k_,
    # (e - k_) / e above, (e + k_) / e below
    def loss(e: np.ndarray, k: float) -> np.ndarray:
        return np.where(np.abs(e) < k, 0.0, 0.5 * (k - np.abs(e)) ** 2)

    def weight(e: np.ndarray, k: float) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.abs(e) <= k, 0.0, np.where(e > k, (e - k) / e, (e + k) / e))

    def ours(k: float) -> Any:
        return rl.SquaredEpsilonInsensitiveLoss(epsilon=k)

    check_gtsam(loss, weight, ours, lambda k: 1 / 2)


# --- the tests ---------------------------------------------------------------------------
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_row_of_the_table(row: Row) -> None:
    row.check()


def table_of_the_guide() -> list[tuple[str, str, str, str]]:
    """The rows of the guide's conversion tables: (library, peer, factor, robustloss).

    The section "The conversion table" has one table per library, each after a paragraph
    that starts with the library's name in bold.
    """
    text = GUIDE.read_text("utf-8")
    section = text.split("## The conversion table\n", 1)[1].split("\n## ", 1)[0]
    rows, library, in_table = [], None, False
    for line in section.splitlines():
        if m := re.match(r"\*\*(.+?)\*\*", line):
            library = m.group(1)
        elif line == HEADER:
            in_table = True
        elif in_table and line.startswith("|---"):
            continue
        elif in_table and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert len(cells) == 3, f"not 3 cells (a | inside a cell?): {line}"
            rows.append((library, cells[0], cells[1], cells[2]))
        else:
            in_table = False
    return rows


def test_the_table_is_the_checked_rows() -> None:
    assert len({r.id for r in ROWS}) == len(ROWS)
    assert table_of_the_guide() == [(r.library, r.peer, r.factor, r.ours) for r in ROWS]


# --- other statements of the guide -------------------------------------------------------
def test_defaults_are_statsmodels_but_huber() -> None:
    norms = statsmodels_norms()
    same = [
        (norms.TukeyBiweight(), rl.TukeyLoss()),
        (norms.Hampel(), rl.HampelLoss()),
        (norms.AndrewWave(), rl.AndrewsWaveLoss()),
        (norms.RamsayE(), rl.RamsayELoss()),
        (norms.TrimmedMean(), rl.TrimmedLoss()),
        (norms.TukeyQuartic(), rl.TukeyQuarticLoss()),
        (norms.HuberT(), rl.HuberLoss(delta=1.345)),
    ]
    for norm, ours in same:
        close(ours.rho(R), norm.rho(R), what=str(norm))
    assert not np.allclose(rl.HuberLoss().rho(R), norms.HuberT().rho(R))


def test_rlm_fits_student_t_without_the_factor() -> None:
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.stackloss.load()
    X = sm.add_constant(np.asarray(data.exog, np.float64))  # noqa: N806
    y = np.asarray(data.endog, np.float64)
    c, df = 2.3849, 4.0
    want = sm.RLM(y, X, M=sm.robust.norms.StudentT(c, df)).fit()
    got = sm.RLM(y, X, M=rl.CauchyLoss(scale=c * (df / 2) ** 0.5).as_norm()).fit()
    close(got.params, want.params, rtol=1e-10)
    close(got.bse, want.bse, rtol=1e-10)
