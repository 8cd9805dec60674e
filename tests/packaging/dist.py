"""Building nbstate's sdist and wheel once per test session, as a release would."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 600


@dataclass(frozen=True)
class Dist:
    """The files one build produced."""

    wheel: Path
    sdist: Path


def without_node_path() -> str:
    """A PATH with nothing on it but an empty directory: no node, no npm."""
    empty = Path(tempfile.mkdtemp(prefix="nbstate-nonode-"))
    return str(empty)


@functools.cache
def build_dist() -> Dist:
    """``python -m build``: the sdist and the wheel, into a temporary directory."""
    out = Path(tempfile.mkdtemp(prefix="nbstate-dist-"))
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        cwd=REPO,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=BUILD_TIMEOUT,
    )
    [wheel] = out.glob("nbstate-*.whl")
    [sdist] = out.glob("nbstate-*.tar.gz")
    return Dist(wheel, sdist)
