"""Transactions: the writes of one handler step or one ``async with`` block, made final together.

A transaction holds the lock of every state it writes. Its own state's lock is taken when it
begins; another state's lock is taken when the transaction first writes to it (or awaits it with
``await self.get_state(Other)``), and every lock is kept until the transaction ends. The commit
has two phases over all those states: first each state prepares its change set (JSON for the
browser, computed vars recomputed) and the stores accept them, and only then does anything
become final. A failure in the first phase leaves every state as it was for the rollback.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from .._values.tracking import Undo

if TYPE_CHECKING:
    from .core import Core

Kind = Literal["block", "step", "auto"]

NOTHING: Mapping[str, Any] = MappingProxyType({})

open_txns: dict[Any, Txn] = {}
"""The innermost open transaction (a block or a handler) of each task that has one. A task's
transaction is its own: tasks it starts inside a block do not inherit it."""


_deferred: deque[Callable[[], None]] = deque()
"""Work to do once the running transaction has ended and released its locks (observers)."""
_draining = False


def defer(fn: Callable[[], None]) -> None:
    """Run ``fn`` when the transaction that is committing now has ended."""
    _deferred.append(fn)


def run_deferred() -> None:
    """Run the deferred work, in order. Each piece reports its own errors (see the bridge)."""
    global _draining
    if _draining or not _deferred:
        return  # the outer drain (an observer that commits) picks up what it adds
    _draining = True
    try:
        while _deferred:
            _deferred.popleft()()
    finally:
        _draining = False


def innermost(task: Any) -> Txn | None:
    """The innermost open transaction of ``task``."""
    return open_txns.get(task)


def push(txn: Txn) -> None:
    """``txn`` opens in its task, inside the task's current transaction if it has one."""
    task = txn.task
    txn.parent = open_txns.get(task)
    open_txns[task] = txn


def pop(txn: Txn) -> None:
    """``txn`` ends: its task's transaction is the one around it again."""
    parent = txn.parent
    if parent is not None:
        open_txns[txn.task] = parent
        txn.parent = None
    else:
        open_txns.pop(txn.task, None)


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


Ops = list[dict[str, Any]]
ChangeSet = tuple[dict[str, Any], Mapping[str, Ops], Mapping[str, Any]]
"""What one state's commit changed, as ``(values, patches, computed)``: the JSON of public vars
sent whole and of changed computed vars; the patch ops of container vars changed in place; and
which of ``values`` are computed vars. A plain tuple, because one is made at every commit."""


class Txn:
    """One transaction, owned by the task that runs it."""

    __slots__ = ("cores", "kind", "label", "parent", "shared", "task")

    def __init__(self, task: Any, kind: Kind, label: str) -> None:
        self.task = task
        self.kind = kind
        self.label = label
        self.cores: list[Core] = []
        self.shared = False  # some state in it lives in a shared store
        self.parent: Txn | None = None  # the task's transaction around this one, if any

    def describe(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<txn {self.label}: {[c.label for c in self.cores]}>"


def commit(txn: Txn) -> None:
    """Make every change of ``txn`` final and hand it to subscribers; raise to roll back."""
    cores = txn.cores
    if len(cores) == 1:
        core = cores[0]
        if core.log.dirty or core.cache.stale:
            core.commit_alone()
        return
    prepared = [(core, core.prepare()) for core in cores if core.log.dirty or core.cache.stale]
    for core, changes in prepared:
        core.finish(changes)
    for core, _ in prepared:
        if core.cache.touched:
            core.refresh_dependents()


async def commit_shared(txn: Txn) -> None:
    """:func:`commit` for a transaction that writes states kept in a shared store."""
    prepared = [(c, c.prepare()) for c in txn.cores if c.log.dirty or c.cache.stale]
    shared = [(core, changes) for core, changes in prepared if core.store.shared]
    if shared:  # one call: the store writes every shared state of the step, or none
        await shared[0][0].store.commit_together(shared, free=txn.kind == "block")
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
