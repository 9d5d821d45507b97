"""Write ``src/robustloss/_data/reference.json`` from implementations independent of robustloss.

robustloss never computes its own expected values. Each expected value and gradient is
*produced* by one of:

* ``torch.nn.functional`` (``huber_loss``, ``smooth_l1_loss``, ``l1_loss``, ``mse_loss``) in
  float64, with gradients from ``torch.autograd``, wherever PyTorch's semantics are ours:
  ``'none'``, ``'mean'`` and ``'sum'`` without a weight; ``huber_loss(weight=w)`` for
  ``'none'``, ``'sum'`` and ``'mean'`` (PyTorch divides by N there, as we do);
  ``l1_loss`` / ``mse_loss(weight=w)`` for ``'none'``, ``'sum'`` and ``'weighted_mean'``
  (PyTorch's weighted ``'mean'`` divides by ``sum(w)``); and, without a weight,
  ``'weighted_mean'`` by PyTorch's ``'mean'`` (``sum(w) = N`` then);
* mpmath at 50 digits, evaluating the definitions of DESIGN.md written out with explicit
  branches (``tests/support/oracle.py``), for what PyTorch cannot produce (Huber and
  Smooth L1 ``'weighted_mean'`` with a weight, Smooth L1 with a weight, L1 and MSE
  ``'mean'`` with a weight).

For the rest of the family (log-cosh, pseudo-Huber, Tukey, Cauchy, Welsch, Geman-McClure
and Barron's general loss, which PyTorch lacks) mpmath produces every value and gradient,
from the formulas as printed (``log(cosh r)``, Barron's expression and its limits), and
the textbook formulas in PyTorch float64 differentiated by ``torch.autograd`` check them,
with ``scipy.special.pseudo_huber``, statsmodels' ``TukeyBiweight`` (rho and psi) and
``optax.log_cosh`` with ``jax.grad`` where they apply, to 1e-8 relative (those formulas
cancel near r = 0 in float64).

Each entry of the core losses is then *checked* by the others, and the agreeing checkers
are listed in its ``checked_by``: mpmath for every PyTorch entry, PyTorch's elementwise
loss times the weight (reduced by PyTorch, differentiated by ``torch.autograd``) for
every mpmath entry, and for Huber ``scipy.special.huber`` (values), statsmodels'
``HuberT`` (rho and psi) and ``optax.huber_loss`` with ``jax.grad`` (values and
gradients). A producer and mpmath must
agree or the script fails; a SciPy or optax disagreement is printed and left out of
``checked_by``.

Inputs are exact in every dtype a case lists (multiples of 1/16 in [-8, 8], weights
multiples of 1/4 in [0, 4]); a dtype is listed only if the inputs are exact in it and no
expected value overflows it.

    python tests/reference/generate.py           # rewrite the file
    python tests/reference/generate.py --check   # exit 1 if the file is not what this writes

The losses and their hyper-parameters come from the tests' table (``tests/support/cases.py``,
each row's ``reference`` sets, in order); no test imports this script.

``--check`` compares the regenerated data with the file: structure, ids, inputs, dtypes
and sources exactly, numbers to 4 units in the last place (PyTorch's summation order may
differ between machines). Differences only in the version numbers of the peers are
reported but pass, so that a newer SciPy or optax does not fail the test suite.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jax
import mpmath
import numpy as np
import optax
import scipy
import scipy.special
import statsmodels
import statsmodels.robust.norms as norms
import torch
import torch.nn.functional as F
from scipy.optimize._lsq.least_squares import arctan as scipy_arctan
from sklearn import __version__ as V_SKLEARN
from sklearn.linear_model._sgd_fast import EpsilonInsensitive, SquaredEpsilonInsensitive
from sklearn.metrics import mean_pinball_loss
from statsmodels.robust.norms import HuberT, TukeyBiweight

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402  (after x64 is on)

TESTS = str(Path(__file__).resolve().parents[1])  # for the tests' support package
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
from support.cases import CASES, FAMILY  # noqa: E402
from support.oracle import mp_reduce  # noqa: E402
from support.textbook import torch_rho  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "robustloss" / "_data" / "reference.json"
#: this script, as the file records it
GENERATOR = "tests/reference/generate.py"
REDUCTIONS = ("none", "mean", "sum", "weighted_mean")
DTYPES = ("float16", "bfloat16", "float32", "float64")
TORCH_DTYPES = {name: getattr(torch, name) for name in DTYPES}
SEED = 20261122
DIGITS = 50  # mpmath's working precision, set in build() only

V_TORCH = torch.__version__.split("+")[0]
V_MPMATH = mpmath.__version__
MPMATH = f"mpmath {V_MPMATH} (50 digits, DESIGN.md formulas)"
AUTOGRAD = f"torch.autograd {V_TORCH}"
SCIPY = f"scipy.special.huber {scipy.__version__} (value)"
OPTAX = f"optax.huber_loss {optax.__version__} + jax.grad {jax.__version__}"

#: (loss, hyper-parameters) of the file, in order
LOSSES: list[tuple[str, dict[str, float]]] = [(c.name, p) for c in CASES for p in c.reference]

#: how a producer and mpmath must agree (a few ulp of sums of <= 30 terms)
AGREE = {"rtol": 1e-14, "atol": 1e-300, "equal_nan": True}
#: how SciPy and optax must agree to count as checkers: the float64 tolerance of the tests
#: (optax's branch-free form, differentiated by JAX, cancels: its gradient at r = 2**-10
#: under 'mean' is off by 6e-14 relative)
PEER_AGREE = {"rtol": 1e-12, "atol": 1e-300, "equal_nan": True}
#: how the family's checkers must agree: textbook formulas in float64 cancel near r = 0
#: (1 - (1 - v)**3 for Tukey, sqrt(1 + x) - 1, |r| + softplus(-2|r|) - log 2) and lose up
#: to ~1e-9 relative there; 1e-8 still catches any wrong formula or branch
FAMILY_AGREE = {"rtol": 1e-8, "atol": 1e-300, "equal_nan": True}


# --- PyTorch -------------------------------------------------------------------------------
def _torch_fn(loss: str, p: dict[str, float]) -> tuple[Callable[..., torch.Tensor], str]:
    if loss == "huber":
        return (lambda a, b, **k: F.huber_loss(a, b, delta=p["delta"], **k)), "huber_loss"
    if loss == "smooth_l1":
        return (lambda a, b, **k: F.smooth_l1_loss(a, b, beta=p["beta"], **k)), "smooth_l1_loss"
    if loss == "l1":
        return F.l1_loss, "l1_loss"
    return F.mse_loss, "mse_loss"


def torch_family_check(
    loss: str, p: dict[str, float], reduction: str, x: np.ndarray, y: np.ndarray, w: Any
) -> tuple[Any, np.ndarray, str]:
    """The family's formula in PyTorch float64, weighted and reduced, and torch.autograd."""
    fn = torch_rho(loss, p)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64)
    tw = torch.broadcast_to(torch.tensor(1.0 if w is None else w, dtype=torch.float64), tx.shape)
    wl = fn(tx - ty) * tw
    den = {"none": 1.0, "sum": 1.0, "mean": float(tx.numel()), "weighted_mean": tw.sum()}
    value = wl / 1.0 if reduction == "none" else wl.sum() / den[reduction]
    value.sum().backward()
    assert tx.grad is not None
    return value.detach().numpy(), tx.grad.numpy(), f"torch {V_TORCH} formula + torch.autograd"


def torch_native(
    loss: str, p: dict[str, float], reduction: str, x: np.ndarray, y: np.ndarray, w: Any
) -> tuple[Any, np.ndarray, str, str] | None:
    """(value, grad, value_source, grad_source) by PyTorch's own reduction, or None."""
    if loss in FAMILY:
        return None
    fn, name = _torch_fn(loss, p)
    src = f"torch.nn.functional.{name} {V_TORCH}"
    if w is None:
        red = "mean" if reduction == "weighted_mean" else reduction
        how = f"(reduction='{red}')" + (", no weight: sum(w) = N" if red != reduction else "")
    elif reduction in ("none", "sum") and loss != "smooth_l1":
        red, how = reduction, f"(reduction='{reduction}', weight=w)"
    elif reduction == "mean" and loss == "huber":
        red, how = "mean", "(reduction='mean', weight=w): sum(w*l)/N"
    elif reduction == "weighted_mean" and loss in ("l1", "mse"):
        red, how = "mean", "(reduction='mean', weight=w): sum(w*l)/sum(w)"
    else:
        return None
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64)
    kw: dict[str, Any] = {"reduction": red}
    if w is not None:
        kw["weight"] = torch.broadcast_to(torch.tensor(w, dtype=torch.float64), tx.shape)
    value = fn(tx, ty, **kw)
    (value.sum() if reduction == "none" else value).backward()
    assert tx.grad is not None
    gsrc = AUTOGRAD + (" (of the sum of the elementwise values)" if reduction == "none" else "")
    return value.detach().numpy(), tx.grad.numpy(), f"{src} {how}", gsrc


def torch_elementwise_check(
    loss: str, p: dict[str, float], reduction: str, x: np.ndarray, y: np.ndarray, w: Any
) -> tuple[Any, np.ndarray, str]:
    """PyTorch's unreduced loss times the weight, reduced by PyTorch, and its autograd."""
    fn, name = _torch_fn(loss, p)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64)
    tw = torch.broadcast_to(torch.tensor(1.0 if w is None else w, dtype=torch.float64), tx.shape)
    wl = fn(tx, ty, reduction="none") * tw
    if reduction == "none":
        value, total = wl, wl.sum()
    elif reduction == "sum":
        value = total = wl.sum()
    elif reduction == "mean":
        value = total = wl.sum() / tx.numel()
    else:
        value = total = wl.sum() / tw.sum()
    total.backward()
    assert tx.grad is not None
    label = f"torch.nn.functional.{name} {V_TORCH} (reduction='none') * w + torch.autograd"
    return value.detach().numpy(), tx.grad.numpy(), label


# --- SciPy and optax, for Huber ------------------------------------------------------------
def _reduce_np(wl: np.ndarray, wb: np.ndarray, reduction: str) -> Any:
    if reduction == "none":
        return wl
    total = math.fsum(wl.ravel().tolist())
    den = {"sum": 1.0, "mean": float(wl.size), "weighted_mean": math.fsum(wb.ravel().tolist())}
    d = den[reduction]
    return np.float64(math.nan if d == 0 else total / d)


def scipy_huber(delta: float, reduction: str, x: np.ndarray, y: np.ndarray, w: Any) -> Any:
    wb = np.broadcast_to(np.float64(1.0) if w is None else w, x.shape)
    return _reduce_np(scipy.special.huber(delta, x - y) * wb, wb, reduction)


@functools.partial(jax.jit, static_argnames="reduction")
def _optax_value_and_grad(x: Any, y: Any, wb: Any, delta: Any, reduction: str) -> Any:
    def reduced(xj: Any) -> Any:
        wl = optax.huber_loss(xj, y, delta=delta) * wb
        if reduction == "none":
            return wl
        den = {"sum": 1.0, "mean": wl.size, "weighted_mean": jnp.sum(wb)}[reduction]
        return jnp.sum(wl) / den

    return reduced(x), jax.grad(lambda a: jnp.sum(reduced(a)))(x)


def optax_huber(
    delta: float, reduction: str, x: np.ndarray, y: np.ndarray, w: Any
) -> tuple[Any, np.ndarray]:
    """optax's elementwise Huber loss, weighted and reduced by JAX, and its ``jax.grad``."""
    wb = np.broadcast_to(np.float64(1.0) if w is None else w, x.shape)
    value, grad = _optax_value_and_grad(
        jnp.asarray(x, jnp.float64),
        jnp.asarray(y, jnp.float64),
        jnp.asarray(wb, jnp.float64),
        jnp.asarray(delta, jnp.float64),
        reduction=reduction,
    )
    return np.asarray(value, np.float64), np.asarray(grad, np.float64)


@functools.partial(jax.jit, static_argnames="reduction")
def _optax_log_cosh(x: Any, y: Any, wb: Any, reduction: str) -> Any:
    def reduced(xj: Any) -> Any:
        wl = optax.log_cosh(xj, y) * wb
        if reduction == "none":
            return wl
        den = {"sum": 1.0, "mean": wl.size, "weighted_mean": jnp.sum(wb)}[reduction]
        return jnp.sum(wl) / den

    return reduced(x), jax.grad(lambda a: jnp.sum(reduced(a)))(x)


OPTAX_LOG_COSH = f"optax.log_cosh {optax.__version__} + jax.grad {jax.__version__}"


def optax_log_cosh(reduction: str, x: np.ndarray, y: np.ndarray, w: Any) -> tuple[Any, Any]:
    """optax's log-cosh, weighted and reduced by JAX, and its ``jax.grad``."""
    wb = np.broadcast_to(np.float64(1.0) if w is None else w, x.shape)
    value, grad = _optax_log_cosh(
        jnp.asarray(x, jnp.float64),
        jnp.asarray(y, jnp.float64),
        jnp.asarray(wb, jnp.float64),
        reduction=reduction,
    )
    return np.asarray(value, np.float64), np.asarray(grad, np.float64)


# --- the cases -----------------------------------------------------------------------------
@dataclass
class InputSet:
    """One input / target pair and the weights it is tried with besides none."""

    name: str
    x: np.ndarray
    y: np.ndarray
    weights: list[tuple[str, np.ndarray]] = field(default_factory=list)


def _grid(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Multiples of 1/16 in [-8, 8]: exact in float16, bfloat16, float32 and float64."""
    return np.asarray(rng.integers(-128, 129, size=shape) / 16.0, dtype=np.float64)


def _weight(rng: np.random.Generator, shape: tuple[int, ...], zeros: bool) -> np.ndarray:
    """Multiples of 1/4 in [0, 4] (in [1/4, 4] without zeros), never all zero."""
    w = np.asarray(rng.integers(0 if zeros else 1, 17, size=shape) / 4.0, dtype=np.float64)
    if not np.any(w):
        w = w + 1.0
    return w


def input_sets(index: int, k: float) -> list[InputSet]:
    """The inputs of the `index`-th loss; `k` is its delta or beta (1 where it has none)."""
    rng = np.random.default_rng([SEED, index])
    x0, y0 = _grid(rng, ()), _grid(rng, ())
    x3, y3 = _grid(rng, (2, 3, 4)), _grid(rng, (2, 3, 4))
    # r = x - y on every kink and side of it: 0, +-k, +-2k, k/2, tiny, huge.
    r = np.array([0.0, k, -k, 2 * k, -2 * k, k / 2, 2.0**-10, -(2.0**-10), 1000.0, -1000.0])
    t = np.array([0.5, -1.25, 3.0, 0.25, -2.0, 1.5, 0.0, 0.0, 8.0, -4.0])
    # float32 values (not on the 1/16 grid) as float64: exact in float32 and float64 only
    xr = np.asarray(rng.standard_normal((5, 6)) * 2.5, dtype=np.float32).astype(np.float64)
    yr = np.asarray(rng.standard_normal((5, 6)) * 2.5, dtype=np.float32).astype(np.float64)
    return [
        InputSet("0d", x0, y0, [("full_weight", _weight(rng, (), zeros=False))]),
        InputSet("1d", _grid(rng, (7,)), _grid(rng, (7,))),
        InputSet(
            "3d",
            x3,
            y3,
            [
                ("full_weight", _weight(rng, (2, 3, 4), zeros=True)),
                ("weight_4", _weight(rng, (4,), zeros=False)),
                ("weight_1x3x1", _weight(rng, (1, 3, 1), zeros=False)),
                ("scalar_weight", _weight(rng, (), zeros=False)),
            ],
        ),
        InputSet("empty", np.zeros((0,)), np.zeros((0,))),
        InputSet(
            "empty2d", np.zeros((0, 3)), np.zeros((0, 3)), [("weight_3", _weight(rng, (3,), True))]
        ),
        InputSet("edges", r + t, t, [("full_weight", _weight(rng, (10,), zeros=True))]),
        InputSet("random", xr, yr, [("weight_6", _weight(rng, (6,), zeros=False))]),
    ]


def honest_dtypes(arrays: list[np.ndarray], results: list[np.ndarray]) -> list[str]:
    """Dtypes in which every input is exact and every finite expected number stays finite."""
    out = []
    for name in DTYPES:
        td = TORCH_DTYPES[name]
        exact = all(
            torch.equal(torch.from_numpy(a).to(td).double(), torch.from_numpy(a)) for a in arrays
        )
        fits = all(
            bool(torch.isfinite(torch.from_numpy(v[np.isfinite(v)]).to(td)).all()) for v in results
        )
        if exact and fits:
            out.append(name)
    return out


def _agree(a: Any, b: Any, tol: dict[str, Any] = AGREE) -> bool:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, **tol))


#: checks by SciPy or optax that failed (printed; the file leaves them out)
DISAGREEMENTS: list[str] = []


def _peer(
    cid: str, reduction: str, label: str, got: Any, want: Any, tol: dict[str, Any] = FAMILY_AGREE
) -> list[str]:
    """[label] if a peer agrees to `tol`, else note the disagreement.

    `got` and `want` are a value, or a (value, gradient) pair.
    """
    pairs = zip(got, want, strict=True) if isinstance(got, tuple) else [(got, want)]
    if all(_agree(g, v, tol) for g, v in pairs):
        return [label]
    DISAGREEMENTS.append(f"{cid} {reduction}: {label} {got} vs {want}")
    return []


def family_checks(
    cid: str,
    loss: str,
    p: dict[str, float],
    reduction: str,
    x: np.ndarray,
    y: np.ndarray,
    w: Any,
    mv: Any,
    mg: np.ndarray,
) -> list[str]:
    """Who confirms an mpmath entry of the family: PyTorch, SciPy, statsmodels, JAX."""
    wb = np.broadcast_to(np.float64(1.0) if w is None else w, x.shape)
    r = x - y
    checked: list[str] = []
    with np.errstate(all="ignore"):
        tv, tg, label = torch_family_check(loss, p, reduction, x, y, w)
        checked += _peer(cid, reduction, label, (tv, tg), (mv, mg))
        if loss == "pseudo_huber":
            sv = _reduce_np(scipy.special.pseudo_huber(p["delta"], r) * wb, wb, reduction)
            label = f"scipy.special.pseudo_huber {scipy.__version__} (value)"
            checked += _peer(cid, reduction, label, sv, mv)
        if loss == "tukey":
            norm = TukeyBiweight(c=p["c"])
            sv = _reduce_np(norm.rho(r) * wb, wb, reduction)
            den = {"none": 1.0, "sum": 1.0, "mean": float(max(r.size, 1))}
            sg = norm.psi(r) * wb / den.get(reduction, float(np.sum(wb)) or math.nan)
            label = f"statsmodels TukeyBiweight {statsmodels.__version__} (rho, psi)"
            checked += _peer(cid, reduction, label, (sv, sg), (mv, mg))
        if loss == "log_cosh":
            ov, og = optax_log_cosh(reduction, x, y, w)
            checked += _peer(cid, reduction, OPTAX_LOG_COSH, (ov, og), (mv, mg))
        peer = elementwise_peer(loss, p, x, y)
        if peer is not None:
            label, rho, psi = peer
            sv = _reduce_np(rho * wb, wb, reduction)
            if psi is None:
                checked += _peer(cid, reduction, label, sv, mv)
            else:
                den = {"none": 1.0, "sum": 1.0, "mean": float(max(r.size, 1))}
                sg = psi * wb / den.get(reduction, float(np.sum(wb)) or math.nan)
                checked += _peer(cid, reduction, label, (sv, sg), (mv, mg))
    return checked


def elementwise_peer(
    loss: str, p: dict[str, float], x: np.ndarray, y: np.ndarray
) -> tuple[str, np.ndarray, np.ndarray | None] | None:
    """(label, rho, psi) of a peer library at r = x - y, elementwise (psi: d / dx), or None.

    statsmodels' norms take the residual z = y - x, as its RLM does: rho(-r), -psi(-r).
    """
    r = x - y
    if r.size == 0:
        return None
    sm = f"statsmodels {statsmodels.__version__}"
    statsmodels_norms = {
        "hampel": lambda: norms.Hampel(p["a"], p["b"], p["c"]),
        "andrews_wave": lambda: norms.AndrewWave(p["a"]),
        "ramsay_e": lambda: norms.RamsayE(p["a"]),
        "trimmed": lambda: norms.TrimmedMean(p["c"]),
        "tukey_quartic": lambda: norms.TukeyQuartic(p["c"]),
        "huber_quantile": lambda: norms.MQuantileNorm(p["q"], HuberT(t=p["delta"])),
        "expectile": lambda: norms.MQuantileNorm(p["q"], norms.LeastSquares()),
    }
    if loss in statsmodels_norms:
        try:
            norm = statsmodels_norms[loss]()
        except AttributeError:  # an older statsmodels without it (TukeyQuartic is recent)
            return None
        factor = 2.0 if loss == "expectile" else 1.0  # its base norm is z**2 / 2
        z = -r.ravel()
        rho = factor * np.asarray(norm.rho(z), np.float64).reshape(r.shape)
        psi = -factor * np.asarray(norm.psi(z), np.float64).reshape(r.shape)
        return f"{sm} {type(norm).__name__} (rho, psi)", rho, psi
    if loss == "quantile":
        rho = mean_pinball_loss(
            y.reshape(1, -1), x.reshape(1, -1), alpha=p["q"], multioutput="raw_values"
        ).reshape(r.shape)
        return f"sklearn.metrics.mean_pinball_loss {V_SKLEARN} (value)", rho, None
    if loss in ("epsilon_insensitive", "squared_epsilon_insensitive"):
        kind = EpsilonInsensitive if loss == "epsilon_insensitive" else SquaredEpsilonInsensitive
        fn = kind(p["epsilon"])
        pairs = list(zip(x.ravel(), y.ravel(), strict=True))
        rho = np.array([fn.py_loss(a, b) for a, b in pairs]).reshape(r.shape)
        psi = np.array([fn.py_dloss(a, b) for a, b in pairs]).reshape(r.shape)
        return f"sklearn SGDRegressor {kind.__name__} {V_SKLEARN} (loss, dloss)", rho, psi
    if loss == "arctan":
        c = p["scale"]
        z = (r.ravel() / c) ** 2
        out = np.empty((3, z.size))
        scipy_arctan(z, out, cost_only=False)
        rho = (0.5 * c * c * out[0]).reshape(r.shape)
        psi = (r.ravel() * out[1]).reshape(r.shape)
        return f"scipy.optimize.least_squares loss='arctan' {scipy.__version__}", rho, psi
    return None


def entry(
    cid: str, loss: str, p: dict[str, float], reduction: str, x: np.ndarray, y: np.ndarray, w: Any
) -> dict[str, Any]:
    """The expected value and gradient of one reduction, with producer and checkers."""
    mv, mg = mp_reduce(loss, p, reduction, x, y, w)
    native = torch_native(loss, p, reduction, x, y, w)
    checked = []
    if native is not None:
        value, grad, vsrc, gsrc = native
        if not (_agree(value, mv) and _agree(grad, mg)):
            raise AssertionError(f"{cid} {reduction}: PyTorch {value} {grad} vs mpmath {mv} {mg}")
        checked.append(MPMATH)
    elif loss in FAMILY:
        value, grad, vsrc, gsrc = mv, mg, MPMATH, MPMATH
        checked += family_checks(cid, loss, p, reduction, x, y, w, mv, mg)
    else:
        value, grad, vsrc, gsrc = mv, mg, MPMATH, MPMATH
        tv, tg, label = torch_elementwise_check(loss, p, reduction, x, y, w)
        if not (_agree(tv, mv) and _agree(tg, mg)):
            raise AssertionError(f"{cid} {reduction}: mpmath {mv} {mg} vs PyTorch {tv} {tg}")
        checked.append(label)
    if loss == "huber":
        sv = scipy_huber(p["delta"], reduction, x, y, w)
        if _agree(sv, value, PEER_AGREE):
            checked.append(SCIPY)
        else:
            DISAGREEMENTS.append(f"{cid} {reduction}: scipy {sv} vs {value}")
        wb = np.broadcast_to(np.float64(1.0) if w is None else w, x.shape)
        norm = HuberT(t=p["delta"])
        hv = _reduce_np(norm.rho(x - y) * wb, wb, reduction)
        den = {"none": 1.0, "sum": 1.0, "mean": float(max(x.size, 1))}
        hg = norm.psi(x - y) * wb / den.get(reduction, float(np.sum(wb)) or math.nan)
        label = f"statsmodels HuberT {statsmodels.__version__} (rho, psi)"
        checked += _peer(cid, reduction, label, (hv, hg), (value, grad), PEER_AGREE)
        ov, og = optax_huber(p["delta"], reduction, x, y, w)
        if _agree(ov, value, PEER_AGREE) and _agree(og, grad, PEER_AGREE):
            checked.append(OPTAX)
        else:
            DISAGREEMENTS.append(f"{cid} {reduction}: optax {ov} {og} vs {value} {grad}")
    return {
        "value": np.asarray(value, np.float64).tolist(),
        "value_source": vsrc,
        "grad": np.asarray(grad, np.float64).tolist(),
        "grad_source": gsrc,
        "checked_by": checked,
    }


def make_case(
    loss: str, p: dict[str, float], s: InputSet, wname: str | None, w: np.ndarray | None
) -> dict[str, Any]:
    pid = "".join(f"-{k}{v:g}" for k, v in p.items())
    cid = f"{loss}{pid}-{s.name}" + (f"-{wname}" if wname else "")
    expected = {red: entry(cid, loss, p, red, s.x, s.y, w) for red in REDUCTIONS}
    results = [np.asarray(e[k], np.float64) for e in expected.values() for k in ("value", "grad")]
    arrays = [s.x, s.y] + ([] if w is None else [w])
    return {
        "id": cid,
        "loss": loss,
        "params": p,
        "shape": list(s.x.shape),
        "input": s.x.tolist(),
        "target": s.y.tolist(),
        "weight": None if w is None else w.tolist(),
        "dtypes": honest_dtypes(arrays, results),
        "expected": expected,
    }


#: the hyper-parameter whose size the edge inputs are placed by, in order of preference
_UNITS = ("delta", "beta", "c", "scale", "epsilon", "a")


def build() -> dict[str, Any]:
    """Every case of the file, in a fixed order."""
    DISAGREEMENTS.clear()
    cases = []
    with mpmath.workdps(DIGITS), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. SciPy / JAX notes; the numbers are checked
        for index, (loss, p) in enumerate(LOSSES):
            k = next((p[n] for n in _UNITS if n in p), 1.0) or 1.0
            for s in input_sets(index, k):
                cases.append(make_case(loss, p, s, None, None))
                for wname, w in s.weights:
                    cases.append(make_case(loss, p, s, wname, w))
    peers = {
        "torch": V_TORCH,
        "mpmath": V_MPMATH,
        "scipy": scipy.__version__,
        "optax": optax.__version__,
        "jax": jax.__version__,
        "statsmodels": statsmodels.__version__,
        "scikit-learn": V_SKLEARN,
        "numpy": np.__version__,
    }
    return {"format": 1, "generator": GENERATOR, "peers": peers, "cases": cases}


def dumps(data: dict[str, Any]) -> str:
    """Compact JSON, one case per line (readable diffs)."""
    head = {k: v for k, v in data.items() if k != "cases"}
    compact = {"separators": (",", ":"), "allow_nan": True}
    lines = [json.dumps(head, **compact)[:-1] + ',"cases":[']  # type: ignore[arg-type]
    cases = [json.dumps(c, **compact) for c in data["cases"]]  # type: ignore[arg-type]
    lines.append(",\n".join(cases))
    lines.append("]}")
    return "\n".join(lines) + "\n"


# --- --check -------------------------------------------------------------------------------
_VERSION = re.compile(r"(?<= )v?\d+\.\d+[\w.+-]*")


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    return abs(a - b) <= 4 * math.ulp(max(abs(a), abs(b)))


def differences(old: Any, new: Any, path: str = "") -> tuple[list[str], list[str]]:
    """(real differences, version-only differences) between two parsed files."""
    real: list[str] = []
    versions: list[str] = []
    if isinstance(old, dict) and isinstance(new, dict):
        if list(old) != list(new):
            return [f"{path}: keys {list(old)} != {list(new)}"], []
        for key in old:
            sub = f"{path}/{key}"
            if path == "/peers" or (path == "" and key == "peers"):
                if old[key] != new[key]:
                    versions.append(f"{sub}: {old[key]!r} -> {new[key]!r}")
                continue
            r, v = differences(old[key], new[key], sub)
            real += r
            versions += v
        return real, versions
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path}: {len(old)} items != {len(new)}"], []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            sub = f"{path}/{old[i]['id']}" if isinstance(a, dict) and "id" in a else f"{path}[{i}]"
            r, v = differences(a, b, sub)
            real += r
            versions += v
        return real, versions
    if isinstance(old, str) and isinstance(new, str):
        if old == new:
            return [], []
        if _VERSION.sub("<v>", old) == _VERSION.sub("<v>", new):
            return [], [f"{path}: {old!r} -> {new!r}"]
        return [f"{path}: {old!r} != {new!r}"], []
    numeric = (int, float)
    if (
        isinstance(old, numeric)
        and isinstance(new, numeric)
        and not isinstance(old, bool)
        and not isinstance(new, bool)
    ):
        return ([], []) if _close(float(old), float(new)) else ([f"{path}: {old!r} != {new!r}"], [])
    return ([], []) if old == new else ([f"{path}: {old!r} != {new!r}"], [])


def check(text: str) -> int:
    if not OUT.exists():
        print(f"{OUT} does not exist; run python {GENERATOR}")
        return 1
    committed = OUT.read_text("utf-8")
    if committed == text:
        print("reference file is up to date")
        return 0
    real, versions = differences(json.loads(committed), json.loads(text))
    for line in real[:30]:
        print("differs:", line)
    if len(real) > 30:
        print(f"... and {len(real) - 30} more differences")
    if real:
        print(f"{OUT} is not what the generator writes; run python {GENERATOR}")
        return 1
    print("reference file agrees with the generator (numbers to 4 ulp)")
    if versions:
        print(
            f"{len(versions)} strings differ in peer versions only, e.g.:",
            *versions[:3],
            sep="\n  ",
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file, write nothing")
    args = parser.parse_args(argv)
    data = build()
    for line in DISAGREEMENTS:
        print("peer disagrees:", line, file=sys.stderr)
    text = dumps(data)
    if args.check:
        return check(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, "utf-8")
    print(f"wrote {len(data['cases'])} cases to {OUT} ({len(text.encode()) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
