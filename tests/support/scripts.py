"""Load a script of the repository (an example, the benchmark runner) as a module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["ROOT", "load"]

#: the repository's root
ROOT = Path(__file__).resolve().parents[2]


def load(relative: str, name: str) -> ModuleType:
    """The script at `relative` (to the repository's root) as the module `name`, run once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    spec.loader.exec_module(module)
    return module
