"""nbstate built and installed the way a release and its users do, once per test session.

- ``build_sdist()``, ``build_wheel()``: what ``python -m build`` does for a release: the sdist
  of this checkout, then the wheel built *from that sdist* (npm runs in the unpacked sdist's
  js/, never in this checkout's, whose nbstate/static/ stays as it is).
- ``user_venv()``: a fresh virtualenv (no system site-packages) with only the wheel and its
  dependencies, installed by pip from the package index with no Node.js on PATH.

Everything goes under one temporary directory that is removed when the test process exits.
Every command runs in its own process group, which is killed when the command times out.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 300  # seconds: sdist, then npm ci + esbuild + wheel from it
INSTALL_TIMEOUT = 300  # seconds: a virtualenv and the wheel's dependencies (cold pip cache)

T = TypeVar("T")


def once(step: Callable[[], T]) -> Callable[[], T]:
    """Run ``step`` at most once per session; later calls get its result or its failure again
    (a failed build is not retried by every test that needs it)."""
    outcome: list[tuple[T | None, BaseException | None]] = []

    @functools.wraps(step)
    def cached() -> T:
        if not outcome:
            try:
                outcome.append((step(), None))
            except Exception as exc:
                outcome.append((None, exc))
                raise
        value, error = outcome[0]
        if error is not None:
            raise AssertionError(f"{step.__name__}() failed earlier in this session: {error}")
        return value  # type: ignore[return-value]

    return cached


@functools.cache
def workdir() -> Path:
    """This session's scratch directory, removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="nbstate-packaging-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.cache
def without_node_path() -> str:
    """A PATH with nothing on it but an empty directory: no node, no npm."""
    empty = workdir() / "empty-path"
    empty.mkdir(exist_ok=True)
    return str(empty)


def quiet_env(path: str | None = None) -> dict[str, str]:
    """os.environ for pip and build: no version check, nothing inherited that picks packages."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"):
        env.pop(name, None)
    if path is not None:
        env["PATH"] = path
    return env


def run(
    cmd: Sequence[str | Path],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in a new process group; stdout and stderr together in ``.stdout``.

    On a timeout (or an interrupt) the whole group goes, npm and pip children included. (Only
    then: the group is killed while its leader is still ours, so its id cannot have been reused.)
    """
    args = [str(part) for part in cmd]
    proc = subprocess.Popen(
        args,
        cwd=cwd or workdir(),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        raise AssertionError(
            f"`{' '.join(args)}` did not finish within {timeout:.0f}s; output:\n{out[-6000:]}"
        ) from None
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(args, proc.returncode, out, "")


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def check(result: subprocess.CompletedProcess[str]) -> str:
    """``result.stdout``, or an AssertionError with the command and its output's tail."""
    if result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(result.args)}` failed (exit code {result.returncode}); output:\n"
            f"{result.stdout[-6000:]}"
        )
    return result.stdout


@once
def build_sdist() -> Path:
    """``python -m build --sdist`` on this checkout."""
    out = workdir() / "dist"
    build: list[str | Path] = [sys.executable, "-m", "build", "--sdist", "--outdir", out, REPO]
    check(run(build, env=quiet_env(), timeout=BUILD_TIMEOUT))
    [sdist] = out.glob("nbstate-*.tar.gz")
    return sdist


def unpack_sdist(name: str) -> Path:
    """A fresh copy of the sdist's tree under ``workdir()/name``; returns its top directory."""
    target = workdir() / name
    with tarfile.open(build_sdist()) as sd:
        sd.extractall(target, filter="data")
    [root] = list(target.iterdir())
    return root


@once
def build_wheel() -> Path:
    """The wheel built from the sdist, as ``python -m build`` does: npm runs in the sdist's js/."""
    out = workdir() / "dist"
    source = unpack_sdist("sdist-src")
    build: list[str | Path] = [sys.executable, "-m", "build", "--wheel", "--outdir", out, source]
    check(run(build, env=quiet_env(), timeout=BUILD_TIMEOUT))
    [wheel] = out.glob("nbstate-*.whl")
    return wheel


@dataclass(frozen=True)
class Dist:
    """The files one build produced."""

    wheel: Path
    sdist: Path


def build_dist() -> Dist:
    """The sdist, and the wheel built from it."""
    return Dist(build_wheel(), build_sdist())


@dataclass(frozen=True)
class UserVenv:
    """A virtualenv that has nbstate from the wheel and nothing of this checkout."""

    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def path_env(self) -> str:
        """PATH for processes of this venv: its bin directory, and no node or npm."""
        return os.pathsep.join([str(self.bin), without_node_path()])


@once
def user_venv() -> UserVenv:
    """``python -m venv`` (no system site-packages), then ``pip install <the wheel>``.

    pip is this checkout's (``pip --python``), so the venv needs no copy of its own (ensurepip
    costs about 10 s); what it installs comes from the package index, with no node on PATH.
    """
    wheel = build_wheel()
    venv = UserVenv(workdir() / "user-venv")
    check(run([sys.executable, "-m", "venv", "--without-pip", venv.path], timeout=120))
    check(
        run(
            [sys.executable, "-m", "pip", "--python", venv.python, "install", "-q", wheel],
            env=quiet_env(venv.path_env),
            timeout=INSTALL_TIMEOUT,
        )
    )
    return venv
