"""Write ``src/robustloss/_losses/_partition_table.py``: log Z(alpha) of Barron's distribution.

``Z(alpha) = integral of exp(-rho(x, alpha)) dx`` over the real line, rho Barron's general
loss at scale 1, is finite for alpha >= 0. robustloss evaluates ``log Z`` by a cubic
Hermite interpolant whose knot values and slopes this script computes with mpmath
(tanh-sinh quadrature, split where the integrand changes shape).

The variables. log Z is smooth on (0, inf) but its derivatives grow like those of
``integral of exp(-alpha log(x)**2) / x**2 dx`` towards alpha = 0 (the Cauchy tail), so
below alpha = 1 the knots are ``alpha = DELTA sinh(k STEP_A)``, crowding towards 0. From
alpha = 1, ``t = alpha / (alpha + C)`` maps [1, inf] onto [1/3, 1] (log Z has a finite
limit as alpha -> inf, smooth in 1 / alpha), and the knots are uniform in
``w = asinh((t - T0) / EPSILON)``, T0 the image of alpha = 2, crowding towards 2: there
log Z is continuous but not smooth. With ``s = alpha - 2`` it behaves as
``log Z(2) + (s / 4) log|s| + kappa s + O(s**2 log(s)**2)``, where
``kappa = (euler_gamma + log 2 - 1) / 4`` (from ``E[x**2 log x**2] = 2 - euler_gamma - log 2``
under the standard normal), so its derivative is -inf at 2. The interpolant is therefore
of ``g = log Z - S``, ``S(alpha) = (s / 8) log(s**2 / (1 + s**2))``, which takes the
``s log|s|`` term out (S is smooth elsewhere and tends to 0 as alpha -> inf); ``g`` is
C1 there, and alpha = 2 is a knot.

Knot slopes are ``dg/dw``, from ``d log Z / d alpha = -E[d rho / d alpha]`` (quadrature
of the closed-form derivative), ``kappa`` at alpha = 2 and, at alpha = inf (t = 1), the
limit of ``-alpha**2 dg/d alpha`` taken at alpha = 1e6 (off by O(1e-6)).

    python tools/partition_table.py           # rewrite the table (a few minutes)
    python tools/partition_table.py --check   # compare the interpolant with fresh mpmath values
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import sys
from pathlib import Path

import mpmath

OUT = Path(__file__).resolve().parents[1] / "src" / "robustloss" / "_losses" / "_partition_table.py"

#: below alpha = 1: knots at alpha = DELTA sinh(k STEP_A), k = 0 .. KA (alpha = 1 at KA)
DELTA, KA = 1e-3, 200
STEP_A = math.asinh(1.0 / DELTA) / KA
#: from alpha = 1: knots uniform in w, 2 at the knot J0 and inf at KB
J0, KB = 160, 342
#: t = alpha / (alpha + C) maps [1, inf] onto [1/3, 1]; T0 is alpha = 2
C, T0 = 2.0, 0.5
#: working precision of the quadratures
DIGITS = 30


def _layout() -> tuple[float, float, float]:
    """EPSILON, W0 and STEP: w = W0 at alpha = 1, 0 at 2 (knot J0), KB STEP at inf."""
    ratio = mpmath.mpf(J0) / (KB - J0)
    left, right = (lambda e: mpmath.asinh((T0 - 1 / 3) / e)), (lambda e: mpmath.asinh((1 - T0) / e))
    eps = mpmath.findroot(lambda le: left(mpmath.exp(le)) - ratio * right(mpmath.exp(le)), -9)
    eps = mpmath.exp(eps)
    step = right(eps) / (KB - J0)
    return float(eps), float(-J0 * step), float(step)


EPSILON, W0, STEP = _layout()


def rho(x: mpmath.mpf, a: mpmath.mpf) -> mpmath.mpf:
    """Barron's rho at scale 1 and its limits at alpha = 0, 2 and inf."""
    if a == 0:
        return mpmath.log1p(x * x / 2)
    if a == 2:
        return x * x / 2
    if mpmath.isinf(a):
        return mpmath.expm1(x * x / 2)
    b = abs(a - 2)
    return b / a * mpmath.expm1(a / 2 * mpmath.log1p(x * x / b))


def rho_alpha(x: mpmath.mpf, a: mpmath.mpf) -> mpmath.mpf:
    """d rho / d alpha, alpha not 2 (its limit at 0 by the series of rho in alpha)."""
    if a == 0:  # rho = b (L / 2 + a L**2 / 8 + ...), b = 2 - a, L = log1p(x**2 / b)
        big_l = mpmath.log1p(x * x / 2)
        return -big_l / 2 + x * x / 4 / (1 + x * x / 2) + big_l**2 / 4
    b = abs(a - 2)
    sign = 1 if a > 2 else -1
    big_l = mpmath.log1p(x * x / b)
    p = mpmath.exp(a * big_l / 2)
    first = 2 * sign / a**2 * (p - 1)
    return first + b / a * p * (big_l / 2 - a * x * x * sign / (2 * b * (b + x * x)))


def _integral(f: object, a: mpmath.mpf) -> mpmath.mpf:
    """2 * integral over x >= 0 of f(x), split where the integrand changes shape."""
    cuts = [mpmath.mpf(0)]
    if not mpmath.isinf(a) and a != 2 and abs(a - 2) < 1:
        root = mpmath.sqrt(abs(a - 2))
        cuts += [root / 4, root, 4 * root]
    cuts += [mpmath.mpf(v) for v in (0.5, 1, 2, 4, 8)]
    if a < 1:
        cuts += [mpmath.mpf(v) for v in (32, 1024)]
    # for alpha >= 2, rho >= x**2 / 2: beyond 12 the integrand is below 1e-31 (and
    # tanh-sinh's far nodes would take ages in exp(-exp(x**2 / 2)))
    cuts.append(mpmath.mpf(12) if a >= 2 else mpmath.inf)
    cuts = sorted(set(cuts))
    return 2 * mpmath.quad(f, cuts)


def log_z(a: mpmath.mpf) -> mpmath.mpf:
    """log Z(alpha) by quadrature."""
    return mpmath.log(_integral(lambda x: mpmath.exp(-rho(x, a)), a))


def log_z_alpha(a: mpmath.mpf) -> mpmath.mpf:
    """d log Z / d alpha = -E[d rho / d alpha] by quadrature (alpha not 2)."""
    z = _integral(lambda x: mpmath.exp(-rho(x, a)), a)
    m = _integral(lambda x: rho_alpha(x, a) * mpmath.exp(-rho(x, a)), a)
    return -m / z


def singular(a: mpmath.mpf) -> mpmath.mpf:
    """S(alpha) = (s / 8) log(s**2 / (1 + s**2)), s = alpha - 2 (0 at 2 and at inf)."""
    if mpmath.isinf(a):
        return mpmath.mpf(0)
    s = a - 2
    return mpmath.mpf(0) if s == 0 else s / 8 * mpmath.log(s * s / (1 + s * s))


def singular_alpha(a: mpmath.mpf) -> mpmath.mpf:
    """dS / d alpha (alpha not 2)."""
    s = a - 2
    return mpmath.log(s * s / (1 + s * s)) / 8 + 1 / (4 * (1 + s * s))


#: dg / d alpha at alpha = 2 (the module docstring)
KAPPA = (mpmath.euler + mpmath.log(2) - 1) / 4


def position(alpha: float) -> float:
    """Where alpha falls in the table: k + u in interval k, as robustloss computes it."""
    if alpha <= 1.0:
        return min(math.asinh(alpha / DELTA) / STEP_A, float(KA))
    t = 1.0 if math.isinf(alpha) else alpha / (alpha + C)
    return KA + 1 + (math.asinh((t - T0) / EPSILON) - W0) / STEP


def knot(k: int) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """alpha, g and dg / d(position) at the entry k of the table (KA and KA + 1: alpha = 1)."""
    if k <= KA:
        v = mpmath.mpf(k) * STEP_A
        a = mpmath.mpf(1) if k == KA else mpmath.mpf(DELTA) * mpmath.sinh(v)
        da_dpos = mpmath.mpf(DELTA) * mpmath.cosh(v) * STEP_A
        slope = log_z_alpha(a) - singular_alpha(a)
        return a, log_z(a) - singular(a), slope * da_dpos
    j = k - KA - 1
    w = mpmath.mpf(W0) + j * mpmath.mpf(STEP)
    dt_dpos = mpmath.mpf(EPSILON) * mpmath.cosh(w) * STEP
    if j == KB:  # alpha = inf: dg/dpos = dg/du du/dt dt/dpos, u = 1 / alpha
        big = mpmath.mpf(10) ** 6
        with mpmath.workdps(DIGITS + 10):
            dg_du = -(big**2) * (log_z_alpha(big) - singular_alpha(big))
        return mpmath.inf, log_z(mpmath.inf), dg_du * (-1 / mpmath.mpf(C)) * dt_dpos
    if j == 0:
        a = mpmath.mpf(1)
    elif j == J0:
        a = mpmath.mpf(2)
    else:
        t = mpmath.mpf(T0) + mpmath.mpf(EPSILON) * mpmath.sinh(w)
        a = mpmath.mpf(C) * t / (1 - t)
    t = a / (a + C)
    da_dt = mpmath.mpf(C) / (1 - t) ** 2
    slope = KAPPA if j == J0 else log_z_alpha(a) - singular_alpha(a)
    return a, log_z(a) - singular(a), slope * da_dt * dt_dpos


def interpolate(values: list[float], slopes: list[float], alpha: float) -> float:
    """The interpolant as robustloss evaluates it (in Python floats), for --check."""
    pos = position(alpha)
    if alpha <= 1.0:
        k = min(max(math.floor(pos), 0), KA - 1)
    else:
        k = min(max(math.floor(pos), KA + 1), KA + KB)
    u = pos - k
    h00, h10 = (1 + 2 * u) * (1 - u) ** 2, u * (1 - u) ** 2
    h01, h11 = u * u * (3 - 2 * u), u * u * (u - 1)
    g = values[k] * h00 + slopes[k] * h10 + values[k + 1] * h01 + slopes[k + 1] * h11
    s = alpha - 2
    extra = 0.0 if s == 0 or math.isinf(s) else s / 8 * math.log(s * s / (1 + s * s))
    return g + extra


def alpha_at(k: int) -> float:
    """alpha at the middle of interval k (for --check)."""
    if k < KA:
        return DELTA * math.sinh((k + 0.5) * STEP_A)
    j = k - KA - 1
    t = T0 + EPSILON * math.sinh(W0 + (j + 0.5) * STEP)
    return C * t / (1 - t)


def _format(name: str, numbers: list[float]) -> str:
    # one number a line: the layout ruff format gives a tuple with a trailing comma
    return f"{name} = (\n" + "".join(f"    {v!r},\n" for v in numbers) + ")\n"


def write() -> None:
    mpmath.mp.dps = DIGITS
    values, slopes = [], []
    for k in range(KA + KB + 2):
        _, g, dg = knot(k)
        values.append(float(g))
        slopes.append(float(dg))
        if k % 50 == 0:
            print(f"knot {k} of {KA + KB + 1}", file=sys.stderr)
    today = datetime.date.today().isoformat()
    text = f'''"""log Z(alpha) of Barron's distribution: knots of a cubic Hermite interpolant.

Generated by ``python tools/partition_table.py`` on {today} with mpmath {mpmath.__version__}
at {DIGITS} digits (tanh-sinh quadrature of exp(-rho), split where the integrand changes
shape; slopes from the quadrature of d rho / d alpha). Do not edit: rerun the script.
Its docstring explains the variables and the interpolated function. Entries 0 .. KA:
``alpha = DELTA sinh(v)``, v = k STEP_A (alpha = 0 to 1); entries KA + 1 .. KA + 1 + KB:
``t = alpha / (alpha + C)``, ``w = asinh((t - T0) / EPSILON)`` = W0 + j STEP (alpha = 1,
2 at j = J0, inf at j = KB). ``VALUES`` holds ``g = log Z - S`` and ``SLOPES`` its
derivative with respect to the position (k or KA + 1 + j), with
``S(alpha) = (s / 8) log(s**2 / (1 + s**2))``, ``s = alpha - 2``.
"""

DELTA = {DELTA!r}
STEP_A = {STEP_A!r}
KA = {KA}
C = {C!r}
T0 = {T0!r}
EPSILON = {EPSILON!r}
W0 = {W0!r}
STEP = {STEP!r}
J0 = {J0}
KB = {KB}
#: log Z at alpha = 2 (log sqrt(2 pi)), 0 (log(sqrt(2) pi)) and inf
LOG_Z_TWO = {float(log_z(mpmath.mpf(2)))!r}
LOG_Z_ZERO = {float(log_z(mpmath.mpf(0)))!r}
LOG_Z_INF = {float(log_z(mpmath.inf))!r}

{_format("VALUES", values)}
{_format("SLOPES", slopes)}'''
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT}", file=sys.stderr)


def check(n: int) -> float:
    """Largest |interpolant - mpmath| at knot midpoints and at n random alphas."""
    sys.path.insert(0, str(OUT.parents[2]))
    from robustloss._losses import _partition_table as table

    mpmath.mp.dps = DIGITS
    values, slopes = list(table.VALUES), list(table.SLOPES)
    rng = random.Random(20240601)
    alphas = [alpha_at(k) for k in range(KA + KB + 1) if k != KA]
    alphas += [rng.uniform(0, 4) for _ in range(n)] + [10 ** rng.uniform(-6, 6) for _ in range(n)]
    alphas += [2 + d for d in (1e-9, -1e-9, 1e-6, -1e-6, 1e-3, -1e-3)]
    worst, at = 0.0, 0.0
    for a in alphas:
        if math.isinf(a):
            continue
        err = abs(interpolate(values, slopes, a) - float(log_z(mpmath.mpf(a))))
        if err > worst:
            worst, at = err, a
    print(f"{len(alphas)} alphas: max |error| {worst:.3g} at alpha = {at!r}")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with mpmath, write nothing")
    parser.add_argument("-n", type=int, default=200, help="random alphas for --check")
    args = parser.parse_args()
    if args.check:
        sys.exit(0 if check(args.n) < 1e-7 else 1)
    write()


if __name__ == "__main__":
    main()
