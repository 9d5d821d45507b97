"""The documentation: its code runs, its API pages cover every public name.

The site's build (``python -m sphinx -W -b html docs docs/_build/html``, run by CI) runs
the same code blocks and fails on any warning; these tests run the blocks without Sphinx,
so that ``pytest`` alone finds a guide that stopped working.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if not p.relative_to(DOCS).parts[0].startswith("_"))
#: the pages whose python blocks the build runs (``docs/_ext/rl_build.py``: EXECUTED)
EXECUTED = [p for p in PAGES if p.relative_to(DOCS).parts[0] in ("guides", "reference")]
EXECUTED += [DOCS / "index.md"]


def _blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text("utf-8"), flags=re.S | re.M)


def _missing(code: str) -> str | None:
    for module in sorted(set(re.findall(r"^\s*(?:import|from) (\w+)", code, re.M))):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed"
    if re.search(r"^\s*import cupy", code, re.M):
        import cupy

        try:
            cupy.cuda.runtime.getDeviceCount()
        except Exception:
            return "cupy: no CUDA GPU answers"
    return None


@pytest.mark.parametrize("page", EXECUTED, ids=[str(p.relative_to(DOCS)) for p in EXECUTED])
def test_every_code_block_of_the_page_runs(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(DOCS / "_ext"))
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    namespace: dict[str, object] = {"__name__": "__main__"}
    ran = 0
    np = pytest.importorskip("numpy")
    printing = np.get_printoptions()  # a page may set them; the doctests run after it
    try:
        for number, code in enumerate(_blocks(page)):
            if _missing(code):
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"{page.name}, block {number}", "exec"), namespace)
            ran += 1
    finally:
        np.set_printoptions(**printing)
    if ran == 0 and _blocks(page):
        pytest.skip("every block needs a library that is not installed")


def test_the_api_pages_list_every_public_name() -> None:
    sys.path.insert(0, str(DOCS / "_ext"))
    rl_api = importlib.import_module("rl_api")
    listed = set()
    for text in rl_api.pages().values():
        module = None
        for line in text.splitlines():
            if line.startswith(".. currentmodule:: "):
                module = line.split()[-1]
            elif line.startswith("   ") and re.fullmatch(r"   \w+", line):
                listed.add(f"{module}.{line.strip()}")
    import robustloss

    names = ["weights", "keras", "regression", "testing"]
    names += ["torch"] if importlib.util.find_spec("torch") else []
    for name in names:
        mod = importlib.import_module(f"robustloss.{name}")
        want = {f"robustloss.{name}.{n}" for n in mod.__all__}
        assert want <= listed, sorted(want - listed)
    want = {f"robustloss.{n}" for n in robustloss.__all__ if n != "__version__"}
    assert want <= listed, sorted(want - listed)


def test_every_page_is_in_a_table_of_contents() -> None:
    text = "\n".join(p.read_text("utf-8") for p in PAGES)
    for page in PAGES:
        rel = page.relative_to(DOCS).with_suffix("")
        if str(rel) in ("index",):
            continue
        assert re.search(rf"^{re.escape(rel.name)}$|^{re.escape(str(rel))}$", text, re.M), rel


def test_every_loss_function_page_draws_its_curves() -> None:
    sys.path.insert(0, str(DOCS / "_ext"))
    rl_api = importlib.import_module("rl_api")
    from robustloss._losses import LOSSES

    drawn = set()
    for text in rl_api.pages().values():
        for block in text.split(".. autosummary::")[1:]:
            lines = block.split("\n\n")
            if ":template: autosummary/loss.rst" in lines[0]:
                drawn |= set(lines[1].split())
    assert drawn == {d.function_name for d in LOSSES.values()}
    template = (DOCS / "_templates" / "autosummary" / "loss.rst").read_text("utf-8")
    assert "rl_figures.loss_curves" in template


def test_every_loss_can_be_drawn() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sys.path.insert(0, str(DOCS / "_ext"))
    rl_figures = importlib.import_module("rl_figures")
    from robustloss._losses import LOSSES

    for definition in LOSSES.values():
        fig = rl_figures.loss_curves(definition.function_name)
        lines = [line for ax in fig.axes for line in ax.get_lines() if len(line.get_xdata()) > 2]
        assert len(lines) == 3 * len(rl_figures.settings(definition.name))
        plt.close(fig)
