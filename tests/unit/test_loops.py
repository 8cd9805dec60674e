"""States belong to no event loop: headless tests that each run their own loop just work."""

from __future__ import annotations

import asyncio

import nbstate as rx


class L(rx.State):
    n: int = 0

    def inc(self) -> None:
        self.n += 1

    @rx.background
    async def hold(self, entered: asyncio.Event, release: asyncio.Event) -> None:
        async with self:
            entered.set()
            await release.wait()


async def _contended_run() -> int:
    entered, release = asyncio.Event(), asyncio.Event()
    s = rx.get_state(L)
    holder = rx.start(L.hold, entered, release)
    await entered.wait()
    fired = [rx.fire(L.inc) for _ in range(3)]  # these wait for the lock on this loop
    release.set()
    await holder
    for f in fired:
        await f
    return s.n


def test_one_default_instance_serves_loop_after_loop() -> None:
    """Handlers of a default instance run on a first loop, then on a second one, contended."""
    assert asyncio.run(_contended_run()) == 3
    assert asyncio.run(_contended_run()) == 6


def test_a_loop_closed_with_a_block_open_leaves_the_lock_free() -> None:
    """A loop that ends while a task holds the lock rolls the block back and frees the lock."""
    entered = asyncio.Event()

    async def leave_it_holding() -> None:
        nonlocal entered
        entered = asyncio.Event()
        rx.start(L.hold, entered, asyncio.Event())
        await entered.wait()

    asyncio.run(leave_it_holding())
    assert asyncio.run(_contended_run()) == 3


async def test_first_async_test_on_its_own_loop() -> None:
    """One pytest-asyncio test, on its own loop, fires a handler of the default instance."""
    await rx.fire(L.inc)
    assert rx.get_state(L).n == 1


async def test_second_async_test_on_its_own_loop() -> None:
    """The next test, on a new loop, does the same without any reset of its own."""
    await rx.fire(L.inc)
    assert rx.get_state(L).n == 1
