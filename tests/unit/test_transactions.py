"""Transactions: failures roll back, nothing of them is sent, the lock is released."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import nbstate as rx

from .conftest import Wire


class X(rx.State):
    a: int = 0
    b: str = ""
    items: list[int] = []
    _hidden: int = 0

    def fail_after_writes(self) -> None:
        self.a = 1
        self.items.append(1)
        self._hidden = 7
        raise ValueError("handler failed")

    def gen_fails_in_second_step(self) -> Any:
        self.a = 1
        yield
        self.a = 2
        self.b = "x"
        raise KeyError("second step")

    @rx.background
    async def block_fails(self) -> None:
        async with self:
            self.a = 5
        async with self:
            self.a = 6
            self.items.append(6)
            raise RuntimeError("in block")

    @rx.background
    async def cancelled_in_block(self, started: asyncio.Event) -> None:
        async with self:
            self.a = 42
            started.set()
            await asyncio.sleep(10)


async def test_handler_exception_rolls_back_everything(wire: Wire) -> None:
    """A failing handler leaves vars, containers and backend vars unchanged and sends nothing."""
    s = X()
    rx.model(s)
    wire.clear()
    with pytest.raises(ValueError):
        await rx.fire(X.fail_after_writes, state=s)
    assert (s.a, s.items, s._hidden) == (0, [], 0)
    assert not any("v_a" in u or "v_items" in u for u in wire.updates())
    assert not s._nbstate.lock.locked()


async def test_generator_failure_rolls_back_only_the_failed_step(wire: Wire) -> None:
    """Changes already yielded stay; the failing step's changes roll back."""
    s = X()
    rx.model(s)
    wire.clear()
    with pytest.raises(KeyError):
        await rx.fire(X.gen_fails_in_second_step, state=s)
    assert (s.a, s.b) == (1, "")
    assert [u.get("v_a") for u in wire.updates() if "v_a" in u] == [1]


async def test_block_exception_rolls_back_that_block_only(wire: Wire) -> None:
    """An exception escaping a block undoes that block; earlier blocks stay committed."""
    s = X()
    rx.model(s)
    wire.clear()
    with pytest.raises(RuntimeError):
        await rx.start(X.block_fails, state=s)
    assert s.a == 5 and s.items == []
    assert [u["v_a"] for u in wire.updates() if "v_a" in u] == [5]
    assert not s._nbstate.lock.locked()


async def test_cancellation_inside_block_rolls_back_and_releases(wire: Wire) -> None:
    """Cancelling a task inside a block undoes the block and frees the lock."""
    s = X()
    rx.model(s)
    wire.clear()
    started = asyncio.Event()
    h = rx.start(X.cancelled_in_block, started, state=s)
    await started.wait()
    h.cancel()
    await asyncio.gather(h, return_exceptions=True)
    assert s.a == 0 and not s._nbstate.lock.locked()
    assert not any("v_a" in u for u in wire.updates())
    s.a = 1
    assert s.a == 1


async def test_cell_block_rolls_back() -> None:
    """`async with state:` in a cell rolls back on error too."""
    s = X()
    with pytest.raises(ZeroDivisionError):
        async with s:
            s.a = 3
            _ = 1 / 0
    assert s.a == 0


async def test_unsendable_value_rolls_back_and_raises() -> None:
    """Assigning a value that cannot be sent fails the block instead of being lost later."""

    class Y(rx.State):
        data: Any = None

    s = Y()
    with pytest.raises(TypeError, match="cannot be sent"):
        s.data = object()
    assert s.data is None
    with pytest.raises(TypeError):
        async with s:
            s.data = {1j: 2}
    assert s.data is None


class V(rx.State):
    v: int = 0

    def bad_return(self) -> int:
        self.v = 1
        return 42  # not an event: the step fails before it commits

    def bad_yield(self) -> Any:
        self.v = 1
        yield
        self.v = 2
        yield 42

    def fails_before_writing(self) -> None:
        raise ValueError("nothing written")


async def test_a_step_commits_only_after_its_return_value_is_checked(wire: Wire) -> None:
    """A handler that writes and returns a non-event: nothing kept, nothing sent, a true note."""
    s = V()
    m = rx.model(s)
    wire.clear()
    with pytest.raises(TypeError) as info:
        await rx.fire(V.bad_return, state=s)
    assert s.v == 0 and Wire.frontend(m)["v_v"] == 0
    assert not any("v_v" in u for u in wire.updates())
    assert "returned or yielded 42" in str(info.value) and "defined at" in str(info.value)
    assert info.value.__notes__ == [
        "nbstate: the failed step of V.bad_return was rolled back; none of its changes were sent."
    ]


async def test_a_failing_later_step_rolls_back_only_itself() -> None:
    """A generator's earlier (yielded) steps stay committed; the note says only the step."""
    s = V()
    with pytest.raises(TypeError) as info:
        await rx.fire(V.bad_yield, state=s)
    assert s.v == 1
    assert "failed step" in info.value.__notes__[0]


async def test_no_rollback_is_claimed_when_nothing_was_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A handler that fails before writing gets no 'rolled back' note, printed or raised."""
    s = V()
    with pytest.raises(ValueError) as info:
        await rx.fire(V.fails_before_writing, state=s)
    assert not getattr(info.value, "__notes__", [])
    rx.fire(V.fails_before_writing, state=s)
    await rx.idle()
    printed = capsys.readouterr().err
    assert "V.fails_before_writing raised ValueError" in printed and "rolled back" not in printed
