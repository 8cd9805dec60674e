"""The catalogue: every component, its props and events, and every expression op, defined once.

Python builds trees against it (a prop it does not list is refused by name), and the browser
reads the same table from ``js/src/catalog.json``, which ``scripts/gen_catalog.py`` writes
from this module. A test checks that file is current, and the frontend's tests check
that each component reads exactly the props and fires exactly the events listed here, and that
the evaluator knows exactly these ops; so a prop added on one side only fails a test.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

COMMON_PROPS = ("id", "class_name", "title", "hidden", "custom_attrs")
"""Props every component takes (``custom_attrs``: a dict of ``data-*`` and ``aria-*``
attributes)."""

GENERIC_EVENTS = {
    "on_click": "click",
    "on_double_click": "dblclick",
    "on_mouse_enter": "mouseenter",
    "on_mouse_leave": "mouseleave",
    "on_focus": "focus",
    "on_blur": "blur",
    "on_mount": "nbstate:mount",
    "on_unmount": "nbstate:unmount",
}
"""Events every component fires, and the DOM event each listens to (no values). ``on_mount``
and ``on_unmount`` are no DOM events: they fire once when the component's element is put in a
view, and once when it is removed (a ``cond`` switching away, the view closed)."""

EVENT_VALUES = {"on_change": 1, "on_blur": 1, "on_submit": 1, "on_key_down": 1}
"""How many values an event carries to a handler bound without arguments (others: none)."""


# NamedTuples, not dataclasses: a dataclass costs about 0.5 ms to define, and `import nbstate`
# is on every fresh kernel's first render.
class Spec(NamedTuple):
    """One component: its own props (besides the common ones) and its own events."""

    props: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    children: bool = True


_STACK = ("spacing", "align", "justify", "wrap")
_FIELD = ("value", "default_value", "placeholder", "disabled", "name", "read_only", "auto_focus",
          "required", "size")
PACING_PROPS = ("debounce", "throttle")
"""Props that pace a field's ``on_change`` in the browser (milliseconds; see js/src/pacing.ts)."""
_TEXT_EVENTS = ("on_change", "on_blur", "on_submit", "on_key_down")
_TOGGLE = ("checked", "value", "default_checked", "text", "disabled", "name", "read_only",
           "auto_focus", "required", "size")

COMPONENTS: dict[str, Spec] = {
    # layout and typography
    "hstack": Spec(_STACK),
    "vstack": Spec(_STACK),
    "box": Spec(),
    "spacer": Spec(children=False),
    "divider": Spec(("orientation",), children=False),
    "grid": Spec(("columns", "spacing")),
    "heading": Spec(("level", "size", "as")),
    "text": Spec(("as", "size")),
    "code": Spec(),
    "markdown": Spec(("content",)),
    "link": Spec(("href", "is_external")),
    # controls
    "button": Spec(("disabled", "color_scheme", "variant", "size", "type", "loading")),
    "form": Spec(("reset_on_submit",), ("on_submit",)),
    # inputs
    "number_input": Spec((*_FIELD, *PACING_PROPS, "min", "max", "step"), _TEXT_EVENTS, False),
    "input": Spec(
        (*_FIELD, *PACING_PROPS, "type", "max_length", "min", "max", "step"), _TEXT_EVENTS, False
    ),
    "text_area": Spec((*_FIELD, *PACING_PROPS, "rows", "max_length"), _TEXT_EVENTS, False),
    "slider": Spec(
        ("value", "min", "max", "step", "disabled", "name", "read_only", "auto_focus",
         "required", "size", *PACING_PROPS),
        ("on_change", "on_blur"),
        children=False,
    ),
    "checkbox": Spec(_TOGGLE, ("on_change", "on_blur")),
    "switch": Spec(_TOGGLE, ("on_change", "on_blur")),
    "select": Spec(
        ("items", "value", "placeholder", "disabled", "name", "auto_focus", "required", "size"),
        ("on_change", "on_blur"),
        children=False,
    ),
    "radio_group": Spec(
        ("items", "value", "disabled", "direction", "name"), ("on_change",), children=False
    ),
    # display
    "progress": Spec(("value", "max", "color_scheme", "size"), children=False),
    "badge": Spec(("color_scheme", "variant", "size")),
    "spinner": Spec(("size",), children=False),
    "image": Spec(("src", "alt", "width", "height"), children=False),
    "data_table": Spec(("data", "columns"), children=False),
    "callout": Spec(("color_scheme", "status", "icon", "text")),
}


class Op(NamedTuple):
    """One expression op: the fields of its tree node."""

    fields: tuple[str, ...]
    doc: str = ""


OPS: dict[str, Op] = {
    "lit": Op(("v",), "a literal value"),
    "var": Op(("s", "name"), "a state var (s: the state's index in the view)"),
    "arg": Op(("name",), "a foreach loop variable"),
    "event": Op(("i",), "the i-th value of the DOM event being handled"),
    "not": Op(("a",), "not a (Python truthiness)"),
    "neg": Op(("a",), "-a"),
    "and": Op(("a", "b"), "a and b (Python: returns an operand)"),
    "or": Op(("a", "b"), "a or b (Python: returns an operand)"),
    "eq": Op(("a", "b"), "a == b (deep)"),
    "ne": Op(("a", "b"), "a != b (deep)"),
    "lt": Op(("a", "b"), "a < b"),
    "le": Op(("a", "b"), "a <= b"),
    "gt": Op(("a", "b"), "a > b"),
    "ge": Op(("a", "b"), "a >= b"),
    "add": Op(("a", "b"), "a + b (numbers, strings, lists)"),
    "sub": Op(("a", "b"), "a - b"),
    "mul": Op(("a", "b"), "a * b (numbers; sequence repetition)"),
    "div": Op(("a", "b"), "a / b"),
    "floordiv": Op(("a", "b"), "a // b (floors, as Python)"),
    "mod": Op(("a", "b"), "a % b (sign of the divisor, as Python)"),
    "concat": Op(("parts",), "str() of each part, joined (f-strings)"),
    "str": Op(("a",), "str(a), as Python"),
    "length": Op(("a",), "len(a)"),
    "item": Op(("a", "key"), "a[key] (negative list indices count from the end)"),
    "cond": Op(("c", "a", "b"), "a if c else b"),
}


def as_json() -> dict[str, Any]:
    """The catalogue as the frontend reads it (``js/src/catalog.json``)."""
    return {
        "comment": "Generated by scripts/gen_catalog.py from nbstate/_ui/catalog.py.",
        "common_props": list(COMMON_PROPS),
        "generic_events": dict(GENERIC_EVENTS),
        "event_values": dict(EVENT_VALUES),
        "components": {
            name: {"props": list(s.props), "events": list(s.events), "children": s.children}
            for name, s in COMPONENTS.items()
        },
        "ops": {name: list(op.fields) for name, op in OPS.items()},
    }


def render_json() -> str:
    return json.dumps(as_json(), indent=2) + "\n"
