"""JupyterLab in headless Chromium for the browser benchmarks (B5, B6).

It uses the browser tests' set-up (``tests/browser/servers.py``): a JupyterLab server with
isolated Jupyter directories and no token, and Debian's Chromium driven by Playwright.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.browser.servers import JupyterServer, make_jupyter_env, start_server

CHROMIUM = os.environ.get("NBSTATE_CHROMIUM", "/usr/bin/chromium")
try:  # the browser tests' launch flags, when importable
    from tests.browser.conftest import CHROMIUM_ARGS
except Exception:  # pragma: no cover - conftest needs pytest
    CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


@contextlib.contextmanager
def lab_in_chromium(
    prefix: str, log: Callable[[str], None]
) -> Iterator[tuple[JupyterServer, Path, Any]]:
    """A JupyterLab server on a fresh root folder and a headless Chromium: (server, root,
    browser). Both are stopped, and the folder removed, on exit."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        base = Path(tmp)
        root = base / "root"
        root.mkdir()
        env = make_jupyter_env(base / "env")
        log("starting JupyterLab")
        server = start_server("lab", root, env, base / "logs")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    yield server, root, browser
                finally:
                    browser.close()
        finally:
            server.stop()


def now_page(page: Any) -> float:
    """The page's wall clock, in ms."""
    return float(page.evaluate("() => performance.timeOrigin + performance.now()"))


def clock_offset(page: Any) -> tuple[float, float]:
    """(page clock - system clock, uncertainty) in ms, from the tightest of 15 round trips."""
    best = (float("inf"), 0.0)
    for _ in range(15):
        t0 = time.time()
        p = now_page(page)
        t1 = time.time()
        rtt = (t1 - t0) * 1000
        if rtt < best[0]:
            best = (rtt, p - (t0 + t1) / 2 * 1000)
    return best[1], best[0] / 2
