"""Loss objects in the style of ``torch.nn`` and Lucid: configured once, called many times.

One small class per loss: its definition and its constructor's signature. The call, the
gradient, the checks at construction, the config and the docstring (rendered from the
registry by :mod:`._docs`) are shared.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, TypeVar

from ._checks import check_parameters, check_reduction, is_array, legacy_reduction
from ._docs import loss_object
from ._engine import evaluate
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
from ._typing import Array, Namespace, Reduction, Weight

__all__ = [
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
    "Loss",
    "MSELoss",
    "PseudoHuberLoss",
    "QuantileLoss",
    "RamsayELoss",
    "SmoothL1Loss",
    "SquaredEpsilonInsensitiveLoss",
    "TrimmedLoss",
    "TukeyLoss",
    "TukeyQuarticLoss",
    "WelschLoss",
]


_C = TypeVar("_C", bound="ConfiguredLoss")


class ConfiguredLoss:
    """What every loss object shares: a definition, hyper-parameters and a config.

    Immutable once built, equal and hashable by its :meth:`get_config`, rebuilt by
    :meth:`from_config`. :class:`Loss` and ``robustloss.keras.KerasLoss`` add their
    calls and their configs.
    """

    definition: ClassVar[LossDefinition]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; build a new one instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; build a new one instead")

    def _set(self, values: dict[str, Any]) -> None:
        """Set attributes once, at construction."""
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def _params(self) -> dict[str, object]:
        return {p.name: getattr(self, p.name) for p in self.definition.parameters}

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict that :meth:`from_config` turns back into ``self``."""
        raise NotImplementedError

    # --- the elementwise interface of statsmodels' norms (``statsmodels.robust.norms``) ---
    def rho(self, z: Array, *, xp: Namespace | None = None) -> Array:
        """Return the loss of each residual ``z = target - input``, unreduced.

        With this object's hyper-parameters; same shape, dtype and device as `z`. With
        :meth:`psi`, :meth:`psi_deriv` and :meth:`weights` this is the interface of
        ``statsmodels.robust.norms``, so a solver written for those norms can take it.
        """
        return evaluate(self.definition, z, None, "none", None, xp, self._params, "rho")

    def psi(self, z: Array, *, xp: Namespace | None = None) -> Array:
        """Return ``d rho / dz`` at each residual ``z = target - input``."""
        return evaluate(self.definition, z, None, "none", None, xp, self._params, "psi")

    def psi_deriv(self, z: Array, *, xp: Namespace | None = None) -> Array:
        """Return ``d psi / dz`` at each residual (0 where psi is a step)."""
        return evaluate(self.definition, z, None, "none", None, xp, self._params, "psi_deriv")

    def weights(self, z: Array, *, xp: Namespace | None = None) -> Array:
        """Return the IRLS weight ``psi(z) / z`` of each residual (finite where it may be)."""
        return evaluate(self.definition, z, None, "none", None, xp, self._params, "weight")

    def as_norm(self) -> Norm:
        """Return this loss as a norm for solvers written for ``statsmodels.robust.norms``.

        Calling the norm is :meth:`rho` (as calling a statsmodels norm is), so it can be
        passed as ``M`` to ``statsmodels.api.RLM``.

        Examples
        --------
        >>> import numpy as np
        >>> from robustloss import HuberLoss
        >>> norm = HuberLoss(delta=1.345).as_norm()
        >>> norm(np.asarray([0.5, 3.0]))  # rho: 0.125, 1.345 (3 - 1.345 / 2)
        array([0.125    , 3.1304875])
        >>> norm.weights(np.asarray([0.5, 2.69]))
        array([1. , 0.5])
        """
        return Norm(self)

    @classmethod
    def from_config(cls: type[_C], config: dict[str, Any]) -> _C:
        """Build a loss object from the output of :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def _holds_arrays(self) -> bool:
        return any(is_array(v) for v in self._params.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConfiguredLoss) or type(other) is not type(self):
            return NotImplemented
        if self._holds_arrays() or other._holds_arrays():  # an array compares elementwise
            return self is other
        return self.get_config() == other.get_config()

    def __hash__(self) -> int:
        if self._holds_arrays():
            return id(self)
        return hash((type(self), tuple(self.get_config().items())))


class Norm:
    """A loss object seen as a ``statsmodels.robust.norms`` norm (see :meth:`Loss.as_norm`).

    ``rho``, ``psi``, ``psi_deriv`` and ``weights`` are the loss object's, and calling it
    is ``rho``; each takes residuals ``z = target - input`` and returns an array of their
    shape, dtype and device.
    """

    def __init__(self, loss: ConfiguredLoss) -> None:
        self.loss = loss

    def __call__(self, z: Array) -> Array:
        return self.loss.rho(z)

    def rho(self, z: Array) -> Array:
        """Return the loss of each residual."""
        return self.loss.rho(z)

    def psi(self, z: Array) -> Array:
        """Return ``d rho / dz`` at each residual."""
        return self.loss.psi(z)

    def psi_deriv(self, z: Array) -> Array:
        """Return ``d psi / dz`` at each residual."""
        return self.loss.psi_deriv(z)

    def weights(self, z: Array) -> Array:
        """Return the IRLS weight ``psi(z) / z`` of each residual."""
        return self.loss.weights(z)

    def __repr__(self) -> str:
        return f"{self.loss!r}.as_norm()"


class Loss(ConfiguredLoss):
    """Base class of the loss objects: a loss definition with fixed hyper-parameters.

    Hyper-parameters and the reduction are validated at construction; the object is
    immutable, hashable and safe to share between threads. Subclasses only name their
    definition and their constructor's parameters.
    """

    reduction: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "definition" in vars(cls):  # a loss's own class: its docstring from the registry
            cls.__doc__ = loss_object(cls.definition, cls)

    def __init__(self, reduction: Reduction | str = "mean", **params: object) -> None:
        self._set(
            {
                "reduction": check_reduction(reduction),
                **check_parameters(self.definition, params),
            }
        )

    def __call__(
        self,
        input: Array,
        target: Array,
        weight: Weight = None,
        *,
        where: Array | None = None,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
        xp: Namespace | None = None,
    ) -> Array:
        """Compute the loss; see the functional form for the arguments."""
        return evaluate(
            self.definition,
            input,
            target,
            self.reduction,
            weight,
            xp,
            self._params,
            where=where,
            axis=axis,
            keepdims=keepdims,
        )

    forward = __call__

    def grad(
        self,
        input: Array,
        target: Array,
        weight: Weight = None,
        *,
        where: Array | None = None,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
        xp: Namespace | None = None,
    ) -> Array:
        """Return the derivative of ``self(input, target, weight)`` with respect to `input`."""
        return evaluate(
            self.definition,
            input,
            target,
            self.reduction,
            weight,
            xp,
            self._params,
            "grad",
            where,
            axis,
            keepdims,
        )

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict that :meth:`from_config` turns back into ``self``."""
        return {"reduction": self.reduction, **self._params}


class HuberLoss(Loss):
    definition = HUBER
    delta: float | Array

    def __init__(self, reduction: Reduction = "mean", delta: float | Array = 1.0) -> None:
        super().__init__(reduction, delta=delta)


class SmoothL1Loss(Loss):
    definition = SMOOTH_L1
    beta: float | Array

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
        beta: float | Array = 1.0,
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction), beta=beta)


class L1Loss(Loss):
    definition = L1

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction))


class MSELoss(Loss):
    definition = MSE

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction))


class LogCoshLoss(Loss):
    definition = LOG_COSH

    def __init__(self, reduction: Reduction = "mean") -> None:
        super().__init__(reduction)


class PseudoHuberLoss(Loss):
    definition = PSEUDO_HUBER
    delta: float | Array

    def __init__(self, reduction: Reduction = "mean", delta: float | Array = 1.0) -> None:
        super().__init__(reduction, delta=delta)


class TukeyLoss(Loss):
    definition = TUKEY
    c: float | Array

    def __init__(self, reduction: Reduction = "mean", c: float | Array = 4.685) -> None:
        super().__init__(reduction, c=c)


class _ScaledLoss(Loss):
    """A loss whose only hyper-parameter is ``scale``."""

    scale: float | Array

    def __init__(self, reduction: Reduction = "mean", scale: float | Array = 1.0) -> None:
        super().__init__(reduction, scale=scale)


class CauchyLoss(_ScaledLoss):
    definition = CAUCHY


class WelschLoss(_ScaledLoss):
    definition = WELSCH


class GemanMcClureLoss(_ScaledLoss):
    definition = GEMAN_MCCLURE


class GeneralLoss(Loss):
    definition = GENERAL
    alpha: float | Array
    scale: float

    def __init__(
        self, alpha: float | Array, scale: float | Array = 1.0, reduction: Reduction = "mean"
    ) -> None:
        super().__init__(reduction, alpha=alpha, scale=scale)

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict (an infinite alpha is the string 'inf' / '-inf')."""
        config = super().get_config()
        if isinstance(config["alpha"], float) and math.isinf(config["alpha"]):
            config["alpha"] = str(config["alpha"])
        return config

    @classmethod
    def from_config(cls: type[_C], config: dict[str, Any]) -> _C:
        """Build a loss object from the output of :meth:`get_config`."""
        config = dict(config)
        if isinstance(config.get("alpha"), str):
            config["alpha"] = float(config["alpha"])
        return cls(**config)


class QuantileLoss(Loss):
    definition = QUANTILE
    q: float | Array

    def __init__(self, reduction: Reduction = "mean", q: float | Array = 0.5) -> None:
        super().__init__(reduction, q=q)


class HuberQuantileLoss(Loss):
    definition = HUBER_QUANTILE
    q: float | Array
    delta: float

    def __init__(
        self, reduction: Reduction = "mean", q: float | Array = 0.5, delta: float | Array = 1.0
    ) -> None:
        super().__init__(reduction, q=q, delta=delta)


class ExpectileLoss(Loss):
    definition = EXPECTILE
    q: float | Array

    def __init__(self, reduction: Reduction = "mean", q: float | Array = 0.5) -> None:
        super().__init__(reduction, q=q)


class HampelLoss(Loss):
    definition = HAMPEL
    a: float | Array
    b: float
    c: float | Array

    def __init__(
        self,
        reduction: Reduction = "mean",
        a: float | Array = 2.0,
        b: float | Array = 4.0,
        c: float | Array = 8.0,
    ) -> None:
        super().__init__(reduction, a=a, b=b, c=c)


class AndrewsWaveLoss(Loss):
    definition = ANDREWS_WAVE
    a: float | Array

    def __init__(self, reduction: Reduction = "mean", a: float | Array = 1.339) -> None:
        super().__init__(reduction, a=a)


class RamsayELoss(Loss):
    definition = RAMSAY_E
    a: float | Array

    def __init__(self, reduction: Reduction = "mean", a: float | Array = 0.3) -> None:
        super().__init__(reduction, a=a)


class TrimmedLoss(Loss):
    definition = TRIMMED
    c: float | Array

    def __init__(self, reduction: Reduction = "mean", c: float | Array = 2.0) -> None:
        super().__init__(reduction, c=c)


class TukeyQuarticLoss(Loss):
    definition = TUKEY_QUARTIC
    c: float | Array

    def __init__(self, reduction: Reduction = "mean", c: float | Array = 3.61752) -> None:
        super().__init__(reduction, c=c)


class FairLoss(Loss):
    definition = FAIR
    c: float | Array

    def __init__(self, reduction: Reduction = "mean", c: float | Array = 1.3998) -> None:
        super().__init__(reduction, c=c)


class ArctanLoss(_ScaledLoss):
    definition = ARCTAN


class EpsilonInsensitiveLoss(Loss):
    definition = EPSILON_INSENSITIVE
    epsilon: float | Array

    def __init__(self, reduction: Reduction = "mean", epsilon: float | Array = 0.1) -> None:
        super().__init__(reduction, epsilon=epsilon)


class SquaredEpsilonInsensitiveLoss(Loss):
    definition = SQUARED_EPSILON_INSENSITIVE
    epsilon: float | Array

    def __init__(self, reduction: Reduction = "mean", epsilon: float | Array = 0.1) -> None:
        super().__init__(reduction, epsilon=epsilon)
