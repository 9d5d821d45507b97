"""Keras losses written once for every Keras backend, with Keras 3's numbers and rules.

For code written against ``keras.losses``: the functions ``huber``, ``log_cosh``,
``mean_squared_error`` and ``mean_absolute_error`` return per-sample losses (the mean
over the last axis), and the classes :class:`Huber`, :class:`LogCosh`,
:class:`MeanSquaredError` and :class:`MeanAbsoluteError` are called as
``loss(y_true, y_pred, sample_weight=None)``, in Keras' argument order.

With Keras installed (and importable: its configured backend present), the classes are
``keras.losses.Loss`` subclasses, registered as ``robustloss>Huber`` and so on: pass
them to ``model.compile(loss=...)``, save the model, and ``keras.models.load_model``
rebuilds them, ``delta`` and ``dtype`` included, with no ``custom_objects`` (import
``robustloss.keras`` first, as for any registered class). They run on every Keras
backend: JAX, PyTorch, NumPy and TensorFlow (through ``robustloss._tensorflow``, a
namespace for TensorFlow tensors, since array-api-compat does not cover them). Without
Keras they are plain objects with the same calls, and ``import robustloss`` never
imports Keras.

Who reduces:

* Inside a model's compiled loss (``fit``, ``evaluate``, ``train_on_batch``,
  ``test_on_batch``, ``Model.compute_loss``), the loss is a Keras loss like any other:
  Keras converts ``y_true`` and ``y_pred`` to the loss's dtype (``floatx()`` unless
  given), applies masks, ``sample_weight`` (``class_weight`` included) and the
  reduction with its own code, and scales for ``tf.distribute``; robustloss supplies the
  per-sample losses (:meth:`KerasLoss.call`).
* Called directly (also inside your own training step), the rules below apply, on any
  Array API library's arrays and on TensorFlow tensors. To have Keras' rules there
  instead, call ``keras.losses.Loss.__call__(loss, y_true, y_pred, sample_weight)``.

The reductions are Keras 3's:

* ``"sum_over_batch_size"`` (the default) and ``"mean"``: ``sum(w * l)`` over the number
  of per-sample values (0 when there are none, as Keras' ``divide_no_nan``);
* ``"sum"``: ``sum(w * l)``;
* ``"mean_with_sample_weight"``: ``sum(w * l) / sum(w)`` (0 when ``sum(w) = 0``);
* ``"none"`` or ``None``: the weighted per-sample losses.

Sample weights follow Keras 3: a scalar scales every sample; a weight whose rank differs
from the per-sample losses' by one with a trailing axis of 1 is squeezed (or the losses
expanded), as ``keras.losses.loss.squeeze_or_expand_to_same_rank`` does; otherwise it must
broadcast. In addition, on a direct call a ``[batch_size]`` weight applies per sample for
inputs of any rank, as tf.keras documents (Keras 3 broadcasts it against the *last* axis
instead, which fails, or silently weighs the wrong axis when that axis happens to have
``batch_size`` entries; inside ``fit`` Keras' rule applies, as it does to its own losses).

Built on the same definitions and engine as the rest of robustloss. Where it departs from
Keras 3.15 on purpose:

* ``Huber(delta=-1)`` or ``delta=0`` raises ``ValueError`` (Keras accepts it and returns
  negative or zero losses), as does an unknown ``reduction`` at construction;
* ``get_config()`` keeps ``delta`` (Keras 3.15's ``Huber.get_config`` drops it, so
  ``Huber.from_config(Huber(delta=2).get_config())`` is a Huber with delta 1, and a saved
  model reloads with delta 1);
* log-cosh is accurate to 2 ulp: Keras' ``x + softplus(-2x) - log 2`` returns 0 for errors
  below ~1e-4 in float32;
* a ``dtype`` the backend cannot compute in (non-floating, or ``bfloat16`` on NumPy,
  which has no bfloat16 arithmetic) is refused at construction, naming the backend (and,
  on a direct call, before any work, naming the arrays' library);
* on a direct call, results keep the inputs' dtype (Keras computes in ``floatx()``,
  float32, unless given ``dtype``); float16 and bfloat16 are accumulated in float32; an
  empty batch gives 0 for every reduction but ``"none"`` (Keras returns the empty array).

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
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import array_api_compat as aac

from ._checks import check_parameters, is_array, library
from ._engine import evaluate
from ._losses import HUBER, L1, LOG_COSH, MSE, LossDefinition
from ._objects import ConfiguredLoss
from ._typing import Array, Namespace

try:  # the Keras face binds to Keras where it can be imported
    import keras as _keras  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # not installed, or its configured backend is not
    _keras = None

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
FLOATING = ("float16", "bfloat16", "float32", "float64")


# --- Keras, where it is installed -------------------------------------------------------
def _evaluating_compiled_loss() -> bool:
    """Whether Keras is evaluating a model's compiled loss (``fit``, ``evaluate``, ...).

    Keras' ``CompileLoss`` runs every loss of the model inside the name scope
    ``"compile_loss"``; Keras keeps its (thread-local) stack of name scopes in its
    global state, also while JAX, TensorFlow or TorchDynamo trace the step.
    """
    try:
        from keras.src.backend.common import global_state  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - a Keras that keeps them elsewhere
        return False
    stack = global_state.get_global_attribute("name_scope_stack")
    return bool(stack) and any(getattr(s, "name", None) == "compile_loss" for s in stack)


def _serializable(cls: _T) -> _T:
    """Register `cls` with Keras' serialization as ``robustloss>NAME`` (where Keras is)."""
    if _keras is None:
        return cls
    register = _keras.saving.register_keras_serializable(package="robustloss")
    return register(cls)  # type: ignore[no-any-return]


_T = TypeVar("_T", bound=type)

if TYPE_CHECKING:

    class _KerasBase:
        """What the classes use of ``keras.losses.Loss``."""

        def __init__(self, *, name: str, reduction: str | None, dtype: str | None) -> None: ...
        def __call__(self, y_true: Array, y_pred: Array, sample_weight: object = None) -> Array:
            """Keras' call: its dtype, masks, weights and reduction over ``call``."""

else:  # what the classes derive from besides ConfiguredLoss: keras.losses.Loss if any
    _KerasBase = object if _keras is None else _keras.losses.Loss


# --- namespaces and dtypes --------------------------------------------------------------
def _is_tensorflow(value: object) -> bool:
    return type(value).__module__.startswith("tensorflow")


def _tensorflow() -> Namespace:
    """Return the namespace for TensorFlow tensors (imported where a tensor shows up)."""
    from . import _tensorflow

    return _tensorflow


def _named_dtype(xp: Namespace, name: str, where: str) -> Any:
    """Return the dtype called `name` in `xp`; raise TypeError saying `where` has none."""
    found = getattr(xp, name, None)
    if found is None or not xp.isdtype(found, "real floating"):
        raise TypeError(f"dtype={name!r} is not available on {where}: {library(xp)} has no {name}")
    return found


def _backend_namespace() -> tuple[Namespace, str]:
    """Return the namespace robustloss computes in on Keras' backend, and its name."""
    backend = str(_keras.backend.backend())
    tensor = _keras.ops.zeros((1,))
    return _namespace(tensor, tensor, None), backend


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
    if _is_tensorflow(y_true) or _is_tensorflow(y_pred):
        return _tensorflow()
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
    if is_array(value) or _is_tensorflow(value):
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
    cast = None if dtype is None else _named_dtype(ns, dtype, f"{library(ns)} arrays")
    pred = _as_array(y_pred, ns, y_true if is_array(y_true) else None)
    true = _as_array(y_true, ns, pred)
    if cast is not None:
        pred, true = ns.astype(pred, cast), ns.astype(true, cast)
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


def _check_delta(delta: object) -> Any:
    """Return a number as a float, an array (one delta per output, say) as it is."""
    checked = check_parameters(HUBER, {"delta": delta})["delta"]
    return checked if is_array(checked) else float(checked)


# --- functions ---------------------------------------------------------------------------
def _function(
    definition: LossDefinition,
    y_true: object,
    y_pred: object,
    xp: Namespace | None,
    params: dict[str, Any],
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
class KerasLoss(ConfiguredLoss, _KerasBase):
    """Base of the Keras loss classes: immutable, validated at construction.

    A ``keras.losses.Loss`` where Keras is installed. Subclasses name their definition
    and their hyper-parameters; the call, the reductions, the sample weights and the
    config are shared.
    """

    default_name: ClassVar[str]
    reduction: str | None
    name: str
    #: the dtype given (None: the inputs'); ``dtype`` itself is Keras' where Keras is
    _dtype_name: str | None

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
        if dtype is not None and dtype not in FLOATING:
            raise ValueError(f"dtype must be None or one of {FLOATING}, got {dtype!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        name = self.default_name if name is None else name
        values = check_parameters(self.definition, params)
        if _keras is not None:
            if dtype is not None:  # known now: the backend computes in its namespace
                xp, backend = _backend_namespace()
                _named_dtype(xp, dtype, f"Keras' {backend} backend")
            # Keras' own attributes (name, reduction, its dtype policy), set once
            _KerasBase.__init__(self, name=name, reduction=reduction, dtype=dtype)
        else:
            values["dtype"] = dtype
        self._set({"reduction": reduction, "name": name, "_dtype_name": dtype, **values})
        object.__setattr__(self, "_built", True)

    def __setattr__(self, name: str, value: object) -> None:
        if self.__dict__.get("_built", False):
            super().__setattr__(name, value)  # refused: immutable
        object.__setattr__(self, name, value)

    def __call__(
        self,
        y_true: Array,
        y_pred: Array,
        sample_weight: Array | float | None = None,
        *,
        xp: Namespace | None = None,
    ) -> Array:
        """Return the reduced loss; arguments in Keras' order (``y_true`` first).

        Inside a Keras model's compiled loss this is ``keras.losses.Loss.__call__``
        (Keras' dtype, masks, weights and reduction over :meth:`call`); see the module
        documentation.
        """
        if _keras is not None and xp is None and _evaluating_compiled_loss():
            return _KerasBase.__call__(self, y_true, y_pred, sample_weight)
        ns, values, dtype = _per_sample(
            self.definition, y_true, y_pred, xp, self._dtype_name, self._params
        )
        return ns.astype(_reduce(ns, values, sample_weight, self.reduction), dtype)

    def call(self, y_true: Array, y_pred: Array) -> Array:
        """Return the per-sample losses (the mean over the last axis), unweighted.

        Keras' ``Loss.call``: what Keras weighs and reduces inside a model's compiled
        loss. In the dtype of the inputs (Keras has converted them to the loss's dtype).
        """
        ns, values, dtype = _per_sample(self.definition, y_true, y_pred, None, None, self._params)
        return ns.astype(values, dtype)

    def get_config(self) -> dict[str, Any]:
        """Return a JSON-serializable dict; unlike Keras 3.15 it keeps ``delta``."""
        return {
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self._dtype_name,
            **self._params,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from the config (Keras' own pickles a loss as a whole saved model)
        return (type(self).from_config, (self.get_config(),))


@_serializable
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


@_serializable
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


@_serializable
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


@_serializable
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
