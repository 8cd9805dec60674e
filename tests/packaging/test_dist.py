"""nbstate as users install it: what the wheel and the sdist carry, building from the sdist
without Node.js, and the wheel installed into a clean virtualenv that has no node.

The DESIGN example rendered in JupyterLab from that install is
``tests/browser/test_installed_wheel.py`` (it needs the browser fixtures of tests/browser/).
"""

from __future__ import annotations

import email.message
import email.parser
import json
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ..examples import design_example
from .dist import (
    BUILD_TIMEOUT,
    build_sdist,
    build_wheel,
    check,
    quiet_env,
    run,
    unpack_sdist,
    user_venv,
    without_node_path,
    workdir,
)

pytestmark = pytest.mark.timeout(600)

BUNDLE = ("view.js", "view.css", "loader.js", "hub.js", "markdown.js")
SERVED_LOADER = "share/jupyter/labextensions/nbstate/static/loader.js"
CLASSIFIERS = (
    "Framework :: Jupyter",
    "Framework :: Jupyter :: JupyterLab",
    "Framework :: Jupyter :: JupyterLab :: 4",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Programming Language :: Python :: 3.14",
    "Operating System :: OS Independent",
    "Intended Audience :: Developers",
    "Intended Audience :: Science/Research",
    "Typing :: Typed",
)
URLS = {
    "Homepage": "https://github.com/nbstate/nbstate",
    "Documentation": "https://github.com/nbstate/nbstate#readme",
    "Source": "https://github.com/nbstate/nbstate",
    "Issues": "https://github.com/nbstate/nbstate/issues",
}


def _wheel_metadata(names: set[str], whl: zipfile.ZipFile) -> email.message.Message:
    [meta_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
    return email.parser.BytesParser().parsebytes(whl.read(meta_name))


def test_the_wheel_carries_the_bundle_types_and_license() -> None:
    """The wheel has the built frontend, py.typed, the plugins and LICENSE; nothing of js/."""
    with zipfile.ZipFile(build_wheel()) as whl:
        names = set(whl.namelist())
        meta = _wheel_metadata(names, whl)
        [license_name] = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        license_text = whl.read(license_name).decode()
        typed = whl.read("nbstate/py.typed")
        # Jupyter serves share/jupyter/labextensions/: the view ESM, for pages to import by URL.
        [served] = [n for n in names if n.endswith(".data/data/" + SERVED_LOADER)]
        assert whl.read(served) == whl.read("nbstate/static/loader.js")
    needed = [f"nbstate/static/{name}" for name in BUNDLE]
    needed += ["nbstate/py.typed", "nbstate/mypy.py", "nbstate/testing.py", "nbstate/__init__.py"]
    assert not [n for n in needed if n not in names], sorted(names)
    assert typed == b""
    assert "BSD 3-Clause License" in license_text
    assert "Copyright (c) 2026, the nbstate developers" in license_text
    assert not [n for n in names if n.startswith(("js/", "tests/", "hatch_build"))]
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License-Expression"] == "BSD-3-Clause"


def test_the_wheel_metadata_has_classifiers_urls_and_pythons() -> None:
    """Classifiers, keywords, project URLs, Requires-Python; no license classifier (PEP 639)."""
    with zipfile.ZipFile(build_wheel()) as whl:
        meta = _wheel_metadata(set(whl.namelist()), whl)
    classifiers = meta.get_all("Classifier") or []
    assert not [c for c in CLASSIFIERS if c not in classifiers], classifiers
    # With License-Expression, license classifiers are deprecated and PyPI refuses the upload.
    assert not [c for c in classifiers if c.startswith("License ::")]
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert urls == URLS
    assert "jupyter" in (meta["Keywords"] or "").split(",")
    assert meta["Requires-Python"] == "<3.15,>=3.11"
    assert meta["Name"] == "nbstate"


def test_the_sdist_carries_sources_not_builds() -> None:
    """The sdist has js/ sources, the build hook, LICENSE and README; no node_modules or bundle."""
    with tarfile.open(build_sdist()) as sd:
        names = {n.split("/", 1)[1] for n in sd.getnames() if "/" in n}
        pkg_info = sd.extractfile(next(m for m in sd.getmembers() if m.name.endswith("/PKG-INFO")))
        assert pkg_info is not None
        meta = email.parser.BytesParser().parsebytes(pkg_info.read())
    needed = (
        "js/package.json",
        "js/package-lock.json",
        "js/build.mjs",
        "js/src/index.ts",
        "hatch_build.py",
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "nbstate/__init__.py",
        "nbstate/py.typed",
    )
    assert not [n for n in needed if n not in names], sorted(names)
    assert not [n for n in names if n.startswith(("js/node_modules/", "nbstate/static/", ".venv"))]
    assert meta.get_all("License-File") == ["LICENSE"]


# --------------------------------------------------------------------------- no Node.js

FAKE_NPM = "#!/bin/sh\necho 'the build ran npm although node is unusable' >&2\nexit 99\n"
FAKE_OLD_NODE = "#!/bin/sh\necho v18.19.1\n"


def _tools_dir(name: str, tools: dict[str, str]) -> str:
    """A PATH of one directory with these fake tools (shell scripts) and nothing else."""
    bin_dir = workdir() / f"tools-{name}"
    bin_dir.mkdir(exist_ok=True)
    for tool, script in tools.items():
        (bin_dir / tool).write_text(script)
        (bin_dir / tool).chmod(0o755)
    return str(bin_dir)


# name: (PATH for the build, what the message must say is wrong)
NO_NODE_CASES: dict[str, tuple[Callable[[], str], str]] = {
    "no-node-no-npm": (without_node_path, "`node` and `npm` were not found on PATH."),
    "npm-without-node": (
        lambda: _tools_dir("npm", {"npm": FAKE_NPM}),
        "`node` was not found on PATH.",
    ),
    "node-18": (
        lambda: _tools_dir("node18", {"npm": FAKE_NPM, "node": FAKE_OLD_NODE}),
        "is Node.js 18, older than 20.",
    ),
}


@pytest.mark.parametrize("case", list(NO_NODE_CASES))
def test_building_from_the_sdist_without_node_says_what_to_do(case: str) -> None:
    """No usable Node.js: the build stops with what is missing and what to do; no traceback."""
    make_path, expected = NO_NODE_CASES[case]
    path = make_path()
    out_dir = workdir() / f"out-{case}"
    source = unpack_sdist(f"sdist-{case}")
    result = run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", out_dir, source],
        env=quiet_env(path),
        timeout=BUILD_TIMEOUT,
    )
    output = result.stdout
    assert result.returncode != 0, output[-3000:]
    assert not list(out_dir.glob("*.whl"))
    assert expected in output, output[-3000:]
    assert "needs Node.js >= 20 and npm" in output
    assert "pip install --only-binary nbstate nbstate" in output
    assert "Traceback" not in output, output[-3000:]
    assert "the build ran npm" not in output


# --------------------------------------------------------------------------- a user's install

INSPECT = """
import importlib.metadata as md, json, pathlib, shutil, sys
import nbstate
SERVED = "share/jupyter/labextensions/nbstate/static/loader.js"
pkg = pathlib.Path(nbstate.__file__).parent
dist = md.distribution("nbstate")
print(json.dumps({
    "file": nbstate.__file__,
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "path": sys.path,
    "node": shutil.which("node"),
    "npm": shutil.which("npm"),
    "version": dist.version,
    "present": sorted(p.name for p in (pkg / "static").iterdir()) + (
        ["py.typed"] if (pkg / "py.typed").is_file() else []),
    "license_files": [str(f) for f in dist.files or () if "licenses" in str(f)],
    "served_loader_same": (pathlib.Path(sys.prefix) / SERVED).read_bytes()
        == (pkg / "static" / "loader.js").read_bytes(),
}))
"""

RUN_EXAMPLE = """
import asyncio
namespace = {"__name__": "__main__"}
exec(compile(EXAMPLE, "<example>", "exec"), namespace)
import nbstate as rx
State = namespace["MyTaskState"]
state = rx.get_state(State)
assert state.counter == 0 and not state.running, (state.counter, state.running)

async def start_tick_stop():
    await rx.fire(State.toggle_running)  # Start
    await rx.wait_until(lambda: state.counter >= 2, timeout=10)
    await rx.fire(State.toggle_running)  # Stop
    await rx.idle()

asyncio.run(start_tick_stop())
assert not rx.errors(state), rx.errors(state)
print("example ok", state.counter)
"""


def test_the_wheel_installs_into_a_clean_venv_without_node() -> None:
    """pip installs the wheel with its PyPI dependencies; nbstate and its bundle come from there."""
    venv = user_venv()
    env = quiet_env(venv.path_env)
    # -I: no PYTHONPATH, no user site, and not the current directory on sys.path.
    info = json.loads(check(run([venv.python, "-I", "-c", INSPECT], env=env, timeout=120)))
    assert Path(info["file"]).is_relative_to(venv.path), info["file"]
    assert info["prefix"] != info["base_prefix"] and Path(info["prefix"]) == venv.path
    repo = Path(__file__).resolve().parents[2]
    assert not [p for p in info["path"] if p and Path(p).resolve().is_relative_to(repo)]
    assert info["node"] is None and info["npm"] is None
    assert info["version"] == "0.1.0"
    assert not [f for f in (*BUNDLE, "py.typed") if f not in info["present"]], info["present"]
    assert [Path(f).name for f in info["license_files"]] == ["LICENSE"]
    assert info["served_loader_same"]  # in the venv's share/jupyter/labextensions/
    # The dependencies pip resolved are consistent (pip check, run by this checkout's pip).
    pip_check: list[str | Path] = [sys.executable, "-m", "pip", "--python", venv.python, "check"]
    check(run(pip_check, env=env, timeout=120))
    example = RUN_EXAMPLE.replace("EXAMPLE", repr(design_example()))
    assert "example ok" in check(run([venv.python, "-I", "-c", example], env=env, timeout=120))
