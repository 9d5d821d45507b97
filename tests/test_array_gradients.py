"""Gradients with respect to array hyper-parameters, masks and axes under autodiff.

For every loss and every one of its hyper-parameters, given as an array (one value per
element): PyTorch's autograd and ``jax.grad`` of the reduced loss with respect to the
input and to that array equal central differences in float64 (the derivative worked
numerically, not by robustloss). Then ``torch.compile(fullgraph=True)`` of a loss with an
array hyper-parameter, a mask and an axis, on tensors that require grad: the same
numbers as eager, no graph break.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

from support.cases import CASES, Case, call, function

_CASES = [c for c in CASES if c.parameters]


def _point(case: Case) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Residuals away from every kink, and each hyper-parameter per element near its
    first tested value (a kink moves with the hyper-parameter: stay clear of it)."""
    rng = np.random.default_rng(7)
    p = dict(case.params[0])
    r = np.asarray([0.3, -0.7, 1.9, -2.6, 5.5, 0.05])
    arrays = {
        k: v * rng.uniform(0.9, 1.1, r.shape) if v not in (0.0,) else np.full(r.shape, v)
        for k, v in p.items()
    }
    if "alpha" in arrays:  # keep the general form: away from 0, 2 and the limits
        arrays["alpha"] = np.asarray([0.5, -1.5, 1.2, 3.0, -4.0, 0.8])
    if case.name == "hampel":
        arrays = {
            "a": np.full(r.shape, 1.0),
            "b": np.full(r.shape, 2.5),
            "c": np.full(r.shape, 6.0),
        }
    if "q" in arrays:
        arrays["q"] = np.clip(arrays["q"], 0.05, 0.95)
    if "epsilon" in arrays or "beta" in arrays:
        key = "epsilon" if "epsilon" in arrays else "beta"
        arrays[key] = np.full(r.shape, 0.2 if key == "epsilon" else 0.8) * rng.uniform(
            0.9, 1.1, r.shape
        )
    return r, arrays


def _central(f: Any, v: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.empty_like(v)
    for i in range(v.size):
        up, down = v.copy(), v.copy()
        up.flat[i] += h
        down.flat[i] -= h
        out.flat[i] = (f(up) - f(down)) / (2 * h)
    return out


def _kinked(case: Case, r: np.ndarray, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Elements within 1e-3 of a kink at their own hyper-parameters (not compared)."""
    from support.cases import kinks

    near = np.zeros(r.shape, dtype=bool)
    for i in range(r.size):
        p = {k: float(v[i]) for k, v in arrays.items()}
        for k in kinks(case, p):
            near[i] |= abs(abs(r[i]) - abs(k)) < 1e-3
    return near


@pytest.mark.parametrize("case", _CASES, ids=[c.name for c in _CASES])
def test_torch_autograd_of_array_hyper_parameters(case: Case) -> None:
    torch = pytest.importorskip("torch")
    r, arrays = _point(case)
    far = ~_kinked(case, r, arrays)

    def loss(x: Any, y: Any, **p: Any) -> Any:
        return call(case, "loss", x, y, p)

    def value(x: np.ndarray, p: dict[str, np.ndarray]) -> float:
        t = {k: torch.from_numpy(v) for k, v in p.items()}
        return float(loss(torch.from_numpy(x), torch.zeros(x.shape, dtype=torch.float64), **t))

    x = torch.from_numpy(r).requires_grad_(True)
    tp = {k: torch.from_numpy(v).requires_grad_(True) for k, v in arrays.items()}
    loss(x, torch.zeros(r.shape, dtype=torch.float64), **tp).backward()
    want = _central(lambda v: value(v, arrays), r)
    np.testing.assert_allclose(x.grad.numpy()[far], want[far], rtol=1e-6, atol=1e-9)
    for name, t in tp.items():
        want = _central(lambda v, name=name: value(r, {**arrays, name: v}), arrays[name])
        got = t.grad.numpy()
        np.testing.assert_allclose(got[far], want[far], rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("case", _CASES, ids=[c.name for c in _CASES])
def test_jax_grad_of_array_hyper_parameters(case: Case) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    r, arrays = _point(case)
    far = ~_kinked(case, r, arrays)
    names = sorted(arrays)

    def f(x: Any, *values: Any) -> Any:
        p = dict(zip(names, values, strict=True))
        return call(case, "loss", x, jnp.zeros(x.shape, dtype=x.dtype), p)

    grads = jax.jit(jax.grad(f, argnums=tuple(range(len(names) + 1))))(
        jnp.asarray(r), *(jnp.asarray(arrays[k]) for k in names)
    )

    def value(x: np.ndarray, p: dict[str, np.ndarray]) -> float:
        return float(f(jnp.asarray(x), *(jnp.asarray(p[k]) for k in names)))

    want = _central(lambda v: value(v, arrays), r)
    np.testing.assert_allclose(np.asarray(grads[0])[far], want[far], rtol=1e-6, atol=1e-9)
    for i, name in enumerate(names, start=1):
        want = _central(lambda v, name=name: value(r, {**arrays, name: v}), arrays[name])
        got = np.asarray(grads[i])
        np.testing.assert_allclose(got[far], want[far], rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("name", ["huber", "tukey", "general", "smooth_l1", "quantile"])
def test_torch_compile_fullgraph_with_arrays_masks_and_axes(name: str) -> None:
    """One graph, on tensors that require grad; the numbers of the eager call."""
    torch = pytest.importorskip("torch")
    case = next(c for c in CASES if c.name == name)
    r, arrays = _point(case)
    x0 = np.stack([r, -r[::-1], 2 * r])
    mask = torch.from_numpy(np.asarray([True, False, True, True, True, False]))
    x0[:, ~mask.numpy()] = math.nan

    fn = function(case)

    def step(x: Any, **p: Any) -> Any:
        args = [p.pop("alpha")] if case.name == "general" else []
        kw = {"where": mask, "axis": -1, "reduction": "mean"}
        return fn(x, torch.zeros_like(x), *args, **p, **kw).sum()

    def run(fn: Any) -> tuple[Any, ...]:
        x = torch.from_numpy(x0.copy()).requires_grad_(True)
        p = {k: torch.from_numpy(v).requires_grad_(True) for k, v in arrays.items()}
        out = fn(x, **p)
        out.backward()
        return (out.detach(), x.grad, *(v.grad for v in p.values()))

    torch._dynamo.reset()
    eager = run(step)
    # every warning a user would see (PyTorch raises one of its own under an "error"
    # filter when it traces an autograd function: see tests/test_torch_compile.py)
    saved = set(torch._dynamo.utils.warn_once_cache)
    torch._dynamo.utils.warn_once_cache.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        explained = torch._dynamo.explain(step)(
            torch.from_numpy(x0.copy()).requires_grad_(True),
            **{k: torch.from_numpy(v).requires_grad_(True) for k, v in arrays.items()},
        )
        compiled = run(torch.compile(step, fullgraph=True, backend="aot_eager"))
    torch._dynamo.utils.warn_once_cache.update(saved)
    assert explained.graph_break_count == 0, explained.break_reasons
    assert [str(w.message).splitlines()[0] for w in caught] == []
    for a, b in zip(eager, compiled, strict=True):
        assert torch.isfinite(a).all()
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-15)


def test_the_torch_modules_take_masks_axes_and_learned_arrays() -> None:
    """``robustloss.torch`` modules: ``where=``/``axis=`` in ``forward``, and a delta per
    output learned as a parameter, whose gradient is the one of the functional call."""
    torch = pytest.importorskip("torch")
    import robustloss.torch as rlt

    x = torch.tensor([[0.5, 3.0, math.nan], [2.0, -1.0, 4.0]], dtype=torch.float64)
    kept = ~torch.isnan(x)
    loss = rlt.HuberLoss()
    got = loss(x, torch.zeros_like(x), where=kept, axis=-1)
    # by hand: [(0.125 + 2.5) / 2, (1.5 + 0.5 + 3.5) / 3]
    torch.testing.assert_close(got, torch.tensor([1.3125, 5.5 / 3], dtype=torch.float64))
    deltas = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)  # one per output
    learned = rlt.HuberLoss(delta=deltas, learn="delta")
    delta = dict(learned.named_parameters())["delta"]
    learned(x, torch.zeros_like(x), where=kept).backward()
    # d/d delta of the mean of the 5 kept: (|r| - delta) / 5 beyond delta, 0 inside
    want = torch.tensor([(2.0 - 1.0) / 5, (3.0 - 2.0) / 5, (4.0 - 0.5) / 5], dtype=torch.float64)
    torch.testing.assert_close(delta.grad, want)
