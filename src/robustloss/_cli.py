"""The command line: which backends and devices are here, and a self-check on each.

``python -m robustloss`` (or the ``robustloss`` console script) prints the versions of
robustloss, array-api-compat and Python, one row per array library and device (installed
or not, version, status), and then checks every loss on every device in float32 and
float64 against the shipped reference values (``_data/reference.json``, produced by
independent implementations; see :mod:`robustloss._reference`): values and gradients, in
every reduction a case lists. A result must have the dtype and shape asked for, stay on
its device, raise no warning and meet :data:`~robustloss._reference.TOLERANCES`, with
NaN matching NaN.

The exit status is 0 when every check passed, 1 when a check failed, a backend raised,
nothing could be checked, or NumPy (which builds the inputs) is missing. ``--json``
prints the same report as one JSON object; ``--backend NAME`` (repeatable) restricts the
report and the check to those libraries.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _reference
from ._backends import NAMES, BackendInfo, Target, discover, installed
from ._reference import LOSSES, TOLERANCES
from ._version import __version__

__all__ = ["CheckRow", "main", "self_check"]

#: dtypes the self-check runs in, where the backend and the case have them
CHECK_DTYPES = ("float32", "float64")
#: what each reference entry holds, and which function of LOSSES computes it
_WHAT = ("value", "grad")


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
    first_failure: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every check passed and at least one ran."""
        return self.checks > 0 and self.failures == 0 and self.error is None

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
            "first_failure": self.first_failure,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "ok": self.ok,
        }


def _compare(got: Any, want: Any, shape: tuple[int, ...], dtype: str) -> tuple[str | None, float]:
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


#: what one result should be: reduction, "value" or "grad", reference value, shape
Expected = tuple[str, str, Any, tuple[int, ...]]


def _calls(
    target: Target, loss: str, case: dict[str, Any], dtype: str
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

    f, grad = LOSSES[loss]
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
            for what, fn in zip(_WHAT, (f, grad), strict=True):
                value_shape = shape if reduction == "none" or what == "grad" else ()
                expected.append((reduction, what, want[what], value_shape))
                before = len(caught)
                results.append(fn(x, y, **kwargs))
                new = caught[before:]
                warned.append(f"{new[0].category.__name__}: {new[0].message}" if new else None)
    return expected, results, warned, x


def _check_loss(target: Target, loss: str, cases: list[dict[str, Any]]) -> CheckRow:
    """Check `loss` on `target` against its reference `cases`; never raises."""
    import array_api_compat as aac

    start = time.perf_counter()
    row = CheckRow(target.backend, target.device, loss)
    if not cases:
        row.error = "no reference cases for this loss"
    for case in cases:
        dtypes = [d for d in target.dtypes if d in CHECK_DTYPES and d in case["dtypes"]]
        row.cases += bool(dtypes)
        for dtype in dtypes:
            where = f"{case['id']} {dtype}"
            try:
                with target.context():
                    expected, results, warned, x = _calls(target, loss, case, dtype)
                    home = aac.device(x)
                    devices = [aac.device(r) for r in results]
                    got = target.to_numpy(results)
            except Exception as e:  # report it, go on with the next case and backend
                checks = len(case["expected"]) * len(_WHAT)
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
                    problem, rel = _compare(g, want, shape, dtype)
                except Exception as e:  # a malformed reference value
                    problem, rel = f"cannot compare: {type(e).__name__}: {e}", math.inf
                row.max_rel_error[dtype] = max(row.max_rel_error.get(dtype, 0.0), rel)
                if problem is not None:
                    row.fail(this, problem)
    row.seconds = time.perf_counter() - start
    return row


def self_check(backends: Sequence[BackendInfo], reference: dict[str, Any]) -> list[CheckRow]:
    """Check every loss of ``LOSSES`` on every device of `backends`.

    Parameters
    ----------
    backends : sequence of BackendInfo
        From :func:`robustloss._backends.discover`; those without devices are skipped.
    reference : dict
        The parsed reference file (see :mod:`robustloss._reference`).

    Returns
    -------
    list of CheckRow
        One row per device and loss, in the order of `backends` and ``LOSSES``.
    """
    by_loss: dict[str, list[dict[str, Any]]] = {loss: [] for loss in LOSSES}
    for case in reference["cases"]:
        if case["loss"] in by_loss:
            by_loss[case["loss"]].append(case)
    rows: list[CheckRow] = []
    for info in backends:
        if not info.targets:
            continue
        with info.session():
            for target in info.targets:
                rows.extend(_check_loss(target, loss, by_loss[loss]) for loss in LOSSES)
    return rows


# --- the report ----------------------------------------------------------------------------
def _versions() -> dict[str, str]:
    import array_api_compat

    return {
        "robustloss": __version__,
        "array-api-compat": str(array_api_compat.__version__),
        "python": platform.python_version(),
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart, with a rule under the header."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _backend_rows(backends: Sequence[BackendInfo]) -> list[list[str]]:
    rows = []
    for b in backends:
        notes = "; ".join(b.notes)
        devices = [
            f"{t.device} ({t.description})" if t.description else t.device for t in b.targets
        ]
        for device in devices or ["-"]:
            rows.append([b.name, b.version or "-", device, b.status, notes])
    return rows


def _error_text(e: float | None) -> str:
    return "-" if e is None else f"{e:.1e}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _summary(rows: Sequence[CheckRow], backends: Sequence[BackendInfo], seconds: float) -> str:
    total = sum(r.checks for r in rows)
    devices = len({(r.backend, r.device) for r in rows})
    head = (
        f"{total} checks of {_plural(len(LOSSES), 'loss', 'losses')} "
        f"on {_plural(devices, 'device', 'devices')} in {seconds:.1f} s: "
    )
    bad = [f"{r.backend} {r.device} {r.loss}" for r in rows if not r.ok]
    bad += [f"{b.name} ({b.status})" for b in backends if b.failed]
    if bad:
        return head + f"FAILED: {', '.join(bad)}"
    return head + "all passed"


def _text(report: dict[str, Any], backends: Sequence[BackendInfo], rows: list[CheckRow]) -> str:
    out = ["  ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    out += _table(("backend", "version", "device", "status", "notes"), _backend_rows(backends))
    out.append("")
    if report["skipped"]:
        out.append(f"self-check skipped: {report['skipped']}")
        return "\n".join(out)
    reference = report["reference"]
    out.append(
        f"self-check against {reference['cases']} reference cases "
        f"({', '.join(f'{k} {v}' for k, v in reference['peers'].items())}): "
        "values and gradients, every reduction"
    )
    out.append("")
    header = (
        "backend",
        "device",
        "loss",
        "cases",
        "checks",
        "failures",
        *(f"max rel err {d}" for d in CHECK_DTYPES),
        "seconds",
        "first failure",
    )
    cells = [
        [
            r.backend,
            r.device,
            r.loss,
            str(r.cases),
            str(r.checks),
            str(r.failures),
            *(_error_text(r.max_rel_error.get(d)) for d in CHECK_DTYPES),
            f"{r.seconds:.2f}",
            r.error or r.first_failure or "",
        ]
        for r in rows
    ]
    out += _table(header, cells)
    out += ["", _summary(rows, backends, report["seconds"])]
    return "\n".join(out)


def _parser() -> argparse.ArgumentParser:
    argv0 = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    parser = argparse.ArgumentParser(
        prog="python -m robustloss" if argv0 in ("__main__.py", "-m", "") else "robustloss",
        description="List the array libraries and devices here, and check every loss on "
        "each device, in float32 and float64, against the reference values shipped with "
        "robustloss. Exit status 0 when every check passed, 1 otherwise.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument(
        "--backend",
        action="append",
        choices=NAMES,
        metavar="NAME",
        help=f"report and check only this library (repeatable): {', '.join(NAMES)}",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments, ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        The exit status: 0 when every check passed, 1 otherwise.
    """
    args = _parser().parse_args(argv)
    names = tuple(dict.fromkeys(args.backend)) if args.backend else NAMES

    start = time.perf_counter()
    backends = discover(names)
    reference: dict[str, Any] | None = None
    skipped = None
    if not installed("numpy"):
        skipped = "NumPy is not installed (the self-check builds its inputs with it)"
    else:
        try:
            reference = _reference.load_reference()
        except Exception as e:
            skipped = f"cannot read the reference values: {type(e).__name__}: {e}"
    rows: list[CheckRow] = [] if reference is None else self_check(backends, reference)
    if reference is not None and not rows:
        skipped = "no device to check among " + ", ".join(names)
    seconds = time.perf_counter() - start

    ok = skipped is None and all(r.ok for r in rows) and not any(b.failed for b in backends)
    report: dict[str, Any] = {
        "versions": _versions(),
        "backends": [
            {
                "name": b.name,
                "version": b.version,
                "status": b.status,
                "devices": [
                    {"device": t.device, "description": t.description, "dtypes": list(t.dtypes)}
                    for t in b.targets
                ],
                "notes": list(b.notes),
            }
            for b in backends
        ],
        "reference": None
        if reference is None
        else {"cases": len(reference["cases"]), "peers": dict(reference.get("peers", {}))},
        "tolerances": {
            d: {"rtol": TOLERANCES[d][0], "atol": TOLERANCES[d][1]} for d in CHECK_DTYPES
        },
        "skipped": skipped,
        "checks": [r.as_json() for r in rows],
        "seconds": round(seconds, 3),
        "ok": ok,
    }
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False))
    else:
        print(_text(report, backends, rows))
    return 0 if ok else 1
