"""The one write path: every route into it behaves the same, on every Python it supports."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import nbstate as rx
import nbstate._base.loop as loop_module

from .conftest import Wire


class W(rx.State):
    n: int = 0
    items: list[int] = []
    _hidden: int = 0

    @rx.var
    def double(self) -> int:
        return self.n * 2

    def in_handler(self) -> None:
        _apply(self)

    @rx.background
    async def in_block(self) -> None:
        async with self:
            _apply(self)

    @rx.background
    async def outside_block(self) -> None:
        self.n = 1


class Other(rx.State):
    async def joined(self) -> None:
        w = await self.get_state(W)
        _apply(w)

    def joined_sync(self) -> None:
        _apply(rx.get_state(W))


def _apply(w: W) -> None:
    w.n = 5
    w.items.append(1)
    w.items[0] = 2
    w._hidden = 3


async def _from_cell(w: W) -> None:
    _apply(w)


async def _from_cell_block(w: W) -> None:
    async with w:
        _apply(w)


ROUTES: dict[str, Callable[[W], Awaitable[Any]]] = {
    "a cell (each write commits alone)": _from_cell,
    "a cell's async with": _from_cell_block,
    "a handler (the inlined fast path)": lambda w: rx.fire(W.in_handler, state=w),
    "a background block (the inlined fast path)": lambda w: rx.start(W.in_block, state=w).wait(),
    "another state's step that joins": lambda w: rx.fire(Other.joined),
    "another state's sync step that joins": lambda w: rx.fire(Other.joined_sync),
}


@pytest.mark.parametrize("route", list(ROUTES))
async def test_every_route_writes_the_same(route: str, wire: Wire) -> None:
    """Assignments and in-place changes give the same kernel and browser values on each route."""
    w = rx.get_state(W)
    m = rx.model(w)
    await ROUTES[route](w)
    await rx.idle()
    assert (w.n, w.items, w._hidden, w.double) == (5, [2], 3, 10)
    front = Wire.frontend(m)
    assert (front["v_n"], front["v_items"], front["v_double"]) == (5, [2], 10)
    assert "_hidden" not in wire.text() and "v__hidden" not in front


async def test_a_task_outside_its_block_cannot_write() -> None:
    """Outside `async with self:` a background task's write raises ImmutableStateError."""
    h = rx.start(W.outside_block)
    await asyncio.wait([h.task])  # type: ignore[list-item]
    assert isinstance(h.exception(), rx.ImmutableStateError)
    assert rx.get_state(W).n == 0


async def test_the_slow_running_task_lookup_gives_the_same_results(
    monkeypatch: pytest.MonkeyPatch, wire: Wire
) -> None:
    """Without the 3.11 dict of running tasks (as on 3.14), asyncio.current_task is used."""
    monkeypatch.setattr(loop_module, "_fast_get", None)
    for name, module in list(sys.modules.items()):
        if name.startswith("nbstate") and hasattr(module, "fast_task"):
            monkeypatch.setattr(module, "fast_task", lambda loop: None)
    assert loop_module.running_task() is asyncio.current_task()
    w = rx.get_state(W)
    for route in ROUTES.values():
        await route(w)
    await rx.idle()
    assert (w.n, w.items) == (5, [2, 1, 1, 1, 1, 1])
    with pytest.raises(rx.NestedBlockError):
        async with w, w:
            pass


async def test_a_reader_outside_the_block_sees_committed_scalars() -> None:
    """While a task's block is open, others read the committed value of a var it assigned."""
    w = rx.get_state(W)
    inside = asyncio.Event()
    finish = asyncio.Event()

    async def block(fail: bool) -> None:
        async with w:
            w.n = 7
            assert w.n == 7 and w.double == 14  # the writer sees its own change
            inside.set()
            await finish.wait()
            if fail:
                raise RuntimeError("roll back")

    for fail in (True, False):
        inside.clear()
        finish.clear()
        task = asyncio.ensure_future(block(fail))
        await inside.wait()
        assert w.n == 0 and w.double == 0  # not the uncommitted 7
        finish.set()
        await asyncio.gather(task, return_exceptions=True)
    assert w.n == 7 and w.double == 14


async def test_a_model_made_during_a_block_is_corrected_if_it_rolls_back(wire: Wire) -> None:
    """A model opened while a block has changed a list in place gets the list again on rollback."""
    w = rx.get_state(W)
    inside = asyncio.Event()
    finish = asyncio.Event()

    async def block() -> None:
        async with w:
            w.items.append(9)
            inside.set()
            await finish.wait()
            raise RuntimeError("roll back")

    task = asyncio.ensure_future(block())
    await inside.wait()
    m = rx.model(w)  # in-place changes of an open block are visible (see README)
    finish.set()
    await asyncio.gather(task, return_exceptions=True)
    assert w.items == [] and Wire.frontend(m)["v_items"] == []
