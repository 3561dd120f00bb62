"""Packaging: the sdist and wheel build, pass ``twine check``, and carry what they should.

``python -m build --no-isolation`` uses the setuptools of the test
environment, so the test needs no network. The sdist must be complete enough
to run its tests: a few test files are run from the unpacked sdist.
"""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import lutlearn

REPO = Path(__file__).resolve().parents[1]

pytest.importorskip("build", reason="the 'build' package is in the test extra")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and wheel, built from a copy of the checkout (two test workers may build at once)."""
    import shutil

    out = tmp_path_factory.mktemp("dist")
    tree = tmp_path_factory.mktemp("tree") / "lutlearn"
    shutil.copytree(REPO, tree, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "_build", "auto_examples", "generated",
        ".pytest_cache", ".hypothesis", "*.nbi", "*.nbc"))
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(tree)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, f"python -m build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return out


def _one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, f"{pattern}: {found}"
    return found[0]


def test_twine_check_passes(dist):
    files = [str(p) for p in sorted(dist.iterdir())]
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_wheel_contents_and_metadata(dist):
    wheel = _one(dist, f"lutlearn-{lutlearn.__version__}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"lutlearn-{lutlearn.__version__}.dist-info"
        meta = email.parser.Parser().parsestr(zf.read(f"{info}/METADATA").decode())
    sources = {p.relative_to(REPO / "src").as_posix() for p in (REPO / "src" / "lutlearn").rglob("*.py")}
    assert sources <= names, f"modules missing from the wheel: {sorted(sources - names)}"
    assert "lutlearn/py.typed" in names
    assert f"{info}/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "benchmarks/"))]
    assert "lutlearn = lutlearn.cli:main" in zipfile.ZipFile(wheel).read(f"{info}/entry_points.txt").decode()

    assert meta["Version"] == lutlearn.__version__  # the one source of the version
    assert meta["License-Expression"] == "BSD-3-Clause"
    assert meta["Author"] and meta["Keywords"] and meta["Requires-Python"] == ">=3.10"
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert set(meta.get_all("Provides-Extra")) == {"plot", "dask", "torch", "docs", "fpga", "test"}
    requires = meta.get_all("Requires-Dist")
    pins = [r for r in requires if "==" in r.split(";")[0]]
    assert not pins, f"exact pins in the metadata: {pins}"
    assert 'torch>=2.1; extra == "torch"' in requires


def test_version_has_one_source_and_torch_is_pinned_by_the_makefile_only():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    attr = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "lutlearn._version.__version__"
    extras = [req for reqs in project["optional-dependencies"].values() for req in reqs]
    assert not [r for r in project["dependencies"] + extras if "==" in r], "exact pins belong in the Makefile"
    assert "TORCH_PIN ?= torch==2.13.0" in (REPO / "Makefile").read_text()


def test_sdist_carries_the_tests_and_they_run(dist, tmp_path):
    sdist = _one(dist, f"lutlearn-{lutlearn.__version__}.tar.gz")
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp_path, filter="data")
    root = tmp_path / f"lutlearn-{lutlearn.__version__}"
    for name in ("LICENSE", "README.md", "CHANGELOG.md", "CITATION.cff", "CONTRIBUTING.md", "pyproject.toml",
                 "tests/conftest.py", "tests/_datafiles.py", "docs/conf.py"):
        assert (root / name).is_file(), f"{name} missing from the sdist"
    ours = {p.relative_to(REPO).as_posix() for p in (REPO / "tests").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    shipped = {p.relative_to(root).as_posix() for p in (root / "tests").rglob("*") if p.is_file()}
    assert ours <= shipped, f"test files missing from the sdist: {sorted(ours - shipped)}"
    # The unpacked sdist's own tests run against its own sources: files using the
    # conftest and _datafiles helpers, without the tests that compile numba kernels
    # (a new source path would compile them anew: seconds each).
    env = dict(os.environ, PYTHONPATH=str(root / "src"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/test_files.py", "tests/test_pla.py", "tests/test_readers.py",
         "-k", "not honour_the_umask and not end_to_end"],
        cwd=root, capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
