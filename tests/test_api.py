"""Argument handling of the public API: errors, promotion, legacy flags.

On the losses PyTorch has too (their argument handling mirrors PyTorch's), as functions,
gradients and loss objects. Expected numbers here are worked by hand from the definitions
in DESIGN.md, or come from PyTorch; none comes from robustloss.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import robustloss as rl
from support.cases import TORCH_NATIVE, function
from support.matrix import Backend

#: the losses, then their gradients
LOSS_FUNCTIONS = [function(case, kind) for kind in ("loss", "grad") for case in TORCH_NATIVE]
OBJECTS: list[type[rl.Loss]] = [getattr(rl, case.object) for case in TORCH_NATIVE]
#: every public entry point as f(input, target, **kwargs)
ENTRY_POINTS: list[Callable[..., Any]] = [
    *LOSS_FUNCTIONS,
    *(cls() for cls in OBJECTS),
    *(cls().grad for cls in OBJECTS),
]


def _name(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", None) or type(f).__name__


# --- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("f", ENTRY_POINTS, ids=_name)
def test_shape_mismatch_names_both_shapes(f: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        f(np.zeros((2, 3)), np.zeros(3))


@pytest.mark.parametrize("f", ENTRY_POINTS, ids=_name)
@pytest.mark.parametrize("shape", [(2,), (3, 1, 1), (2, 3, 1), (4, 3)])
def test_weight_that_does_not_broadcast(f: Callable[..., Any], shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="weight of shape"):
        f(np.zeros((4, 3)), np.zeros((4, 3)), weight=np.ones((*shape[:-1], 2)))


@pytest.mark.parametrize("f", LOSS_FUNCTIONS, ids=_name)
@pytest.mark.parametrize("reduction", ["avg", "MEAN", "", 0, "batchmean"])
def test_unknown_reduction(f: Callable[..., Any], reduction: object) -> None:
    with pytest.raises(ValueError, match="reduction must be one of"):
        f(np.zeros(2), np.zeros(2), reduction=reduction)


BAD_VALUES = [0.0, -1.0, float("nan"), float("inf"), -float("inf")]


@pytest.mark.parametrize("f", [rl.huber_loss, rl.huber_loss_grad, rl.HuberLoss], ids=_name)
@pytest.mark.parametrize("delta", BAD_VALUES)
def test_bad_delta(f: Callable[..., Any], delta: float) -> None:
    args = () if f is rl.HuberLoss else (np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="delta must be finite and > 0"):
        f(*args, delta=delta)


@pytest.mark.parametrize(
    "f", [rl.smooth_l1_loss, rl.smooth_l1_loss_grad, rl.SmoothL1Loss], ids=_name
)
@pytest.mark.parametrize("beta", BAD_VALUES[1:])
def test_bad_beta(f: Callable[..., Any], beta: float) -> None:
    args = () if f is rl.SmoothL1Loss else (np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="beta must be finite and >= 0"):
        f(*args, beta=beta)


#: every entry point that takes a hyper-parameter, with its name
HYPER = [
    (rl.huber_loss, "delta"),
    (rl.huber_loss_grad, "delta"),
    (rl.HuberLoss, "delta"),
    (rl.smooth_l1_loss, "beta"),
    (rl.smooth_l1_loss_grad, "beta"),
    (rl.SmoothL1Loss, "beta"),
]


@pytest.mark.parametrize(("f", "name"), HYPER, ids=[_name(f) for f, _ in HYPER])
@pytest.mark.parametrize(
    "value",
    [True, False, np.True_, "1.0", 1j, None, [1.0]],
    ids=["True", "False", "np.True_", "str", "complex", "None", "list"],
)
def test_hyperparameter_of_the_wrong_type(f: Callable[..., Any], name: str, value: object) -> None:
    args = () if isinstance(f, type) else (np.zeros(2), np.zeros(2))
    with pytest.raises(TypeError, match=f"{name} must be a real number"):
        f(*args, **{name: value})


def test_hyperparameter_arrays_must_be_real_and_of_the_inputs_library() -> None:
    x = np.asarray([0.5, 3.0])
    # an array of the input's library: one value per element (by hand: 0.125, 2 (3 - 1))
    np.testing.assert_array_equal(
        rl.huber_loss(x, np.zeros(2), reduction="none", delta=np.asarray([1.0, 2.0])),
        [0.125, 4.0],
    )
    with pytest.raises(TypeError, match="delta has boolean dtype"):
        rl.huber_loss(x, np.zeros(2), delta=np.ones(2, dtype=bool))
    with pytest.raises(TypeError, match="delta has complex dtype"):
        rl.huber_loss(x, np.zeros(2), delta=np.ones(2, dtype=complex))
    with pytest.raises(ValueError, match="delta of shape"):
        rl.huber_loss(x, np.zeros(2), delta=np.ones(3))
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="delta is a numpy array but input is a torch array"):
        rl.huber_loss(torch.zeros(2), torch.zeros(2), delta=np.ones(2))
    got = rl.huber_loss(torch.zeros(2), torch.ones(2), delta=torch.tensor(2.0))
    assert float(got) == 0.5  # 0.5 r**2 inside delta, by hand


@pytest.mark.parametrize(
    "f", [rl.smooth_l1_loss, rl.smooth_l1_loss_grad, rl.SmoothL1Loss], ids=_name
)
def test_beta_zero_is_allowed(f: Callable[..., Any]) -> None:
    if isinstance(f, type):
        assert f(beta=0.0).beta == 0.0
        assert f(beta=0).beta == 0.0
    else:
        got = f(np.asarray([2.0, -0.5]), np.zeros(2), reduction="sum", beta=0.0)
        want = 2.5 if f is rl.smooth_l1_loss else [1.0, -1.0]  # |r| and sign(r)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("value", [2, np.float32(0.5), np.float64(2.0), np.int64(3)])
def test_hyperparameter_numbers_are_accepted(value: float) -> None:
    r = 4.0
    expected = float(value) * (r - float(value) / 2)  # the linear branch, by hand
    assert float(rl.huber_loss(np.asarray([r]), np.zeros(1), delta=value)) == expected


def test_errors_come_before_any_work() -> None:
    class Exploding(np.ndarray):
        def __sub__(self, other: object) -> Any:
            raise AssertionError("computed before validating")

        __rsub__ = __sub__

    x = np.zeros(3).view(Exploding)
    with pytest.raises(ValueError, match="delta"):
        rl.huber_loss(x, x, delta=-1.0)
    with pytest.raises(ValueError, match="reduction"):
        rl.huber_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="weight"):
        rl.huber_loss(x, x, weight=np.ones(2))


def _zeros(library: str) -> Any:
    """A float64 array of two zeros from `library` (the test skips where it is missing)."""
    if library == "numpy":
        return np.zeros(2)
    if library == "torch":
        torch = pytest.importorskip("torch")
        return torch.zeros(2, dtype=torch.float64)
    if library == "jax":
        return pytest.importorskip("jax.numpy").zeros(2)
    if library == "dask":
        return pytest.importorskip("dask.array").zeros(2, chunks=1)
    return pytest.importorskip("array_api_strict").zeros(2)


def _module(lib: str) -> str:
    """The top-level module of a library's array type (JAX arrays live in jaxlib)."""
    return type(_zeros(lib)).__module__.split(".")[0]


#: (input, target, weight) libraries of which at least two differ
MIXED = [
    ("numpy", "torch", None),
    ("torch", "numpy", None),
    ("numpy", "jax", None),
    ("jax", "numpy", None),
    ("torch", "dask", None),
    ("dask", "jax", None),
    ("numpy", "array_api_strict", None),
    ("torch", "torch", "numpy"),
    ("numpy", "numpy", "torch"),
    ("jax", "jax", "dask"),
    ("dask", "dask", "numpy"),
]


@pytest.mark.parametrize("f", ENTRY_POINTS, ids=_name)
@pytest.mark.parametrize("libs", MIXED, ids=lambda t: "+".join(str(x) for x in t))
def test_arrays_of_two_libraries(f: Callable[..., Any], libs: tuple[str, str, str | None]) -> None:
    x, y = _zeros(libs[0]), _zeros(libs[1])
    w = None if libs[2] is None else _zeros(libs[2])
    with pytest.raises(TypeError, match="must come from one library") as info:
        f(x, y, weight=w)
    # each argument named with its library (weight only where one was passed), and what to do
    message = str(info.value)
    named = [("input", libs[0]), ("target", libs[1])] + (
        [("weight", libs[2])] if w is not None else []
    )
    for argument, lib in named:
        assert f"{argument} is a {_module(lib)} array" in message, message
    assert "weight" in message or w is None
    assert w is not None or "weight" not in message
    assert "convert" in message


@pytest.mark.parametrize("f", ENTRY_POINTS, ids=_name)
def test_complex_and_non_numeric_dtypes(f: Callable[..., Any]) -> None:
    with pytest.raises(TypeError, match="complex"):
        f(np.zeros(2, dtype=np.complex128), np.zeros(2))
    with pytest.raises(TypeError, match="complex"):
        f(np.zeros(2), np.zeros(2, dtype=np.complex64))
    with pytest.raises(TypeError, match="non-numeric"):
        f(np.array(["a", "b"]), np.zeros(2))
    with pytest.raises(TypeError, match="non-numeric"):
        f(np.zeros(2, dtype=object), np.zeros(2))
    with pytest.raises(TypeError, match="complex"):
        f(np.zeros(2), np.zeros(2), weight=np.ones(2, dtype=np.complex128))


def test_non_arrays_need_xp() -> None:
    with pytest.raises(TypeError, match="input must be an array"):
        rl.huber_loss([1.0, 2.0], np.zeros(2))
    with pytest.raises(TypeError, match="weight must be an array or a real number"):
        rl.huber_loss(np.zeros(2), np.zeros(2), weight="heavy")  # type: ignore[arg-type]


def test_xp_converts_sequences() -> None:
    assert float(rl.huber_loss([1.5, -3.0], [1.0, 0.0], xp=np)) == (0.125 + 2.5) / 2
    # a list weight too: 2 * 0.125 + 1 * 2.5
    assert float(rl.huber_loss([1.5, -3.0], [1.0, 0.0], "sum", weight=[2, 1], xp=np)) == 2.75
    got = rl.mse_loss_grad((1.0, 2.0), np.zeros(2), reduction="sum", weight=(1.0, 3.0), xp=np)
    np.testing.assert_array_equal(got, [2.0, 12.0])  # 2 r w


def test_xp_converts_sequences_for_torch_and_jax() -> None:
    torch = pytest.importorskip("torch")
    got = rl.l1_loss([1.0, -3.0], [0.0, 0.0], reduction="none", xp=torch)
    assert isinstance(got, torch.Tensor)
    assert got.tolist() == [1.0, 3.0]
    jnp = pytest.importorskip("jax.numpy")
    got = rl.l1_loss([1.0, -3.0], [0.0, 0.0], reduction="none", weight=[2.0, 1.0], xp=jnp)
    np.testing.assert_array_equal(np.asarray(got), [2.0, 3.0])


@pytest.mark.parametrize(
    ("arrays", "xp_name"),
    [("numpy", "torch"), ("torch", "numpy"), ("numpy", "jax"), ("numpy", "array_api_strict")],
)
def test_xp_that_disagrees_with_the_arrays(arrays: str, xp_name: str) -> None:
    xp = pytest.importorskip("jax.numpy" if xp_name == "jax" else xp_name)
    x = _zeros(arrays)
    for f in (rl.huber_loss, rl.smooth_l1_loss_grad, rl.MSELoss(), rl.L1Loss().grad):
        with pytest.raises(TypeError, match=f"xp is a namespace of {xp_name} .*belong to {arrays}"):
            f(x, x, xp=xp)


def test_xp_that_agrees_with_the_arrays() -> None:
    import array_api_compat

    x, y = np.asarray([3.0]), np.zeros(1)
    for xp in (np, array_api_compat.numpy):
        assert float(rl.huber_loss(x, y, xp=xp)) == 2.5  # 3 - 0.5


@pytest.mark.parametrize(
    "scalar",
    [np.float64(0.5), np.float32(0.5), np.int64(2), 0.5, 2],
    ids=["np.float64", "np.float32", "np.int64", "float", "int"],
)
def test_numpy_scalar_weights_are_numbers(scalar: Any) -> None:
    # np.float64 subclasses float: a NumPy scalar weight is a number, not a NumPy array,
    # and mixes with any library's arrays like a Python float does.
    w = float(scalar)
    torch = pytest.importorskip("torch")
    x = torch.tensor([3.0, 0.5], dtype=torch.float64)
    got = rl.huber_loss(x, torch.zeros(2, dtype=torch.float64), "sum", weight=scalar)
    assert isinstance(got, torch.Tensor)
    assert got.item() == w * (2.5 + 0.125)
    jnp = pytest.importorskip("jax.numpy")
    got = rl.l1_loss_grad(jnp.asarray([3.0, -0.5]), jnp.zeros(2), reduction="sum", weight=scalar)
    np.testing.assert_array_equal(np.asarray(got), [w, -w])


# --- dtypes -------------------------------------------------------------------------------
def test_integer_and_bool_are_promoted_to_the_default_float(backend: Backend) -> None:
    xp = backend.xp
    default = xp.__array_namespace_info__().default_dtypes(device=backend.device)
    x = xp.asarray([3, -1, 0], dtype=xp.int32, device=backend.device)
    y = xp.asarray([True, False, False], device=backend.device)
    got = rl.huber_loss(x, y, reduction="none")
    assert got.dtype == default["real floating"]
    np.testing.assert_array_equal(backend.to_numpy(got), [1.5, 0.5, 0.0])  # 2-0.5, 0.5, 0


@pytest.mark.parametrize(
    ("a", "b", "out"),
    [
        ("int64", "float32", "float32"),
        ("float32", "int8", "float32"),
        ("float32", "float64", "float64"),
        ("float16", "float32", "float32"),
        ("float16", "float16", "float16"),
    ],
)
def test_promotion(a: str, b: str, out: str) -> None:
    got = rl.mse_loss(np.ones(3, dtype=a), np.zeros(3, dtype=b))
    assert got.dtype == np.dtype(out)
    assert rl.mse_loss_grad(np.ones(3, dtype=a), np.zeros(3, dtype=b)).dtype == np.dtype(out)


def test_unsigned_integers_are_promoted_before_subtracting() -> None:
    # uint8 0 - 5 wraps around to 251; promoted first, the residual is -5
    x, y = np.asarray([0, 200], np.uint8), np.asarray([5, 0], np.uint8)
    np.testing.assert_array_equal(rl.l1_loss(x, y, reduction="none"), [5.0, 200.0])
    np.testing.assert_array_equal(rl.mse_loss_grad(x, y, reduction="sum"), [-10.0, 400.0])


def test_half_precision_results_keep_the_input_dtype(backend: Backend, dtype: str) -> None:
    want = backend.dtype(dtype)
    rtol = 2.0**-8 if dtype == "bfloat16" else 2.0**-11  # one rounding to the dtype
    x = backend.asarray([2.0, -0.25, 1.0], dtype)
    y = backend.asarray([0.0, 0.0, 1.0], dtype)
    w = backend.asarray([1.0, 2.0, 3.0], dtype)
    # by hand, per element: huber 1.5 0.03125 0; grad 1 -0.25 0
    for reduction, value in [("none", [1.5, 0.0625, 0.0]), ("sum", 1.5625), ("mean", 1.5625 / 3)]:
        got = rl.huber_loss(x, y, reduction, weight=w)
        assert got.dtype == want
        np.testing.assert_allclose(backend.to_numpy(got), value, rtol=rtol)
    for f in LOSS_FUNCTIONS:
        assert f(x, y, reduction="mean").dtype == want
        assert f(x, y, reduction="none", weight=2.0).dtype == want
    # an integer target does not change a half precision result
    ints = backend.xp.asarray([0, 0, 1], dtype=backend.xp.int32, device=backend.device)
    assert rl.l1_loss(x, ints).dtype == want


test_half_precision_results_keep_the_input_dtype.dtypes = ("float16", "bfloat16")  # type: ignore[attr-defined]


def test_complex_and_shape_errors_on_every_backend(backend: Backend) -> None:
    xp = backend.xp
    x = backend.asarray([1.0, 2.0], "float32")
    z = xp.astype(x, xp.complex64)
    with pytest.raises(TypeError, match="complex"):
        rl.huber_loss(z, z)
    with pytest.raises(TypeError, match="complex"):
        rl.mse_loss_grad(x, x, weight=z)
    with pytest.raises(ValueError, match=r"input \(2,\) and target \(1, 2\)"):
        rl.l1_loss(x, xp.reshape(x, (1, 2)))
    with pytest.raises(ValueError, match="weight of shape"):
        rl.SmoothL1Loss()(x, x, weight=backend.asarray([1.0, 2.0, 3.0], "float32"))


def test_weight_does_not_change_the_result_dtype() -> None:
    got = rl.huber_loss(np.ones(3, np.float32), np.zeros(3, np.float32), weight=np.ones(3))
    assert got.dtype == np.float32


def test_half_precision_is_computed_in_float32() -> None:
    # 2049 is not a float16 number, but the sum of the squares is formed in float32:
    # 1024 elements of r = 2 give a sum of 4096, exact; float16 accumulation would stall.
    x = np.full(3000, 2.0, dtype=np.float16)
    got = rl.mse_loss(x, np.zeros_like(x), reduction="sum")
    assert got.dtype == np.float16
    assert float(got) == 12000.0  # rounds to the float16 neighbour 12000
    mean = rl.mse_loss(x, np.zeros_like(x))
    assert float(mean) == 4.0


# --- legacy flags -------------------------------------------------------------------------
FLAGS = [None, True, False]


def test_legacy_flags_must_be_bool() -> None:
    # smooth_l1_loss(x, y, "none") puts "none" in size_average, as in PyTorch's signature.
    with pytest.raises(TypeError, match="did you mean reduction="):
        rl.smooth_l1_loss(np.zeros(2), np.zeros(2), "none")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="reduce must be a bool or None"):
        rl.MSELoss(None, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("size_average", FLAGS)
@pytest.mark.parametrize("reduce", FLAGS)
def test_legacy_flags_map_like_torch(size_average: bool | None, reduce: bool | None) -> None:
    torch = pytest.importorskip("torch")
    from torch.nn import _reduction

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _reduction.legacy_get_string(size_average, reduce)
    x, y = np.asarray([1.0, -3.0]), np.zeros(2)
    # elementwise by hand: smooth_l1 0.5 2.5, l1 1 3, mse 1 9; gradients r, sign r, 2 r
    losses = {"smooth_l1": [0.5, 2.5], "l1": [1.0, 3.0], "mse": [1.0, 9.0]}
    grads = {"smooth_l1": [1.0, -1.0], "l1": [1.0, -1.0], "mse": [2.0, -6.0]}
    n = {"none": None, "mean": 2.0, "sum": 1.0}[expected]
    for name, f, g, cls in [
        ("smooth_l1", rl.smooth_l1_loss, rl.smooth_l1_loss_grad, rl.SmoothL1Loss),
        ("l1", rl.l1_loss, rl.l1_loss_grad, rl.L1Loss),
        ("mse", rl.mse_loss, rl.mse_loss_grad, rl.MSELoss),
    ]:
        want = losses[name] if n is None else sum(losses[name]) / n
        want_grad = np.asarray(grads[name]) / (n or 1.0)
        if size_average is None and reduce is None:
            assert expected == "mean"
            np.testing.assert_allclose(f(x, y, size_average, reduce, "mean"), want)
            assert cls(size_average, reduce).reduction == "mean"
            continue
        # the flags win over reduction, which is set to something else on purpose
        with pytest.warns(DeprecationWarning, match="size_average and reduce") as record:
            got = f(x, y, size_average, reduce, "weighted_mean")
        assert record[0].filename == __file__  # the warning points at the caller
        np.testing.assert_allclose(got, want)
        with pytest.warns(DeprecationWarning, match="size_average and reduce"):
            np.testing.assert_allclose(g(x, y, size_average, reduce, "weighted_mean"), want_grad)
        with pytest.warns(DeprecationWarning, match="size_average and reduce") as record:
            obj = cls(size_average, reduce, "weighted_mean")
        assert record[0].filename == __file__
        assert obj.reduction == expected
    del torch


# --- nothing mutated, any memory layout ---------------------------------------------------
def test_inputs_are_never_modified(backend: Backend) -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)) for _ in range(3)]
    x, y, w = (backend.asarray(a, "float32") for a in arrays)
    before = [backend.to_numpy(a).copy() for a in (x, y, w)]
    for f in LOSS_FUNCTIONS:
        for reduction in ("none", "mean", "sum", "weighted_mean"):
            f(x, y, reduction=reduction, weight=w)
    for f in ENTRY_POINTS[len(LOSS_FUNCTIONS) :]:
        f(x, y, weight=w)
    after = [backend.to_numpy(a) for a in (x, y, w)]
    for b, a in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_torch_inputs_are_not_written_in_place() -> None:
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(0)
    for dtype in (torch.float32, torch.float64, torch.float16, torch.int32):
        x = (torch.randn(3, 4, generator=gen) * 3).to(dtype)
        y = (torch.randn(3, 4, generator=gen) * 3).to(dtype)
        w = torch.rand(4, generator=gen, dtype=torch.float64)
        arrays = (x, y, w)
        before = [(a.clone(), a._version, a.data_ptr()) for a in arrays]
        for f in ENTRY_POINTS:
            f(x, y, weight=w)
        for f in LOSS_FUNCTIONS:
            f(x, y, reduction="none", weight=w)
            f(x, y, reduction="weighted_mean", weight=w)
        for a, (copy, version, ptr) in zip(arrays, before, strict=True):
            assert a._version == version  # bumped by any in-place operation
            assert a.data_ptr() == ptr
            assert torch.equal(a, copy)


def test_read_only_inputs() -> None:
    x, y, w = np.asarray([1.5, -3.0]), np.zeros(2), np.asarray([2.0, 1.0])
    for a in (x, y, w):
        a.flags.writeable = False
    # both residuals on the linear branch: 2 * (1.5 - 0.5) + (3 - 0.5)
    assert float(rl.huber_loss(x, y, reduction="sum", weight=w)) == 4.5
    assert rl.huber_loss_grad(x, y, reduction="sum", weight=w).tolist() == [2.0, -1.0]


@pytest.mark.parametrize("view", [lambda a: a[::-2], lambda a: a.T, lambda a: a[:, 1::2]])
def test_strided_views_equal_contiguous_copies(view: Callable[[Any], Any]) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 8)), rng.standard_normal((6, 8))
    for f in LOSS_FUNCTIONS:
        got = f(view(x), view(y), reduction="none")
        want = f(np.ascontiguousarray(view(x)), np.ascontiguousarray(view(y)), reduction="none")
        np.testing.assert_array_equal(got, want)
        w = view(x)[0]  # a strided weight row
        got = f(view(x), view(y), reduction="weighted_mean", weight=w)
        want = f(
            np.ascontiguousarray(view(x)),
            np.ascontiguousarray(view(y)),
            reduction="weighted_mean",
            weight=np.ascontiguousarray(w),
        )
        np.testing.assert_allclose(got, want, rtol=1e-14)  # sums may run in another order


@pytest.mark.parametrize(
    "view",
    [
        lambda a: a.T,
        lambda a: a[:, 1::2],
        lambda a: a[::3],
        lambda a: a.unsqueeze(0).expand(2, 6, 8),
    ],
    ids=["transpose", "columns", "rows", "expand"],
)
def test_torch_strided_views_equal_contiguous_copies(view: Callable[[Any], Any]) -> None:
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(6, 8, generator=gen, dtype=torch.float64)
    y = torch.randn(6, 8, generator=gen, dtype=torch.float64)
    for f in LOSS_FUNCTIONS:
        for reduction in ("none", "sum"):
            got = f(view(x), view(y), reduction=reduction)
            want = f(view(x).contiguous(), view(y).contiguous(), reduction=reduction)
            torch.testing.assert_close(got, want, rtol=1e-15, atol=0)


# --- extremes -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_finite_inputs_up_to_the_dtype_max(dtype: str) -> None:
    big = np.finfo(dtype).max
    x = np.asarray([big, -big], dtype=dtype)
    zero = np.zeros(2, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huber = rl.huber_loss(x, zero, reduction="none", delta=0.5)
        smooth = rl.smooth_l1_loss(x, zero, reduction="none", beta=2.0)
        l1 = rl.l1_loss(x, zero, reduction="none")
        mse = rl.mse_loss(x, zero, reduction="none")
        grads = [
            rl.huber_loss_grad(x, zero, reduction="none", delta=0.5),
            rl.smooth_l1_loss_grad(x, zero, reduction="none", beta=2.0),
            rl.l1_loss_grad(x, zero, reduction="none"),
        ]
    # by hand: delta (|r| - delta / 2) = 0.5 (big - 0.25) and |r| - beta / 2 = big - 1
    # round to 0.5 big and big at this size
    for got in (huber, smooth, l1):
        assert np.all(np.isfinite(got))
    np.testing.assert_array_equal(huber, np.asarray([0.5 * big, 0.5 * big], dtype=dtype))
    np.testing.assert_array_equal(smooth, np.asarray([big, big], dtype=dtype))
    np.testing.assert_array_equal(l1, np.asarray([big, big], dtype=dtype))
    np.testing.assert_array_equal(mse, np.asarray([np.inf, np.inf], dtype=dtype))
    np.testing.assert_array_equal(grads[0], np.asarray([0.5, -0.5], dtype=dtype))
    np.testing.assert_array_equal(grads[1], np.asarray([1.0, -1.0], dtype=dtype))
    np.testing.assert_array_equal(grads[2], np.asarray([1.0, -1.0], dtype=dtype))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_finite_inputs_up_to_the_dtype_max_with_default_parameters(dtype: str) -> None:
    big = np.finfo(dtype).max
    x, zero = np.asarray([big, -big, 0.5], dtype=dtype), np.zeros(3, dtype=dtype)
    # the sum of 2 big overflows in float32 and float64; the elementwise values do not
    for f in (rl.huber_loss, rl.smooth_l1_loss):
        np.testing.assert_array_equal(
            f(x, zero, reduction="none"), np.asarray([big, big, 0.125], dtype=dtype)
        )
    np.testing.assert_array_equal(
        rl.huber_loss(x, zero, "none", delta=2.0), np.asarray([np.inf, np.inf, 0.125], dtype)
    )  # 2 (big - 1) overflows: the value itself is beyond the dtype


def test_hyperparameters_beyond_the_float32_range() -> None:
    x, zero = np.asarray([3.0, -0.5, 0.0], np.float32), np.zeros(3, np.float32)
    # delta = 1e300 is inf in float32, but no float32 residual reaches it: 0.5 r^2
    huber = rl.huber_loss(x, zero, "none", delta=1e300)
    np.testing.assert_array_equal(huber, np.asarray([4.5, 0.125, 0.0], np.float32))
    grad = rl.huber_loss_grad(x, zero, "none", delta=1e300)
    np.testing.assert_array_equal(grad, np.asarray([3.0, -0.5, 0.0], np.float32))
    # smooth_l1 with beta = 1e300: 0.5 r^2 / beta and r / beta, 0 to float32 precision
    smooth = rl.smooth_l1_loss(x, zero, reduction="none", beta=1e300)
    np.testing.assert_allclose(smooth, 0.0, atol=1e-37)
    np.testing.assert_allclose(
        rl.smooth_l1_loss_grad(x, zero, reduction="none", beta=1e300), 0.0, atol=1e-37
    )
    # beta = 1e20 and r = 1e20: 0.5 r^2 / beta = 5e19, though r^2 overflows float32
    big = np.asarray([1e20, -4e19], np.float32)
    np.testing.assert_allclose(
        rl.smooth_l1_loss(big, np.zeros(2, np.float32), reduction="none", beta=1e20),
        [5e19, 0.5 * 4e19**2 / 1e20],
        rtol=1e-6,
    )
    # beta = 1e39 is beyond float32 too, yet 0.5 r^2 / beta is not: 4.5e37 at r = 3e38
    beyond = rl.smooth_l1_loss(
        np.asarray([3e38, 1.0], np.float32), np.zeros(2, np.float32), reduction="none", beta=1e39
    )
    np.testing.assert_allclose(beyond, [4.5e37, 0.5e-39], rtol=1e-5, atol=1e-44)
    grad = rl.smooth_l1_loss_grad(
        np.asarray([3e38, -1e30], np.float32), np.zeros(2, np.float32), reduction="none", beta=1e39
    )
    np.testing.assert_allclose(grad, [0.3, -1e-9], rtol=1e-6)  # r / beta
    # beta = 1e-50 is 0 in float32: that is L1 (|r| - beta / 2 to float32 precision)
    tiny = rl.smooth_l1_loss(x, zero, reduction="none", beta=1e-50)
    np.testing.assert_array_equal(tiny, np.abs(x))
    np.testing.assert_array_equal(
        rl.smooth_l1_loss_grad(x, zero, reduction="none", beta=1e-50), np.sign(x)
    )


def test_hyperparameters_beyond_the_float32_range_match_torch() -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    x = torch.tensor([3.0, -0.5, 0.0, 2e20], requires_grad=True)
    theirs = x.detach().clone().requires_grad_(True)
    zero = torch.zeros(4)
    for ours_f, their_f, kw in [
        (rl.huber_loss, F.huber_loss, {"delta": 1e300}),
        (rl.smooth_l1_loss, F.smooth_l1_loss, {"beta": 1e-50}),
        (rl.smooth_l1_loss, F.smooth_l1_loss, {"beta": 1e20}),
    ]:
        x.grad = theirs.grad = None
        got = ours_f(x, zero, reduction="sum", **kw)
        want = their_f(theirs, zero, reduction="sum", **kw)
        torch.testing.assert_close(got, want, rtol=1e-6, atol=0)
        got.backward()
        want.backward()
        torch.testing.assert_close(x.grad, theirs.grad, rtol=1e-6, atol=1e-30)


def test_nan_propagates_without_warning() -> None:
    x = np.asarray([np.nan, 1.0])
    for f in LOSS_FUNCTIONS:
        got = f(x, np.zeros(2), reduction="none")
        assert np.isnan(got[0])
        assert np.isfinite(got[1])
    for f in LOSS_FUNCTIONS[:4]:
        assert np.isnan(f(x, np.zeros(2)))


def test_empty_and_zero_d(backend: Backend) -> None:
    e = backend.asarray(np.zeros((0, 3)), "float32")
    for f in LOSS_FUNCTIONS[:4]:
        assert np.isnan(backend.to_numpy(f(e, e)))
        assert np.isnan(backend.to_numpy(f(e, e, reduction="weighted_mean")))
        assert backend.to_numpy(f(e, e, reduction="sum")) == 0.0
        assert tuple(f(e, e, reduction="none").shape) == (0, 3)
    for g in LOSS_FUNCTIONS[4:]:
        for reduction in ("none", "mean", "sum", "weighted_mean"):
            assert tuple(g(e, e, reduction=reduction).shape) == (0, 3)
    s, t = backend.asarray(3.0, "float32"), backend.asarray(0.5, "float32")
    assert backend.to_numpy(rl.huber_loss(s, t)) == 2.0  # 2.5 - 0.5
    assert backend.to_numpy(rl.mse_loss_grad(s, t)) == 5.0
    assert backend.to_numpy(rl.smooth_l1_loss(s, t, weight=2.0, reduction="weighted_mean")) == 2.0
    assert tuple(rl.l1_loss(s, t, reduction="none").shape) == ()
    assert tuple(rl.huber_loss_grad(s, t, reduction="none").shape) == ()


def test_zero_total_weight_is_a_nan_weighted_mean(backend: Backend) -> None:
    # sum(w l) / sum(w) with sum(w) = 0: the weighted mean of nothing, NaN with no warning
    x = backend.asarray([[1.0, -2.0], [0.5, 3.0]], "float32")
    y = backend.asarray(np.zeros((2, 2)), "float32")
    w = backend.asarray([0.0, 0.0], "float32")
    for f in LOSS_FUNCTIONS[:4]:
        got, g = backend.to_numpy_all(
            f(x, y, reduction="weighted_mean", weight=w),
            f(x, y, reduction="sum", weight=w),
        )
        assert np.isnan(got)
        assert g == 0.0
    for g in LOSS_FUNCTIONS[4:]:
        (got,) = backend.to_numpy_all(g(x, y, reduction="weighted_mean", weight=w))
        assert np.isnan(got).all()


# --- hand-worked values and relations -----------------------------------------------------
def test_seed_page_values() -> None:
    x = np.asarray([[1.5, 2.0, 3.5, 4.0]])
    y = np.asarray([[1.0, 2.5, 3.0, 5.0]])
    assert float(rl.huber_loss(x, y, delta=1.0)) == 0.21875  # (3 * 0.125 + 0.5) / 4
    np.testing.assert_array_equal(rl.huber_loss_grad(x, y), [[0.125, -0.125, 0.125, -0.25]])
    x2, y2 = np.asarray([[2.0, 1, 3, 4]]), np.asarray([[1.0, 2, 2, 5]])
    assert float(rl.HuberLoss(reduction="sum", delta=1.0)(x2, y2)) == 2.0  # 4 * 0.5
    got = rl.smooth_l1_loss(
        np.asarray([1.5, 2.0, 0.5]), np.asarray([1.0, 10.0, 0.4]), None, None, "none"
    )
    np.testing.assert_allclose(got, [0.125, 7.5, 0.005], rtol=1e-12)


def test_keras_documentation_example() -> None:
    # tf.keras.losses.Huber()([0., 1., 1.], [1., 0., 1.]) == 0.333: (0.5 + 0.5 + 0) / 3
    got = rl.huber_loss(np.asarray([1.0, 0.0, 1.0]), np.asarray([0.0, 1.0, 1.0]))
    assert float(got) == pytest.approx(1 / 3, rel=1e-15)


@pytest.mark.parametrize("d", [0.25, 1.0, 3.0])
def test_huber_is_delta_times_smooth_l1(d: float) -> None:
    r = np.linspace(-10, 10, 81)
    np.testing.assert_allclose(
        rl.huber_loss(r, 0 * r, "none", delta=d),
        d * rl.smooth_l1_loss(r, 0 * r, reduction="none", beta=d),
        rtol=1e-15,
    )


def test_smooth_l1_beta_zero_is_exactly_l1() -> None:
    r = np.asarray([-2.0, -1e-300, 0.0, 1e-300, 3.0])
    zero = np.zeros_like(r)
    np.testing.assert_array_equal(rl.smooth_l1_loss(r, zero, reduction="none", beta=0.0), np.abs(r))
    grad = rl.smooth_l1_loss_grad(r, zero, reduction="none", beta=0.0)
    np.testing.assert_array_equal(grad, [-1.0, -1.0, 0.0, 1.0, 1.0])
    w = np.asarray([1.0, 2.0, 0.5, 3.0, 0.25])
    for reduction in ("none", "mean", "sum", "weighted_mean"):
        kw = {"reduction": reduction, "weight": w}
        np.testing.assert_array_equal(
            rl.smooth_l1_loss(r, zero, beta=0.0, **kw), rl.l1_loss(r, zero, **kw)
        )
        g = rl.smooth_l1_loss_grad(r, zero, beta=0.0, **kw)
        assert np.isfinite(g).all()
        np.testing.assert_array_equal(g, rl.l1_loss_grad(r, zero, **kw))


def test_weighted_reductions_by_hand() -> None:
    x, y = np.asarray([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))
    w = np.asarray([1.0, 3.0])  # broadcast over rows
    # squared errors 1 4 9 16; weighted 1 12 9 48: sum 70, N 4, sum of broadcast w 8
    assert float(rl.mse_loss(x, y, reduction="sum", weight=w)) == 70.0
    assert float(rl.mse_loss(x, y, reduction="mean", weight=w)) == 17.5
    assert float(rl.mse_loss(x, y, reduction="weighted_mean", weight=w)) == 8.75
    assert float(rl.mse_loss(x, y, reduction="weighted_mean")) == 7.5
    np.testing.assert_array_equal(
        rl.mse_loss(x, y, reduction="none", weight=w), [[1.0, 12.0], [9.0, 48.0]]
    )
    np.testing.assert_array_equal(
        rl.mse_loss_grad(x, y, reduction="weighted_mean", weight=w), [[0.25, 1.5], [0.75, 3.0]]
    )
    assert float(rl.l1_loss(x, y, reduction="sum", weight=2)) == 20.0
