"""Background tasks: async with self, immutability outside blocks, policies, handles."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import nbstate as rx

from .conftest import Wire, settle


class T(rx.State):
    counter: int = 0
    items: list[int] = []
    running: bool = False
    _n_tasks: int = 0

    @rx.background
    async def bump(self, n: int = 1) -> None:
        for _ in range(n):
            async with self:
                self.counter += 1
            await asyncio.sleep(0)

    @rx.event(background=True)
    async def via_event(self) -> str:
        async with self:
            self.counter = 100
        return "ok"

    @rx.background
    async def write_outside(self) -> None:
        self.counter = 5

    @rx.background
    async def mutate_outside(self) -> None:
        self.items.append(1)

    @rx.background
    async def nested(self) -> None:
        async with self, self:
            pass

    @rx.background
    async def call_directly(self) -> None:
        self.bump()

    @rx.background
    async def forever(self) -> None:
        while True:
            async with self:
                self.counter += 1
            await asyncio.sleep(0.001)

    @rx.background(policy="skip")
    async def skipper(self) -> None:
        await asyncio.sleep(0.05)
        async with self:
            self.counter += 1

    @rx.background(policy="replace")
    async def replacer(self, tag: int) -> None:
        async with self:
            self.items.append(tag)
        await asyncio.sleep(0.05)
        async with self:
            self.items.append(tag * 10)

    @rx.background(policy="queue")
    async def queued(self, tag: int) -> None:
        async with self:
            self.items.append(tag)
        await asyncio.sleep(0.01)
        async with self:
            self.items.append(-tag)

    def starts_task(self) -> Any:
        self.running = True
        return T.bump(3)

    def calls_task(self) -> None:
        self.bump()

    def increment(self) -> None:
        self.counter += 1

    @rx.background
    async def reads_outside(self) -> int:
        return self.counter


async def test_async_with_changes_and_sends_one_update(wire: Wire) -> None:
    """A block's writes arrive as one update message when the block exits."""
    s = T()
    rx.model(s)
    wire.clear()
    h = rx.start(T.bump, 3, state=s)
    await h
    assert s.counter == 3
    assert [u["v_counter"] for u in wire.updates()] == [1, 2, 3]


async def test_both_decorators_start_and_track_runs() -> None:
    """@background and @event(background=True) tasks live in app.background_tasks while running."""
    s = T()
    h = rx.start(T.via_event, state=s)
    assert h.task in rx.app.background_tasks
    assert await h == "ok"
    assert h.task not in rx.app.background_tasks
    assert h.status == "done" and s.counter == 100


async def test_handler_return_starts_background_task() -> None:
    """Returning a background task reference from a handler starts it."""
    s = T()
    await rx.fire(T.starts_task, state=s)
    runs = rx.app.runs()
    assert len(runs) == 1 and runs[0].args == [3]
    await runs[0]
    assert s.counter == 3


async def test_writes_outside_block_raise_immutable_state_error() -> None:
    """Assignments and container mutations outside `async with self` raise and change nothing."""
    s = T()
    for task in (T.write_outside, T.mutate_outside):
        h = rx.start(task, state=s)
        with pytest.raises(rx.ImmutableStateError, match="async with self"):
            await h
    assert s.counter == 0 and s.items == []


async def test_reads_outside_block_are_allowed() -> None:
    """A task may read state outside a block."""
    s = T(counter=4)
    assert await rx.start(T.reads_outside, state=s) == 4


async def test_nested_block_raises() -> None:
    """Entering `async with self` twice in one task raises instead of deadlocking."""
    s = T()
    with pytest.raises(rx.NestedBlockError):
        await rx.start(T.nested, state=s)
    assert not s._nbstate.lock.locked()


async def test_calling_a_background_task_directly_raises() -> None:
    """Calling a task directly says to yield or return it instead."""
    s = T()
    with pytest.raises(rx.BackgroundCallError, match=r"return T\.bump"):
        await rx.start(T.call_directly, state=s)
    with pytest.raises(rx.BackgroundCallError, match="yield"):
        await rx.fire(T.calls_task, state=s)
    with pytest.raises(rx.BackgroundCallError, match=r"nbstate\.start"):
        s.bump()


async def test_handle_cancel_rolls_back_and_reports_status() -> None:
    """Cancelling a run stops it, releases the lock and marks it cancelled."""
    s = T()
    h = rx.start(T.forever, state=s)
    await asyncio.sleep(0.02)
    assert h.status == "running" and s.counter > 0
    h.cancel()
    with pytest.raises(asyncio.CancelledError):
        await h
    assert h.status == "cancelled" and h.done()
    assert not s._nbstate.lock.locked()
    assert h.task not in rx.app.background_tasks


async def test_cancel_all_for_instance_and_kernel() -> None:
    """cancel_all stops runs of one instance, or of every instance."""
    a, b = T(), T()
    ha = rx.start(T.forever, state=a)
    hb = rx.start(T.forever, state=b)
    await asyncio.sleep(0.005)
    assert rx.cancel_all(a) == [ha]
    await asyncio.gather(ha, return_exceptions=True)
    assert ha.status == "cancelled" and hb.status == "running"
    assert rx.cancel_all() == [hb]
    await asyncio.gather(hb, return_exceptions=True)
    assert hb.status == "cancelled"


async def test_close_cancels_runs_and_refuses_changes() -> None:
    """Closing an instance cancels its runs; afterwards it cannot change."""
    s = T()
    h = rx.start(T.forever, state=s)
    await asyncio.sleep(0.005)
    rx.close(s)
    await asyncio.gather(h, return_exceptions=True)
    assert h.status == "cancelled"
    with pytest.raises(rx.StateClosedError):
        s.counter = 1
    with pytest.raises(rx.StateClosedError):
        rx.start(T.bump, state=s)


async def test_policy_skip_keeps_the_running_run() -> None:
    """With policy skip, starting again while running returns the running handle."""
    s = T()
    h1 = rx.start(T.skipper, state=s)
    h2 = rx.start(T.skipper, state=s)
    assert h1 is h2
    await h1
    assert s.counter == 1


async def test_policy_replace_cancels_the_running_run() -> None:
    """With policy replace, a new run cancels the old one."""
    s = T()
    h1 = rx.start(T.replacer, 1, state=s)
    await asyncio.sleep(0.01)
    h2 = rx.start(T.replacer, 2, state=s)
    await h2
    assert h1.status == "cancelled"
    assert s.items == [1, 2, 20]


async def test_policy_queue_runs_one_after_another() -> None:
    """With policy queue, runs do not overlap and keep their order."""
    s = T()
    hs = [rx.start(T.queued, i, state=s) for i in (1, 2, 3)]
    await asyncio.gather(*hs)
    assert s.items == [1, -1, 2, -2, 3, -3]


async def test_policy_allow_runs_concurrently() -> None:
    """The default policy lets several runs of one task overlap."""
    s = T()
    hs = [rx.start(T.bump, 5, state=s) for _ in range(4)]
    await asyncio.gather(*hs)
    assert s.counter == 20


async def test_cell_write_applies_when_free_and_refuses_when_locked() -> None:
    """A cell write applies at once when the lock is free; while held it says to use async with."""
    s = T()
    s.counter = 3
    assert s.counter == 3
    entered = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with s:
            entered.set()
            await release.wait()

    holder = asyncio.ensure_future(hold())
    await entered.wait()
    with pytest.raises(rx.StateLockedError, match="async with state"):
        s.counter = 4
    with pytest.raises(rx.StateLockedError):
        s.items.append(1)
    release.set()
    await holder
    async with s:
        s.counter = 4
    assert s.counter == 4 and s.items == []


async def test_no_lost_updates_under_concurrency(wire: Wire) -> None:
    """200 tasks x 100 increments plus 1,000 frontend events end exact, in kernel and on wire."""
    s = T()
    m = rx.model(s)
    tasks = [rx.start(T.bump, 100, state=s) for _ in range(200)]
    for i in range(1000):
        Wire.send(m, {"kind": "event", "id": i, "handler": "increment", "args": []})
        if i % 10 == 0:
            await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    await rx.idle()
    assert s.counter == 21_000
    frontend: dict[str, Any] = {}
    for update in wire.updates():
        frontend.update(update)
    assert frontend["v_counter"] == 21_000
    assert m.v_counter == 21_000
    done = [c for c in wire.customs() if c.get("kind") == "done"]
    assert len(done) == 1000


async def test_queue_survives_a_cancelled_queued_run() -> None:
    """Runs A, B, C queued; B cancelled: C still waits for A, and runs after it."""
    order: list[str] = []
    gate = asyncio.Event()

    class Q(rx.State):
        @rx.background(policy="queue")
        async def job(self, name: str) -> None:
            order.append(f"{name} start")
            if name == "A":
                await gate.wait()
            order.append(f"{name} end")

    q = Q()
    a = rx.start(Q.job, "A", state=q)
    b = rx.start(Q.job, "B", state=q)
    c = rx.start(Q.job, "C", state=q)
    await settle()
    b.cancel()
    await settle(20)
    assert order == ["A start"]
    gate.set()
    await asyncio.gather(a.wait(), c.wait())
    assert b.status == "cancelled"
    assert order == ["A start", "A end", "C start", "C end"]
