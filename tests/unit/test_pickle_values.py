"""Tracked values pickle as the plain values they stand for (shared states and Dask ship them)."""

from __future__ import annotations

import collections
import dataclasses
import pickle

import nbstate as rx


@dataclasses.dataclass
class Item:
    name: str = ""
    tags: list[str] = dataclasses.field(default_factory=list)


class Holder(rx.State):
    items: list[Item] = []
    table: dict[str, dict[str, list[int]]] = {}
    ordered: collections.OrderedDict[str, int] = collections.OrderedDict()
    counts: collections.Counter[str] = collections.Counter()
    groups: collections.defaultdict[str, list[int]] = collections.defaultdict(list)
    window: collections.deque[int] = collections.deque(maxlen=3)
    _seen: set[int] = set()


def test_every_tracked_type_pickles_as_its_plain_type() -> None:
    s = Holder()
    s.items = [Item("a", ["x"])]
    s.table = {"k": {"v": [1, 2]}}
    s.ordered = collections.OrderedDict(b=2, a=1)
    s.counts = collections.Counter("aab")
    s.groups["g"].append(1)
    s.window.extend([1, 2, 3, 4])
    s._seen = {5}
    expected_types = {
        "items": list,
        "table": dict,
        "ordered": collections.OrderedDict,
        "counts": collections.Counter,
        "groups": collections.defaultdict,
        "window": collections.deque,
        "_seen": set,
    }
    for name, cls in expected_types.items():
        value = s.__dict__[name]
        assert hasattr(type(value), "_nb_base"), name  # it is the tracked subclass
        back = pickle.loads(pickle.dumps(value))
        assert type(back) is cls, name
        assert back == value, name
    assert type(pickle.loads(pickle.dumps(s.items))[0]) is Item
    assert pickle.loads(pickle.dumps(s.table))["k"]["v"] == [1, 2]
    groups = pickle.loads(pickle.dumps(s.groups))
    assert groups.default_factory is list
    assert pickle.loads(pickle.dumps(s.window)).maxlen == 3
