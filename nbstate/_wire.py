"""Messages from the frontend: checked before anything runs, then dispatched.

A frontend names a state (the model it sends on), a handler and arguments. Only public handlers
of that state may run, with arguments coerced to their annotations; anything else (private
names, backend vars, wrong arity or types, non-JSON or oversized payloads, binary buffers) gets a
``rejected`` reply and an error entry, and runs no code. The message shapes are in
``docs/protocol.md``.
"""

from __future__ import annotations

import contextvars
import json
from typing import TYPE_CHECKING, Any

from ._app import app
from ._errors import EventRejected

if TYPE_CHECKING:
    from ._runtime import Runtime

MAX_EVENT_BYTES = 1_000_000
EVENT_FIELDS = frozenset({"kind", "id", "handler", "args", "view"})


def handle_message(rt: Runtime, content: Any, buffers: Any) -> None:
    """Check one custom message for ``rt`` and run it, or refuse it with a clear error."""
    reply_id = content.get("id") if isinstance(content, dict) else None
    if not isinstance(reply_id, int) or isinstance(reply_id, bool):
        reply_id = None
    try:
        _dispatch(rt, content, buffers, reply_id)
    except EventRejected as exc:
        rt._refuse(reply_id, str(exc))


def _dispatch(rt: Runtime, content: Any, buffers: Any, reply_id: int | None) -> None:
    label = rt.label
    if buffers:
        raise EventRejected(f"{label}: events may not carry binary buffers")
    if not isinstance(content, dict):
        raise EventRejected(f"{label}: an event must be a JSON object, got {content!r:.80}")
    try:
        size = len(json.dumps(content, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise EventRejected(f"{label}: the event is not valid JSON ({exc})") from None
    if size > MAX_EVENT_BYTES:
        raise EventRejected(
            f"{label}: the event is {size:,} bytes; the limit is {MAX_EVENT_BYTES:,}"
        )
    kind = content.get("kind")
    if kind == "dismiss":
        rt.dismiss(content.get("id"))
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
    info = rt.meta.handlers.get(name)
    if info is None:
        raise EventRejected(_unknown_handler(rt, name))
    if rt.closed:
        raise EventRejected(f"{label} was closed; {name} did not run")
    bound = info.bind(args)
    ctx = _view_context(rt, view)
    if info.background:
        rt.start(info, bound, ctx)
        rt._reply(reply_id, {"kind": "done", "id": reply_id})
    else:
        rt.schedule(info, bound, ctx, reply_id)


def _unknown_handler(rt: Runtime, name: str) -> str:
    label, meta = rt.label, rt.meta
    if name.startswith("_"):
        what = "a backend var" if name in meta.vars else "private"
        return f"{label}.{name} is {what}; the browser may only call public event handlers"
    if name in meta.vars or name in meta.computed:
        return (
            f"{label}.{name} is a var, not an event handler; to change it from the browser "
            f"use set_{name}"
        )
    known = ", ".join(sorted(meta.handlers)) or "none"
    return f"{label} has no event handler {name!r} (handlers: {known})"


def _view_context(rt: Runtime, view: str | None) -> contextvars.Context:
    """The context of the cell that displayed the view: its prints and errors go there."""
    target = app.views.get(view) if view is not None else None
    ctx = getattr(target, "context", None)
    return ctx if isinstance(ctx, contextvars.Context) else rt.ctx
