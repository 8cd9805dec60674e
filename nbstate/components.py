"""The component library: layout, text, inputs, display and control flow.

Every function takes children positionally and props as keywords. Which props and events each
takes is its entry in the catalogue (:mod:`nbstate._ui.catalog`, shared with the browser).
Style props such as ``width="8em"``, ``color`` or ``padding`` work on any component, and so do
the generic events (``on_click=MyState.save``). Values may be plain or Vars.
"""

from __future__ import annotations

from typing import Any

from ._ui.component import Component, cond, foreach, make

__all__ = [
    "badge",
    "box",
    "button",
    "callout",
    "checkbox",
    "code",
    "cond",
    "data_table",
    "divider",
    "foreach",
    "form",
    "fragment",
    "grid",
    "heading",
    "hstack",
    "image",
    "input",
    "link",
    "markdown",
    "number_input",
    "progress",
    "radio_group",
    "select",
    "slider",
    "spacer",
    "spinner",
    "switch",
    "text",
    "text_area",
    "vstack",
]


def hstack(*children: Any, **props: Any) -> Component:
    """A horizontal row of children, centred, with a small gap."""
    return make("hstack", children, props)


def vstack(*children: Any, **props: Any) -> Component:
    """A vertical column of children with a small gap."""
    return make("vstack", children, props)


def box(*children: Any, **props: Any) -> Component:
    """A plain container (a div) for grouping and styling."""
    return make("box", children, props)


def fragment(*children: Any, **props: Any) -> Component:
    """Children without a wrapping element."""
    return make("box", children, {**props, "display": props.get("display", "contents")})


def spacer(**props: Any) -> Component:
    """Takes up the free space in a stack."""
    return make("spacer", (), props)


def divider(**props: Any) -> Component:
    """A horizontal rule."""
    return make("divider", (), props)


def grid(*children: Any, **props: Any) -> Component:
    """A grid; ``columns=3`` makes three equal columns."""
    return make("grid", children, props)


def heading(*children: Any, **props: Any) -> Component:
    """A heading; ``level`` 1-6 (default 2), ``size`` from ``xs`` to ``4xl``."""
    return make("heading", children, props)


def text(*children: Any, **props: Any) -> Component:
    """A paragraph of text; ``as_="span"`` for inline text."""
    return make("text", children, props)


def code(*children: Any, **props: Any) -> Component:
    """Inline code."""
    return make("code", children, props)


def markdown(*children: Any, **props: Any) -> Component:
    """Markdown text, rendered safely: raw HTML is shown as text, never executed."""
    return make("markdown", children, props)


def link(*children: Any, **props: Any) -> Component:
    """A link; only http, https, mailto and relative ``href`` values are kept."""
    return make("link", children, props)


def button(*children: Any, **props: Any) -> Component:
    """A button; bind ``on_click``."""
    return make("button", children, props)


def number_input(**props: Any) -> Component:
    """A number field; ``on_change`` receives the number."""
    return make("number_input", (), props)


def input(**props: Any) -> Component:
    """A text field; ``on_change`` receives the text, ``on_submit`` fires on Enter."""
    return make("input", (), props)


def text_area(**props: Any) -> Component:
    """A multi-line text field."""
    return make("text_area", (), props)


def slider(**props: Any) -> Component:
    """A range slider; ``on_change`` receives the number."""
    return make("slider", (), props)


def checkbox(*children: Any, **props: Any) -> Component:
    """A checkbox with a label; ``on_change`` receives True or False."""
    return make("checkbox", children, props)


def switch(*children: Any, **props: Any) -> Component:
    """An on/off switch; ``on_change`` receives True or False."""
    return make("switch", children, props)


def select(items: Any = None, **props: Any) -> Component:
    """A drop-down; ``items`` is a list of strings or of ``{label, value}`` dicts."""
    return make("select", (), {**props, "items": items if items is not None else []})


def radio_group(items: Any = None, **props: Any) -> Component:
    """A group of radio buttons; ``direction`` is ``row`` or ``column``."""
    return make("radio_group", (), {**props, "items": items if items is not None else []})


def progress(**props: Any) -> Component:
    """A progress bar; with no ``value`` it is indeterminate."""
    return make("progress", (), props)


def badge(*children: Any, **props: Any) -> Component:
    """A small label."""
    return make("badge", children, props)


def spinner(**props: Any) -> Component:
    """A loading spinner."""
    return make("spinner", (), props)


def image(**props: Any) -> Component:
    """An image; ``src`` may be http(s), relative, or a ``data:image/`` URL."""
    return make("image", (), props)


def data_table(data: Any = None, **props: Any) -> Component:
    """A table from a list of dicts or a pandas DataFrame (or a Var holding a list of dicts)."""
    return make("data_table", (), {**props, "data": data if data is not None else []})


def callout(*children: Any, **props: Any) -> Component:
    """A highlighted note; ``status`` is ``info``, ``success``, ``warning`` or ``error``."""
    return make("callout", children, props)


def form(*children: Any, **props: Any) -> Component:
    """A form; ``on_submit`` receives a dict of the named inputs' values."""
    return make("form", children, props)
