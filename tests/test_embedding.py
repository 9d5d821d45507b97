"""robustloss inside another library: the caller's namespace as given, and a vendored copy.

scikit-learn and SciPy ship array-api-compat vendored inside their own package; a library
author passes that namespace as ``xp=``. It names the arrays' library like
array-api-compat itself does, so it is used as it is, and the fast paths still apply.
Each case runs in a fresh interpreter, with the vendored copies made in a temporary
package, so that nothing leaks into the test session's modules. Expected values are
worked by hand (Huber of 0, +-1, +-3 with delta 1: 0, 0.5, 2.5; sum 6, mean 1.2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import array_api_compat
import pytest

import robustloss


def _run(tmp_path: Path, code: str) -> str:
    # the temporary packages first, then where this robustloss lives (an installed or a
    # source checkout alike)
    path = [str(tmp_path), str(Path(robustloss.__file__).parents[1])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _vendor(root: Path, where: str, package: Path) -> None:
    """Copy the package at `package` into the (new) package `where` under `root`."""
    target = root.joinpath(*where.split("."))
    target.mkdir(parents=True)
    for folder in [target, *target.parents][: where.count(".") + 1]:
        (folder / "__init__.py").write_text("")
    shutil.copytree(package, target / package.name)


@pytest.fixture
def vendored(tmp_path: Path) -> Path:
    """A package ``mylib`` with a copy of array-api-compat at ``mylib.vendored``."""
    _vendor(tmp_path, "mylib.vendored", Path(array_api_compat.__file__).parent)
    return tmp_path


#: library -> (its module, array-api-compat's module of it); x = [-3, -1, 0, 1, 3], y = 0
ARRAYS = {
    "numpy": ("numpy", "numpy"),
    "torch": ("torch", "torch"),
    "dask": ("dask.array", "dask.array"),
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_a_vendored_array_api_compat_namespace_is_used_as_given(vendored: Path, name: str) -> None:
    module, compat = ARRAYS[name]
    pytest.importorskip(module)
    out = _run(
        vendored,
        f"""
        import numpy as np
        import {module} as lib
        import mylib.vendored.array_api_compat.{compat} as vxp
        import robustloss as rl

        calls = []
        isdtype = vxp.isdtype
        vxp.isdtype = lambda *a: calls.append(1) or isdtype(*a)  # the namespace used is this one
        x, y = lib.asarray([-3.0, -1.0, 0.0, 1.0, 3.0]), lib.zeros(5)
        got = [
            rl.huber_loss(x, y, xp=vxp, reduction="sum"),
            rl.huber_loss_grad(x, y, xp=vxp, reduction="sum"),
            rl.HuberLoss(reduction="none")(x, y, xp=vxp),
            rl.weights.huber(x, xp=vxp),
        ]
        if "{name}" == "dask":
            import dask
            got = dask.compute(*got, scheduler="synchronous")
        print([np.round(np.asarray(g, dtype=np.float64), 6).tolist() for g in got], bool(calls))
        """,
    )
    assert out == (
        "[6.0, [-1.0, -1.0, 0.0, 1.0, 1.0], [2.5, 0.5, 0.0, 0.5, 2.5], "
        "[0.333333, 1.0, 1.0, 1.0, 0.333333]] True"
    )


def test_a_vendored_namespace_takes_the_fast_paths(vendored: Path) -> None:
    # NumPy's blocked evaluation of a large mean: no warning where a value overflows,
    # the same number as the package's own namespace
    out = _run(
        vendored,
        """
        import warnings
        import numpy as np
        import mylib.vendored.array_api_compat.numpy as vnp
        import robustloss as rl

        warnings.simplefilter("error")
        x = np.full(100_000, 3.0, dtype=np.float32)
        x[0] = 3e38
        print(float(rl.huber_loss(x, 0 * x, xp=vnp)) == float(rl.huber_loss(x, 0 * x)))
        """,
    )
    assert out == "True"


def test_a_namespace_of_another_library_is_refused_with_both_named(vendored: Path) -> None:
    pytest.importorskip("torch")
    out = _run(
        vendored,
        """
        import numpy as np
        import mylib.vendored.array_api_compat.torch as vxp
        import robustloss as rl

        try:
            rl.huber_loss(np.zeros(2), np.zeros(2), xp=vxp)
        except TypeError as e:
            print(e)
        """,
    )
    assert "xp is a namespace of torch (mylib.vendored.array_api_compat.torch)" in out
    assert "the arrays belong to numpy" in out


@pytest.mark.parametrize("module", ["numpy", "array_api_strict", "jax.numpy"])
def test_an_array_api_library_itself_is_used_as_given(module: str) -> None:
    lib = pytest.importorskip(module)
    if not hasattr(lib, "__array_api_version__"):
        pytest.skip(f"{module} {getattr(lib, '__version__', '')} is not an Array API namespace")
    x = lib.asarray([-3.0, -1.0, 0.0, 1.0, 3.0])
    got = robustloss.huber_loss(x, 0 * x, reduction="sum", xp=lib)
    assert float(got) == 6.0
    assert robustloss.weights.huber(x, xp=lib).shape == (5,)


def test_a_vendored_robustloss_works(tmp_path: Path) -> None:
    # a copy of the package inside another one: every face, and the command line's
    # reference file, without importing a top-level robustloss
    _vendor(tmp_path, "otherlib._vendor", Path(robustloss.__file__).parent)
    out = _run(
        tmp_path,
        """
        import sys
        import numpy as np
        from otherlib._vendor import robustloss as rl
        from otherlib._vendor.robustloss._cli import reference

        x = np.asarray([-3.0, -1, 0, 1, 3])
        print(
            float(rl.huber_loss(x, 0 * x, reduction="sum")),
            rl.weights.huber(x).tolist()[1],
            float(rl.HuberLoss()(x, 0 * x)),
            rl.keras.huber(x[None], 0 * x[None]).tolist(),
            len(reference.load_reference()["cases"]) > 0,
            reference.functions("huber")[0] is rl.huber_loss,
            "robustloss" in sys.modules,
        )
        """,
    )
    assert out == "6.0 1.0 1.2 [1.2] True True False"
