"""Views: a displayed component tree, as its own anywidget model.

The view model holds the tree as JSON and references to the state models it reads. Many views of
one state stay in sync because they all listen to the same state model. Every component node
displays itself as a view, so a tree as a cell's last expression shows up live.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import uuid
from typing import Any

import ipywidgets
import traitlets
from IPython import get_ipython

from .._base.app import app
from .._base.loop import call_on_main
from .._engine.events import EventRef, is_event_ref, resolve
from .._state.handlers import EventHandler, EventSpec, HandlerInfo
from .._state.state import State, core_of, default_instance
from .._values.jsondata import encode_floats
from .._vars.expr import Var, has_var, to_tree
from .._wire import assets
from .._wire.model import Bridge
from .._wire.outbox import OUTBOX, Hub
from .._wire.protocol import COMM_METHODS
from .catalog import EVENT_VALUES
from .component import Component, CondNode, ForeachNode
from .snapshot import render as render_snapshot


def browser_values(states: list[State]) -> list[dict[str, Any]]:
    """What the browser holds for each of ``states`` (by their index in a view)."""
    return [core_of(s).part(Bridge).browser_values() for s in states]


def _cell_number() -> int | None:
    shell = get_ipython()
    count = getattr(shell, "execution_count", None)
    return count if isinstance(count, int) else None


class _Builder:
    """Turns a component tree into JSON, collecting the states and widgets it reads."""

    def __init__(self, bind: dict[type, State]) -> None:
        self.bind = bind
        self.states: list[State] = []
        self.widgets: list[ipywidgets.Widget] = []
        self.names: set[str] = set()  # the component names in the tree

    def state_index(self, ref: Any) -> int:
        inst = ref if isinstance(ref, State) else self._instance_for(ref)
        for i, s in enumerate(self.states):
            if s is inst:
                return i
        self.states.append(inst)
        return len(self.states) - 1

    def _instance_for(self, cls: type[State]) -> State:
        for bound_cls, inst in self.bind.items():
            related = issubclass(bound_cls, cls) or issubclass(cls, bound_cls)
            if related and isinstance(inst, cls):
                return inst
        return default_instance(cls)

    def expr(self, value: Any) -> dict[str, Any]:
        resolved: dict[str, Any] = self._resolve(to_tree(value))
        return resolved

    def _resolve(self, tree: Any) -> Any:
        if isinstance(tree, dict):
            if tree.get("op") == "var":
                return {"op": "var", "s": self.state_index(tree["s"]), "name": tree["name"]}
            if tree.get("op") == "lit":  # a value from Python: infinities travel tagged
                return {"op": "lit", "v": encode_floats(tree.get("v"))}
            return {k: self._resolve(v) for k, v in tree.items()}
        if isinstance(tree, list):
            return [self._resolve(v) for v in tree]
        return tree

    def node(self, x: Any) -> dict[str, Any] | None:
        if x is None:
            return None
        if isinstance(x, Component):
            return self.component(x)
        if isinstance(x, CondNode):
            return {"type": "cond", "c": self.expr(x.c), "a": self.node(x.a), "b": self.node(x.b)}
        if isinstance(x, ForeachNode):
            return {
                "type": "foreach",
                "list": self.expr(x.items),
                "item": x.item,
                "index": x.index,
                "body": self.node(x.body),
            }
        if isinstance(x, (list, tuple)):
            return {"type": "fragment", "children": [n for n in map(self.node, x) if n]}
        if isinstance(x, ipywidgets.Widget):
            self.widgets.append(x)
            return {"type": "widget", "index": len(self.widgets) - 1}
        if isinstance(x, (str, int, float, bool, Var)):
            return {"type": "text", "expr": self.expr(x)}
        if isinstance(x, (EventHandler, EventSpec)):
            raise TypeError(
                f"{x!r} is an event handler, not something to show; pass it as on_click=..."
            )
        raise TypeError(
            f"cannot show {x!r} in a component: children are components, strings, numbers, "
            "Vars or ipywidgets"
        )

    def component(self, c: Component) -> dict[str, Any]:
        self.names.add(c.name)
        props = {k: self.prop(c.name, k, v) for k, v in c.props.items()}
        style = {k: self.expr(v) for k, v in c.style.items()}
        events = {k: self.events(k, v) for k, v in c.events.items()}
        children = [n for n in map(self.node, c.children) if n is not None]
        return {
            "type": "component",
            "name": c.name,
            "props": props,
            "style": style,
            "events": events,
            "children": children,
        }

    def prop(self, component: str, key: str, value: Any) -> dict[str, Any]:
        if component == "data_table" and key == "data" and not has_var(value):
            value = table_data(value)
        if isinstance(value, (Component, CondNode, ForeachNode)):
            raise TypeError(f"{component}({key}=...) takes a value or a Var, not a component")
        return self.expr(value)

    def events(self, prop: str, targets: list[Any]) -> list[dict[str, Any]]:
        n_values = EVENT_VALUES.get(prop, 0)
        event_vars: list[Var[Any]] = [
            Var({"op": "event", "i": i}, f"event value {i}") for i in range(n_values)
        ]
        out: list[dict[str, Any]] = []
        for target in targets:
            out.extend(self._expand(prop, target, event_vars))
        return out

    def _expand(self, prop: str, target: Any, event_vars: list[Var[Any]]) -> list[dict[str, Any]]:
        if is_event_ref(target):
            ref = resolve(target)
            inst = ref.target if isinstance(ref.target, State) else self._instance_for(ref.target)
            return [self._spec(prop, ref, self.state_index(inst), event_vars)]
        # A lambda: call it with the event's values as Vars; it must return events.
        try:
            nparams = len(inspect.signature(target).parameters)
        except (TypeError, ValueError):
            nparams = 0
        result = target(*event_vars[:nparams])
        items = list(result) if isinstance(result, (list, tuple)) else [result]
        if not items or not all(isinstance(i, (EventSpec, EventHandler)) for i in items):
            raise TypeError(
                f"{prop}=lambda ...: must return an event such as MyState.set_x(value) "
                f"(or a list of them), but it returned {result!r}"
            )
        out: list[dict[str, Any]] = []
        for item in items:
            out.extend(self._expand(prop, item, event_vars))
        return out

    def _spec(
        self, prop: str, ref: EventRef, state: int, event_vars: list[Var[Any]]
    ) -> dict[str, Any]:
        info: HandlerInfo = ref.info
        params = info.params
        args: list[Any] = list(ref.args)
        if not ref.explicit:
            args = list(event_vars)
            if info.varargs is None:
                args = args[: len(params)]
            n_required = sum(p.required for p in params)
            if len(args) < n_required:
                raise TypeError(
                    f"{info.qualname} needs {n_required} argument(s) but {prop} passes "
                    f"{len(args)}; give them explicitly: {prop}={info.qualname}(...)"
                )
        elif info.varargs is None and not (
            sum(p.required for p in params) <= len(args) <= len(params)
        ):
            raise TypeError(
                f"{info.qualname} takes {len(params)} argument(s), got {len(args)} in {prop}"
            )
        return {"s": state, "handler": info.name, "args": [self.expr(a) for a in args]}


def table_data(value: Any) -> Any:
    """Lists of dicts and DataFrames become ``{"columns": [...], "rows": [[...]]}``."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        names = [str(c) for c in value.columns]
        rows = value.astype(object).where(value.notna(), None).values.tolist()
        return {"columns": names, "rows": rows}
    if isinstance(value, list) and all(isinstance(r, dict) for r in value):
        columns: list[str] = []
        for r in value:
            for k in r:
                if k not in columns:
                    columns.append(k)
        return {"columns": columns, "rows": [[r.get(c) for c in columns] for r in value]}
    return value


class View(assets.FixedModule):
    """A live view of a component tree. Display it, or let a cell's last expression show it."""

    _esm = traitlets.Unicode(assets.loader_esm()).tag(sync=True)
    # The hub carries the renderer and the CSS; this view's tiny ESM loads them from it.
    _nbstate_hub = traitlets.Instance(Hub, allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    tree = traitlets.Dict().tag(sync=True)
    states = traitlets.List(trait=traitlets.Instance(ipywidgets.Widget)).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    widgets = traitlets.List(trait=traitlets.Instance(ipywidgets.Widget)).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    # anywidget's model proxy hides model_id; events name their view with this.
    _nbstate_view_id = traitlets.Unicode("").tag(sync=True)
    # Shown over the view when it no longer works (its state class was redefined).
    _nbstate_notice = traitlets.Unicode("").tag(sync=True)

    _nb_spare = False  # True while this model waits, opened, for a tree (see _Spare)

    def __new__(cls, root: Any = None, bind: dict[type, State] | None = None) -> View:
        # A view shown while a spare is open takes it: the page imported its module already.
        spare = SPARE.take() if cls is View and root is not _SPARE else None
        return spare if spare is not None else super().__new__(cls)

    def __init__(self, root: Any, bind: dict[type, State] | None = None) -> None:
        if root is _SPARE:
            self._nb_spare = True
            self._open(OUTBOX.ensure_hub(), {}, [], [])
            return
        try:
            builder = _Builder(dict(bind or {}))
            tree = builder.node(root)
            if tree is None:
                raise TypeError("nothing to show: the component tree is empty")
            models = [core_of(s).part(Bridge).ensure_model() for s in builder.states]
            hub = OUTBOX.ensure_hub()
        except BaseException:
            if self._nb_spare:  # unchanged: the next view can still take it
                SPARE.give_back(self)
            raise
        self._nb_root = root
        self._nb_states = builder.states
        self._nb_cell = _cell_number()
        if "markdown" in builder.names:
            hub.need_markdown()
        if self._nb_spare:  # one update message, sent before the display that shows it
            self._nb_spare = False
            with self.hold_sync():
                self.tree = tree
                self.states = models
                self.widgets = builder.widgets
        else:
            self._open(hub, tree, models, builder.widgets)
        # Errors and prints from events started in this view belong to this cell's output.
        self.context = contextvars.copy_context()
        app.views[self.model_id] = self
        SPARE.refill_soon()

    def _open(self, hub: Hub, tree: Any, models: list[Any], widgets: list[Any]) -> None:
        # The id is chosen here so the view can carry it from the start (anywidget's model
        # proxy hides model_id from the frontend): no update message after the open.
        model_id = uuid.uuid4().hex
        super().__init__(
            model_id=model_id,
            _esm=assets.MODULES.view_esm(),
            _nbstate_view_id=model_id,
            _nbstate_hub=hub,
            tree=tree,
            states=models,
            widgets=widgets,
        )

    def __repr__(self) -> str:
        if self._nb_spare:
            return "View(spare: opened ahead, shows nothing until a tree is shown)"
        names = ", ".join(type(s).__name__ for s in self._nb_states) or "no state"
        return f"View({self._nb_root!r}; reads {names})"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, plus a static ``text/html`` snapshot for pages with no widget manager
        (nbconvert's HTML, nbviewer, GitHub); Jupyter frontends show the live view."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if not isinstance(bundle, tuple):
            return bundle
        data, metadata = bundle
        try:
            html = self.snapshot_html()
        except Exception:  # a snapshot never costs the live view: show it without one
            return data, metadata
        return {**data, "text/html": html}, metadata

    def snapshot_html(self) -> str:
        """The tree drawn as inert HTML with the values the browser holds now (public and
        computed vars only; backend vars are never on the model)."""
        return render_snapshot(self.tree, browser_values(self._nb_states))

    def _handle_msg(self, msg: Any) -> None:
        # The browser only asks a view for its state; anything else is refused and counted.
        call_on_main(self._receive, msg)

    def _receive(self, msg: Any) -> None:
        content = msg.get("content") if isinstance(msg, dict) else None
        data = content.get("data") if isinstance(content, dict) else None
        method = data.get("method") if isinstance(data, dict) else None
        if method == "request_state" and method in COMM_METHODS:
            self.send_state()
        else:
            app.refused += 1


_SPARE = object()


class _Spare:
    """One view model opened before it is needed, once a page has loaded this kernel's hub.

    anywidget imports a new model's module in the page before the model can render, and that
    import waits behind the page's other work (a warm re-run of a cell showed its buttons a
    median 12 ms, 23 ms at p90, after the result arrived; ipywidgets' built-in views, 6 ms).
    The spare's import is done by the time a view is shown: the view takes the spare, sends its
    tree in one update message, and the page draws it as soon as the result arrives. The next
    spare is opened after the cell, so its import does not compete with that first draw; none
    is opened before a page has reported, so a kernel's cold first render is not slowed and a
    kernel with no page (nbval, scripts) never has one.
    """

    def __init__(self) -> None:
        self.view: View | None = None
        self.due = False

    def take(self) -> View | None:
        view, self.view = self.view, None
        if view is None or self._usable(view):
            return view
        view.close()
        return None

    @staticmethod
    def _usable(view: View) -> bool:
        hub = OUTBOX.hub
        esm = view._esm
        return (
            view.comm is not None
            and hub is not None
            and hub.comm is not None
            and view._nbstate_hub is hub
            # inline works in every page; a URL only while the pages still agree on it
            and (esm == assets.loader_esm() or esm == assets.MODULES.view_esm())
        )

    def reported(self) -> None:
        """A page reported: close a spare naming a URL the pages no longer agree on (a page that
        cannot import it would fail to load it), and open one if there is none."""
        if self.view is not None and not self._usable(self.view):
            view, self.view = self.view, None
            view.close()
        self.refill_soon()

    def give_back(self, view: View) -> None:
        if self.view is None:
            self.view = view
        else:
            view.close()

    def refill_soon(self) -> None:
        """Open the next spare when the running cell is over, if a page has loaded the hub."""
        if self.due or self.view is not None or not app.views or not assets.MODULES.pages:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no kernel loop (a plain script): no page to import it either
            return
        self.due = True
        loop.call_soon(self._refill)

    def _refill(self) -> None:
        self.due = False
        if self.view is None and app.views and assets.MODULES.pages:
            self.view = View(_SPARE)

    def reset(self) -> None:
        view, self.view = self.view, None
        if view is not None:
            view.close()


SPARE = _Spare()
app.on_reset.append(SPARE.reset)
assets.MODULES.on_report.append(SPARE.reported)


def _mimebundle(self: Any, **kwargs: Any) -> Any:
    return View(self)._repr_mimebundle_(**kwargs)


for _node in (Component, CondNode, ForeachNode):
    setattr(_node, "_repr_mimebundle_", _mimebundle)  # noqa: B010 (shown live when displayed)


def _notify_views(old: type, new: type) -> None:
    """The class of a state shown in views was redefined: say so in each of those views."""
    cell = _cell_number()
    where = f" in cell [{cell}]" if cell is not None else ""
    for view in list(app.views.values()):
        if any(type(s) is old for s in view._nb_states):
            shown = f" [{view._nb_cell}]" if view._nb_cell is not None else ""
            view._nbstate_notice = (
                f"{old.__name__} was redefined{where}, so this view shows a closed state. "
                f"Re-run the cell{shown} that shows it to see the new class."
            )


app.on_redefined.append(_notify_views)
