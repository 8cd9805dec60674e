"""The per-instance engine: the lock, transactions, commits, events and error reports.

Messages from the frontend are checked in :mod:`nbstate._wire`; what is sent is shaped here.

Every State instance owns one Runtime (reachable only through nbstate's functions). It is the
single place where a change becomes visible: a transaction collects the writes of one handler
step or one ``async with`` block, and the commit sends them as one update message.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from typing import TYPE_CHECKING, Any

from ._app import app
from ._context import current_task
from ._errors import (
    ImmutableStateError,
    NestedBlockError,
    StateClosedError,
    StateLockedError,
)
from ._fast import running_task
from ._handlers import BoundBackground, EventHandler, EventSpec, HandlerInfo
from ._json import to_json
from ._kernel import install_shutdown_hook
from ._loop import current_loop, main_loop, on_main_thread, require_main_thread
from ._patch import apply_ops
from ._report import ErrorRecord, format_user_traceback, print_traceback, redact, secrets_of
from ._tracking import FULL, MAX_OPS, Undo
from ._wire import handle_message

if TYPE_CHECKING:
    from ._model import StateModel
    from ._state import ClassMeta, State
    from ._tasks import TaskHandle

MAX_UI_ERRORS = 10
_MISSING = object()


_PLAIN = (int, str, bool, type(None))
_MAIN_IDENT = threading.main_thread().ident


def is_event_like(item: Any) -> bool:
    """True for what a handler may return or yield to chain an event."""
    if isinstance(item, (list, tuple)):
        return all(is_event_like(x) for x in item)
    return (
        item is None
        or isinstance(item, (EventHandler, EventSpec, BoundBackground))
        or (
            inspect.ismethod(item) and type(item.__self__).__dict__.get("_nbstate_meta") is not None
        )
    )


class Txn:
    """The writes of one handler step or one ``async with`` block, and how to undo them."""

    __slots__ = ("auto", "dirty", "old", "ops", "rt", "undo")

    def __init__(self, rt: Runtime, auto: bool = False) -> None:
        self.rt = rt
        self.auto = auto
        self.old: dict[str, Any] = {}
        self.undo: list[Undo] = []
        self.dirty: set[str] = set()
        self.ops: dict[str, Any] = {}

    def clear(self) -> None:
        self.dirty.clear()
        if self.old:
            self.old.clear()
        if self.undo:
            self.undo.clear()
        if self.ops:
            self.ops.clear()


class Outcome:
    """How one event ended: ``error`` is the exception it raised, if any."""

    __slots__ = ("error", "value")

    def __init__(self, error: BaseException | None = None, value: Any = None) -> None:
        self.error = error
        self.value = value


class Runtime:
    """The engine behind one State instance."""

    def __init__(self, state: State, meta: ClassMeta) -> None:
        self.state = state
        self.meta = meta
        self.lock = asyncio.Lock()
        # The task holding the lock, and the one transaction it writes to. Only the holder
        # writes through it, so one Txn per instance is enough.
        self.holder: asyncio.Task[Any] | None = None
        self.txn = Txn(self)
        self.model: StateModel | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.ctx = contextvars.copy_context()
        self.cache: dict[str, Any] = {}
        self.deps: dict[str, set[str]] = {}
        self.dependents: dict[str, set[str]] = {}
        self.stale: set[str] = set(meta.computed)
        self.sent: dict[str, Any] = {}
        self.runs: list[TaskHandle] = []
        self.pending: set[asyncio.Task[Any]] = set()
        self.run_seq = 0
        self.errors: list[ErrorRecord] = []
        self.ui_errors: list[dict[str, Any]] = []
        self.error_seq = 0
        # Committed changes waiting for the next frame: trait values, and patch ops per var
        # (FULL when the var is sent whole).
        self.pending_set: set[str] = set()
        self.pending_ops: dict[str, Any] = {}
        self.flush_handle: asyncio.TimerHandle | None = None
        self.last_flush = -1e9
        app.runtimes.add(self)

    @property
    def label(self) -> str:
        return self.meta.name

    # -- writes -----------------------------------------------------------------------------

    def _begin_write(self, name: str) -> Txn:
        holder = self.holder
        if holder is not None and holder is running_task():
            return self.txn
        return self._begin_outside(name)

    def _begin_outside(self, name: str) -> Txn:
        if self.closed:
            raise StateClosedError(f"{self.label} was closed; it can no longer change")
        run = current_task.get()
        if run is not None:
            raise ImmutableStateError(
                f"{run.info.qualname} changed {self.label}.{name} outside `async with self:`. "
                "A background task may only change state inside a block, which takes the lock "
                f"and sends the change:\n\n    async with self:\n        self.{name} = ..."
            )
        require_main_thread(f"changing {self.label}.{name}")
        if self.lock.locked():
            raise StateLockedError(
                f"{self.label}.{name} cannot change now: a handler or background task holds "
                f"{self.label}'s lock. Wait for the lock and change it inside a block:\n\n"
                f"    async with state:\n        state.{name} = ..."
            )
        return Txn(self, auto=True)

    def _end_write(self, txn: Txn, name: str) -> None:
        txn.dirty.add(name)
        if name in self.dependents:
            self._mark_stale(name)
        if txn.auto:
            self.finish_auto(txn)

    def finish_auto(self, txn: Txn) -> None:
        """Commit a single write made while no one held the lock."""
        try:
            self.commit(txn)
        except BaseException:
            self.rollback(txn)
            raise

    def _mark_stale(self, name: str) -> None:
        stack = [name]
        while stack:
            for dep in self.dependents.get(stack.pop(), ()):
                if dep not in self.stale:
                    self.stale.add(dep)
                    stack.append(dep)

    # -- computed vars ----------------------------------------------------------------------

    def _computed(self, name: str) -> Any:
        if name in self.stale or name not in self.cache:
            value, reads = self.meta.computed[name].compute(self.state)
            for old in self.deps.get(name, ()):
                self.dependents.get(old, set()).discard(name)
            self.deps[name] = reads
            for r in reads:
                self.dependents.setdefault(r, set()).add(name)
            self.cache[name] = value
            self.stale.discard(name)
        return self.cache[name]

    # -- commit and rollback ----------------------------------------------------------------

    def commit(self, txn: Txn) -> None:
        """Make the transaction's changes final and queue them for the browser.

        Everything that can fail (serializing values, computing computed vars) happens before
        anything is final, so a failure leaves the transaction intact for rollback.
        """
        dirty = txn.dirty
        if not dirty:
            return
        meta = self.meta
        d = self.state.__dict__
        public = meta.public_set
        patchable = meta.patchable
        full: dict[str, Any] = {}
        patches: dict[str, Any] | None = None
        for name in dirty:
            if name not in public:
                continue
            value = d[name]
            if name in patchable:
                ops = txn.ops.get(name)
                if ops is not None and ops is not FULL:
                    if patches is None:
                        patches = {}
                    patches[name] = ops
                    continue
            elif type(value) in _PLAIN:
                full[name] = value
                continue
            full[name] = to_json(value, where=f"{self.label}.{name}")
        if self.stale:
            for name in meta.computed:
                if name in self.stale:
                    value = to_json(self._computed(name), where=f"{self.label}.{name}")
                    if self.sent.get(name, _MISSING) != value:
                        full[name] = self.sent[name] = value
        txn.clear()
        model = self.model
        if model is None:
            return
        tv = model._trait_values
        keys = meta.trait_keys
        for name, value in full.items():
            key = keys[name]
            tv[key] = value
            if name in patchable:
                self.pending_ops[name] = FULL
            else:
                self.pending_set.add(key)
        if patches:
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
        if self.flush_handle is None and (full or patches):
            self._emit()

    def _emit(self) -> None:
        """Send now if the last send was a frame ago or more; else once the frame is over."""
        if self.flush_handle is not None:
            return
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
            self.pending_set.clear()
            self.pending_ops.clear()
            return
        if self.loop is not None and not self.loop.is_closed():
            self.last_flush = self.loop.time()
        if self.pending_set:
            keys = list(self.pending_set)
            self.pending_set.clear()
            model.send_state(keys)
        if self.pending_ops:
            queued, self.pending_ops = self.pending_ops, {}
            tv = model._trait_values
            for name, ops in queued.items():
                if ops is FULL:
                    ops = [{"op": "replace", "path": [], "value": tv["v_" + name]}]
                model.send({"kind": "patch", "var": name, "ops": ops})

    def rollback(self, txn: Txn) -> None:
        """Undo every write of the transaction; nothing of it was sent."""
        for fn, args in reversed(txn.undo):
            fn(*args)
        d = self.state.__dict__
        for name, old in txn.old.items():
            d[name] = old
        for name in txn.dirty:
            if name in self.dependents:
                self._mark_stale(name)
        txn.clear()

    # -- async with -------------------------------------------------------------------------

    def check_enter(self) -> None:
        """Refuse ``async with`` when it would nest, the state is closed, or on another thread.

        ``State.__aenter__`` calls this only when the lock is held or something is off, then
        acquires the lock itself: that is the per-block hot path.
        """
        holder = self.holder
        if holder is not None and holder is running_task():
            where = "a background task" if current_task.get() is not None else "an event handler"
            raise NestedBlockError(
                f"`async with` on {self.label} while {where} already holds its lock; "
                "nesting would wait forever. Make the changes directly, without a second block."
            )
        if self.closed:
            raise StateClosedError(f"{self.label} was closed; it can no longer change")
        if threading.get_ident() != _MAIN_IDENT:
            require_main_thread(f"`async with` on {self.label}")

    def exit(self, failed: bool) -> None:
        """End of ``async with``: commit (or roll back on error) and release the lock."""
        txn = self.txn
        try:
            if failed:
                self.rollback(txn)
            elif txn.dirty:
                try:
                    self.commit(txn)
                except BaseException:
                    self.rollback(txn)
                    raise
        finally:
            self.holder = None
            self.lock.release()

    # -- events -----------------------------------------------------------------------------

    def schedule(
        self,
        info: HandlerInfo,
        args: list[Any],
        ctx: contextvars.Context | None = None,
        reply: int | None = None,
        waiter: Any = None,
    ) -> asyncio.Task[Outcome]:
        """Queue a (non-background) handler; it runs under the lock, after earlier events."""
        run_ctx = (ctx if ctx is not None else contextvars.copy_context()).copy()
        run_ctx.run(current_task.set, None)
        task = main_loop().create_task(
            self._run_handler(info, args, reply, waiter), context=run_ctx
        )
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return task

    def start(
        self, info: HandlerInfo, args: list[Any], ctx: contextvars.Context | None = None
    ) -> TaskHandle:
        """Start a background run of ``info``."""
        from ._tasks import start

        if self.closed:
            raise StateClosedError(f"{self.label} was closed; it can no longer start tasks")
        return start(self, info, args, ctx)

    async def _run_handler(
        self, info: HandlerInfo, args: list[Any], reply: int | None, waiter: Any = None
    ) -> Outcome:
        outcome = Outcome()
        try:
            async with self.lock:
                if self.closed:
                    raise StateClosedError(f"{self.label} was closed before {info.name} ran")
                txn = self.txn
                self.holder = running_task()
                try:
                    outcome.value = await self._drive(info, args, txn)
                except BaseException:
                    self.rollback(txn)
                    raise
                finally:
                    self.holder = None
        except asyncio.CancelledError:
            self._reply(reply, {"kind": "done", "id": reply, "cancelled": True})
            raise
        except Exception as exc:
            outcome.error = exc
            # An awaiting caller receives the exception and shows it; otherwise print it here.
            self.report(exc, info.name, printed=not getattr(waiter, "awaited", False))
        self._reply(reply, {"kind": "done", "id": reply})
        return outcome

    async def _drive(self, info: HandlerInfo, args: list[Any], txn: Txn) -> Any:
        state = self.state
        kind = info.kind
        if kind == "sync":
            result = info.fn(state, *args)
        elif kind == "async":
            result = await info.fn(state, *args)
        elif kind == "gen":
            gen = info.fn(state, *args)
            while True:
                try:
                    item = next(gen)
                except StopIteration as stop:
                    result = stop.value
                    break
                self.commit(txn)
                self.chain(item, info)
        else:
            async for item in info.fn(state, *args):
                self.commit(txn)
                self.chain(item, info)
            result = None
        self.commit(txn)
        self.chain(result, info)
        return result

    def chain(self, item: Any, source: HandlerInfo) -> None:
        """Run the events a handler returned or yielded, after the current one."""
        if item is None:
            return
        if isinstance(item, (list, tuple)):
            for x in item:
                self.chain(x, source)
            return
        if source.background and not is_event_like(item):
            return  # a background task's plain return value is its result, kept on the handle
        target, info, args = self.resolve(item, source)
        bound = info.bind(args)
        if info.background:
            target.start(info, bound)
        else:
            target.schedule(info, bound)

    def resolve(self, item: Any, source: HandlerInfo) -> tuple[Runtime, HandlerInfo, list[Any]]:
        """Find the instance, handler and arguments an event reference names."""
        from ._state import State, default_instance, runtime_of

        if isinstance(item, EventSpec):
            handler, args = item.handler, list(item.args)
        elif isinstance(item, EventHandler):
            handler, args = item, []
        elif isinstance(item, BoundBackground):
            return runtime_of(item.state), item.info, []
        elif inspect.ismethod(item) and isinstance(item.__self__, State):
            rt = runtime_of(item.__self__)
            info = rt.meta.handlers.get(item.__name__)
            if info is None or info.fn is not item.__func__:
                raise TypeError(f"{item!r} is not an event handler of {rt.label}")
            return rt, info, []
        else:
            raise TypeError(
                f"{source.qualname} returned or yielded {item!r}. A handler may return or "
                "yield None, an event handler such as MyState.other, an event with arguments "
                "such as MyState.set_x(5), or a list of these."
            )
        from ._expr import has_var

        if any(has_var(a) for a in args):
            raise TypeError(
                f"{item!r}: arguments of an event started from Python must be plain values; "
                "Vars are only evaluated in the browser"
            )
        target_cls = handler.state_cls
        if isinstance(self.state, target_cls):
            return self, handler.info, args
        return runtime_of(default_instance(target_cls)), handler.info, args

    # -- messages from the frontend ---------------------------------------------------------

    def receive(self, content: Any, buffers: Any) -> None:
        """A custom message from the frontend. Validated and run on the main loop thread only."""
        if not on_main_thread():
            (self.loop or main_loop()).call_soon_threadsafe(self.receive, content, buffers)
            return
        handle_message(self, content, buffers)

    def _reply(self, reply_id: int | None, msg: dict[str, Any]) -> None:
        if reply_id is not None and self.model is not None and not self.closed:
            self.flush()  # the values an event produced arrive before its reply
            self.model.send(msg)

    def _refuse(self, reply_id: int | None, message: str) -> None:
        self._reply(reply_id, {"kind": "rejected", "id": reply_id, "error": message})
        self._ui_error("event", "EventRejected", message, "")

    # -- errors -----------------------------------------------------------------------------

    def report(self, exc: BaseException, handler: str, printed: bool = True) -> None:
        """Make an exception from user code visible: record, print, and show in every view."""
        text = format_user_traceback(exc)
        record = ErrorRecord(self.label, handler, exc, text)
        self.errors.append(record)
        del self.errors[:-100]
        app.record(record)
        secrets = self.backend_secrets()
        if printed:
            # The cell output is part of the page too: backend values are hidden there as well.
            print_traceback(
                redact(
                    f"nbstate: {self.label}.{handler} raised {type(exc).__name__}; the changes "
                    f"of the failed step were rolled back.\n{text}",
                    secrets,
                )
            )
        self._ui_error(handler, type(exc).__name__, str(exc), text, secrets)

    def backend_secrets(self) -> list[str]:
        d = self.state.__dict__
        return secrets_of(d[n] for n in self.meta.vars if n.startswith("_"))

    def _ui_error(
        self, handler: str, kind: str, message: str, tb: str, secrets: list[str] | None = None
    ) -> None:
        if secrets is None:
            secrets = self.backend_secrets()
        self.error_seq += 1
        entry = {
            "id": self.error_seq,
            "handler": handler,
            "type": kind,
            "message": redact(message, secrets),
            "traceback": redact(tb, secrets),
        }
        self.ui_errors.append(entry)
        del self.ui_errors[:-MAX_UI_ERRORS]
        if self.model is not None and not self.closed:
            self.model.push({"_nbstate_errors": list(self.ui_errors)})

    def dismiss(self, error_id: Any) -> None:
        """Remove one error entry from every view."""
        before = len(self.ui_errors)
        self.ui_errors = [e for e in self.ui_errors if e["id"] != error_id]
        if len(self.ui_errors) != before and self.model is not None:
            self.model.push({"_nbstate_errors": list(self.ui_errors)})

    # -- model and lifetime -----------------------------------------------------------------

    def ensure_model(self) -> StateModel:
        """The state's anywidget model, created (and its comm opened) on first use."""
        if self.model is None:
            if self.closed:
                raise StateClosedError(f"{self.label} was closed")
            require_main_thread(f"creating the model of {self.label}")
            self.loop = current_loop()
            install_shutdown_hook()
            values = self.snapshot()
            self.sent.update((name, values[name]) for name in self.meta.computed)
            self.model = self.meta.model_class()(self, values, list(self.ui_errors))
        return self.model

    def snapshot(self) -> dict[str, Any]:
        """The JSON values the frontend should hold for every public and computed var."""
        d, label = self.state.__dict__, self.label
        out = {n: to_json(d[n], where=f"{label}.{n}") for n in self.meta.public}
        out.update(
            {n: to_json(self._computed(n), where=f"{label}.{n}") for n in self.meta.computed}
        )
        return out

    def close(self) -> list[TaskHandle]:
        """Cancel runs and pending events, close the model; the instance stops changing."""
        handles = [h for h in self.runs if not h.done()]
        for h in handles:
            h.cancel(f"{self.label} was closed")
        for task in list(self.pending):
            task.cancel()
        if self.model is not None:
            self.flush()
        self.closed = True
        if self.model is not None:
            self.model.close()
        return handles
