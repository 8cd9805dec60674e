"""In-place mutation of containers and dataclasses is a change, and rolls back."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

import nbstate as rx

from .conftest import Wire


@dataclasses.dataclass
class Row:
    name: str
    tags: list[str] = dataclasses.field(default_factory=list)


class S(rx.State):
    items: list[int] = []
    table: dict[str, dict[str, int]] = {}
    seen: set[str] = set()
    rows: list[Row] = []
    row: Row = Row("a")


def _front(s: S, name: str) -> object:
    return Wire.frontend(rx.model(s))["v_" + name]


def test_list_mutations_are_changes(wire: Wire) -> None:
    """append, extend, insert, pop, remove, sort, slice assignment all send the new list."""
    s = S()
    rx.model(s)
    s.items.append(3)
    s.items.extend([1, 2])
    s.items.insert(0, 9)
    s.items.sort()
    s.items.remove(9)
    s.items.pop()
    s.items[0] = 7
    s.items[1:] = [5]
    s.items += [4]
    assert s.items == [7, 5, 4]
    assert _front(s, "items") == [7, 5, 4]
    patches = [c for c in wire.customs() if c.get("kind") == "patch"]
    assert len(patches) == 9 and not any("v_items" in u for u in wire.updates())


def test_nested_dict_mutation_marks_root_var(wire: Wire) -> None:
    """Changing a dict inside a dict marks the outer var as changed."""
    s = S()
    rx.model(s)
    s.table["a"] = {"n": 1}
    s.table["a"]["n"] += 1
    s.table.setdefault("b", {}).update(m=3)
    assert _front(s, "table") == {"a": {"n": 2}, "b": {"m": 3}}


def test_set_and_dataclass_mutation(wire: Wire) -> None:
    """Set methods and dataclass attribute assignment (nested too) are changes."""
    s = S()
    rx.model(s)
    s.seen.add("x")
    s.seen |= {"y"}
    assert _front(s, "seen") == ["x", "y"]
    s.row.name = "b"
    s.row.tags.append("t")
    assert _front(s, "row") == {"name": "b", "tags": ["t"]}
    s.rows.append(Row("r"))
    s.rows[0].tags.append("deep")
    assert _front(s, "rows") == [{"name": "r", "tags": ["deep"]}]


async def test_mutations_roll_back_with_the_block() -> None:
    """Every kind of in-place change is undone when the block fails."""
    s = S(items=[1, 2, 3], table={"a": {"n": 1}}, seen={"x"})
    before = (list(s.items), copy.deepcopy(dict(s.table)), set(s.seen), s.row.name)
    with pytest.raises(RuntimeError):
        async with s:
            s.items.append(4)
            s.items.sort(reverse=True)
            del s.items[0]
            s.items.pop(0)
            s.items[0] = 99
            s.table["a"]["n"] = 5
            s.table["new"] = {}
            del s.table["a"]
            s.seen.discard("x")
            s.seen.add("z")
            s.row.name = "changed"
            s.row.tags.append("t")
            raise RuntimeError("boom")
    assert (s.items, s.table, s.seen, s.row.name) == before
    assert s.row.tags == []


def test_copies_and_pickles_are_plain_values() -> None:
    """copy, deepcopy and pickle of tracked values give plain, untracked values."""

    class N(rx.State):
        nested: list[Any] = []

    s = N(nested=[1, [2]])
    for clone in (
        copy.copy(s.nested),
        copy.deepcopy(s.nested),
        pickle.loads(pickle.dumps(s.nested)),
    ):
        assert type(clone) is list
        clone.append(5)
    assert s.nested == [1, [2]]


def test_assigning_one_vars_container_to_another_copies_it(wire: Wire) -> None:
    """Two vars never share a container, so each mutation marks the right var."""

    class T(rx.State):
        a: list[int] = [1]
        b: list[int] = []

    t = T()
    t.b = t.a
    t.b.append(2)
    assert t.a == [1] and t.b == [1, 2]


def test_tracked_dataclass_still_compares_equal() -> None:
    """A tracked dataclass equals a plain one with the same fields and keeps its type name."""
    s = S()
    assert s.row == Row("a")
    assert isinstance(s.row, Row)
    assert repr(s.row) == "Row(name='a', tags=[])"
