"""A state's part in a commit: its change set prepared, made final, or rolled back.

:class:`Changes` is the half of :class:`~nbstate._core.core.Core` that runs when a transaction
ends (``txn.commit`` and ``txn.rollback`` call it for every state the transaction holds); the
other half, in ``core.py``, decides whether a write is allowed and records it. ``prepare`` turns
the write log into JSON and patch ops without making anything final, so a failure leaves
everything ready for the rollback; ``finish`` makes it final and hands it to the subscriber
(the model); ``commit_alone`` is both in one pass for the one-state commit at the end of every
block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._base.loop import running_task
from .._values.containers import wrap
from .._values.jsondata import check_text, encode_float, to_json
from .._values.secrets import secrets_of
from .._values.tracking import FULL
from .txn import NOTHING, ChangeSet, Log, Ops, run_deferred

if TYPE_CHECKING:
    from .._vars.vars import ComputedCache
    from .core import Core, Schema

PLAIN = (int, str, bool, float, type(None))
"""Types stored and sent as they are (no wrapping, no JSON conversion)."""
_MISSING = object()
MAX_DISCARDED = 200
"""How many text forms of rolled-back backend values a state keeps hidden."""

ErrorHook = Callable[["Core", BaseException, str], None]
error_hooks: list[ErrorHook] = []
"""Called with errors that belong to no running step (a dependent computed var failing after
another state's commit); the error-report layer installs its hook here."""


class Changes:
    """Preparing, finishing and rolling back one state's changes (a base of ``Core``)."""

    __slots__ = ()

    if TYPE_CHECKING:
        state: Any
        schema: Schema
        label: str
        log: Log
        values: dict[str, Any]
        public: frozenset[str]
        cache: ComputedCache
        stale: set[str]
        sent: dict[str, Any]
        closed: bool
        discarded: list[str]
        lock: Any
        sink: Callable[[dict[str, Any], Mapping[str, Ops]], None] | None
        restored: Callable[[list[str]], None] | None

        def ref(self, name: str) -> tuple[Core, str, bool]: ...

    def prepare(self) -> ChangeSet:
        """The change set of this state's part of the transaction; raises if it cannot be sent.

        Nothing is final yet: a failure here leaves everything ready for the rollback.
        """
        log, d, label = self.log, self.values, self.label
        public = self.public
        values: dict[str, Any] = {}
        patches: dict[str, Any] | None = None
        for name in log.dirty:
            if name not in public:
                continue
            ops = log.ops.get(name)
            if ops is not None and ops is not FULL:
                if patches is None:
                    patches = {}
                patches[name] = ops
                continue
            value = d[name]
            cls = type(value)
            if cls is float:
                value = encode_float(value)
            elif cls is str:
                if not value.isascii():
                    check_text(value, f"{label}.{name}")
            elif cls not in PLAIN:
                value = to_json(value, where=f"{label}.{name}")
            values[name] = value
        cache = self.cache
        if not cache.stale:
            return values, patches or NOTHING, NOTHING
        if cache.uncached:
            cache.renew_uncached()  # computed again at every commit, with what reads them
        computed: dict[str, Any] = {}
        sent = self.sent
        for name in self.schema.computed:
            if name in cache.stale:
                value = to_json(cache.get(name), where=f"{label}.{name}")
                if sent.get(name, _MISSING) != value:
                    values[name] = computed[name] = value
        return values, patches or NOTHING, computed

    def finish(self, changes: ChangeSet) -> None:
        """Make a prepared change set final and hand it to the subscriber."""
        log = self.log  # Log.clear, inlined: this runs at the end of every block
        log.dirty.clear()
        if log.old:
            log.old.clear()
        if log.undo:
            log.undo.clear()
        if log.ops:
            log.ops.clear()
        values, patches, computed = changes
        if computed:
            self.sent.update(computed)
        sink = self.sink
        if sink is not None and (values or patches):
            sink(values, patches)

    def commit_alone(self) -> None:
        """Commit a transaction that holds this state only (raise to roll back).

        When only scalars were assigned and no computed var is stale (every block of a counter
        loop), this is :meth:`prepare` and :meth:`finish` in one pass, because it runs at the
        end of every block; otherwise it is exactly those two.
        """
        log = self.log
        if log.ops or self.stale:
            self.finish(self.prepare())
        else:
            d, public = self.values, self.public
            values: dict[str, Any] = {}
            for name in log.dirty:
                if name in public:
                    value = d[name]
                    cls = type(value)
                    if cls is float:
                        value = encode_float(value)
                    elif cls is str:
                        if not value.isascii():
                            check_text(value, f"{self.label}.{name}")
                    elif cls not in PLAIN:
                        value = to_json(value, where=f"{self.label}.{name}")
                    values[name] = value
            log.dirty.clear()  # final from here on
            if log.old:
                log.old.clear()
            if log.undo:
                log.undo.clear()
            sink = self.sink
            if sink is not None and values:
                sink(values, NOTHING)
        if self.cache.touched:
            self.refresh_dependents()

    def rollback(self) -> bool:
        """Undo this state's part of the transaction; True if there was anything to undo."""
        log = self.log
        if not (log.dirty or log.undo or log.old):
            log.clear()
            return False
        backend = [n for n in log.dirty if n not in self.public and n in self.values]
        if backend:
            # Values about to be discarded stay secret: the error that caused the rollback (or a
            # later one) may quote them after they are no longer a backend var's value.
            discarded = self.discarded
            discarded[:0] = secrets_of(self.values[n] for n in backend)
            del discarded[MAX_DISCARDED:]
        for fn, args in reversed(log.undo):
            fn(*args)
        d = self.state.__dict__
        for name, old in log.old.items():
            d[name] = old
        dirty = list(log.dirty)
        log.clear()
        cache = self.cache
        for name in dirty:
            if name in cache.dependents:
                cache.invalidate(name)
        if self.restored is not None:
            self.restored(dirty)
        if cache.touched:
            self.refresh_dependents()
        return True

    def refresh_dependents(self) -> None:
        """Send the computed vars of other states that read what this one changed."""
        touched, self.cache.touched = self.cache.touched, set()
        for cache in touched:
            core: Core = cache.state.__dict__["_nbstate"]
            if core.closed or core.lock.owner is not None:
                continue  # its lock holder's commit recomputes them
            try:
                core.finish(core.prepare())
            except Exception as exc:
                core.log.clear()
                if not error_hooks:
                    raise
                for hook in error_hooks:
                    hook(core, exc, "a computed var")

    def apply_remote(self, values: dict[str, Any], ops: Mapping[str, Ops] = NOTHING) -> None:
        """Values committed elsewhere (another kernel sharing this state): store them here and
        hand them on as a commit of this instance (the model, computed vars, dependents).

        ``ops`` are the patch ops the other kernel sent for container vars changed in place;
        they apply to the value this instance held before, and a var without them is sent
        whole. The caller makes sure no step here has written the state.
        """
        d = self.values
        log = self.log
        cache = self.cache
        patchable = self.schema.patchable
        for name, value in values.items():
            d[name] = value if type(value) in PLAIN else wrap(value, self.ref(name))
            log.dirty.add(name)
            if name in patchable:
                log.ops[name] = ops.get(name) or FULL
            if name in cache.dependents:
                cache.invalidate(name)
        try:
            self.finish(self.prepare())
        finally:
            log.clear()
        if cache.touched:
            self.refresh_dependents()
        owner = self.lock.owner
        if owner is None or owner.task is not running_task():
            # As at the end of a commit here: observers of the model run now. (Inside this
            # task's own transaction, its end runs them, so their writes never join it.)
            run_deferred()
