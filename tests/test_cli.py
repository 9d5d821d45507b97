"""``python -m robustloss``: discovery, the report, the JSON, and that wrong results fail it."""

from __future__ import annotations

import copy
import dataclasses
import importlib.machinery
import importlib.util
import json
import math
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import robustloss
import robustloss._cli as cli
from robustloss._cli import discovery, reference
from robustloss._cli import report as cli_report

#: libraries installed here that the self-check can run on without a GPU
INSTALLED = [
    name
    for name in ("numpy", "array_api_strict", "torch", "jax", "dask")
    if importlib.util.find_spec(name) is not None
]
REFERENCE = reference.load_reference()
#: the losses the reference file checks, in its order
LOSSES = reference.loss_names(REFERENCE)


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = cli.main(list(argv))
    return status, capsys.readouterr().out


def _run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    status, out = _run(capsys, "--json", *argv)
    return status, _strict_json(out)


def _check_rows(out: str) -> list[list[str]]:
    """The rows of the text report's self-check table, split into cells."""
    lines = out.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.startswith("backend  ") and "loss" in line
    )
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def _small_reference() -> dict[str, Any]:
    """The reference file cut to three cases per loss: 0-d, empty, and weighted 3-d."""
    data = copy.deepcopy(REFERENCE)
    kinds: dict[str, Callable[[dict[str, Any]], bool]] = {
        "0-d": lambda c: c["shape"] == [],
        "empty": lambda c: 0 in c["shape"],
        "weighted 3-d": lambda c: len(c["shape"]) == 3 and c["weight"] is not None,
    }
    data["cases"] = [
        next(c for c in data["cases"] if c["loss"] == loss and test(c))
        for loss in LOSSES
        for test in kinds.values()
    ]
    return data


@pytest.fixture
def small_reference(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    data = _small_reference()
    monkeypatch.setattr(reference, "load_reference", lambda: data)
    return data


def _corrupt(
    monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    data = copy.deepcopy(REFERENCE)
    edit(data)
    monkeypatch.setattr(reference, "load_reference", lambda: data)
    return data


def _check_report(report: dict[str, Any], names: list[str]) -> None:
    """Every backend of `names` is there, ok, and checked on each device for every loss."""
    assert report["ok"] is True, report
    assert report["skipped"] is None
    assert report["versions"]["robustloss"] == robustloss.__version__
    assert report["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    listed = {b["name"]: b for b in report["backends"]}
    for name in names:
        assert listed[name]["status"] == "ok", listed[name]
        devices = [d["device"] for d in listed[name]["devices"]]
        assert devices, name
        for device in devices:
            rows = [c for c in report["checks"] if (c["backend"], c["device"]) == (name, device)]
            assert [c["loss"] for c in rows] == list(LOSSES), (name, device)
            for c in rows:
                assert c["ok"] is True, c
                assert c["cases"] > 0, c
                assert c["checks"] > 0, c
                assert c["failures"] == 0, c
                assert set(c["max_rel_error"]) == {"float32", "float64"}, c
                assert c["max_rel_error"]["float32"] <= reference.TOLERANCES["float32"][0]
                assert c["max_rel_error"]["float64"] <= reference.TOLERANCES["float64"][0]


# --- the real thing ----------------------------------------------------------------------------
@pytest.mark.slow
def test_json_report_as_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "robustloss", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = _strict_json(done.stdout)
    assert {b["name"] for b in report["backends"]} == set(discovery.NAMES)
    _check_report(report, INSTALLED)
    assert report["reference"]["cases"] == len(REFERENCE["cases"])
    # every case of a loss, in both dtypes, every reduction, value and gradient
    for row in report["checks"]:
        mine = [c for c in REFERENCE["cases"] if c["loss"] == row["loss"]]
        dtypes = [len({"float32", "float64"} & set(c["dtypes"])) for c in mine]
        assert row["cases"] == sum(n > 0 for n in dtypes)
        assert row["checks"] == sum(
            2 * n * len(c["expected"]) for n, c in zip(dtypes, mine, strict=True)
        )
        # and the rest is accounted for: both dtypes of every case, run or not run
        assert row["checks"] + row["checks_not_run"] == sum(4 * len(c["expected"]) for c in mine)


def _aligned(table: list[str]) -> bool:
    """Whether every row of a table keeps to the columns its rule line draws."""
    rule = table[1]
    gaps = [i for i, c in enumerate(rule) if c == " "]
    starts = [0] + [i + 1 for i in gaps if i + 1 < len(rule) and rule[i + 1] == "-"]
    return all(
        all(i >= len(row) or row[i] == " " for i in gaps)
        and all(i >= len(row) or i == 0 or row[i - 1] == " " for i in starts)
        for row in [table[0], *table[2:]]
    )


def _tables(out: str) -> list[list[str]]:
    """Each table of the text report: header, rule and rows."""
    lines = out.splitlines()
    found = []
    for i, line in enumerate(lines[1:], start=1):
        if line.startswith("---"):
            end = next((j for j in range(i, len(lines)) if not lines[j].strip()), len(lines))
            found.append(lines[i - 1 : end])
    return found


def test_text_report_in_process(
    capsys: pytest.CaptureFixture[str], small_reference: dict[str, Any]
) -> None:
    status, out = _run(capsys)
    assert status == 0, out
    lines = out.splitlines()
    first = lines[0].split()
    assert first[::2] == ["robustloss", "array-api-compat", "python"]
    assert first[1] == robustloss.__version__
    devices, checks = _tables(out)
    assert devices[0].split() == ["backend", "version", "device", "status", "notes"]
    listed = [row.split()[0] for row in devices[2:]]
    assert list(dict.fromkeys(listed)) == list(discovery.NAMES)  # installed or not, in order
    assert all(_aligned(table) for table in (devices, checks))
    rows = _check_rows(out)
    assert set(INSTALLED) <= {r[0] for r in rows}
    for name in INSTALLED:
        for device in {r[1] for r in rows if r[0] == name}:
            assert [r[2] for r in rows if r[:2] == [name, device]] == list(LOSSES)
    for r in rows:
        assert r[5] == "0", r  # failures
        assert int(r[3]) > 0, r  # cases
        assert int(r[4]) > 0, r  # checks
    assert lines[-1].endswith(": all passed"), lines[-1]
    assert "\x1b" not in out  # no colour


def test_json_report_in_process(
    capsys: pytest.CaptureFixture[str], small_reference: dict[str, Any]
) -> None:
    status, report = _run_json(capsys)
    assert status == 0, report
    _check_report(report, INSTALLED)
    assert report["reference"]["cases"] == len(small_reference["cases"])


@pytest.mark.parametrize("name", INSTALLED)
def test_backend_option_restricts_the_report(
    capsys: pytest.CaptureFixture[str], small_reference: dict[str, Any], name: str
) -> None:
    status, out = _run(capsys, "--backend", name)
    assert status == 0, out
    assert {r[0] for r in _check_rows(out)} == {name}
    others = set(discovery.NAMES) - {name}
    assert not any(line.split()[:1] in ([o] for o in others) for line in out.splitlines())
    status, report = _run_json(capsys, "--backend", name)
    assert status == 0
    assert [b["name"] for b in report["backends"]] == [name]
    assert {c["backend"] for c in report["checks"]} == {name}
    _check_report(report, [name])


def test_backend_option_repeats(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = _run_json(capsys, "--backend", "numpy", "--backend", "cupy")
    assert [b["name"] for b in report["backends"]] == ["numpy", "cupy"]
    assert report["backends"][1]["status"] in ("ok", "not installed", "installed, no GPU")
    if report["backends"][1]["status"] != "ok":
        assert {c["backend"] for c in report["checks"]} == {"numpy"}
    assert status == 0, report


def test_nothing_to_check_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discovery, "installed", lambda module: False)
    status, out = _run(capsys, "--backend", "torch")
    assert status == 1
    assert "not installed" in out
    assert "self-check skipped: no device to check" in out


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "--backend" in text
    assert "--json" in text


def test_unknown_backend_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--backend", "tensorflow"])
    assert done.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# --- what the report says about the reference values and the checks that did not run -----------
def test_the_producers_of_the_reference_values_are_labelled(
    capsys: pytest.CaptureFixture[str], small_reference: dict[str, Any]
) -> None:
    peers = [f"{k} {v}" for k, v in REFERENCE["peers"].items()]
    assert peers
    status, out = _run(capsys, "--backend", "numpy")
    assert status == 0, out
    (line,) = [x for x in out.splitlines() if x.startswith("reference values produced by: ")]
    assert line == f"reference values produced by: {', '.join(peers)} (not needed here)"
    (head,) = [x for x in out.splitlines() if x.startswith("self-check against ")]
    assert f" {len(small_reference['cases'])} reference cases shipped with robustloss" in head
    assert not any(p in head for p in peers)  # no unlabelled versions

    status, report = _run_json(capsys, "--backend", "numpy")
    assert report["reference"] == {
        "cases": len(small_reference["cases"]),
        "generator": "tests/reference/generate.py",
        "produced_by": REFERENCE["peers"],
    }


def _float64_only(loss: str) -> list[dict[str, Any]]:
    return [
        c
        for c in REFERENCE["cases"]
        if c["loss"] == loss and "float64" in c["dtypes"] and "float32" not in c["dtypes"]
    ]


def test_checks_not_run_are_counted_and_explained(capsys: pytest.CaptureFixture[str]) -> None:
    # Tukey's edge cases put residuals at c = 4.685 and its multiples, which float32 does
    # not hold: the reference file lists them for float64 only (464 checks, not 480)
    edges = _float64_only("tukey")
    assert [c["id"] for c in edges] == ["tukey-c4.685-edges", "tukey-c4.685-edges-full_weight"]
    x = np.asarray(edges[0]["input"])
    assert not np.array_equal(x.astype(np.float32), x)

    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 0
    for row in report["checks"]:
        mine = [c for c in REFERENCE["cases"] if c["loss"] == row["loss"]]
        assert row["checks"] + row["checks_not_run"] == sum(4 * len(c["expected"]) for c in mine)
        assert row["not_run"] == [
            {
                "case": c["id"],
                "dtype": "float32",
                "checks": 2 * len(c["expected"]),
                "reason": "inputs not exact in float32",
            }
            for c in _float64_only(row["loss"])
        ]
    tukey = next(r for r in report["checks"] if r["loss"] == "tukey")
    assert (tukey["checks"], tukey["checks_not_run"]) == (464, 16)

    status, out = _run(capsys, "--backend", "numpy")
    assert status == 0
    assert next(r for r in _check_rows(out) if r[2] == "tukey")[4:7] == ["464", "0", "16"]
    lines = out.splitlines()
    at = lines.index("not run (not counted in checks):")
    assert lines[at + 1] == (
        "  tukey, float32, on every device: 16 checks of 2 cases "
        "(tukey-c4.685-edges, tukey-c4.685-edges-full_weight): inputs not exact in float32"
    )
    assert "exact in" in lines[at + 2]
    assert lines[-1].endswith(" s (80 not run, see above): all passed"), lines[-1]


def test_a_device_without_float64_is_explained(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    small_reference: dict[str, Any],
) -> None:
    numpy_module, probe = discovery.PROBES["numpy"]

    def float32_only() -> discovery.BackendInfo:
        info = probe()
        (target,) = info.targets
        target = dataclasses.replace(target, dtypes=("float32",))
        return dataclasses.replace(info, targets=(target,))

    monkeypatch.setitem(discovery.PROBES, "numpy", (numpy_module, float32_only))
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 0, report
    for row in report["checks"]:
        assert set(row["max_rel_error"]) == {"float32"}
        assert row["checks_not_run"] == row["checks"] > 0
        assert {n["reason"] for n in row["not_run"]} == {"numpy cpu has no float64"}
    status, out = _run(capsys, "--backend", "numpy")
    assert "  huber, float64, on every device: " in out
    assert " not run, see above): all passed" in out.splitlines()[-1]


# --- failures are found and named ------------------------------------------------------------
def _mse_sum_case(data: dict[str, Any]) -> dict[str, Any]:
    return next(
        c
        for c in data["cases"]
        if c["loss"] == "mse" and c["expected"]["sum"]["value"] not in (0, 0.0)
        if {"float32", "float64"} <= set(c["dtypes"])
    )


def test_a_wrong_reference_value_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(data: dict[str, Any]) -> None:
        _mse_sum_case(data)["expected"]["sum"]["value"] *= 1.001

    case = _mse_sum_case(_corrupt(monkeypatch, edit))
    status, out = _run(capsys, "--backend", "numpy")
    assert status == 1, out
    rows = {r[2]: r for r in _check_rows(out)}
    assert rows["mse"][5] == "2"  # float32 and float64
    line = next(x for x in out.splitlines() if x.split()[:3] == ["numpy", "cpu", "mse"])
    assert f"{case['id']} float32 sum value: got" in line
    assert all(rows[loss][5] == "0" for loss in LOSSES if loss != "mse")
    assert out.splitlines()[-1].endswith("FAILED: numpy cpu mse")

    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    assert report["ok"] is False
    bad = [c for c in report["checks"] if not c["ok"]]
    assert [(c["loss"], c["failures"]) for c in bad] == [("mse", 2)]
    assert 9e-4 < bad[0]["max_rel_error"]["float64"] < 1.1e-3


def test_nan_matches_only_nan(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def empty_mean(data: dict[str, Any]) -> dict[str, Any]:
        return next(c for c in data["cases"] if c["loss"] == "l1" and 0 in c["shape"])

    assert math.isnan(empty_mean(REFERENCE)["expected"]["mean"]["value"])  # passes as is

    def nan_to_zero(data: dict[str, Any]) -> None:
        empty_mean(data)["expected"]["mean"]["value"] = 0.0

    _corrupt(monkeypatch, nan_to_zero)
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    assert [c["loss"] for c in report["checks"] if not c["ok"]] == ["l1"]

    def number_to_nan(data: dict[str, Any]) -> None:
        _mse_sum_case(data)["expected"]["sum"]["value"] = math.nan

    _corrupt(monkeypatch, number_to_nan)
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    bad = [c for c in report["checks"] if not c["ok"]]
    assert [c["loss"] for c in bad] == ["mse"]
    assert bad[0]["max_rel_error"]["float32"] is None  # infinite error, written as null


def _replace(
    monkeypatch: pytest.MonkeyPatch, loss: str, value: Callable[..., Any], grad: Callable[..., Any]
) -> None:
    """Make the public ``robustloss.LOSS_loss`` and its gradient, which the check calls, these."""
    monkeypatch.setattr(robustloss, f"{loss}_loss", value)
    monkeypatch.setattr(robustloss, f"{loss}_loss_grad", grad)


def _sabotage(monkeypatch: pytest.MonkeyPatch, loss: str, how: Callable[[Any], Any]) -> None:
    """Make `loss` and its gradient pass their results through `how`."""
    f, grad = reference.functions(loss)

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *args, **kwargs: how(fn(*args, **kwargs))

    _replace(monkeypatch, loss, wrap(f), wrap(grad))


def _warns(x: Any) -> Any:
    import warnings

    warnings.warn("sabotaged", RuntimeWarning, stacklevel=1)
    return x


@pytest.mark.parametrize(
    ("how", "message"),
    [
        (_warns, "warned RuntimeWarning: sabotaged"),
        (lambda x: np.asarray(x, dtype=np.float64), "dtype float64, expected float32"),
        (lambda x: np.reshape(x, (1, -1)), "shape (1, "),
        (lambda x: x * (1 + 1e-4), "got "),
    ],
    ids=["warning", "dtype", "shape", "value"],
)
def test_a_wrong_result_fails(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: Callable[[Any], Any],
    message: str,
) -> None:
    _sabotage(monkeypatch, "huber", how)
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    bad = [c for c in report["checks"] if not c["ok"]]
    assert [c["loss"] for c in bad] == ["huber"]
    assert bad[0]["failures"] > 0
    assert message in bad[0]["first_failure"]


def test_a_raising_loss_fails_and_the_check_goes_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("device lost")

    _replace(monkeypatch, "l1", broken, broken)
    status, out = _run(capsys, "--backend", "numpy")
    assert status == 1
    rows = {r[2]: r for r in _check_rows(out)}
    assert rows["l1"][4] == rows["l1"][5] != "0"  # every check of l1 failed
    assert "RuntimeError: device lost" in " ".join(rows["l1"])
    assert all(rows[loss][5] == "0" for loss in LOSSES if loss != "l1")


def test_a_raising_backend_fails_and_the_others_go_on(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    small_reference: dict[str, Any],
) -> None:
    others = [n for n in INSTALLED if n != "numpy"]
    if not others:
        pytest.skip("needs a second backend")

    def broken() -> discovery.BackendInfo:
        raise ImportError("broken install")

    monkeypatch.setitem(discovery.PROBES, "numpy", ("numpy", broken))
    argv = [a for n in ["numpy", *others] for a in ("--backend", n)]
    status, report = _run_json(capsys, *argv)
    assert status == 1
    assert report["backends"][0]["status"] == "error: ImportError: broken install"
    assert {c["backend"] for c in report["checks"]} == set(others)
    assert all(c["ok"] for c in report["checks"])
    status, out = _run(capsys, *argv)
    assert out.splitlines()[-1].endswith("FAILED: numpy (error: ImportError: broken install)")


def test_without_numpy_the_check_is_skipped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_report, "installed", lambda module: module != "numpy")
    status, out = _run(capsys, "--backend", "numpy")
    assert status == 1
    assert "self-check skipped: NumPy is not installed" in out
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    assert report["checks"] == []
    assert "NumPy is not installed" in report["skipped"]


def test_an_unreadable_reference_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> dict[str, Any]:
        raise FileNotFoundError("reference.json")

    monkeypatch.setattr(reference, "load_reference", missing)
    status, out = _run(capsys, "--backend", "numpy")
    assert status == 1
    assert "cannot read the reference values: FileNotFoundError" in out


def test_a_loss_robustloss_lacks_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(data: dict[str, Any]) -> None:
        case = copy.deepcopy(next(c for c in data["cases"] if c["loss"] == "l1"))
        data["cases"].append({**case, "id": "no_such-1", "loss": "no_such"})

    _corrupt(monkeypatch, edit)
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    (bad,) = [c for c in report["checks"] if not c["ok"]]
    assert bad["loss"] == "no_such"
    assert bad["error"].startswith("no such loss in robustloss:")


# --- which losses, and the package's layout ----------------------------------------------------
def test_functions_are_the_public_loss_and_its_gradient() -> None:
    for name in LOSSES:
        f, grad = reference.functions(name)
        assert f is getattr(robustloss, f"{name}_loss")
        assert grad is getattr(robustloss, f"{name}_loss_grad")


def test_every_public_loss_has_reference_cases() -> None:
    public = {
        n.removesuffix("_loss")
        for n in robustloss.__all__
        if n.endswith("_loss") and f"{n}_grad" in robustloss.__all__
    }
    # the likelihoods (adaptive, Student's t) are not M-estimators of the registry: they are
    # checked against mpmath and SciPy in tests/test_adaptive.py
    likelihoods = {"adaptive", "students_t"}
    assert public == set(LOSSES) | likelihoods


# (how the command line's modules import each other: tests/test_architecture.py)


# --- discovery ----------------------------------------------------------------------------------
def test_discovery_imports_nothing_that_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_run() -> discovery.BackendInfo:
        raise AssertionError("probed a library that is not installed")

    for name in discovery.NAMES:
        module, _ = discovery.PROBES[name]
        monkeypatch.setitem(discovery.PROBES, name, (f"{module}_not_here_xyz", must_not_run))
    found = discovery.discover()
    assert [b.name for b in found] == list(discovery.NAMES)
    assert all(b.status == "not installed" and not b.targets for b in found)


def test_installed_does_not_import() -> None:
    code = (
        "import sys; from robustloss._cli.discovery import NAMES, installed; "
        "print([installed(n) for n in NAMES], [n for n in NAMES if n in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found = [importlib.util.find_spec(n) is not None for n in discovery.NAMES]
    assert done.stdout.strip() == f"{found} []"


def test_torch_lists_each_cuda_device(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: f"Fake GPU {i}")
    (info,) = discovery.discover(("torch",))
    assert [(t.device, t.description) for t in info.targets] == [
        ("cpu", ""),
        ("cuda:0", "Fake GPU 0"),
        ("cuda:1", "Fake GPU 1"),
    ]
    rows = cli_report.backend_rows([info])
    assert [r[2] for r in rows] == ["cpu", "cuda:0 (Fake GPU 0)", "cuda:1 (Fake GPU 1)"]


def _fake_cupy(monkeypatch: pytest.MonkeyPatch, count: Callable[[], int]) -> None:
    cupy = types.ModuleType("cupy")
    cupy.__spec__ = importlib.machinery.ModuleSpec("cupy", None)
    cupy.__version__ = "99.0"  # type: ignore[attr-defined]
    runtime = types.SimpleNamespace(
        getDeviceCount=count, getDeviceProperties=lambda i: {"name": b"Fake GPU"}
    )
    cupy.cuda = types.SimpleNamespace(runtime=runtime)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cupy", cupy)


def test_cupy_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_driver() -> int:
        raise RuntimeError("cudaErrorInsufficientDriver")

    _fake_cupy(monkeypatch, no_driver)
    (info,) = discovery.discover(("cupy",))
    assert (info.version, info.status, info.targets) == ("99.0", "installed, no GPU", ())
    assert not info.failed


def test_cupy_with_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_cupy(monkeypatch, lambda: 1)
    (info,) = discovery.discover(("cupy",))
    assert info.status == "ok"
    assert [(t.device, t.description) for t in info.targets] == [("cuda:0", "Fake GPU")]


def test_jax_x64_is_restored(
    capsys: pytest.CaptureFixture[str], small_reference: dict[str, Any]
) -> None:
    jax = pytest.importorskip("jax")
    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", False)
    try:
        status, report = _run_json(capsys, "--backend", "jax")
        assert jax.config.read("jax_enable_x64") is False
    finally:
        jax.config.update("jax_enable_x64", before)
    assert status == 0, report
    assert "x64 enabled for the check" in report["backends"][0]["notes"]
    _check_report(report, ["jax"])  # float64 was really float64


def test_a_warning_fails_only_the_call_that_raised_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    f, grad = reference.functions("mse")
    _replace(monkeypatch, "mse", f, lambda *a, **k: _warns(grad(*a, **k)))
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    (bad,) = [c for c in report["checks"] if not c["ok"]]
    assert bad["loss"] == "mse"
    assert bad["failures"] == bad["checks"] // 2
    assert " grad: warned RuntimeWarning: sabotaged" in bad["first_failure"]


def test_a_malformed_reference_value_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(data: dict[str, Any]) -> None:
        case = next(c for c in data["cases"] if c["loss"] == "l1" and c["shape"] == [7])
        case["expected"]["none"]["value"] = [1.0, 2.0]

    _corrupt(monkeypatch, edit)
    status, report = _run_json(capsys, "--backend", "numpy")
    assert status == 1
    (bad,) = [c for c in report["checks"] if not c["ok"]]
    assert bad["loss"] == "l1"
    assert "none value: cannot compare: ValueError" in bad["first_failure"]


# --- the licence ---------------------------------------------------------------------------------
def test_the_licence_is_bsd_3_clause() -> None:
    root = Path(__file__).resolve().parents[1]
    text = (root / "LICENSE").read_text("utf-8")
    assert text.startswith("BSD 3-Clause License\n")
    assert "Copyright (c) 2026, robustloss developers" in text
    assert "Neither the name of the copyright holder nor the names of its" in text
    # the wheel's metadata says the same (hatchling ships LICENSE in .dist-info/licenses)
    assert 'license = "BSD-3-Clause"' in (root / "pyproject.toml").read_text("utf-8")
