"""robustloss.torch: a torch.nn.Module per loss, equal to torch.nn where PyTorch has the loss.

* one module per loss of the registry, with the loss object's signature and ``learn``;
* what a module does: ``.to``, ``.train()``/``.eval()``, ``nn.ModuleDict``, ``extra_repr``,
  the state dict (numbers as extra state, learned hyper-parameters as parameters);
* Huber, Smooth L1, L1 and MSE equal ``torch.nn``'s modules bit for bit, values and
  gradients, and a 200-step SGD training loop with them equals the same loop with
  ``torch.nn``'s, in float32 and float64;
* the other losses against hand-worked formulas; ``torch.func.grad``, ``torch.func.vmap``
  and ``torch.autocast(bfloat16)`` through the modules;
* a learned ``alpha`` (and where accepted, ``scale``): its gradient against central
  differences (``torch.autograd.gradcheck``, float64).
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")

import robustloss  # noqa: E402
import robustloss.torch as rlt  # noqa: E402
from robustloss._losses import LOSSES  # noqa: E402

DTYPES = [torch.float32, torch.float64]
REDUCTIONS = ["mean", "sum", "none"]


def _args(cls: type[rlt.RobustLoss]) -> dict[str, float]:
    """The required constructor arguments of `cls` (GeneralLoss's alpha), at defaults."""
    defaults = {p.name: p.default for p in cls.definition.parameters}
    required = [p for p in cls._signature.parameters.values() if p.default is p.empty]
    return {p.name: defaults[p.name] for p in required}


MODULES = [getattr(rlt, d.object_name) for d in LOSSES.values()]


# --- the registry ---------------------------------------------------------------------------
def test_every_loss_has_a_module_with_the_object_signature() -> None:
    likelihoods = {"AdaptiveLoss", "StudentsTLoss"}  # robustloss._likelihood's
    assert (
        set(rlt.__all__) == {d.object_name for d in LOSSES.values()} | {"RobustLoss"} | likelihoods
    )
    for d in LOSSES.values():
        cls = getattr(rlt, d.object_name)
        assert cls.__name__ == d.object_name
        assert cls.__module__ == "robustloss.torch"
        assert issubclass(cls, torch.nn.Module)
        assert cls.definition is d
        params = dict(inspect.signature(cls).parameters)
        assert params.pop("learn").kind is inspect.Parameter.KEYWORD_ONLY
        assert list(params) == list(
            inspect.signature(getattr(robustloss, d.object_name)).parameters
        )
        doc = cls.__doc__ or ""
        assert "Parameters\n----------" in doc
        assert "learn : " in doc
        assert ">>> " in doc


def test_torch_nn_signatures() -> None:
    for name in ("HuberLoss", "SmoothL1Loss", "L1Loss", "MSELoss"):
        ours = inspect.signature(getattr(rlt, name)).parameters
        theirs = inspect.signature(getattr(torch.nn, name)).parameters
        assert [(p.name, p.default) for p in theirs.values()] == [
            (p.name, p.default) for p in ours.values() if p.name != "learn"
        ]


def test_import_robustloss_does_not_import_torch() -> None:
    code = "import sys, robustloss; robustloss.huber_loss; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- a module -------------------------------------------------------------------------------
def test_a_module_moves_switches_modes_and_sits_in_a_module_dict() -> None:
    losses = torch.nn.ModuleDict({"huber": rlt.HuberLoss(delta=0.5), "tukey": rlt.TukeyLoss()})
    model = torch.nn.Sequential(torch.nn.Linear(3, 1))
    model.losses = losses
    model.to(torch.float64).eval().train()
    assert losses["huber"].training
    assert losses["huber"].to("cpu") is losses["huber"]
    assert repr(losses["huber"]) == "HuberLoss(reduction='mean', delta=0.5)"
    assert repr(rlt.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"
    if torch.cuda.is_available():
        losses.cuda()


def test_the_state_dict_holds_the_numbers_and_loads_torch_nn_state() -> None:
    m = rlt.HampelLoss(a=1.0, b=2.0, c=3.0)
    assert m.state_dict() == {"_extra_state": {"a": 1.0, "b": 2.0, "c": 3.0}}
    other = rlt.HampelLoss()
    other.load_state_dict(m.state_dict())
    assert (other.a, other.b, other.c) == (1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="hampel"):  # checked as at construction
        other.load_state_dict({"_extra_state": {"a": 5.0, "b": 2.0, "c": 3.0}})
    assert rlt.L1Loss().state_dict() == torch.nn.L1Loss().state_dict() == {}
    huber = rlt.HuberLoss(delta=2.0)
    huber.load_state_dict(torch.nn.HuberLoss(delta=3.0).state_dict())  # nothing to load
    assert huber.delta == 2.0


def test_learned_hyper_parameters_are_parameters_and_tensors_buffers() -> None:
    m = rlt.GeneralLoss(alpha=1.0, scale=2.0, learn="alpha")
    assert [n for n, _ in m.named_parameters()] == ["alpha"]
    assert m.state_dict()["_extra_state"] == {"scale": 2.0}
    assert torch.equal(m.state_dict()["alpha"], torch.tensor(1.0))
    assert repr(m) == "GeneralLoss(reduction='mean', alpha=Parameter(shape=()), scale=2.0)"
    per_channel = rlt.GeneralLoss(alpha=torch.tensor([0.0, 1.0, 2.0]))
    assert [n for n, _ in per_channel.named_buffers()] == ["alpha"]
    with pytest.raises(ValueError, match="does not have"):
        rlt.HuberLoss(learn=("alpha",))


def test_bad_configuration_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="delta"):
        rlt.HuberLoss(delta=-1.0)
    with pytest.raises(ValueError, match="reduction"):
        rlt.MSELoss(reduction="avg")
    with pytest.raises(TypeError):
        rlt.GeneralLoss()  # alpha is required
    with pytest.warns(DeprecationWarning, match="size_average"):
        assert rlt.L1Loss(size_average=False).reduction == "sum"


# --- PyTorch's own losses, bit for bit ------------------------------------------------------
TORCH_NN = [
    ("HuberLoss", {"delta": 1.0}),
    ("HuberLoss", {"delta": 0.3}),
    ("SmoothL1Loss", {"beta": 1.0}),
    ("SmoothL1Loss", {"beta": 0.25}),
    ("SmoothL1Loss", {"beta": 0.0}),
    ("L1Loss", {}),
    ("MSELoss", {}),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "kwargs"), TORCH_NN, ids=lambda v: str(v))
def test_equal_to_torch_nn(name: str, kwargs: dict[str, float], reduction: str, dtype: Any) -> None:
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(4, 33, dtype=dtype, generator=gen) * 2
    y = torch.randn(4, 33, dtype=dtype, generator=gen)
    got, want = [], []
    for module, out in (
        (getattr(rlt, name)(reduction=reduction, **kwargs), got),
        (getattr(torch.nn, name)(reduction=reduction, **kwargs), want),
    ):
        xg = x.clone().requires_grad_(True)
        value = module(xg, y)
        value.backward(torch.ones_like(value))
        out += [value.detach(), xg.grad]
    for a, b in zip(got, want, strict=True):
        assert torch.equal(a, b)


def _train(
    loss: Callable[[Any, Any], Any], dtype: Any, steps: int = 200
) -> tuple[list[Any], list[Any]]:
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 2).to(dtype)
    x = torch.randn(64, 8, dtype=dtype)
    y = x @ torch.randn(8, 2, dtype=dtype) + torch.randn(64, 2, dtype=dtype).pow(3)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    values = []
    for _ in range(steps):
        opt.zero_grad()
        value = loss(model(x), y)
        value.backward()
        opt.step()
        values.append(value.detach())
    return values, [p.detach() for p in model.parameters()]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(("name", "kwargs"), TORCH_NN, ids=lambda v: str(v))
def test_a_training_loop_equals_torch_nn_bit_for_bit(
    name: str, kwargs: dict[str, float], dtype: Any
) -> None:
    ours = _train(getattr(rlt, name)(**kwargs), dtype)
    theirs = _train(getattr(torch.nn, name)(**kwargs), dtype)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1], strict=True):
        assert torch.equal(a, b)


# --- the other losses, against hand-worked formulas -----------------------------------------
def _general(r: Any, alpha: float, scale: float) -> Any:
    t2 = (r / scale) ** 2
    if alpha == 2:
        return t2 / 2
    if alpha == 0:
        return torch.log1p(t2 / 2)
    if alpha == -math.inf:
        return -torch.expm1(-t2 / 2)
    b = abs(alpha - 2)
    return b / alpha * ((t2 / b + 1) ** (alpha / 2) - 1)


FORMULAS: list[tuple[str, dict[str, float], Callable[[Any], Any]]] = [
    ("LogCoshLoss", {}, lambda r: torch.log(torch.cosh(r))),
    ("PseudoHuberLoss", {"delta": 0.7}, lambda r: 0.49 * (torch.sqrt(1 + (r / 0.7) ** 2) - 1)),
    (
        "TukeyLoss",
        {"c": 2.0},
        lambda r: torch.where(r.abs() <= 2, 4 / 6 * (1 - (1 - (r / 2) ** 2) ** 3), 4 / 6),
    ),
    ("CauchyLoss", {"scale": 0.5}, lambda r: _general(r, 0.0, 0.5)),
    ("WelschLoss", {"scale": 0.5}, lambda r: _general(r, -math.inf, 0.5)),
    ("GemanMcClureLoss", {"scale": 0.5}, lambda r: _general(r, -2.0, 0.5)),
    ("GeneralLoss", {"alpha": 0.5, "scale": 1.5}, lambda r: _general(r, 0.5, 1.5)),
    ("FairLoss", {"c": 1.5}, lambda r: 2.25 * (r.abs() / 1.5 - torch.log1p(r.abs() / 1.5))),
    ("QuantileLoss", {"q": 0.8}, lambda z: torch.where(z >= 0, 0.8 * z, -0.2 * z)),
]


@pytest.mark.parametrize(("name", "kwargs", "formula"), FORMULAS, ids=[f[0] for f in FORMULAS])
def test_other_losses_against_their_formula(
    name: str, kwargs: dict[str, float], formula: Callable[[Any], Any]
) -> None:
    x = torch.linspace(-4, 4, 41, dtype=torch.float64)
    y = torch.full_like(x, 0.1)
    module = getattr(rlt, name)(reduction="none", **kwargs)
    want = formula(y - x) if name == "QuantileLoss" else formula(x - y)
    torch.testing.assert_close(module(x, y), want, rtol=1e-12, atol=1e-14)
    xg = x.clone().requires_grad_(True)
    module.reduction = "sum"
    module(xg, y).backward()
    xf = x.clone().requires_grad_(True)
    (want_grad,) = torch.autograd.grad(
        (formula(y - xf) if name == "QuantileLoss" else formula(xf - y)).sum(), xf
    )
    torch.testing.assert_close(xg.grad, want_grad, rtol=1e-10, atol=1e-12)


# --- torch.func and autocast, every loss ----------------------------------------------------
@pytest.mark.parametrize("cls", MODULES, ids=lambda c: c.__name__)
def test_func_grad_vmap_and_autocast(cls: type[rlt.RobustLoss]) -> None:
    loss = cls(**_args(cls))
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(3, 16, dtype=torch.float64, generator=gen) * 2
    y = torch.randn(3, 16, dtype=torch.float64, generator=gen)
    name = cls.definition.function_name
    grad = getattr(robustloss, f"{name}_grad")
    want = grad(x, y, **_args(cls))
    torch.testing.assert_close(torch.func.grad(lambda a: loss(a, y))(x), want, rtol=1e-12, atol=0)
    per_row = torch.func.vmap(loss)(x, y)
    rows = torch.stack([loss(a, b) for a, b in zip(x, y, strict=True)])
    torch.testing.assert_close(per_row, rows, rtol=1e-12, atol=0)
    per_row_grad = torch.func.vmap(torch.func.grad(lambda a, b: loss(a, b)))(x, y)
    torch.testing.assert_close(per_row_grad, grad(x, y, **_args(cls)) * 3, rtol=1e-12, atol=0)
    xb = x.float().requires_grad_(True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        h = torch.nn.functional.linear(xb, torch.eye(16))  # bfloat16 under autocast
        value = loss(h, y.to(torch.bfloat16))
    assert h.dtype == torch.bfloat16
    assert value.dtype == torch.bfloat16
    value.backward()
    assert xb.grad is not None
    assert bool(torch.isfinite(xb.grad).all())


# --- learned hyper-parameters ---------------------------------------------------------------
def test_a_learned_alpha_has_the_central_difference_gradient() -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 5, dtype=torch.float64, generator=gen) * 2
    y = torch.zeros(2, 5, dtype=torch.float64)
    for alpha in (torch.tensor([-1.5, 0.0, 0.5, 1.0, 3.0]), torch.tensor(0.7)):
        a = alpha.to(torch.float64).requires_grad_(True)
        xg = x.clone().requires_grad_(True)
        assert torch.autograd.gradcheck(
            lambda xi, ai: robustloss.general_loss(xi, y, ai, reduction="sum"), (xg, a)
        )


def test_a_general_loss_module_learns_alpha() -> None:
    torch.manual_seed(0)
    loss = rlt.GeneralLoss(alpha=1.0, learn="alpha").double()
    r = torch.randn(256, dtype=torch.float64) * 0.1  # nearly Gaussian residuals: alpha grows
    opt = torch.optim.SGD(loss.parameters(), lr=0.5)
    start = loss.alpha.detach().clone()
    for _ in range(5):
        opt.zero_grad()
        value = loss(r, torch.zeros_like(r))
        value.backward()
        assert loss.alpha.grad is not None
        assert loss.alpha.grad.shape == ()
        opt.step()
    assert not torch.equal(loss.alpha.detach(), start)


def test_a_learned_scale_has_the_central_difference_gradient() -> None:
    x = torch.linspace(-3, 3, 7, dtype=torch.float64).requires_grad_(True)
    y = torch.zeros(7, dtype=torch.float64)
    scale = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    try:
        robustloss.cauchy_loss(x, y, scale=scale)
    except TypeError:
        pytest.skip("this version takes numbers only for scale")
    assert torch.autograd.gradcheck(
        lambda xi, s: robustloss.cauchy_loss(xi, y, scale=s, reduction="sum"), (x, scale)
    )
    module = rlt.CauchyLoss(scale=0.8, learn="scale").double()
    module(x, y).backward()
    assert module.scale.grad is not None
