"""Visible errors, subshells, shutdown and the frame budget, in a real kernel (exactness and
hostile input are in the reliability suite)."""

from __future__ import annotations

import json
import os
import tempfile
import time

import pytest

from .harness import KernelFrontend

pytestmark = pytest.mark.timeout(240)

COUNTER_STATE = """
import asyncio, threading
import nbstate as rx

class Count(rx.State):
    n: int = 0
    label: str = ""
    threads: list[str] = []
    _api_key: str = "backend-secret-9c1e"

    @rx.background
    async def hundred(self):
        for _ in range(100):
            async with self:
                self.n += 1
            await asyncio.sleep(0)

    def increment(self):
        self.n += 1

    def where(self):
        self.threads.append(threading.current_thread().name)

    def explode(self):
        self.label = "never sent"
        raise ValueError(f"bad key {self._api_key}")

    def _internal(self):
        self.n = -1000

s = Count()
rx.model(s);
"""


def test_handler_error_shows_in_owning_cell_and_view_model(kernel: KernelFrontend) -> None:
    """A failing handler prints its traceback in the cell that created the state, rolls back,
    is recorded, and reaches the model's error list without backend values."""
    first = kernel.execute(COUNTER_STATE)
    comm = kernel.comm_id_of("Count")
    kernel.send_event(comm, "explode", event_id=1)
    kernel.wait_for(lambda: "ValueError" in kernel.stream_text(first, "stderr"), what="traceback")
    err = kernel.stream_text(first, "stderr")
    assert "in explode" in err and "Traceback" in err
    state = kernel.wait_for(lambda: kernel.frontend_state(comm).get("_nbstate_errors"))
    assert state[-1]["type"] == "ValueError" and state[-1]["handler"] == "explode"
    assert kernel.value("s.label, len(rx.errors(s))") == "('', 1)"
    everything = json.dumps(
        [m["content"] for m in kernel.messages() if m["msg_type"] == "comm_msg"]
    )
    assert "backend-secret-9c1e" not in everything


def test_subshell_messages_run_on_main_thread(kernel: KernelFrontend) -> None:
    """A comm message handled on a subshell thread runs its handler on the main loop."""
    kernel.execute(COUNTER_STATE)
    comm = kernel.comm_id_of("Count")
    sub = kernel.create_subshell()
    # Using the model from the subshell routes the frontend's next messages to that subshell.
    kernel.execute("rx.model(s).send({'kind': 'ping'})", subshell_id=sub)
    kernel.send_custom(
        comm, {"kind": "event", "id": 1, "handler": "where", "args": []}, subshell_id=sub
    )
    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_threads"), what="handler ran")
    assert kernel.frontend_state(comm)["v_threads"] == ["MainThread"]


def test_shutdown_cancels_runs_cleanly(kernel: KernelFrontend) -> None:
    """Shutting the kernel down cancels running tasks, which unwind their blocks."""
    marker = os.path.join(tempfile.mkdtemp(), "unwound")
    kernel.execute(
        COUNTER_STATE
        + f"""
class Long(rx.State):
    n: int = 0

    @rx.background
    async def forever(self):
        try:
            while True:
                async with self:
                    self.n += 1
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            open({marker!r}, "w").write("cancelled")
            raise

long = Long()
rx.model(long)
h = rx.start(Long.forever, state=long)
"""
    )
    time.sleep(0.3)
    kernel.km.shutdown_kernel(now=False)
    kernel.wait_for(lambda: os.path.exists(marker), timeout=10, what="task unwound")
    with open(marker) as f:
        assert f.read() == "cancelled"


def test_flat_out_loop_stays_within_frame_budget(kernel: KernelFrontend) -> None:
    """A flat-out task sends about one update per 16 ms, and the last value arrives."""
    kernel.execute(
        COUNTER_STATE
        + """
import time

class Fast(rx.State):
    n: int = 0

    @rx.background
    async def spin(self, count: int):
        t0 = time.perf_counter()
        for _ in range(count):
            async with self:
                self.n += 1
            await asyncio.sleep(0)
        return time.perf_counter() - t0

fast = Fast()
rx.model(fast)
"""
    )
    comm = kernel.comm_id_of("Fast")
    kernel.execute("h = rx.start(Fast.spin, 20_000, state=fast)\nelapsed = await h")
    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_n") == 20_000, what="final value")
    elapsed = float(kernel.value("elapsed"))
    updates = kernel.batch_entries(comm)
    assert updates, "the state's changes never went out"
    assert len(updates) <= elapsed / 0.016 + 3, (len(updates), elapsed)
    assert len(updates) < 20_000 / 20
