"""Batched least squares with nothing but elementwise operations, sums and ``matmul``.

Modified Gram-Schmidt on the augmented matrix ``[A | b]`` (backward stable for least
squares, Björck 1967), one column at a time over every leading index at once, so that it
runs on any Array API namespace, the linear-algebra extension not needed, under
``jax.jit`` and with no host synchronisation.
"""

from __future__ import annotations

import array_api_compat as aac

from .._typing import Array, Namespace

__all__ = ["inverse_gram", "lstsq"]


def _triangular(A: Array, xp: Namespace) -> tuple[list[list[Array]], Array]:
    """Return R of ``A = QR`` (rows of ``[..., ]`` arrays; R[j][k] for k >= j) and Q^T A's rest.

    `A` is ``[..., n, m]``; the first ``m - 1`` columns are factorized and the last is
    carried along, so the returned row entries ``R[j][m - 1]`` are ``Q^T b``.
    """
    m = A.shape[-1]
    columns = xp.arange(m, device=aac.device(A))
    R: list[list[Array]] = []
    for j in range(m - 1):
        a = A[..., :, j]
        rjj = xp.sqrt(xp.sum(a * a, axis=-1))
        q = a / rjj[..., None]
        r = xp.matmul(q[..., None, :], A)[..., 0, :]
        r = xp.where(columns > j, r, xp.zeros_like(r))
        A = A - q[..., :, None] * r[..., None, :]
        R.append([rjj if k == j else r[..., k] for k in range(m)])
    return R, A


def _back_substitute(R: list[list[Array]], rhs: list[Array]) -> list[Array]:
    """Solve ``R x = rhs`` for upper triangular R given as rows of arrays."""
    p = len(R)
    x: list[Array] = [None] * p
    for j in reversed(range(p)):
        s = rhs[j]
        for k in range(j + 1, p):
            s = s - R[j][k] * x[k]
        x[j] = s / R[j][j]
    return x


def lstsq(A: Array, b: Array, xp: Namespace) -> Array:
    """Return ``argmin ||A x - b||`` for `A` ``[..., n, p]`` and `b` ``[..., n]``: ``[..., p]``.

    `A` must have full column rank (a rank-deficient problem gives non-finite values).
    """
    p = A.shape[-1]
    R, _ = _triangular(xp.concat([A, b[..., None]], axis=-1), xp)
    x = _back_substitute(R, [R[j][p] for j in range(p)])
    return xp.stack(x, axis=-1)


def inverse_gram(A: Array, xp: Namespace) -> Array:
    """Return ``(A^T A)^-1`` for `A` ``[..., n, p]`` of full column rank: ``[..., p, p]``.

    From R of ``A = QR``: ``R^-1 R^-T``, without forming ``A^T A``.
    """
    p = A.shape[-1]
    zeros = xp.zeros_like(A[..., :, :1])
    R, _ = _triangular(xp.concat([A, zeros], axis=-1), xp)
    zero = zeros[..., 0, 0]
    one = zero + 1
    # the columns of R^-1: R x = e_i
    inv = [_back_substitute(R, [one if k == i else zero for k in range(p)]) for i in range(p)]
    Rinv = xp.stack([xp.stack(col, axis=-1) for col in inv], axis=-1)  # [..., p, p]
    return xp.matmul(Rinv, xp.matrix_transpose(Rinv))
