"""The backends of the test matrix: ``robustloss.testing``'s, with pytest's skips.

The matrix itself (which libraries and devices, their dtypes, converters to and from
NumPy) is public, for library authors: :mod:`robustloss.testing`. Here a backend that
cannot run is a skip with the reason, and JAX runs with float64 on.
"""

from __future__ import annotations

import importlib.util

import pytest

from robustloss.testing import BACKENDS, DTYPES, Backend, BackendUnavailableError, backend

__all__ = ["BACKENDS", "DTYPES", "Backend", "backend_dtype_pairs", "load_backend"]

if importlib.util.find_spec("jax") is not None:
    import jax

    jax.config.update("jax_enable_x64", True)


def load_backend(name: str) -> Backend:
    """The backend `name`, or skip the test with the reason it cannot run here."""
    try:
        return backend(name)
    except BackendUnavailableError as e:
        pytest.skip(str(e))


def backend_dtype_pairs() -> list[tuple[str, str]]:
    """Every (backend, dtype) combination of the matrix."""
    return [(b, d) for b in BACKENDS for d in DTYPES[b]]
