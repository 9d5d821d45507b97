"""Loss objects in the style of ``torch.nn`` and Lucid: configured once, called many times."""

from __future__ import annotations

import math
from typing import Any, ClassVar, TypeVar

from ._definitions import HUBER, L1, MSE, SMOOTH_L1, LossDefinition
from ._engine import evaluate
from ._family import LOG_COSH, PSEUDO_HUBER, TUKEY
from ._general import CAUCHY, GEMAN_MCCLURE, GENERAL, WELSCH
from ._typing import Array, Namespace, Reduction
from ._validation import check_reduction, is_array, legacy_reduction

__all__ = [
    "CauchyLoss",
    "ConfiguredLoss",
    "GemanMcClureLoss",
    "GeneralLoss",
    "HuberLoss",
    "L1Loss",
    "LogCoshLoss",
    "Loss",
    "MSELoss",
    "PseudoHuberLoss",
    "SmoothL1Loss",
    "TukeyLoss",
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
    def _params(self) -> dict[str, float]:
        return {p.name: getattr(self, p.name) for p in self.definition.parameters}

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict that :meth:`from_config` turns back into ``self``."""
        raise NotImplementedError

    @classmethod
    def from_config(cls: type[_C], config: dict[str, Any]) -> _C:
        """Build a loss object from the output of :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConfiguredLoss) or type(other) is not type(self):
            return NotImplemented
        return self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.get_config().items())))


class Loss(ConfiguredLoss):
    """Base class of the loss objects: a loss definition with fixed hyper-parameters.

    Hyper-parameters and the reduction are validated at construction; the object is
    immutable, hashable and safe to share between threads. Subclasses only name their
    definition and their constructor's parameters.
    """

    reduction: str

    def __init__(self, reduction: Reduction | str = "mean", **params: float) -> None:
        self._set({"reduction": check_reduction(reduction), **self.definition.validate(params)})

    def __call__(
        self,
        input: Array,
        target: Array,
        weight: Array | float | None = None,
        *,
        xp: Namespace | None = None,
    ) -> Array:
        """Compute the loss; see the functional form for the arguments."""
        return evaluate(
            self.definition,
            input,
            target,
            reduction=self.reduction,
            weight=weight,
            xp=xp,
            params=dict(self._params),
        )

    forward = __call__

    def grad(
        self,
        input: Array,
        target: Array,
        weight: Array | float | None = None,
        *,
        xp: Namespace | None = None,
    ) -> Array:
        """Return the derivative of ``self(input, target, weight)`` with respect to `input`."""
        return evaluate(
            self.definition,
            input,
            target,
            reduction=self.reduction,
            weight=weight,
            xp=xp,
            params=dict(self._params),
            derivative=True,
        )

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict that :meth:`from_config` turns back into ``self``."""
        return {"reduction": self.reduction, **self._params}


class HuberLoss(Loss):
    """Huber loss object; see :func:`robustloss.huber_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.
    delta : float, default: 1.0
        Where the quadratic part turns linear; finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import HuberLoss
    >>> loss = HuberLoss(delta=1.0)
    >>> x = np.asarray([[1.5, 2.0, 3.5, 4.0]])
    >>> y = np.asarray([[1.0, 2.5, 3.0, 5.0]])
    >>> float(loss(x, y))
    0.21875
    >>> loss.grad(x, y)
    array([[ 0.125, -0.125,  0.125, -0.25 ]])
    >>> HuberLoss.from_config(loss.get_config()) == loss
    True
    >>> total = HuberLoss(reduction="sum")
    >>> float(total(np.asarray([[2.0, 1, 3, 4]]), np.asarray([[1.0, 2, 2, 5]])))
    2.0
    """

    definition = HUBER
    delta: float

    def __init__(self, reduction: Reduction = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction, delta=delta)


class SmoothL1Loss(Loss):
    """Smooth L1 loss object, with ``torch.nn.SmoothL1Loss``'s signature.

    Parameters
    ----------
    size_average, reduce : bool, optional
        Deprecated PyTorch flags, mapped onto `reduction` as PyTorch does (with a warning).
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.
    beta : float, default: 1.0
        Width of the quadratic zone; finite and >= 0 (0 is exactly L1).

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import SmoothL1Loss
    >>> loss = SmoothL1Loss(reduction=None)
    >>> loss(np.asarray([1.5, 2.0, 0.5]), np.asarray([1.0, 10.0, 0.4])).round(12).tolist()
    [0.125, 7.5, 0.005]
    >>> SmoothL1Loss(beta=0.5)
    SmoothL1Loss(reduction='mean', beta=0.5)
    """

    definition = SMOOTH_L1
    beta: float

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction), beta=beta)


class L1Loss(Loss):
    """Absolute-error loss object, with ``torch.nn.L1Loss``'s signature.

    Parameters
    ----------
    size_average, reduce : bool, optional
        Deprecated PyTorch flags, mapped onto `reduction` as PyTorch does (with a warning).
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import L1Loss
    >>> float(L1Loss(reduction="sum")(np.asarray([1.0, -2.0]), np.zeros(2)))
    3.0
    """

    definition = L1

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction))


class MSELoss(Loss):
    """Squared-error loss object, with ``torch.nn.MSELoss``'s signature.

    Parameters
    ----------
    size_average, reduce : bool, optional
        Deprecated PyTorch flags, mapped onto `reduction` as PyTorch does (with a warning).
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import MSELoss
    >>> float(MSELoss()(np.asarray([1.0, -2.0]), np.zeros(2)))
    2.5
    """

    definition = MSE

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__(legacy_reduction(size_average, reduce, reduction))


class LogCoshLoss(Loss):
    """Log-cosh loss object; see :func:`robustloss.log_cosh_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import LogCoshLoss
    >>> float(LogCoshLoss(reduction="sum")(np.asarray([2.0, -2.0]), np.zeros(2)))
    2.6500054947
    """

    definition = LOG_COSH

    def __init__(self, reduction: Reduction = "mean") -> None:
        super().__init__(reduction)


class PseudoHuberLoss(Loss):
    """Pseudo-Huber loss object; see :func:`robustloss.pseudo_huber_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.
    delta : float, default: 1.0
        Scale of the transition and slope of the linear part; finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import PseudoHuberLoss
    >>> loss = PseudoHuberLoss(delta=1.0)
    >>> float(loss(np.asarray([0.0, 1.0, 3.0]), np.zeros(3)))
    0.8588304075
    >>> loss
    PseudoHuberLoss(reduction='mean', delta=1.0)
    """

    definition = PSEUDO_HUBER
    delta: float

    def __init__(self, reduction: Reduction = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction, delta=delta)


class TukeyLoss(Loss):
    """Tukey's biweight loss object; see :func:`robustloss.tukey_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.
    c : float, default: 4.685
        Rejection point; finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import TukeyLoss
    >>> TukeyLoss(reduction="none")(np.asarray([10.0]), np.zeros(1))  # c**2 / 6
    array([3.65820417])
    """

    definition = TUKEY
    c: float

    def __init__(self, reduction: Reduction = "mean", c: float = 4.685) -> None:
        super().__init__(reduction, c=c)


class _ScaledLoss(Loss):
    """A loss whose only hyper-parameter is ``scale``."""

    scale: float

    def __init__(self, reduction: Reduction = "mean", scale: float = 1.0) -> None:
        super().__init__(reduction, scale=scale)


class CauchyLoss(_ScaledLoss):
    """Cauchy loss object; see :func:`robustloss.cauchy_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.
    scale : float, default: 1.0
        Residuals are measured in units of `scale`; finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import CauchyLoss
    >>> float(CauchyLoss(scale=2.0)(np.asarray([1.0]), np.zeros(1)))
    0.1177830357
    """

    definition = CAUCHY


class WelschLoss(_ScaledLoss):
    """Welsch loss object; see :func:`robustloss.welsch_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.
    scale : float, default: 1.0
        Residuals are measured in units of `scale`; finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import WelschLoss
    >>> float(WelschLoss()(np.asarray([2.0]), np.zeros(1)))
    0.8646647168
    """

    definition = WELSCH


class GemanMcClureLoss(_ScaledLoss):
    """Geman-McClure loss object; see :func:`robustloss.geman_mcclure_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.
    scale : float, default: 1.0
        Residuals are measured in units of `scale`; finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import GemanMcClureLoss
    >>> float(GemanMcClureLoss()(np.asarray([2.0]), np.zeros(1)))
    1.0
    """

    definition = GEMAN_MCCLURE


class GeneralLoss(Loss):
    """Barron's general loss with a fixed `alpha`; see :func:`robustloss.general_loss`.

    Parameters
    ----------
    alpha : float
        Shape parameter, any real or +-inf. A learned (array) alpha is passed to
        :func:`robustloss.general_loss` instead: an object holds only plain numbers, so
        that its configuration is JSON.
    scale : float, default: 1.0
        Residuals are measured in units of `scale`; finite and > 0.
    reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
        How the elementwise loss is reduced.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import GeneralLoss
    >>> loss = GeneralLoss(alpha=0.0)
    >>> float(loss(np.asarray([2.0]), np.zeros(1)))  # log 3
    1.0986122887
    >>> GeneralLoss.from_config(loss.get_config()) == loss
    True
    """

    definition = GENERAL
    alpha: float
    scale: float

    def __init__(self, alpha: float, scale: float = 1.0, reduction: Reduction = "mean") -> None:
        if is_array(alpha):
            raise TypeError(
                "GeneralLoss takes a number for alpha; pass an array alpha to general_loss"
            )
        super().__init__(reduction, alpha=alpha, scale=scale)

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict (an infinite alpha is the string 'inf' / '-inf')."""
        config = super().get_config()
        if math.isinf(config["alpha"]):
            config["alpha"] = str(config["alpha"])
        return config

    @classmethod
    def from_config(cls: type[_C], config: dict[str, Any]) -> _C:
        """Build a loss object from the output of :meth:`get_config`."""
        config = dict(config)
        if isinstance(config.get("alpha"), str):
            config["alpha"] = float(config["alpha"])
        return cls(**config)
