"""Type aliases shared by the public API."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Literal, TypeAlias

__all__ = ["Array", "Namespace", "Reduction", "Weight"]

#: Any array object of a library that implements (or is wrapped to) the Array API standard.
Array: TypeAlias = Any

#: An Array API namespace: ``numpy``, ``torch``, ``jax.numpy``, ``cupy``, ``dask.array``, or
#: one of the ``array_api_compat`` wrappers of them.
Namespace: TypeAlias = ModuleType

#: How elementwise losses are reduced; ``None`` means ``"none"``.
Reduction: TypeAlias = Literal["none", "mean", "sum", "weighted_mean"] | None

#: Per-element weights: an array broadcasting to the input, a number, or None.
Weight: TypeAlias = Array | float | None
