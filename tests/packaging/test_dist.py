"""nbstate as users install it: what the wheel and the sdist carry, and building without node."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

from .dist import BUILD_TIMEOUT, build_dist, without_node_path

pytestmark = pytest.mark.timeout(900)


def test_the_wheel_carries_the_bundle_types_and_license() -> None:
    """The wheel has view.js, view.css, state.js, py.typed, the mypy plugin and LICENSE."""
    with zipfile.ZipFile(build_dist().wheel) as whl:
        names = set(whl.namelist())
        [meta_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(whl.read(meta_name))
    for needed in (
        "nbstate/static/view.js",
        "nbstate/static/view.css",
        "nbstate/static/state.js",
        "nbstate/static/markdown.js",
        "nbstate/py.typed",
        "nbstate/mypy.py",
        "nbstate/testing.py",
    ):
        assert needed in names, needed
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    classifiers = meta.get_all("Classifier") or []
    assert "Framework :: Jupyter" in classifiers and "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert meta["License-Expression"] == "BSD-3-Clause"
    urls = meta.get_all("Project-URL") or []
    assert any(u.startswith("Source, ") for u in urls)
    assert any(u.startswith("Issues, ") for u in urls)
    assert meta["Requires-Python"] == "<3.15,>=3.11"


def test_the_sdist_carries_sources_not_builds() -> None:
    """The sdist has js/ sources, the build hook and LICENSE; no node_modules, no bundle."""
    with tarfile.open(build_dist().sdist) as sd:
        names = {n.split("/", 1)[1] for n in sd.getnames() if "/" in n}
    needed_files = (
        "js/package.json",
        "js/package-lock.json",
        "js/src/view.ts",
        "hatch_build.py",
        "LICENSE",
        "pyproject.toml",
        "nbstate/__init__.py",
    )
    for needed in needed_files:
        assert needed in names, needed
    assert not [n for n in names if n.startswith(("js/node_modules/", "nbstate/static/"))]


def test_building_from_the_sdist_without_node_says_what_to_do() -> None:
    """No npm on PATH: the build stops with a message naming Node.js and the wheel."""
    unpacked = Path(tempfile.mkdtemp(prefix="nbstate-sdist-"))
    with tarfile.open(build_dist().sdist) as sd:
        sd.extractall(unpacked, filter="data")
    [root] = list(unpacked.iterdir())
    env = {**os.environ, "PATH": without_node_path(), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(unpacked / "out"), str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "needs Node.js >= 20 and npm" in output, output[-3000:]
    assert "pip install --only-binary nbstate nbstate" in output
