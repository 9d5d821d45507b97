"""The command line: which backends and devices are here, and a self-check on each.

``python -m robustloss`` prints the versions, one row per array library (installed or
not, version, devices) and then checks every loss on every device in float32 and float64
against the shipped reference values (``_data/reference.json``, produced by PyTorch and
mpmath), values and gradients, in every reduction. The exit status is 1 if any check
fails or a backend raises. ``--json`` prints the same report as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ._backends import NAMES, BackendInfo, Target, discover
from ._reference import LOSSES, TOLERANCES, load_reference
from ._version import __version__

__all__ = ["main"]

#: dtypes the self-check runs in (the half-precision ones are for the test suite)
CHECK_DTYPES = ("float32", "float64")


@dataclass
class CheckRow:
    """The self-check of one loss on one device."""

    backend: str
    loss: str
    checks: int = 0
    failures: int = 0
    #: largest relative error seen, per dtype
    max_rel_error: dict[str, float] = field(default_factory=dict)
    first_failure: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.error is None


def _compare(got: Any, want: Any, dtype: str) -> tuple[bool, float]:
    """Whether `got` meets the tolerance of `dtype` against `want`, and its relative error."""
    import numpy as np

    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64).reshape(g.shape) if g.size else np.asarray([])
    g = g.reshape(w.shape)
    rtol, atol = TOLERANCES[dtype]
    with np.errstate(invalid="ignore"):
        same = (g == w) | (np.isnan(g) & np.isnan(w))  # equal infinities and NaN match
        diff = np.where(same, 0.0, np.abs(g - w))
        ok = bool(np.all(same | (diff <= atol + rtol * np.abs(w))))
        scale = np.where(same | (w == 0), 1.0, np.abs(w))
        rel = float(np.max(diff / scale)) if diff.size else 0.0
    return ok, (rel if math.isfinite(rel) else math.inf)


def _check_loss(target: Target, loss: str, cases: list[dict[str, Any]]) -> CheckRow:
    import numpy as np

    row = CheckRow(target.label, loss)
    f, grad = LOSSES[loss]
    try:
        for case in cases:
            shape = tuple(case["shape"])
            for dtype in (d for d in target.dtypes if d in case["dtypes"]):
                x = target.from_numpy(np.reshape(case["input"], shape), dtype)
                y = target.from_numpy(np.reshape(case["target"], shape), dtype)
                w = case["weight"]
                w = None if w is None else target.from_numpy(np.asarray(w), dtype)
                for reduction, want in case["expected"].items():
                    kw = {"reduction": reduction, "weight": w, **case["params"]}
                    for what, fn in (("value", f), ("grad", grad)):
                        ok, rel = _compare(target.to_numpy(fn(x, y, **kw)), want[what], dtype)
                        row.checks += 1
                        row.max_rel_error[dtype] = max(row.max_rel_error.get(dtype, 0.0), rel)
                        if not ok:
                            row.failures += 1
                            row.first_failure = row.first_failure or (
                                f"{case['id']} {dtype} {reduction} {what}"
                            )
    except Exception as e:  # report and go on with the other backends
        row.error = f"{type(e).__name__}: {e}"
    return row


def self_check(backends: list[BackendInfo]) -> list[CheckRow]:
    """Check every loss on every device of `backends` against the reference values."""
    cases = load_reference()["cases"]
    rows = []
    for info in backends:
        for target in info.targets:
            for loss in LOSSES:
                mine = [c for c in cases if c["loss"] == loss]
                rows.append(_check_loss(target, loss, mine))
    return rows


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    import array_api_compat

    return {
        "robustloss": __version__,
        "array_api_compat": array_api_compat.__version__,
        "python": platform.python_version(),
    }


def _report_text(
    versions: dict[str, str], backends: list[BackendInfo], rows: list[CheckRow], seconds: float
) -> str:
    out = [" ".join(f"{k} {v}" for k, v in versions.items()), ""]
    out.append(
        _table(
            ("backend", "version", "status", "devices", "notes"),
            [
                (
                    b.name,
                    b.version or "-",
                    b.status,
                    ", ".join(t.device for t in b.targets) or "-",
                    "; ".join(b.notes),
                )
                for b in backends
            ],
        )
    )
    out.append("")
    out.append(
        _table(
            (
                "self-check",
                "loss",
                "checks",
                "failures",
                *(f"max rel. err. {d}" for d in CHECK_DTYPES),
                "first failure",
            ),
            [
                (
                    r.backend,
                    r.loss,
                    str(r.checks),
                    str(r.failures),
                    *(
                        f"{r.max_rel_error[d]:.1e}" if d in r.max_rel_error else "-"
                        for d in CHECK_DTYPES
                    ),
                    r.error or r.first_failure or "",
                )
                for r in rows
            ],
        )
    )
    failed = sum(not r.ok for r in rows)
    total = sum(r.checks for r in rows)
    verdict = "all passed" if failed == 0 and rows else f"{failed} of {len(rows)} rows failed"
    if not rows:
        verdict = "nothing to check"
    out += ["", f"{total} checks in {seconds:.1f} s against the reference values: {verdict}"]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (``sys.argv[1:]`` by default); return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m robustloss",
        description="List the array backends and devices here, and check every loss on "
        "each against the shipped reference values.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--backend", action="append", choices=NAMES, help="check only this backend (repeatable)"
    )
    args = parser.parse_args(argv)

    versions = _versions()
    names = tuple(args.backend) if args.backend else NAMES
    backends = discover(names)
    start = time.perf_counter()
    numpy_ok = any(b.name == "numpy" for b in discover(("numpy",)) if b.status == "ok")
    rows = self_check(backends) if numpy_ok else []
    seconds = time.perf_counter() - start
    broken = [b for b in backends if b.status.startswith("error")]
    ok = numpy_ok and bool(rows) and all(r.ok for r in rows) and not broken

    if args.json:
        report = {
            **versions,
            "backends": [
                {
                    "name": b.name,
                    "version": b.version,
                    "status": b.status,
                    "devices": [t.device for t in b.targets],
                    "notes": list(b.notes),
                }
                for b in backends
            ],
            "checks": [asdict(r) | {"ok": r.ok} for r in rows],
            "seconds": round(seconds, 3),
            "ok": ok,
        }
        print(json.dumps(report, indent=2))
    else:
        print(_report_text(versions, backends, rows, seconds))
        if not numpy_ok:
            print("NumPy is needed for the self-check and is not installed.", file=sys.stderr)
    return 0 if ok else 1
