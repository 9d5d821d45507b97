"""The package's layout: data flows one way, and public submodules behave as users expect.

Read from the source with :mod:`ast` (imports inside functions included, so a lazy
import cannot hide a circle): no module imports a higher layer, no two modules import
each other, and no module imports another module's private names. And as a user sees
it: ``import robustloss`` imports no array framework, yet ``robustloss.weights`` and
``robustloss.keras`` are there as attributes.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "robustloss"

#: the layers, lowest first: a module may import its own layer or lower ones only
LAYERS: tuple[tuple[str, ...], ...] = (
    ("_typing", "_version", "_tensorflow"),  # _tensorflow: a namespace, imports nothing
    ("_losses",),  # the mathematics and the registry
    ("_checks", "_docs"),  # one pass of checks; docstrings rendered from the registry
    ("_reduction",),
    ("_strategies",),
    ("_engine",),
    # the public faces
    ("_functional", "_likelihood", "_objects", "weights", "keras", "torch", "testing"),
    ("regression",),
    ("_cli", "__init__", "__main__"),
)


def _modules() -> dict[str, Path]:
    """Dotted name (relative to the package) -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The package-relative name a relative ``from`` import of `module` refers to."""
    path = MODULES[module]
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if module == "__init__":
        base = []
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str) -> list[tuple[str, list[str]]]:
    """(imported package module, names taken from it) for every import of `module`."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("robustloss"):
                    target = node.module.removeprefix("robustloss").lstrip(".") or "__init__"
                    out.append((target, [a.name for a in node.names]))
                continue
            target = _resolve(module, node) or "__init__"
            names = [a.name for a in node.names]
            prefix = "" if target == "__init__" else target + "."
            submodules = [n for n in names if prefix + n in MODULES]
            if submodules:  # ``from . import _functional``: imports of modules
                out += [(prefix + n, []) for n in submodules]
                names = [n for n in names if n not in submodules]
            if names:
                out.append((target, names))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("robustloss."):
                    out.append((a.name.removeprefix("robustloss."), []))
    return out


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for i, layer in enumerate(LAYERS):
        if top in layer:
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_only(module: str) -> None:
    for target, _ in _imports(module):
        if target.split(".")[0] == module.split(".")[0]:
            continue  # within one package: checked for circles below
        assert _layer(target) <= _layer(module), f"{module} imports {target}, a higher layer"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_of_another_module(module: str) -> None:
    for target, names in _imports(module):
        private = [n for n in names if n.startswith("_") and n != "__version__"]
        assert not private, f"{module} imports private names {private} from {target}"


def test_no_import_circles() -> None:
    graph = {m: {t for t, _ in _imports(m) if t in MODULES and t != m} for m in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                raise AssertionError("import circle: " + " -> ".join([*path, m, t]))
            if t not in state:
                visit(t, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


def test_import_robustloss_imports_no_framework() -> None:
    code = (
        "import sys, robustloss, robustloss.weights, robustloss.testing, robustloss.regression; "
        "print(sorted(m for m in ('torch', 'jax', 'dask', 'cupy', 'keras', 'tensorflow') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["weights", "keras", "testing", "regression"])
def test_public_submodules_are_attributes(name: str) -> None:
    # as the README writes it: ``import robustloss; robustloss.weights.huber(...)``
    code = f"import robustloss; print(robustloss.{name}.__name__, '{name}' in dir(robustloss))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [f"robustloss.{name}", "True"]


def test_unknown_attribute_is_an_attribute_error() -> None:
    import robustloss

    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        robustloss.nonexistent  # noqa: B018
