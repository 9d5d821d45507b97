"""Robust regression losses written once against the Python Array API standard.

The namespace of the caller's arrays picks the backend: the same call runs on NumPy,
PyTorch (CPU or CUDA, with autograd), CuPy, JAX (jit and grad) and Dask (lazy).
The submodules :mod:`robustloss.weights` (IRLS weights), :mod:`robustloss.regression`
(batched robust regression), :mod:`robustloss.keras` (Keras semantics),
:mod:`robustloss.torch` (``torch.nn`` modules) and :mod:`robustloss.testing` (the backend
matrix and lazy harness, for testing code that embeds robustloss) are attributes of the
package, imported on first use.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from . import _functional, _likelihood, _objects
from ._functional import *  # noqa: F403  (every loss function and gradient, see __all__)
from ._likelihood import *  # noqa: F403  (adaptive and Student's t NLL, log Z, latents, draws)
from ._objects import *  # noqa: F403  (every loss object)
from ._strategies import fast_paths, fast_paths_enabled
from ._version import __version__

if TYPE_CHECKING:
    from . import keras as keras
    from . import regression as regression
    from . import testing as testing
    from . import torch as torch
    from . import weights as weights

__all__ = ["__version__", "fast_paths", "fast_paths_enabled"]
__all__ += _functional.__all__
__all__ += _objects.__all__
__all__ += _likelihood.__all__

#: public submodules, imported when first asked for (``robustloss.weights.huber(...)``)
_SUBMODULES = ("keras", "regression", "testing", "torch", "weights")


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])
