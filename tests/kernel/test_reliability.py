"""The reliability suite: exactness, hostile input, leaks, cancellation and churn, in a real
kernel driven over comms. Run it alone with ``pytest tests/kernel -m reliability``; its figures
are printed in pytest's summary ("nbstate reliability figures")."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from .harness import KernelFrontend

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]

Figure = Callable[[str, object, object], None]

COUNTER_STATE = """
import asyncio, gc, hashlib
import nbstate as rx

class Count(rx.State):
    n: int = 0
    label: str = ""
    items: list[int] = []
    # Backend values made at run time, so no cell's source text contains them.
    _api_key: str = hashlib.sha256(b"nbstate api key").hexdigest()[:20]
    _token: str = hashlib.sha256(b"nbstate token").hexdigest()[:12].upper()

    @rx.background
    async def hundred(self):
        for _ in range(100):
            async with self:
                self.n += 1
            await asyncio.sleep(0)

    def increment(self):
        self.n += 1

    def explode(self):
        self.label = "never sent"
        raise ValueError(f"bad key {self._api_key} and {self._token.lower()}")

    def _internal(self):
        self.n = -1000

s = Count()
rx.model(s);
"""


def test_no_lost_updates_over_the_wire(kernel: KernelFrontend, figure: Figure) -> None:
    """200 tasks x 100 blocks and 1,000 frontend events end exact in kernel and on the wire."""
    kernel.execute(COUNTER_STATE)
    comm = kernel.comm_id_of("Count")
    kernel.execute("handles = [rx.start(Count.hundred, state=s) for _ in range(200)]")
    for i in range(1000):
        kernel.send_event(comm, "increment", event_id=i)
    kernel.wait_for(
        lambda: kernel.frontend_state(comm).get("v_n") == 21_000, timeout=120, what="21,000"
    )
    kernel.wait_for(
        lambda: sum(c.get("kind") == "done" for c in kernel.customs(comm)) == 1000,
        timeout=60,
        what="1,000 done replies",
    )
    in_kernel = int(kernel.value("s.n"))
    on_wire = kernel.frontend_state(comm)["v_n"]
    assert kernel.value("sum(h.status == 'done' for h in handles)") == "200"
    assert (in_kernel, on_wire) == (21_000, 21_000)
    figure("lost updates: expected", 21_000, "200 tasks x 100 blocks + 1,000 events")
    figure("lost updates: kernel / wire", f"{in_kernel} / {on_wire}", "21000 / 21000")
    figure("lost updates: lost", 21_000 - min(in_kernel, on_wire), 0)


def _hostile_customs(rng: random.Random) -> list[Any]:
    bad_names = ["_internal", "_api_key", "__init__", "__class__", "n", "missing", "", "set__x"]
    junk = [None, "x", 1.5, [1], {"k": 1}, True, "9z", [[[]]]]
    out: list[Any] = []
    for i in range(360):
        r = rng.random()
        if r < 0.45:
            args = [rng.choice(junk)]
            out.append({"kind": "event", "id": i, "handler": rng.choice(bad_names), "args": args})
        elif r < 0.65:
            arg = rng.choice(["abc", None, [1], {"a": 1}, 1.5, True])
            out.append({"kind": "event", "id": i, "handler": "set_n", "args": [arg]})
        elif r < 0.8:
            out.append({"kind": "event", "id": i, "handler": "increment", "args": [1, 2]})
        elif r < 0.9:
            out.append({"kind": rng.choice(["evnt", None, 5]), "id": i})
        else:
            out.append({"kind": "event", "id": i, "handler": "increment", "extra": 1})
    out.append({"kind": "event", "id": 9999, "handler": "set_label", "args": ["x" * 1_100_000]})
    out.append({"kind": "event", "id": 9998, "handler": "set_n", "args": [{"$nbf": "nan"}]})
    return out


def _hostile_data() -> list[Any]:
    """Malformed ipywidgets-level comm data: no method, wrong method, bad updates."""
    out: list[Any] = []
    for i in range(40):
        out += [
            {},
            {"method": None},
            {"method": 5},
            {"method": "explode", "n": i},
            {"method": ["custom"]},
            {"state": {"v_n": i}},
            {"method": "update", "state": {"v_n": "not a number"}},
            {"method": "update", "state": {"_api_key": "stolen"}},
            {"method": "update", "state": {"_nbstate_class": "Evil"}},
            {"method": "update", "state": "not a dict"},
        ]
    return out


def test_hostile_messages_are_refused_without_harm(kernel: KernelFrontend, figure: Figure) -> None:
    """800 hostile messages: each refused and counted, no traceback, state unchanged, alive."""
    kernel.execute(COUNTER_STATE)
    comm = kernel.comm_id_of("Count")
    before = int(kernel.value("rx.app.refused"))
    customs = _hostile_customs(random.Random(3))
    data = _hostile_data()
    for content in customs:
        kernel.send_custom(comm, content)
    for d in data:
        kernel.send_comm_data(comm, d)
    kernel.send_custom(comm, {"kind": "event", "id": 7, "handler": "increment"}, None)
    kernel.send_comm_data(
        comm,
        {"method": "custom", "content": {"kind": "event", "handler": "increment"}},
        buffers=[b"binary"],
    )
    total = len(customs) + len(data) + 1  # the buffer-carrying event is refused too
    kernel.wait_for(
        lambda: int(kernel.value("rx.app.refused")) - before >= total,
        timeout=60,
        what="all refusals counted",
    )
    refused = int(kernel.value("rx.app.refused")) - before
    with_id = [c for c in customs if isinstance(c, dict) and isinstance(c.get("id"), int)]
    replies = [c for c in kernel.customs(comm) if c.get("kind") == "rejected"]
    assert refused == total, (refused, total)
    assert len(replies) == len(with_id), (len(replies), len(with_id))
    assert all(isinstance(c["error"], str) and len(c["error"]) > 10 for c in replies)
    tracebacks = [
        m
        for m in kernel.messages()
        if m["msg_type"] == "error"
        or (m["msg_type"] == "stream" and "Traceback" in m["content"].get("text", ""))
    ]
    assert tracebacks == []
    assert kernel.value("s.n, s.label") == "(1, '')"  # only the one valid increment ran
    assert kernel.value("s.__class__.__name__") == "'Count'"
    figure("hostile messages: sent", total, ">= 500")
    figure("hostile messages: refused and counted", refused, total)
    figure("hostile messages: rejected replies", len(replies), f"{len(with_id)} (one per id)")
    figure("hostile messages: tracebacks", len(tracebacks), 0)


def test_no_backend_value_leaks_anywhere(kernel: KernelFrontend, figure: Figure) -> None:
    """Backend values never appear in any iopub message or in the saved widget state."""
    first = kernel.execute(COUNTER_STATE)
    comm = kernel.comm_id_of("Count")
    kernel.execute("rx.vstack(rx.text(Count.n), rx.text(Count.label))")
    kernel.execute("rx.view(rx.hstack(rx.button('go', on_click=Count.explode)))")
    kernel.send_event(comm, "explode", event_id=1)
    kernel.send_event(comm, "increment", event_id=2)
    kernel.execute("await rx.start(Count.hundred, state=s)")
    kernel.wait_for(lambda: "ValueError" in kernel.stream_text(first, "stderr"), what="report")
    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_n") == 101, what="values")
    messages = kernel.messages()
    comm_ids = {
        m["content"]["comm_id"] for m in messages if m["msg_type"] == "comm_open"
    }
    saved = {cid: kernel.frontend_state(cid) for cid in comm_ids}
    blob = json.dumps([m["content"] for m in messages]) + json.dumps(saved)
    secrets = [
        hashlib.sha256(b"nbstate api key").hexdigest()[:20],
        hashlib.sha256(b"nbstate token").hexdigest()[:12].upper(),
    ]
    found = {s: blob.lower().count(s.lower()) for s in secrets}  # any case: .lower() leaks too
    assert "Traceback" in kernel.stream_text(first, "stderr")  # the error was shown, redacted
    assert sum(found.values()) == 0, found
    figure("leak scan: iopub messages scanned", len(messages), "all")
    figure("leak scan: bytes scanned", len(blob), "-")
    figure("leak scan: backend values found", sum(found.values()), 0)


def test_cancelling_mid_block_rolls_back_and_frees_everything(
    kernel: KernelFrontend, figure: Figure
) -> None:
    """A run cancelled inside its block: values as before, lock free, no task left."""
    kernel.execute(
        COUNTER_STATE
        + """
class Mid(rx.State):
    n: int = 1
    items: list[int] = [1]
    table: dict[str, int] = {"a": 1}

    @rx.background
    async def stuck(self):
        async with self:
            self.n = 99
            self.items.append(99)
            self.table["b"] = 99
            await asyncio.sleep(3600)

mid = Mid()
rx.model(mid)
h = rx.start(Mid.stuck, state=mid)
await asyncio.sleep(0.1)
"""
    )
    comm = kernel.comm_id_of("Mid")
    assert kernel.value("mid.n") == "1"  # a cell reads the committed value meanwhile
    kernel.execute("h.cancel(); await asyncio.sleep(0.05)")
    values = kernel.value("(mid.n, mid.items, mid.table, h.status)")
    assert values == "(1, [1], {'a': 1}, 'cancelled')"
    front = kernel.frontend_state(comm)
    assert (front["v_n"], front["v_items"], front["v_table"]) == (1, [1], {"a": 1})
    kernel.execute("mid.n = 5")  # the lock is free: a direct write from a cell commits
    kernel.execute("async with mid:\n    mid.n = 6")
    left = kernel.value("len([t for t in rx.app.background_tasks if not t.done()])")
    assert kernel.value("mid.n") == "6" and left == "0"
    figure("cancel mid-block: rolled back", "yes", "yes")
    figure("cancel mid-block: lock free afterwards", "yes", "yes")
    figure("cancel mid-block: tasks left", left, 0)


def test_ten_thousand_task_starts_leave_nothing_behind(
    kernel: KernelFrontend, figure: Figure
) -> None:
    """10,000 short runs: the task set is empty after, and memory grows under 20 MB."""
    kernel.execute(
        COUNTER_STATE
        + """
import re

class Churn(rx.State):
    n: int = 0

    @rx.background
    async def once(self, k: int):
        async with self:
            self.n += 1
        return k

churn = Churn()
rx.model(churn)

def rss_mb():
    gc.collect()
    with open("/proc/self/status") as f:
        return int(re.search(r"VmRSS:\\s+(\\d+)", f.read()).group(1)) / 1024

async def starts(count):
    for batch in range(count // 500):
        await asyncio.gather(*[rx.start(Churn.once, i, state=churn) for i in range(500)])

await starts(500)
before = rss_mb()
await starts(10_000)
after = rss_mb()
"""
    )
    left = int(kernel.value("len(rx.app.background_tasks)"))
    before, after = (float(x) for x in kernel.value("before, after").strip("()").split(","))
    assert kernel.value("churn.n") == "10500"
    assert left == 0
    assert after - before < 20, (before, after)
    figure("10,000 task starts: tasks left", left, 0)
    figure("10,000 task starts: RSS before / after (MB)", f"{before:.1f} / {after:.1f}", "-")
    figure("10,000 task starts: RSS growth (MB)", f"{after - before:.1f}", "< 20")
