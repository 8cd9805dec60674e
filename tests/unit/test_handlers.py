"""Event handlers: kinds, yield, chaining, ordering, and firing from Python."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import nbstate as rx

from .conftest import Wire, settle


class H(rx.State):
    x: int = 0
    log: list[str] = []

    def plain(self, n: int) -> None:
        self.x += n

    async def coro(self, n: int) -> None:
        await asyncio.sleep(0)
        self.x += n

    def gen(self) -> Any:
        self.x = 1
        yield
        self.x = 2
        yield
        self.x = 3

    async def agen(self) -> Any:
        self.x = 10
        yield
        await asyncio.sleep(0)
        self.x = 20

    def chain_return(self) -> Any:
        self.log.append("first")
        return H.second

    def chain_args(self) -> Any:
        return [H.record("a"), H.record("b")]

    def chain_yield(self) -> Any:
        self.log.append("y1")
        yield H.record("after-y1")
        self.log.append("y2")

    def second(self) -> None:
        self.log.append("second")

    def record(self, tag: str) -> None:
        self.log.append(tag)

    async def slow(self, tag: str) -> None:
        self.log.append(f"start {tag}")
        await asyncio.sleep(0.01)
        self.log.append(f"end {tag}")

    def bad_return(self) -> int:
        return 5


async def test_sync_and_async_handlers_run_and_return() -> None:
    """fire runs sync and async handlers with coerced args and returns their result."""
    s = rx.get_state(H)
    await rx.fire(H.plain, "2")
    await rx.fire(H.coro(3))
    assert s.x == 5


async def test_generator_yield_sends_changes_so_far(wire: Wire) -> None:
    """Each yield sends one update with the changes made so far."""
    s = H()
    rx.model(s)
    wire.clear()
    await rx.fire(H.gen, state=s)
    assert [u["v_x"] for u in wire.updates()] == [1, 2, 3]
    wire.clear()
    await rx.fire(H.agen, state=s)
    assert [u["v_x"] for u in wire.updates()] == [10, 20]


async def test_return_and_yield_chain_events_after_current() -> None:
    """Returned or yielded handler references run after the current handler."""
    s = H()
    await rx.fire(H.chain_return, state=s)
    await settle()
    assert s.log == ["first", "second"]
    s.log.clear()
    await rx.fire(H.chain_args, state=s)
    await settle()
    assert s.log == ["a", "b"]
    s.log.clear()
    await rx.fire(H.chain_yield, state=s)
    await settle()
    assert s.log == ["y1", "y2", "after-y1"]


async def test_chained_class_reference_targets_the_same_instance() -> None:
    """`return H.second` from a non-default instance runs on that instance."""
    s = H()
    await rx.fire(H.chain_return, state=s)
    await settle()
    assert s.log == ["first", "second"]
    assert rx.get_state(H).log == []


async def test_handlers_of_one_instance_run_one_at_a_time_in_order() -> None:
    """Events queue on the instance lock and run in arrival order without overlapping."""
    s = H()
    futs = [rx.fire(H.slow(str(i)), state=s) for i in range(3)]
    await asyncio.gather(*futs)
    assert s.log == ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]


async def test_returning_a_non_event_is_an_error() -> None:
    """A handler returning something that is not an event fails loudly."""
    s = H()
    with pytest.raises(TypeError, match="returned or yielded 5"):
        await rx.fire(H.bad_return, state=s)
    assert len(rx.errors(s)) == 1


async def test_fire_checks_arguments() -> None:
    """fire refuses wrong arity and uncoercible arguments before running anything."""
    s = H()
    with pytest.raises(rx.EventRejected, match="takes 1"):
        rx.fire(H.plain, state=s)
    with pytest.raises(rx.EventRejected, match="'n'"):
        rx.fire(H.plain("x"), state=s)
    assert s.x == 0


async def test_instance_method_call_runs_directly() -> None:
    """Calling a handler on an instance is a plain method call."""
    s = H()
    s.plain(4)
    assert s.x == 4
    await rx.fire(s.coro, 1)
    assert s.x == 5
