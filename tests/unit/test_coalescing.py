"""Coalescing: bursts merge to about one message per frame; the first and last always go out."""

from __future__ import annotations

import asyncio
import time

import pytest

import nbstate as rx
from nbstate._base.app import app

from .conftest import Wire


class Burst(rx.State):
    n: int = 0
    items: list[int] = []

    @rx.background
    async def run(self, count: int) -> None:
        for _ in range(count):
            async with self:
                self.n += 1
                self.items.append(self.n)
            await asyncio.sleep(0)


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn coalescing on at one frame (16 ms)."""
    monkeypatch.setattr(app, "coalesce_window", 0.016)


async def test_burst_stays_within_frame_budget_and_ends_exact(frames: None, wire: Wire) -> None:
    """A flat-out loop sends at most about one update per 16 ms and the final value arrives."""
    s = Burst()
    m = rx.model(s)
    wire.clear()
    t0 = time.monotonic()
    await rx.start(Burst.run, 3000, state=s)
    elapsed = time.monotonic() - t0
    await asyncio.sleep(0.05)
    updates = wire.updates()
    assert len(updates) <= elapsed / 0.016 + 2, (len(updates), elapsed)
    assert len(updates) < 3000 / 10
    front = Wire.frontend(m)
    assert front["v_n"] == 3000 and front["v_items"] == list(range(1, 3001))


async def test_first_change_after_quiet_goes_out_at_once(frames: None, wire: Wire) -> None:
    """After a quiet period, a change is sent immediately, not at the end of a frame."""
    s = Burst()
    rx.model(s)
    await asyncio.sleep(0.03)
    wire.clear()
    s.n = 1
    assert wire.updates() == [{"v_n": 1}]
    s.n = 2  # within the frame: held back
    assert wire.updates() == [{"v_n": 1}]
    await asyncio.sleep(0.03)
    assert wire.updates() == [{"v_n": 1}, {"v_n": 2}]


async def test_coalescing_can_be_turned_off(wire: Wire) -> None:
    """With the window at 0 every change set is its own message."""
    assert app.coalesce_window == 0
    s = Burst()
    rx.model(s)
    wire.clear()
    await rx.start(Burst.run, 50, state=s)
    assert [u["v_n"] for u in wire.updates()] == list(range(1, 51))


async def test_rolled_back_block_never_reaches_pending(frames: None, wire: Wire) -> None:
    """A failing block inside a burst leaves nothing of itself in the merged update."""
    s = Burst()
    m = rx.model(s)
    s.n = 1
    with pytest.raises(RuntimeError):
        async with s:
            s.n = 99
            raise RuntimeError
    await asyncio.sleep(0.04)
    assert Wire.frontend(m)["v_n"] == 1
    assert all(u.get("v_n") != 99 for u in wire.updates())


async def test_many_busy_states_share_one_message_per_frame(frames: None, wire: Wire) -> None:
    """100 states, each changed by its own task, still send about one message per frame in all,
    and every state's final value arrives."""
    states = [Burst() for _ in range(100)]
    models = [rx.model(s) for s in states]
    await asyncio.sleep(0.03)
    wire.clear()
    t0 = time.monotonic()
    await asyncio.gather(*(rx.start(Burst.run, 200, state=s) for s in states))
    elapsed = time.monotonic() - t0
    await asyncio.sleep(0.05)
    sent = [t for t, _, _ in wire.messages if t == "comm_msg"]
    batches = wire.batches()
    assert len(sent) == len(batches), "every change went out inside a hub batch"
    assert len(batches) <= elapsed / 0.016 + 3, (len(batches), elapsed)
    assert sum(len(b["models"]) for b in batches) > len(batches), "batches carry many states"
    for m in models:
        front = Wire.frontend(m)
        assert front["v_n"] == 200 and front["v_items"] == list(range(1, 201))
