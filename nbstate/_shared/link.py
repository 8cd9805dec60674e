"""One kernel's connection to one Redis server: commands, the change feed, and reconnecting.

A :class:`Link` is made per Redis URL, the first time a shared state needs it. It keeps

- a blocking client, for the one round trip that loads a shared state when it is created (a
  constructor cannot wait);
- an asyncio client on the kernel's loop, for the lock, commits and fetches;
- one listener task on that loop, subscribed to the channel of every shared state this kernel
  has, which hands each published change to the state's store.

When the connection drops (Redis restarted, network cut), commands wait and retry until
``app.redis_timeout`` seconds have passed. The listener reconnects on its own; once it is back,
every store writes its values back if Redis lost them, and catches up with what it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .._base.app import app
from .._base.errors import SharedStateError
from .._base.loop import main_loop
from . import scripts

if TYPE_CHECKING:
    from .store import RedisStore

T = TypeVar("T")

_links: dict[str, Link] = {}
"""The link of each Redis URL in this kernel."""


def redis_url() -> str:
    """The Redis URL shared states use: ``app.redis_url``, else ``NBSTATE_REDIS_URL``."""
    url = app.redis_url or os.environ.get("NBSTATE_REDIS_URL")
    if not url:
        raise SharedStateError(
            "A shared state (class ...(rx.State, shared=True)) keeps its values in Redis, and "
            "no Redis server is configured. Set one before creating the state:\n\n"
            '    rx.app.redis_url = "redis://localhost:6379/0"\n\n'
            "or set the environment variable NBSTATE_REDIS_URL before starting the kernel."
        )
    return url


def lease_seconds() -> float:
    """How long the cross-kernel lock lasts without renewal (``app.redis_lease``)."""
    if app.redis_lease is not None:
        return float(app.redis_lease)
    return float(os.environ.get("NBSTATE_REDIS_LEASE") or 10.0)


def link_for(url: str) -> Link:
    link = _links.get(url)
    if link is None:
        link = _links[url] = Link(url)
    return link


def connection_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions as rex

    return (rex.ConnectionError, rex.TimeoutError, ConnectionError, OSError)


class Link:
    """This kernel's connection to one Redis server. See the module documentation."""

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError:
            raise SharedStateError(
                "Shared states need the redis client: pip install 'nbstate[redis]'"
            ) from None
        self.url = url
        self.sync = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client: Any = None
        self.scripts: dict[str, Any] = {}
        self.listener: asyncio.Task[None] | None = None
        self.stores: dict[str, weakref.WeakSet[RedisStore]] = {}
        self.subscribed: set[str] = set()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.releases: dict[str, set[asyncio.Task[Any]]] = {}

    def __repr__(self) -> str:
        return f"<nbstate Redis link {self.url}: {len(self.stores)} shared states>"

    # -- the loop's client --------------------------------------------------------------------

    def _ensure(self) -> None:
        """The async client and the listener, on the running main loop (made again for a new
        loop: headless tests run one loop per test)."""
        loop = main_loop()
        if self.loop is loop and self.client is not None:
            if self.listener is None or self.listener.done():
                self._start_listener()
            return
        import redis.asyncio as aredis

        self.loop = loop
        self.client = aredis.Redis.from_url(
            self.url, socket_timeout=10, socket_connect_timeout=5
        )
        self.scripts = {
            name: self.client.register_script(getattr(scripts, name))
            for name in ("ACQUIRE", "RENEW", "RELEASE", "COMMIT", "FETCH", "SEED")
        }
        self.subscribed = set()
        self._start_listener()

    def _start_listener(self) -> None:
        assert self.loop is not None
        self.listener = self.loop.create_task(self._listen(), name=f"nbstate redis {self.url}")

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run ``coro`` on the loop, keeping a reference until it ends."""
        self._ensure()
        assert self.loop is not None
        task: asyncio.Task[Any] = self.loop.create_task(coro)  # type: ignore[arg-type]
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def releasing(self, channel: str, coro: Awaitable[Any]) -> None:
        """Free a lock in the background; the next acquisition of it here waits for that."""
        task = self.spawn(coro)
        pending = self.releases.setdefault(channel, set())
        pending.add(task)
        task.add_done_callback(pending.discard)

    async def released(self, channel: str) -> None:
        """Wait until this kernel's pending releases of ``channel``'s lock are done."""
        loop = asyncio.get_running_loop()
        # (A release left behind by another loop, a test that ended, is skipped: its lease
        # expires by itself.)
        mine = [t for t in self.releases.get(channel, ()) if t.get_loop() is loop]
        if mine:
            await asyncio.wait(mine, timeout=app.redis_timeout)

    async def call(self, script: str, keys: list[str], args: list[Any]) -> Any:
        """Run one of :mod:`.scripts`, once (the caller decides whether a retry is safe)."""
        self._ensure()
        return await self.scripts[script](keys=keys, args=args)

    async def retrying(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        """``await fn()``, retried while Redis cannot be reached, up to ``app.redis_timeout``."""
        errors = connection_errors()
        deadline = asyncio.get_running_loop().time() + app.redis_timeout
        delay = 0.02
        while True:
            try:
                return await fn()
            except errors as exc:
                if asyncio.get_running_loop().time() + delay > deadline:
                    raise SharedStateError(
                        f"{what}: Redis at {self.url} cannot be reached ({exc}); gave up after "
                        f"{app.redis_timeout:g} s (rx.app.redis_timeout). Check that the "
                        "server runs and the URL is right."
                    ) from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)

    # -- stores and the change feed -------------------------------------------------------------

    def register(self, store: RedisStore) -> None:
        self.stores.setdefault(store.channel, weakref.WeakSet()).add(store)
        with contextlib.suppress(Exception):  # no loop yet: the first block starts it
            self._ensure()

    def unregister(self, store: RedisStore) -> None:
        group = self.stores.get(store.channel)
        if group is not None:
            group.discard(store)
            if not group:
                del self.stores[store.channel]

    async def _listen(self) -> None:
        errors = connection_errors()
        delay = 0.02
        lost = False
        me = asyncio.current_task()

        def stopping() -> None:
            # redis-py may turn a cancellation inside a read into a closed connection (or a
            # quiet return): the task still carries the request, so honour it here.
            if me is not None and me.cancelling():
                raise asyncio.CancelledError
        while True:
            stopping()
            pubsub = self.client.pubsub()
            try:
                self.subscribed = set()
                await self._subscribe(pubsub)
                if lost:
                    for group in list(self.stores.values()):
                        for store in list(group):
                            self.spawn(store.reconnected())
                    lost = False
                delay = 0.02
                while True:
                    await self._subscribe(pubsub)
                    msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.05)
                    stopping()
                    if msg is None or msg.get("type") != "message":
                        continue
                    channel = msg["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    for store in list(self.stores.get(channel, ())):
                        try:
                            store.on_message(msg["data"])
                        except Exception as exc:  # a malformed message: say so, keep listening
                            store.report(exc)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except errors:
                lost = True
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                stopping()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.25)

    async def _subscribe(self, pubsub: Any) -> None:
        wanted = set(self.stores)
        new = wanted - self.subscribed
        if new:
            await pubsub.subscribe(*sorted(new))
            self.subscribed |= new
            for channel in new:  # changes made before the subscription: catch up
                for store in list(self.stores.get(channel, ())):
                    self.spawn(store.catch_up())
        gone = self.subscribed - wanted
        if gone:
            await pubsub.unsubscribe(*sorted(gone))
            self.subscribed -= gone


def _running_tasks(loop: asyncio.AbstractEventLoop | None = None) -> list[asyncio.Task[Any]]:
    """Every link's listener and pending work not yet done: on ``loop``, or on any open loop."""
    return [
        t
        for link in _links.values()
        for t in [link.listener, *link.tasks]
        if t is not None
        and not t.done()
        and (t.get_loop() is loop if loop is not None else not t.get_loop().is_closed())
    ]


async def stop_listeners() -> None:
    """Stop every link's listener and pending work on the running loop, and wait for them
    (headless tests call this before their loop ends; a kernel's loop never ends)."""
    tasks = _running_tasks(asyncio.get_running_loop())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _forget_clients() -> None:
    """``nbstate.testing.reset()``: stop the listeners; the next use connects again (a test's
    loop ends with the test)."""
    for task in _running_tasks():
        task.cancel()
    for link in _links.values():
        link.listener = None
        link.client = None
        link.loop = None
        link.tasks.clear()
        link.releases.clear()


app.on_reset.append(_forget_clients)
