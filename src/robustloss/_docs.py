"""Numpydoc docstrings of the public faces, rendered from the registry's facts.

Each loss's summary, formula, references and examples are written once, in its
definition (:class:`._losses.Documentation`); each hyper-parameter's meaning and range
once, in its :class:`._losses.Parameter`; and the arguments every loss shares (input,
target, reduction, weight, xp, the legacy PyTorch flags) once, here. The decorators below
render a face's docstring from those and from the face's own signature, so the documented
parameters are always the ones the function takes, in its order. Docstrings are flush
left; the test suite runs their examples as doctests.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

from ._losses import LossDefinition, Parameter

__all__ = ["irls_weight", "loss_function", "loss_gradient", "loss_object"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: the arguments every function of a loss shares, as numpydoc entries
_SHARED = {
    "input": """\
input : array
    Predictions, any shape. Integer and boolean arrays are promoted to the namespace's
    default real floating dtype; complex arrays are refused.""",
    "target": """\
target : array
    Targets, same shape as `input` (no broadcasting) and from the same library.""",
    "size_average": """\
size_average, reduce : bool, optional
    Deprecated PyTorch flags, mapped onto `reduction` exactly as PyTorch does, with a
    DeprecationWarning. When either is given it overrides `reduction`.""",
    "reduction": """\
reduction : {'mean', 'sum', 'none', 'weighted_mean'} or None, default: 'mean'
    ``'none'`` (or None) returns the weighted elementwise loss, shaped like `input`;
    ``'sum'`` its sum; ``'mean'`` its sum over the number of elements (NaN for an empty
    array); ``'weighted_mean'`` its sum over the sum of the broadcast weights.""",
    "weight": """\
weight : array or float, optional
    Per-element weights that broadcast to the shape of `input`. The elementwise loss is
    multiplied by them before the reduction.""",
    "where": """\
where : array of bool, optional
    Mask broadcasting to `input`: elements where it is False contribute nothing to the
    value or the gradient, even where they hold NaN or inf, and are not counted by the
    means (``'mean'`` divides by the number of kept elements, ``'weighted_mean'`` by their
    total weight). With ``reduction='none'`` they are 0.""",
    "axis": """\
axis : int or tuple of ints, optional
    Axes to reduce over (all by default), e.g. ``axis=-1`` for a loss per sample; the
    means count the elements along those axes. Not with ``reduction='none'``.""",
    "keepdims": """\
keepdims : bool, default: False
    Keep the reduced axes, with size 1, so that the result broadcasts against `input`.""",
    "xp": """\
xp : namespace, optional
    Array API namespace of the arrays. Detected from `input` and `target` by default; when
    given, lists and scalars are converted with ``xp.asarray``.""",
    "residual": """\
residual : array
    Residuals ``r`` (in units of the scale for a robust fit), any shape and any Array API
    library. Integer arrays are promoted to the default real floating dtype.""",
}
_SHARED["reduce"] = ""  # documented with size_average
#: where the IRLS weights say it differently
_SHARED_WEIGHTS = {
    **_SHARED,
    "xp": """\
xp : namespace, optional
    Array API namespace of `residual`. Detected by default; when given, a list is
    converted with ``xp.asarray``.""",
}

_RETURNS = """\
Returns
-------
array
    The reduced loss (a 0-d array; with `axis`, shaped like `input` without those axes)
    or, for ``reduction='none'``, the elementwise loss. Its dtype is the promoted real
    floating dtype of `input` and `target`; it lives on the device of `input`. float16
    and bfloat16 are computed and reduced in float32."""

_GRAD_RETURNS = """\
Returns
-------
array
    The derivative of the value the loss returns with respect to `input`, shaped like
    `input`: for ``reduction='none'`` the elementwise derivative times the weight, for
    the reductions that derivative divided by their denominator (with `axis`: the
    gradient of the sum of the reduced values; 0 where `where` is False)."""

_WEIGHT_RETURNS = """\
Returns
-------
array
    The weights ``psi(r) / r``, shaped like `residual`, in its dtype (float16 and
    bfloat16 computed in float32), finite everywhere, r = 0 included (where they are the
    limit of ``psi(r) / r``)."""

_RAISES = """\
Raises
------
ValueError
    If the shapes of `input` and `target` differ, `weight` does not broadcast to `input`,
    a hyper-parameter is out of range, NaN or infinite, or `reduction` is unknown.
TypeError
    If the arrays come from different libraries, or a dtype is complex or not numeric."""


def _section(title: str, body: str) -> str:
    return f"{title}\n{'-' * len(title)}\n{body}"


def _parameter(p: Parameter, default: object, arrays: bool) -> str:
    kind = "float or array" if arrays else "float"
    head = (
        f"{p.name} : {kind}"
        if default is inspect.Parameter.empty
        else f"{p.name} : {kind}, default: {default!r}"
    )
    text = f"{p.doc} {p.range[0].upper()}{p.range[1:]}."
    if arrays:
        text += (
            " An array of the input's library broadcasting to `input` gives a value per "
            "element (differentiable); elements whose entry is out of range are NaN."
        )
    return head + "\n" + textwrap.fill(text, 88, initial_indent="    ", subsequent_indent="    ")


def _parameters(
    definition: LossDefinition,
    f: Callable[..., Any],
    arrays: bool = True,
    shared: dict[str, str] = _SHARED,
) -> str:
    """Render the Parameters section of `f`, in the order of its signature."""
    own = {p.name: p for p in definition.parameters}
    entries = []
    for name, sig in inspect.signature(f).parameters.items():
        if name == "self":
            continue
        if name in own:
            entries.append(_parameter(own[name], sig.default, arrays))
        elif shared[name]:
            entries.append(shared[name])
    return _section("Parameters", "\n".join(entries))


def _see_also(names: tuple[str, ...]) -> str:
    return _section("See Also", ", ".join(names))


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part) + "\n"


def _setter(render: Callable[[Any], str]) -> Callable[[_F], _F]:
    def decorate(f: _F) -> _F:
        f.__doc__ = render(f)
        return f

    return decorate


def loss_function(definition: LossDefinition) -> Callable[[_F], _F]:
    """Give a public loss function its docstring."""
    d = definition.docs

    def render(f: Callable[..., Any]) -> str:
        refs = "\n".join(d.references)
        return _join(
            d.summary,
            d.body,
            _parameters(definition, f),
            _RETURNS,
            _RAISES,
            _see_also((*d.see_also, f"{definition.function_name}_grad")),
            _section("References", refs) if refs else "",
            _section("Examples", d.examples) if d.examples else "",
        )

    return _setter(render)


def loss_gradient(definition: LossDefinition) -> Callable[[_F], _F]:
    """Give the gradient function of a loss its docstring."""
    d, name = definition.docs, definition.function_name
    note = f" {d.grad_note}" if d.grad_note else ""

    def render(f: Callable[..., Any]) -> str:
        return _join(
            f"Gradient of :func:`{name}` with respect to `input`.",
            f"Takes exactly the arguments of :func:`{name}`. Backends without autograd "
            "(NumPy,\nCuPy, Dask) train and run IRLS with it; on PyTorch and JAX it equals "
            f"autograd through\n:func:`{name}`.{note}",
            _parameters(definition, f),
            _GRAD_RETURNS,
            _see_also((name,)),
            _section("Examples", d.grad_examples) if d.grad_examples else "",
        )

    return _setter(render)


def loss_object(definition: LossDefinition, cls: type) -> str:
    """Render the docstring of the loss object `cls` of `definition`."""
    d, name = definition.docs, definition.function_name
    note = (
        "A hyper-parameter may also be an array (one value per element, say); the object "
        "then holds it, its configuration holds the array, and it is equal and hashed by "
        "identity."
        if definition.parameters
        else ""
    )
    text = (
        f"{d.summary} Configured once, called as ``loss(input, target, weight=None)``, with "
        "``.grad`` for its gradient; immutable, hashable, and rebuilt from "
        ":meth:`get_config` by :meth:`from_config`. Hyper-parameters are checked at "
        f"construction. {note}"
    )
    return _join(
        f"Loss object of :func:`robustloss.{name}`.",
        textwrap.fill(text.strip(), 88, break_on_hyphens=False),
        _parameters(definition, cls.__init__),  # type: ignore[misc]
        _section("Examples", d.object_examples) if d.object_examples else "",
    )


def irls_weight(definition: LossDefinition) -> Callable[[_F], _F]:
    """Give the IRLS weight function of a loss its docstring."""
    d = definition.docs

    def render(f: Callable[..., Any]) -> str:
        return _join(
            f"IRLS weights ``psi(r) / r`` of :func:`robustloss.{definition.function_name}`.",
            textwrap.fill(f"The weight is {d.weight_formula}.", 88),
            _parameters(definition, f, shared=_SHARED_WEIGHTS),
            _WEIGHT_RETURNS,
            _section("Examples", d.weight_examples) if d.weight_examples else "",
        )

    return _setter(render)
