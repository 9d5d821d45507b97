"""Sphinx extension of the robustloss site: generated pages, tables, and executed guides.

At ``builder-inited`` it writes

* the API pages (``docs/api/``, from the registry: :mod:`rl_api`);
* ``docs/_generated/*.md``: the tables the pages include, measured or counted by this
  build (the precision table against mpmath, the number of tests collected per backend
  and dtype) or read from the last benchmark run (``benchmarks/*.md``).

While reading a page under ``guides/`` or ``reference/`` it runs every ``python`` code
block of the page in order, in one namespace per page, and shows what the block printed
below it; a block that raises fails the build. A block that imports a library that is not
installed (or CuPy with no GPU) is not run, and the page says so.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import rl_api
import rl_figures
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

LOG = logging.getLogger(__name__)
DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"
EXECUTED = ("guides/", "reference/", "index")


# --- generated pages and tables ----------------------------------------------------------
def _write(name: str, text: str) -> None:
    GENERATED.mkdir(exist_ok=True)
    path = GENERATED / name
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, "utf-8")


def _markdown_table(header: list[str], rows: list[list[str]], align: str) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def precision_table() -> str:
    """Measure every loss against mpmath (``docs/precision.py``)."""
    precision = rl_figures._precision_module()
    rows = precision.measure(quiet=True)
    return _markdown_table(
        ["loss", "float32", "float64"], [list(r) for r in rows], ("---", "---:", "---:")
    )


#: backends as the test ids name them; a test naming several counts for the last listed
BACKENDS = {
    "numpy": "NumPy",
    "array_api_strict": "array-api-strict",
    "torch": "PyTorch CPU",
    "jax": "JAX (x64)",
    "dask": "Dask",
    "cupy": "CuPy",
    "torch_cuda": "PyTorch CUDA",
}
DTYPES = ("float16", "bfloat16", "float32", "float64")


def collect_tests() -> list[str]:
    """Return the node ids of the test suite, as ``pytest --collect-only`` lists them."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    ids = [line for line in out.stdout.splitlines() if "::" in line]
    if out.returncode != 0 or not ids:
        raise ExtensionError(
            f"pytest --collect-only failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}"
        )
    return ids


def test_count_tables(ids: list[str]) -> tuple[str, str, int]:
    """Tables of the collected tests: per backend and dtype, and per file."""
    cells: Counter[tuple[str, str]] = Counter()
    for node in ids:
        params = re.findall(r"\[(.*)\]$", node)
        if not params:
            continue
        tokens = set(re.split(r"[-,\s]", params[0]))
        if {"torch", "cuda"} <= tokens:
            tokens.add("torch_cuda")
        backend = next((b for b in reversed(BACKENDS) if b in tokens), None)
        dtype = next((d for d in DTYPES if d in tokens), None)
        if backend and dtype:
            cells[backend, dtype] += 1
    rows = []
    for backend, label in BACKENDS.items():
        counts = [cells[backend, d] for d in DTYPES]
        if any(counts):
            rows.append([label, *(f"{c:,}" if c else "—" for c in counts)])
    by_backend = _markdown_table(
        ["backend", *DTYPES], rows, ("---", "---:", "---:", "---:", "---:")
    )
    files = Counter(node.split("::")[0] for node in ids)
    by_file = _markdown_table(
        ["file", "tests"], [[f"`{f}`", f"{n:,}"] for f, n in sorted(files.items())], ("---", "---:")
    )
    return by_backend, by_file, len(ids)


def benchmark_tables() -> dict[str, str]:
    """The forward and forward+backward tables of huber in float32, from the last run."""
    rows = rl_figures.benchmark_rows()
    out = {}
    for kind in ("forward", "forward+backward"):
        picked = [
            r for r in rows if (r["loss"], r["dtype"], r["pass"]) == ("huber", "float32", kind)
        ]
        sizes = list(dict.fromkeys(r["size"] for r in picked))
        names = list(dict.fromkeys(r["implementation"] for r in picked))
        table = []
        for name in names:
            cells = []
            for size in sizes:
                hit = [r for r in picked if r["implementation"] == name and r["size"] == size]
                cells.append(f"{hit[0]['median']} ({hit[0]['ratio']})" if hit else "")
            table.append([name, *cells])
        out[kind] = _markdown_table(
            ["implementation", *sizes], table, ("---", *("---:" for _ in sizes))
        )
    return out


def _write_api(app: Sphinx, config: Any) -> None:
    # before the source files are discovered, so that autosummary sees the pages
    rl_api.write(DOCS / "api")


def _generate(app: Sphinx) -> None:
    if os.environ.get("ROBUSTLOSS_DOCS_DRAFT"):
        # drafting pages: no measurement, and tables that say so (CI never sets this)
        for name in (
            "precision",
            "tests_by_backend",
            "tests_by_file",
            "tests_total",
            "bench_forward",
            "bench_backward",
        ):
            _write(f"{name}.md", "(not measured in a draft build)\n")
        return
    LOG.info("robustloss: measuring the precision table against mpmath")
    _write("precision.md", precision_table())
    LOG.info("robustloss: counting the tests (pytest --collect-only)")
    by_backend, by_file, total = test_count_tables(collect_tests())
    _write("tests_by_backend.md", by_backend)
    _write("tests_by_file.md", by_file)
    _write("tests_total.md", f"{total:,}\n")
    tables = benchmark_tables()
    _write("bench_forward.md", tables["forward"])
    _write("bench_backward.md", tables["forward+backward"])


# --- executed code blocks ------------------------------------------------------------------
def _not_runnable(code: str) -> str | None:
    modules = set(re.findall(r"^\s*(?:import|from) (\w+)", code, re.M))
    for module in sorted(modules):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed where this page was built"
    if "cupy" in modules:
        import cupy

        try:
            cupy.cuda.runtime.getDeviceCount()
        except Exception:
            return "no CUDA GPU answered where this page was built"
    return None


def run_blocks(app: Sphinx, doctree: nodes.document) -> None:
    """Run the page's python blocks in order; show their output; fail on an exception."""
    docname = app.env.docname
    if not docname.startswith(EXECUTED):
        return
    import numpy as np

    printing = np.get_printoptions()  # a page may set them: the next page starts afresh
    try:
        _run_page(docname, doctree)
    finally:
        np.set_printoptions(**printing)


def _run_page(docname: str, doctree: nodes.document) -> None:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for number, block in enumerate(list(doctree.findall(nodes.literal_block))):
        if block.get("language") != "python" or "rl-output" in block["classes"]:
            continue
        code = block.astext()
        reason = _not_runnable(code)
        if reason:
            note = nodes.paragraph(
                text=f"(Not run in this build: {reason}.)", classes=["rl-skipped"]
            )
            block.parent.insert(block.parent.index(block) + 1, note)
            continue
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, f"<{docname}, block {number}>", "exec"), namespace)
        except Exception as exc:
            raise ExtensionError(
                f"{docname}: a code block raised\n{code}\n{traceback.format_exc()}"
            ) from exc
        output = buffer.getvalue().rstrip("\n")
        if output:
            shown = nodes.literal_block(output, output, language="none", classes=["rl-output"])
            block.parent.insert(block.parent.index(block) + 1, shown)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _write_api)
    app.connect("builder-inited", _generate, priority=400)
    app.connect("doctree-read", run_blocks)
    app.add_css_file("robustloss.css")
    return {"parallel_read_safe": False, "parallel_write_safe": True}
