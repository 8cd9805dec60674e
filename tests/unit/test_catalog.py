"""The catalogue is the one list of components, props, events and ops.

These tests hold the Python side to it, and check that the files the frontend's tests read
(js/src/catalog.json and js/tests/fixtures/*.json) are what the code produces now; so a
prop, event or op added on one side only fails here or in js/tests/catalog.test.ts.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import comm
import pytest

import nbstate as rx
from nbstate._ui import catalog
from nbstate._ui.catalog import COMMON_PROPS, COMPONENTS, GENERIC_EVENTS, OPS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_catalog_json_is_current() -> None:
    committed = (ROOT / "js" / "src" / "catalog.json").read_text()
    assert committed == catalog.render_json(), (
        "js/src/catalog.json is stale: run `python scripts/gen_catalog.py` and commit it"
    )


def test_contract_fixtures_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import contract

    monkeypatch.setattr(comm, "create_comm", comm.create_comm)  # restored after the test
    built = contract.build()
    assert set(built) == {p.name for p in contract.FIXTURES.glob("*.json")}
    for name, data in built.items():
        committed = (contract.FIXTURES / name).read_text()
        assert committed == contract.render(data), (
            f"js/tests/fixtures/{name} is stale: run `python -m tests.contract` and commit it"
        )


def test_design_fixture_records_a_real_session() -> None:
    from tests import contract

    data = json.loads((contract.FIXTURES / "design_example.json").read_text())
    assert data["final"]["v_counter"] == 0 and data["final"]["v_max_counter"] == 3
    counters = [
        entry["state"]["v_counter"]
        for batch in data["batches"]
        for entry in batch["models"].values()
        if "v_counter" in entry.get("state", {})
    ]
    assert counters == [1, 2, 3, 0]
    assert [batch["seq"] for batch in data["batches"]] == [1, 2, 3, 4, 5]


class S(rx.State):
    n: int = 0
    items: list[str] = []

    def go(self, *values: Any) -> None:
        pass


def _sample(prop: str) -> Any:
    return {"custom_attrs": {"data_x": "1"}, "items": ["a"], "data": []}.get(prop, 1)


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_component_takes_every_catalogued_prop_and_event(name: str) -> None:
    spec = COMPONENTS[name]
    kwargs: dict[str, Any] = {p: _sample(p) for p in (*spec.props, *COMMON_PROPS)}
    kwargs.update({e: S.go for e in (*spec.events, *GENERIC_EVENTS)})
    node = getattr(rx, name)(**kwargs)
    assert set(node.props) == set(spec.props) | set(COMMON_PROPS)
    assert set(node.events) == set(spec.events) | set(GENERIC_EVENTS)


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_component_refuses_what_it_does_not_list(name: str) -> None:
    spec = COMPONENTS[name]
    factory = getattr(rx, name)
    with pytest.raises(TypeError, match=rf"{name}\(\) got an unknown prop 'hiddenn'.*'hidden'"):
        factory(hiddenn=True)
    other = {e for s in COMPONENTS.values() for e in s.events} - {*spec.events, *GENERIC_EVENTS}
    for event in sorted(other):
        with pytest.raises(TypeError, match=rf"{name}\(\) has no event '{event}'"):
            factory(**{event: S.go})
    if not spec.children:
        with pytest.raises(TypeError, match=r"positional argument|takes no children"):
            # select, radio_group and data_table take their items or data positionally
            factory(
                *(["a"], "child") if name in ("select", "radio_group", "data_table") else ("child",)
            )


def test_misspelt_prop_suggests_the_components_own_prop() -> None:
    with pytest.raises(TypeError, match="Did you mean 'loading'"):
        rx.button("x", loadin=True)
    with pytest.raises(TypeError, match="Did you mean 'placeholder'"):
        rx.input(placeholdr="x")


def _ops(tree: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(tree, dict):
        if "op" in tree:
            found.append(tree)
        for v in tree.values():
            found.extend(_ops(v))
    elif isinstance(tree, list):
        for v in tree:
            found.extend(_ops(v))
    return found


def test_every_op_python_emits_is_catalogued_with_its_fields() -> None:
    n = S.n
    exprs = [
        ~n,
        -n,
        n & 1,
        1 & n,
        n | 1,
        1 | n,
        n == 1,
        n != 1,
        n < 1,
        n <= 1,
        n > 1,
        n >= 1,
        n + 1,
        1 + n,
        n - 1,
        1 - n,
        n * 2,
        2 * n,
        n / 2,
        2 / n,
        n // 2,
        2 // n,
        n % 2,
        2 % n,
        S.items[0],
        S.items.length(),
        n.to_string(),
        rx.cond(n > 0, "a", "b"),
    ]
    nodes = [op for e in exprs for op in _ops(e.tree())]
    view = rx.view(
        rx.vstack(
            rx.foreach(S.items, lambda item, i: rx.text(item, i)),
            rx.input(on_change=S.go),
            rx.text(f"n is {n}"),
        )
    )
    nodes += _ops(view.tree)
    emitted = {node["op"] for node in nodes}
    assert emitted == set(OPS), "Python emits exactly the catalogued ops"
    for node in nodes:
        assert set(node) - {"op"} == set(OPS[node["op"]].fields), node
