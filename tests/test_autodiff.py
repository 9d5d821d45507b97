"""Autodiff through a loss's value uses its analytic derivatives, in the input and in every
hyper-parameter.

The expected numbers come from mpmath at high precision (central differences of the
textbook rho of :mod:`support.cases`, in the hyper-parameter) and, for the derivative in
the input, from the loss's own ``*_grad`` (which the reference tests check against mpmath):
``jax.grad`` of the value must give exactly its numbers. The derivatives with respect to
the hyper-parameters (:meth:`LossDefinition.param_grad`) are checked elementwise with NumPy
arrays over residuals from 1e-30 to 1e30, and through ``jax.grad`` of the public functions
with array hyper-parameters.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.cases import BY_NAME, CASES, Case, call, kinks, param_id

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

from robustloss._losses import LOSSES  # noqa: E402

Params = dict[str, Any]
DTYPES = ("float64", "float32")
#: ulp of the derivatives with respect to a hyper-parameter, beyond which a test fails (the
#: general loss at other alphas has its own bound, `_general_bound`)
ULP = 8


def _array_namespace() -> Any:
    import array_api_compat.numpy as xnp

    return xnp


def _sets(case: Case, every: bool) -> list[Params]:
    """Every hyper-parameter set of `case`, or one per special path (and the default)."""
    if every:
        return list(case.params)
    out: list[Params] = []
    for p in (case.reference[0], *case.paths):
        if p not in out:
            out.append(p)
    return out


def _hyper_cases(every: bool = True) -> list[Any]:
    """(case, parameters, hyper-parameter) for every hyper-parameter of every loss."""
    out = []
    for case in CASES:
        for p in _sets(case, every):
            for name in p:
                if _undefined(case, p, name):
                    continue
                out.append(pytest.param(case, p, name, id=f"{param_id(case, p)}-d{name}"))
    return out


def _undefined(case: Case, p: Params, name: str) -> bool:
    """Where a one-sided derivative is all there is (beta = 0, epsilon = 0, alpha = 2, inf)."""
    if name in ("beta", "epsilon") and p[name] == 0.0:
        return True
    return name == "alpha" and (p["alpha"] == 2.0 or math.isinf(p["alpha"]))


def _residuals(dtype: str) -> np.ndarray:
    """Residuals from 1e-30 to 1e30, both signs, and around 1 (where most losses bend)."""
    near = [0.1, 0.3, 0.5, 0.9, 0.99, 1.01, 1.1, 1.5, 2.5, 3.1, 3.2, 4.2, 6.0, 7.0, 9.0, 20.0]
    v = np.concatenate([np.logspace(-30, 30, 31), near])
    return np.concatenate([v, -v, [0.0]]).astype(dtype)


def _rounded(p: Params, dtype: str) -> Params:
    """The hyper-parameters as the dtype holds them (a Python float meets a float32 array)."""
    return {k: float(np.asarray(v, dtype=dtype)) for k, v in p.items()}


def _mp_derivative(case: Case, r: float, p: Params, name: str) -> mpmath.mpf:
    """d rho / d name at r by a central difference in mpmath, with digits to spare."""
    digits = 110 + 4 * max(0, -math.floor(math.log10(abs(r)))) if r != 0 else 110
    with mpmath.workdps(digits):
        c = mpmath.mpf(p[name])
        h = (abs(c) if c != 0 else mpmath.mpf(1)) * mpmath.mpf(10) ** -40

        def rho(v: mpmath.mpf) -> mpmath.mpf:
            return case.mp_rho(mpmath.mpf(r), {**p, name: v})

        return (rho(c + h) - rho(c - h)) / (2 * h)


def _terms(case: Case, r: float, p: Params, name: str) -> float:
    """The magnitude of the terms of Euler's ``(k rho - r psi) / c``: the absolute floor
    of a derivative that is 0 or tiny beside them."""
    with mpmath.workdps(60):
        x = mpmath.mpf(r)
        size = abs(case.mp_rho(x, p)) + abs(x * case.mp_psi(x, p))
        return float(size / max(abs(p[name]), 1e-300)) if name != "alpha" else float(size)


def _general_bound(r: float, p: Params, name: str) -> float:
    """ulp of the general loss's derivatives: a few, plus the size of the exponent of the
    power ``(1 + t**2 / b) ** e`` (the rounding of exp's argument, as psi has it)."""
    alpha, scale = p["alpha"], p["scale"]
    if name == "scale" and (alpha in (0.0, -2.0, 1.0, 2.0) or math.isinf(alpha)):
        return ULP  # the closed forms
    t = abs(r) / scale
    log_base = float(mpmath.log1p(mpmath.mpf(t) ** 2 / abs(alpha - 2.0)))
    return ULP + 2.0 * log_base * (abs(alpha) / 2.0 + 1.0)


def ulp_error(got: float, expected: float, dtype: str) -> float:
    """|got - expected| in ulp of `expected` in `dtype` (subnormals: in the smallest ulp)."""
    if math.isnan(expected) or math.isinf(expected):
        return 0.0 if got == expected or (math.isnan(got) and math.isnan(expected)) else math.inf
    info = np.finfo(dtype)
    with np.errstate(over="ignore"):
        size = np.asarray(max(abs(expected), float(info.smallest_normal)), dtype=dtype)
    if np.isinf(size):  # beyond the dtype: the derivative overflows, got must too
        return 0.0 if math.isinf(got) and (got > 0) == (expected > 0) else math.inf
    return abs(got - expected) / float(np.spacing(size))


def param_grad_errors(case: Case, p: Params, name: str, dtype: str) -> list[tuple[float, ...]]:
    """(r, got, expected, ulp error, bound) of ``param_grad`` on `_residuals`, kinks left out."""
    pd = _rounded(p, dtype)
    at_kinks = [k for k in kinks(case, pd) if k > 0]
    r = np.asarray(
        [
            x
            for x in _residuals(dtype)
            if not any(abs(abs(float(x)) - k) <= 1e-6 * k for k in at_kinks)
        ],
        dtype=dtype,
    )
    grad = LOSSES[case.name].param_grad(name)
    assert grad is not None
    with np.errstate(all="ignore"):
        got = np.asarray(grad(r, xp=_array_namespace(), **pd))
    assert got.dtype == np.dtype(dtype)
    assert got.shape == r.shape
    eps = float(np.finfo(dtype).eps)
    out = []
    for x, g in zip(r.tolist(), got.tolist(), strict=True):
        expected = float(_mp_derivative(case, x, pd, name))
        error = ulp_error(g, expected, dtype)
        if abs(g - expected) <= 2.0 * eps * _terms(case, x, pd, name) + 1e-300:
            error = 0.0
        bound = _general_bound(x, pd, name) if case.name == "general" else ULP
        out.append((x, g, expected, error, bound))
    return out


# --- the registry ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(LOSSES))
def test_every_hyper_parameter_has_its_derivative(name: str) -> None:
    definition = LOSSES[name]
    for parameter in definition.parameters:
        assert definition.param_grad(parameter.name) is not None, parameter.name
    with pytest.raises(ValueError, match="no hyper-parameter"):
        definition.param_grad("nonexistent")


def test_homogeneity_falls_back_on_euler() -> None:
    # a loss declared with only the homogeneity of its parameter: Euler's (2 rho - r psi) / c
    from robustloss._losses import HUBER, LossDefinition, Parameter

    delta = Parameter("delta", 1.0, "Where it turns linear.", homogeneity=2)
    bare = LossDefinition(
        "bare_huber", HUBER.rho, HUBER.psi, HUBER.weight, (delta,), HUBER.docs, "B", HUBER.psi_deriv
    )
    r = np.asarray([0.5, -3.0, 10.0])
    got = bare.param_grad("delta")(r, xp=_array_namespace(), delta=1.5)  # type: ignore[misc]
    np.testing.assert_array_equal(got, [0.0, 1.5, 8.5])  # |r| - delta beyond delta


# --- d rho / d hyper-parameter against mpmath --------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("case", "p", "name"), _hyper_cases())
def test_param_grad_matches_mpmath(case: Case, p: Params, name: str, dtype: str) -> None:
    bad = [e for e in param_grad_errors(case, p, name, dtype) if not e[3] <= e[4]]
    assert not bad, "(r, got, mpmath, ulp, bound): " + repr(bad[:5])


# --- jax.grad of the value is the loss's gradient --------------------------------------------
def _magnitudes() -> st.SearchStrategy[float]:
    return st.floats(math.log(1e-30), math.log(1e30)).map(math.exp)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("case", "p"), [pytest.param(c, p, id=param_id(c, p)) for c in CASES for p in _sets(c, False)]
)
@given(data=st.data())
def test_jax_grad_is_the_gradient(case: Case, p: Params, dtype: str, data: st.DataObject) -> None:
    n = 8  # one shape: JAX compiles each operation once per shape
    sizes = data.draw(st.lists(_magnitudes(), min_size=n, max_size=n))
    signs = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n))
    x = jnp.asarray(np.asarray(sizes) * np.asarray(signs), dtype=dtype)
    y = jnp.zeros(n, dtype=dtype)
    expected = np.asarray(call(case, "grad", x, y, p, reduction="sum"))
    by_input, by_target = jax.grad(
        lambda a, b: call(case, "loss", a, b, p, reduction="sum"), argnums=(0, 1)
    )(x, y)
    np.testing.assert_array_equal(np.asarray(by_input), expected)
    np.testing.assert_array_equal(np.asarray(by_target), -expected)


@pytest.mark.parametrize("name", ["general", "tukey", "cauchy", "fair"])
def test_jax_grad_is_the_gradient_compiled(name: str) -> None:
    # 4096 elements: the value and the gradient run under jax_jit's cached jit
    case = BY_NAME[name]
    p = case.params[-1]
    x = jnp.asarray(np.geomspace(1e-20, 1e20, 4096) * np.resize([1.0, -1.0], 4096))
    y = jnp.zeros_like(x)
    got = np.asarray(jax.grad(lambda a: call(case, "loss", a, y, p, reduction="mean"))(x))
    expected = np.asarray(call(case, "grad", x, y, p, reduction="mean"))
    np.testing.assert_array_max_ulp(got, expected, maxulp=2)


# --- d / d hyper-parameter through the public functions --------------------------------------
def _arrays_accepted(case: Case, name: str) -> bool:
    parameter = next(q for q in LOSSES[case.name].parameters if q.name == name)
    return bool(getattr(parameter, "array", True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("case", "p", "name"), _hyper_cases(every=False))
def test_jax_grad_of_an_array_hyper_parameter(case: Case, p: Params, name: str, dtype: str) -> None:
    if not _arrays_accepted(case, name):
        pytest.skip(f"{case.name}'s {name} does not accept arrays yet (Parameter.array)")
    x = jnp.asarray(np.asarray([0.3, -1.7, 2.9, 40.0, -1e6, 1e25]), dtype=dtype)
    y = jnp.zeros_like(x)
    value = jnp.full_like(x, p[name])

    def total(v: Any) -> Any:
        return call(case, "loss", x, y, {**p, name: v}, reduction="sum")

    got = np.asarray(jax.grad(total)(value))
    pd = {k: (value if k == name else v) for k, v in _rounded(p, dtype).items()}
    grad = LOSSES[case.name].param_grad(name)
    assert grad is not None
    expected = np.asarray(grad(x, xp=jnp, **pd))
    np.testing.assert_array_max_ulp(got, expected, maxulp=2)
    # and a 0-d array: the sum over the residuals
    scalar = jnp.asarray(p[name], dtype=dtype)
    summed = float(jax.grad(total)(scalar))
    assert summed == pytest.approx(
        float(np.sum(expected)), rel=1e-5 if dtype == "float32" else 1e-12
    )


# --- Barron's general loss ----------------------------------------------------------------------
ALPHAS = (-12.6, -4.8, -2.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def _general(x: Any, alpha: Any, scale: Any) -> Any:
    import robustloss

    return robustloss.general_loss(x, jnp.zeros_like(x), alpha, scale, reduction="sum")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_general_derivatives_have_their_signs(alpha: float, dtype: str) -> None:
    # psi has the residual's sign, and redescends (alpha < 1) or grows beyond its peak; rho
    # falls as the scale grows and grows with alpha
    top = 1e30 if alpha <= 2 else 1e5  # beyond, rho itself overflows float32
    t = np.geomspace(1e-30, top, 61)
    x = jnp.asarray(np.concatenate([t, -t]), dtype=dtype)
    scale = jnp.asarray(0.75, dtype=dtype)
    a = jnp.asarray(alpha, dtype=dtype)
    psi = np.asarray(jax.grad(_general)(x, a, scale))
    signs = np.sign(np.asarray(x))
    assert np.all(psi * signs >= 0)
    assert np.all(np.isfinite(psi))
    b = abs(alpha - 2.0)
    peak = 0.75 * math.sqrt(b / (1.0 - alpha)) if alpha < 1 else 0.0
    tail = np.abs(psi[: t.size][t > 1.01 * peak])
    # psi rounds its power's exponent (up to about 140 ulp at 1e30): jitter, not a trend
    tol = 256 * float(np.finfo(dtype).eps)
    steps = np.diff(tail) / np.maximum(tail[:-1], float(np.finfo(dtype).tiny))
    assert np.all(steps <= tol) if alpha < 1 else np.all(steps >= -tol)
    import robustloss

    per_scale = jax.vmap(jax.grad(_general, argnums=2), in_axes=(0, None, None))
    assert np.all(np.asarray(per_scale(x[:, None], a, scale)) <= 0)
    per_alpha = jax.vmap(jax.grad(_general, argnums=1), in_axes=(0, None, None))
    d_alpha = np.asarray(per_alpha(x[:, None], a, scale))
    values = np.asarray(robustloss.general_loss(x, jnp.zeros_like(x), a, scale, reduction="none"))
    huge = ~(np.abs(values) < 1e-4 * float(np.finfo(dtype).max))
    assert np.all(np.isfinite(d_alpha) | huge)  # it may overflow with rho (rho L / 2)
    assert np.all(d_alpha >= 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("offset", [-1.0, 0.0, 1.0, 2.0, None])
def test_general_alpha_derivative_is_finite_at_0_and_2(offset: float | None, dtype: str) -> None:
    # 2 -+ a small step, 2 itself and 0 (None): the derivative near 2 is off by about
    # 3 / |(alpha / 2 - 1) log1p(t**2 / b)| ulp, so float32 steps further away
    step = 1e-6 if dtype == "float64" else 1e-2
    alpha = 0.0 if offset is None else 2.0 + offset * step if offset != 2.0 else 1e-30
    x = jnp.asarray([1e-3, 0.5, 3.0, 1e4], dtype=dtype)
    a = jnp.full_like(x, alpha)
    got = np.asarray(jax.grad(lambda v: _general(x, v, 1.0))(a))
    assert np.all(np.isfinite(got))
    if alpha == 2.0 or np.asarray(alpha, dtype=dtype) == 2.0:
        return  # unbounded there (-log|alpha - 2|): 0 by convention
    case = BY_NAME["general"]
    p = {"alpha": float(np.asarray(alpha, dtype=dtype)), "scale": 1.0}
    for xi, g in zip(np.asarray(x).tolist(), got.tolist(), strict=True):
        expected = float(_mp_derivative(case, xi, p, "alpha"))
        assert g == pytest.approx(expected, rel=1e-4 if dtype == "float32" else 1e-8)


# the points where autodiff through the composition went wrong: (dtype, residual, alpha,
# scale, d/d input, d/d scale), the expected numbers from mpmath
FAR_TAIL = [
    ("float32", 63.423904, -11.9, 1.0),
    ("float32", 2.2697546, -4.8, 0.00265527),
    ("float64", 2.2697546, -12.6, 1.99e-4),
    ("float64", 63.423904, -11.9, 1.0),
]


@pytest.mark.parametrize(("dtype", "x", "alpha", "scale"), FAR_TAIL)
@pytest.mark.parametrize("array_alpha", [False, True], ids=["float-alpha", "array-alpha"])
def test_general_far_tail(
    dtype: str, x: float, alpha: float, scale: float, array_alpha: bool
) -> None:
    xs = jnp.asarray([x], dtype=dtype)
    sa = jnp.asarray(scale, dtype=dtype)
    a = jnp.asarray(alpha, dtype=dtype) if array_alpha else alpha
    d_input, d_scale = jax.grad(_general, argnums=(0, 2))(xs, a, sa)
    p = (
        _rounded({"alpha": alpha, "scale": scale}, dtype)
        if array_alpha
        else {
            "alpha": alpha,
            "scale": float(np.asarray(scale, dtype=dtype)),
        }
    )
    r = float(np.asarray(xs)[0])
    case = BY_NAME["general"]
    with mpmath.workdps(60):
        expected_input = float(case.mp_psi(mpmath.mpf(r), p))
    expected_scale = float(_mp_derivative(case, r, p, "scale"))
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert float(d_input[0]) == pytest.approx(expected_input, rel=tol)
    assert float(d_scale) == pytest.approx(expected_scale, rel=tol)
    assert float(d_scale) < 0 < float(d_input[0])
    if array_alpha:
        d_alpha = float(jax.grad(_general, argnums=1)(xs, a, sa))
        assert d_alpha == pytest.approx(float(_mp_derivative(case, r, p, "alpha")), rel=tol)


def test_general_hessian_is_psi_deriv() -> None:
    # second derivatives go through the rule (its tangent is JAX code): diag(psi')
    x = jnp.asarray([0.5, -2.0, 30.0, 1e-8])
    hessian = np.asarray(jax.hessian(lambda v: _general(v, 0.5, 1.5))(x))
    case = BY_NAME["general"]
    p = {"alpha": 0.5, "scale": 1.5}
    with mpmath.workdps(50):
        expected = [float(case.mp_psi_deriv(mpmath.mpf(v), p)) for v in np.asarray(x).tolist()]
    np.testing.assert_allclose(np.diag(hessian), expected, rtol=1e-13)
    np.testing.assert_array_equal(hessian - np.diag(np.diag(hessian)), 0.0)
