"""PyTorch modules of every loss: ``torch.nn`` losses that robustloss computes.

Each loss of the registry is a :class:`torch.nn.Module` here, named like its loss object
(:class:`HuberLoss`, :class:`TukeyLoss`, ...) and constructed with that object's
arguments, which are ``torch.nn``'s where PyTorch has the loss: ``HuberLoss(reduction,
delta)``, ``SmoothL1Loss(size_average, reduce, reduction, beta)``, ``L1Loss``,
``MSELoss``. A module moves with its model (``.to``, ``.cuda``, ``.train()``,
``.eval()``), sits in an ``nn.ModuleDict``, and is called as ``loss(input, target,
weight=None)``; it runs inside ``torch.compile(fullgraph=True)``, ``torch.func`` and
``torch.autocast``. Where PyTorch has the loss, the values and gradients are
PyTorch's own, bit for bit.

Hyper-parameters given as numbers are kept as numbers (PyTorch's fused kernels take them
so) and saved in the module's state dict (its extra state); those named in ``learn`` are
:class:`torch.nn.Parameter` tensors that the optimizer trains, and a tensor passed for one
is a buffer. This module imports PyTorch; ``import robustloss`` does not.

Examples
--------
>>> import torch
>>> import robustloss.torch as rlt
>>> x, y = torch.tensor([0.5, -3.0]), torch.zeros(2)
>>> torch.equal(rlt.HuberLoss(delta=2.0)(x, y), torch.nn.HuberLoss(delta=2.0)(x, y))
True
>>> losses = torch.nn.ModuleDict({"fit": rlt.TukeyLoss(c=4.685), "check": rlt.L1Loss()})
>>> losses
ModuleDict(
  (fit): TukeyLoss(reduction='mean', c=4.685)
  (check): L1Loss(reduction='mean')
)
>>> adaptive = rlt.GeneralLoss(alpha=1.0, learn=("alpha",))
>>> [name for name, _ in adaptive.named_parameters()]
['alpha']
"""

# ruff: noqa: D101  (each loss module's docstring is rendered from the registry)

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import torch
from torch import nn

from . import _docs, _likelihood, _objects
from ._checks import check_parameters, check_reduction, legacy_reduction
from ._engine import evaluate
from ._likelihood.losses import ADAPTIVE, STUDENTS_T
from ._losses import (
    ANDREWS_WAVE,
    ARCTAN,
    CAUCHY,
    EPSILON_INSENSITIVE,
    EXPECTILE,
    FAIR,
    GEMAN_MCCLURE,
    GENERAL,
    HAMPEL,
    HUBER,
    HUBER_QUANTILE,
    L1,
    LOG_COSH,
    MSE,
    PSEUDO_HUBER,
    QUANTILE,
    RAMSAY_E,
    SMOOTH_L1,
    SQUARED_EPSILON_INSENSITIVE,
    TRIMMED,
    TUKEY,
    TUKEY_QUARTIC,
    WELSCH,
    LossDefinition,
)

__all__ = [
    "AdaptiveLoss",
    "AndrewsWaveLoss",
    "ArctanLoss",
    "CauchyLoss",
    "EpsilonInsensitiveLoss",
    "ExpectileLoss",
    "FairLoss",
    "GemanMcClureLoss",
    "GeneralLoss",
    "HampelLoss",
    "HuberLoss",
    "HuberQuantileLoss",
    "L1Loss",
    "LogCoshLoss",
    "MSELoss",
    "PseudoHuberLoss",
    "QuantileLoss",
    "RamsayELoss",
    "RobustLoss",
    "SmoothL1Loss",
    "SquaredEpsilonInsensitiveLoss",
    "StudentsTLoss",
    "TrimmedLoss",
    "TukeyLoss",
    "TukeyQuarticLoss",
    "WelschLoss",
]

#: the module arguments the loss functions do not have, as numpydoc entries
_SHARED = {
    **_docs._SHARED,
    "learn": """\
learn : iterable of str, default: ()
    Hyper-parameters to learn: each becomes a :class:`torch.nn.Parameter` (a 0-d tensor
    of the default dtype where a number is given), trained with the model. A single name
    may be given as a string.""",
}


class RobustLoss(nn.Module):
    """Base class of the loss modules: a loss definition and its hyper-parameters.

    A subclass names its definition (``class HuberLoss(RobustLoss, definition=HUBER)``);
    its constructor's signature and docstring are those of the loss object of that
    definition (:mod:`robustloss`'s ``HuberLoss``), with `learn` added.
    """

    definition: ClassVar[LossDefinition]
    #: the constructor's signature, without `learn` (the loss object's)
    _signature: ClassVar[inspect.Signature]
    reduction: str

    def __init_subclass__(
        cls, definition: LossDefinition | None = None, face: type | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if definition is not None:
            _configure(cls, definition, face or getattr(_objects, definition.object_name))

    def __init__(self, *args: Any, learn: Iterable[str] | str = (), **kwargs: Any) -> None:
        super().__init__()
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        reduction = arguments.pop("reduction")
        if "size_average" in arguments:
            reduction = legacy_reduction(
                arguments.pop("size_average"), arguments.pop("reduce"), reduction
            )
        self.reduction = check_reduction(reduction)
        learned = (learn,) if isinstance(learn, str) else tuple(learn)
        names = [p.name for p in self.definition.parameters]
        unknown = sorted(set(learned) - set(names))
        if unknown:
            raise ValueError(
                f"learn names {unknown}, which {type(self).__name__} does not have; "
                f"its hyper-parameters are {names}"
            )
        for name, value in check_parameters(self.definition, arguments).items():
            if name in learned:
                tensor = (
                    value.detach().clone()
                    if isinstance(value, torch.Tensor)
                    else torch.tensor(value, dtype=torch.get_default_dtype())
                )
                self.register_parameter(name, nn.Parameter(tensor))
            elif isinstance(value, torch.Tensor):
                self.register_buffer(name, value)
            else:
                setattr(self, name, value)

    def forward(
        self,
        input: torch.Tensor,
        target: torch.Tensor,
        weight: Any = None,
        *,
        where: torch.Tensor | None = None,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
    ) -> Any:
        """Compute the loss of `input` against `target` with this module's configuration.

        Parameters
        ----------
        input, target : torch.Tensor
            Predictions and targets, of one shape.
        weight : torch.Tensor or float, optional
            Per-element weights that broadcast to the shape of `input`.
        where : torch.Tensor of bool, optional
            Mask broadcasting to `input`: elements where it is False count nowhere (even
            NaN ones), and the means count only the kept elements.
        axis : int or tuple of ints, optional
            Axes to reduce over (all by default): ``axis=-1`` is a loss per sample.
        keepdims : bool, default: False
            Keep the reduced axes, with size 1.

        Returns
        -------
        torch.Tensor
            The reduced loss (0-d, or without the reduced axes) or, for
            ``reduction='none'``, the elementwise loss.
        """
        if where is None and axis is None and not keepdims:  # the call torch.nn makes
            return evaluate(
                self.definition, input, target, self.reduction, weight, None, self._values()
            )
        return evaluate(
            self.definition,
            input,
            target,
            self.reduction,
            weight,
            None,
            self._values(),
            where=where,
            axis=axis,
            keepdims=keepdims,
        )

    def _values(self) -> dict[str, Any]:
        return {p.name: getattr(self, p.name) for p in self.definition.parameters}

    def extra_repr(self) -> str:
        """Return the reduction and the hyper-parameters, as the constructor takes them."""
        parts = [f"reduction={self.reduction!r}"]
        for name, value in self._values().items():
            if isinstance(value, nn.Parameter):
                parts.append(f"{name}=Parameter(shape={tuple(value.shape)})")
            elif isinstance(value, torch.Tensor):
                parts.append(f"{name}=tensor(shape={tuple(value.shape)})")
            else:
                parts.append(f"{name}={value!r}")
        return ", ".join(parts)

    # --- the numbers among the hyper-parameters travel in the state dict -----------------
    def get_extra_state(self) -> dict[str, float]:
        """Return the hyper-parameters given as numbers, for the state dict."""
        return {k: v for k, v in self._values().items() if not isinstance(v, torch.Tensor)}

    def set_extra_state(self, state: Any) -> None:
        """Set the hyper-parameters given as numbers from a state dict (checked first)."""
        if not isinstance(state, Mapping):
            raise TypeError(f"the extra state of a loss module is a dict, got {state!r}")
        numbers = self.get_extra_state()
        unknown = sorted(set(state) - set(numbers))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no number hyper-parameter {unknown}")
        checked = check_parameters(self.definition, {**self._values(), **state})
        for name in numbers:
            setattr(self, name, checked[name])

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )
        # a state dict of torch.nn's loss has no extra state: the constructed values stay
        key = prefix + "_extra_state"
        if key in missing_keys:
            missing_keys.remove(key)


def _configure(cls: type[RobustLoss], definition: LossDefinition, face: type) -> None:
    """Give the module of `definition` its signature (the object `face`'s), and more.

    Its constructor and its docstring too.
    """
    spec = inspect.signature(face)
    learn = inspect.Parameter("learn", inspect.Parameter.KEYWORD_ONLY, default=())
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)

    def __init__(  # noqa: N807  (the class's own constructor, with its signature)
        self: RobustLoss, *args: Any, learn: Iterable[str] | str = (), **kwargs: Any
    ) -> None:
        RobustLoss.__init__(self, *args, learn=learn, **kwargs)

    __init__.__signature__ = spec.replace(  # type: ignore[attr-defined]
        parameters=[this, *spec.parameters.values(), learn]
    )
    __init__.__qualname__ = f"{cls.__name__}.__init__"
    cls.definition = definition
    cls._signature = spec
    cls.__init__ = __init__  # type: ignore[method-assign]
    if not definition.parameters:  # an empty state dict, as torch.nn's losses have
        cls.get_extra_state = nn.Module.get_extra_state  # type: ignore[method-assign]
        cls.set_extra_state = nn.Module.set_extra_state  # type: ignore[method-assign]
    cls.__doc__ = _docstring(cls, definition)


def _docstring(cls: type[RobustLoss], definition: LossDefinition) -> str:
    name, d = definition.function_name, definition.docs
    required = [p for p in cls._signature.parameters.values() if p.default is p.empty]
    defaults = {p.name: p.default for p in definition.parameters}
    args = ", ".join(f"{p.name}={defaults[p.name]!r}" for p in required)
    text = (
        f"{d.summary} A :class:`torch.nn.Module` called as ``loss(input, target, "
        "weight=None)``; autograd through it equals "
        f":func:`robustloss.{name}_grad`. Numbers given as hyper-parameters are kept in "
        "the state dict; those named in `learn` are trained."
    )
    examples = f"""\
>>> import torch
>>> import robustloss
>>> from robustloss.torch import {cls.__name__}
>>> loss = {cls.__name__}({args})
>>> x, y = torch.tensor([0.5, -3.0], requires_grad=True), torch.zeros(2)
>>> loss(x, y).backward()
>>> torch.allclose(x.grad, robustloss.{name}_grad(x.detach(), y{", " if args else ""}{args}))
True"""
    return _docs._join(
        f"PyTorch module of :func:`robustloss.{name}`.",
        textwrap.fill(text, 88, break_on_hyphens=False),
        _docs._parameters(definition, cls, shared=_SHARED),
        _docs._section("Examples", examples),
    )


class HuberLoss(RobustLoss, definition=HUBER): ...


class SmoothL1Loss(RobustLoss, definition=SMOOTH_L1): ...


class L1Loss(RobustLoss, definition=L1): ...


class MSELoss(RobustLoss, definition=MSE): ...


class LogCoshLoss(RobustLoss, definition=LOG_COSH): ...


class PseudoHuberLoss(RobustLoss, definition=PSEUDO_HUBER): ...


class TukeyLoss(RobustLoss, definition=TUKEY): ...


class CauchyLoss(RobustLoss, definition=CAUCHY): ...


class WelschLoss(RobustLoss, definition=WELSCH): ...


class GemanMcClureLoss(RobustLoss, definition=GEMAN_MCCLURE): ...


class GeneralLoss(RobustLoss, definition=GENERAL): ...


class FairLoss(RobustLoss, definition=FAIR): ...


class ArctanLoss(RobustLoss, definition=ARCTAN): ...


class RamsayELoss(RobustLoss, definition=RAMSAY_E): ...


class HampelLoss(RobustLoss, definition=HAMPEL): ...


class AndrewsWaveLoss(RobustLoss, definition=ANDREWS_WAVE): ...


class TrimmedLoss(RobustLoss, definition=TRIMMED): ...


class TukeyQuarticLoss(RobustLoss, definition=TUKEY_QUARTIC): ...


class QuantileLoss(RobustLoss, definition=QUANTILE): ...


class HuberQuantileLoss(RobustLoss, definition=HUBER_QUANTILE): ...


class ExpectileLoss(RobustLoss, definition=EXPECTILE): ...


class EpsilonInsensitiveLoss(RobustLoss, definition=EPSILON_INSENSITIVE): ...


class SquaredEpsilonInsensitiveLoss(RobustLoss, definition=SQUARED_EPSILON_INSENSITIVE): ...


# --- the likelihoods: their shape and scale are what a model learns -------------------------
class AdaptiveLoss(RobustLoss, definition=ADAPTIVE, face=_likelihood.AdaptiveLoss): ...


class StudentsTLoss(RobustLoss, definition=STUDENTS_T, face=_likelihood.StudentsTLoss): ...
