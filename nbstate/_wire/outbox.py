"""The kernel's outbox: every committed change goes out in one message per frame, kernel-wide.

A busy state would send a message per commit; a hundred busy states, a hundred messages per
frame. Instead every state's bridge queues its committed changes here, and the outbox sends
them all together, at most about once per animation frame (``app.coalesce_window``), as one
``batch`` message on the kernel's hub model. The first change after a quiet frame goes out at
once, and the last value always arrives. The frontend's hub applies a batch to each state model
in order (``model.set``, so ``jslink`` and saved widget state see standard trait values).

Batches are numbered. A frontend hub that starts late, or sees a gap, says ``hello`` and gets
a full batch with every state's current values.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from typing import Any, Protocol

import traitlets

from .._base.app import app
from .._base.loop import call_on_main, current_loop, loop_or_none
from . import assets
from .protocol import BatchEntry, BatchMessage

_BASE = re.compile(r"https?://[^\s?#]{1,2000}/")
"""A page's labextensions URL, as its hub reports it: absolute, no query, ending in /."""


class Source(Protocol):
    """A state's bridge, as the outbox sees it."""

    def model_id(self) -> str | None: ...

    def take(self) -> BatchEntry | None: ...

    def everything(self) -> BatchEntry | None: ...


class Hub(assets.FixedModule):
    """The kernel's one channel for state changes, and the carrier of the frontend's renderer.

    Created by nbstate; do not instantiate it. Its own ESM applies batches; the renderer
    (``_nbstate_runtime``) and the Markdown renderer (``_nbstate_markdown``, sent when first
    needed) are data that each view's loader imports once per page; its CSS is the views'.
    """

    _esm = traitlets.Unicode(assets.hub_esm()).tag(sync=True)
    _css = traitlets.Unicode(assets.css()).tag(sync=True)
    _anywidget_id = traitlets.Unicode("nbstate.hub").tag(sync=True)  # names its CSS
    _nbstate_hub = traitlets.Unicode("kernel").tag(sync=True)
    _nbstate_runtime = traitlets.Unicode("").tag(sync=True)
    _nbstate_runtime_id = traitlets.Unicode("").tag(sync=True)
    _nbstate_markdown = traitlets.Unicode("").tag(sync=True)
    # What a page checks before its views import the loader by URL (assets.ModuleBase).
    _nbstate_loader = traitlets.Unicode("").tag(sync=True)
    _nbstate_loader_path = traitlets.Unicode("").tag(sync=True)

    def __init__(self) -> None:
        super().__init__(
            _nbstate_runtime=assets.runtime(),
            _nbstate_runtime_id=assets.runtime_id(),
            _nbstate_loader=assets.loader_esm(),
            _nbstate_loader_path=f"{assets.LOADER_PATH}?v={assets.loader_id()}",
        )

    def need_markdown(self) -> None:
        """Send the Markdown renderer (once per hub): a view about to open shows Markdown."""
        if not self._nbstate_markdown:
            self._nbstate_markdown = assets.markdown()

    def __repr__(self) -> str:
        return "<nbstate hub>"

    def _handle_msg(self, msg: Any) -> None:
        call_on_main(OUTBOX.receive, msg)


class Outbox:
    """Committed changes of every state, waiting for the next frame."""

    def __init__(self) -> None:
        self.dirty: dict[Source, None] = {}
        self.sources: weakref.WeakSet[Any] = weakref.WeakSet()
        self.handle: asyncio.TimerHandle | None = None
        self.handle_loop: asyncio.AbstractEventLoop | None = None
        self.last_flush = -1e9
        self.seq = 0
        self.hub: Hub | None = None
        self.sent = 0  # batch messages sent, for benchmarks and tests

    def ensure_hub(self) -> Hub:
        """The hub model, opened before the first state model so frontends have it first."""
        if self.hub is None or self.hub.comm is None:
            self.hub = Hub()
            self.seq = 0
        return self.hub

    def add(self, source: Source) -> None:
        self.sources.add(source)

    def mark(self, source: Source) -> None:
        """``source`` has changes: send them now, or when the current frame is over."""
        self.dirty[source] = None
        if self.handle is not None and self.handle_loop is loop_or_none():
            return  # a flush is already due on this loop (a timer on a finished loop is not)
        self.handle = None
        window = app.coalesce_window
        loop = current_loop()
        if window <= 0 or loop is None or loop.is_closed():
            self.flush()
            return
        due = self.last_flush + window
        if loop.time() >= due:
            self.flush()
        else:
            self.handle = loop.call_at(due, self.flush)
            self.handle_loop = loop

    def flush(self) -> None:
        """Send every queued change in one batch message."""
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
        loop = current_loop()
        if loop is not None:
            self.last_flush = loop.time()
        if not self.dirty:
            return
        dirty, self.dirty = self.dirty, {}
        models: dict[str, BatchEntry] = {}
        for source in dirty:
            model_id = source.model_id()
            entry = source.take()
            if model_id is not None and entry:
                models[model_id] = entry
        self._send(models, full=False)

    def _send(self, models: dict[str, BatchEntry], full: bool) -> None:
        hub = self.hub
        if not models or hub is None or hub.comm is None:
            return
        self.seq += 1
        msg: BatchMessage = {"kind": "batch", "seq": self.seq, "models": models}
        if full:
            msg["full"] = True
        hub.send(msg)
        self.sent += 1

    def receive(self, msg: Any) -> None:
        """A message from a frontend's hub: ``hello`` asks for every current value; ``modules``
        says where that page imports a view's ESM from (``assets.MODULES``)."""
        content = msg.get("content") if isinstance(msg, dict) else None
        data = content.get("data") if isinstance(content, dict) else None
        body = data.get("content") if isinstance(data, dict) else None
        method = data.get("method") if isinstance(data, dict) else None
        if method == "request_state" and self.hub is not None:
            self.hub.send_state()
            return
        if method == "custom" and isinstance(body, dict) and body.get("kind") == "modules":
            page, base = body.get("page"), body.get("base")
            if (
                isinstance(page, str)
                and 0 < len(page) <= 64
                and (base is None or (isinstance(base, str) and _BASE.fullmatch(base)))
            ):
                assets.MODULES.report(page, base)
            else:
                app.refused += 1
            return
        if method != "custom" or not isinstance(body, dict) or body.get("kind") != "hello":
            app.refused += 1
            return
        self.flush()
        models = {}
        for source in list(self.sources):
            model_id = source.model_id()
            entry = source.everything()
            if model_id is not None and entry:
                models[model_id] = entry
        self._send(models, full=True)

    def reset(self) -> None:
        """Forget everything (the testing reset): cancel the timer and close the hub."""
        if self.handle is not None:
            self.handle.cancel()
        if self.hub is not None:
            self.hub.close()
        assets.MODULES.reset()
        self.__init__()  # type: ignore[misc]


OUTBOX = Outbox()
app.on_reset.append(OUTBOX.reset)
