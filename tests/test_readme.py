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
