"""Component trees: what ``rx.hstack(...)`` builds, before it becomes a view.

A component is a name, props, style, event bindings and children. Nothing here talks to the
browser: :mod:`nbstate._ui.view` turns a tree into JSON with state references resolved, and
makes every node display itself as a view.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from .._engine.events import is_event_ref, resolve
from .._vars.expr import Var, has_var, to_tree
from .catalog import COMMON_PROPS, COMPONENTS, GENERIC_EVENTS, PACING_PROPS

STYLE_PROPS = frozenset(
    {
        "width",
        "height",
        "min_width",
        "max_width",
        "min_height",
        "max_height",
        "color",
        "background",
        "background_color",
        "padding",
        "padding_top",
        "padding_bottom",
        "padding_left",
        "padding_right",
        "margin",
        "margin_top",
        "margin_bottom",
        "margin_left",
        "margin_right",
        "font_size",
        "font_weight",
        "font_family",
        "font_style",
        "line_height",
        "letter_spacing",
        "text_align",
        "text_decoration",
        "text_transform",
        "white_space",
        "word_break",
        "border",
        "border_top",
        "border_bottom",
        "border_left",
        "border_right",
        "border_radius",
        "border_color",
        "border_width",
        "border_style",
        "box_shadow",
        "opacity",
        "display",
        "flex",
        "flex_grow",
        "flex_shrink",
        "flex_basis",
        "flex_wrap",
        "flex_direction",
        "overflow",
        "overflow_x",
        "overflow_y",
        "cursor",
        "align_items",
        "align_self",
        "justify_content",
        "gap",
        "row_gap",
        "column_gap",
        "position",
        "top",
        "left",
        "right",
        "bottom",
        "z_index",
        "max_lines",
        "visibility",
        "grid_template_columns",
        "grid_column",
        "vertical_align",
    }
)
# Chakra's shorthands, so Reflex code keeps its look.
STYLE_ALIASES = {
    "bg": "background",
    "w": "width",
    "h": "height",
    "p": "padding",
    "m": "margin",
    "px": ("padding_left", "padding_right"),
    "py": ("padding_top", "padding_bottom"),
    "mx": ("margin_left", "margin_right"),
    "my": ("margin_top", "margin_bottom"),
    "min_w": "min_width",
    "max_w": "max_width",
    "min_h": "min_height",
    "max_h": "max_height",
    "rounded": "border_radius",
    "shadow": "box_shadow",
}

_arg_ids = itertools.count(1)


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Component:
    """One node of a UI tree. Build it with nbstate's component functions."""

    __slots__ = ("children", "events", "name", "props", "style")

    def __init__(
        self,
        name: str,
        children: list[Any],
        props: dict[str, Any],
        style: dict[str, Any],
        events: dict[str, list[Any]],
    ) -> None:
        self.name = name
        self.children = children
        self.props = props
        self.style = style
        self.events = events

    def __repr__(self) -> str:
        inner = [_short(c) for c in self.children[:4]]
        if len(self.children) > 4:
            inner.append(f"... {len(self.children) - 4} more")
        return f"{self.name}({', '.join(inner)})"

    def __bool__(self) -> bool:
        return True


class CondNode:
    """``rx.cond(condition, a, b)`` when a branch is a component."""

    __slots__ = ("a", "b", "c")

    def __init__(self, c: Any, a: Any, b: Any) -> None:
        self.c, self.a, self.b = c, a, b

    def __repr__(self) -> str:
        return f"cond({_short(self.c)}, {_short(self.a)}, {_short(self.b)})"


class ForeachNode:
    """``rx.foreach(list_var, fn)``: one copy of ``fn``'s component per item."""

    __slots__ = ("body", "index", "item", "items")

    def __init__(self, items: Any, item: str, index: str, body: Any) -> None:
        self.items, self.item, self.index, self.body = items, item, index, body

    def __repr__(self) -> str:
        return f"foreach({_short(self.items)}, {_short(self.body)})"


def _short(x: Any) -> str:
    if isinstance(x, str):
        if has_var(x):
            return "f-string"
        return repr(x if len(x) <= 30 else x[:27] + "...")
    if isinstance(x, (Component, CondNode, ForeachNode, Var)):
        return repr(x)
    return type(x).__name__ if hasattr(x, "comm") else repr(x)


def cond(condition: Any, a: Any, b: Any = None) -> Any:
    """Show ``a`` when ``condition`` is truthy, else ``b``; evaluated in the browser.

    With plain values or Vars as branches, the result is a Var (usable as text or a prop);
    with a component as a branch, it is a component.
    """
    if not isinstance(condition, Var):
        raise TypeError(
            f"rx.cond needs a Var as its condition (such as MyState.running or "
            f"MyState.count > 0), got {condition!r}. For a fixed condition, use Python's if."
        )
    if _is_node(a) or _is_node(b):
        return CondNode(condition, a, b)
    return Var({"op": "cond", "c": condition.tree(), "a": to_tree(a), "b": to_tree(b)})


def _is_node(x: Any) -> bool:
    return isinstance(x, (Component, CondNode, ForeachNode, list, tuple)) or hasattr(x, "comm")


def foreach(items: Any, fn: Callable[..., Any]) -> ForeachNode:
    """Render ``fn(item)`` (or ``fn(item, index)``) for each item of a list var, in the browser.

    >>> import nbstate as rx
    >>> class S(rx.State):
    ...     names: list[str] = []
    >>> rx.foreach(S.names, lambda name: rx.text(name))
    foreach(Var(S.names), text(Var(item)))
    """
    if not isinstance(items, Var):
        raise TypeError(
            f"rx.foreach needs a list Var such as MyState.items, got {items!r}. For a fixed "
            "Python list, build the children with a list comprehension instead."
        )
    if not callable(fn):
        raise TypeError(f"rx.foreach needs a function that returns a component, got {fn!r}")
    n = next(_arg_ids)
    item_name, index_name = f"item{n}", f"index{n}"
    item: Var[Any] = Var({"op": "arg", "name": item_name}, "item")
    index: Var[int] = Var({"op": "arg", "name": index_name}, "index")
    try:
        nparams = len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        nparams = 1
    body = fn(item, index) if nparams >= 2 else fn(item)
    return ForeachNode(items, item_name, index_name, body)


def _event_targets(prop: str, value: Any) -> list[Any]:
    if value is None:
        raise TypeError(
            f"{prop}=None: it looks like the handler was called while building the UI "
            f"(on_click=state.save()). Pass the handler itself: {prop}=MyState.save, or with "
            f"arguments {prop}=MyState.save(arg)."
        )
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if is_event_ref(item):
            resolve(item)  # a private method or a non-handler is refused here, by name
            continue
        if callable(item):
            continue  # a lambda returning events; expanded when the view is built
        raise TypeError(
            f"{prop} takes an event handler such as MyState.save, MyState.set_x(5) or a list "
            f"of them, not {item!r}"
        )
    return items


MAX_DELAY = 2**31 - 1
"""The longest ``debounce`` or ``throttle`` (ms): the browser's timers fire at once beyond it."""


def _check_pacing(name: str, props: dict[str, Any], events: dict[str, list[Any]]) -> None:
    """``debounce=`` and ``throttle=`` are fixed numbers of milliseconds, and pace ``on_change``."""
    for prop in PACING_PROPS:
        if prop not in props:
            continue
        value = props[prop]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fixed = " (a fixed number: the browser reads it once)" if isinstance(value, Var) else ""
            raise TypeError(
                f"{name}({prop}=...) takes a number of milliseconds, such as {prop}=300, not "
                f"{value!r}{fixed}"
            )
        if not (0 <= value <= MAX_DELAY):  # also refuses nan
            raise ValueError(
                f"{name}({prop}={value!r}): give a number of milliseconds from 0 to {MAX_DELAY}"
            )
        if "on_change" not in events:
            raise TypeError(
                f"{name}({prop}={value!r}) paces the on_change events sent to the kernel, but no "
                f"on_change is bound; bind one (on_change=MyState.set_x) or leave {prop} out"
            )


def make(name: str, children: Iterable[Any], kwargs: dict[str, Any]) -> Component:
    """Build component ``name``, sorting keyword arguments into props, style and events.

    What ``name`` takes is its entry in the catalogue (:mod:`nbstate._ui.catalog`): its own
    props first, then the common props, then style props; events are its own and the generic
    ones. Anything else is refused, by name, with the nearest match.
    """
    spec = COMPONENTS[name]
    own = set(spec.props) | set(COMMON_PROPS)
    props: dict[str, Any] = {}
    style: dict[str, Any] = {}
    events: dict[str, list[Any]] = {}
    for key, value in kwargs.items():
        prop = key[:-1] if key.endswith("_") else key
        if prop in own:
            props[prop] = value
            continue
        if key.startswith("on_"):
            if key not in spec.events and key not in GENERIC_EVENTS:
                known = sorted({*spec.events, *GENERIC_EVENTS})
                raise TypeError(
                    f"{name}() has no event '{key}'; its events are {', '.join(known)}"
                )
            events[key] = _event_targets(key, value)
            continue
        if key == "style":
            if not isinstance(value, dict):
                raise TypeError(f"{name}(style=...) takes a dict of CSS properties")
            for k, v in value.items():
                style[_kebab(k)] = v
            continue
        if key in STYLE_ALIASES:
            target = STYLE_ALIASES[key]
            for t in (target,) if isinstance(target, str) else target:
                style[_kebab(t)] = value
            continue
        if key in STYLE_PROPS:
            style[_kebab(key)] = value
            continue
        # Suggest among the component's own props first: a style prop is rarely what a
        # misspelt prop meant (``loading=`` once suggested 'padding').
        import difflib  # only for this error: import nbstate stays light

        close = difflib.get_close_matches(prop, sorted(own), n=1) or difflib.get_close_matches(
            prop, sorted(STYLE_PROPS), n=1
        )
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise TypeError(f"{name}() got an unknown prop '{key}'.{hint}")
    flat: list[Any] = []
    for child in children:
        if isinstance(child, (list, tuple)):
            flat.extend(child)
        elif child is not None:
            flat.append(child)
    if flat and not spec.children:
        raise TypeError(f"{name}() takes no children; give its content as a prop")
    _check_pacing(name, props, events)
    return Component(name, flat, props, style, events)
