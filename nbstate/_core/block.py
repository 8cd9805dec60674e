"""Opening and ending transactions: ``async with state:`` blocks and handler steps.

``async with state:`` is :class:`Transactional`'s ``__aenter__``/``__aexit__``, which the State
base class inherits; it is the per-block hot path, so the uncontended case takes the lock and
opens the transaction without waiting or calling out. Handler steps (see the events layer) use
:func:`begin_step` and :func:`end_step`.

``async with other:`` inside a running transaction of a different state opens a transaction of
its own, which commits when its block ends. ``await self.get_state(Other)`` instead takes
``Other``'s lock into the running transaction (:func:`join`), as a plain write does.
"""

from __future__ import annotations

import threading
from typing import Any

from .._base.errors import NestedBlockError, StateClosedError
from .._base.loop import (
    MAIN_THREAD_ID,
    fast_task,
    loop_or_none,
    require_main_thread,
    running_task,
)
from .core import Core
from .txn import (
    Txn,
    _deferred,
    commit,
    commit_shared,
    innermost,
    open_txns,
    pop,
    push,
    release,
    rollback,
    run_deferred,
)

_get_ident = threading.get_ident


def _note_rollback(exc: BaseException | None, what: str) -> None:
    if exc is not None and hasattr(exc, "add_note"):
        exc.add_note(f"nbstate: {what} rolled back; none of its changes were sent.")


async def _enter_waiting(core: Core, txn: Txn) -> None:
    """Take ``core``'s lock for ``txn``, waiting if needed (the slow path of every entry)."""
    owner = core.lock.owner
    if owner is not None and owner.task is txn.task:
        raise NestedBlockError(
            f"`async with` on {core.label}, whose lock this task already holds ("
            f"{owner.describe()}); waiting for it would wait forever. Change it directly, "
            "without a second block."
        )
    if core.closed:
        raise StateClosedError(f"{core.label} was closed; it can no longer change")
    if threading.get_ident() != MAIN_THREAD_ID:
        require_main_thread(f"`async with` on {core.label}")
    await core.lock.acquire(txn)
    try:
        if core.closed:
            raise StateClosedError(f"{core.label} was closed while waiting for its lock")
        if core.store.shared:
            await core.store.begin(core)
            txn.shared = True
    except BaseException:
        core.lock.release()
        raise
    txn.cores.append(core)


class Transactional:
    """``async with state:``: wait for the state's lock, change it, commit on exit."""

    __slots__ = ()

    async def __aenter__(self) -> Any:
        core: Core = self.__dict__["_nbstate"]
        lock = core.lock
        if (
            lock.owner is None
            and core.ready
            and not lock.waiters
            and _get_ident() == MAIN_THREAD_ID
        ):
            # Uncontended: reuse this state's spare transaction and take the lock at once.
            # (txn.push is inlined here and in __aexit__: this is the per-block hot path.)
            task = fast_task(loop_or_none()) or running_task()
            txn = core.spare
            if txn is None:
                txn = Txn(task, "block", core.label)
                txn.cores.append(core)
            else:
                core.spare = None
                txn.task = task
            lock.owner = txn
            txn.parent = open_txns.get(task)
            open_txns[task] = txn
            return self
        txn = Txn(running_task(), "block", core.label)
        await _enter_waiting(core, txn)
        push(txn)
        return self

    async def __aexit__(self, et: Any, exc: Any, tb: Any) -> None:
        core: Core = self.__dict__["_nbstate"]
        txn: Any = core.lock.owner
        parent = txn.parent  # txn.pop, inlined
        if parent is None:
            del open_txns[txn.task]
        else:
            open_txns[txn.task] = parent
            txn.parent = None
        if et is None and len(txn.cores) == 1 and not txn.shared:
            if core.log.dirty or core.stale:
                try:
                    core.commit_alone()
                except BaseException as failure:
                    if core.rollback():
                        _note_rollback(failure, f"the `async with` block on {txn.label} was")
                    _end_block(core, txn)
                    raise
            # _end_block's first case, inlined
            txn.task = None
            lock = core.lock
            if lock.waiters:
                lock.release()
            else:
                lock.owner = None
            core.spare = txn
            if _deferred:
                run_deferred()
            return
        try:
            if et is None:
                if txn.shared:
                    await commit_shared(txn)
                else:
                    commit(txn)
            elif rollback(txn):
                _note_rollback(exc, f"the `async with` block on {txn.label} was")
        except BaseException as failure:
            if rollback(txn):
                _note_rollback(failure, f"the `async with` block on {txn.label} was")
            raise
        finally:
            _end_block(core, txn)
            run_deferred()


def _end_block(core: Core, txn: Txn) -> None:
    """Release every lock of a block's transaction and keep it as the state's spare."""
    cores = txn.cores
    if len(cores) == 1 and not txn.shared:
        txn.task = None
        if core.lock.waiters:
            core.lock.release()
        else:
            core.lock.owner = None
    else:
        release(txn)
        cores.append(core)
        txn.shared = False
    txn.task = None
    core.spare = txn


async def join(core: Core) -> None:
    """Take ``core``'s lock into the running task's transaction, waiting if needed."""
    task = running_task()
    txn = innermost(task)
    if txn is None:
        return  # no transaction here: the caller only reads, and writes will say what to do
    if core in txn.cores:
        return
    await _enter_waiting(core, txn)


async def begin_step(core: Core, label: str) -> Txn:
    """Open a handler's transaction on ``core``: its lock is held across all its steps."""
    txn = Txn(running_task(), "step", label)
    lock = core.lock
    if lock.owner is None and not lock.waiters and not core.closed and not core.store.shared:
        lock.owner = txn
        txn.cores.append(core)
    else:
        await _enter_waiting(core, txn)
    push(txn)
    return txn


async def end_step(txn: Txn, home: Core, failed: BaseException | None = None) -> None:
    """End one step (a yield, or the end of the handler): commit, or roll back on ``failed``.

    Other states' locks are released; ``home``'s stays with the handler until
    :func:`finish_handler`. When changes are rolled back, the exception says so in a note.
    """
    try:
        if failed is None:
            if txn.shared:
                await commit_shared(txn)
            else:
                commit(txn)
        elif rollback(txn):
            _note_rollback(failed, f"the failed step of {txn.label} was")
    except BaseException as exc:
        if rollback(txn):
            _note_rollback(exc, f"the failed step of {txn.label} was")
        raise
    finally:
        release(txn, keep=home)
        run_deferred()


def finish_handler(txn: Txn) -> None:
    """The handler is over: release its own state's lock."""
    pop(txn)
    release(txn)
    run_deferred()
