"""How a shared state's instance follows the other kernels (a base of ``RedisStore``).

Every commit is published on the state's channel with its version. :meth:`Follower.on_message`
applies the next version at once (the values, and the patch ops for the browser); a gap (a
lost message, a reconnection) or a step here that is writing makes the instance fetch what it
missed instead (:meth:`Follower.catch_up`), once no step here holds the lock. When Redis lost
the state (restarted without persistence), the instance writes its values back (``SEED``),
unless a kernel with newer values did so first.
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._base.errors import SharedStateError
from .._core.changes import error_hooks
from .link import lease_seconds

if TYPE_CHECKING:
    import weakref

    from .._core.core import Core
    from .link import Link


def pickled(value: Any, what: str = "") -> bytes:
    try:
        return pickle.dumps(value, protocol=5)
    except Exception as exc:
        raise SharedStateError(
            f"{what}: its value cannot be stored in Redis ({exc!r}). A shared state's vars are "
            "pickled for the other kernels: use types defined at the top level of a module that "
            "every kernel imports."
        ) from exc




def _unreadable(what: str, exc: BaseException) -> SharedStateError:
    return SharedStateError(
        f"{what}: a value written by another kernel cannot be read here ({exc!r}). Every "
        "kernel that shares a state needs the same types for its vars: define them in a "
        "module that all the kernels import, not in a notebook cell."
    )


class Follower:
    """Applying other kernels' commits to one instance, and catching up with Redis."""

    if TYPE_CHECKING:
        link: Link
        label: str
        keys: list[str]
        channel: str
        names: list[str]
        known: frozenset[str]
        version: int
        fence: int
        origin_bytes: bytes
        holder: str | None
        catching_up: bool
        core_ref: weakref.ref[Core] | None

        def _wake(self) -> None: ...

    @property
    def core(self) -> Core | None:
        core = self.core_ref() if self.core_ref is not None else None
        return None if core is None or core.closed else core

    def _pairs(self, core: Core) -> list[Any]:
        out: list[Any] = []
        for name in self.names:
            out += [name, pickled(core.values[name], f"{self.label}.{name}")]
        return out

    @staticmethod
    def _lease_ms() -> int:
        return max(int(lease_seconds() * 1000), 10)

    def on_message(self, data: bytes) -> None:
        """A message on this state's channel (from the link's listener)."""
        if data == b"free":
            self._wake()
            return
        if data == b"seeded":
            self.link.spawn(self.catch_up())
            return
        head, origin, payload = data.split(b"\n", 2)
        version = int(head)
        core = self.core
        if core is None or version <= self.version or origin == self.origin_bytes:
            return  # known already, or this instance's own commit (its reply is on the way)
        try:
            names, blobs, ops = pickle.loads(payload)
            values = {
                n: pickle.loads(b) for n, b in zip(names, blobs, strict=True) if n in self.known
            }
        except Exception as exc:
            self._report(core, _unreadable(self.label, exc))
            return
        if version != self.version + 1 or core.log.dirty:
            self.link.spawn(self.catch_up())  # a gap, or a step here is writing: fetch later
            return
        self.version = version
        self._apply(core, values, ops)

    def _apply(self, core: Core, values: dict[str, Any], ops: Mapping[str, Any]) -> None:
        try:
            core.apply_remote(values, ops)
        except Exception as exc:
            self._report(core, exc)

    @staticmethod
    def _report(core: Core, exc: BaseException) -> None:
        if not error_hooks:
            raise exc
        for hook in error_hooks:
            hook(core, exc, "(changes from other kernels)")

    def report(self, exc: BaseException) -> None:
        """An error while following another kernel's change: into the errors of the state."""
        core = self.core
        if core is not None:
            self._report(core, exc)

    def _load(self, core: Core, fetched: list[Any]) -> None:
        """Apply what FETCH returned; raises SharedStateError if a value cannot be read."""
        values = {}
        for i in range(1, len(fetched), 2):
            name = fetched[i].decode() if isinstance(fetched[i], bytes) else fetched[i]
            if name in self.known:
                try:
                    values[name] = pickle.loads(fetched[i + 1])
                except Exception as exc:
                    raise _unreadable(f"{self.label}.{name}", exc) from exc
        self.version = int(fetched[0])
        if values:
            self._apply(core, values, {})

    async def _fetch(self, since: int) -> list[Any]:
        result: list[Any] = await self.link.retrying(
            f"{self.label}: reading the shared values",
            lambda: self.link.call("FETCH", self.keys, [since]),
        )
        return result

    async def _seed(self, core: Core) -> int:
        """Write this instance's values back into Redis: 1 written, 0 Redis has this version
        or a newer one, -1 Redis has an older one that kernels have committed on."""
        link = self.link
        written = await link.retrying(
            f"{self.label}: writing the values back into Redis",
            lambda: link.call(
                "SEED",
                self.keys,
                [self.version, self.fence, self._lease_ms(), self.channel, *self._pairs(core)],
            ),
        )
        return int(written)

    def _busy(self, core: Core) -> bool:
        """A step here holds the shared lock, or has written: nothing may be applied now."""
        return bool(core.log.dirty) or self.holder is not None

    async def _catch_up_locked(self, core: Core, locked: bool = True) -> bool:
        """Bring the instance up to Redis's version; False if it could not be done now (the
        instance changed meanwhile, or a step here began: ``locked=False`` callers retry)."""
        for _ in range(50):
            since = self.version
            fetched = await self._fetch(since)
            if self.version != since:
                continue  # a change arrived meanwhile: ask again from there
            if not locked and self._busy(core):
                return False
            version = int(fetched[0])
            if version == since:
                return True
            if version == -1 or version < since:
                # Redis lost the state (restarted without persistence): write ours back, unless
                # a kernel with newer values did so first.
                outcome = await self._seed(core)
                if outcome == 1:
                    return True
                if outcome == 0 or self.version != since:
                    continue  # a kernel with these values or newer wrote them back: fetch
                if not locked and self._busy(core):
                    return False
                fetched = await self._fetch(-1)
                self._report(core, SharedStateError(
                    f"{self.label}: Redis restarted without persistence, and other kernels "
                    f"committed on the values written back (version {int(fetched[0])}) before "
                    f"this kernel, which had version {since}, came back: its newer commits are "
                    "lost, and it now shows Redis's values. Run Redis with persistence "
                    "(appendonly yes) to keep every commit."
                ))
                self._load(core, fetched)
                return True
            self._load(core, fetched)
            return True
        raise SharedStateError(f"{self.label}: could not catch up with Redis")

    async def catch_up(self) -> None:
        """Fetch what this instance missed, once no step here holds its lock or writes it."""
        if self.catching_up:
            return
        self.catching_up = True
        try:
            while True:
                core = self.core
                if core is None:
                    return
                if not self._busy(core) and await self._catch_up_locked(core, locked=False):
                    return
                # A step here holds the shared lock: its begin brought the instance up to
                # date, and nobody else commits until it ends. Look again after it.
                await asyncio.sleep(0.01)
        finally:
            self.catching_up = False

    async def reconnected(self) -> None:
        """The change feed was lost and is back: messages may have been missed, and a
        restarted Redis may have lost the state."""
        await self.catch_up()
