"""``reset()``: every State has it, as a handler and as a method; it is one change."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import nbstate as rx

from .conftest import Wire


class R(rx.State):
    n: int = 1
    name: str = "start"
    items: list[int] = [1, 2]
    tags: dict[str, int] = {"a": 1}
    _seen: list[str] = []
    _count: int = 0

    @rx.var
    def double(self) -> int:
        return self.n * 2

    def change(self) -> None:
        self.n = 5
        self.name = "changed"
        self.items.append(3)
        self.tags["b"] = 2
        self._seen.append("x")
        self._count = 9

    def reset_then_set(self) -> None:
        self.n = 7
        self.reset()
        self.name = "after"

    def reset_then_fail(self) -> None:
        self.reset()
        raise RuntimeError("boom")

    @rx.background
    async def reset_in_block(self) -> None:
        async with self:
            self.reset()
            self._count = 1

    @rx.background
    async def reset_outside_block(self) -> None:
        self.reset()


def _changed(r: R) -> None:
    r.change()


def _is_default(r: R) -> bool:
    return (r.n, r.name, r.items, r.tags, r._seen, r._count, r.double) == (
        1,
        "start",
        [1, 2],
        {"a": 1},
        [],
        0,
        2,
    )


async def test_reset_is_a_handler_that_restores_every_var(wire: Wire) -> None:
    """`await rx.fire(R.reset)` sets public and backend vars back; computed vars follow."""
    r = rx.get_state(R)
    m = rx.model(r)
    await rx.fire(R.change)
    assert r.n == 5 and r._count == 9 and r.double == 10
    wire.clear()
    await rx.fire(R.reset)
    await rx.idle()
    assert _is_default(r)
    front = Wire.frontend(m)
    assert (front["v_n"], front["v_items"], front["v_tags"], front["v_double"]) == (
        1,
        [1, 2],
        {"a": 1},
        2,
    )
    assert "_seen" not in wire.text() and "_count" not in wire.text()


async def test_reset_is_one_commit(wire: Wire) -> None:
    """Observers see one change per var and the browser one update for the whole reset."""
    r = rx.get_state(R)
    m = rx.model(r)
    await rx.fire(R.change)
    await rx.idle()
    seen: list[tuple[str, Any]] = []
    m.observe(lambda c: seen.append((c["name"], c["new"])), names=["v_n", "v_name", "v_items"])
    wire.clear()
    await rx.fire(R.reset)
    await rx.idle()
    assert sorted(seen) == [("v_items", [1, 2]), ("v_n", 1), ("v_name", "start")]
    updates = wire.updates()
    assert len(updates) == 1
    assert updates[0]["v_n"] == 1 and updates[0]["v_double"] == 2


async def test_defaults_are_fresh_copies() -> None:
    """A reset gives new containers: changing them never changes the default or other states."""
    a, b = R(), R()
    a.reset()
    a.items.append(99)
    a._seen.append("mine")
    b.reset()
    assert b.items == [1, 2] and b._seen == []
    assert R._nbstate_meta.vars["items"].default == [1, 2]
    a.reset()
    assert a.items == [1, 2] and a._seen == []


async def test_reset_resets_to_declared_defaults_not_constructor_values() -> None:
    """Values given to the constructor are not defaults."""
    r = R(n=40, items=[7])
    r.reset()
    assert r.n == 1 and r.items == [1, 2]


async def test_self_reset_inside_a_handler_joins_its_step() -> None:
    """`self.reset()` changes the vars in the open step; later writes of the step stay."""
    r = rx.get_state(R)
    await rx.fire(R.change)
    await rx.fire(R.reset_then_set)
    assert (r.n, r.name, r.items, r._count) == (1, "after", [1, 2], 0)


async def test_a_failing_step_rolls_the_reset_back(wire: Wire) -> None:
    """A reset in a step that raises is undone with the step and never reaches the browser."""
    r = rx.get_state(R)
    m = rx.model(r)
    await rx.fire(R.change)
    await rx.idle()
    wire.clear()
    with pytest.raises(RuntimeError, match="boom") as info:
        await rx.fire(R.reset_then_fail)
    assert any("rolled back" in note for note in getattr(info.value, "__notes__", []))
    assert (r.n, r.name, r.items, r.tags, r._seen, r._count) == (
        5,
        "changed",
        [1, 2, 3],
        {"a": 1, "b": 2},
        ["x"],
        9,
    )
    await rx.idle()
    assert [set(u) for u in wire.updates()] == [{"_nbstate_errors"}]  # the error, no values
    assert Wire.frontend(m)["v_n"] == 5
    assert rx.errors(r)  # recorded, not swallowed


async def test_self_reset_in_a_background_block_and_outside_it() -> None:
    """In `async with self:` a reset joins the block; outside it, it is refused."""
    r = rx.get_state(R)
    await rx.fire(R.change)
    await rx.start(R.reset_in_block).wait()
    assert (r.n, r.items, r._count) == (1, [1, 2], 1)
    await rx.fire(R.change)
    h = rx.start(R.reset_outside_block)
    await asyncio.wait([h.task])  # type: ignore[list-item]
    assert isinstance(h.exception(), rx.ImmutableStateError)
    assert "async with self" in str(h.exception())
    assert r.n == 5 and r._count == 9


async def test_reset_from_a_cell_is_one_change_or_refused_while_locked(wire: Wire) -> None:
    """From a cell, reset commits once; while a handler holds the lock it raises, changing
    nothing, and `async with state:` is the way."""
    r = rx.get_state(R)
    m = rx.model(r)
    _changed(r)
    await rx.idle()
    wire.clear()
    r.reset()
    await rx.idle()
    assert _is_default(r) and len(wire.updates()) == 1
    _changed(r)
    async with r:
        other = asyncio.ensure_future(_reset_elsewhere(r))
        await asyncio.wait([other])
    with pytest.raises(rx.StateLockedError, match="async with state"):
        other.result()
    assert r.n == 5 and r._count == 9
    async with r:
        r.reset()
    assert _is_default(r) and Wire.frontend(m)["v_n"] == 1


async def _reset_elsewhere(r: R) -> None:
    r.reset()  # another task, not in a transaction: the lock is held, so it is refused


async def test_on_click_reset_and_the_browser_can_call_it(wire: Wire) -> None:
    """`on_click=R.reset` is an ordinary event binding, and the browser may send it."""
    view = rx.view(rx.button("Reset", on_click=R.reset))
    assert '"handler": "reset"' in str(view.tree).replace("'", '"')
    r = rx.get_state(R)
    m = rx.model(r)
    _changed(r)
    Wire.send(m, {"kind": "event", "id": 1, "handler": "reset", "args": []})
    await rx.idle()
    assert _is_default(r)
    assert "reset" in R._nbstate_meta.handlers


async def test_a_users_own_reset_wins() -> None:
    """A handler named reset replaces the built-in one, in the class and its subclasses."""

    class Own(rx.State):
        n: int = 0
        log: list[str] = []

        def reset(self, to: int = 3) -> None:
            self.log.append("mine")
            self.n = to

    class Sub(Own):
        m: int = 0

    s = Own()
    await rx.fire(Own.reset, 8, state=s)
    assert s.n == 8 and s.log == ["mine"]
    sub = Sub(m=4)
    sub.reset()
    assert (sub.n, sub.m, sub.log) == (3, 4, ["mine"])


def test_a_var_named_reset_is_a_var() -> None:
    """A var may be called reset; then there is no reset handler."""

    class V(rx.State):
        reset: int = 0

    v = V()
    v.reset = 2
    assert v.reset == 2 and "reset" not in V._nbstate_meta.handlers
    assert isinstance(V.reset, rx.Var)


def test_a_subclass_resets_its_own_and_inherited_vars() -> None:
    """The built-in reset of a subclass covers the vars it declares and those it inherits."""

    class Base(rx.State):
        a: int = 1

    class Derived(Base):
        b: list[int] = [2]

    d = Derived(a=5, b=[])
    d.reset()
    assert (d.a, d.b) == (1, [2])
    assert Derived._nbstate_meta.handlers["reset"].qualname == "Derived.reset"
    assert Base._nbstate_meta.handlers["reset"].qualname == "Base.reset"
