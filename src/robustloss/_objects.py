"""Loss objects in the style of ``torch.nn`` and Lucid: configured once, called many times."""

from __future__ import annotations

from typing import Any, ClassVar

from ._definitions import HUBER, L1, MSE, SMOOTH_L1, LossDefinition
from ._engine import evaluate
from ._typing import Array, Namespace, Reduction
from ._validation import check_reduction, legacy_reduction

__all__ = ["HuberLoss", "L1Loss", "Loss", "MSELoss", "SmoothL1Loss"]


class Loss:
    """Base class of the loss objects: a loss definition with fixed hyper-parameters.

    Hyper-parameters and the reduction are validated at construction; the object is
    immutable, hashable and safe to share between threads. Subclasses only name their
    definition and their constructor's parameters.
    """

    definition: ClassVar[LossDefinition]
    reduction: str

    def __init__(self, reduction: Reduction | str = "mean", **params: float) -> None:
        object.__setattr__(self, "reduction", check_reduction(reduction))
        for name, value in self.definition.validate(params).items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; build a new one instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; build a new one instead")

    @property
    def _params(self) -> dict[str, float]:
        return {p.name: getattr(self, p.name) for p in self.definition.parameters}

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

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Build a loss object from the output of :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Loss) or type(other) is not type(self):
            return NotImplemented
        return self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.get_config().items())))


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
