"""torch.compile(fullgraph=True) of every loss, its gradient function and its backward.

TorchDynamo's capture and AOTAutograd run with a backend that counts the forward and
backward graphs it is given and runs them eagerly (no C++ compiler needed): one graph
each way means no graph break, and ``fullgraph=True`` fails on any. The warnings
TorchDynamo prints while tracing (one per ``functools.lru_cache``-wrapped function it
meets, say) are recorded and must be none. The inductor itself compiles a few losses.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

torch = pytest.importorskip("torch")

import robustloss  # noqa: E402
import robustloss.torch as rlt  # noqa: E402
from robustloss._losses import LOSSES  # noqa: E402

pytestmark = pytest.mark.slow


def _args(cls: type[rlt.RobustLoss]) -> dict[str, float]:
    """The required constructor arguments of `cls` (GeneralLoss's alpha), at defaults."""
    defaults = {p.name: p.default for p in cls.definition.parameters}
    required = [p for p in cls._signature.parameters.values() if p.default is p.empty]
    return {p.name: defaults[p.name] for p in required}


MODULES = [getattr(rlt, d.object_name) for d in LOSSES.values()]


class Counter:
    """A torch.compile backend: AOTAutograd, counting its forward and backward graphs."""

    def __init__(self) -> None:
        from functorch.compile import make_boxed_func
        from torch._dynamo.backends.common import aot_autograd

        self.graphs = {"forward": 0, "backward": 0}

        def compiler(kind: str) -> Callable[..., Any]:
            def compile(gm: Any, example_inputs: Any) -> Any:
                self.graphs[kind] += 1
                return make_boxed_func(gm.forward)

            return compile

        self.backend = aot_autograd(
            fw_compiler=compiler("forward"), bw_compiler=compiler("backward")
        )


@pytest.fixture
def no_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning, TorchDynamo's once-per-process ones included, and refuse them.

    Under the ``always`` filter a user sees, not pytest's ``error``: TorchDynamo builds
    the context of an autograd function it traces by instantiating
    ``torch.autograd.Function`` inside ``warnings.catch_warnings(record=True)``, which
    swallows the DeprecationWarning that raises but turns it into an exception under an
    ``error`` filter (PyTorch's own, for every autograd function it traces).
    """
    torch._dynamo.reset()
    saved = set(torch._dynamo.utils.warn_once_cache)
    torch._dynamo.utils.warn_once_cache.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    torch._dynamo.utils.warn_once_cache.update(saved)
    assert [str(w.message).splitlines()[0] for w in caught] == []


def _data(n: int = 48, dtype: Any = torch.float64) -> tuple[Any, Any, Any]:
    gen = torch.Generator().manual_seed(11)
    x = torch.randn(n, 4, dtype=dtype, generator=gen)
    y = torch.randn(n, 2, dtype=dtype, generator=gen) * 2
    w = torch.rand(n, 2, dtype=dtype, generator=gen)
    return x, y, w


# --- every loss: a training step, and the gradient function ---------------------------------
@pytest.mark.parametrize("cls", MODULES, ids=lambda c: c.__name__)
def test_a_training_step_and_the_gradient_compile_in_one_graph(
    cls: type[rlt.RobustLoss], no_warnings: Any
) -> None:
    loss = cls(**_args(cls))
    model = torch.nn.Linear(4, 2).double()
    x, y, _ = _data()

    def step(a: Any, b: Any) -> Any:
        return loss(model(a), b)

    counter = Counter()
    compiled = torch.compile(step, fullgraph=True, dynamic=False, backend=counter.backend)
    got = compiled(x, y)
    got.backward()
    got_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    want = step(x, y)
    want.backward()
    assert counter.graphs == {"forward": 1, "backward": 1}
    torch.testing.assert_close(got, want, rtol=1e-12, atol=0)
    for g, p in zip(got_grads, model.parameters(), strict=True):
        torch.testing.assert_close(g, p.grad, rtol=1e-10, atol=1e-14)

    grad = getattr(robustloss, f"{cls.definition.function_name}_grad")
    counter = Counter()
    compiled_grad = torch.compile(
        lambda a, b: grad(a, b, **_args(cls)), fullgraph=True, backend=counter.backend
    )
    out = model(x).detach()
    torch.testing.assert_close(
        compiled_grad(out, y), grad(out, y, **_args(cls)), rtol=1e-12, atol=0
    )
    assert counter.graphs == {"forward": 1, "backward": 0}


# --- reductions and weights, on one loss of each strategy -----------------------------------
SUBSET = [
    ("huber", {"delta": 0.5}),  # PyTorch's kernel where unweighted
    ("mse", {}),
    ("tukey", {"c": 2.0}),  # the psi-backed autograd function
    ("general", {"alpha": 0.5, "scale": 1.5}),
]


@pytest.mark.parametrize(("name", "params"), SUBSET, ids=[s[0] for s in SUBSET])
def test_every_reduction_weighted_or_not_compiles_in_one_graph(
    name: str, params: dict[str, float], no_warnings: Any
) -> None:
    f = getattr(robustloss, f"{name}_loss")
    g = getattr(robustloss, f"{name}_loss_grad")

    def every(a: Any, b: Any, w: Any) -> list[Any]:
        out = []
        for reduction in ("none", "mean", "sum", "weighted_mean"):
            for weight in (None, w, 0.5):
                out.append(f(a, b, reduction=reduction, weight=weight, **params))
                out.append(g(a, b, reduction=reduction, weight=weight, **params))
        return out

    x, y, w = _data()
    x = x[:, :2].clone().requires_grad_(True)
    counter = Counter()
    compiled = torch.compile(every, fullgraph=True, dynamic=False, backend=counter.backend)
    got = compiled(x, y, w)
    (got_grad,) = torch.autograd.grad(sum(v.sum() for v in got[::2]), x)
    want = every(x, y, w)
    (want_grad,) = torch.autograd.grad(sum(v.sum() for v in want[::2]), x)
    assert counter.graphs == {"forward": 1, "backward": 1}
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=0)
    torch.testing.assert_close(got_grad, want_grad, rtol=1e-10, atol=1e-14)


def test_integer_targets_and_half_inputs_compile(no_warnings: Any) -> None:
    x = torch.randn(16, dtype=torch.bfloat16, requires_grad=True)
    y = torch.arange(16) % 3
    counter = Counter()
    compiled = torch.compile(
        lambda a, b: robustloss.tukey_loss(a, b, c=1.5), fullgraph=True, backend=counter.backend
    )
    got = compiled(x, y)
    assert got.dtype == torch.bfloat16
    torch.testing.assert_close(got, robustloss.tukey_loss(x, y, c=1.5))
    got.backward()
    assert counter.graphs == {"forward": 1, "backward": 1}


def test_a_refused_call_raises_as_outside_the_trace() -> None:
    torch._dynamo.reset()
    compiled = torch.compile(robustloss.huber_loss, fullgraph=True, backend="eager")
    with warnings.catch_warnings():  # the checked path's: array-api-compat's lru_cache
        warnings.simplefilter("ignore")
        # TorchDynamo reports an exception of traced code as its own, with the message
        refused = (ValueError, torch._dynamo.exc.Unsupported)
        with pytest.raises(refused, match="same shape"):
            compiled(torch.zeros(3), torch.zeros(4))
        # a new float after a first compilation is made symbolic by TorchDynamo (automatic
        # dynamic shapes): the hyper-parameter's check would break the graph, not raise
        torch._dynamo.reset()
        with pytest.raises(refused, match="delta"):
            compiled(torch.zeros(3), torch.zeros(3), delta=-1.0)


def test_a_learned_alpha_compiles_in_one_graph() -> None:
    torch._dynamo.reset()
    loss = rlt.GeneralLoss(alpha=1.0, learn="alpha").double()
    x, y, _ = _data()
    counter = Counter()
    compiled = torch.compile(loss, fullgraph=True, dynamic=False, backend=counter.backend)
    with warnings.catch_warnings():  # a tensor alpha takes the checked path, which warns
        warnings.simplefilter("ignore")
        got = compiled(x[:, :2], y)
    got.backward()
    want_grad = loss.alpha.grad.clone()
    loss.alpha.grad = None
    loss(x[:, :2], y).backward()
    torch.testing.assert_close(want_grad, loss.alpha.grad, rtol=1e-10, atol=0)
    assert counter.graphs == {"forward": 1, "backward": 1}


# --- the inductor ---------------------------------------------------------------------------
@pytest.fixture
def inductor() -> None:
    """The inductor, imported and run once: its own imports warn (``torch.jit``'s)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.compile(lambda a: a * 2, fullgraph=True)(torch.ones(2))


@pytest.mark.parametrize("name", ["HuberLoss", "TukeyLoss"])
def test_the_inductor_compiles_forward_and_backward(
    name: str, inductor: None, no_warnings: Any
) -> None:
    loss = getattr(rlt, name)()
    x, y, _ = _data(dtype=torch.float32)
    x = x[:, :2].clone().requires_grad_(True)
    compiled = torch.compile(loss, fullgraph=True)
    got = compiled(x, y)
    (got_grad,) = torch.autograd.grad(got, x)
    want = loss(x, y)
    (want_grad,) = torch.autograd.grad(want, x)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got_grad, want_grad)


def test_max_autotune_without_cuda_graphs_compiles(inductor: None, no_warnings: Any) -> None:
    loss = rlt.CauchyLoss(scale=0.5)
    x = torch.randn(64, requires_grad=True)
    y = torch.zeros(64)
    compiled = torch.compile(loss, mode="max-autotune-no-cudagraphs", fullgraph=True)
    got = compiled(x, y)
    got.backward()
    torch.testing.assert_close(got, loss(x, y))
