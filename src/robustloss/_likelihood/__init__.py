"""Barron's distribution as a likelihood: its loss, its normaliser, its shape's latents, draws.

* :mod:`.special`: log Z(alpha) (from the table of ``tools/partition_table.py``) and
  log Gamma, for numbers and arrays;
* :mod:`.losses`: :func:`adaptive_loss` (the negative log-likelihood Barron learns alpha
  and scale by) and :func:`students_t_loss`, each a definition the engine evaluates;
* :mod:`.objects`: their loss objects, :class:`AdaptiveLoss` and :class:`StudentsTLoss`;
* :mod:`.latent`: :func:`log_partition` and the reparametrisations of alpha and scale;
* :mod:`.sampling`: :func:`sample_general`.
"""

from __future__ import annotations

from .latent import (
    alpha_from_latent,
    latent_from_alpha,
    latent_from_scale,
    log_partition,
    scale_from_latent,
)
from .losses import adaptive_loss, adaptive_loss_grad, students_t_loss, students_t_loss_grad
from .objects import AdaptiveLoss, StudentsTLoss
from .sampling import sample_general

__all__ = [
    "AdaptiveLoss",
    "StudentsTLoss",
    "adaptive_loss",
    "adaptive_loss_grad",
    "alpha_from_latent",
    "latent_from_alpha",
    "latent_from_scale",
    "log_partition",
    "sample_general",
    "scale_from_latent",
    "students_t_loss",
    "students_t_loss_grad",
]
