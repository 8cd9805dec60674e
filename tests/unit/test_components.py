"""Components, var expressions and views, built and serialized without a browser."""

from __future__ import annotations

import json
import math
from typing import Any

import ipywidgets
import pytest

import nbstate as rx
from nbstate._wire import assets
from nbstate._wire.outbox import OUTBOX

from .conftest import Wire


class S(rx.State):
    count: int = 0
    running: bool = False
    name: str = "ada"
    items: list[dict[str, Any]] = []
    _secret: str = "never-in-a-view-42"

    def inc(self, by: int = 1) -> None:
        self.count += by

    def save(self, text: str) -> None:
        self.name = text

    def pair(self, a: int, b: int) -> None:
        self.count = a + b

    @rx.background
    async def task(self) -> None:
        pass


class Other(rx.State):
    flag: bool = True


def tree_of(component: Any, **kw: Any) -> dict[str, Any]:
    return rx.view(component, **kw).tree


def test_every_operator_builds_its_expression() -> None:
    """Each Python operator on a Var becomes the matching expression op."""
    c = S.count
    cases = {
        "not": ~S.running,
        "and": S.running & (c > 1),
        "or": S.running | (c > 1),
        "eq": c == 1,
        "ne": c != 1,
        "lt": c < 1,
        "le": c <= 1,
        "gt": c > 1,
        "ge": c >= 1,
        "add": c + 1,
        "sub": c - 1,
        "mul": c * 2,
        "div": c / 2,
        "floordiv": c // 2,
        "mod": c % 2,
        "neg": -c,
        "item": S.items[0],
        "length": S.items.length(),
        "str": c.to_string(),
    }
    for op, var in cases.items():
        assert var.tree()["op"] == op, op
    assert (1 + c).tree()["a"] == {"op": "lit", "v": 1}
    assert ("n=" + S.name).tree()["op"] == "add"


def test_fstring_with_vars_becomes_concat() -> None:
    """An f-string embedding Vars is sent as a concat of its parts."""
    t = tree_of(rx.text(f"{S.name} has {S.count} items"))
    expr = t["children"][0]["expr"]
    assert expr["op"] == "concat"
    assert [p.get("v", p.get("name")) for p in expr["parts"]] == [
        "name",
        " has ",
        "count",
        " items",
    ]


def test_design_example_tree() -> None:
    """The DESIGN.md example serializes to the documented node and event shapes."""
    ui = rx.hstack(
        rx.heading(S.count, " /"),
        rx.chakra.number_input(value=S.count, on_change=S.set_count, width="8em"),
        rx.button(rx.cond(~S.running, "Start", "Stop"), on_click=S.inc),
    )
    t = tree_of(ui)
    heading, number, button = t["children"]
    assert heading["children"][0] == {
        "type": "text",
        "expr": {"op": "var", "s": 0, "name": "count"},
    }
    assert number["style"] == {"width": {"op": "lit", "v": "8em"}}
    assert number["events"]["on_change"] == [
        {"s": 0, "handler": "set_count", "args": [{"op": "event", "i": 0}]}
    ]
    assert button["events"]["on_click"] == [{"s": 0, "handler": "inc", "args": []}]
    assert button["children"][0]["expr"]["op"] == "cond"


def test_event_props_accept_args_lists_and_lambdas() -> None:
    """Handlers with arguments, lists of handlers and lambdas returning events all bind."""
    t = tree_of(
        rx.input(
            value=S.name,
            on_change=lambda v: S.save(v),
            on_blur=[S.save, S.inc(2)],
            on_submit=S.pair(1, S.count),
        )
    )
    ev = t["events"]
    assert ev["on_change"] == [{"s": 0, "handler": "save", "args": [{"op": "event", "i": 0}]}]
    assert ev["on_blur"][1] == {"s": 0, "handler": "inc", "args": [{"op": "lit", "v": 2}]}
    assert ev["on_submit"][0]["args"][1] == {"op": "var", "s": 0, "name": "count"}


def test_event_prop_errors_explain_the_fix() -> None:
    """Called handlers, wrong arity and non-handlers are refused with the fix in the message."""
    with pytest.raises(TypeError, match=r"Pass the handler itself"):
        rx.button("x", on_click=S().inc())  # type: ignore[func-returns-value]
    with pytest.raises(TypeError, match=r"S\.pair needs 2"):
        tree_of(rx.button("x", on_click=S.pair))
    with pytest.raises(TypeError, match="takes an event handler"):
        rx.button("x", on_click="S.inc")
    with pytest.raises(TypeError, match=r"unknown prop 'colr'\. Did you mean 'color'"):
        rx.button("x", colr="red")


@pytest.mark.parametrize("component", ["input", "text_area", "number_input", "slider"])
def test_debounce_and_throttle_travel_as_numbers(component: str) -> None:
    """The fields that send on_change take debounce= and throttle= (ms) for the browser."""
    factory = getattr(rx, component)
    t = tree_of(factory(value=S.name, on_change=S.save, debounce=300, throttle=1000.5))
    assert t["props"]["debounce"] == {"op": "lit", "v": 300}
    assert t["props"]["throttle"] == {"op": "lit", "v": 1000.5}
    assert tree_of(factory(on_change=S.save, debounce=0))["props"]["debounce"]["v"] == 0


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("300", TypeError, "takes a number of milliseconds, such as debounce=300, not '300'"),
        (True, TypeError, "not True"),
        (None, TypeError, "not None"),
        (S.count, TypeError, "a fixed number"),
        (-1, ValueError, "from 0 to 2147483647"),
        (math.nan, ValueError, "from 0 to"),
        (math.inf, ValueError, "from 0 to"),
        (2**31, ValueError, "from 0 to"),
    ],
)
def test_bad_debounce_values_are_refused(value: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        rx.input(value=S.name, on_change=S.save, debounce=value)
    with pytest.raises(error, match=message.replace("debounce", "throttle")):
        rx.slider(value=S.count, on_change=S.inc, throttle=value)


def test_debounce_needs_an_on_change_and_a_field() -> None:
    """Pacing with nothing to pace, or on a component that has no text to pace, is an error."""
    with pytest.raises(TypeError, match="no on_change is bound"):
        rx.input(value=S.name, debounce=300)
    with pytest.raises(TypeError, match="unknown prop 'debounce'"):
        rx.checkbox(on_change=S.inc, debounce=300)
    with pytest.raises(TypeError, match="unknown prop 'throttle'"):
        rx.button("x", on_click=S.inc, throttle=300)
    node = rx.chakra.number_input(value=S.count, on_change=S.set_count, debounce=200)
    assert node.props["debounce"] == 200


def test_backend_var_cannot_be_shown() -> None:
    """A component reading a backend var is refused when the view is built."""
    with pytest.raises(rx.StateDefinitionError, match="backend var"):
        tree_of(rx.text(S._secret))


def test_cond_with_components_and_foreach() -> None:
    """cond with component branches is a node; foreach passes item and index Vars."""
    t = tree_of(
        rx.vstack(
            rx.cond(S.running, rx.spinner(), rx.text("idle")),
            rx.foreach(S.items, lambda item, i: rx.text(item["title"], " #", i)),
        )
    )
    cond, loop = t["children"]
    assert cond["type"] == "cond" and cond["a"]["name"] == "spinner"
    assert loop["type"] == "foreach" and loop["list"]["name"] == "items"
    body_children = loop["body"]["children"]
    assert body_children[0]["expr"] == {
        "op": "item",
        "a": {"op": "arg", "name": loop["item"]},
        "key": {"op": "lit", "v": "title"},
    }
    assert body_children[2]["expr"] == {"op": "arg", "name": loop["index"]}


def test_view_reads_several_states_and_binds_instances() -> None:
    """A tree may read several states; bind= points a class at another instance."""
    other = S(count=5)
    v = rx.view(rx.hstack(rx.text(S.count), rx.text(Other.flag)), bind={S: other})
    assert [m.v_count if m.has_trait("v_count") else m.v_flag for m in v.states] == [5, True]
    assert v.states[0] is rx.model(other)
    assert v.states[1] is rx.model(rx.get_state(Other))


def test_embedded_ipywidget() -> None:
    """An ipywidget inside a layout becomes a widget node referencing it."""
    slider = ipywidgets.IntSlider(value=3)
    v = rx.view(rx.vstack(rx.text("x"), slider))
    assert v.tree["children"][1] == {"type": "widget", "index": 0}
    assert v.widgets == [slider]


def test_view_repr_is_stable_and_has_no_address() -> None:
    """text/plain of a view names the tree and the states, with no memory address."""
    ui = rx.hstack(rx.heading(S.count), rx.button("Go", on_click=S.inc))
    bundle = ui._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    text = data["text/plain"]
    assert text == "View(hstack(heading(Var(S.count)), button('Go')); reads S)"
    assert "0x" not in text
    assert "application/vnd.jupyter.widget-view+json" in data


def test_var_as_python_bool_names_alternatives() -> None:
    """if/and/or/not on a Var explain cond and the &, |, ~ operators."""
    for attempt in (lambda: not S.running, lambda: S.running or 1, lambda: bool(S.count > 1)):
        with pytest.raises(TypeError) as info:
            attempt()
        assert "rx.cond" in str(info.value) and "`&`" in str(info.value)


def test_data_table_converts_lists_of_dicts_and_dataframes() -> None:
    """Static table data becomes columns and rows."""
    import pandas as pd

    t = tree_of(rx.data_table([{"a": 1, "b": 2}, {"a": 3, "c": 4}]))
    assert t["props"]["data"]["v"] == {
        "columns": ["a", "b", "c"],
        "rows": [[1, 2, None], [3, None, 4]],
    }
    df = pd.DataFrame({"x": [1, 2], "y": ["p", None]})
    t = tree_of(rx.data_table(df))
    assert t["props"]["data"]["v"] == {"columns": ["x", "y"], "rows": [[1, "p"], [2, None]]}


def test_tree_json_never_carries_backend_values() -> None:
    """A view of a state with backend vars never puts their values in the tree or models."""
    v = rx.view(rx.text(S.name))
    assert "never-in-a-view-42" not in json.dumps(v.tree)
    assert "never-in-a-view-42" not in json.dumps(v.states[0].get_state())


def test_every_component_builds() -> None:
    """Each component function builds and serializes."""
    parts = [
        rx.hstack(),
        rx.vstack(),
        rx.box(),
        rx.spacer(),
        rx.divider(),
        rx.grid(columns=2),
        rx.heading("h", level=3),
        rx.text("t", as_="span"),
        rx.code("c"),
        rx.markdown("**m**"),
        rx.link("l", href="https://example.org"),
        rx.button("b", disabled=True),
        rx.number_input(value=S.count, min_=0, max_=10),
        rx.input(placeholder="p"),
        rx.text_area(rows=3),
        rx.slider(value=S.count, min_=0, max_=100),
        rx.checkbox("c", checked=S.running),
        rx.switch(checked=S.running),
        rx.select(["a", "b"], value=S.name),
        rx.radio_group(["a", "b"], value=S.name),
        rx.progress(value=S.count, max_=10),
        rx.badge("new"),
        rx.spinner(),
        rx.image(src="https://example.org/x.png"),
        rx.data_table([]),
        rx.callout("c"),
        rx.form(rx.input(name="x")),
        rx.fragment(rx.text("a")),
        rx.chakra.textarea(),
        rx.chakra.alert("a"),
        rx.chakra.table([]),
    ]
    t = tree_of(rx.vstack(*parts))
    assert len(t["children"]) == len(parts)
    assert t["children"][12]["props"] == {
        "value": {"op": "var", "s": 0, "name": "count"},
        "min": {"op": "lit", "v": 0},
        "max": {"op": "lit", "v": 10},
    }


async def test_closing_a_view_does_not_stop_the_state() -> None:
    """Closing a view leaves the state, its model and its running tasks alone."""
    s = S()
    v = rx.view(rx.text(S.count), bind={S: s})
    model = rx.model(s)
    v.close()
    s.count = 4
    assert model.comm is not None and model.v_count == 4
    await rx.fire(S.inc, 2, state=s)
    assert s.count == 6 and model.v_count == 6


def test_infinite_literals_in_a_tree_travel_tagged() -> None:
    """float('inf') given as a prop or child reaches the browser tagged, never as null."""
    view = rx.view(rx.progress(value=math.inf, max=float("nan")))
    props = view.tree["props"]
    assert props["value"] == {"op": "lit", "v": {"$nbf": "inf"}}
    assert props["max"] == {"op": "lit", "v": {"$nbf": "nan"}}


def test_the_markdown_renderer_goes_to_the_hub_once_when_first_needed(wire: Wire) -> None:
    """The Markdown renderer module is sent once per kernel, when a view shows Markdown."""
    rx.view(rx.vstack(rx.text("hi")))
    hub = OUTBOX.ensure_hub()
    assert hub._nbstate_markdown == ""
    wire.clear()
    rx.view(rx.vstack(rx.markdown("# hi")))
    rx.view(rx.markdown("# again"))
    assert "renderMarkdown" in hub._nbstate_markdown
    sent = [d for t, d, _ in wire.messages if t == "comm_msg" and d.get("method") == "update"]
    assert [list(d["state"]) for d in sent] == [["_nbstate_markdown"]]


def test_the_renderer_travels_once_on_the_hub_not_with_each_view(wire: Wire) -> None:
    """A view model carries a loader of a few hundred bytes and names the hub, which carries
    the renderer and its CSS; showing more views sends no renderer again."""
    first = rx.view(rx.text("a"))
    hub = OUTBOX.ensure_hub()
    assert hub._nbstate_runtime == assets.runtime() and len(hub._nbstate_runtime) > 20_000
    assert hub._nbstate_runtime_id == assets.runtime_id() and len(hub._nbstate_runtime_id) == 16
    assert hub._css == assets.css() and first._esm == assets.loader_esm()
    assert len(first._esm) < 3_000
    wire.clear()
    views = [rx.view(rx.text(str(i))) for i in range(20)]
    opens = [d for t, d, _ in wire.messages if t == "comm_open"]
    view_opens = [d for d in opens if d["state"].get("_nbstate_view_id")]
    assert len(view_opens) == 20
    for v, d in zip(views, view_opens, strict=True):
        assert d["state"]["_nbstate_hub"] == f"IPY_MODEL_{hub.model_id}"
        assert d["state"]["_nbstate_view_id"] == v.model_id  # the id is there from the open
        assert len(json.dumps(d)) < 6_000
    # No view sends an update after its open (its id no longer needs one).
    assert not [d for t, d, _ in wire.messages if t == "comm_msg"]


def test_a_state_model_has_no_layout_and_an_empty_module() -> None:
    """State models are never displayed: no Layout model beside each, no renderer."""

    class Plain(rx.State):
        n: int = 0

    model = rx.model(Plain())
    assert model.layout is None
    assert model._esm == assets.STATE_ESM
