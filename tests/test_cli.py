"""``python -m robustloss``: the report, the JSON, and that a wrong reference fails it."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from typing import Any

import pytest

import robustloss._cli as cli
from robustloss._reference import LOSSES, load_reference

INSTALLED = [
    name
    for name, module in [
        ("numpy", "numpy"),
        ("array_api_strict", "array_api_strict"),
        ("torch", "torch"),
        ("jax", "jax"),
        ("dask", "dask"),
    ]
    if importlib.util.find_spec(module) is not None
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = cli.main(list(argv))
    return status, capsys.readouterr().out


def test_json_report_as_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "robustloss", "--json", "--backend", "numpy", "--backend", "torch"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["robustloss"] == cli.__version__
    assert {b["name"] for b in report["backends"]} == {"numpy", "torch"}
    checked = {(c["backend"], c["loss"]) for c in report["checks"]}
    assert {loss for _, loss in checked} == set(LOSSES)
    assert all(c["checks"] > 0 and c["failures"] == 0 for c in report["checks"])


def test_text_report_lists_every_installed_backend(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, "--backend", "numpy", "--backend", "cupy")
    assert status == 0, out
    assert "array_api_compat" in out
    assert "numpy" in out
    assert "cupy" in out  # listed even when absent or without a GPU
    assert "all passed" in out
    for loss in LOSSES:
        assert f"numpy       {loss}" in out


def test_every_backend(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(capsys, "--json")
    report = json.loads(out)
    assert status == 0, out
    present = {b["name"] for b in report["backends"] if b["status"] == "ok"}
    assert set(INSTALLED) <= present
    for name in INSTALLED:
        rows = [c for c in report["checks"] if c["backend"].startswith(name)]
        assert {c["loss"] for c in rows} == set(LOSSES), name
        assert all(c["ok"] for c in rows), rows


def test_a_wrong_reference_value_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data: dict[str, Any] = copy.deepcopy(load_reference())
    case = next(c for c in data["cases"] if c["loss"] == "mse" and c["shape"] == [7])
    case["expected"]["sum"]["value"] *= 1.001
    monkeypatch.setattr(cli, "load_reference", lambda: data)
    status, out = _run(capsys, "--backend", "numpy")
    assert status == 1
    line = next(line for line in out.splitlines() if line.startswith("numpy       mse"))
    assert f"{case['id']} float32 sum value" in line
    assert "1 of 4 rows failed" in out


def test_a_raising_backend_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("device lost")

    monkeypatch.setitem(cli.LOSSES, "l1", (broken, broken))
    status, out = _run(capsys, "--backend", "numpy")
    assert status == 1
    assert "RuntimeError: device lost" in out


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    assert "--backend" in capsys.readouterr().out
