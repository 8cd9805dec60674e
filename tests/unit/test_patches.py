"""Patches: in-place changes to big values travel as small ops; the frontend ends equal."""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

import pytest

import nbstate as rx
from nbstate._values.jsondata import to_json

from .conftest import Wire


@dataclasses.dataclass
class Cell:
    name: str
    tags: list[str] = dataclasses.field(default_factory=list)


class Big(rx.State):
    items: list[int] = []
    table: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    cells: list[Cell] = []
    nested: dict[str, list[dict[str, Any]]] = {}


def _bytes_after(wire: Wire, action: Any) -> int:
    wire.clear()
    action()
    return sum(len(json.dumps(data)) for _, data, _ in wire.messages)


def test_b3_patch_bytes_are_small(wire: Wire) -> None:
    """One append to 100k items, one key set in 100k keys, one field in 10k rows: < 1 KB each."""
    s = Big(
        items=list(range(100_000)),
        table={f"k{i}": i for i in range(100_000)},
        rows=[{"id": i, "name": f"row {i}", "done": False} for i in range(10_000)],
    )
    rx.model(s)
    sizes = [
        _bytes_after(wire, lambda: s.items.append(100_000)),
        _bytes_after(wire, lambda: s.table.__setitem__("k5", -5)),
        _bytes_after(wire, lambda: s.rows[5_000].__setitem__("done", True)),
    ]
    assert all(size < 1024 for size in sizes), sizes
    front = Wire.frontend(rx.model(s))
    assert front["v_items"][-1] == 100_000 and front["v_table"]["k5"] == -5
    assert front["v_rows"][5_000]["done"] is True


def test_patch_ops_name_the_change(wire: Wire) -> None:
    """An append sends the new item; a changed key sends that entry; a removal its position."""
    s = Big(items=[1, 2, 3], table={"a": 1})
    rx.model(s)
    wire.clear()
    s.items.append(4)
    s.table["b"] = 2
    s.items.pop(0)
    del s.table["a"]
    assert [c["ops"] for c in wire.customs()] == [
        [{"op": "append", "path": [], "value": 4}],
        [{"op": "set", "path": ["b"], "value": 2}],
        [{"op": "delete", "path": [0]}],
        [{"op": "delete", "path": ["a"]}],
    ]


def test_reopened_model_gets_full_value(wire: Wire) -> None:
    """A frontend that (re)opens the model gets the full current value from the traits."""
    s = Big(items=[1])
    m = rx.model(s)
    for i in range(50):
        s.items.append(i)
    assert m.get_state()["v_items"] == s.items


def _mutate(rng: random.Random, s: Big) -> None:
    choice = rng.randrange(16)
    items, table, rows, cells, nested = s.items, s.table, s.rows, s.cells, s.nested
    if choice == 0:
        items.append(rng.randrange(100))
    elif choice == 1 and items:
        items.pop(rng.randrange(len(items)))
    elif choice == 2:
        items.insert(rng.randrange(len(items) + 1), rng.randrange(100))
    elif choice == 3 and items:
        items[rng.randrange(len(items))] = rng.randrange(100)
    elif choice == 4:
        items.sort(reverse=rng.random() < 0.5)
    elif choice == 5:
        table[f"k{rng.randrange(20)}"] = rng.randrange(100)
    elif choice == 6 and table:
        del table[rng.choice(list(table))]
    elif choice == 7:
        rows.append({"id": rng.randrange(100), "tags": []})
    elif choice == 8 and rows:
        rows[rng.randrange(len(rows))]["tags"].append(rng.randrange(9))
    elif choice == 9 and rows:
        row = rows.pop(rng.randrange(len(rows)))
        rows.insert(rng.randrange(len(rows) + 1), row)
    elif choice == 10:
        cells.append(Cell(f"c{rng.randrange(9)}"))
    elif choice == 11 and cells:
        c = cells[rng.randrange(len(cells))]
        if rng.random() < 0.5:
            c.name = f"n{rng.randrange(9)}"
        else:
            c.tags.append("t")
    elif choice == 12:
        nested.setdefault(f"g{rng.randrange(3)}", []).append({"v": rng.randrange(9)})
    elif choice == 13 and nested:
        group = nested[rng.choice(list(nested))]
        if group:
            group[rng.randrange(len(group))]["v"] += 1
    elif choice == 14:
        items.extend(rng.randrange(100) for _ in range(rng.randrange(12)))
    elif choice == 15 and rows:
        rows[rng.randrange(len(rows))] = rows[0] if rng.random() < 0.3 else {"id": -1, "tags": []}


@pytest.mark.parametrize("seed", range(6))
async def test_random_mutations_keep_frontend_equal(seed: int, wire: Wire) -> None:
    """Long random sequences of in-place changes, some in failing blocks, keep the frontend
    model equal to the kernel's values."""
    rng = random.Random(seed)
    s = Big()
    m = rx.model(s)
    for step in range(400):
        if rng.random() < 0.3:
            try:
                async with s:
                    for _ in range(rng.randrange(1, 6)):
                        _mutate(rng, s)
                    if rng.random() < 0.3:
                        raise RuntimeError("roll back")
            except RuntimeError:
                pass
        else:
            _mutate(rng, s)
        if step % 50 == 0 or step == 399:
            front = Wire.frontend(m)
            names = ("items", "table", "rows", "cells", "nested")
            kernel = {n: to_json(getattr(s, n), where=n) for n in names}
            for name in ("items", "table", "rows", "cells", "nested"):
                assert front["v_" + name] == kernel[name], (seed, step, name)
                assert m.get_state()["v_" + name] == kernel[name]
    patches = [c for c in wire.customs() if c.get("kind") == "patch"]
    small = [p for p in patches if p["ops"][0]["op"] != "replace" or p["ops"][0]["path"]]
    assert len(small) > len(patches) / 2
