"""The self-check: every loss of the shipped reference file, on each device found here.

Every case runs in float32 and float64 where both the case and the device have the
dtype: value and gradient, in every reduction the case lists. A result must have the
dtype and shape asked for, stay on its device, raise no warning and meet
:data:`~robustloss._cli.reference.TOLERANCES`, with NaN matching NaN. A check that cannot
run in a dtype (the case lists float64 only because its inputs are not exact in float32,
or the device has no float64) is recorded with the reason, not counted as a check.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .discovery import BackendInfo, Target
from .reference import TOLERANCES, functions, loss_names

__all__ = ["CHECK_DTYPES", "CheckRow", "NotRun", "self_check"]

#: dtypes the self-check runs in, where the backend and the case have them
CHECK_DTYPES = ("float32", "float64")
#: what each reference entry holds: the value of the loss, then its gradient
_WHAT = ("value", "grad")


@dataclass(frozen=True)
class NotRun:
    """Checks of one reference case that did not run in one dtype, and why.

    Attributes
    ----------
    case : str
        Id of the reference case.
    dtype : str
        The dtype they would have run in.
    checks : int
        How many checks that is (every reduction, value and gradient).
    reason : str
        Why, for the report.
    """

    case: str
    dtype: str
    checks: int
    reason: str


@dataclass
class CheckRow:
    """The self-check of one loss on one device of one backend.

    Attributes
    ----------
    backend, device, loss : str
        What was checked.
    cases : int
        Reference cases run (each in every dtype it and the device have).
    checks : int
        Results compared: one per case, dtype, reduction and value or gradient.
    failures : int
        Checks that failed, or could not run because the backend raised.
    max_rel_error : dict of str to float
        Per dtype, the largest ``|got - want| / |want|`` (absolute where ``want`` is 0;
        NaN against NaN and equal infinities count as 0).
    not_run : list of NotRun
        Checks left out in a dtype the case or the device does not have; not in `checks`.
    first_failure : str or None
        Which check failed first, and how.
    error : str or None
        The first exception a call raised, with the case it raised on.
    seconds : float
        Time taken.
    """

    backend: str
    device: str
    loss: str
    cases: int = 0
    checks: int = 0
    failures: int = 0
    max_rel_error: dict[str, float] = field(default_factory=dict)
    not_run: list[NotRun] = field(default_factory=list)
    first_failure: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every check passed and at least one ran."""
        return self.checks > 0 and self.failures == 0 and self.error is None

    @property
    def checks_not_run(self) -> int:
        """How many checks were left out (see `not_run`)."""
        return sum(n.checks for n in self.not_run)

    def fail(self, where: str, why: str) -> None:
        """Record one failed check."""
        self.failures += 1
        if self.first_failure is None:
            self.first_failure = f"{where}: {why}"

    def as_json(self) -> dict[str, Any]:
        """Return the row as JSON-ready data (a non-finite error is written as null)."""
        return {
            "backend": self.backend,
            "device": self.device,
            "loss": self.loss,
            "cases": self.cases,
            "checks": self.checks,
            "failures": self.failures,
            "max_rel_error": {
                d: (e if math.isfinite(e) else None) for d, e in self.max_rel_error.items()
            },
            "checks_not_run": self.checks_not_run,
            "not_run": [
                {"case": n.case, "dtype": n.dtype, "checks": n.checks, "reason": n.reason}
                for n in self.not_run
            ],
            "first_failure": self.first_failure,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "ok": self.ok,
        }


def compare(got: Any, want: Any, shape: tuple[int, ...], dtype: str) -> tuple[str | None, float]:
    """Check a result brought back to NumPy against its reference value.

    Returns
    -------
    problem : str or None
        Why the check failed, or None when it passed.
    rel : float
        The largest relative error (absolute where the reference value is 0).
    """
    import numpy as np

    if got.dtype != np.dtype(dtype):
        return f"dtype {got.dtype}, expected {dtype}", math.inf
    if tuple(got.shape) != shape:
        return f"shape {tuple(got.shape)}, expected {shape}", math.inf
    g = np.asarray(got, dtype=np.float64)
    w = np.reshape(np.asarray(want, dtype=np.float64), shape)
    if g.size == 0:
        return None, 0.0
    rtol, atol = TOLERANCES[dtype]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        same = (g == w) | (np.isnan(g) & np.isnan(w))  # equal infinities, NaN and NaN
        diff = np.where(same, 0.0, np.abs(g - w))  # NaN where only one side is NaN
        close = same | (diff <= atol + rtol * np.abs(w))
        # below the dtype's normal range a result is checked absolutely (atol), and a
        # reference value of 1e-40 rounding to 0 in float32 is no relative error
        tiny = np.abs(w) < float(np.finfo(np.dtype(dtype)).tiny)
        rel_each = np.where(same | (tiny & close), 0.0, diff / np.where(w == 0, 1.0, np.abs(w)))
        rel = float(np.max(rel_each))
    if not math.isfinite(rel):
        rel = math.inf
    if bool(np.all(close)):
        return None, rel
    i = int(np.argmin(np.ravel(close)))
    at = "" if g.ndim == 0 else f" at {np.unravel_index(i, g.shape)}"
    gi, wi = float(np.ravel(g)[i]), float(np.ravel(w)[i])
    return f"got {gi!r}, expected {wi!r}{at} (rtol {rtol:g}, atol {atol:g})", rel


def why_not(case: dict[str, Any], dtype: str, target: Target) -> str:
    """Say why `case` does not run in `dtype` on `target`, for the report."""
    import numpy as np

    if dtype not in target.dtypes:
        return f"{target.backend} {target.device} has no {dtype}"
    arrays = [case["input"], case["target"]] + ([] if case["weight"] is None else [case["weight"]])
    exact = all(
        np.array_equal(np.asarray(a, np.float64).astype(dtype).astype(np.float64), a)
        for a in arrays
    )
    # the generator lists a dtype only where the inputs are exact and the values fit
    return f"inputs not exact in {dtype}" if not exact else f"expected values beyond {dtype}"


#: what one result should be: reduction, "value" or "grad", reference value, shape
Expected = tuple[str, str, Any, tuple[int, ...]]
Functions = tuple[Callable[..., Any], Callable[..., Any]]


def _calls(
    target: Target, fns: Functions, case: dict[str, Any], dtype: str
) -> tuple[list[Expected], list[Any], list[str | None], Any]:
    """Run every reduction of `case` on `target` in `dtype`, value and gradient.

    Returns
    -------
    expected : list of tuple
        What each result should be.
    results : list of arrays
        The results, in the backend's own arrays.
    warned : list of str or None
        For each result, the first warning its call raised, if any.
    x : array
        The input, whose device the results must stay on.
    """
    import numpy as np

    shape = tuple(int(n) for n in case["shape"])
    x = target.from_numpy(np.reshape(np.asarray(case["input"], dtype=np.float64), shape), dtype)
    y = target.from_numpy(np.reshape(np.asarray(case["target"], dtype=np.float64), shape), dtype)
    weight = case["weight"]
    w = None if weight is None else target.from_numpy(np.asarray(weight, np.float64), dtype)
    expected: list[Expected] = []
    results: list[Any] = []
    warned: list[str | None] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for reduction, want in case["expected"].items():
            kwargs = {"reduction": reduction, "weight": w, **case["params"]}
            for what, fn in zip(_WHAT, fns, strict=True):
                value_shape = shape if reduction == "none" or what == "grad" else ()
                expected.append((reduction, what, want[what], value_shape))
                before = len(caught)
                results.append(fn(x, y, **kwargs))
                new = caught[before:]
                warned.append(f"{new[0].category.__name__}: {new[0].message}" if new else None)
    return expected, results, warned, x


def _check_case(row: CheckRow, target: Target, fns: Functions, case: dict[str, Any]) -> None:
    """Check one reference case on `target` in each dtype, recording it in `row`."""
    import array_api_compat as aac

    checks = len(case["expected"]) * len(_WHAT)
    dtypes = [d for d in CHECK_DTYPES if d in target.dtypes and d in case["dtypes"]]
    row.cases += bool(dtypes)
    for dtype in CHECK_DTYPES:
        if dtype not in dtypes:
            row.not_run.append(NotRun(case["id"], dtype, checks, why_not(case, dtype, target)))
    for dtype in dtypes:
        where = f"{case['id']} {dtype}"
        try:
            with target.context():
                expected, results, warned, x = _calls(target, fns, case, dtype)
                home = aac.device(x)
                devices = [aac.device(r) for r in results]
                got = target.to_numpy(results)
        except Exception as e:  # report it, go on with the next case and backend
            row.checks += checks
            row.failures += checks
            row.error = row.error or f"{where}: {type(e).__name__}: {e}"
            continue
        for (reduction, what, want, shape), g, dev, said in zip(
            expected, got, devices, warned, strict=True
        ):
            row.checks += 1
            this = f"{where} {reduction} {what}"
            if said is not None:
                row.fail(this, f"warned {said}")
                continue
            if dev != home:
                row.fail(this, f"on device {dev}, not {home}")
                continue
            try:
                problem, rel = compare(g, want, shape, dtype)
            except Exception as e:  # a malformed reference value
                problem, rel = f"cannot compare: {type(e).__name__}: {e}", math.inf
            row.max_rel_error[dtype] = max(row.max_rel_error.get(dtype, 0.0), rel)
            if problem is not None:
                row.fail(this, problem)


def check_loss(target: Target, loss: str, cases: list[dict[str, Any]]) -> CheckRow:
    """Check `loss` on `target` against its reference `cases`; never raises."""
    start = time.perf_counter()
    row = CheckRow(target.backend, target.device, loss)
    try:
        fns = functions(loss)
    except KeyError as e:
        row.error = f"no such loss in robustloss: {e}"
        return row
    for case in cases:
        _check_case(row, target, fns, case)
    row.seconds = time.perf_counter() - start
    return row


def self_check(backends: Sequence[BackendInfo], reference: dict[str, Any]) -> list[CheckRow]:
    """Check every loss of `reference` on every device of `backends`.

    Parameters
    ----------
    backends : sequence of BackendInfo
        From :func:`robustloss._cli.discovery.discover`; those without devices are skipped.
    reference : dict
        The parsed reference file (see :mod:`robustloss._cli.reference`).

    Returns
    -------
    list of CheckRow
        One row per device and loss, in the order of `backends` and of the losses' first
        cases in `reference`.
    """
    names = loss_names(reference)
    by_loss: dict[str, list[dict[str, Any]]] = {loss: [] for loss in names}
    for case in reference["cases"]:
        by_loss[case["loss"]].append(case)
    rows: list[CheckRow] = []
    for info in backends:
        if not info.targets:
            continue
        with info.session():
            for target in info.targets:
                rows.extend(check_loss(target, loss, by_loss[loss]) for loss in names)
    return rows
