"""Shared states in one process, against a real redis-server: the lock, commits, refusals,
following other instances, and a restarted server. (Several kernels: tests/shared/.)"""

from __future__ import annotations

import asyncio
import pickle
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

import nbstate as rx
from nbstate._shared.link import stop_listeners
from tests.shared.redis_server import RedisServer

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as srv:
        yield srv


@pytest.fixture
def url(server: RedisServer) -> Iterator[str]:
    server.client().flushall()
    old = (rx.app.redis_url, rx.app.redis_lease, rx.app.redis_timeout)
    rx.app.redis_url = server.url
    rx.app.redis_lease = 2.0
    try:
        yield server.url
    finally:
        rx.app.redis_url, rx.app.redis_lease, rx.app.redis_timeout = old


@pytest.fixture(autouse=True)
async def quiet_listeners() -> Any:
    """Each test runs on a loop of its own: stop the Redis listeners before it closes."""
    yield
    await stop_listeners()


def stored(server: RedisServer, key: str, name: str) -> Any:
    blob = server.client().hget(f"nbstate:{key}:vars", name)
    assert blob is not None, f"{key}.{name} is not in Redis"
    return pickle.loads(blob)


class Counter(rx.State, shared=True):
    n: int = 0
    items: list[int] = []
    _secret: str = "kernel only"

    @rx.var
    def double(self) -> int:
        return self.n * 2


class Jobs(rx.State, shared=True):
    done: int = 0
    log: list[str] = []

    def add(self, name: str) -> None:
        self.log.append(name)
        self.done += 1

    def add_then_fail(self, name: str) -> None:
        self.log.append(name)
        raise ValueError("no")

    async def two_steps(self) -> Any:
        self.done += 1
        yield
        self.done += 1

    @rx.background
    async def work(self, times: int) -> None:
        for _ in range(times):
            async with self:
                self.done += 1


class Other(rx.State, shared="other-key"):
    total: int = 0


class Local(rx.State):
    count: int = 0


async def settle_until(pred: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def test_new_state_seeds_redis_and_a_second_instance_loads_it(
    url: str, server: RedisServer
) -> None:
    a = Counter()
    assert stored(server, "Counter", "n") == 0
    async with a:
        a.n = 5
        a.items.append(1)
        a._secret = "changed"
    b = Counter()
    assert (b.n, list(b.items), b._secret, b.double) == (5, [1], "changed", 10)
    assert server.client().get("nbstate:Counter:version") == b"1"
    assert stored(server, "Counter", "_secret") == "changed"


async def test_two_instances_never_lose_an_update(url: str, server: RedisServer) -> None:
    a, b = Counter(), Counter()

    async def bump(s: Counter, times: int) -> None:
        for _ in range(times):
            async with s:
                s.n += 1
                s.items.append(s.n)

    await asyncio.gather(bump(a, 150), bump(b, 150), bump(a, 50))
    await settle_until(lambda: a.n == b.n == 350)
    assert stored(server, "Counter", "n") == 350
    assert list(a.items) == list(b.items) == list(range(1, 351))
    assert rx.model(b).v_n == 350  # the other instance's model followed


async def test_the_lock_goes_to_instances_in_the_order_they_asked(url: str) -> None:
    a, b = Counter(), Counter()
    order: list[str] = []

    async def bump(s: Counter, who: str) -> None:
        for _ in range(60):
            async with s:
                s.n += 1
                order.append(who)

    # Three tasks on a (its local lock queues them), one on b: b must not wait for all of a's.
    await asyncio.gather(bump(a, "a"), bump(a, "a"), bump(a, "a"), bump(b, "b"))
    first = order[:120]
    assert first.count("b") >= 25, "".join(first)


async def test_a_change_reaches_the_other_instance_model_as_patches(url: str) -> None:
    a, b = Counter(), Counter()
    model_b = rx.model(b)
    async with a:
        a.items.extend([1, 2, 3])
    await settle_until(lambda: list(model_b.v_items) == [1, 2, 3])
    async with a:
        a.items[1] = 20
        a.n = 7
    await settle_until(lambda: model_b.v_n == 7)
    assert list(model_b.v_items) == [1, 20, 3]
    assert model_b.v_double == 14
    assert not any(name.endswith("secret") for name in model_b.trait_names())


async def test_observers_of_the_other_instance_model_fire_once_per_remote_commit(
    url: str,
) -> None:
    a, b = Counter(), Counter()
    seen: list[int] = []
    rx.model(b).observe(lambda change: seen.append(change["new"]), names="v_n")
    # Until b's subscription is in place, a commit reaches it by catching up, which applies
    # every commit it missed as one change (so its observers would see only the last).
    link = b.__dict__["_nbstate"].store.link
    await settle_until(lambda: "nbstate:Counter" in link.subscribed)
    for value in (1, 2, 3):
        async with a:
            a.n = value
    await settle_until(lambda: seen == [1, 2, 3])
    assert b.n == 3


async def test_a_write_outside_a_block_is_refused(url: str) -> None:
    a = Counter()
    with pytest.raises(rx.StateLockedError, match="async with state"):
        a.n = 1
    with pytest.raises(rx.StateLockedError):
        a.items.append(1)
    assert a.n == 0 and list(a.items) == []


async def test_a_holder_whose_lease_expired_is_refused_and_rolls_back(
    url: str, server: RedisServer
) -> None:
    rx.app.redis_lease = 0.2
    a, b = Counter(), Counter()
    with pytest.raises(rx.CommitRefusedError, match="lease") as info:
        async with a:
            a.n = 99
            a.items.append(99)
            time.sleep(0.5)  # the whole kernel stalls past the lease: no renewal can run
    assert "rolled back" in str(info.value)
    assert (a.n, list(a.items)) == (0, [])
    assert stored(server, "Counter", "n") == 0
    async with b:  # the lock is free again
        b.n = 1
    await settle_until(lambda: a.n == 1)


async def test_a_holder_overtaken_by_another_kernel_is_refused(
    url: str, server: RedisServer
) -> None:
    rx.app.redis_lease = 0.2
    a = Counter()
    other = redis.Redis.from_url(url)
    from nbstate._shared import scripts

    with pytest.raises(rx.CommitRefusedError):
        async with a:
            a.n = 50
            time.sleep(0.4)  # paused past the lease; another kernel takes the lock and writes
            keys = scripts.keys_of("nbstate:Counter")
            got = other.eval(scripts.ACQUIRE, len(keys), *keys, "intruder", 5000, "intruder-run")
            assert got[0] == 1
            other.hset(keys[2], "n", pickle.dumps(7))
    assert a.n == 0
    assert stored(server, "Counter", "n") == 7


async def test_a_long_block_keeps_its_lease(url: str, server: RedisServer) -> None:
    rx.app.redis_lease = 0.3
    a = Counter()
    async with a:
        a.n = 3
        await asyncio.sleep(1.0)  # more than three leases: the renewal keeps it
    assert stored(server, "Counter", "n") == 3


async def test_a_step_writing_two_shared_states_commits_both_or_neither(
    url: str, server: RedisServer
) -> None:
    rx.app.redis_lease = 0.2
    a = rx.get_state(Counter)
    async with a:
        other = await a.get_state(Other)
        a.n = 1
        other.total = 10
    assert (stored(server, "Counter", "n"), stored(server, "other-key", "total")) == (1, 10)
    with pytest.raises(rx.CommitRefusedError):
        async with a:
            other = await a.get_state(Other)
            a.n = 2
            other.total = 20
            time.sleep(0.4)
    assert (a.n, other.total) == (1, 10)
    assert (stored(server, "Counter", "n"), stored(server, "other-key", "total")) == (1, 10)


async def test_a_step_writing_a_shared_and_a_local_state_rolls_back_both(
    url: str, server: RedisServer
) -> None:
    rx.app.redis_lease = 0.2
    a, local = Counter(), Local()
    with pytest.raises(rx.CommitRefusedError):
        async with a:
            mine = await a.get_state(Local)
            mine.count = 5
            a.n = 5
            time.sleep(0.4)
    assert rx.get_state(Local).count == 0 and a.n == 0
    assert local.count == 0


async def test_a_wait_that_closes_a_cycle_across_kernels_is_refused(
    url: str, server: RedisServer
) -> None:
    # Two instances of each class stand for two kernels: the cycle runs through Redis only.
    x1, x2, y1, y2 = Counter(), Counter(), Other(), Other()
    both_hold = asyncio.Barrier(2)
    outcome: dict[str, str] = {}

    async def one(first: Any, second: Any, name: str) -> None:
        try:
            async with first:
                await both_hold.wait()
                async with second:
                    pass
            outcome[name] = "done"
        except rx.DeadlockError as exc:
            outcome[name] = str(exc)

    await asyncio.wait_for(
        asyncio.gather(one(x1, y1, "first"), one(y2, x2, "second")), timeout=10
    )
    refused = [v for v in outcome.values() if v != "done"]
    assert len(refused) == 1, outcome
    assert "would never end" in refused[0] and "same order" in refused[0]
    assert "done" in outcome.values()
    assert server.client().hlen("nbstate:~waits") == 0


async def test_cancelled_while_waiting_for_the_lock_leaves_it_free(
    url: str, server: RedisServer
) -> None:
    a, b = Counter(), Counter()
    entered = asyncio.Event()

    async def hold() -> None:
        async with a:
            entered.set()
            await asyncio.sleep(0.3)
            a.n = 1

    holder = asyncio.ensure_future(hold())
    await entered.wait()

    async def wait_for_it() -> None:
        async with b:
            b.n = 100

    waiter = asyncio.ensure_future(wait_for_it())
    await asyncio.sleep(0.05)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await holder
    async with b:
        b.n += 1
    assert stored(server, "Counter", "n") == 2


async def test_a_restarted_redis_gets_the_values_back(url: str, server: RedisServer) -> None:
    rx.app.redis_lease = 0.3
    a, b = Counter(), Counter()
    for _ in range(5):
        async with a:
            a.n += 1
    await settle_until(lambda: b.n == 5)
    server.restart()
    await settle_until(lambda: server.client().exists("nbstate:Counter:version") == 1, 10)
    assert stored(server, "Counter", "n") == 5
    async with b:
        b.n += 1
    await settle_until(lambda: a.n == 6)
    assert stored(server, "Counter", "n") == 6


async def test_values_written_back_and_committed_on_elsewhere_win_and_the_loss_is_reported(
    url: str, server: RedisServer
) -> None:
    a = Counter()
    link = a.__dict__["_nbstate"].store.link
    await settle_until(lambda: "nbstate:Counter" in link.subscribed)
    for _ in range(5):
        async with a:
            a.n += 1
    # Redis lost everything; another kernel wrote back version 1 and committed version 2 on it
    # before this one came back (what those kernels' scripts leave in Redis).
    r = server.client()
    r.flushall()
    r.hset("nbstate:Counter:vars", mapping={"n": pickle.dumps(2), "items": pickle.dumps([])})
    r.hset("nbstate:Counter:vers", mapping={"n": 2, "items": 1})
    r.set("nbstate:Counter:version", 2)
    r.set("nbstate:Counter:last", "another-commit|2")
    r.publish("nbstate:Counter", "seeded")
    await settle_until(lambda: a.n == 2)
    [record] = rx.errors(a)
    assert "its newer commits are lost" in str(record.exception)
    assert stored(server, "Counter", "n") == 2  # this kernel did not overwrite the newer work
    async with a:
        a.n += 1
    assert stored(server, "Counter", "n") == 3


async def test_event_handlers_and_background_tasks_run_under_the_shared_lock(
    url: str, server: RedisServer
) -> None:
    here, there = rx.get_state(Jobs), Jobs()
    await rx.fire(Jobs.add, "a")
    with pytest.raises(ValueError, match="no"):
        await rx.fire(Jobs.add_then_fail, "b")
    await rx.fire(Jobs.two_steps)
    handles = [rx.start(Jobs.work, 20), rx.start(Jobs.work, 20, state=there)]
    await asyncio.gather(*handles)
    await settle_until(lambda: here.done == there.done == 43)
    assert stored(server, "Jobs", "done") == 43
    assert stored(server, "Jobs", "log") == ["a"]  # the failed handler rolled back
    assert list(there.log) == ["a"]


async def test_a_value_that_cannot_be_pickled_rolls_the_block_back(
    url: str, server: RedisServer
) -> None:
    class Here(rx.State, shared="here"):
        _thing: Any = None

    s = Here()
    with pytest.raises(rx.SharedStateError, match=r"Here._thing: its value cannot be stored"):
        async with s:
            s._thing = lambda: 1  # a local function does not pickle
    assert s._thing is None
    assert stored(server, "here", "_thing") is None


async def test_a_change_this_kernel_cannot_read_is_reported_not_lost_silently(
    url: str, server: RedisServer
) -> None:
    a = Counter()
    await settle_until(lambda: "nbstate:Counter" in a.__dict__["_nbstate"].store.link.subscribed)
    payload = pickle.dumps((["n"], [b"not a pickle"], {}))
    server.client().publish("nbstate:Counter", b"1\nanother kernel\n" + payload)
    await settle_until(lambda: len(rx.errors()) == 1)
    assert "cannot be read here" in str(rx.errors()[0].exception)
    assert rx.errors()[0].handler == "(changes from other kernels)"
    server.client().publish("nbstate:Counter", b"garbage")
    await settle_until(lambda: len(rx.errors()) == 2)
    async with a:  # the feed still works
        a.n = 4
    assert stored(server, "Counter", "n") == 4


async def test_a_commit_whose_reply_was_lost_is_confirmed_with_redis(
    url: str, server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = Counter()
    link = a.__dict__["_nbstate"].store.link
    real_call = link.call

    async def reply_lost(script: str, keys: list[str], args: list[Any]) -> Any:
        result = await real_call(script, keys, args)
        if script == "COMMIT":
            raise redis.ConnectionError("connection reset after the command ran")
        return result

    monkeypatch.setattr(link, "call", reply_lost)
    async with a:
        a.n = 8  # Redis has it: the block commits
    assert a.n == 8 and stored(server, "Counter", "n") == 8


async def test_a_commit_that_never_reached_redis_rolls_back_and_says_so(
    url: str, server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = Counter()
    link = a.__dict__["_nbstate"].store.link
    real_call = link.call

    async def request_lost(script: str, keys: list[str], args: list[Any]) -> Any:
        if script == "COMMIT":
            raise redis.ConnectionError("connection reset before the command ran")
        return await real_call(script, keys, args)

    monkeypatch.setattr(link, "call", request_lost)
    with pytest.raises(rx.CommitRefusedError, match="connection to Redis dropped"):
        async with a:
            a.n = 9
    assert a.n == 0 and stored(server, "Counter", "n") == 0


def test_no_redis_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rx.app, "redis_url", None)
    monkeypatch.delenv("NBSTATE_REDIS_URL", raising=False)
    with pytest.raises(rx.SharedStateError, match=r"(?s)rx.app.redis_url = .*NBSTATE_REDIS_URL"):
        Counter()


def test_an_unreachable_server_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rx.app, "redis_url", "redis://127.0.0.1:1/0")
    with pytest.raises(rx.SharedStateError, match="cannot be reached"):
        Counter()


def test_shared_states_take_no_initial_values(url: str) -> None:
    with pytest.raises(TypeError, match="takes no initial values"):
        Counter(n=3)


def test_a_shared_key_must_be_plain() -> None:
    with pytest.raises(rx.StateDefinitionError, match="plain key"):

        class Bad(rx.State, shared="has space"):
            x: int = 0
