"""A shared state in two kernels: a change committed in kernel A (a jupyter_client kernel) shows
in a JupyterLab view attached to kernel B, through a real redis-server."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..kernel.harness import KernelFrontend
from ..shared.conftest import kernel_env, start_redis_or_fail
from ..shared.redis_server import RedisServer
from .helpers import cell_outputs, open_notebook_in_lab, run_all_cells
from .servers import JupyterServer, write_notebook

pytestmark = pytest.mark.browser

STATE = """
class Board(rx.State, shared=True):
    n: int = 0
    label: str = "start"

    def bump(self):
        self.n += 1

    @rx.background
    async def count_to(self, last: int):
        while True:
            async with self:
                if self.n >= last:
                    return
                self.n += 1
            await asyncio.sleep(0.01)

board = rx.get_state(Board)
"""

# Kernel B, in JupyterLab: the Redis URL set in the notebook (kernel A has it from its env).
NOTEBOOK = (
    """
import asyncio
import nbstate as rx
rx.app.redis_url = {url!r}
"""
    + STATE
    + """
rx.vstack(
    rx.heading(Board.n, id="board-n"),
    rx.text(Board.label, id="board-label"),
    rx.button("+1", on_click=Board.bump),
)
"""
)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis_or_fail()
    try:
        yield server
    finally:
        server.close()


@contextlib.contextmanager
def outside_playwright_loop() -> Iterator[None]:
    """jupyter_client runs its own loop: Playwright's is unmarked meanwhile (see conftest)."""
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


def test_a_change_in_one_kernel_reaches_a_view_in_another(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path, redis_server: RedisServer
) -> None:
    redis_server.client().flushall()
    name = "shared_board.ipynb"
    write_notebook(jupyter_root / name, [NOTEBOOK.format(url=redis_server.url)])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    view = cell_outputs(page, 0).locator(".nbstate-view")
    heading = view.locator("#board-n")
    label = view.locator("#board-label")
    expect(heading).to_have_text("0", timeout=30_000)
    expect(label).to_have_text("start")

    with outside_playwright_loop():
        a = KernelFrontend(env=kernel_env(redis_server))
    try:
        with outside_playwright_loop():
            a.execute("import asyncio\nimport nbstate as rx\n" + STATE)
            a.execute("async with board:\n    board.n = 7\n    board.label = 'from kernel A'")
            committed = time.monotonic()
        expect(label).to_have_text("from kernel A", timeout=10_000)
        expect(heading).to_have_text("7")
        shown_in = time.monotonic() - committed

        # A background task in A counts on; the view in B follows to its last value.
        with outside_playwright_loop():
            a.execute("await rx.start(Board.count_to, 40)", timeout=60)
        expect(heading).to_have_text("40", timeout=10_000)

        # And back: a click in B's view runs in B, under the shared lock, and reaches A.
        view.get_by_role("button", name="+1").click()
        expect(heading).to_have_text("41")
        with outside_playwright_loop():
            a.wait_for(lambda: a.value("board.n") == "41", 10, "kernel A to follow the click")
        assert pickle.loads(redis_server.client().hget("nbstate:Board:vars", "n")) == 41
    finally:
        with outside_playwright_loop():
            a.close()
    assert shown_in < 10.0
