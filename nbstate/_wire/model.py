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
from collections.abc import Mapping
from typing import Any

import traitlets
from traitlets import All, Bunch

from .._base.errors import StateClosedError
from .._base.loop import call_on_main, current_loop, loop_or_none, require_main_thread
from .._core.core import Core, Part
from .._core.txn import NOTHING, Ops, defer
from .._engine import notices
from .._engine.report import ErrorLog
from .._values.coerce import coerce
from .._values.jsondata import copy_json, from_wire, to_json
from .._values.patch import apply_ops
from .._values.tracking import FULL, MAX_OPS
from . import assets, inbound
from .kernel import install_shutdown_hook
from .outbox import OUTBOX
from .protocol import BatchEntry, DownloadMessage, KernelMessage, ToastMessage
from .traits import is_float_trait, trait_for


def trait_key(name: str) -> str:
    """The trait that carries var ``name``."""
    return "v_" + name


class StateModel(assets.FixedModule):
    """The synced side of a State instance. Created by nbstate; do not instantiate it.

    Its var traits behave as traitlets: ``observe``, ``link``, ``dlink``, ``jslink`` and
    ``jsdlink`` work on them. Observers run once per committed change, after the commit. A write
    to a var trait, from Python or from the browser, is the var's setter: it is converted to the
    var's type, checked, and committed under the state's lock, or refused with a clear error.

    It is an anywidget model (the design's contract: one per state instance) that draws nothing:
    its module is empty, or the views' loader once the page has checked its URL (the hub applies
    its changes), and it has no Layout model.
    """

    _esm = traitlets.Unicode(assets.STATE_ESM).tag(sync=True)
    _nbstate_class = traitlets.Unicode("").tag(sync=True)
    _nbstate_errors: traitlets.List[Any] = traitlets.List().tag(sync=True)

    def __init__(self, bridge: Bridge, values: dict[str, Any], errors: list[Any]) -> None:
        self._nb_bridge = bridge
        traits = {trait_key(k): v for k, v in values.items()}
        super().__init__(
            _esm=assets.MODULES.state_esm(),
            _nbstate_class=bridge.core.label,
            _nbstate_errors=errors,
            **traits,
        )
        self._nb_ready = True

    def __repr__(self) -> str:
        return f"<nbstate model of {self._nb_bridge.core.label}>"

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("v_") and self.__dict__.get("_nb_ready"):
            self._nb_bridge.write_trait(name, value)
            return
        super().__setattr__(name, value)

    def set_trait(self, name: str, value: Any) -> None:
        if name.startswith("v_") and self.__dict__.get("_nb_ready"):
            self._nb_bridge.write_trait(name, value)
            return
        super().set_trait(name, value)

    def _handle_msg(self, msg: Any) -> None:
        # May run on a subshell thread: everything is checked and handled on the main loop.
        call_on_main(inbound.receive, self._nb_bridge, msg)


def model_class(core: Core) -> type[StateModel]:
    """The StateModel subclass of a State class: one typed, synced trait per var."""
    meta = type(core.state)._nbstate_meta
    cls: type[StateModel] | None = meta.extras.get("model_class")
    if cls is None:
        annotations = {n: meta.vars[n].annotation for n in meta.public}
        annotations.update({n: f.annotation for n, f in meta.computed.items()})
        traits: dict[str, Any] = {
            trait_key(n): trait_for(ann).tag(sync=True) for n, ann in annotations.items()
        }
        cls = type(f"{meta.name}Model", (StateModel,), traits)
        meta.extras["model_class"] = cls
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
        # Which browser update (its msg_id) the next value of a trait answers.
        self.echoes: dict[str, str] = {}
        self.resync: set[str] = set()
        # The model's own dicts of trait values and observers (stable for its life).
        self.trait_values: dict[str, Any] | None = None
        self.observers: dict[Any, Any] = {}
        self.own_observers = 0
        self.patchable = core.patchable
        schema = core.schema
        self.keys = {n: trait_key(n) for n in [*schema.public, *schema.computed]}
        self.key_set = frozenset(self.keys.values())
        self.var_of_key = {trait_key(n): n for n in schema.public}
        self.float_keys: frozenset[str] = frozenset()
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
        OUTBOX.ensure_hub()
        self.loop = current_loop()
        self.context = contextvars.copy_context()
        values = self.snapshot()
        core.sent.update((n, values[n]) for n in core.schema.computed)
        if core.sees_uncommitted():
            # Values changed in place by an open step are in the snapshot; if that step rolls
            # back, they are sent again whole.
            self.resync = set(core.log.dirty)
        errors = core.part(ErrorLog)
        cls = model_class(core)
        traits = cls.class_traits()
        self.float_keys = frozenset(k for k in self.keys.values() if is_float_trait(traits[k]))
        for key in self.float_keys:
            name = key[2:]
            values[name] = from_wire(values[name])
        self.model = cls(self, values, list(errors.entries))
        self.trait_values = self.model._trait_values
        self.observers = self.model._trait_notifiers
        self.own_observers = len(self.observers)
        OUTBOX.add(self)
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
        """A commit of this state: store its values in the traits and queue them.

        Runs at every commit, so the dicts it uses are looked up once, when the model is made.
        """
        tv = self.trait_values
        if tv is None:
            return
        keys = self.keys
        observed = self.observers
        # Widget itself observes a few of its own traits; more observers may be the user's.
        watched = len(observed) > self.own_observers and (
            All in observed or not observed.keys().isdisjoint(self.key_set)
        )
        if not (watched or patches or self.resync):
            # The common commit: scalar values only, nobody observing. (A float arrives as a
            # dict only when not finite.)
            pending, patchable = self.pending_keys, self.patchable
            for name, value in values.items():
                key = keys[name]
                if type(value) is dict or name in patchable:
                    break
                tv[key] = value
                pending.add(key)
            else:
                outbox = OUTBOX
                if outbox.handle is not None and outbox.handle_loop is loop_or_none():
                    outbox.dirty[self] = None  # Outbox.mark, when a flush is already due
                else:
                    outbox.mark(self)
                return
        changes: list[tuple[str, Any, Any]] | None = None
        for name, value in values.items():
            key = keys[name]
            if self.float_keys and key in self.float_keys and type(value) is dict:
                value = from_wire(value)  # the trait holds the float; the wire, its tag
            if watched and (key in observed or All in observed):
                changes = changes or []
                changes.append((key, tv.get(key), value))
            tv[key] = value
            if name in self.patchable:
                self.pending_ops[name] = FULL
            else:
                self.pending_keys.add(key)
        for name, ops in patches.items():
            key = keys[name]
            if watched and (key in observed or All in observed):
                # Observers keep the values they are given: change a copy, not the old value.
                old = tv[key]
                tv[key] = apply_ops(copy_json(old), ops)
                changes = changes or []
                changes.append((key, old, tv[key]))
            else:
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
        OUTBOX.mark(self)
        if changes:
            defer(lambda: self._notify(changes))

    def _notify(self, changes: list[tuple[str, Any, Any]]) -> None:
        """Tell trait observers of one commit, after it ended; their errors are reported."""
        model = self.model
        if model is None:
            return
        for key, old, new in changes:
            change = Bunch(name=key, old=old, new=new, owner=model, type="change")
            try:
                model._notify_observers(change)
            except Exception as exc:
                self.core.part(ErrorLog).report(exc, f"an observer of {key}")

    def write_trait(self, key: str, value: Any) -> None:
        """A Python write of var trait ``key``: the var's setter (converted, checked, committed).

        Raises what the setter raises (CoercionError for a value it cannot convert,
        StateLockedError while a handler holds the lock); nothing changes then.
        """
        name = self.var_of_key.get(key)
        core = self.core
        if name is None:
            what = "a computed var" if key[2:] in core.schema.computed else "not a var"
            raise AttributeError(
                f"{core.label}.{key[2:]} is {what}, so its trait {key!r} cannot be set; "
                "change the vars it is derived from"
            )
        meta = type(core.state)._nbstate_meta
        annotation = meta.vars[name].annotation
        setattr(core.state, name, coerce(from_wire(value), annotation, what=f"{core.label}.{name}"))

    def on_rollback(self, names: list[str]) -> None:
        """A step rolled back: vars the model took from it before its end are sent again."""
        stale = self.resync.intersection(names)
        if not stale or self.model is None:
            return
        self.resync -= stale
        state, label = self.core.state, self.core.label
        values = {n: to_json(state.__dict__[n], where=f"{label}.{n}") for n in stale}
        self.on_commit(values, NOTHING)

    def model_id(self) -> str | None:
        model = self.model
        return model.model_id if model is not None and model.comm is not None else None

    def take(self) -> BatchEntry | None:
        """The queued changes, as one batch entry; the queue is then empty."""
        model = self.model
        if model is None or model.comm is None or self.core.closed:
            self.pending_keys.clear()
            self.pending_ops.clear()
            return None
        entry: BatchEntry = {}
        if self.echoes:
            entry["echo"] = self.echoes
            self.echoes = {}
        if self.pending_keys:
            entry["state"] = model.get_state(list(self.pending_keys))
            self.pending_keys.clear()
        if self.pending_ops:
            queued, self.pending_ops = self.pending_ops, {}
            tv = model._trait_values
            patches: dict[str, Any] = {}
            for name, ops in queued.items():
                if ops is FULL:
                    ops = [{"op": "replace", "path": [], "value": tv[trait_key(name)]}]
                patches[name] = ops
            entry["patches"] = patches
        return entry

    def browser_values(self) -> dict[str, Any]:
        """Each public and computed var as the browser holds it: the model's committed trait
        values, decoded from the wire (backend vars are never on the model)."""
        model = self.ensure_model()
        return {name: from_wire(getattr(model, key)) for name, key in self.keys.items()}

    def everything(self) -> BatchEntry | None:
        """Every var's current value, for a frontend hub that starts late."""
        model = self.model
        if model is None or model.comm is None or self.core.closed:
            return None
        return {"state": model.get_state(list(self.keys.values()))}

    def flush(self) -> None:
        """Send every queued change of every state now."""
        OUTBOX.flush()

    def send(self, msg: KernelMessage, buffers: list[bytes] | None = None) -> None:
        """A custom message to the browser, after the changes queued before it."""
        if self.model is not None and not self.core.closed:
            OUTBOX.flush()
            self.model.send(msg, buffers)

    def push_errors(self, entries: list[dict[str, Any]]) -> None:
        """Store the error entries in the model and send them at once."""
        model = self.model
        if model is None or self.core.closed:
            return
        model._trait_values["_nbstate_errors"] = entries
        model.send_state(["_nbstate_errors"])

    def echo(self, key: str, msg_id: str | None, now: bool = False) -> None:
        """The browser's update ``msg_id`` of ``key`` was handled: send the kernel's value of
        ``key`` tagged with it (``now``: flush at once, as after a refusal)."""
        model = self.model
        if model is None or not model.has_trait(key):
            return
        if msg_id is not None:
            self.echoes[key] = msg_id
        name = key[2:]
        if name in self.patchable:
            self.pending_ops[name] = FULL
        else:
            self.pending_keys.add(key)
        OUTBOX.mark(self)
        if now:
            OUTBOX.flush()

    def send_current(self, keys: list[str]) -> None:
        """Send the kernel's values of ``keys`` again (after a refused write from the browser)."""
        model = self.model
        if model is None:
            return
        known = [k for k in keys if model.has_trait(k)]
        var_keys = [k for k in known if k in self.var_of_key or k in self.keys.values()]
        if var_keys:
            for key in var_keys:
                name = key[2:]
                if name in self.core.patchable:
                    self.pending_ops[name] = FULL
                else:
                    self.pending_keys.add(key)
            OUTBOX.mark(self)
            OUTBOX.flush()
        others = [k for k in known if k not in var_keys]
        if others:
            model.send_state(others)

    def close(self) -> None:
        if self.model is not None:
            OUTBOX.flush()
            self.model.close()
        self.trait_values = None
        self.core.sink = None
        self.core.restored = None


def send_notice(core: Core, notice: notices.Notice, view: str | None) -> None:
    """A committed step's toast (for every view) or download (its bytes as the one buffer)."""
    bridge = core.parts.get(Bridge)
    if not isinstance(bridge, Bridge) or bridge.model is None:
        return  # never shown: no view to show it
    if isinstance(notice, notices.Toast):
        level: Any = notice.level
        bridge.send(
            ToastMessage(
                kind="toast", message=notice.message, level=level, duration=notice.duration
            )
        )
    elif isinstance(notice, notices.Download):
        msg = DownloadMessage(
            kind="download",
            filename=notice.filename,
            mime=notice.mime,
            size=len(notice.data),
            view=view,
        )
        bridge.send(msg, [notice.data])


notices.set_sender(send_notice)
