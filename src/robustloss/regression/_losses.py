"""A loss given by name or as a loss object: its definition and its hyper-parameters."""

from __future__ import annotations

from typing import Any

from .._checks import check_parameters
from .._losses import HUBER, LOSSES, LossDefinition
from .._objects import ConfiguredLoss

__all__ = ["BY_NAME", "resolve"]

#: hyper-parameters a loss takes when given by name where they are not the registry's
#: defaults: statsmodels' ``HuberT`` default (95% Gaussian efficiency), not torch's
#: delta = 1. Every other loss's default already is its statsmodels norm's, where
#: statsmodels has one (Tukey 4.685, Hampel 2/4/8, Andrews 1.339, Ramsay 0.3, ...).
BY_NAME: dict[str, dict[str, float]] = {HUBER.name: {"delta": 1.345}}


def resolve(loss: object) -> tuple[LossDefinition, dict[str, Any]]:
    """Return the definition and the checked hyper-parameters of `loss` (a name or an object)."""
    if isinstance(loss, ConfiguredLoss):
        definition = loss.definition
        values = {p.name: getattr(loss, p.name) for p in definition.parameters}
        return definition, check_parameters(definition, values)
    if isinstance(loss, str):
        definition = LOSSES.get(loss)  # type: ignore[assignment]
        if definition is None:
            raise ValueError(f"unknown loss {loss!r}; the losses are {', '.join(LOSSES)}")
        values = {p.name: p.default for p in definition.parameters}
        values.update(BY_NAME.get(loss, {}))
        if any(p.name == "alpha" for p in definition.parameters):
            raise ValueError(
                f"{loss} needs its shape alpha: pass a loss object, e.g. GeneralLoss(alpha=0.5)"
            )
        return definition, check_parameters(definition, values)
    raise TypeError(
        f"loss must be a loss name or a robustloss loss object, got {type(loss).__name__}"
    )
