"""Robust regression losses written once against the Python Array API standard.

The namespace of the caller's arrays picks the backend: the same call runs on NumPy,
PyTorch (CPU or CUDA, with autograd), CuPy, JAX (jit and grad) and Dask (lazy).
"""

from ._functional import (
    huber_loss,
    huber_loss_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
    smooth_l1_loss,
    smooth_l1_loss_grad,
)
from ._objects import HuberLoss, L1Loss, Loss, MSELoss, SmoothL1Loss
from ._version import __version__

__all__ = [
    "HuberLoss",
    "L1Loss",
    "Loss",
    "MSELoss",
    "SmoothL1Loss",
    "__version__",
    "huber_loss",
    "huber_loss_grad",
    "l1_loss",
    "l1_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
]
