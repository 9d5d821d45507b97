"""Sphinx configuration of the robustloss documentation.

Build it with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(``pip install -e ".[docs]"`` first). Pages are MyST markdown; the API pages are written
from the registry of losses at build time (``docs/_ext/rl_api.py``), and every figure,
table of measurements and test count is produced by the build itself
(``docs/_ext/rl_build.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("KERAS_BACKEND", "jax")

import robustloss  # noqa: E402

project = "robustloss"
author = "robustloss developers"
copyright = "2026, robustloss developers"
release = robustloss.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_copybutton",
    "matplotlib.sphinxext.plot_directive",
    "rl_build",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_generated", "**/.ipynb_checkpoints"]
templates_path = ["_templates"]
html_static_path = ["_static"]

myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc sections say the types
autodoc_default_options = {"member-order": "bysource"}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": False}

html_theme = "pydata_sphinx_theme"
html_title = f"robustloss {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "changelog": []}
copybutton_exclude = ".linenos, .gp, .go"
