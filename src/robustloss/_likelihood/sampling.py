"""Draws from Barron's distribution, by rejection from a Cauchy proposal.

The density is ``p(x) = exp(-general(x / scale, alpha)) / (scale Z(alpha))``. The
general loss grows with alpha at every x, so ``exp(-general(x, alpha))`` lies under
``exp(-general(x, 0)) = 1 / (1 + x**2 / 2)``, a Cauchy density with scale sqrt(2) (times
``sqrt(2) pi``): a Cauchy draw x is accepted with probability
``exp(general(x, 0) - general(x, alpha))``, for every alpha >= 0 (Barron's sampler is
the same, for alpha in [0, 2]). The acceptance rate is ``Z(alpha) / Z(0)``: 1 at alpha = 0,
0.56 at 2 and 0.46 as alpha -> inf.

The Array API has no random numbers: the uniforms come from the generator of the
caller's library, which also says which library the draws belong to.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import array_api_compat as aac

from .._checks import check_hyperparameter, is_array
from .._losses import GENERAL
from .._reduction import ieee_quiet
from .._typing import Array, Namespace

__all__ = ["sample_general"]

#: a source of uniforms in [0, 1): ``uniform(shape, dtype) -> array``
Uniform = Callable[[tuple[int, ...], Any], Array]
#: rounds of proposals before giving up (each element fails one with probability below 0.55)
_ROUNDS = 200


def _numpy_uniform(rng: Any) -> tuple[Uniform, Namespace]:
    import array_api_compat.numpy

    xp: Any = array_api_compat.numpy
    return (lambda shape, dtype: xp.asarray(rng.random(shape), dtype=dtype)), xp


def _torch_uniform(rng: Any) -> tuple[Uniform, Namespace]:
    import array_api_compat.torch as xp
    import torch

    def uniform(shape: tuple[int, ...], dtype: Any) -> Array:
        return torch.rand(shape, generator=rng, dtype=dtype, device=rng.device)

    return uniform, xp


def _jax_uniform(key: Any) -> tuple[Uniform, Namespace]:
    import jax
    import jax.numpy as xp

    state = [key]

    def uniform(shape: tuple[int, ...], dtype: Any) -> Array:
        state[0], sub = jax.random.split(state[0])
        return jax.random.uniform(sub, shape, dtype=dtype)

    return uniform, xp


def _source(rng: Any) -> tuple[Uniform, Namespace]:
    """Return the uniforms and the namespace of `rng`, by the library of its type."""
    library = type(rng).__module__.split(".")[0]
    if library == "numpy" and hasattr(rng, "random"):
        return _numpy_uniform(rng)
    if library == "torch" and type(rng).__name__ == "Generator":
        return _torch_uniform(rng)
    if library in ("jax", "jaxlib"):
        return _jax_uniform(rng)
    raise TypeError(
        "rng must be a numpy.random.Generator, a torch.Generator or a JAX PRNG key, "
        f"got {type(rng).__name__}"
    )


def sample_general(
    rng: Any,
    shape: tuple[int, ...],
    alpha: float | Array,
    scale: float | Array = 1.0,
    *,
    dtype: Any = None,
) -> Array:
    """Draw from Barron's distribution: density ``exp(-general(x / scale, alpha))``, normalised.

    That is ``exp(-adaptive_loss(x, 0, alpha, scale))``: alpha = 2 is the normal
    distribution with standard deviation `scale`, alpha = 0 the Cauchy distribution
    with scale ``sqrt(2) scale``. By rejection from that Cauchy distribution (Barron's
    method), valid for every alpha >= 0 (inf included); each round draws a proposal and
    a uniform per element, and the rounds go on until every element is accepted (one
    host synchronisation per round: the sampler does not run inside ``jax.jit``).

    Parameters
    ----------
    rng : numpy.random.Generator, torch.Generator or JAX PRNG key
        The source of randomness; its library is the library of the draws (a
        ``torch.Generator`` draws on its device). A JAX key is split once per round and
        not consumed: the same key gives the same draws.
    shape : tuple of int
        Shape of the draws.
    alpha : float or array
        Shape parameter, >= 0; an array (of the generator's library) broadcasting to
        `shape` gives one per element (NaN draws where an entry is below 0).
    scale : float or array, default: 1.0
        Scale, > 0; an array broadcasting to `shape` gives one per element.
    dtype : dtype, optional
        Real floating dtype of the draws; the library's default by default.

    Returns
    -------
    array
        Draws of shape `shape`.

    Raises
    ------
    ValueError
        If a number `alpha` is below 0 or NaN, or `scale` is not finite and > 0.
    TypeError
        If `rng` is none of the above.

    See Also
    --------
    adaptive_loss, log_partition

    Examples
    --------
    >>> import numpy as np
    >>> from robustloss import sample_general
    >>> x = sample_general(np.random.default_rng(0), (100_000,), alpha=2.0, scale=3.0)
    >>> round(float(np.std(x)), 1)
    3.0
    """
    uniform, xp = _source(rng)
    if not is_array(alpha):
        alpha = check_hyperparameter("alpha", alpha, minimum=0.0, closed=True)
    if not is_array(scale):
        scale = check_hyperparameter("scale", scale, minimum=0.0, closed=False)
    shape = tuple(int(n) for n in shape)
    if dtype is None:
        info = xp.__array_namespace_info__()
        dtype = info.default_dtypes()["real floating"]
    invalid = ~(alpha >= 0.0) if is_array(alpha) else None
    if aac.is_numpy_namespace(xp):
        with ieee_quiet():  # tan, exp and log of the extreme proposals: IEEE, silently
            return _draw(uniform, xp, shape, dtype, alpha, scale, invalid)
    return _draw(uniform, xp, shape, dtype, alpha, scale, invalid)


def _draw(
    uniform: Uniform,
    xp: Namespace,
    shape: tuple[int, ...],
    dtype: Any,
    alpha: Any,
    scale: Any,
    invalid: Array | None,
) -> Array:
    out = None
    done = None
    for _ in range(_ROUNDS):
        u, v = uniform(shape, dtype), uniform(shape, dtype)
        x = math.sqrt(2.0) * xp.tan(math.pi * (u - 0.5))
        # accept with probability exp(general(x, 0) - general(x, alpha)) <= 1
        log_ratio = GENERAL.rho(x, xp=xp, alpha=0.0, scale=1.0) - GENERAL.rho(
            x, xp=xp, alpha=alpha, scale=1.0
        )
        accept = xp.log(v) <= log_ratio
        if invalid is not None:  # NaN there, never accepted: finished at once
            accept = accept | invalid
        if out is None or done is None:
            out, done = xp.where(accept, x, xp.nan), accept
        else:
            out = xp.where(done, out, xp.where(accept, x, out))
            done = done | accept
        if bool(xp.all(done)):
            break
    else:
        raise RuntimeError("rejection sampling did not finish")  # pragma: no cover
    if invalid is not None:
        out = xp.where(invalid, xp.nan, out)
    return out * scale if is_array(scale) or scale != 1.0 else out
