"""Messages from the browser: checked before anything runs, then dispatched.

Every comm message to a state model comes here on the main loop thread. A frontend names a state
(the model it sends on), a handler and arguments. Only public handlers of that state may run,
with arguments coerced to their annotations. Anything else is refused and counted in
``nbstate.app.refused``, with no traceback and no code run:

- malformed comm messages (no ``data``, no or unknown ``method``) are refused quietly;
- refused events (private names, backend vars, unknown handlers, wrong arity or types, non-JSON
  or oversized payloads, text that is not valid Unicode, binary buffers) get a ``rejected``
  reply and an error entry; so does a malformed ``dismiss``, without a reply (its id names an
  error entry, not an event);
- a write of a var trait (a widget linked with ``jslink``) is the event ``set_<var>``, with the
  same checks; anything else it names is refused, and the kernel's values are sent again.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, Any

from .._base.app import app
from .._base.errors import EventRejected
from .._engine import events
from .._engine.report import ErrorLog
from .._state.state import ClassMeta
from .._values.jsondata import from_wire, wire_size
from .protocol import COMM_METHODS, DoneReply, RejectedReply

if TYPE_CHECKING:  # the bridge imports this module to hand messages over
    from .model import Bridge

MAX_EVENT_BYTES = 1_000_000
EVENT_FIELDS = frozenset({"kind", "id", "handler", "args", "view"})


def receive(bridge: Bridge, msg: Any) -> None:
    """One comm message for ``bridge``'s state, on the main thread."""
    content = msg.get("content") if isinstance(msg, dict) else None
    data = content.get("data") if isinstance(content, dict) else None
    method = data.get("method") if isinstance(data, dict) else None
    if not isinstance(method, str) or method not in COMM_METHODS or bridge.core.closed:
        app.refused += 1
        return
    assert isinstance(data, dict)
    if method == "custom":
        handle_event(bridge, data.get("content"), msg.get("buffers"))
    elif method == "request_state":
        if bridge.model is not None:
            bridge.model.send_state()
    else:
        header = msg.get("header")
        msg_id = header.get("msg_id") if isinstance(header, dict) else None
        handle_update(bridge, data.get("state"), msg_id if isinstance(msg_id, str) else None)


def refuse(bridge: Bridge, reply_id: int | None, message: str) -> None:
    """Count a refused event, answer it, and show why in every view."""
    app.refused += 1
    reply: RejectedReply = {"kind": "rejected", "id": reply_id, "error": message}
    if reply_id is not None:
        bridge.send(reply)
    bridge.core.part(ErrorLog).show("event", "EventRejected", message, "")


def handle_update(bridge: Bridge, state: Any, msg_id: str | None = None) -> None:
    """The browser wrote state traits (a linked widget): each var trait runs its setter.

    Whatever happens to each key, the kernel's value then goes back tagged with ``msg_id``, so
    the browser knows which of its updates the value answers (see docs/protocol.md, "echo").
    """
    label = bridge.core.label
    if not isinstance(state, dict) or not state:
        refuse(bridge, None, f"{label}: a trait update must be a non-empty JSON object")
        return
    meta = _meta(bridge)
    for key, value in state.items():
        name = bridge.var_of_key.get(key) if isinstance(key, str) else None
        info = meta.handlers.get(f"set_{name}") if name is not None else None
        if info is None:
            shown = key[2:] if isinstance(key, str) and key.startswith("v_") else key
            refuse(
                bridge,
                None,
                f"{label}: the browser tried to set {shown!r}, which is not a var it may set "
                "(computed vars and nbstate's own traits are read-only)",
            )
            if isinstance(key, str):
                bridge.echo(key, msg_id, now=True)
            continue
        try:
            wire_size(value)
        except (TypeError, ValueError) as exc:
            refuse(bridge, None, f"{label}: the value for {key[2:]!r} is not valid JSON ({exc})")
            bridge.echo(key, msg_id, now=True)  # the browser takes the kernel's value back
            continue
        try:
            bound = info.bind([from_wire(value)])
        except EventRejected as exc:
            refuse(bridge, None, str(exc))
            bridge.echo(key, msg_id, now=True)  # the browser takes the kernel's value back
            continue

        def done(outcome: events.Outcome, key: str = key) -> None:
            bridge.echo(key, msg_id, now=outcome.error is not None or outcome.cancelled)

        events.schedule(bridge.core, info, bound, bridge.context, on_done=done)


def handle_event(bridge: Bridge, content: Any, buffers: Any) -> None:
    """Check one custom message and run it, or refuse it with a clear error."""
    reply_id = content.get("id") if isinstance(content, dict) else None
    if type(reply_id) is not int or content.get("kind") == "dismiss":
        reply_id = None  # a dismiss's id names an error entry, not an event to answer
    try:
        _dispatch(bridge, content, buffers, reply_id)
    except EventRejected as exc:
        refuse(bridge, reply_id, str(exc))


def _dispatch(bridge: Bridge, content: Any, buffers: Any, reply_id: int | None) -> None:
    core = bridge.core
    label = core.label
    if buffers:
        raise EventRejected(f"{label}: events may not carry binary buffers")
    if not isinstance(content, dict):
        raise EventRejected(f"{label}: an event must be a JSON object, got {content!r:.80}")
    try:
        size = wire_size(content)
    except (TypeError, ValueError) as exc:
        raise EventRejected(f"{label}: the event is not valid JSON ({exc})") from None
    if size > MAX_EVENT_BYTES:
        raise EventRejected(
            f"{label}: the event is {size:,} bytes; the limit is {MAX_EVENT_BYTES:,}"
        )
    kind = content.get("kind")
    if kind == "dismiss":
        entry = content.get("id")
        if set(content) != {"kind", "id"} or type(entry) is not int:
            raise EventRejected(
                f"{label}: a dismiss is {{'kind': 'dismiss', 'id': <error entry id, an "
                f"integer>}}, got {content!r:.120}"
            )
        core.part(ErrorLog).dismiss(entry)
        return
    if kind != "event":
        raise EventRejected(f"{label}: unknown message kind {kind!r}; expected 'event'")
    extra = set(content) - EVENT_FIELDS
    if extra:
        raise EventRejected(f"{label}: unknown event fields {sorted(extra)}")
    if "id" in content and reply_id is None and content["id"] is not None:
        raise EventRejected(f"{label}: the event id must be an integer")
    name = content.get("handler")
    if not isinstance(name, str):
        raise EventRejected(f"{label}: the event must name a handler (a string)")
    args = content.get("args", [])
    if not isinstance(args, list):
        raise EventRejected(f"{label}.{name}: args must be a list")
    view = content.get("view")
    if view is not None and not isinstance(view, str):
        raise EventRejected(f"{label}.{name}: view must be a model id string")
    info = _meta(bridge).handlers.get(name)
    if info is None:
        raise EventRejected(_unknown_handler(bridge, name))
    if core.closed:
        raise EventRejected(f"{label} was closed; {name} did not run")
    bound = info.bind(from_wire(args))
    ctx = _view_context(view) or bridge.context
    if info.background:
        events.start_task(core, info, bound, ctx, view=view)
        if reply_id is not None:
            bridge.send(DoneReply(kind="done", id=reply_id))
        return

    def done(outcome: events.Outcome) -> None:
        if reply_id is not None:
            reply: DoneReply = {"kind": "done", "id": reply_id}
            if outcome.cancelled:
                reply["cancelled"] = True
            bridge.send(reply)

    events.schedule(core, info, bound, ctx, on_done=done, view=view)


def _meta(bridge: Bridge) -> ClassMeta:
    meta: ClassMeta = type(bridge.core.state)._nbstate_meta
    return meta


def _unknown_handler(bridge: Bridge, name: str) -> str:
    core = bridge.core
    label, schema = core.label, core.schema
    if name.startswith("_"):
        what = "a backend var" if name in schema.backend else "private"
        return f"{label}.{name} is {what}; the browser may only call public event handlers"
    if name in schema.public_set or name in schema.computed:
        return (
            f"{label}.{name} is a var, not an event handler; to change it from the browser "
            f"use set_{name}"
        )
    known = ", ".join(sorted(_meta(bridge).handlers)) or "none"
    return f"{label} has no event handler {name!r} (handlers: {known})"


def _view_context(view: str | None) -> contextvars.Context | None:
    """The context of the cell that displayed the view: its prints and errors go there."""
    target = app.views.get(view) if view is not None else None
    ctx = getattr(target, "context", None)
    return ctx if isinstance(ctx, contextvars.Context) else None
