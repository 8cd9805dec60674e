"""The store: where a state instance's committed values live, and who may commit them.

A :class:`Store` sits behind every state instance. The transaction layer calls it at four
points, and nothing above the core (events, tasks, views, the wire) ever talks to it:

``try_begin(core)``
    A transaction takes the state's local lock without waiting (a synchronous write that joins
    a running step). Return False to refuse: the writer then gets StateLockedError, which says to
    write ``async with state:`` instead.
``await begin(core)``
    A transaction has taken the state's local lock and may wait. A shared store takes its own
    cross-process lock here and brings the instance's values up to date.
``await commit(core, changes)``
    Before anything is final locally. A shared store writes the change set (fenced, atomic) and
    publishes it; raising :class:`~nbstate.CommitRefusedError` rolls the whole transaction back.
    A step that wrote several shared states calls ``commit_together`` once with all of them, so
    a store can write them all or none.
``end(core)``
    The local lock is released.

The :class:`MemoryStore` is the default: the instance's own attributes are the committed values
and every hook does nothing, so the per-block hot path skips the store entirely (it only looks
at ``store.shared``). A store shared by several kernels sets ``shared = True`` and implements the
four hooks; it delivers changes committed elsewhere with ``core.apply_remote(changes)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .core import Core
    from .txn import ChangeSet


class Store:
    """Where one state instance's committed values live. See the module documentation."""

    shared: ClassVar[bool] = False

    def try_begin(self, core: Core) -> bool:
        return True

    async def begin(self, core: Core) -> None:
        return None

    async def commit(self, core: Core, changes: ChangeSet) -> None:
        return None

    async def commit_together(
        self, items: list[tuple[Core, ChangeSet]], free: bool = False
    ) -> None:
        """Commit the change sets of several states of this kind of store, all or none.
        ``free``: the transaction ends with this commit, and the store may free its locks in
        the same call (``end`` is still called)."""
        for core, changes in items:
            await core.store.commit(core, changes)

    def end(self, core: Core) -> None:
        return None

    def close(self, core: Core) -> None:
        return None


class MemoryStore(Store):
    """The committed values are the instance's attributes; nothing is shared."""


MEMORY = MemoryStore()
