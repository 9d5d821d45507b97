"""The benchmark runner runs (tiny sizes) and writes its table; it measures nothing here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from support.scripts import load


def test_the_benchmark_runner_writes_its_table(tmp_path: Path) -> None:
    module = load("benchmarks/run.py", "benchmark_run")
    stem = tmp_path / "results"
    argv = ["--quick", "--sizes", "1000", "--repeats", "3", "--loss", "huber", "tukey"]
    assert module.main([*argv, "--out", str(stem)]) == 0
    text = stem.with_suffix(".md").read_text("utf-8")
    assert "robustloss, NumPy" in text
    assert "naive NumPy composition" in text
    assert "## Per-call overhead" in text
    assert "| huber | float32 | 1,000 | NumPy | forward |" in text
    if importlib.util.find_spec("torch") is not None:
        assert "torch.nn.functional.huber_loss" in text
        assert "| huber | float32 | 1,000 | torch | forward+backward |" in text
    png = tmp_path / "throughput.png"
    if importlib.util.find_spec("matplotlib") is None:  # the plot is optional (bench extra)
        assert not png.exists()
    else:
        assert png.stat().st_size > 0


def test_the_regression_benchmark_writes_its_table(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("statsmodels")
    module = load("benchmarks/regression.py", "benchmark_regression")
    stem = tmp_path / "regression"
    assert module.main(["--batches", "10", "--repeats", "1", "--out", str(stem)]) == 0
    text = stem.with_suffix(".md").read_text("utf-8")
    assert "| 10 | statsmodels RLM, Python loop |" in text
    assert "| 10 | robustloss, NumPy |" in text


def test_the_interleaved_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    module = load("benchmarks/interleaved.py", "benchmark_interleaved")
    assert module.main(["--sizes", "100", "--rounds", "2"]) == 0
    out = capsys.readouterr().out
    assert "| 100 | forward |" in out
    assert "| 100 | forward+backward |" in out


def test_the_compile_benchmark_writes_its_table(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    module = load("benchmarks/compile.py", "benchmark_compile")
    out = tmp_path / "compile.md"
    argv = ["--sizes", "100", "--rounds", "2", "--backend", "aot_eager", "--loss", "Huber"]
    assert module.main([*argv, "--out", str(out)]) == 0
    assert "| Huber | 100 |" in out.read_text("utf-8")


def test_the_array_parameter_benchmark_writes_its_table(tmp_path: Path) -> None:
    module = load("benchmarks/array_params.py", "benchmark_array_params")
    out = tmp_path / "array_params.md"
    argv = ["--sizes", "2000", "--repeats", "2", "--loss", "huber", "--out", str(out)]
    assert module.main(argv) == 0
    text = out.read_text("utf-8")
    assert "| huber | float32 | 2,000 | NumPy forward | number |" in text
    assert "| NumPy forward | array, per element |" in text
    if importlib.util.find_spec("torch") is not None:
        assert "torch.where composition, per column" in text
