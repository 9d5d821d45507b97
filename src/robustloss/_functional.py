"""Functional API: one thin function per loss and per gradient, PyTorch argument order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ._definitions import HUBER, L1, MSE, SMOOTH_L1
from ._engine import evaluate
from ._typing import Array, Namespace, Reduction
from ._validation import legacy_reduction

__all__ = [
    "huber_loss",
    "huber_loss_grad",
    "l1_loss",
    "l1_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
]

_SHARED_PARAMETERS = """\
input : array
    Predictions, any shape. Integer and boolean arrays are promoted to the namespace's
    default real floating dtype; complex arrays are refused.
target : array
    Targets, same shape as `input` (no broadcasting) and from the same library."""

_SHARED_TAIL = """\
weight : array or float, optional
    Per-element weights that broadcast to the shape of `input`. The elementwise loss is
    multiplied by them before the reduction.
xp : namespace, optional
    Array API namespace of the arrays. Detected from `input` and `target` by default; when
    given, lists and scalars are converted with ``xp.asarray``."""

_REDUCTION = """\
reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
    ``'none'`` (or None) returns the weighted elementwise loss, shaped like `input`;
    ``'sum'`` its sum; ``'mean'`` its sum over the number of elements (NaN for an empty
    array); ``'weighted_mean'`` its sum over the sum of the broadcast weights."""

_LEGACY = """\
size_average, reduce : bool, optional
    Deprecated PyTorch flags, mapped onto `reduction` exactly as PyTorch does, with a
    DeprecationWarning. When either is given it overrides `reduction`."""

_RETURNS = """\
Returns
-------
array
    The reduced loss (a 0-d array) or, for ``reduction='none'``, the elementwise loss.
    Its dtype is the promoted real floating dtype of `input` and `target`; it lives on
    the device of `input`. float16 and bfloat16 are computed and reduced in float32."""

_GRAD_RETURNS = """\
Returns
-------
array
    The derivative of the value the loss returns with respect to `input`, shaped like
    `input`: for ``reduction='none'`` the elementwise derivative times the weight, for
    the reductions that derivative divided by their denominator."""

_RAISES = """\
Raises
------
ValueError
    If the shapes of `input` and `target` differ, `weight` does not broadcast to `input`,
    a hyper-parameter is out of range, NaN or infinite, or `reduction` is unknown.
TypeError
    If the arrays come from different libraries, or a dtype is complex or not numeric."""


_F = TypeVar("_F", bound=Callable[..., Any])


def _docstring(template: str) -> Callable[[_F], _F]:
    """Give the decorated function `template` as docstring, shared sections filled in."""

    def decorate(f: _F) -> _F:
        f.__doc__ = _fill(template)
        return f

    return decorate


def _fill(template: str) -> str:
    # The shared sections are written flush left; indent them like the docstring body.
    sections = {
        "shared": _SHARED_PARAMETERS,
        "tail": _SHARED_TAIL,
        "reduction": _REDUCTION,
        "legacy": _LEGACY,
        "returns": _RETURNS,
        "grad_returns": _GRAD_RETURNS,
        "raises": _RAISES,
    }
    return template.format(**{k: v.replace("\n", "\n    ") for k, v in sections.items()})


def _grad_doc(name: str, note: str = "") -> str:
    return f"""Gradient of :func:`{name}` with respect to `input`.

    Takes exactly the arguments of :func:`{name}`. Backends without autograd (NumPy,
    CuPy, Dask) train and run IRLS with it; on PyTorch and JAX it equals autograd through
    :func:`{name}`.{note}

    {{grad_returns}}

    See Also
    --------
    {name}
    """


# --- Huber -------------------------------------------------------------------------------
@_docstring(
    """Huber loss: quadratic for small residuals, linear for large ones.

    With ``r = input - target``::

        huber(r) = 0.5 r**2                  if |r| <= delta
                   delta (|r| - delta / 2)   otherwise

    Matches :func:`torch.nn.functional.huber_loss` and, per element,
    ``scipy.special.huber(delta, r)`` and ``optax.huber_loss``. Note that
    ``huber_loss(delta=d) == d * smooth_l1_loss(beta=d)``: the two coincide only at 1.

    Parameters
    ----------
    {shared}
    {reduction}
    delta : float, default: 1.0
        Where the quadratic part turns linear; finite and > 0.
    {tail}

    {returns}

    {raises}

    See Also
    --------
    smooth_l1_loss, huber_loss_grad

    References
    ----------
    P. J. Huber, "Robust Estimation of a Location Parameter", Ann. Math. Statist. 35(1),
    1964.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import huber_loss
    >>> x = np.asarray([[1.5, 2.0, 3.5, 4.0]])
    >>> y = np.asarray([[1.0, 2.5, 3.0, 5.0]])
    >>> float(huber_loss(x, y))
    0.21875
    >>> huber_loss(x, y, reduction="none")
    array([[0.125, 0.125, 0.125, 0.5  ]])
    >>> float(huber_loss(x, y, reduction="sum", delta=0.5))
    0.75
    """
)
def huber_loss(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HUBER, input, target, reduction=reduction, weight=weight, xp=xp, params={"delta": delta}
    )


@_docstring(
    _grad_doc("huber_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import huber_loss_grad
    >>> x = np.asarray([[1.5, 2.0, 3.5, 4.0]])
    >>> y = np.asarray([[1.0, 2.5, 3.0, 5.0]])
    >>> huber_loss_grad(x, y)
    array([[ 0.125, -0.125,  0.125, -0.25 ]])
    """
)
def huber_loss_grad(
    input: Array,
    target: Array,
    reduction: Reduction = "mean",
    delta: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        HUBER,
        input,
        target,
        reduction=reduction,
        weight=weight,
        xp=xp,
        params={"delta": delta},
        derivative=True,
    )


# --- Smooth L1 ---------------------------------------------------------------------------
@_docstring(
    """Smooth L1 loss: Huber's loss scaled so that its linear part has slope 1.

    With ``r = input - target``::

        smooth_l1(r) = 0.5 r**2 / beta     if |r| < beta
                       |r| - beta / 2      otherwise

    so ``smooth_l1(beta) == huber(delta=beta) / beta``. ``beta = 0`` is exactly
    :func:`l1_loss`, with a finite gradient everywhere. Matches
    :func:`torch.nn.functional.smooth_l1_loss`.

    Parameters
    ----------
    {shared}
    {legacy}
    {reduction}
    beta : float, default: 1.0
        Width of the quadratic zone; finite and >= 0.
    {tail}

    {returns}

    {raises}

    See Also
    --------
    huber_loss, l1_loss, smooth_l1_loss_grad

    References
    ----------
    R. Girshick, "Fast R-CNN", ICCV 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import smooth_l1_loss
    >>> x = np.asarray([1.5, 2.0, 0.5])
    >>> y = np.asarray([1.0, 10.0, 0.4])
    >>> smooth_l1_loss(x, y, reduction="none").round(12).tolist()
    [0.125, 7.5, 0.005]
    >>> float(smooth_l1_loss(x, y, reduction="sum", beta=0.0))
    8.6
    """
)
def smooth_l1_loss(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    beta: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        SMOOTH_L1,
        input,
        target,
        reduction=legacy_reduction(size_average, reduce, reduction),
        weight=weight,
        xp=xp,
        params={"beta": beta},
    )


@_docstring(
    _grad_doc("smooth_l1_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import smooth_l1_loss_grad
    >>> x = np.asarray([1.5, 2.0, 0.5, 0.0])
    >>> y = np.asarray([1.0, 10.0, 0.4, 0.0])
    >>> smooth_l1_loss_grad(x, y, reduction="sum")
    array([ 0.5, -1. ,  0.1,  0. ])
    >>> smooth_l1_loss_grad(x, y, reduction="sum", beta=0.0)
    array([ 1., -1.,  1.,  0.])
    """
)
def smooth_l1_loss_grad(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    beta: float = 1.0,
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        SMOOTH_L1,
        input,
        target,
        reduction=legacy_reduction(size_average, reduce, reduction),
        weight=weight,
        xp=xp,
        params={"beta": beta},
        derivative=True,
    )


# --- L1 ----------------------------------------------------------------------------------
@_docstring(
    """Absolute error ``|input - target|``.

    Matches :func:`torch.nn.functional.l1_loss` for ``'none'``, ``'mean'`` and ``'sum'``.
    PyTorch's ``l1_loss(weight=w)`` with ``reduction='mean'`` divides by ``sum(w)``; that is
    ``reduction='weighted_mean'`` here, while ``'mean'`` always divides by the number of
    elements, for every loss.

    Parameters
    ----------
    {shared}
    {legacy}
    {reduction}
    {tail}

    {returns}

    {raises}

    See Also
    --------
    smooth_l1_loss, l1_loss_grad

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import l1_loss
    >>> x = np.asarray([1.0, 2.0, 3.0, 4.0])
    >>> y = np.zeros(4)
    >>> float(l1_loss(x, y))
    2.5
    >>> w = np.asarray([1.0, 3.0, 0.0, 1.0])
    >>> float(l1_loss(x, y, weight=w)), float(l1_loss(x, y, reduction="weighted_mean", weight=w))
    (2.75, 2.2)
    """
)
def l1_loss(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        L1,
        input,
        target,
        reduction=legacy_reduction(size_average, reduce, reduction),
        weight=weight,
        xp=xp,
        params={},
    )


@_docstring(
    _grad_doc("l1_loss", " At ``input == target`` the derivative is 0, as in PyTorch.")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import l1_loss_grad
    >>> l1_loss_grad(np.asarray([1.0, 0.0, -2.0, 4.0]), np.zeros(4))
    array([ 0.25,  0.  , -0.25,  0.25])
    """
)
def l1_loss_grad(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        L1,
        input,
        target,
        reduction=legacy_reduction(size_average, reduce, reduction),
        weight=weight,
        xp=xp,
        params={},
        derivative=True,
    )


# --- MSE ---------------------------------------------------------------------------------
@_docstring(
    """Squared error ``(input - target)**2``.

    Matches :func:`torch.nn.functional.mse_loss` for ``'none'``, ``'mean'`` and ``'sum'``;
    PyTorch's weighted mean is ``reduction='weighted_mean'`` here (see :func:`l1_loss`).

    Parameters
    ----------
    {shared}
    {legacy}
    {reduction}
    {tail}

    {returns}

    {raises}

    See Also
    --------
    huber_loss, mse_loss_grad

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import mse_loss
    >>> x = np.asarray([1.0, 2.0, 3.0, 4.0])
    >>> float(mse_loss(x, np.zeros(4)))
    7.5
    >>> float(mse_loss(x, np.zeros(4), reduction="sum", weight=0.5))
    15.0
    """
)
def mse_loss(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        MSE,
        input,
        target,
        reduction=legacy_reduction(size_average, reduce, reduction),
        weight=weight,
        xp=xp,
        params={},
    )


@_docstring(
    _grad_doc("mse_loss")
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import mse_loss_grad
    >>> mse_loss_grad(np.asarray([1.0, 2.0, 3.0, 4.0]), np.zeros(4))
    array([0.5, 1. , 1.5, 2. ])
    """
)
def mse_loss_grad(
    input: Array,
    target: Array,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: Reduction = "mean",
    weight: Array | float | None = None,
    *,
    xp: Namespace | None = None,
) -> Array:
    return evaluate(
        MSE,
        input,
        target,
        reduction=legacy_reduction(size_average, reduce, reduction),
        weight=weight,
        xp=xp,
        params={},
        derivative=True,
    )
