"""The API pages of the site, written from the registry of losses and the modules' ``__all__``.

One page per family of losses (its functions with their curves, gradients, objects and
IRLS weights), one per public submodule, one for the rest of the package. Each lists its
names in an ``autosummary`` table, which gives every public name a page of its own.
``tests/test_docs.py`` checks that every public name is on one of these pages.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import robustloss
from robustloss._losses import FAMILIES, LOSSES

#: (module, page name, title, what it is) for the submodules with a page of their own
MODULES = (
    (
        "robustloss.regression",
        "regression",
        "Robust regression",
        "Batched IRLS with statsmodels' ``RLM`` numbers, scale estimators and tuning constants.",
    ),
    (
        "robustloss.keras",
        "keras",
        "Keras semantics",
        "Keras 3's losses, argument order, per-sample means and sample weights, on every backend.",
    ),
    (
        "robustloss.torch",
        "torch",
        "PyTorch modules",
        "A ``torch.nn.Module`` per loss: devices, state dicts, learned hyper-parameters, "
        "``torch.compile``.",
    ),
    (
        "robustloss.testing",
        "testing",
        "Testing kit",
        "The backend matrix and the lazy harness, for testing code that embeds robustloss.",
    ),
)


def _table(module: str, names: list[str], template: str | None = None) -> str:
    lines = [f".. currentmodule:: {module}", "", ".. autosummary::", "   :toctree: generated"]
    if template:
        lines.append(f"   :template: {template}")
    lines.append("")
    lines += [f"   {n}" for n in names]
    return "\n".join(lines) + "\n"


def _heading(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n"


def family_page(family: str) -> str:
    """Return the reStructuredText of one family's page."""
    title, what = FAMILIES[family]
    losses = [d for d in LOSSES.values() if d.family == family]
    parts = [
        _heading(title, "="),
        what + "\n",
        _heading("Loss functions", "-"),
        "Each page shows the loss ``rho``, its derivative ``psi`` and the IRLS weight "
        "``psi(r) / r`` against the residual.\n",
        _table("robustloss", [d.function_name for d in losses], "autosummary/loss.rst"),
        _heading("Gradients", "-"),
        "The derivative of what the loss function returns with respect to ``input``.\n",
        _table("robustloss", [f"{d.function_name}_grad" for d in losses]),
        _heading("Loss objects", "-"),
        "Immutable, validated at construction; also statsmodels norms (``rho``, ``psi``, "
        "``psi_deriv``, ``weights``, ``as_norm()``).\n",
        _table("robustloss", [d.object_name for d in losses], "autosummary/class.rst"),
        _heading("IRLS weights", "-"),
        _table("robustloss.weights", [d.name for d in losses]),
    ]
    return "\n".join(parts)


def module_page(module: str, title: str, what: str) -> str:
    """Return the reStructuredText of a submodule's page."""
    mod = importlib.import_module(module)
    classes = [n for n in mod.__all__ if isinstance(getattr(mod, n), type)]
    functions = [n for n in mod.__all__ if n not in classes]
    parts = [
        _heading(f"{title}: ``{module}``", "="),
        f".. automodule:: {module}\n   :no-members:\n",
    ]
    parts.append(what + "\n")
    if functions:
        parts += [_heading("Functions", "-"), _table(module, functions)]
    if classes:
        parts += [_heading("Classes", "-"), _table(module, classes, "autosummary/class.rst")]
    return "\n".join(parts)


#: the names of Barron's distribution as a likelihood (:mod:`robustloss._likelihood`)
LIKELIHOOD = importlib.import_module("robustloss._likelihood").__all__


def likelihood_page() -> str:
    """Return the page of the negative log-likelihoods, log Z, the latents and the sampler."""
    return "\n".join(
        [
            _heading("Learning the shape: likelihoods", "="),
            "Barron's adaptive loss and Student's t as negative log-likelihoods, whose "
            "shape and scale can be learned (see the guide :doc:`../guides/adaptive`), "
            "with the normaliser, the reparametrisations and a sampler.\n",
            _table("robustloss", list(LIKELIHOOD)),
        ]
    )


def other_page() -> str:
    """Return the page of the package's names that belong to no loss."""
    names = [
        n for n in robustloss.__all__ if n not in documented_by_families() and n not in LIKELIHOOD
    ]
    names.remove("__version__")
    classes = [n for n in names if isinstance(getattr(robustloss, n), type)]
    functions = [n for n in names if n not in classes]
    return "\n".join(
        [
            _heading("Package", "="),
            ".. automodule:: robustloss\n   :no-members:\n",
            _heading("Evaluation strategies", "-"),
            _table("robustloss", functions),
            _heading("The base class of the loss objects", "-"),
            _table("robustloss", classes, "autosummary/class.rst"),
        ]
    )


def weights_page() -> str:
    """Return the page of :mod:`robustloss.weights`: every IRLS weight, by family."""
    parts = [
        _heading("IRLS weights: ``robustloss.weights``", "="),
        ".. automodule:: robustloss.weights\n   :no-members:\n",
    ]
    for family, (title, _) in FAMILIES.items():
        names = [d.name for d in LOSSES.values() if d.family == family]
        parts += [
            _heading(title, "-"),
            ".. currentmodule:: robustloss.weights\n",
            ".. autosummary::\n\n" + "\n".join(f"   {n}" for n in names) + "\n",
        ]
    return "\n".join(parts)


def documented_by_families() -> set[str]:
    """Return the names of ``robustloss`` that the family pages list."""
    names = set()
    for d in LOSSES.values():
        names |= {d.function_name, f"{d.function_name}_grad", d.object_name}
    return names


def index_page() -> str:
    """Return the API reference's landing page."""
    toc = [f"   {family}" for family in FAMILIES]
    toc += ["   weights", "   likelihood"]
    toc += [f"   {page}" for _, page, _, _ in MODULES]
    toc += ["   package"]
    rows = []
    for family, (title, _) in FAMILIES.items():
        names = ", ".join(
            f":func:`~robustloss.{d.function_name}`" for d in LOSSES.values() if d.family == family
        )
        rows.append(f"   * - :doc:`{title} <{family}>`\n     - {names}")
    return "\n".join(
        [
            _heading("API reference", "="),
            "Every loss has four faces: a function (``huber_loss``), its gradient "
            "(``huber_loss_grad``), an object (``HuberLoss``) and an IRLS weight "
            "(``robustloss.weights.huber``). They are grouped by family below.\n",
            ".. list-table::\n   :header-rows: 1\n   :widths: 30 70\n",
            "   * - family\n     - losses",
            *rows,
            "",
            ".. toctree::\n   :maxdepth: 1\n   :hidden:\n",
            *toc,
            "",
        ]
    )


def pages() -> dict[str, str]:
    """Return every API page, by file name (relative to ``docs/api``)."""
    out = {"index.rst": index_page(), "package.rst": other_page(), "weights.rst": weights_page()}
    out["likelihood.rst"] = likelihood_page()
    for family in FAMILIES:
        out[f"{family}.rst"] = family_page(family)
    for module, page, title, what in MODULES:
        out[f"{page}.rst"] = module_page(module, title, what)
    return out


def write(directory: Path) -> None:
    """Write the pages into `directory`, leaving files that would not change alone."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        path = directory / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
