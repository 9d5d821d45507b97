"""The table of losses (``support.cases``) against the package, the reference file and
the definitions: every loss has every face, every face is a loss of the table, and what
the table says about a loss is what mpmath finds.

A new loss fails here until it has its function, ``_grad`` function, object, weight
function and reference cases, and a row in the table.
"""

from __future__ import annotations

import inspect
import itertools
import math
from typing import Any

import mpmath
import pytest

import robustloss
import robustloss.weights
from support.cases import (
    CASES,
    NAMES,
    Case,
    bound,
    definition_names,
    kinks,
    reference_file,
    registry_names,
    transitions,
)
from support.oracle import mp_psi, mp_rho

#: the public names of robustloss that are not a face of one loss
NOT_LOSSES = {"Loss", "fast_paths", "fast_paths_enabled", "__version__"}
#: Barron's distribution as a likelihood (``_likelihood``): not robust losses of the table
NOT_LOSSES |= {
    "AdaptiveLoss",
    "StudentsTLoss",
    "adaptive_loss",
    "adaptive_loss_grad",
    "alpha_from_latent",
    "latent_from_alpha",
    "latent_from_scale",
    "log_partition",
    "sample_general",
    "scale_from_latent",
    "students_t_loss",
    "students_t_loss_grad",
}


# --- the package -------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_loss_has_every_face(case: Case) -> None:
    for name in (case.function, case.grad, case.object):
        assert name in robustloss.__all__, name
        assert callable(getattr(robustloss, name, None)), name
    assert issubclass(getattr(robustloss, case.object), robustloss.Loss)
    assert case.weight in robustloss.weights.__all__
    assert callable(getattr(robustloss.weights, case.weight, None)), case.weight


def _faces(case: Case) -> list[Any]:
    """The loss's function, gradient, object class and IRLS weight function."""
    return [
        getattr(robustloss, case.function),
        getattr(robustloss, case.grad),
        getattr(robustloss, case.object),
        getattr(robustloss.weights, case.weight),
    ]


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_face_takes_the_hyperparameters_of_the_table(case: Case) -> None:
    faces = _faces(case)
    for face in faces:
        signature = inspect.signature(face).parameters
        for name, default in case.parameters.items():
            assert name in signature, (face, name)
            want = inspect.Parameter.empty if default is None else default
            assert signature[name].default == want, (face, name)


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_face_has_its_documentation(case: Case) -> None:
    # rendered from the definition's facts: a summary, the parameters and doctested examples
    faces = _faces(case)
    for face in faces:
        doc = inspect.getdoc(face) or ""
        assert "Examples\n--------\n>>> " in doc, face
        for name in case.parameters:
            assert f"\n{name} : " in doc, (face, name)


def test_every_public_name_is_a_face_of_a_loss_or_listed() -> None:
    faces = {name for case in CASES for name in (case.function, case.grad, case.object)}
    assert set(robustloss.__all__) == faces | NOT_LOSSES
    assert set(robustloss.weights.__all__) == {case.weight for case in CASES}


def test_the_package_lists_the_losses_of_the_table() -> None:
    assert registry_names() == list(NAMES)
    assert sorted(definition_names()) == sorted(NAMES)


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_the_definition_says_whether_the_loss_is_symmetric(case: Case) -> None:
    from robustloss._losses import LOSSES

    assert LOSSES[case.name].symmetric == case.symmetric


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_the_family_of_the_definition_agrees_with_its_shape(case: Case) -> None:
    # the documentation groups the losses by family; the table's facts decide which fits
    from robustloss._losses import FAMILIES, LOSSES

    family = LOSSES[case.name].family
    assert family in FAMILIES
    if family == "convex":
        assert case.convex
        assert case.symmetric
    elif family in ("redescending", "rejecting"):
        assert case.redescending
        assert case.symmetric
    elif family == "asymmetric":
        assert not case.symmetric
    elif family == "barron":
        assert case.name == "general"
    else:
        assert case.convex
        assert case.symmetric
        assert not case.redescending


# --- the reference file ------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_the_reference_file_has_cases_for_every_loss(case: Case) -> None:
    mine = [c for c in reference_file()["cases"] if c["loss"] == case.name]
    assert mine, case.name
    found: list[dict[str, Any]] = []
    for c in mine:
        if c["params"] not in found:
            found.append(c["params"])
    assert found == list(case.reference)


def test_the_reference_file_has_no_other_losses() -> None:
    assert {c["loss"] for c in reference_file()["cases"]} == set(NAMES)


# --- the facts of the table, by mpmath -----------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_loss_has_its_textbook_definitions(case: Case) -> None:
    # mpmath's rho and psi, psi the derivative of rho (away from the kinks, at 1 unit)...
    with mpmath.workdps(40):
        for p in case.params:
            u = _unit(case, p)
            for r in (-2.5, 0.3, 0.77, 2.5):
                x = mpmath.mpf(r) * u
                slope = mpmath.diff(lambda t, p=p: case.mp_rho(t, p), x)
                assert mpmath.almosteq(slope, case.mp_psi(x, p), rel_eps=1e-20), (p, r)
                curvature = mpmath.diff(lambda t, p=p: case.mp_psi(t, p), x)
                want = case.mp_psi_deriv(x, p)
                assert mpmath.almosteq(curvature, want, rel_eps=1e-20, abs_eps=1e-30), (p, r)
    # ... and, for a loss PyTorch lacks, the same definition in PyTorch
    assert (case.torch_rho is None) == (case.torch is not None)


def _unit(case: Case, p: dict[str, Any]) -> float:
    """The size residuals are measured in (1 where it is 0: Smooth L1 with beta = 0)."""
    return 1.0 if case.unit is None else p[case.unit] or 1.0


def _rho(case: Case, p: dict[str, Any]) -> Any:
    return lambda r: mp_rho(case.name, mpmath.mpf(r), p)


def _psi(case: Case, p: dict[str, Any]) -> Any:
    return lambda r: mp_psi(case.name, mpmath.mpf(r), p)


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_symmetric(case: Case) -> None:
    # symmetric for every hyper-parameter, or not (the asymmetric losses are at q = 1/2)
    found = set()
    with mpmath.workdps(50):
        for p in case.params:
            rho, u = _rho(case, p), _unit(case, p)
            for r in (0.1, 0.9, 1.0, 1.7, 3.0, 50.0):
                same = rho(r * u) == rho(-r * u)
                found.add(same)
                assert same == (case.symmetric or p.get("q") == 0.5), (p, r)
    assert found == ({True} if case.symmetric else {True, False})


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_bounded_and_its_sup(case: Case) -> None:
    with mpmath.workdps(50):
        for p in case.params:
            rho, u, sup = _rho(case, p), _unit(case, p), bound(case, p)
            far, farther = rho(mpmath.mpf(10) ** 30 * u), rho(mpmath.mpf(10) ** 60 * u)
            if case.bounded:
                assert sup is not None, p
            if sup is None:
                assert farther > far * (1 + mpmath.mpf(1e-3)), p  # still growing
            else:
                assert abs(farther - sup) <= 1e-12 * sup, (p, farther, sup)
                assert all(rho(r * u) <= sup * (1 + 1e-12) for r in (0.5, 1, 2, 10)), p


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_redescending(case: Case) -> None:
    with mpmath.workdps(50):
        for p in case.params:
            psi, u = _psi(case, p), _unit(case, p)
            tail, near = abs(psi(mpmath.mpf(10) ** 30 * u)), abs(psi(u / 2))
            if case.redescending:
                assert tail < 1e-6 * near, p
            elif "alpha" not in p:  # the general loss redescends for alpha < 1 only
                assert tail > 1e-3 * near, p


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_convex_and_the_tail_slope(case: Case) -> None:
    with mpmath.workdps(50):
        for p in case.params:
            psi, u = _psi(case, p), _unit(case, p)
            grid = [u * (k / 8 - 10) for k in range(161)]
            slopes = [psi(b) - psi(a) for a, b in itertools.pairwise(grid)]
            if case.convex:  # psi non-decreasing
                assert min(slopes) >= 0, p
            elif "alpha" not in p:  # the general loss is convex for alpha >= 1 only
                assert min(slopes) < 0, p
            slope = case.tail_slope(p)
            if slope is not None:
                assert all(abs(psi(r)) <= slope for r in grid), p
                big = mpmath.mpf(10) ** 30 * u  # both tails (one is steeper if asymmetric)
                far = max(abs(psi(big)), abs(psi(-big)))
                assert abs(far - slope) <= 1e-12 * slope, p


@pytest.mark.parametrize("case", [c for c in CASES if c.alpha is not None], ids=repr)
def test_the_general_loss_at_alpha(case: Case) -> None:
    with mpmath.workdps(50):
        for p in case.params:
            general = {"alpha": case.alpha, **p}
            for r in (0.1, 1.0, 2.5, 40.0):
                m = mpmath.mpf(r)
                assert mp_rho(case.name, m, p) == mp_rho("general", m, general)
                assert mp_psi(case.name, m, p) == mp_psi("general", m, general)


def _one_sided(f: Any, x: Any, n: int, direction: int) -> Any:
    return mpmath.diff(f, x, n, direction=direction, h=mpmath.mpf(10) ** -15)


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_kinks_and_smooth_transitions(case: Case) -> None:
    """At a kink some derivative of rho (order 1 to 3) jumps; at r = 0 and at any other
    transition (a change of branch or of form) none does."""
    p = next(q for q in case.params if _unit(case, q) > 0)
    with mpmath.workdps(60):
        rho = _rho(case, p)
        at = kinks(case, p)
        for x in sorted({0.0, *at, *transitions(case, p)}):
            x = mpmath.mpf(x)
            jumps = [
                abs(_one_sided(rho, x, n, -1) - _one_sided(rho, x, n, 1)) > 1e-6 for n in (1, 2, 3)
            ]
            kink = any(math.isclose(x, k) for k in at)
            assert any(jumps) == kink, (float(x), jumps)


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_every_symmetric_loss_with_a_constant_has_its_tuning(case: Case) -> None:
    """The facts ``robustloss.regression.tuning_constant`` uses: which parameter it solves
    for, and every point where the loss is not smooth (its quadrature splits there)."""
    from robustloss._losses import LOSSES

    definition = LOSSES[case.name]
    names = [p.name for p in definition.parameters]
    if not definition.symmetric or not names:
        assert definition.tuning is None
        return
    tuning = definition.tuning
    assert tuning is not None, f"{case.name} has no Tuning"
    assert tuning.parameter in names
    assert set(tuning.proportional) <= set(names) - {tuning.parameter}
    for p in case.params:
        where = {0.0, *tuning.kinks(p)}
        for k in kinks(case, p):
            assert any(math.isclose(k, w, abs_tol=1e-12) for w in where), (p, k)
