"""The shipped reference values and the tolerances they are checked with.

The test suite and ``python -m robustloss`` both apply them.

``_data/reference.json`` is written by ``tests/generate_reference.py``, which runs
independent implementations (torch.nn.functional, SciPy, optax, Keras, mpmath); robustloss
never produces its own expected values. Layout::

    {
      "format": 1,
      "generator": "tests/generate_reference.py",
      "peers": {"torch": "2.13.0", ...},            # versions that produced the file
      "cases": [
        {
          "id": "huber-delta0.5-3d",                # unique, readable test id
          "loss": "huber",                          # key of LOSSES below
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

Non-finite numbers are written as JSON's NaN / Infinity extension that Python reads.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from ._functional import (
    cauchy_loss,
    cauchy_loss_grad,
    geman_mcclure_loss,
    geman_mcclure_loss_grad,
    general_loss,
    general_loss_grad,
    huber_loss,
    huber_loss_grad,
    l1_loss,
    l1_loss_grad,
    log_cosh_loss,
    log_cosh_loss_grad,
    mse_loss,
    mse_loss_grad,
    pseudo_huber_loss,
    pseudo_huber_loss_grad,
    smooth_l1_loss,
    smooth_l1_loss_grad,
    tukey_loss,
    tukey_loss_grad,
    welsch_loss,
    welsch_loss_grad,
)

__all__ = ["LOSSES", "TOLERANCES", "load_reference"]

#: loss name in the reference file -> (loss function, gradient function)
LOSSES: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "huber": (huber_loss, huber_loss_grad),
    "smooth_l1": (smooth_l1_loss, smooth_l1_loss_grad),
    "l1": (l1_loss, l1_loss_grad),
    "mse": (mse_loss, mse_loss_grad),
    "log_cosh": (log_cosh_loss, log_cosh_loss_grad),
    "pseudo_huber": (pseudo_huber_loss, pseudo_huber_loss_grad),
    "tukey": (tukey_loss, tukey_loss_grad),
    "cauchy": (cauchy_loss, cauchy_loss_grad),
    "welsch": (welsch_loss, welsch_loss_grad),
    "geman_mcclure": (geman_mcclure_loss, geman_mcclure_loss_grad),
    "general": (general_loss, general_loss_grad),
}

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
    text = resources.files("robustloss").joinpath("_data/reference.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
