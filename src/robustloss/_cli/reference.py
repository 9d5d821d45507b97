"""The shipped reference values, the tolerances they are checked with, and the losses they check.

The test suite and ``python -m robustloss`` both apply them.

``robustloss/_data/reference.json`` is written by ``tests/reference/generate.py``, which
runs independent implementations (torch.nn.functional, SciPy, optax, Keras, mpmath);
robustloss never produces its own expected values. The versions under ``"peers"`` are
those that produced the file: none of them is needed to read or check it. Layout::

    {
      "format": 1,
      "generator": "tests/reference/generate.py",
      "peers": {"torch": "2.13.0", ...},            # versions that produced the file
      "cases": [
        {
          "id": "huber-delta0.5-3d",                # unique, readable test id
          "loss": "huber",                          # NAME of robustloss.NAME_loss
          "params": {"delta": 0.5},                 # keyword hyper-parameters
          "shape": [2, 3, 4],
          "input": [...], "target": [...],          # nested lists (0-d: a number)
          "weight": null | [...],                   # broadcasts to shape
          "dtypes": ["float16", "bfloat16", "float32", "float64"],  # exact in these
          "expected": {
            "<reduction>": {                        # none, mean, sum, weighted_mean
              "value": ..., "value_source": "torch.nn.functional.huber_loss 2.13.0",
              "grad": ...,  "grad_source": "torch.autograd 2.13.0"
            }
          }
        }
      ]
    }

A case lists a dtype only where its inputs are exact in it and no expected value
overflows it, so some cases are checked in float64 only (Tukey's edges sit at
c = 4.685, which float32 does not hold). Non-finite numbers are written as JSON's NaN /
Infinity extension that Python reads.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from .._losses import LOSSES

#: the package this module belongs to (``robustloss``, or wherever it is vendored)
PACKAGE = __name__.rsplit(".", 2)[0]

__all__ = ["TOLERANCES", "functions", "load_reference", "loss_names"]

#: (rtol, atol) a result of each dtype must meet against the float64 reference values,
#: inputs being exact in that dtype: a few units in the last place, and the rounding
#: of the output to the dtype for the half-precision types.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float64": (1e-12, 1e-300),
    "float32": (1e-5, 1e-30),
    "float16": (2e-3, 1e-6),
    "bfloat16": (1.6e-2, 1e-6),
}


@functools.cache
def load_reference() -> dict[str, Any]:
    """Return the parsed reference file (cached; treat it as read-only)."""
    text = resources.files(PACKAGE).joinpath("_data/reference.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def loss_names(reference: dict[str, Any]) -> list[str]:
    """Return the losses `reference` has cases for, in the order of their first case."""
    return list(dict.fromkeys(case["loss"] for case in reference["cases"]))


def functions(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Return the public function of the registered loss `name` and its gradient.

    Looked up on the package at call time, so that a wrapped function (the test suite's
    jit and Dask harness) is the one called.

    Raises
    ------
    KeyError
        If no loss of that name is registered.
    """
    function = LOSSES[name].function_name
    package = importlib.import_module(PACKAGE)
    return getattr(package, function), getattr(package, f"{function}_grad")
