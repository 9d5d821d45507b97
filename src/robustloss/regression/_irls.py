"""Batched iteratively reweighted least squares: statsmodels' ``RLM(...).fit()`` on any backend."""

from __future__ import annotations

import contextlib
import functools
import math
from numbers import Real
from typing import Any, NamedTuple

import array_api_compat as aac

from .._checks import library, namespace_of
from .._engine import evaluate
from .._losses import LossDefinition
from .._reduction import QUIET, ieee_quiet
from .._strategies import fast_paths_enabled
from .._typing import Array, Namespace
from ._losses import resolve
from ._scale import GAUSSIAN_3_4, as_float, check_iterations, huber_scale_of_last_axis, median
from ._solve import Design, factor, inverse_gram, qr_lstsq, weighted_lstsq

__all__ = ["FitResult", "fit"]


class FitResult(NamedTuple):
    """The result of :func:`fit`, one entry per problem of the batch.

    A named tuple of arrays, so that it passes through ``jax.jit`` and ``torch.compile``
    as it is.

    Attributes
    ----------
    params : array, ``[..., p]``
        The coefficients.
    scale : array, ``[...]``
        The scale of the residuals at the solution (the last estimate, or the fixed one).
    weights : array, ``[..., n]``
        The IRLS weights of the last weighted least-squares solve (statsmodels'
        ``RLMResults.weights``), times the observation weights where given.
    resid : array, ``[..., n]``
        ``y - X @ params``.
    n_iter : array of int, ``[...]``
        The number of least-squares solves, counted as statsmodels'
        ``fit_history["iteration"]`` counts them (the start is the first).
    converged : array of bool, ``[...]``
        Whether the change of the deviance fell to `tol` (False where `maxiter` ended
        the iteration, or where the scale fell to 0 on an exact fit).
    bse : array, ``[..., p]``
        Standard errors of the coefficients: the square roots of the diagonal of
        :meth:`cov_params`.
    cov : array, ``[..., p, p]``
        The covariance of the coefficients, :meth:`cov_params`.
    """

    params: Array
    scale: Array
    weights: Array
    resid: Array
    n_iter: Array
    converged: Array
    bse: Array
    cov: Array

    def cov_params(self) -> Array:
        """Return the covariance of the coefficients, ``[..., p, p]``.

        statsmodels' default (H1, Huber 1981)::

            k**2 * (sum(psi(u)**2) / (n - p) * scale**2) / mean(psi'(u))**2 * (X^T X)^-1

        with ``u = resid / scale`` and ``k = 1 + p / n * var(psi'(u)) / mean(psi'(u))**2``;
        with observation weights ``W``, ``(X^T W X)^-1`` in place of ``(X^T X)^-1``.
        """
        return self.cov


def fit(
    X: Array,
    y: Array,
    loss: object = "huber",
    scale: str | float | Array = "mad",
    *,
    weights: Array | None = None,
    maxiter: int = 50,
    tol: float = 1e-8,
    start: str | Array = "ols",
    update_scale: bool = True,
    early_stop: bool = True,
    xp: Namespace | None = None,
) -> FitResult:
    """Fit a robust linear model by iteratively reweighted least squares, batched.

    The algorithm, its defaults and its numbers are statsmodels' ``RLM(y, X,
    M=norm).fit()``: least squares to start; then, until the deviance
    ``sum(rho(resid / s_wls))`` changes by at most `tol` or `maxiter` solves were made,
    weights ``w(resid / scale)`` from the loss, a weighted least-squares solve and a new
    scale. Every leading index of ``X`` and ``y`` is its own problem, all solved together
    (one batched solve per iteration) and each stopping on its own criterion.

    Parameters
    ----------
    X : array, ``[..., n, p]``
        The regressors (add a column of ones for an intercept), full column rank.
    y : array, ``[..., n]``
        The responses; the leading axes of `X` and `y` broadcast together.
    loss : str or loss object, default: "huber"
        The loss: a loss object (``TukeyLoss(c=4.685)``, ``HampelLoss(a=2, b=4, c=8)``) or
        a name with its default hyper-parameters, which are statsmodels' norms' defaults
        (``"tukey"``: 4.685, ``"hampel"``: 2, 4, 8, ``"andrews_wave"``: 1.339,
        ``"ramsay_e"``: 0.3, ``"trimmed"``: 2); ``"huber"`` is Huber's with
        ``delta = 1.345``, statsmodels' ``HuberT()`` (the loss function's default is
        torch's 1). See :func:`tuning_constant` for other efficiencies.
    scale : "mad", "huber", float or array, default: "mad"
        How the residuals are scaled: the MAD about 0 (statsmodels' default), Huber's
        proposal 2 (statsmodels' ``HuberScale()``, :func:`huber_scale` with ``ddof = p``),
        or a fixed scale (a number, or an array of the batch's shape).
    weights : array, optional
        Observation weights broadcasting to ``y``: each least-squares solve, the start
        included, minimises ``sum(weights * w * r**2)``, so a zero weight removes an
        observation from the fit (not from the scale estimate). statsmodels' RLM has none.
    maxiter : int, default: 50
        The most least-squares solves per problem, the start included.
    tol : float, default: 1e-8
        Convergence: the absolute change of the deviance.
    start : "ols" or array, default: "ols"
        Least squares (weighted by `weights`), or starting coefficients ``[..., p]``.
    update_scale : bool, default: True
        Whether the scale is re-estimated after each solve (False: the start's estimate
        is kept).
    early_stop : bool, default: True
        Whether to stop once every problem has converged. Eagerly, that check reads one
        number from the device per iteration (how many problems still iterate); on
        NumPy, PyTorch and CuPy the converged problems also leave the work each time
        half of the working set has converged (an index of the rest, read once then).
        Those are the only host synchronisations. With ``False`` exactly
        ``maxiter - 1`` iterations run, converged problems frozen, with no
        synchronisation and the same results (to rounding: the two loops run the same
        steps on different working sets). Under ``jax.jit`` the loop is JAX's own
        (``lax.while_loop``, or ``lax.fori_loop`` with ``False``), compiled once, with
        no synchronisation either way. On Dask, each block of the batch is fitted
        lazily on its worker and stops early there.
    xp : namespace, optional
        The Array API namespace of the arrays (found from them when not given).

    Returns
    -------
    FitResult
        ``params``, ``scale``, ``weights``, ``resid``, ``n_iter``, ``converged``, ``bse``
        and ``cov_params()``, each with the batch's leading shape, in the arrays' library,
        dtype and device.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.regression import fit
    >>> x = np.arange(10.0)
    >>> X = np.stack([np.ones(10), x], axis=-1)
    >>> y = 1.0 + 2.0 * x
    >>> y[7] = 100.0  # one gross outlier
    >>> res = fit(X, y, "tukey")
    >>> np.round(res.params, 6)
    array([1., 2.])
    >>> float(res.weights[7])  # rejected
    0.0

    A batch: 1,000 lines of 10 points each, in one call.

    >>> rng = np.random.default_rng(0)
    >>> Y = 1.0 + 2.0 * x + rng.standard_normal((1000, 10))
    >>> fit(X, Y).params.shape
    (1000, 2)
    """
    ns = namespace_of([("X", X), ("y", y)], xp)
    definition, params = resolve(loss)
    limit, tolerance = check_iterations(maxiter, tol)
    for name, flag in (("update_scale", update_scale), ("early_stop", early_stop)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
    X, y = as_float(X, ns, "X"), as_float(y, ns, "y")
    n, p, batch = _check_shapes(X, y)
    dtype = ns.result_type(X.dtype, y.dtype)
    fixed = _check_scale(scale, ns, batch)
    if isinstance(start, str):
        if start != "ols":
            raise ValueError(f"start must be 'ols' or an array of coefficients, got {start!r}")
        start_params = None
    else:
        start_params = _check_array(start, ns, "start", (*batch, p))
    prior = None if weights is None else _check_array(weights, ns, "weights", (*batch, n))
    how = scale if isinstance(scale, str) else "fixed"  # the scale itself is data: `fixed`
    settings = _Settings(definition, params, how, limit, tolerance, update_scale)
    if library(ns) == "dask":
        return _fit_dask(X, y, prior, start_params, fixed, settings, dtype, batch, n, p)
    work = ns.float32 if ns.finfo(dtype).bits < 32 else dtype
    X = ns.astype(ns.broadcast_to(X, (*batch, n, p)), work, copy=False)
    y = ns.astype(ns.broadcast_to(y, (*batch, n)), work, copy=False)
    args = (prior, start_params, fixed)
    prior, start_params, fixed = (
        a if a is None or isinstance(a, float) else ns.astype(a, work, copy=False) for a in args
    )
    if early_stop and _shares_numpy_memory(ns, (X, y, prior, start_params, fixed)):
        # PyTorch's CPU tensors without autograd are NumPy arrays in disguise: the fit
        # runs on NumPy views of them (no copy), its results come back as tensors
        import array_api_compat.numpy as np_xp
        import numpy as np
        import torch

        def view(a: Any) -> Any:
            return a if a is None or isinstance(a, float) else a.numpy()

        with ieee_quiet():
            found = _irls(
                view(X),
                view(y),
                view(prior),
                view(start_params),
                view(fixed),
                settings,
                True,
                np_xp,
            )
        out = FitResult(*(torch.from_numpy(np.asarray(a)) for a in found))
    else:
        quiet = ieee_quiet() if library(ns) in QUIET else contextlib.nullcontext()
        with quiet:  # IEEE rules, silently, on every backend: a NaN bse where psi' averages 0
            out = _irls(X, y, prior, start_params, fixed, settings, early_stop, ns)
    return out if work == dtype else _cast(out, dtype, ns)


def _shares_numpy_memory(xp: Namespace, arrays: tuple[Any, ...]) -> bool:
    """Whether the arrays are PyTorch CPU tensors that NumPy can view (the fast path)."""
    if library(xp) != "torch" or not fast_paths_enabled():
        return False
    tensors = [a for a in arrays if a is not None and not isinstance(a, float)]
    return all(
        a.device.type == "cpu" and not a.requires_grad and a.dtype in (xp.float32, xp.float64)
        for a in tensors
    )


def _check_shapes(X: Any, y: Any) -> tuple[int, int, tuple[int, ...]]:
    if X.ndim < 2:
        raise ValueError(f"X must have shape [..., n, p], got shape {tuple(X.shape)}")
    if y.ndim < 1:
        raise ValueError(f"y must have shape [..., n], got shape {tuple(y.shape)}")
    n, p = X.shape[-2], X.shape[-1]
    if any(d is None or d != d for d in (*X.shape, *y.shape)):
        raise ValueError("fit needs known shapes (Dask: compute the chunk sizes first)")
    if y.shape[-1] != n:
        raise ValueError(
            f"X has {n} observations (shape {tuple(X.shape)}) but y has {y.shape[-1]} "
            f"(shape {tuple(y.shape)})"
        )
    if p < 1 or n <= p:
        raise ValueError(f"fit needs more observations than regressors, got n = {n}, p = {p}")
    try:
        batch = _broadcast(tuple(X.shape[:-2]), tuple(y.shape[:-1]))
    except ValueError:
        raise ValueError(
            f"the leading axes of X {tuple(X.shape)} and y {tuple(y.shape)} do not broadcast"
        ) from None
    return int(n), int(p), batch


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        z = b[-i] if i <= len(b) else 1
        if x != z and 1 not in (x, z):
            raise ValueError
        out.append(max(x, z) if 1 in (x, z) else x)
    return tuple(reversed(out))


def _check_array(a: Any, xp: Namespace, name: str, shape: tuple[int, ...]) -> Array:
    """Return `a`, an array of the data's library broadcasting to `shape`, broadcast to it."""
    if not aac.is_array_api_obj(a) or isinstance(a, Real):
        raise TypeError(f"{name} must be an array of the data's library, got {type(a).__name__}")
    found = library(aac.array_namespace(a))
    if found != library(xp):
        raise TypeError(
            f"{name} is a {found} array but X and y are {library(xp)} arrays; convert it to "
            f"{library(xp)} first"
        )
    a = as_float(a, xp, name)
    try:
        _broadcast(tuple(a.shape), shape)
        if len(a.shape) > len(shape) or _broadcast(tuple(a.shape), shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{name} of shape {tuple(a.shape)} does not broadcast to {shape}"
        ) from None
    return xp.broadcast_to(a, shape)


def _check_scale(scale: object, xp: Namespace, batch: tuple[int, ...]) -> Array | float | None:
    """None for an estimated scale, else the fixed scale."""
    if isinstance(scale, str):
        if scale not in ("mad", "huber"):
            raise ValueError(f"scale must be 'mad', 'huber', a number or an array, got {scale!r}")
        return None
    if isinstance(scale, bool):
        raise TypeError("scale must be 'mad', 'huber', a number or an array, got a bool")
    if isinstance(scale, Real):
        v = float(scale)
        if not (0 < v < math.inf):
            raise ValueError(f"a fixed scale must be finite and > 0, got {scale!r}")
        return v
    return _check_array(scale, xp, "scale", batch)


def _traced(X: Array, y: Array, xp: Namespace) -> bool:
    if library(xp) != "jax":
        return False
    import jax

    return isinstance(X, jax.core.Tracer) or isinstance(y, jax.core.Tracer)


def _estimate(resid: Array, how: str, p: int, xp: Namespace) -> Array:
    """Return the scale RLM uses: the MAD about 0, or Huber's proposal 2 (``ddof = p``)."""
    if how == "mad":
        return median(xp.abs(resid) / GAUSSIAN_3_4, xp, nan_check=False)
    return huber_scale_of_last_axis(resid, 2.5, 1e-8, 30, p, xp)


def _elementwise(
    definition: LossDefinition, what: str, z: Array, params: dict[str, Any], xp: Namespace
) -> Array:
    """Return `what` of the residuals `z`.

    From the definition itself where the parameters are numbers (checked once, by
    :func:`fit`), else through the engine (array parameters).
    """
    if all(isinstance(v, float) for v in params.values()):
        return definition.of_residual(what)(z, xp=xp, **params)
    return evaluate(definition, z, None, "none", None, xp, params, what)


#: the libraries whose eager loop drops converged problems from the work (they index
#: and assign with integer arrays); elsewhere converged problems ride along, frozen
_COMPACTING = frozenset({"numpy", "torch", "cupy"})
#: problems per block on a CPU: the working arrays of a block stay in cache
_CPU_BLOCK = 768
#: the working set shrinks to the problems still iterating once they are this fraction
_SHRINK = 0.5


class _Settings(NamedTuple):
    """What a fit is asked for, the same for every problem and every block of a batch."""

    definition: LossDefinition
    params: dict[str, Any]
    #: the scale estimator, "mad" or "huber"; "fixed" for a given scale (passed as data)
    how: str
    maxiter: int
    tol: float
    update_scale: bool


#: the state of the iteration, per problem: beta, resid, the weights of the last solve,
#: scale, deviance, converged, n_iter, and whether it is still iterating
State = tuple[Array, Array, Array, Array, Array, Array, Array, Array]
#: what a step reads, per problem: X, y, the factorized design (Q^T and y, R), prior weights
Data = tuple[Array, Array, Array, Array, Array]


class _Iteration:
    """statsmodels' IRLS, as a start and a step over a batch (any leading shape)."""

    def __init__(
        self,
        settings: _Settings,
        fixed: Array | float | None,
        weighted: bool,
        shape: tuple[int, int],
        xp: Namespace,
    ) -> None:
        self.definition, self.params, self.how, self.maxiter, self.tol, update_scale = settings
        self.weighted, self.xp = weighted, xp
        self.update_scale = update_scale and fixed is None
        self.n, self.p = shape
        #: L1's and the quantile loss's weights 1 / |r| are unbounded: each solve is then
        #: a QR factorization, which takes any range of weights
        self.unbounded = _unbounded_weights(self.definition, self.params)

    def residuals(self, X: Array, y: Array, beta: Array) -> Array:
        return y - self.xp.matmul(X, beta[..., None])[..., 0]

    def deviance(self, resid: Array, w: Array) -> Array:
        """Return statsmodels' criterion: rho of the residuals over ``sum(w r**2) / (n - p)``."""
        xp = self.xp
        s_wls = xp.sum(w * resid * resid, axis=-1) / (self.n - self.p)
        rho = _elementwise(self.definition, "rho", resid / s_wls[..., None], self.params, xp)
        return xp.sum(rho, axis=-1)

    def start(
        self, X: Array, y: Array, prior: Array | None, start: Array | None, fixed: Any
    ) -> tuple[Data, State]:
        xp = self.xp
        prior_w = xp.ones_like(y) if prior is None else prior
        design = factor(X, y, xp)
        beta = weighted_lstsq(design, prior_w, xp) if start is None else start
        resid = self.residuals(X, y, beta)
        if fixed is None:
            scale = _estimate(resid, self.how, self.p, xp)
        else:
            scale = xp.zeros_like(resid[..., 0]) + fixed
        device = aac.device(y)
        int_dtype = xp.__array_namespace_info__().default_dtypes(device=device)["integral"]
        state = (
            beta,
            resid,
            prior_w,
            scale,
            self.deviance(resid, prior_w),
            xp.zeros(scale.shape, dtype=xp.bool, device=device),
            xp.ones(scale.shape, dtype=int_dtype, device=device),
            scale != 0,
        )
        return (X, y, design.A, design.R, prior_w), state

    def covariance(self, X: Array, prior: Array | None, R: Array, state: State) -> Array:
        """Return the H1 covariance at the final `state`; `R` is X's triangular factor."""
        if prior is not None:  # (X^T W X)^-1: R of the weighted design
            R = factor(X * self.xp.sqrt(prior)[..., None], None, self.xp).R
        return _h1(R, state[1], state[3], self.definition, self.params, self.xp)

    def solve(self, data: Data, w: Array) -> Array:
        """Return the coefficients of the least-squares fit with weights `w`."""
        X, y, A, R, _ = data
        if self.unbounded:
            return qr_lstsq(X, w, y, self.xp)
        return weighted_lstsq(Design(A, R), w, self.xp)

    def step(self, data: Data, state: State) -> State:
        xp = self.xp
        X, y, _, _, prior_w = data
        beta, resid, w_used, scale, dev, converged, n_iter, active = state
        w = _elementwise(self.definition, "weight", resid / scale[..., None], self.params, xp)
        w = w * prior_w if self.weighted else w
        beta_new = self.solve(data, w)
        resid_new = self.residuals(X, y, beta_new)
        if self.update_scale:
            scale = xp.where(active, _estimate(resid_new, self.how, self.p, xp), scale)
        dev_new = self.deviance(resid_new, w)
        done = ~(xp.abs(dev_new - dev) > self.tol)
        n_iter = n_iter + xp.astype(active, n_iter.dtype)
        return (
            xp.where(active[..., None], beta_new, beta),
            xp.where(active[..., None], resid_new, resid),
            xp.where(active[..., None], w, w_used),
            scale,
            xp.where(active, dev_new, dev),
            xp.where(active, done, converged),
            n_iter,
            active & ~done & (n_iter < self.maxiter) & (scale != 0),
        )


def _unbounded_weights(definition: LossDefinition, params: dict[str, Any]) -> bool:
    """Whether the loss's IRLS weight has no finite bound (its value at 0 is huge)."""
    if not all(isinstance(v, float) for v in params.values()):
        return True  # array parameters: take the solver that takes anything
    return _weight_at_zero(definition, tuple(params.items())) > 1e30


@functools.lru_cache(maxsize=256)
def _weight_at_zero(definition: LossDefinition, params: tuple[tuple[str, float], ...]) -> float:
    import array_api_compat.numpy

    np_xp: Any = array_api_compat.numpy
    z = np_xp.asarray([0.0, -0.0])
    w = definition.of_residual("weight")(z, xp=np_xp, **dict(params))
    return max(float(w[0]), float(w[1]))


def _irls(
    X: Array,
    y: Array,
    prior: Array | None,
    start: Array | None,
    fixed: Array | float | None,
    settings: _Settings,
    early_stop: bool,
    xp: Namespace,
) -> FitResult:
    """Fit every problem of the batch, then their covariances."""
    n, p = X.shape[-2], X.shape[-1]
    it = _Iteration(settings, fixed, prior is not None, (n, p), xp)
    steps = max(settings.maxiter - 1, 1)
    if _traced(X, y, xp):  # one traced step, looped by JAX: a short compile
        from jax import lax

        data, state = it.start(X, y, prior, start, fixed)
        if early_stop:
            state = lax.while_loop(lambda s: xp.any(s[-1]), lambda s: it.step(data, s), state)
        else:
            state = lax.fori_loop(0, steps, lambda i, s: it.step(data, s), state)
        cov = it.covariance(X, prior, data[3], state)
    elif early_stop and library(xp) in _COMPACTING:
        state, cov = _blocked(it, X, y, prior, start, fixed, steps, xp)
    else:
        data, state = it.start(X, y, prior, start, fixed)
        for _ in range(steps):
            state = it.step(data, state)
            if early_stop and not bool(xp.any(state[-1])):
                break
        cov = it.covariance(X, prior, data[3], state)
    beta, resid, w_used, scale, _, converged, n_iter, _ = state
    bse = xp.sqrt(xp.stack([cov[..., i, i] for i in range(p)], axis=-1))
    return FitResult(beta, scale, w_used, resid, n_iter, converged, bse, cov)


def _blocked(
    it: _Iteration,
    X: Array,
    y: Array,
    prior: Array | None,
    start: Array | None,
    fixed: Array | float | None,
    steps: int,
    xp: Namespace,
) -> tuple[State, Array]:
    """Return the final state and the covariances: the eager loop in blocks of problems.

    Each block drops its converged problems from the work as it goes.

    Each iteration reads the number of problems still iterating (the one host
    synchronisation); once it falls to half the working set, the working state is
    written to the result and the working set shrinks to them.
    """
    batch = X.shape[:-2]
    size = math.prod(batch)

    def flat(a: Any) -> Any:
        if a is None or isinstance(a, float):
            return a
        return xp.reshape(a, (size, *a.shape[len(batch) :]))

    Xf, yf, pf, sf, ff = (flat(a) for a in (X, y, prior, start, fixed))
    block = _CPU_BLOCK if _on_cpu(y, xp) else max(size, 1)
    out: list[Array] = []
    for first in range(0, size, block):
        cut = slice(first, min(first + block, size))

        def part(a: Any, cut: slice = cut) -> Any:
            return a if a is None or isinstance(a, float) else a[cut, ...]

        data, state = it.start(part(Xf), part(yf), part(pf), part(sf), part(ff))
        R = data[3]
        if not out:
            out = [
                xp.empty((size, *a.shape[1:]), dtype=a.dtype, device=aac.device(a))
                for a in (*state, data[3])
            ]
        ids = xp.arange(first, cut.stop, device=aac.device(yf))
        for _ in range(steps):
            state = it.step(data, state)
            left = int(xp.sum(xp.astype(state[-1], xp.int32)))
            if left == 0:
                break
            if left <= _SHRINK * state[-1].shape[0]:
                for whole, now in zip(out, state, strict=False):
                    whole[ids, ...] = now
                keep = xp.nonzero(state[-1])[0]
                ids = xp.take(ids, keep, axis=0)
                data = tuple(xp.take(a, keep, axis=0) for a in data)
                state = tuple(xp.take(a, keep, axis=0) for a in state)
        for whole, now in zip(out, state, strict=False):
            whole[ids, ...] = now
        final = tuple(a[cut, ...] for a in out[:-1])
        out[-1][cut, ...] = it.covariance(part(Xf), part(pf), R, final)
    if size == 0:  # nothing to fit: the start's empty state
        data, state = it.start(Xf, yf, pf, sf, ff)
        out = [*state, it.covariance(Xf, pf, data[3], state)]
    shaped = [xp.reshape(a, (*batch, *a.shape[1:])) for a in out]
    return tuple(shaped[:-1]), shaped[-1]


def _on_cpu(x: Array, xp: Namespace) -> bool:
    return library(xp) == "numpy" or str(aac.device(x)) == "cpu"


def _h1(
    R: Array,
    resid: Array,
    scale: Array,
    definition: LossDefinition,
    params: dict[str, Any],
    xp: Namespace,
) -> Array:
    """Return the H1 covariance of the coefficients (statsmodels' ``bcov_scaled``).

    `R` is the triangular factor of the (weighted) design: ``(X^T X)^-1 = R^-1 R^-T``.
    """
    n, p = resid.shape[-1], R.shape[-1]
    safe = xp.where(scale == 0, xp.ones_like(scale), scale)
    u = xp.where(scale[..., None] == 0, xp.zeros_like(resid), resid / safe[..., None])
    psi = _elementwise(definition, "psi", u, params, xp)
    dpsi = _elementwise(definition, "psi_deriv", u, params, xp)
    m = xp.mean(dpsi, axis=-1)
    var = xp.mean(xp.abs(dpsi - m[..., None]) ** 2, axis=-1)
    k = 1 + p / n * var / m**2
    factor = (
        k**2
        * (1 / (n - p) * xp.sum(psi**2, axis=-1) * scale**2)
        / ((1 / n * xp.sum(dpsi, axis=-1)) ** 2)
    )
    return factor[..., None, None] * inverse_gram(R, xp)


def _cast(r: FitResult, dtype: Any, xp: Namespace) -> FitResult:
    def c(a: Array) -> Array:
        return xp.astype(a, dtype)

    return FitResult(
        c(r.params),
        c(r.scale),
        c(r.weights),
        c(r.resid),
        r.n_iter,
        r.converged,
        c(r.bse),
        c(r.cov),
    )


def _fit_dask(
    X: Array,
    y: Array,
    prior: Array | None,
    start: Array | None,
    fixed: Array | float | None,
    settings: _Settings,
    dtype: Any,
    batch: tuple[int, ...],
    n: int,
    p: int,
) -> FitResult:
    """Each block of the batch fitted by NumPy on its worker, lazily: one packed result."""
    import array_api_compat.numpy as np_xp
    import dask.array
    import numpy as np

    da: Any = dask.array  # untyped

    b = len(batch)
    X = da.broadcast_to(X, (*batch, n, p)).rechunk({b: -1, b + 1: -1})
    chunks = X.chunks[:b]
    y = da.broadcast_to(y, (*batch, n)).rechunk((*chunks, -1))
    extra: list[Any] = []
    names = []
    for name, a, tail in (("prior", prior, (n,)), ("start", start, (p,))):
        if a is not None:
            extra.append(da.broadcast_to(da.asarray(a), (*batch, *tail)).rechunk((*chunks, -1)))
            names.append(name)
    if fixed is not None and not isinstance(fixed, float):
        extra.append(da.broadcast_to(da.asarray(fixed), batch).rechunk(chunks))
        names.append("scale")
    K = p + 1 + n + n + 1 + 1 + p + p * p
    idx = tuple(f"b{i}" for i in range(b))

    # a fixed scale array is a block operand: the closure holds no Dask array, which Dask
    # would pickle, whole graph and all, to name the task
    constant = fixed if fixed is None or isinstance(fixed, float) else None

    def block(Xb: Any, yb: Any, *rest: Any) -> Any:
        work = np.float32 if Xb.dtype.itemsize < 4 else Xb.dtype  # half types in float32
        Xb, yb = Xb.astype(work, copy=False), yb.astype(work, copy=False)
        rest = tuple(a.astype(work, copy=False) for a in rest)
        given = dict(zip(names, rest, strict=True))
        f = given.get("scale", constant)
        with ieee_quiet():
            r = _irls(Xb, yb, given.get("prior"), given.get("start"), f, settings, True, np_xp)
        parts = [
            r.params,
            r.scale[..., None],
            r.weights,
            r.resid,
            r.n_iter[..., None],
            r.converged[..., None],
            r.bse,
            np.reshape(r.cov, (*r.cov.shape[:-2], p * p)),
        ]
        return np.concatenate([np.asarray(a, dtype=dtype) for a in parts], axis=-1)

    pairs: list[Any] = [X, (*idx, "n", "p"), y, (*idx, "n")]
    for name, a in zip(names, extra, strict=True):
        pairs += [a, (*idx, "n") if name == "prior" else (*idx, "p") if name == "start" else idx]
    packed = da.blockwise(
        block,
        (*idx, "k"),
        *pairs,
        new_axes={"k": K},
        concatenate=True,
        dtype=dtype,
        meta=np.empty((0,) * (b + 1), dtype=dtype),
    )
    cuts = np.cumsum([0, p, 1, n, n, 1, 1, p, p * p])
    part = [packed[..., cuts[i] : cuts[i + 1]] for i in range(len(cuts) - 1)]
    return FitResult(
        part[0],
        part[1][..., 0],
        part[2],
        part[3],
        part[4][..., 0].astype(np.int64),
        part[5][..., 0] != 0,
        part[6],
        da.reshape(part[7], (*batch, p, p)),
    )
