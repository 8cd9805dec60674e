"""Exactness, hostile input, visible errors, subshells and shutdown, in a real kernel."""

from __future__ import annotations

import json
import os
import random
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


def test_no_lost_updates_over_the_wire(kernel: KernelFrontend) -> None:
    """200 tasks x 100 increments and 1,000 frontend events end exact in kernel and frontend."""
    kernel.execute(COUNTER_STATE)
    comm = kernel.comm_id_of("Count")
    kernel.execute("handles = [rx.start(Count.hundred, state=s) for _ in range(200)]")
    for i in range(1000):
        kernel.send_event(comm, "increment", event_id=i)
    kernel.wait_for(
        lambda: kernel.frontend_state(comm).get("v_n") == 21_000, timeout=120, what="21,000"
    )
    assert kernel.value("s.n") == "21000"
    assert kernel.value("sum(h.status == 'done' for h in handles)") == "200"
    kernel.wait_for(
        lambda: sum(c.get("kind") == "done" for c in kernel.customs(comm)) == 1000,
        timeout=60,
        what="1,000 done replies",
    )
    assert kernel.frontend_state(comm)["v_n"] == 21_000


def test_hostile_messages_are_refused_without_harm(kernel: KernelFrontend) -> None:
    """500+ malformed or forbidden messages each get a refusal; no state changes; no leak."""
    kernel.execute(COUNTER_STATE)
    comm = kernel.comm_id_of("Count")
    rng = random.Random(3)
    bad_names = [
        "_internal",
        "_api_key",
        "__init__",
        "__class__",
        "n",
        "missing",
        "",
        "set__api_key",
    ]
    junk = [None, "x", 1.5, [1], {"k": 1}, True, "9z", [[[]]]]
    sent = 0
    for i in range(520):
        choice = rng.random()
        if choice < 0.5:
            content: object = {
                "kind": "event",
                "id": i,
                "handler": rng.choice(bad_names),
                "args": [rng.choice(junk)],
            }
        elif choice < 0.7:
            content = {
                "kind": "event",
                "id": i,
                "handler": "set_n",
                "args": [rng.choice(["abc", None, [1], {"a": 1}, 1.5, True])],
            }
        elif choice < 0.85:
            content = {"kind": "event", "id": i, "handler": "increment", "args": [1, 2]}
        else:
            content = {"kind": rng.choice(["evnt", None, 5]), "id": i}
        kernel.send_custom(comm, content)
        sent += 1
    kernel.send_custom(comm, {"kind": "event", "id": "not-int", "handler": "increment"})
    kernel.send_custom(
        comm, {"kind": "event", "id": 9999, "handler": "set_label", "args": ["x" * 1_100_000]}
    )
    kernel.wait_for(
        lambda: sum(c.get("kind") == "rejected" for c in kernel.customs(comm)) >= sent + 1,
        timeout=60,
        what="all refusals",
    )
    refusals = [c for c in kernel.customs(comm) if c.get("kind") == "rejected"]
    assert all(isinstance(c["error"], str) and len(c["error"]) > 10 for c in refusals)
    assert kernel.value("s.n, s.label") == "(0, '')"
    kernel.send_event(comm, "increment", event_id=10_000)
    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_n") == 1, what="still alive")
    comm_traffic = json.dumps(
        [m["content"] for m in kernel.messages() if m["msg_type"].startswith("comm_")]
    )
    assert "backend-secret-9c1e" not in comm_traffic


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
    updates = [d for d in kernel.comm_msgs(comm) if d.get("method") == "update"]
    assert len(updates) <= elapsed / 0.016 + 3, (len(updates), elapsed)
    assert len(updates) < 20_000 / 20
