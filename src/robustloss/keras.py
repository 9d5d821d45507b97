"""Keras-compatible losses on every Array API backend, with Keras 3's numbers and rules.

For code written against ``keras.losses``: the functions ``huber``, ``log_cosh``,
``mean_squared_error`` and ``mean_absolute_error`` return per-sample losses (the mean
over the last axis), and the classes :class:`Huber`, :class:`LogCosh`,
:class:`MeanSquaredError` and :class:`MeanAbsoluteError` are called as
``loss(y_true, y_pred, sample_weight=None)``, in Keras' argument order, with Keras 3's
reductions:

* ``"sum_over_batch_size"`` (the default) and ``"mean"``: ``sum(w * l)`` over the number
  of per-sample values (0 when there are none, as Keras' ``divide_no_nan``);
* ``"sum"``: ``sum(w * l)``;
* ``"mean_with_sample_weight"``: ``sum(w * l) / sum(w)`` (0 when ``sum(w) = 0``);
* ``"none"`` or ``None``: the weighted per-sample losses.

Sample weights follow Keras 3: a scalar scales every sample; a weight whose rank differs
from the per-sample losses' by one with a trailing axis of 1 is squeezed (or the losses
expanded), as ``keras.losses.loss.squeeze_or_expand_to_same_rank`` does; otherwise it must
broadcast. In addition, a ``[batch_size]`` weight applies per sample for inputs of any
rank, as tf.keras documents (Keras 3 broadcasts it against the *last* axis instead, which
fails, or silently weighs the wrong axis when that axis happens to have ``batch_size``
entries).

Built on the same definitions and engine as the rest of robustloss. Where it departs from
Keras 3.15 on purpose:

* ``Huber(delta=-1)`` or ``delta=0`` raises ``ValueError`` (Keras accepts it and returns
  negative or zero losses), as does an unknown ``reduction`` at construction;
* ``get_config()`` keeps ``delta`` (Keras 3.15's ``Huber.get_config`` drops it, so
  ``Huber.from_config(Huber(delta=2).get_config())`` is a Huber with delta 1);
* log-cosh is accurate to 2 ulp: Keras' ``x + softplus(-2x) - log 2`` returns 0 for errors
  below ~1e-4 in float32;
* results keep the inputs' dtype (Keras computes in ``floatx()``, float32, unless given
  ``dtype``); float16 and bfloat16 are accumulated in float32;
* an empty batch gives 0 for every reduction but ``"none"`` (Keras returns the empty array).

Examples
--------
>>> import numpy as np
>>> from robustloss.keras import Huber
>>> y_true = np.asarray([[0.0, 1.0], [0.0, 0.0]])
>>> y_pred = np.asarray([[0.6, 0.4], [0.4, 0.6]])
>>> float(Huber()(y_true, y_pred))
0.155
>>> float(Huber()(y_true, y_pred, sample_weight=np.asarray([1.0, 0.0])))
0.09
>>> Huber(reduction="none")(y_true, y_pred)
array([0.18, 0.13])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import array_api_compat as aac

from ._checks import check_parameters, is_array
from ._engine import evaluate
from ._losses import HUBER, L1, LOG_COSH, MSE, LossDefinition
from ._objects import ConfiguredLoss
from ._typing import Array, Namespace

__all__ = [
    "Huber",
    "KerasLoss",
    "LogCosh",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "huber",
    "log_cosh",
    "mean_absolute_error",
    "mean_squared_error",
]

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# --- shapes, as Keras 3 adjusts them ----------------------------------------------------
def _squeeze_or_expand(x1: Array, x2: Array, xp: Namespace) -> tuple[Array, Array]:
    """Keras' ``squeeze_or_expand_to_same_rank``: ranks that differ by one, trailing 1."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1:
            x2 = xp.expand_dims(x2, axis=-1)
        else:
            x1 = xp.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1:
            x1 = xp.expand_dims(x1, axis=-1)
        else:
            x2 = xp.squeeze(x2, axis=-1)
    return x1, x2


def _namespace(y_true: object, y_pred: object, xp: Namespace | None) -> Namespace:
    """Return the arrays' namespace; lists and numbers follow the array beside them."""
    if xp is not None:
        return xp
    arrays = [a for a in (y_true, y_pred) if is_array(a)]
    if not arrays:
        raise TypeError(
            "y_true and y_pred are not arrays; pass arrays (or xp= for lists and numbers)"
        )
    try:
        found: Namespace = aac.array_namespace(*arrays)
    except TypeError as e:
        raise TypeError("y_true and y_pred must be arrays of one library") from e
    return found


def _as_array(value: object, xp: Namespace, like: Array | None) -> Array:
    if is_array(value):
        return value
    device = None if like is None else aac.device(like)
    return xp.asarray(value, device=device)


def _per_sample(
    definition: LossDefinition,
    y_true: object,
    y_pred: object,
    xp: Namespace | None,
    dtype: str | None,
    params: Mapping[str, object],
) -> tuple[Namespace, Array, Any]:
    """(namespace, per-sample losses in the working dtype, result dtype)."""
    ns = _namespace(y_true, y_pred, xp)
    pred = _as_array(y_pred, ns, y_true if is_array(y_true) else None)
    true = _as_array(y_true, ns, pred)
    if dtype is not None:
        pred, true = ns.astype(pred, getattr(ns, dtype)), ns.astype(true, getattr(ns, dtype))
    if pred.ndim == 0 or true.ndim == 0:
        raise ValueError(
            "y_true and y_pred need at least one axis (the loss is a mean over the last); "
            f"got shapes {tuple(true.shape)} and {tuple(pred.shape)}"
        )
    true, pred = _squeeze_or_expand(true, pred, ns)
    # the core engine checks shapes, libraries and dtypes; r = y_pred - y_true
    elementwise = evaluate(definition, pred, true, "none", None, ns, dict(params))
    out_dtype = elementwise.dtype
    if ns.finfo(out_dtype).bits < 32:  # accumulate float16 / bfloat16 in float32
        elementwise = ns.astype(elementwise, ns.float32)
    return ns, ns.mean(elementwise, axis=-1), out_dtype


def _reduce(xp: Namespace, values: Array, sample_weight: object, reduction: str | None) -> Array:
    """Keras 3's ``reduce_weighted_values``, plus tf.keras' ``[batch_size]`` weights."""
    w = None
    if sample_weight is not None:
        if isinstance(sample_weight, bool):
            raise TypeError("sample_weight must be an array or a number, got bool")
        w = _as_array(sample_weight, xp, values)
        if not xp.isdtype(w.dtype, ("real floating", "integral", "bool")):
            raise TypeError(f"sample_weight has dtype {w.dtype}; it must be real")
        w = xp.astype(w, values.dtype)
        values, w = _squeeze_or_expand(values, w, xp)
        if w.ndim == 1 and values.ndim > 1 and w.shape[0] == values.shape[0]:
            w = xp.reshape(w, (w.shape[0],) + (1,) * (values.ndim - 1))  # per sample
        try:
            xp.broadcast_arrays(values, w)
        except (ValueError, RuntimeError, TypeError) as e:
            raise ValueError(
                f"sample_weight of shape {tuple(w.shape)} does not broadcast to the "
                f"per-sample losses of shape {tuple(values.shape)}"
            ) from e
        values = values * w
    if reduction in (None, "none") or values.ndim == 0:
        return values
    total = xp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and w is not None:
        divisor = xp.sum(w)
    else:
        n = 1
        for d in values.shape:
            n *= int(d)
        divisor = xp.asarray(float(n), dtype=total.dtype, device=aac.device(total))
    zero = divisor == 0  # Keras' divide_no_nan
    return xp.where(zero, 0.0, total / xp.where(zero, 1.0, divisor))


def _check_delta(delta: object) -> float:
    return float(check_parameters(HUBER, {"delta": delta})["delta"])


# --- functions ---------------------------------------------------------------------------
def _function(
    definition: LossDefinition,
    y_true: object,
    y_pred: object,
    xp: Namespace | None,
    params: dict[str, float],
) -> Array:
    ns, values, dtype = _per_sample(definition, y_true, y_pred, xp, None, params)
    return ns.astype(values, dtype)


def huber(
    y_true: Array, y_pred: Array, delta: float = 1.0, *, xp: Namespace | None = None
) -> Array:
    """Per-sample Huber loss: the mean over the last axis of ``huber(y_pred - y_true)``.

    ``keras.losses.huber``: ``0.5 x**2`` for ``|x| <= delta``, else
    ``delta |x| - 0.5 delta**2``. A ``delta <= 0`` raises ``ValueError``.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import huber
    >>> huber(np.asarray([[0.0, 1.0], [0.0, 0.0]]), np.asarray([[0.6, 0.4], [0.4, 0.6]]))
    array([0.18, 0.13])
    """
    return _function(HUBER, y_true, y_pred, xp, {"delta": _check_delta(delta)})


def log_cosh(y_true: Array, y_pred: Array, *, xp: Namespace | None = None) -> Array:
    """Per-sample log-cosh loss: the mean over the last axis of ``log(cosh(y_pred - y_true))``.

    ``keras.losses.log_cosh``, computed to 2 ulp (Keras' own form returns 0 for errors
    below ~1e-4 in float32).

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import log_cosh
    >>> log_cosh(np.asarray([[0.0, 1.0], [0.0, 0.0]]), np.asarray([[1.0, 1.0], [0.0, 0.0]]))
    array([0.21689041, 0.        ])
    """
    return _function(LOG_COSH, y_true, y_pred, xp, {})


def mean_squared_error(y_true: Array, y_pred: Array, *, xp: Namespace | None = None) -> Array:
    """Per-sample mean squared error over the last axis (``keras.losses.mean_squared_error``).

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import mean_squared_error
    >>> mean_squared_error(np.asarray([[0.0, 1.0]]), np.asarray([[1.0, 1.0]]))
    array([0.5])
    """
    return _function(MSE, y_true, y_pred, xp, {})


def mean_absolute_error(y_true: Array, y_pred: Array, *, xp: Namespace | None = None) -> Array:
    """Per-sample mean absolute error over the last axis (``keras.losses.mean_absolute_error``).

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import mean_absolute_error
    >>> mean_absolute_error(np.asarray([[0.0, 1.0]]), np.asarray([[1.0, 3.0]]))
    array([1.5])
    """
    return _function(L1, y_true, y_pred, xp, {})


# --- classes -----------------------------------------------------------------------------
class KerasLoss(ConfiguredLoss):
    """Base of the Keras-style loss classes: immutable, validated at construction.

    Subclasses name their definition and their hyper-parameters; the call, the
    reductions, the sample weights and the config are shared.
    """

    default_name: ClassVar[str]
    reduction: str | None
    name: str
    dtype: str | None

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: str | None = None,
        **params: float,
    ) -> None:
        if reduction not in REDUCTIONS:
            choices = ", ".join(repr(r) for r in REDUCTIONS)
            raise ValueError(f"reduction must be one of {choices}, got {reduction!r}")
        if dtype not in (None, "float16", "bfloat16", "float32", "float64"):
            raise ValueError(f"dtype must be None or a floating dtype name, got {dtype!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        self._set(
            {
                "reduction": reduction,
                "name": self.default_name if name is None else name,
                "dtype": dtype,
                **check_parameters(self.definition, params),
            }
        )

    def __call__(
        self,
        y_true: Array,
        y_pred: Array,
        sample_weight: Array | float | None = None,
        *,
        xp: Namespace | None = None,
    ) -> Array:
        """Return the reduced loss; arguments in Keras' order (``y_true`` first)."""
        ns, values, dtype = _per_sample(
            self.definition, y_true, y_pred, xp, self.dtype, self._params
        )
        return ns.astype(_reduce(ns, values, sample_weight, self.reduction), dtype)

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict; unlike Keras 3.15 it keeps ``delta``."""
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype, **self._params}


class Huber(KerasLoss):
    """``keras.losses.Huber``: per-sample Huber loss, reduced the Keras 3 way.

    Parameters
    ----------
    delta : float, default: 1.0
        Where the quadratic part turns linear; finite and > 0 (Keras accepts any value).
    reduction : str or None, default: 'sum_over_batch_size'
        ``'sum_over_batch_size'``, ``'sum'``, ``'mean'``, ``'mean_with_sample_weight'``,
        ``'none'`` or None; see the module documentation.
    name : str, default: 'huber_loss'
        Kept in the config, as in Keras.
    dtype : str, optional
        Cast the inputs to this floating dtype first (Keras' compute dtype); by default
        the inputs' own dtype is kept.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import Huber
    >>> loss = Huber(delta=2.0, reduction="sum")
    >>> Huber.from_config(loss.get_config())
    Huber(name='huber_loss', reduction='sum', dtype=None, delta=2.0)
    >>> float(loss(np.asarray([[0.0, 1.0], [0.0, 0.0]]), np.asarray([[0.6, 0.4], [0.4, 0.6]])))
    0.31
    """

    definition = HUBER
    default_name = "huber_loss"
    delta: float

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "huber_loss",
        dtype: str | None = None,
    ) -> None:
        super().__init__(reduction, name, dtype, delta=delta)


class LogCosh(KerasLoss):
    """``keras.losses.LogCosh``: per-sample log-cosh loss, accurate to 2 ulp.

    Parameters
    ----------
    reduction : str or None, default: 'sum_over_batch_size'
        As for :class:`Huber`.
    name : str, default: 'log_cosh'
        Kept in the config.
    dtype : str, optional
        Cast the inputs to this floating dtype first.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import LogCosh
    >>> y_true, y_pred = np.asarray([[0.0, 1.0], [0.0, 0.0]]), np.asarray([[1.0, 1.0], [0.0, 0.0]])
    >>> float(LogCosh()(y_true, y_pred))  # log(cosh(1)) / 4
    0.1084452076
    """

    definition = LOG_COSH
    default_name = "log_cosh"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "log_cosh",
        dtype: str | None = None,
    ) -> None:
        super().__init__(reduction, name, dtype)


class MeanSquaredError(KerasLoss):
    """``keras.losses.MeanSquaredError``.

    Parameters
    ----------
    reduction : str or None, default: 'sum_over_batch_size'
        As for :class:`Huber`.
    name : str, default: 'mean_squared_error'
        Kept in the config.
    dtype : str, optional
        Cast the inputs to this floating dtype first.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import MeanSquaredError
    >>> float(MeanSquaredError()(np.asarray([1.0, 0.0, 1.0]), np.asarray([0.9, 0.1, 0.8])))
    0.02
    """

    definition = MSE
    default_name = "mean_squared_error"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "mean_squared_error",
        dtype: str | None = None,
    ) -> None:
        super().__init__(reduction, name, dtype)


class MeanAbsoluteError(KerasLoss):
    """``keras.losses.MeanAbsoluteError``.

    Parameters
    ----------
    reduction : str or None, default: 'sum_over_batch_size'
        As for :class:`Huber`.
    name : str, default: 'mean_absolute_error'
        Kept in the config.
    dtype : str, optional
        Cast the inputs to this floating dtype first.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss.keras import MeanAbsoluteError
    >>> float(MeanAbsoluteError()(np.asarray([1.0, 0.3, 1.0]), np.asarray([1.9, 0.3, 1.8])))
    0.5666666667
    """

    definition = L1
    default_name = "mean_absolute_error"

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = "mean_absolute_error",
        dtype: str | None = None,
    ) -> None:
        super().__init__(reduction, name, dtype)
