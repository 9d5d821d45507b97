"""Batched weighted least squares with elementwise operations, sums and ``matmul`` only.

The design ``X`` (``[..., n, p]``) is factorized once, ``X = Q R``, by modified
Gram-Schmidt run twice (so that Q is orthonormal to rounding, whatever X's condition);
each weighted solve of the iteration is then the normal equations *in Q's basis*,
``(Q^T W Q) g = Q^T W y``, solved by Cholesky, and ``R b = g``. The normal equations
of Q are as well conditioned as the weights let them be (not cond(X)**2), and the
triangular solve is backward stable, so the coefficients are as accurate as a QR
solve of the weighted problem, at a fraction of its cost: the only ``[..., n, p]``
work per solve is ``Q^T W Q`` and ``Q^T W y``. Every operation is over all leading
indices at once and in the Array API (no linear-algebra extension), so it runs on every
backend, under ``jax.jit`` and without host synchronisation; p is small, and the p x p
steps are written out entry by entry.
"""

from __future__ import annotations

from typing import NamedTuple

from .._typing import Array, Namespace

__all__ = ["Design", "factor", "inverse_gram", "qr_lstsq", "weighted_lstsq"]

#: an upper triangular p x p matrix over the batch: ``R[j][k]`` (k >= j) is ``[...]``
Triangle = list[list[Array]]


class Design(NamedTuple):
    """A least-squares problem factorized: ``X = Q R`` and the response.

    Arrays both, so that a batch of problems can be indexed like one array.
    """

    #: ``[..., p + 1, n]``: the rows of ``Q^T`` (orthonormal), then the response y
    A: Array
    #: ``[..., p, p]``: R, upper triangular
    R: Array


def _gram_schmidt(
    columns: list[Array], xp: Namespace, count: int | None = None
) -> tuple[list[Array], Triangle]:
    """One pass of modified Gram-Schmidt over `columns` (each ``[..., n]``).

    The first `count` columns (all by default) are orthonormalized; the rest are only
    projected out of them (their entries of R are then ``Q^T`` of them).
    """
    p = len(columns)
    columns = list(columns)
    R: Triangle = [[None] * p for _ in range(p)]
    for j in range(p if count is None else count):
        a = columns[j]
        rjj = xp.sqrt(xp.sum(a * a, axis=-1))
        q = a / rjj[..., None]
        columns[j] = q
        R[j][j] = rjj
        for k in range(j + 1, p):
            rjk = xp.sum(q * columns[k], axis=-1)
            columns[k] = columns[k] - rjk[..., None] * q
            R[j][k] = rjk
    return columns, R


def factor(X: Array, y: Array | None, xp: Namespace) -> Design:
    """Return ``X = Q R`` (modified Gram-Schmidt, reorthogonalised once) with `y`."""
    p = X.shape[-1]
    Q1, R1 = _gram_schmidt([X[..., :, j] for j in range(p)], xp)
    Q, R2 = _gram_schmidt(Q1, xp)
    R: Triangle = [[None] * p for _ in range(p)]
    for j in range(p):
        for k in range(j, p):
            s = R2[j][j] * R1[j][k]
            for i in range(j + 1, k + 1):
                s = s + R2[j][i] * R1[i][k]
            R[j][k] = s
    zero = xp.zeros_like(R[0][0])
    rows = [xp.stack([R[j][k] if k >= j else zero for k in range(p)], axis=-1) for j in range(p)]
    A = xp.stack(Q if y is None else [*Q, y], axis=-2)
    return Design(A, xp.stack(rows, axis=-2))


def _rows(R: Array) -> Triangle:
    """Return the entries of an upper triangular ``[..., p, p]`` array, row by row."""
    p = R.shape[-1]
    return [[R[..., j, k] if k >= j else None for k in range(p)] for j in range(p)]


def _back_substitute(R: Triangle, rhs: list[Array]) -> list[Array]:
    """Solve ``R x = rhs`` for upper triangular R."""
    p = len(R)
    x: list[Array] = [None] * p
    for j in reversed(range(p)):
        s = rhs[j]
        for k in range(j + 1, p):
            s = s - R[j][k] * x[k]
        x[j] = s / R[j][j]
    return x


def _cholesky_solve(G: Array, c: Array, xp: Namespace) -> list[Array]:
    """Solve ``G g = c`` for symmetric positive definite G ``[..., p, p]``, entrywise."""
    p = G.shape[-1]
    L: Triangle = [[None] * p for _ in range(p)]
    for j in range(p):
        s = G[..., j, j]
        for k in range(j):
            s = s - L[j][k] * L[j][k]
        L[j][j] = xp.sqrt(s)
        for i in range(j + 1, p):
            s = G[..., i, j]
            for k in range(j):
                s = s - L[i][k] * L[j][k]
            L[i][j] = s / L[j][j]
    z: list[Array] = [None] * p
    for i in range(p):  # L z = c
        s = c[..., i]
        for k in range(i):
            s = s - L[i][k] * z[k]
        z[i] = s / L[i][i]
    upper = [[L[k][j] if k >= j else None for k in range(p)] for j in range(p)]  # L^T
    return _back_substitute(upper, z)


def weighted_lstsq(design: Design, w: Array, xp: Namespace) -> Array:
    """Return ``argmin_b sum(w * (y - X b)**2)`` for every problem: ``[..., p]``.

    `w` (``[..., n]``, >= 0) must leave the weighted design of full column rank, and
    span a moderate range (the normal equations square its condition): bounded weights,
    as a robust loss's are. One product gives ``Q^T W Q`` and ``Q^T W y`` together.
    """
    A = design.A
    p = A.shape[-2] - 1
    M = xp.matmul(w[..., None, :] * A, xp.matrix_transpose(A))  # [..., p + 1, p + 1]
    g = _cholesky_solve(M[..., :p, :p], M[..., :p, p], xp)
    return xp.stack(_back_substitute(_rows(design.R), g), axis=-1)


def qr_lstsq(X: Array, w: Array, y: Array, xp: Namespace) -> Array:
    """Return ``argmin_b sum(w * (y - X b)**2)`` by a QR factorization of the weighted design.

    For weights of any range (L1's ``1 / |r|`` reaches 1e308): Gram-Schmidt on
    ``sqrt(w) [X | y]``, backward stable for least squares (Björck 1967).
    """
    s = xp.sqrt(w)
    p = X.shape[-1]
    _, R = _gram_schmidt([*(X[..., :, j] * s for j in range(p)), y * s], xp, count=p)
    return xp.stack(
        _back_substitute([row[:p] for row in R[:p]], [R[j][p] for j in range(p)]), axis=-1
    )


def inverse_gram(R: Array, xp: Namespace) -> Array:
    """Return ``(X^T X)^-1 = R^-1 R^-T`` from R (``[..., p, p]``) of ``X = Q R``."""
    p = R.shape[-1]
    rows = _rows(R)
    zero = xp.zeros_like(rows[0][0])
    one = zero + 1
    columns = [
        _back_substitute(rows, [one if k == i else zero for k in range(p)]) for i in range(p)
    ]
    Rinv = xp.stack([xp.stack(col, axis=-1) for col in columns], axis=-1)  # [..., p, p]
    return xp.matmul(Rinv, xp.matrix_transpose(Rinv))
