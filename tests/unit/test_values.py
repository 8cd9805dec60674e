"""Values keep their types and their exact value: checked, copied, tracked, sent as they are."""

from __future__ import annotations

import collections
import copy
import dataclasses
import math
import pickle
from typing import Any, Literal

import pytest

import nbstate as rx
import nbstate._values.tracking as tracking
from nbstate._values.jsondata import from_wire

from .conftest import Wire


@dataclasses.dataclass
class Point:
    x: int = 0
    y: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)


class Typed(rx.State):
    counter: int = 0
    ratio: float = 0.5
    name: str = ""
    flag: bool = False
    maybe: int | None = None
    mode: Literal["a", "b"] = "a"
    items: list[int] = []
    table: dict[str, float] = {}
    counts: collections.defaultdict[str, int] = collections.defaultdict(int)
    tally: collections.Counter[str] = collections.Counter()
    ordered: collections.OrderedDict[str, int] = collections.OrderedDict()
    recent: collections.deque[int] = collections.deque(maxlen=3)
    point: Point = Point()
    anything: Any = None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("counter", "seven"),
        ("counter", 1.5),
        ("counter", True),
        ("ratio", "0.5"),
        ("name", 5),
        ("flag", 1),
        ("maybe", "x"),
        ("mode", "c"),
        ("items", [1, "2"]),
        ("items", (1, 2)),
        ("table", {"a": "b"}),
        ("point", {"x": 1}),
    ],
)
def test_assignment_is_checked_against_the_annotation(name: str, value: Any, wire: Wire) -> None:
    """A wrong type raises VarTypeError naming the var, the value and the type; nothing changes."""
    s = Typed()
    m = rx.model(s)
    before = getattr(s, name)
    wire.clear()
    with pytest.raises(rx.VarTypeError) as info:
        setattr(s, name, value)
    assert f"Typed.{name}" in str(info.value) and "expected" in str(info.value)
    assert isinstance(info.value, TypeError)
    assert getattr(s, name) == before
    assert wire.messages == [] and Wire.frontend(m)["v_" + name] == m.get_state()["v_" + name]


def test_ints_widen_to_float_and_good_values_pass() -> None:
    """int to float widens (the var stays a float); matching values, None and Any pass."""
    s = Typed()
    s.ratio = 2
    assert s.ratio == 2.0 and type(s.ratio) is float
    s.maybe = None
    s.maybe = 3
    s.mode = "b"
    s.anything = {"any": [1, 'JSON']}
    s.table = {"a": 1}
    assert s.table == {"a": 1.0} and type(s.table["a"]) is float
    with pytest.raises(rx.VarTypeError):
        Typed(counter="1")  # type: ignore[arg-type]


def test_setters_still_convert_text() -> None:
    """Only setters convert: set_counter("7") stores 7."""
    s = Typed()
    rx.get_state(Typed)
    Typed.set_counter  # noqa: B018 (the setter exists on the class)
    s.set_counter("7")  # type: ignore[attr-defined]
    assert s.counter == 7


async def test_container_types_stay_what_they_are(wire: Wire) -> None:
    """defaultdict, Counter, OrderedDict and deque keep their type and behaviour while tracked."""
    s = Typed()
    m = rx.model(s)
    s.counts["x"] += 1
    s.counts["x"] += 1
    assert isinstance(s.counts, collections.defaultdict) and s.counts["x"] == 2
    s.tally.update("abracadabra")
    assert isinstance(s.tally, collections.Counter) and s.tally.most_common(1) == [("a", 5)]
    s.ordered["a"] = 1
    s.ordered["b"] = 2
    s.ordered.move_to_end("a")
    assert isinstance(s.ordered, collections.OrderedDict) and list(s.ordered) == ["b", "a"]
    for i in range(5):
        s.recent.append(i)
    s.recent.appendleft(9)
    assert isinstance(s.recent, collections.deque) and s.recent.maxlen == 3
    assert list(s.recent) == [9, 2, 3]  # a full deque drops from the other end
    front = Wire.frontend(m)
    assert front["v_counts"] == {"x": 2}
    assert front["v_tally"] == dict(s.tally)
    assert list(front["v_ordered"]) == ["b", "a"]
    assert front["v_recent"] == [9, 2, 3]
    for value in (s.counts, s.tally, s.ordered, s.recent):
        for clone in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
            assert type(clone) is type(value).__mro__[-2] or type(clone).__name__ == type(
                value
            ).__name__
            assert clone == value


async def test_container_rollback_restores_type_order_and_content() -> None:
    """A failed block restores every container exactly, order included."""
    s = Typed()
    s.ordered.update(a=1, b=2, c=3)
    s.recent.extend([1, 2])
    with pytest.raises(RuntimeError):
        async with s:
            del s.ordered["a"]
            s.ordered.move_to_end("b")
            s.counts["k"] += 5
            s.tally["z"] += 1
            s.recent.popleft()
            s.recent.append(7)
            raise RuntimeError("roll back")
    assert list(s.ordered.items()) == [("a", 1), ("b", 2), ("c", 3)]
    assert dict(s.counts) == {} and dict(s.tally) == {} and list(s.recent) == [1, 2]


def test_a_dataclass_value_is_copied_and_the_users_object_left_alone() -> None:
    """s.p = p copies p: p keeps its class, pickles, and later changes to p are not the var's."""
    s = Typed()
    p = Point(1, 2, ["a"])
    s.point = p
    assert type(p) is Point
    assert pickle.loads(pickle.dumps(p)) == p
    p.x = 100
    assert s.point.x == 1
    s.point.tags.append("b")
    assert p.tags == ["a"]
    clone = pickle.loads(pickle.dumps(s.point))
    assert type(clone) is Point and clone == Point(1, 2, ["a", "b"])
    assert copy.deepcopy(s.point) == clone and type(copy.copy(s.point)) is Point
    assert s.point == Point(1, 2, ["a", "b"]) and isinstance(s.point, Point)


def test_class_default_dataclass_is_not_shared() -> None:
    """Each instance gets its own copy of a dataclass default; the class default never changes."""
    a, b = Typed(), Typed()
    a.point.x = 5
    c = Typed()
    assert (b.point.x, c.point.x) == (0, 0)
    assert Typed._nbstate_meta.vars["point"].default == Point()


def test_nested_write_finds_its_path_without_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write inside row i of a long list finds row i by its cached index, not by a scan."""

    class Rows(rx.State):
        rows: list[dict[str, bool]] = []

    s = Rows(rows=[{"done": False} for _ in range(100_000)])
    scans: list[int] = []
    real = tracking._reindex

    def counting(parent: Any, target: Any) -> Any:
        scans.append(len(parent))
        return real(parent, target)

    monkeypatch.setattr(tracking, "_reindex", counting)
    m = rx.model(s)
    for i in (0, 50_000, 99_999):
        s.rows[i]["done"] = True
    assert scans == []
    s.rows.insert(0, {"done": False})  # shifts every index: one rescan, then cached again
    s.rows[60_000]["done"] = True
    s.rows[70_000]["done"] = True
    assert scans == [100_001]
    front = Wire.frontend(m)["v_rows"]
    assert front[60_000]["done"] and front[70_000]["done"] and front[50_001]["done"]
    assert len(front) == 100_001


async def test_non_finite_floats_reach_the_browser_as_themselves(wire: Wire) -> None:
    """inf, -inf and nan travel tagged in updates and patches, never as null."""

    class F(rx.State):
        x: float = 0.0
        xs: list[float] = []

    s = F()
    m = rx.model(s)
    s.x = math.inf
    s.xs.append(-math.inf)
    s.xs.append(math.nan)
    front = Wire.frontend(m)
    sent = [u.get("v_x") for u in wire.updates()] + [
        op.get("value") for c in wire.customs() for op in c.get("ops", [])
    ]
    assert None not in sent
    assert front["v_x"] == {"$nbf": "inf"}
    assert front["v_xs"] == [{"$nbf": "-inf"}, {"$nbf": "nan"}]
    decoded = from_wire(front["v_xs"])
    assert decoded[0] == -math.inf and math.isnan(decoded[1])
    assert math.isinf(from_wire(front["v_x"]))


def test_the_float_tag_key_is_reserved() -> None:
    """A dict var may not use the key '$nbf', so a tag is never mistaken for user data."""

    class D(rx.State):
        d: dict[str, int] = {}

    s = D()
    rx.model(s)
    with pytest.raises(TypeError, match="reserved"):
        s.d = {"$nbf": 1}
    assert s.d == {}
