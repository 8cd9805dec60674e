"""A state's lock: one holder at a time, first come first served, bound to no event loop.

The holder is a transaction (:class:`~nbstate._core.txn.Txn`). Waiters get the lock handed to
them in arrival order, so handlers run in the order their events came. A waiter's future is made
on the loop that runs when it starts waiting, so the same lock serves any loop, one after
another (headless tests each run their own).

Before waiting, the lock looks at who waits for what: if the holder's task waits (directly or
through a chain) for a lock that the waiting task holds, waiting would never end, and
:class:`~nbstate.DeadlockError` is raised instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any, Protocol

from .._base.errors import DeadlockError


class Holder(Protocol):
    """What a lock knows of its holder."""

    task: Any

    def describe(self) -> str: ...


# Which lock each task waits for now: the edges of the wait-for graph.
_waiting: dict[Any, StateLock] = {}


class StateLock:
    """The exclusive lock of one state instance."""

    __slots__ = ("label", "owner", "waiters")

    def __init__(self, label: str) -> None:
        self.label = label
        self.owner: Holder | None = None
        self.waiters: deque[tuple[asyncio.Future[None], Holder]] = deque()

    def __repr__(self) -> str:
        held = f"held by {self.owner.describe()}" if self.owner is not None else "free"
        return f"<lock of {self.label}: {held}, {len(self.waiters)} waiting>"

    def locked(self) -> bool:
        """True while a transaction holds the lock (or it is being handed to a waiter)."""
        return self.owner is not None or bool(self.waiters)

    def try_acquire(self, holder: Holder) -> bool:
        """Take the lock for ``holder`` if nobody holds it or waits for it."""
        if self.owner is None and not self.waiters:
            self.owner = holder
            return True
        return False

    async def acquire(self, holder: Holder) -> None:
        """Wait for the lock in arrival order; raise DeadlockError instead of waiting forever."""
        if self.owner is None and not self.waiters:
            self.owner = holder
            return
        self._check_deadlock(holder)
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (fut, holder)
        self.waiters.append(entry)
        task = holder.task
        _waiting[task] = self
        try:
            await fut
        except BaseException:
            if self.owner is holder:
                self.release()  # handed over just as the waiter was cancelled
            else:
                with contextlib.suppress(ValueError):
                    self.waiters.remove(entry)
            raise
        finally:
            if _waiting.get(task) is self:
                del _waiting[task]

    def release(self) -> None:
        """Hand the lock to the next live waiter, or free it."""
        waiters = self.waiters
        while waiters:
            fut, holder = waiters.popleft()
            if fut.done() or fut.get_loop().is_closed():
                continue
            self.owner = holder
            fut.set_result(None)
            return
        self.owner = None

    def _check_deadlock(self, holder: Holder) -> None:
        task = holder.task
        chain = [self]
        lock: StateLock | None = self
        while lock is not None and len(chain) < 1000:
            owner = lock.owner
            if owner is None:
                return
            if owner.task is task:
                raise DeadlockError(_describe_cycle(holder, chain))
            lock = _waiting.get(owner.task)
            if lock is not None:
                chain.append(lock)


def _describe_cycle(holder: Holder, chain: list[StateLock]) -> str:
    steps = []
    for lock in chain:
        owner = lock.owner
        who = owner.describe() if owner is not None else "nobody"
        steps.append(f"{lock.label}'s lock is held by {who}")
    return (
        f"{holder.describe()} would wait forever for {chain[0].label}'s lock: "
        + "; ".join(steps)
        + ", which waits for a lock this run holds. Take the locks of several states in the "
        "same order everywhere (for example always A before B), or change one state at a time."
    )
