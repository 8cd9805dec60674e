"""Core semantics where they happen: cells that redefine classes and read during blocks."""

from __future__ import annotations

import json
import time

import pytest

from .harness import KernelFrontend

pytestmark = pytest.mark.timeout(120)

TICKER_CELL = """
import asyncio
import nbstate as rx

class Ticker(rx.State):
    n: int = 0

    @rx.background
    async def tick(self):
        while True:
            async with self:
                self.n += 1
            print("tick")
            await asyncio.sleep(0.05)
"""


def _comm_ids(kernel: KernelFrontend, state_class: str) -> list[str]:
    return [
        str(m["content"]["comm_id"])
        for m in kernel.messages()
        if m["msg_type"] == "comm_open"
        and m["content"]["data"].get("state", {}).get("_nbstate_class") == state_class
    ]


def _view_comm(kernel: KernelFrontend) -> str:
    for m in kernel.messages():
        if m["msg_type"] == "comm_open" and "tree" in m["content"]["data"].get("state", {}):
            return str(m["content"]["comm_id"])
    raise AssertionError("no view was opened")


def test_rerunning_the_defining_cell_stops_the_old_class(kernel: KernelFrontend) -> None:
    """The old task stops printing, its model closes, and its view says which cell to re-run."""
    kernel.execute(TICKER_CELL)
    show = kernel.execute("rx.text(Ticker.n)")
    start = kernel.execute("handle = rx.start(Ticker.tick)")
    kernel.wait_for(lambda: kernel.stream_text(start).count("tick") >= 3, what="ticks")
    [old_comm] = _comm_ids(kernel, "Ticker")
    view = _view_comm(kernel)

    redefine = kernel.execute(TICKER_CELL)
    kernel.wait_for(lambda: kernel.value("handle.status") == "'cancelled'", what="cancel")
    ticks = kernel.stream_text(start).count("tick")
    time.sleep(0.3)
    assert kernel.stream_text(start).count("tick") == ticks  # the old task prints no more
    closed = [
        m
        for m in kernel.messages()
        if m["msg_type"] == "comm_close" and m["content"]["comm_id"] == old_comm
    ]
    assert closed, "the old state's model was not closed"
    notices = [
        d["state"]["_nbstate_notice"]
        for d in kernel.comm_msgs(view)
        if d.get("method") == "update" and "_nbstate_notice" in d.get("state", {})
    ]
    assert notices and "Ticker was redefined in cell [" in notices[-1]
    assert "Re-run the cell [" in notices[-1]
    assert kernel.value("len(rx.app.background_tasks)") == "0"
    assert show and redefine
    # The new class works and shows its own state.
    kernel.execute("rx.start(Ticker.tick); import asyncio; await asyncio.sleep(0.2)")
    assert int(kernel.value("rx.get_state(Ticker).n")) > 0


def test_a_cell_reads_committed_values_while_a_block_is_open(kernel: KernelFrontend) -> None:
    """A cell reading a var a task's open block assigned sees the committed value."""
    kernel.execute(
        """
import asyncio
import nbstate as rx

class Job(rx.State):
    n: int = 0

    @rx.background
    async def slow(self):
        async with self:
            self.n = 99
            await asyncio.sleep(1.0)
            raise RuntimeError("the block fails")

s = rx.get_state(Job)
h = rx.start(Job.slow)
await asyncio.sleep(0.1)
"""
    )
    assert kernel.value("s.n") == "0"  # not the uncommitted 99
    kernel.wait_for(lambda: kernel.value("h.status") == "'failed'", what="the block to fail")
    assert kernel.value("s.n") == "0"
    notes = kernel.value("h.exception().__notes__")
    assert "rolled back" in json.dumps(notes)
