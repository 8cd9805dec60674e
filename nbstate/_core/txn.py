"""Transactions: the writes of one handler step or one ``async with`` block, made final together.

A transaction holds the lock of every state it writes. Its own state's lock is taken when it
begins; another state's lock is taken when the transaction first writes to it (or awaits it with
``await self.get_state(Other)``), and every lock is kept until the transaction ends. The commit
has two phases over all those states: first each state prepares its change set (JSON for the
browser, computed vars recomputed) and the stores accept them, and only then does anything
become final. A failure in the first phase leaves every state as it was for the rollback.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal

from .._values.tracking import Undo

if TYPE_CHECKING:
    from .core import Core

Kind = Literal["block", "step", "auto"]

current_txn: ContextVar[Txn | None] = ContextVar("nbstate_txn", default=None)
"""The innermost transaction opened by the running task (a block or a handler step)."""


class Log:
    """One state's part of the running transaction: what changed and how to undo it.

    Each state has one Log, reused: only the transaction holding the state's lock writes it.
    """

    __slots__ = ("dirty", "old", "ops", "undo")

    def __init__(self) -> None:
        self.old: dict[str, Any] = {}  # value before the first assignment, per var
        self.undo: list[Undo] = []  # how to undo in-place mutations, in order
        self.dirty: set[str] = set()
        self.ops: dict[str, Any] = {}  # patch ops per container var, or FULL

    def clear(self) -> None:
        self.dirty.clear()
        if self.old:
            self.old.clear()
        if self.undo:
            self.undo.clear()
        if self.ops:
            self.ops.clear()


class ChangeSet:
    """What one state's commit changed, as its subscribers (the browser, a store) take it."""

    __slots__ = ("changed", "computed", "patches", "values")

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}  # JSON of public vars sent whole, and computed vars
        self.patches: dict[str, list[dict[str, Any]]] = {}  # patch ops of container vars
        self.computed: dict[str, Any] = {}  # the computed vars among ``values``
        self.changed: set[str] = set()  # every var written, backend vars included

    def __bool__(self) -> bool:
        return bool(self.values or self.patches or self.changed)

    def __repr__(self) -> str:
        return f"<changes {sorted(self.values)} patches {sorted(self.patches)}>"


class Txn:
    """One transaction, owned by the task that runs it."""

    __slots__ = ("cores", "kind", "label", "open", "shared", "task", "token")

    def __init__(self, task: Any, kind: Kind, label: str) -> None:
        self.task = task
        self.kind = kind
        self.label = label
        self.cores: list[Core] = []
        self.open = True
        self.shared = False  # some state in it lives in a shared store
        self.token: Any = None

    def describe(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<txn {self.label}: {[c.label for c in self.cores]}>"


def commit(txn: Txn) -> None:
    """Make every change of ``txn`` final and hand it to subscribers; raise to roll back."""
    prepared = []
    for core in txn.cores:
        if core.log.dirty or core.cache.stale:
            changes = core.prepare()
            if changes:
                prepared.append((core, changes))
    for core, changes in prepared:
        core.finish(changes)
    for core, _ in prepared:
        if core.cache.touched:
            core.refresh_dependents()


async def commit_shared(txn: Txn) -> None:
    """:func:`commit` for a transaction that writes states kept in a shared store."""
    prepared = []
    for core in txn.cores:
        if core.log.dirty or core.cache.stale:
            changes = core.prepare()
            if changes:
                prepared.append((core, changes))
    for core, changes in prepared:
        if core.store.shared:
            await core.store.commit(core, changes)
    for core, changes in prepared:
        core.finish(changes)
    for core, _ in prepared:
        if core.cache.touched:
            core.refresh_dependents()


def rollback(txn: Txn) -> bool:
    """Undo every change of ``txn``; True if there was anything to undo."""
    undone = False
    for core in reversed(txn.cores):
        undone = core.rollback() or undone
    return undone


def release(txn: Txn, keep: Core | None = None) -> None:
    """Release the locks of ``txn`` (all but ``keep``'s, which a handler holds across steps)."""
    cores = txn.cores
    for core in reversed(cores):
        if core is not keep:
            core.unlock()
    cores.clear()
    if keep is not None:
        cores.append(keep)
    else:
        txn.open = False
