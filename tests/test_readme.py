"""The README's examples run as written (each where its library is installed)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def _needs(code: str) -> list[str]:
    return sorted({m.split(".")[0] for m in re.findall(r"^import (\w[\w.]*)", code, re.M)})


@pytest.mark.parametrize("code", BLOCKS, ids=[", ".join(_needs(b)) for b in BLOCKS])
def test_readme_example(code: str) -> None:
    for module in _needs(code):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    if "cupy" in _needs(code):
        cupy = pytest.importorskip("cupy")
        try:
            cupy.cuda.runtime.getDeviceCount()
        except Exception:
            pytest.skip("cupy: no CUDA GPU answers")
    exec(compile(code, str(README), "exec"), {})


def test_readme_has_an_example_per_backend() -> None:
    needs = {m for b in BLOCKS for m in _needs(b)}
    assert {"numpy", "torch", "jax", "cupy", "dask"} <= needs


#: the README's performance rows, and the implementation each names in benchmarks/results.md
PERFORMANCE_ROWS = {
    "robustloss on torch": "robustloss, torch",
    "robustloss on NumPy": "robustloss, NumPy",
    "`jax.jit(robustloss)`": "jax.jit(robustloss)",
}


def _markdown_rows(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def test_readme_performance_figures_are_those_of_the_last_benchmark_run() -> None:
    root = README.parent
    section = README.read_text("utf-8").split("## Performance", 1)[1].split("\n## ", 1)[0]
    table = [r for r in _markdown_rows(README) if r[0].split(" / ")[0] in PERFORMANCE_ROWS]
    header = next(r for r in _markdown_rows(README) if r[0].startswith("`huber_loss`, mean"))
    results = _markdown_rows(root / "benchmarks" / "results.md")
    assert len(table) == len(PERFORMANCE_ROWS)
    for row in table:
        name = PERFORMANCE_ROWS[row[0].split(" / ")[0]]
        for size, ratio in zip(header[1:], row[1:], strict=True):
            run = [r for r in results if r[:5] == ["huber", "float32", size, "forward", name]]
            assert [r[6] for r in run] == [ratio], (name, size)
    regression = _markdown_rows(root / "benchmarks" / "regression.md")
    speedup = re.search(r"on 10,000 problems .*?: ([\d.]+x) faster", section, re.S)
    assert speedup is not None
    numpy_row = [r for r in regression if r[:2] == ["10,000", "robustloss, NumPy"]]
    assert [r[4] for r in numpy_row] == [speedup.group(1)]
