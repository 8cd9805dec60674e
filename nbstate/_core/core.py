"""The core of one state instance: its lock, its write log, its store, and the one write path.

Every change to a state goes through :meth:`Core.write` (assignment) or
:meth:`Core.begin_mutation` / :meth:`Core.end_mutation` (in-place changes of tracked values).
Both decide the same way whether the write is allowed now:

- the running task's transaction holds this state's lock: the write joins it (the fast path);
- the running task has a transaction that does not hold it yet: the lock is taken into that
  transaction if it is free, else :class:`~nbstate.StateLockedError`;
- a background run outside any block: :class:`~nbstate.ImmutableStateError`;
- code outside any transaction (a cell): the write commits on its own if the lock is free, else
  :class:`~nbstate.StateLockedError`, which shows the ``async with`` fix.

Readers outside the transaction that holds the lock see the committed value of a var assigned in
it (the value before the step), not the step's uncommitted one. In-place changes to a container
are visible to such readers before the commit; see the README's semantics section.

The layers above attach their own per-instance parts (tasks, events, errors, the model) with
:meth:`Core.part`, and the model subscribes to commits through :attr:`Core.sink`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from .._base.app import app
from .._base.errors import (
    ImmutableStateError,
    StateClosedError,
    StateLockedError,
)
from .._base.loop import (
    current_run,
    on_main_thread,
    require_main_thread,
    running_task,
)
from .._base.loop import (
    fast_task as _fast_task,
)
from .._base.loop import (
    loop_or_none as _loop_or_none,
)
from .._values.containers import wrap
from .._values.tracking import FULL
from .._values.tracking import Log as MutationLog
from .._vars.vars import ComputedCache, ComputedField
from .changes import PLAIN, Changes
from .lock import StateLock
from .store import MEMORY, Store
from .txn import (
    Log,
    Ops,
    Txn,
    _deferred,
    commit,
    innermost,
    rollback,
    run_deferred,
)

P = TypeVar("P", bound="Part")


class Schema(Protocol):
    """What the core needs to know about a State class."""

    name: str
    public: list[str]
    public_set: frozenset[str]
    backend: list[str]
    patchable: frozenset[str]
    computed: dict[str, ComputedField[Any]]
    extras: dict[str, Any]


class Part:
    """A per-instance part that a layer above the core attaches (see :meth:`Core.part`)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def close(self) -> None:
        """The instance is closing."""


class Core(Changes):
    """The machinery behind one State instance, reachable only through nbstate's functions."""

    __slots__ = (
        "__weakref__",
        "cache",
        "closed",
        "dependents",
        "discarded",
        "label",
        "lock",
        "log",
        "parts",
        "patchable",
        "public",
        "ready",
        "refs",
        "restored",
        "schema",
        "sent",
        "sink",
        "spare",
        "stale",
        "state",
        "store",
        "values",
    )

    def __init__(self, state: Any, schema: Schema, store: Store = MEMORY) -> None:
        self.state = state
        self.schema = schema
        self.label = schema.name
        self.lock = StateLock(schema.name)
        self.log = Log()
        self.cache = ComputedCache(state, schema.computed)
        # The cache's own dicts, for the per-write and per-commit checks (never replaced).
        self.dependents = self.cache.dependents
        self.stale = self.cache.stale
        self.store = store
        self.closed = False
        self.discarded: list[str] = []  # text of backend values that were rolled back
        # The subscriber of commits: sink(values, patches), as in ChangeSet.
        self.sink: Callable[[dict[str, Any], Mapping[str, Ops]], None] | None = None
        self.restored: Callable[[list[str]], None] | None = None  # told of rolled-back vars
        self.parts: dict[type, Part] = {}
        self.sent: dict[str, Any] = {}  # last committed JSON of each computed var
        self.refs: dict[str, tuple[Core, str, bool]] = {}
        self.values: dict[str, Any] = state.__dict__  # the instance's attributes: its vars
        self.patchable = schema.patchable
        self.public = schema.public_set
        # True while a block may take the lock without any check beyond "is it free": the
        # instance is open and its store is the in-memory one.
        self.ready = not store.shared
        # A transaction object kept for the next uncontended block (see block.py).
        self.spare: Txn | None = None
        self.values["_nbstate"] = self
        self.values["_nbstate_old"] = self.log.old
        app.cores.add(self)

    def __repr__(self) -> str:
        return f"<core of {self.label}{' (closed)' if self.closed else ''}>"

    def ref(self, name: str) -> tuple[Core, str, bool]:
        """The owner reference that tracked values of var ``name`` carry."""
        r = self.refs.get(name)
        if r is None:
            r = self.refs[name] = (self, name, name in self.schema.patchable)
        return r

    def part(self, kind: type[P]) -> P:
        """This instance's part of type ``kind``, made on first use."""
        p = self.parts.get(kind)
        if p is None:
            p = self.parts[kind] = kind(self)
        return p  # type: ignore[return-value]

    # -- reads ------------------------------------------------------------------------------

    def holds_lock(self) -> bool:
        """True when the running task's transaction holds this state's lock."""
        owner = self.lock.owner
        return owner is not None and owner.task is running_task()

    def read_dirty(self, name: str) -> Any:
        """Var ``name``, assigned in an open step: its new value for the step's own task, the
        committed value for everyone else."""
        owner = self.lock.owner
        if owner is not None and (
            owner.task is _fast_task(_loop_or_none()) or owner.task is running_task()
        ):
            return self.values[name]
        return self.log.old[name]

    def sees_uncommitted(self) -> bool:
        """True for a reader outside the transaction that has written this state."""
        return bool(self.log.dirty) and not self.holds_lock()

    def value_of(self, name: str) -> Any:
        return self.state.__dict__[name]

    # -- the write path ---------------------------------------------------------------------

    def write(self, name: str, value: Any) -> None:
        """Assign var ``name`` (already checked against its annotation): the one write path.

        The first branch is :meth:`_record` inlined, because every write in a block comes
        here; ``tests/unit/test_write_path.py`` runs every entry route through both.
        """
        owner = self.lock.owner
        if owner is not None and (
            owner.task is _fast_task(_loop_or_none()) or owner.task is running_task()
        ):
            d = self.values
            old = d[name]
            if type(value) in PLAIN:
                d[name] = value
            elif value is old and hasattr(type(value), "_nb_base"):
                return  # ``self.items += [x]`` stores the container it already changed
            else:
                d[name] = wrap(value, self.ref(name))
            log = self.log
            if name not in log.old:
                log.old[name] = old
            if name in self.patchable:
                log.ops[name] = FULL
            log.dirty.add(name)
            if name in self.dependents:
                self.cache.invalidate(name)
            return
        self.write_all({name: value})

    def write_all(self, values: Mapping[str, Any]) -> None:
        """Assign several vars (each already checked) as one change.

        In a running transaction the writes join it, as :meth:`write` does; from a cell they
        commit together, once, or not at all. Used by ``State.reset()``, and by :meth:`write`
        for every write its fast path does not take.
        """
        if not values:
            return
        owner = self.lock.owner
        if (owner is not None and owner.task is running_task()) or self._enter(
            next(iter(values))
        ) is not None:
            for name, value in values.items():
                self._record(name, value)
            return
        auto = self._begin_alone()
        try:
            try:
                for name, value in values.items():
                    self._record(name, value)
            except BaseException:
                rollback(auto)
                raise
            self._commit_alone(auto)
        finally:
            self.lock.owner = None
        if _deferred:
            run_deferred()

    def _record(self, name: str, value: Any) -> None:
        d = self.values
        old = d[name]
        if type(value) in PLAIN:
            d[name] = value
        elif value is old and hasattr(type(value), "_nb_base"):
            return  # ``self.items += [x]`` stores the container it already changed in place
        else:
            d[name] = wrap(value, self.ref(name))
        log = self.log
        if name not in log.old:
            log.old[name] = old
        if name in self.patchable:
            log.ops[name] = FULL
        log.dirty.add(name)
        if name in self.cache.dependents:
            self.cache.invalidate(name)

    def begin_mutation(self, name: str) -> Log:
        """Allow an in-place change of var ``name`` now, or raise."""
        owner = self.lock.owner
        if owner is None or owner.task is not running_task():
            self._enter(name)
        return self.log

    def end_mutation(self, log: MutationLog, name: str) -> None:
        """An in-place change of ``name`` is recorded; a write from a cell commits here."""
        self.log.dirty.add(name)
        if name in self.cache.dependents:
            self.cache.invalidate(name)
        if self.lock.owner is None:
            auto = self._begin_alone()
            try:
                self._commit_alone(auto)
            finally:
                self.lock.owner = None
            if _deferred:
                run_deferred()

    def _enter(self, name: str) -> Txn | None:
        """Allow a write by code whose transaction does not hold this state's lock.

        Returns the running transaction the state joins, or None for a write that commits on
        its own (from a cell); raises when the write is not allowed now.
        """
        if self.closed:
            raise StateClosedError(f"{self.label} was closed; it can no longer change")
        task = running_task()
        txn = innermost(task)
        if txn is not None:  # open transactions are registered by task; ended ones are not
            return self._join(txn, name)
        run = current_run.get()
        if run is not None:
            raise ImmutableStateError(
                f"{run.name} changed {self.label}.{name} outside `async with self:`. "
                "A background task may only change state inside a block, which takes the lock "
                f"and sends the change:\n\n    async with self:\n        self.{name} = ..."
            )
        if not on_main_thread():
            require_main_thread(f"changing {self.label}.{name}")
        if self.lock.locked():
            holder = self.lock.owner
            who = holder.describe() if holder is not None else "an event waiting for it"
            raise StateLockedError(
                f"{self.label}.{name} cannot change now: {who} holds {self.label}'s lock. "
                f"Wait for the lock and change it inside a block:\n\n"
                f"    async with state:\n        state.{name} = ..."
            )
        if self.store.shared:
            raise StateLockedError(
                f"{self.label} is shared with other kernels, so every change takes its "
                f"cross-kernel lock, which is awaited. Change it inside a block:\n\n"
                f"    async with state:\n        state.{name} = ..."
            )
        return None

    def _join(self, txn: Txn, name: str) -> Txn:
        if self.lock.try_acquire(txn):
            if self.store.shared and not self.store.try_begin(self):
                self.lock.release()
            else:
                txn.cores.append(self)
                txn.shared = txn.shared or self.store.shared
                return txn
        holder = self.lock.owner
        who = holder.describe() if holder is not None else "an event waiting for it"
        raise StateLockedError(
            f"{txn.describe()} wrote {self.label}.{name}, but {who} holds {self.label}'s lock. "
            f"In an async handler or block, wait for the lock first; it is then held until the "
            f"step ends, and the change commits (or rolls back) with the step:\n\n"
            f"    other = await self.get_state({self.label})\n    other.{name} = ..."
        )

    def _begin_alone(self) -> Txn:
        auto = Txn(running_task(), "auto", self.label)
        auto.cores.append(self)
        self.lock.owner = auto  # no await until it is cleared: nothing can queue meanwhile
        return auto

    def _commit_alone(self, auto: Txn) -> None:
        try:
            commit(auto)
        except BaseException:
            rollback(auto)
            raise

    # -- locks and lifetime -----------------------------------------------------------------

    def unlock(self) -> None:
        """Release the lock (a transaction ends)."""
        if self.store.shared:
            self.store.end(self)
        self.lock.release()

    def close(self) -> None:
        """Stop this instance: every part closes (runs cancelled, model closed)."""
        if self.closed:
            return
        for part in list(self.parts.values()):
            part.close()
        self.closed = True
        self.ready = False
        self.cache.forget()
        self.store.close(self)
