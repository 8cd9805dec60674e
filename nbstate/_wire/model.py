"""The traitlets bridge: one anywidget model per State instance, one synced trait per var.

This is the only code that touches trait values. Var ``counter`` is the trait ``v_counter``:
the prefix keeps users' names (``keys``, ``open``, ``log``, ``layout``...) clear of the widget's
own attributes. Backend vars are never traits.

Committed changes arrive here through the core's sink, are stored in the traits, and are sent
coalesced: the first change after a quiet frame goes out at once, later ones when the frame
(``app.coalesce_window``) is over, all of a state's scalar changes in one update message and each
container var's changes as one patch message.
"""

from __future__ import annotations

import asyncio
import contextvars
import pathlib
from collections.abc import Mapping
from typing import Any

import anywidget
import traitlets

from .._base.app import app
from .._base.errors import StateClosedError
from .._base.loop import call_on_main, current_loop, require_main_thread
from .._core.core import Core, Part
from .._core.txn import NOTHING, Ops
from .._engine.report import ErrorLog
from .._values.jsondata import to_json
from .._values.patch import apply_ops
from .._values.tracking import FULL, MAX_OPS
from . import inbound
from .kernel import install_shutdown_hook
from .protocol import KernelMessage, PatchMessage

_STATE_BUNDLE = pathlib.Path(__file__).parent.parent / "static" / "state.js"
_MISSING_STATE_BUNDLE = """
export default { initialize() {
  console.warn("[nbstate] the frontend bundle is missing: run `make lab` (or `pip install -e .`).");
} };
"""


def _state_esm() -> Any:
    return _STATE_BUNDLE if _STATE_BUNDLE.exists() else _MISSING_STATE_BUNDLE


def trait_key(name: str) -> str:
    """The trait that carries var ``name``."""
    return "v_" + name


class StateModel(anywidget.AnyWidget):  # type: ignore[misc]
    """The synced side of a State instance. Created by nbstate; do not instantiate it."""

    _esm = _state_esm()
    _nbstate_class = traitlets.Unicode("").tag(sync=True)
    _nbstate_errors: traitlets.List[Any] = traitlets.List().tag(sync=True)

    def __init__(self, bridge: Bridge, values: dict[str, Any], errors: list[Any]) -> None:
        self._nb_bridge = bridge
        traits = {trait_key(k): v for k, v in values.items()}
        super().__init__(_nbstate_class=bridge.core.label, _nbstate_errors=errors, **traits)

    def __repr__(self) -> str:
        return f"<nbstate model of {self._nb_bridge.core.label}>"

    def _handle_msg(self, msg: Any) -> None:
        # May run on a subshell thread: everything is checked and handled on the main loop.
        call_on_main(inbound.receive, self._nb_bridge, msg)


def model_class(core: Core) -> type[StateModel]:
    """The StateModel subclass of a State class: one synced trait per public and computed var."""
    schema = core.schema
    cls: type[StateModel] | None = schema.extras.get("model_class")
    if cls is None:
        names = [*schema.public, *schema.computed]
        traits: dict[str, Any] = {
            trait_key(n): traitlets.Any(None, allow_none=True).tag(sync=True) for n in names
        }
        cls = type(f"{schema.name}Model", (StateModel,), traits)
        schema.extras["model_class"] = cls
    return cls


class Bridge(Part):
    """One state's model, and the changes queued for it."""

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self.model: StateModel | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        # Committed changes waiting for the next frame: trait keys, and ops per var (FULL
        # when the var is sent whole).
        self.pending_keys: set[str] = set()
        self.pending_ops: dict[str, Any] = {}
        self.flush_handle: asyncio.TimerHandle | None = None
        self.last_flush = -1e9
        self.resync: set[str] = set()
        schema = core.schema
        self.keys = {n: trait_key(n) for n in [*schema.public, *schema.computed]}
        # The cell that first showed the state: prints of events from no known view go there.
        self.context: contextvars.Context | None = None

    # -- the model ---------------------------------------------------------------------------

    def ensure_model(self) -> StateModel:
        """The state's anywidget model, created (and its comm opened) on first use."""
        if self.model is not None:
            return self.model
        core = self.core
        if core.closed:
            raise StateClosedError(f"{core.label} was closed")
        require_main_thread(f"creating the model of {core.label}")
        install_shutdown_hook()
        self.loop = current_loop()
        self.context = contextvars.copy_context()
        values = self.snapshot()
        core.sent.update((n, values[n]) for n in core.schema.computed)
        if core.sees_uncommitted():
            # Values changed in place by an open step are in the snapshot; if that step rolls
            # back, they are sent again whole.
            self.resync = set(core.log.dirty)
        errors = core.part(ErrorLog)
        self.model = model_class(core)(self, values, list(errors.entries))
        core.sink = self.on_commit
        core.restored = self.on_rollback
        errors.on_change = self.push_errors
        return self.model

    def snapshot(self) -> dict[str, Any]:
        """The JSON values the browser should hold for every public and computed var."""
        state, label, schema = self.core.state, self.core.label, self.core.schema
        return {
            n: to_json(getattr(state, n), where=f"{label}.{n}")
            for n in [*schema.public, *schema.computed]
        }

    # -- outbound -----------------------------------------------------------------------------

    def on_commit(self, values: dict[str, Any], patches: Mapping[str, Ops]) -> None:
        """A commit of this state: store its values in the traits and queue them."""
        model = self.model
        if model is None:
            return
        tv = model._trait_values
        patchable = self.core.patchable
        keys = self.keys
        for name, value in values.items():
            key = keys[name]
            tv[key] = value
            if name in patchable:
                self.pending_ops[name] = FULL
            else:
                self.pending_keys.add(key)
        for name, ops in patches.items():
            key = keys[name]
            tv[key] = apply_ops(tv[key], ops)
            queued = self.pending_ops.get(name)
            if queued is None:
                self.pending_ops[name] = list(ops)
            elif queued is not FULL:
                queued.extend(ops)
                if len(queued) > MAX_OPS:
                    self.pending_ops[name] = FULL
        if self.resync:
            self.resync.difference_update(values, patches)
        if self.flush_handle is None:
            self._emit()

    def on_rollback(self, names: list[str]) -> None:
        """A step rolled back: vars the model took from it before its end are sent again."""
        stale = self.resync.intersection(names)
        if not stale or self.model is None:
            return
        self.resync -= stale
        state, label = self.core.state, self.core.label
        values = {n: to_json(state.__dict__[n], where=f"{label}.{n}") for n in stale}
        self.on_commit(values, NOTHING)

    def _emit(self) -> None:
        """Send now if the last send was a frame ago or more; else once the frame is over."""
        window = app.coalesce_window
        loop = self.loop
        if window <= 0 or loop is None or loop.is_closed():
            self.flush()
            return
        due = self.last_flush + window
        if loop.time() >= due:
            self.flush()
        else:
            self.flush_handle = loop.call_at(due, self.flush)

    def flush(self) -> None:
        """Send every queued change: one update message, and one patch message per var."""
        if self.flush_handle is not None:
            self.flush_handle.cancel()
            self.flush_handle = None
        model = self.model
        if model is None or model.comm is None:
            self.pending_keys.clear()
            self.pending_ops.clear()
            return
        if self.loop is not None and not self.loop.is_closed():
            self.last_flush = self.loop.time()
        if self.pending_keys:
            keys = list(self.pending_keys)
            self.pending_keys.clear()
            model.send_state(keys)
        if self.pending_ops:
            queued, self.pending_ops = self.pending_ops, {}
            tv = model._trait_values
            for name, ops in queued.items():
                if ops is FULL:
                    ops = [{"op": "replace", "path": [], "value": tv[trait_key(name)]}]
                msg: PatchMessage = {"kind": "patch", "var": name, "ops": ops}
                model.send(msg)

    def send(self, msg: KernelMessage) -> None:
        """A custom message to the browser, after the changes queued before it."""
        if self.model is not None and not self.core.closed:
            self.flush()
            self.model.send(msg)

    def push_errors(self, entries: list[dict[str, Any]]) -> None:
        """Store the error entries in the model and send them at once."""
        model = self.model
        if model is None or self.core.closed:
            return
        model._trait_values["_nbstate_errors"] = entries
        model.send_state(["_nbstate_errors"])

    def send_current(self, keys: list[str]) -> None:
        """Send the kernel's values of ``keys`` again (after a refused write from the browser)."""
        model = self.model
        if model is not None:
            known = [k for k in keys if model.has_trait(k)]
            if known:
                model.send_state(known)

    def close(self) -> None:
        if self.model is not None:
            self.flush()
            self.model.close()
        self.core.sink = None
        self.core.restored = None
