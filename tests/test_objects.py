"""The loss objects (``HuberLoss``, ..., ``GeneralLoss``): configuration, equality,
immutability, validation, and that calling one is calling its function.

Every loss of the table (``support.cases``) with every hyper-parameter set the tests run;
the objects' numbers are compared with the functions' own, which the rest of the suite
checks against independent implementations.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

import robustloss as rl
from support.cases import CASES, NAMES, Case, call, make_object, params
from support.matrix import Backend

#: the reductions the objects are built with, in turn (None is "none")
REDUCTIONS = ["mean", "sum", None, "weighted_mean", "none"]


def _objects() -> list[Any]:
    """``pytest.param(obj)`` for every loss and hyper-parameter set, reductions in turn."""
    out = []
    for i, param in enumerate(params()):
        case, p = param.values
        obj = make_object(case, p, reduction=REDUCTIONS[i % len(REDUCTIONS)])
        out.append(pytest.param(case, p, obj, id=param.id))
    return out


# --- configuration -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("obj", "config"),
    [
        (rl.HuberLoss(delta=0.5), {"reduction": "mean", "delta": 0.5}),
        (rl.HuberLoss(reduction=None), {"reduction": "none", "delta": 1.0}),
        (rl.SmoothL1Loss(reduction="sum", beta=0.0), {"reduction": "sum", "beta": 0.0}),
        (rl.L1Loss(reduction="weighted_mean"), {"reduction": "weighted_mean"}),
        (rl.MSELoss(), {"reduction": "mean"}),
    ],
    ids=repr,
)
def test_loss_object_config(obj: rl.Loss, config: dict[str, Any]) -> None:
    assert obj.get_config() == config
    text = json.dumps(obj.get_config())
    rebuilt = type(obj).from_config(json.loads(text))
    assert rebuilt == obj
    assert hash(rebuilt) == hash(obj)
    assert repr(obj).startswith(type(obj).__name__ + "(")
    assert eval(repr(obj), {type(obj).__name__: type(obj)}) == obj


@pytest.mark.parametrize(("case", "p", "loss"), _objects())
def test_objects_round_trip_through_json(case: Case, p: dict[str, Any], loss: rl.Loss) -> None:
    text = json.dumps(loss.get_config(), allow_nan=False)
    again = type(loss).from_config(json.loads(text))
    assert type(loss).__name__ == case.object
    assert again == loss
    assert hash(again) == hash(loss)
    assert repr(again) == repr(loss)
    x, y = np.asarray([0.5, -1.5, 3.0]), np.zeros(3)
    np.testing.assert_array_equal(again(x, y), loss(x, y))
    np.testing.assert_array_equal(again.grad(x, y), loss.grad(x, y))


def test_torch_style_signatures() -> None:
    assert rl.SmoothL1Loss(None, None, "sum", 0.5).get_config() == {"reduction": "sum", "beta": 0.5}
    assert rl.HuberLoss("none", 2.0).get_config() == {"reduction": "none", "delta": 2.0}
    assert rl.L1Loss(None, None, "sum").reduction == "sum"
    assert rl.MSELoss(None, None, None).reduction == "none"


# --- equality and immutability ------------------------------------------------------------
def test_loss_objects_compare_by_type_and_config() -> None:
    assert rl.HuberLoss() != rl.HuberLoss(delta=2.0)
    assert rl.L1Loss() != rl.MSELoss()
    assert rl.HuberLoss() != "HuberLoss"
    assert len({rl.HuberLoss(), rl.HuberLoss(), rl.MSELoss()}) == 2


def test_loss_objects_are_immutable() -> None:
    loss = rl.HuberLoss(delta=0.5)
    with pytest.raises(AttributeError, match="immutable"):
        loss.delta = -1.0
    with pytest.raises(AttributeError, match="immutable"):
        loss.reduction = "sum"
    with pytest.raises(AttributeError, match="immutable"):
        loss.extra = 1
    assert loss.delta == 0.5
    assert loss.get_config() == {"reduction": "mean", "delta": 0.5}


def test_loss_object_attributes_cannot_be_deleted() -> None:
    loss = rl.HuberLoss(delta=0.5)
    with pytest.raises(AttributeError, match="immutable"):
        del loss.delta


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_object_is_immutable(case: Case) -> None:
    loss = make_object(case, case.params[0])
    for name in (*case.parameters, "reduction"):
        with pytest.raises(AttributeError):
            setattr(loss, name, 1.0)


# --- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_unknown_reduction_at_construction(case: Case) -> None:
    with pytest.raises(ValueError, match="reduction must be one of"):
        make_object(case, case.params[0], reduction="avg")


def test_objects_validate_at_construction() -> None:
    for make in (
        lambda: rl.PseudoHuberLoss(delta=0.0),
        lambda: rl.TukeyLoss(c=-1.0),
        lambda: rl.CauchyLoss(scale=math.inf),
        lambda: rl.GeneralLoss(alpha=math.nan),
        lambda: rl.LogCoshLoss(reduction="avg"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError, match="must"):
            make()


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_hyperparameter_is_validated_at_construction(case: Case) -> None:
    for name in case.parameters:
        with pytest.raises(ValueError, match="must"):
            make_object(case, {**case.params[0], name: math.nan})


# --- calling an object is calling its function ------------------------------------------
def test_the_objects_are_the_losses_of_the_table() -> None:
    found = {type(make_object(case, case.params[0])).__name__ for case in CASES}
    assert found == {case.object for case in CASES}


@pytest.mark.parametrize(("case", "p"), params())
def test_loss_objects_match_the_functions(backend: Backend, case: Case, p: dict[str, Any]) -> None:
    rng = np.random.default_rng(3)
    x = backend.asarray(rng.standard_normal((3, 5)), "float64")
    y = backend.asarray(rng.standard_normal((3, 5)), "float64")
    w = backend.asarray(rng.random(5), "float64")
    for reduction in ("mean", "sum", "none", "weighted_mean"):
        obj = make_object(case, p, reduction=reduction)
        kw = {"reduction": obj.reduction, "weight": w}
        want, want_grad = (backend.to_numpy(call(case, k, x, y, p, **kw)) for k in ("loss", "grad"))
        np.testing.assert_array_equal(backend.to_numpy(obj(x, y, w)), want)
        np.testing.assert_array_equal(backend.to_numpy(obj.grad(x, y, w)), want_grad)
        np.testing.assert_array_equal(backend.to_numpy(obj.forward(x, y, w)), want)
