"""The one switch of the evaluation strategies (for debugging and for the tests).

By default the engine picks a faster strategy per namespace (see :mod:`._strategies`);
``fast_paths(False)`` or the environment variable ``ROBUSTLOSS_FAST_PATHS=0`` makes every
call take the plain generic Array API path instead. The setting is a context variable:
it holds for the current thread (or asyncio task) and the code inside the ``with``.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

__all__ = ["fast_paths", "fast_paths_enabled"]

_ENABLED = contextvars.ContextVar(
    "robustloss_fast_paths",
    default=os.environ.get("ROBUSTLOSS_FAST_PATHS", "1").strip().lower()
    not in ("0", "false", "no", "off"),
)


def fast_paths_enabled() -> bool:
    """Whether the per-backend strategies are on (in this thread or task).

    Examples
    --------
    >>> import robustloss
    >>> robustloss.fast_paths_enabled()
    True
    """
    return _ENABLED.get()


@contextlib.contextmanager
def fast_paths(enabled: bool) -> Iterator[None]:
    """Turn the per-backend strategies on or off inside a ``with`` block.

    With ``enabled=False`` every loss is computed by the generic Array API composition,
    the reference the strategies are tested against. Set ``ROBUSTLOSS_FAST_PATHS=0`` in
    the environment to start with them off.

    Examples
    --------
    >>> import numpy as np
    >>> import robustloss
    >>> x = np.linspace(-3, 3, 100_001)
    >>> with robustloss.fast_paths(False):
    ...     generic = robustloss.huber_loss(x, 0 * x)
    >>> bool(np.isclose(robustloss.huber_loss(x, 0 * x), generic, rtol=1e-14))
    True
    """
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool, got {type(enabled).__name__}")
    token = _ENABLED.set(enabled)
    try:
        yield
    finally:
        _ENABLED.reset(token)
