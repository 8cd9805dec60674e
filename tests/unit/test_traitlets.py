"""State traits behave as traitlets: typed, observable, linkable, and writes are setters."""

from __future__ import annotations

import asyncio
import enum
import math
from typing import Literal

import ipywidgets
import pytest
import traitlets

import nbstate as rx

from .conftest import Wire


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class T(rx.State):
    counter: int = 0
    ratio: float = 0.0
    name: str = ""
    flag: bool = False
    maybe: int | None = None
    mode: Literal["a", "b"] = "a"
    color: Color = Color.RED
    items: list[int] = []
    table: dict[str, int] = {}
    _secret: int = 1

    @rx.var
    def double(self) -> int:
        return self.counter * 2


def test_each_var_gets_a_trait_typed_from_its_annotation() -> None:
    """int is Int, float Float, str Unicode, bool Bool, lists List, dicts Dict, enums Enum."""
    m = rx.model(T())
    traits = m.traits()
    expected = {
        "v_counter": traitlets.Int,
        "v_ratio": traitlets.Float,
        "v_name": traitlets.Unicode,
        "v_flag": traitlets.Bool,
        "v_maybe": traitlets.Int,
        "v_mode": traitlets.Enum,
        "v_color": traitlets.Enum,
        "v_items": traitlets.List,
        "v_table": traitlets.Dict,
        "v_double": traitlets.Int,
    }
    for key, kind in expected.items():
        assert type(traits[key]) is kind, key
    assert traits["v_maybe"].allow_none and not traits["v_counter"].allow_none
    assert "v__secret" not in traits
    assert m.v_color == "red" and m.v_mode == "a"


async def test_observers_fire_once_per_committed_change_with_the_committed_value() -> None:
    """One call per commit, after it; nothing for a rolled-back block."""
    s = T()
    m = rx.model(s)
    seen: list[tuple[str, object, object]] = []
    m.observe(lambda c: seen.append((c["name"], c["old"], c["new"])), names=["v_counter"])
    s.counter = 5
    assert seen == [("v_counter", 0, 5)]
    async with s:
        s.counter = 6
        s.counter = 7
        assert len(seen) == 1  # nothing while the block is open
    assert seen[-1] == ("v_counter", 5, 7) and len(seen) == 2
    with pytest.raises(RuntimeError):
        async with s:
            s.counter = 100
            raise RuntimeError("roll back")
    assert len(seen) == 2 and m.v_counter == 7
    m.unobserve_all()
    s.counter = 8
    assert len(seen) == 2


async def test_observers_of_containers_see_old_and_new_values() -> None:
    """A patched list trait gives observers distinct old and new values."""
    s = T()
    m = rx.model(s)
    seen: list[tuple[object, object]] = []
    m.observe(lambda c: seen.append((c["old"], c["new"])), names=["v_items"])
    s.items.append(1)
    s.items.append(2)
    assert seen == [([], [1]), ([1], [1, 2])]


async def test_an_observer_error_is_reported_and_the_commit_stands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A failing observer does not undo the commit; its error is printed and recorded."""
    s = T()
    m = rx.model(s)

    def broken(change: object) -> None:
        raise ValueError("observer broke")

    m.observe(broken, names=["v_name"])
    s.name = "x"
    assert s.name == "x" and m.v_name == "x"
    assert "observer broke" in capsys.readouterr().err
    assert rx.errors(s)[-1].handler == "an observer of v_name"


async def test_a_python_trait_write_is_the_setter(wire: Wire) -> None:
    """m.v_counter = 77 sets the var (converted and checked); bad values change nothing."""
    s = T()
    m = rx.model(s)
    m.v_counter = 77
    assert s.counter == 77 and Wire.frontend(m)["v_counter"] == 77
    m.v_counter = "8"
    assert s.counter == 8
    with pytest.raises(rx.CoercionError, match=r"T\.counter"):
        m.v_counter = "seven"
    with pytest.raises(rx.CoercionError):
        m.set_trait("v_mode", "c")
    assert (s.counter, m.v_counter, s.mode) == (8, 8, "a")
    with pytest.raises(AttributeError, match="computed var"):
        m.v_double = 3
    gate = asyncio.Event()

    async def hold() -> None:
        async with s:
            await gate.wait()

    holder = asyncio.ensure_future(hold())
    await asyncio.sleep(0)
    with pytest.raises(rx.StateLockedError):
        m.v_counter = 9
    gate.set()
    await holder
    assert s.counter == 8


async def test_link_and_dlink_to_widgets_work_both_ways() -> None:
    """traitlets.link keeps an IntText and a var equal; dlink follows live."""
    s = T()
    m = rx.model(s)
    box = ipywidgets.IntText()
    label = ipywidgets.Text()
    link = traitlets.link((m, "v_counter"), (box, "value"))
    traitlets.dlink((m, "v_counter"), (label, "value"), lambda v: f"n={v}")
    s.counter = 5
    assert box.value == 5 and label.value == "n=5"
    async with s:
        s.counter = 6
    assert box.value == 6 and label.value == "n=6"
    box.value = 11
    assert s.counter == 11 and m.v_counter == 11 and label.value == "n=11"
    link.unlink()
    box.value = 1
    assert s.counter == 11


def test_float_traits_hold_floats_and_travel_tagged(wire: Wire) -> None:
    """A Float trait holds inf itself; the browser gets the tag, never null."""
    s = T()
    m = rx.model(s)
    s.ratio = math.inf
    assert m.v_ratio == math.inf
    assert Wire.frontend(m)["v_ratio"] == {"$nbf": "inf"}
    m.v_ratio = {"$nbf": "-inf"}
    assert s.ratio == -math.inf
