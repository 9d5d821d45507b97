"""The command line's arguments and its report, as text or as one JSON object.

``python -m robustloss`` (or the ``robustloss`` console script) prints the versions of
robustloss, array-api-compat and Python, one row per array library and device (installed
or not, version, status), and then the self-check of every loss on every device against
the shipped reference values (:mod:`~robustloss._cli.selfcheck`): one row per device and
loss, checks that did not run and why, and a summary line.

The exit status is 0 when every check passed, 1 when a check failed, a backend raised,
nothing could be checked, or NumPy (which builds the inputs) is missing. ``--json``
prints the same report as one JSON object; ``--backend NAME`` (repeatable) restricts the
report and the check to those libraries.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from typing import Any

from .._version import __version__
from . import reference
from .discovery import NAMES, BackendInfo, discover, installed
from .selfcheck import CHECK_DTYPES, CheckRow, self_check

__all__ = ["backend_rows", "main"]


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


def backend_rows(backends: Sequence[BackendInfo]) -> list[list[str]]:
    """Return the cells of the report's first table: one row per library and device."""
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
    losses = len({r.loss for r in rows})
    devices = len({(r.backend, r.device) for r in rows})
    not_run = sum(r.checks_not_run for r in rows)
    head = (
        f"{total} checks of {_plural(losses, 'loss', 'losses')} "
        f"on {_plural(devices, 'device', 'devices')} in {seconds:.1f} s"
        + (f" ({not_run} not run, see above)" if not_run else "")
        + ": "
    )
    bad = [f"{r.backend} {r.device} {r.loss}" for r in rows if not r.ok]
    bad += [f"{b.name} ({b.status})" for b in backends if b.failed]
    if bad:
        return head + f"FAILED: {', '.join(bad)}"
    return head + "all passed"


def _not_run_lines(rows: Sequence[CheckRow]) -> list[str]:
    """One line per loss, dtype and reason for the checks that did not run, with where."""
    devices = list(dict.fromkeys(f"{r.backend} {r.device}" for r in rows))
    # (loss, dtype, reason, case ids, checks) -> the devices it happened on
    groups: dict[tuple[str, str, str, tuple[str, ...], int], list[str]] = {}
    for r in rows:
        by_why: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for n in r.not_run:
            by_why.setdefault((n.dtype, n.reason), []).append((n.case, n.checks))
        for (dtype, reason), runs in by_why.items():
            key = (r.loss, dtype, reason, tuple(c for c, _ in runs), sum(k for _, k in runs))
            groups.setdefault(key, []).append(f"{r.backend} {r.device}")
    lines = []
    for (loss, dtype, reason, cases, checks), where in groups.items():
        on = "on every device" if where == devices else f"on {', '.join(where)}"
        lines.append(
            f"  {loss}, {dtype}, {on}: {_plural(checks, 'check', 'checks')} of "
            f"{_plural(len(cases), 'case', 'cases')} ({', '.join(cases)}): {reason}"
        )
    if lines:
        lines.insert(0, "not run (not counted in checks):")
        lines.append(
            "  (a reference case lists only the dtypes its inputs are exact in and its "
            "expected values fit in; a device runs those it has)"
        )
    return lines


def _text(report: dict[str, Any], backends: Sequence[BackendInfo], rows: list[CheckRow]) -> str:
    out = ["  ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    out += _table(("backend", "version", "device", "status", "notes"), backend_rows(backends))
    out.append("")
    if report["skipped"]:
        out.append(f"self-check skipped: {report['skipped']}")
        return "\n".join(out)
    ref = report["reference"]
    out.append(
        f"self-check against the {ref['cases']} reference cases shipped with robustloss: "
        f"values and gradients, every reduction, in {' and '.join(CHECK_DTYPES)}"
    )
    if ref["produced_by"]:
        producers = ", ".join(f"{k} {v}" for k, v in ref["produced_by"].items())
        out.append(f"reference values produced by: {producers} (not needed here)")
    out.append("")
    header = (
        "backend",
        "device",
        "loss",
        "cases",
        "checks",
        "failures",
        "not run",
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
            str(r.checks_not_run),
            *(_error_text(r.max_rel_error.get(d)) for d in CHECK_DTYPES),
            f"{r.seconds:.2f}",
            r.error or r.first_failure or "",
        ]
        for r in rows
    ]
    out += _table(header, cells)
    notes = _not_run_lines(rows)
    out += ["", *notes, *([""] if notes else [])]
    out.append(_summary(rows, backends, report["seconds"]))
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


def _reference_json(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "cases": len(data["cases"]),
        "generator": data.get("generator"),
        # versions of the independent implementations that computed the values when the
        # file was written; none of them is needed to run the check
        "produced_by": dict(data.get("peers", {})),
    }


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
    data: dict[str, Any] | None = None
    skipped = None
    if not installed("numpy"):
        skipped = "NumPy is not installed (the self-check builds its inputs with it)"
    else:
        try:
            data = reference.load_reference()
        except Exception as e:
            skipped = f"cannot read the reference values: {type(e).__name__}: {e}"
    rows: list[CheckRow] = [] if data is None else self_check(backends, data)
    if data is not None and not rows:
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
        "reference": None if data is None else _reference_json(data),
        "tolerances": {
            d: {"rtol": reference.TOLERANCES[d][0], "atol": reference.TOLERANCES[d][1]}
            for d in CHECK_DTYPES
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
