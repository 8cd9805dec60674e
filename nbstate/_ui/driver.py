"""A headless driver for a view: find what a person would see, click and type, read the text.

``nbstate.testing.mount(tree_or_view)`` gives a :class:`Mounted` view. It reads the view's JSON
tree (what the browser gets) and evaluates it with :mod:`.evaluate`, by the browser's rules,
against the values the browser holds (the state models' traits): so what it finds is what the
live view shows. Nothing is cached: every query reads the current values.

Finding follows Playwright's names: ``get_by_role(role, name=...)``, ``get_by_text(text)``,
``get_by_label(text)``, ``get_by_placeholder(text)``. Hidden components (``hidden=True``) are
not found. Acting sends the events the browser would send: ``click()`` fires ``on_click`` (and
toggles a checkbox or switch), ``fill(text)`` fires ``on_change`` with the text (a number for
number inputs and sliders), ``select_option(value)`` picks in a select or radio group. Actions
queue the events as clicks do; ``await ui.settle()`` waits until they have run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .._api import fire
from .._settle import idle
from .._state.state import State
from .evaluate import Env, evaluate, py_str, truthy
from .view import View, browser_values

ROLES = {
    "button": "button",
    "heading": "heading",
    "link": "link",
    "input": "textbox",
    "text_area": "textbox",
    "number_input": "spinbutton",
    "slider": "slider",
    "checkbox": "checkbox",
    "switch": "switch",
    "select": "combobox",
    "radio_group": "radiogroup",
    "progress": "progressbar",
    "image": "img",
    "data_table": "table",
    "form": "form",
}
"""The ARIA role of each component as the browser renders it (others have none to find by)."""

NUMERIC = frozenset({"number_input", "slider"})


@dataclass
class Element:
    """One component as rendered now: its name, evaluated props, text and events."""

    name: str
    props: dict[str, Any]
    text: str
    events: dict[str, list[dict[str, Any]]]
    env: Env
    view: Mounted
    index: int  # its place in the view's elements, in document order
    end: int = 0  # its descendants are the elements from index + 1 up to end

    @property
    def role(self) -> str | None:
        return ROLES.get(self.name)

    def accessible_name(self) -> str:
        attrs = self.props.get("custom_attrs")
        if isinstance(attrs, Mapping) and isinstance(attrs.get("aria-label"), str):
            return str(attrs["aria-label"])
        if self.name == "image":
            return py_str(self.props.get("alt", ""))
        return self.text

    def __repr__(self) -> str:
        return f"<{self.name} {self.accessible_name()!r}>"


def _matches(actual: str, wanted: str, exact: bool) -> bool:
    if exact:
        return actual.strip() == wanted
    return wanted.lower() in actual.lower()


class Locator:
    """A query over a mounted view; resolved at each use, as Playwright's locators are."""

    def __init__(
        self,
        view: Mounted,
        what: str,
        test: Callable[[Element, list[Element]], bool],
        pick: int | None = None,
    ) -> None:
        self.view, self.what, self.test, self.pick = view, what, test, pick

    def __repr__(self) -> str:
        return f"<locator {self.what}>"

    def all(self) -> list[Element]:
        found = self.view.elements()
        matched = [e for e in found if self.test(e, found)]
        if self.pick is None:
            return matched
        inside = -len(matched) <= self.pick < len(matched)
        return [matched[self.pick]] if inside else []

    def nth(self, index: int) -> Locator:
        """The ``index``-th match (negative counts from the end), as Playwright's ``nth``."""
        return Locator(self.view, f"{self.what}.nth({index})", self.test, index)

    @property
    def first(self) -> Locator:
        return self.nth(0)

    @property
    def last(self) -> Locator:
        return self.nth(-1)

    def count(self) -> int:
        return len(self.all())

    def element(self) -> Element:
        found = self.all()
        if len(found) != 1:
            shown = ", ".join(map(repr, found[:5])) or "nothing"
            raise LookupError(
                f"{self.what} matched {len(found)} elements ({shown}); a locator must match "
                f"exactly one to act on it. The view shows: {self.view.text()!r}"
            )
        return found[0]

    def text(self) -> str:
        return self.element().text

    inner_text = text

    def is_disabled(self) -> bool:
        return truthy(self.element().props.get("disabled"))

    def input_value(self) -> Any:
        return self.element().props.get("value")

    def click(self) -> None:
        el = self.element()
        if truthy(el.props.get("disabled")):
            raise RuntimeError(f"{el!r} is disabled; a person could not click it")
        if el.name in ("checkbox", "switch"):
            self.view.send(el, "on_change", [not truthy(el.props.get("checked"))])
        self.view.send(el, "on_click", [])

    def fill(self, value: str) -> None:
        el = self.element()
        if el.name not in ("input", "text_area", "number_input", "slider"):
            raise TypeError(f"{el!r} is not a field one can type into")
        if truthy(el.props.get("disabled")) or truthy(el.props.get("read_only")):
            raise RuntimeError(f"{el!r} is disabled or read-only")
        sent: Any = value
        if el.name in NUMERIC:
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"{el!r} takes a number, not {value!r}") from None
            sent = int(number) if number.is_integer() else number
        self.view.send(el, "on_change", [sent])

    def press(self, key: str) -> None:
        """A key press in a field: ``on_key_down``, and ``on_submit`` for Enter."""
        el = self.element()
        self.view.send(el, "on_key_down", [key])
        if key == "Enter":
            self.view.send(el, "on_submit", [el.props.get("value")])

    def select_option(self, value: str) -> None:
        el = self.element()
        if el.name not in ("select", "radio_group"):
            raise TypeError(f"{el!r} is not a select or a radio group")
        self.view.send(el, "on_change", [value])


class Mounted:
    """A view mounted headless. Build it with ``nbstate.testing.mount(tree_or_view)``."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.states: list[State] = list(view._nb_states)

    def __repr__(self) -> str:
        return f"<mounted {self.view!r}>"

    # -- reading ----------------------------------------------------------------------------

    def elements(self) -> list[Element]:
        """Every visible component, in document order."""
        out: list[Element] = []
        self._walk(self.view.tree, Env(states=browser_values(self.states)), out)
        return out

    def text(self) -> str:
        """All the text the view shows, as one string."""
        return "".join(self._texts(self.view.tree, Env(states=browser_values(self.states))))

    def _walk(self, node: Any, env: Env, out: list[Element]) -> None:
        for kind, n, e in self._visible(node, env):
            if kind == "component":
                props = {k: evaluate(v, e) for k, v in n.get("props", {}).items()}
                text = "".join(self._texts_of_children(n, e))
                el = Element(n["name"], props, text, n.get("events", {}), e, self, len(out))
                out.append(el)
                for child in n.get("children", []):
                    self._walk(child, e, out)
                el.end = len(out)

    def _visible(self, node: Any, env: Env) -> Iterator[tuple[str, Mapping[str, Any], Env]]:
        """The nodes shown for ``node``: a cond's branch, a foreach's rows, hidden ones left out."""
        if not isinstance(node, Mapping):
            return
        kind = node.get("type")
        if kind == "cond":
            branch = node.get("a") if truthy(evaluate(node["c"], env)) else node.get("b")
            yield from self._visible(branch, env)
        elif kind == "foreach":
            items = evaluate(node["list"], env)
            for i, item in enumerate(items if isinstance(items, list) else []):
                row = env.with_args(**{node["item"]: item, node["index"]: i})
                yield from self._visible(node.get("body"), row)
        elif kind == "fragment":
            for child in node.get("children", []):
                yield from self._visible(child, env)
        elif kind == "component":
            hidden = node.get("props", {}).get("hidden")
            if hidden is None or not truthy(evaluate(hidden, env)):
                yield "component", node, env
        elif kind in ("text", "widget"):
            yield kind, node, env

    def _texts(self, node: Any, env: Env) -> Iterator[str]:
        for kind, n, e in self._visible(node, env):
            if kind == "text":
                yield py_str(evaluate(n["expr"], e))
            elif kind == "component":
                yield from self._texts_of_children(n, e)

    def _texts_of_children(self, node: Mapping[str, Any], env: Env) -> Iterator[str]:
        for child in node.get("children", []):
            yield from self._texts(child, env)

    # -- finding ----------------------------------------------------------------------------

    def get_by_role(self, role: str, name: str | None = None, exact: bool = False) -> Locator:
        if role not in set(ROLES.values()):
            raise ValueError(
                f"no component has the role {role!r}; roles: {sorted(set(ROLES.values()))}"
            )
        return Locator(
            self,
            f"get_by_role({role!r}, name={name!r})",
            lambda e, _: (
                e.role == role and (name is None or _matches(e.accessible_name(), name, exact))
            ),
        )

    def get_by_text(self, text: str, exact: bool = False) -> Locator:
        """The innermost components whose text contains ``text`` (a stack around a matching
        button is not found, the button is)."""

        def test(e: Element, found: list[Element]) -> bool:
            return _matches(e.text, text, exact) and not any(
                _matches(d.text, text, exact) for d in found[e.index + 1 : e.end]
            )

        return Locator(self, f"get_by_text({text!r})", test)

    def get_by_label(self, text: str, exact: bool = False) -> Locator:
        """Fields labelled ``text``: an ``aria-label`` in ``custom_attrs``, or a checkbox's or
        switch's own text."""

        def test(e: Element, _: list[Element]) -> bool:
            attrs = e.props.get("custom_attrs")
            label = attrs.get("aria-label") if isinstance(attrs, Mapping) else None
            if label is None and e.name in ("checkbox", "switch"):
                label = e.text or e.props.get("text")
            return isinstance(label, str) and _matches(label, text, exact)

        return Locator(self, f"get_by_label({text!r})", test)

    def get_by_placeholder(self, text: str, exact: bool = False) -> Locator:
        return Locator(
            self,
            f"get_by_placeholder({text!r})",
            lambda e, _: (
                isinstance(e.props.get("placeholder"), str)
                and _matches(e.props["placeholder"], text, exact)
            ),
        )

    # -- acting -----------------------------------------------------------------------------

    def send(self, el: Element, prop: str, values: list[Any]) -> None:
        """Queue the events ``el`` has bound to ``prop``, as the browser sends them."""
        env = Env(el.env.states, el.env.args, values)
        for spec in el.events.get(prop, []):
            state = self.states[spec["s"]]
            handler = getattr(type(state), spec["handler"])
            args = [evaluate(a, env) for a in spec.get("args", [])]
            fire(handler, *args, state=state)

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until the events sent have run and their changes are in the views' values."""
        await idle(timeout)


def mount(root: Any, bind: Mapping[type, State] | None = None) -> Mounted:
    """Mount a component tree (or a :class:`View`) headless, for tests: see :class:`Mounted`."""
    view = root if isinstance(root, View) else View(root, dict(bind or {}))
    return Mounted(view)
