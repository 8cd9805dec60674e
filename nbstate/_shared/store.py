"""The store of a shared state: its values live in Redis, and every kernel that has it follows.

``class Jobs(rx.State, shared=True)`` gives each instance a :class:`RedisStore`. What it does at
the core's four points (see :mod:`nbstate._core.store`):

- **begin** takes the cross-kernel lock, a Redis lease with a fencing number (``ACQUIRE``), and
  renews it in the background while the block runs, so a long block does not lose it. Before
  the block runs, the instance catches up with every commit made elsewhere (``FETCH``).
- **commit** writes the changed vars, each with the new version, and publishes the change set
  (the values, and the same patch ops the browser gets) in one script, which first checks that
  the lease is still this holder's, that its fencing number is the current one, and that nobody
  committed since the block began. Otherwise the commit is refused
  (:class:`~nbstate.CommitRefusedError`) and the block rolls back.
- **end** frees the lease.
- Changes published by other kernels are applied here in version order (see
  :mod:`.follow`); a gap makes the instance fetch what it missed, and a restarted Redis that
  lost its data gets the values back from the kernels.

Values are pickled, so a var keeps its exact Python type across kernels. Anyone who can write
to the Redis server can therefore run code in the kernels that use it: use a server that only
your kernels reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
import weakref
from typing import TYPE_CHECKING, Any

from .._base.errors import CommitRefusedError, DeadlockError, SharedStateError
from .._core.store import Store
from . import scripts
from .follow import Follower, pickled
from .link import (
    Link,
    connection_errors,
    link_for,
    redis_url,
)

if TYPE_CHECKING:
    from .._core.core import Core
    from .._core.txn import ChangeSet


_KERNEL = uuid.uuid4().hex[:12]
"""This kernel's name in the cross-kernel wait-for graph."""


def _deadlock(label: str, owner: Any, chain: list[Any]) -> DeadlockError:
    names = [c.decode() if isinstance(c, bytes) else str(c) for c in chain]
    cycle = " -> ".join(n.removeprefix("nbstate:") for n in names)
    who = f" ({owner.describe()})" if owner is not None else ""
    return DeadlockError(
        f"Waiting here{who} for {label}'s shared lock would never end: its holder (in another "
        f"kernel, or another task) waits, through the shared locks {cycle}, for a lock this run "
        "holds. "
        "Take the locks of several shared states in the same order in every kernel (for "
        "example always A before B), or change one state at a time."
    )


_REFUSED = {
    -1: "its lease on the shared lock is gone (it expired while this kernel was paused or cut "
    "off from Redis, or Redis restarted and lost it)",
    -2: "another kernel took the shared lock after this kernel's lease expired",
    -3: "another kernel committed a change after this block began",
    -4: "the connection to Redis dropped during the commit, and Redis does not have it",
}


class RedisStore(Follower, Store):
    """Where one instance of a shared state keeps its values. See the module documentation."""

    shared = True

    def __init__(self, key: str, label: str) -> None:
        self.link: Link = link_for(redis_url())
        self.key = key
        self.label = label
        self.prefix = f"nbstate:{key}"
        self.keys = scripts.keys_of(self.prefix)
        self.channel = self.prefix
        self.origin = uuid.uuid4().hex
        self.origin_bytes = self.origin.encode()
        self.names: list[str] = []
        self.known: frozenset[str] = frozenset()
        self.version = 0  # the version of the values this instance holds
        self.base = 0  # the version read when the lock was taken
        self.fence = 0
        self.holder: str | None = None  # the lease's value while this instance holds the lock
        self.run = ""  # the kernel and task that hold or wait for the lock
        self.lost = False  # the renewal found the lease gone
        self.renewer: asyncio.Task[None] | None = None
        self.core_ref: weakref.ref[Core] | None = None
        self.waiters: list[asyncio.Future[None]] = []
        self.frees = 0  # how many times the lock was seen freed (wakes waiters)
        self.catching_up = False

    def __repr__(self) -> str:
        return f"<shared store {self.prefix} at version {self.version}>"

    # -- creation ------------------------------------------------------------------------

    def attach(self, core: Core) -> None:
        """Load the instance from Redis, or put its defaults there if the state is new.

        A constructor cannot wait, so this is one blocking round trip."""
        self.core_ref = weakref.ref(core)
        self.names = [*core.schema.public, *core.schema.backend]
        self.known = frozenset(self.names)
        sync = self.link.sync
        try:
            seeded = sync.eval(
                scripts.SEED, len(self.keys), *self.keys, 0, 0, self._lease_ms(), self.channel,
                *self._pairs(core),
            )
            if seeded != 1:  # the state is in Redis already: load it
                self._load(core, sync.eval(scripts.FETCH, len(self.keys), *self.keys, -1))
        except connection_errors() as exc:
            raise SharedStateError(
                f"{self.label} is shared through Redis at {self.link.url}, which cannot be "
                f"reached ({exc}). Start the server, or point rx.app.redis_url at one."
            ) from exc
        self.link.register(self)

    # -- the core's four points ----------------------------------------------------------

    def try_begin(self, core: Core) -> bool:
        return False  # the cross-kernel lock is awaited: a plain write cannot take it

    async def begin(self, core: Core) -> None:
        link, token, ms = self.link, uuid.uuid4().hex, self._lease_ms()
        owner = core.lock.owner
        run = f"{_KERNEL}.{id(owner.task if owner is not None else None):x}"
        self.run = run
        # A lock freed here a moment ago (the previous block) is freed in Redis first, so
        # this run is never seen waiting for itself.
        await link.released(self.channel)
        try:
            while True:
                frees = self.frees  # a "free" that arrives before the wait below still counts
                got = await link.retrying(
                    f"{self.label}: taking the shared lock",
                    lambda: link.call("ACQUIRE", self.keys, [token, ms, run]),
                )
                if got[0] == 1:
                    break
                if got[0] == -1:
                    raise _deadlock(self.label, owner, got[1:])
                await self._wait_free(min(max(int(got[1]), 1), 100) / 1000, frees)
            self.fence = int(got[1])
            self.holder = f"{token}|{self.fence}|{run}"
            self.lost = False
            if int(got[2]) != self.version:
                await self._catch_up_locked(core)
            self.base = self.version
            assert link.loop is not None
            self.renewer = link.loop.create_task(self._renew(self.holder, ms))
        except BaseException:
            self.holder = None
            link.releasing(self.channel, self._release(token, run))
            raise

    async def commit(self, core: Core, changes: ChangeSet) -> None:
        await self.commit_together([(core, changes)])

    async def commit_together(
        self, items: list[tuple[Core, ChangeSet]], free: bool = False
    ) -> None:
        """Commit the changes of several states of this store's server in one script: all of
        them, or (raising CommitRefusedError) none. ``free``: the step ends with this commit,
        so the same script frees the locks (one round trip fewer per block)."""
        commit_id = uuid.uuid4().hex
        keys: list[str] = []
        args: list[Any] = [commit_id]
        stores: list[RedisStore] = []
        for core, changes in items:
            store = core.store
            assert isinstance(store, RedisStore)
            if store.link is not self.link:
                raise CommitRefusedError(
                    f"one step wrote {self.label} (Redis at {self.link.url}) and {store.label} "
                    f"(Redis at {store.link.url}); a commit cannot span two servers, so nothing "
                    "was written. Change them in separate blocks."
                )
            if store.holder is None:
                raise CommitRefusedError(f"{store.label}: this step does not hold its lock")
            names = [n for n in core.log.dirty if n in store.known]
            pairs: list[Any] = []
            for name in names:
                pairs += [name, pickled(core.values[name], f"{store.label}.{name}")]
            body = pickled((names, pairs[1::2], dict(changes[1])))
            message = store.origin_bytes + b"\n" + body
            keys += store.keys
            args += [store.holder, str(store.fence), str(store.base), store.channel, message]
            args += ["1" if free else "0", len(names), *pairs]
            stores.append(store)
        try:
            result = await self.link.call("COMMIT", keys, args)
        except connection_errors() as exc:
            result = await self._confirm(commit_id, stores, exc)
        if result[0] != 1:
            refused = stores[int(result[1]) - 1]
            raise CommitRefusedError(
                f"{refused.label} was not written: {_REFUSED[int(result[0])]}. Nothing this "
                "step changed was written to Redis or sent; it rolled back. Run it again."
            )
        for store, version in zip(stores, result[1:], strict=True):
            store.version = store.base = int(version)
            if free:  # the script freed the lock: end() has nothing left to free
                store.holder = None
                store._wake()

    async def _confirm(
        self, commit_id: str, stores: list[RedisStore], exc: BaseException
    ) -> list[Any]:
        """The connection dropped during a commit: ask Redis whether it has it."""
        first = stores[0]

        async def last() -> Any:
            assert self.link.client is not None
            return await self.link.client.get(first.keys[5])

        try:
            seen = await self.link.retrying(f"{self.label}: confirming a commit", last)
        except SharedStateError as lost:
            raise CommitRefusedError(
                f"{self.label}: the connection to Redis dropped during the commit ({exc}), and "
                f"Redis could not be asked whether it was written ({lost}). This kernel rolled "
                "the step back; if Redis did write it, the change comes back here when the "
                "connection returns."
            ) from exc
        if seen is not None and seen.decode().startswith(commit_id + "|"):
            versions = []
            for store in stores:
                v = await self.link.client.get(store.keys[5])
                versions.append(int(v.decode().split("|")[1]) if v else 0)
            return [1, *versions]
        return [-4, 1]

    def end(self, core: Core) -> None:
        if self.renewer is not None:
            self.renewer.cancel()
            self.renewer = None
        holder, self.holder = self.holder, None
        if holder is not None:
            self.link.releasing(self.channel, self._release(*holder.split("|")[::2]))

    def close(self, core: Core) -> None:
        self.end(core)
        self.link.unregister(self)

    # -- the lease -----------------------------------------------------------------------

    async def _renew(self, holder: str, ms: int) -> None:
        errors = connection_errors()
        while True:
            await asyncio.sleep(ms / 3000)
            try:
                kept = await self.link.call("RENEW", self.keys, [holder, ms])
            except errors:
                continue  # the commit's own check decides; keep trying while the block runs
            if not kept:
                self.lost = True
                return

    async def _release(self, token: str, run: str) -> None:
        with contextlib.suppress(SharedStateError):  # unreachable: the lease expires by itself
            await self.link.retrying(
                f"{self.label}: freeing the shared lock",
                lambda: self.link.call("RELEASE", self.keys, [token, self.channel, run]),
            )
        self._wake()

    async def _wait_free(self, timeout: float, frees: int) -> None:
        """Wait for the lock to be freed (or ``timeout`` seconds); at once if it was freed
        since ``frees`` was read."""
        if self.frees != frees:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass
        finally:
            with contextlib.suppress(ValueError):
                self.waiters.remove(fut)

    def _wake(self) -> None:
        self.frees += 1
        waiters, self.waiters = self.waiters, []
        for fut in waiters:
            if not fut.done() and not fut.get_loop().is_closed():
                fut.set_result(None)
