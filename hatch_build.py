"""Hatchling build hook: bundle the TypeScript frontend (js/) into nbstate/static/.

For wheel and editable builds it runs, in js/:

- ``npm ci`` when js/node_modules is missing or older than js/package-lock.json;
- ``npm run build``, which writes nbstate/static/: the renderer, loaders, CSS.

That directory is git-ignored; the hook adds its files to the wheel as artifacts. An editable
install points at the source tree, so there the files are read from nbstate/static/ directly.

``NBSTATE_SKIP_JS=1`` skips the JS build (the package then ships whatever bundle is already in
nbstate/static/, possibly none). A missing node or npm, a Node.js older than 20, or a failing
npm step ends the build with a message that says what is wrong and what to do (no traceback).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STATIC_DIR = "nbstate/static"
OUTPUTS = tuple(  # must exist after the build
    f"{STATIC_DIR}/{name}" for name in ("view.js", "loader.js", "hub.js", "markdown.js", "view.css")
)
NPM_TIMEOUT = 30 * 60  # seconds, per npm command
LABEXT_LOADER = "share/jupyter/labextensions/nbstate/static/loader.js"


class FrontendBuildError(RuntimeError):
    """The frontend bundle could not be built."""


def _skip_requested() -> bool:
    return os.environ.get("NBSTATE_SKIP_JS", "").strip().lower() in {"1", "true", "yes", "on"}


def _needs_install(js_dir: Path) -> bool:
    """True when js/node_modules is missing or older than js/package-lock.json."""
    modules = js_dir / "node_modules"
    if not modules.is_dir():
        return True
    lock = js_dir / "package-lock.json"
    if not lock.exists():
        return False
    # npm writes node_modules/.package-lock.json at every install; fall back to the directory.
    marker = modules / ".package-lock.json"
    installed = (marker if marker.exists() else modules).stat().st_mtime
    return installed < lock.stat().st_mtime


def _run_npm(npm: str, args: list[str], js_dir: Path, log: Any) -> None:
    cmd = [npm, *args]
    log(f"nbstate: running `{' '.join(['npm', *args])}` in {js_dir}")
    try:
        # npm's output goes to our stderr: pip shows it when the build fails (or with -v).
        result = subprocess.run(
            cmd, cwd=js_dir, stdout=sys.stderr, stderr=sys.stderr, timeout=NPM_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise FrontendBuildError(
            f"nbstate: `npm {' '.join(args)}` in {js_dir} did not finish within "
            f"{NPM_TIMEOUT}s; the frontend bundle was not built."
        ) from exc
    except OSError as exc:
        raise FrontendBuildError(f"nbstate: could not run {npm}: {exc}") from exc
    if result.returncode != 0:
        raise FrontendBuildError(
            f"nbstate: `npm {' '.join(args)}` failed in {js_dir} (exit code {result.returncode}); "
            "see npm's output above. Fix the frontend build (or set NBSTATE_SKIP_JS=1 to build "
            "the Python package without its frontend)."
        )


MIN_NODE = 20  # js/package.json: "engines": {"node": ">=20"}
NO_NODE_HELP = (
    "Building nbstate from source (an sdist or a git checkout) needs Node.js >= {min} and npm: "
    "the frontend bundle in nbstate/static/ is built from js/ with them. Either install "
    "Node.js >= {min} and npm (Debian: `apt-get install nodejs npm`; or https://nodejs.org) and "
    "build again, or install the published wheel, which carries the bundle and needs no "
    "Node.js: `pip install --only-binary nbstate nbstate`."
)


def _node_major(node: str) -> int | None:
    """The major version of ``node --version`` (``v20.11.1`` is 20); None if it cannot tell."""
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"\s*v?(\d+)\.", out)
    return int(match.group(1)) if match else None


def _find_node_and_npm() -> str:
    """Return npm's path; fail with what is missing and what to do when node/npm won't do."""
    node, npm = shutil.which("node"), shutil.which("npm")
    missing = [name for name, path in (("node", node), ("npm", npm)) if path is None]
    help_text = NO_NODE_HELP.format(min=MIN_NODE)
    if missing:
        found = " and ".join(f"`{name}`" for name in missing)
        verb = "were" if len(missing) > 1 else "was"
        raise FrontendBuildError(f"nbstate: {found} {verb} not found on PATH. {help_text}")
    assert node is not None and npm is not None
    major = _node_major(node)
    if major is not None and major < MIN_NODE:
        raise FrontendBuildError(
            f"nbstate: {node} is Node.js {major}, older than {MIN_NODE}. {help_text}"
        )
    return npm


def build_frontend(root: Path, log: Any = print) -> None:
    """Install the JS dependencies if needed and build the bundle into nbstate/static/."""
    js_dir = root / "js"
    if not (js_dir / "package.json").is_file():
        missing = [p for p in OUTPUTS if not (root / p).is_file()]
        if missing:
            raise FrontendBuildError(
                f"nbstate: neither js/package.json nor the built frontend ({', '.join(missing)}) "
                f"is present under {root}; cannot build the package."
            )
        log("nbstate: no js/ sources here; using the frontend bundle already in nbstate/static/")
        return
    npm = _find_node_and_npm()
    if _needs_install(js_dir):
        install = ["ci"] if (js_dir / "package-lock.json").exists() else ["install"]
        _run_npm(npm, [*install, "--no-audit", "--no-fund"], js_dir, log)
    _run_npm(npm, ["run", "build"], js_dir, log)
    missing = [p for p in OUTPUTS if not (root / p).is_file()]
    if missing:
        raise FrontendBuildError(
            f"nbstate: `npm run build` succeeded but did not produce {', '.join(missing)}; "
            "js/build.mjs must write every file of the bundle to nbstate/static/."
        )


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Builds the frontend before hatchling collects the wheel's files."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return  # the sdist ships js/ sources; the wheel built from it runs this hook
        root = Path(self.root)
        if _skip_requested():
            self.app.display_info("nbstate: NBSTATE_SKIP_JS=1, not building the frontend")
        else:
            try:
                build_frontend(root, log=self.app.display_info)
            except FrontendBuildError as exc:
                # The message says what is wrong and what to do; a traceback through
                # hatchling and the PEP 517 runner would only bury it. SystemExit ends the
                # build backend with exit code 1 and the message as the last thing it printed.
                raise SystemExit(f"\n{exc}\n") from None
        if version == "editable":
            return  # the editable install imports nbstate/ (and its static/) from the tree
        # The bundle is git-ignored: list its files as artifacts so they land in the wheel.
        static = root / STATIC_DIR
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    build_data["artifacts"].append(f"/{path.relative_to(root).as_posix()}")
        # The view ESM is also served by Jupyter, from share/jupyter/labextensions/, so pages
        # import it by URL (nbstate/_wire/assets.py, ModuleBase).
        loader = static / "loader.js"
        if loader.is_file():
            build_data["shared_data"][str(loader)] = LABEXT_LOADER

    def clean(self, versions: list[str]) -> None:
        static = Path(self.root) / STATIC_DIR
        if static.is_dir():
            shutil.rmtree(static)
