"""The assertions of the tests: what an array is, then how close its numbers are.

:func:`assert_close` checks, where asked, the namespace, dtype, shape and device of a
result, and then its values against the expected ones (NaN equals NaN, infinities equal
by sign, finite values within rtol and atol). :func:`assert_close_or_overflow` is for
values that may leave the dtype's range.
"""

from __future__ import annotations

from typing import Any

import array_api_compat as aac
import numpy as np

from robustloss._cli.reference import TOLERANCES
from support.oracle import EPS, MAX, round_to

__all__ = ["TOLERANCES", "assert_close", "assert_close_or_overflow", "to_numpy"]


def to_numpy(x: Any) -> np.ndarray:
    """`x` (an array of any library, or a number) as a float64 NumPy array."""
    if aac.is_torch_array(x):
        import torch

        return np.asarray(x.detach().cpu().to(torch.float64).numpy())
    if aac.is_dask_array(x):
        x = x.compute(scheduler="synchronous")
    elif aac.is_cupy_array(x):
        x = x.get()
    return np.asarray(x, dtype=np.float64)


def _check_array(got: Any, xp: Any, dtype: Any, shape: Any, device: Any, what: str) -> None:
    if xp is not None:
        assert aac.array_namespace(got) is xp, f"{what}: namespace of {type(got)}, not {xp}"
    if dtype is not None:
        assert got.dtype == dtype, f"{what}: dtype {got.dtype}, expected {dtype}"
    if shape is not None:
        assert tuple(got.shape) == tuple(shape), f"{what}: shape {tuple(got.shape)} != {shape}"
    if device is not None:
        assert aac.device(got) == device, f"{what}: device {aac.device(got)}, expected {device}"


def assert_close(
    got: Any,
    want: Any,
    *,
    rtol: float,
    atol: float,
    xp: Any = None,
    dtype: Any = None,
    shape: tuple[int, ...] | None = None,
    device: Any = None,
    what: str = "",
    overflow: str | None = None,
) -> None:
    """`got` is an array of namespace `xp`, of `dtype`, `shape` and on `device` (each
    where given), with the values of `want`: NaN where it is NaN, the same infinities,
    and finite values within `rtol` and `atol`.

    With ``overflow=`` a dtype name (`want` in float64): where `want` rounds to inf in
    that dtype, `got` must be inf; values within 4 ulp of its largest number may round
    either way and are not compared.
    """
    _check_array(got, xp, dtype, shape, device, what)
    g, w = to_numpy(got), np.asarray(want, dtype=np.float64)
    if overflow is not None:
        over = np.isinf(round_to(w, overflow)) & np.isfinite(w)
        edge = over | (np.abs(w) > MAX[overflow] * (1 - 4 * EPS[overflow]))
        np.testing.assert_array_equal(np.isinf(g[over]), True, err_msg=f"{what}: overflow")
        g, w = g[~edge], w[~edge]
    if g.shape != w.shape:  # a number on either side is compared with every element
        assert g.ndim == 0 or w.ndim == 0, f"{what}: shapes {g.shape} and {w.shape} differ"
        g, w = np.broadcast_arrays(g, w)
    nan = np.isnan(w)
    np.testing.assert_array_equal(np.isnan(g), nan, err_msg=f"{what}: NaN positions")
    inf = np.isinf(w)
    np.testing.assert_array_equal(g[inf], w[inf], err_msg=f"{what}: infinities")
    ok = ~nan & ~inf
    np.testing.assert_allclose(g[ok], w[ok], rtol=rtol, atol=atol, err_msg=what)


def assert_close_or_overflow(
    got: np.ndarray, want: np.ndarray, dtype: str, rtol: float, atol: float, what: str = ""
) -> None:
    """`got` is inf where `want` overflows `dtype`, else `want` within rtol and atol;
    values within rtol of the dtype's largest number may round either way."""
    rounded = round_to(want, dtype)
    edge = np.abs(want) > MAX[dtype] * (1 - rtol)  # rounds either way
    over = np.isinf(rounded) & ~edge
    np.testing.assert_array_equal(np.isinf(got[over]), True, err_msg=f"{what}: overflow")
    ok = ~over & ~edge
    np.testing.assert_allclose(got[ok], want[ok], rtol=rtol, atol=atol, err_msg=what)
