"""Fixtures for browser tests: real Jupyter servers and headless Chromium through Playwright.

- ``jupyter_root``: a temporary directory served by every server; tests write notebooks into it
  (``write_notebook(jupyter_root / "x.ipynb", [...])``). Use a file name per test and per
  frontend: the servers share the directory.
- ``jupyter_lab_server``, ``notebook7_server``, ``voila_server``: one real server each per
  session, started on first use (see ``servers.py``). After every test, the kernels that the
  test started on the JupyterLab / Notebook 7 servers are shut down.
- ``browser``: one headless Debian Chromium per session; ``page``: a new context (1280x900) per
  test. At teardown a screenshot goes to ``tests/browser/artifacts/<test name>.png``, and when
  the test failed the page's console messages are printed.

Every test under this directory gets the ``browser`` marker.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .helpers import NOTEBOOK_FRONTENDS, NotebookFrontend
from .servers import JupyterServer, make_jupyter_env, start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = os.environ.get("NBSTATE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 30_000

_started: list[JupyterServer] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


_reports_key = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    # Remember the outcome of each phase so the page fixture knows whether the test failed.
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment with isolated Jupyter/IPython dirs (and pop-up-free user settings)."""
    return make_jupyter_env(tmp_path_factory.mktemp("jupyter-env"))


@pytest.fixture(scope="session")
def jupyter_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory every server serves; tests put their notebooks here."""
    return tmp_path_factory.mktemp("jupyter-root")


@pytest.fixture(scope="session")
def jupyter_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jupyter-logs")


def _server(kind: str, root: Path, env: dict[str, str], logs: Path) -> Iterator[JupyterServer]:
    server = start_server(kind, root, env, logs)
    sys.stderr.write(f"\n[browser] {kind} server at {server.url} up in {server.started_in:.1f}s\n")
    _started.append(server)
    try:
        yield server
    finally:
        _started.remove(server)
        server.stop()


@pytest.fixture(scope="session")
def jupyter_lab_server(
    jupyter_root: Path, jupyter_env: dict[str, str], jupyter_logs: Path
) -> Iterator[JupyterServer]:
    """A real ``jupyter lab`` server (no token) serving ``jupyter_root``."""
    yield from _server("lab", jupyter_root, jupyter_env, jupyter_logs)


@pytest.fixture(scope="session")
def notebook7_server(
    jupyter_root: Path, jupyter_env: dict[str, str], jupyter_logs: Path
) -> Iterator[JupyterServer]:
    """A real ``jupyter notebook`` (Notebook 7) server (no token) serving ``jupyter_root``."""
    yield from _server("notebook", jupyter_root, jupyter_env, jupyter_logs)


@pytest.fixture(scope="session")
def voila_server(
    jupyter_root: Path, jupyter_env: dict[str, str], jupyter_logs: Path
) -> Iterator[JupyterServer]:
    """A real ``voila`` server for ``jupyter_root``: ``/voila/render/<name>.ipynb``."""
    yield from _server("voila", jupyter_root, jupyter_env, jupyter_logs)


@pytest.fixture(params=sorted(NOTEBOOK_FRONTENDS))
def notebook_frontend(request: pytest.FixtureRequest) -> NotebookFrontend:
    """A test that takes this runs once in JupyterLab and once in Notebook 7."""
    server_fixture, opener = NOTEBOOK_FRONTENDS[request.param]
    return NotebookFrontend(request.param, request.getfixturevalue(server_fixture), opener)


@pytest.fixture(autouse=True)
def _shutdown_test_kernels() -> Iterator[None]:
    """After each test, shut down the kernels it left on the JupyterLab/Notebook servers."""
    yield
    for server in list(_started):
        server.shutdown_kernels()


# --------------------------------------------------------------------------- browser


# Playwright's sync API runs its asyncio loop in a greenlet and, between two sync calls, leaves
# that loop marked as the thread's *running* loop (asyncio._set_running_loop). Left like that,
# every later test that runs an event loop (pytest-asyncio, jupyter_client, nbval) fails with
# "Cannot run the event loop while another loop is running". So the loop is marked running only
# while browser fixtures and browser tests run, and unmarked in between.
_pw_loop: list[asyncio.AbstractEventLoop] = []


@contextlib.contextmanager
def _playwright_loop_marked() -> Iterator[None]:
    if _pw_loop:
        asyncio._set_running_loop(_pw_loop[0])
    try:
        yield
    finally:
        asyncio._set_running_loop(None)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    loop = asyncio._get_running_loop()
    assert loop is not None, "Playwright's sync API no longer marks its loop as running"
    _pw_loop.append(loop)
    asyncio._set_running_loop(None)
    try:
        yield pw
    finally:
        asyncio._set_running_loop(loop)
        try:
            pw.stop()
        finally:
            asyncio._set_running_loop(None)
            _pw_loop.clear()


@pytest.fixture(autouse=True)
def _playwright_loop_for_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Mark Playwright's loop as running during a test that uses Playwright (see above)."""
    if "playwright" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("playwright")
    with _playwright_loop_marked():
        yield


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium (Playwright cannot download its own browsers here)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh (apt-get install chromium)")
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # widgets render after a kernel round trip
    with _playwright_loop_marked():
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    try:
        yield browser
    finally:
        with _playwright_loop_marked():
            browser.close()


def _artifact_name(nodeid_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid_name).strip("_")[:150] or "test"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh context (1280x900); screenshot to artifacts/ at teardown."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: console.append(f"[pageerror] {exc}"))
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{_artifact_name(request.node.name)}.png"
        try:
            page.screenshot(path=str(shot), full_page=True, timeout=10_000)
        except Exception as exc:  # a crashed page must not hide the test's own error
            sys.stderr.write(f"[browser] screenshot failed: {exc}\n")
        reports = request.node.stash.get(_reports_key, {})
        if any(rep.failed for rep in reports.values()):
            sys.stderr.write(f"[browser] screenshot: {shot}\n[browser] console of {page.url}:\n")
            sys.stderr.write("\n".join(console[-200:]) + "\n")
        context.close()
