"""A transaction covers every state it writes: commit together, roll back together, no hangs."""

from __future__ import annotations

import asyncio

import pytest

import nbstate as rx

from .conftest import Wire, settle


class A(rx.State):
    x: int = 0
    log: list[str] = []

    def go(self) -> None:
        self.x = 1
        rx.get_state(B).y = 99
        raise ValueError("fails after writing two states")

    def both(self) -> None:
        self.x += 1
        rx.get_state(B).y += 1

    async def joins(self) -> None:
        b = await self.get_state(B)
        b.y = 7
        self.x = 7

    async def joins_then_fails(self) -> None:
        b = await self.get_state(B)
        b.y = 5
        raise RuntimeError("after get_state")

    def two_steps(self):  # type: ignore[no-untyped-def]
        rx.get_state(B).y = 1
        yield
        raise KeyError("second step")

    @rx.background
    async def nested(self) -> None:
        async with self:
            self.x = 3
            b = rx.get_state(B)
            async with b:
                b.y = 3

    @rx.background
    async def a_then_b(self, gate: asyncio.Event) -> None:
        async with self:
            await gate.wait()
            b = await self.get_state(B)
            b.y = 1


class B(rx.State):
    y: int = 0

    @rx.background
    async def b_then_a(self, gate: asyncio.Event) -> None:
        async with self:
            gate.set()
            await asyncio.sleep(0.01)
            a = await self.get_state(A)
            a.x = 1


async def test_writes_to_another_state_roll_back_with_the_step(wire: Wire) -> None:
    """A handler that writes A and B and then raises leaves both unchanged, and sends nothing."""
    a, b = rx.get_state(A), rx.get_state(B)
    rx.model(a), rx.model(b)
    wire.clear()
    with pytest.raises(ValueError) as info:
        await rx.fire(A.go)
    assert (a.x, b.y) == (0, 0)
    assert wire.updates() == [] or all("v_x" not in u and "v_y" not in u for u in wire.updates())
    assert any("rolled back" in note for note in info.value.__notes__)


async def test_two_states_commit_together(wire: Wire) -> None:
    """A handler's writes to its own and another state arrive in one commit each."""
    a, b = rx.get_state(A), rx.get_state(B)
    ma, mb = rx.model(a), rx.model(b)
    await rx.fire(A.both)
    assert (a.x, b.y) == (1, 1)
    assert Wire.frontend(ma)["v_x"] == 1 and Wire.frontend(mb)["v_y"] == 1


async def test_await_get_state_joins_and_rolls_back(wire: Wire) -> None:
    """`await self.get_state(Other)` joins the step: its writes commit or roll back with it."""
    a, b = rx.get_state(A), rx.get_state(B)
    await rx.fire(A.joins)
    assert (a.x, b.y) == (7, 7)
    with pytest.raises(RuntimeError):
        await rx.fire(A.joins_then_fails)
    assert b.y == 7


async def test_other_state_lock_is_held_until_the_step_ends() -> None:
    """A joined state's lock is held until the step ends: a cell write meanwhile is refused."""
    b = rx.get_state(B)
    entered = asyncio.Event()
    release = asyncio.Event()

    class C(rx.State):
        z: int = 0

        async def hold(self) -> None:
            other = await self.get_state(B)
            other.y = 42
            entered.set()
            await release.wait()

    fired = rx.fire(C.hold)
    await entered.wait()
    with pytest.raises(rx.StateLockedError, match="async with state"):
        b.y = 1
    assert b.y == 0  # a cell sees the committed value while the step is open
    release.set()
    await fired
    assert b.y == 42
    b.y = 1  # the lock is free again


async def test_sync_handler_writing_a_locked_state_says_how_to_wait() -> None:
    """A sync handler that writes a state another run holds gets StateLockedError with the fix."""
    b = rx.get_state(B)
    gate = asyncio.Event()

    async def hold() -> None:
        async with b:
            await gate.wait()

    holder = asyncio.ensure_future(hold())
    await settle()
    with pytest.raises(rx.StateLockedError, match=r"await self.get_state\(B\)"):
        await rx.fire(A.both)
    gate.set()
    await holder
    assert rx.get_state(A).x == 0  # the failed step rolled its own write back too


async def test_each_step_of_a_generator_commits_its_other_states() -> None:
    """Earlier steps stay committed; only the failing step rolls back."""
    b = rx.get_state(B)
    with pytest.raises(KeyError):
        await rx.fire(A.two_steps)
    assert b.y == 1


async def test_nested_block_on_another_state_is_allowed() -> None:
    """`async with other:` inside `async with self:` works for a different state."""
    a = rx.get_state(A)
    await rx.start(A.nested, state=a)
    assert (a.x, rx.get_state(B).y) == (3, 3)


async def test_lock_order_deadlock_is_raised_not_hung() -> None:
    """Two runs taking A then B and B then A: one gets DeadlockError, nothing hangs."""
    gate = asyncio.Event()
    h1 = rx.start(A.a_then_b, gate)
    h2 = rx.start(B.b_then_a, gate)
    done, _ = await asyncio.wait([h1.task, h2.task], timeout=5)  # type: ignore[list-item]
    assert len(done) == 2
    errors = [h.exception() for h in (h1, h2)]
    deadlocks = [e for e in errors if isinstance(e, rx.DeadlockError)]
    assert len(deadlocks) == 1
    assert "would wait forever" in str(deadlocks[0])


async def test_computed_var_reading_another_state_is_recomputed(wire: Wire) -> None:
    """A computed var that reads another state follows it, in the kernel and on the wire."""

    class Total(rx.State):
        base: int = 1

        @rx.var
        def total(self) -> int:
            return self.base + rx.get_state(B).y

    t = Total()
    m = rx.model(t)
    assert t.total == 1
    b = rx.get_state(B)
    b.y = 10
    assert t.total == 11
    assert Wire.frontend(m)["v_total"] == 11
    async with b:
        b.y = 20
    assert Wire.frontend(m)["v_total"] == 21
    with pytest.raises(RuntimeError):
        async with b:
            b.y = 99
            raise RuntimeError("roll back")
    assert t.total == 21 and Wire.frontend(m)["v_total"] == 21
