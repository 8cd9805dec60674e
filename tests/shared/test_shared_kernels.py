"""Shared states across real kernels: two ipykernels (tests/kernel/harness.py) and a real
redis-server (redis_server.py). Exact counts under contention, model observers, a kernel killed
or paused while it holds the lock, a block longer than its lease, two locks taken in opposite
orders, a restarted Redis (during a run, and with a newcomer attaching), a cut change feed, and
backend vars that never reach a browser.

The two kernels are started once per module and reused; each test uses state classes of its
own (the Redis key is the class name), and a kernel a test killed is replaced afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ..kernel.harness import KernelFrontend
from .conftest import kernel_env
from .redis_server import RedisServer

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(180)]

LEASE = 1.0  # seconds: the lease the kernels use (NBSTATE_REDIS_LEASE)

SETUP = """
import asyncio, hashlib, os, time
import nbstate as rx
PID = os.getpid()
"""


class Pair:
    """Two kernels sharing states through one redis-server."""

    def __init__(self, server: RedisServer) -> None:
        self.server = server
        self.pids: dict[int, int] = {}
        self.kernels: list[KernelFrontend] = [self._start(), self._start()]

    def _start(self) -> KernelFrontend:
        k = KernelFrontend(env=kernel_env(self.server, NBSTATE_REDIS_LEASE=str(LEASE)))
        k.execute(SETUP)
        self.pids[id(k)] = int(k.value("PID"))
        return k

    def pid(self, k: KernelFrontend) -> int:
        """The process id of kernel ``k`` (for signals)."""
        return self.pids[id(k)]

    def signal(self, k: KernelFrontend, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid(k), sig)

    @property
    def a(self) -> KernelFrontend:
        return self.kernels[0]

    @property
    def b(self) -> KernelFrontend:
        return self.kernels[1]

    def tidy(self) -> None:
        """After a test: a dead kernel is replaced, a paused one resumed, tasks cancelled."""
        for i, k in enumerate(self.kernels):
            self.signal(k, signal.SIGCONT)
            if not k.km.is_alive():
                with contextlib.suppress(Exception):
                    k.close()
                self.kernels[i] = self._start()
                continue
            try:
                k.execute("rx.cancel_all()\nawait asyncio.sleep(0.05)", timeout=20)
            except AssertionError:
                k.close()
                self.kernels[i] = self._start()

    def close(self) -> None:
        for k in self.kernels:
            self.signal(k, signal.SIGCONT)
            with contextlib.suppress(Exception):
                k.close()


@pytest.fixture(scope="module")
def pair(redis_server: RedisServer) -> Iterator[Pair]:
    p = Pair(redis_server)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def kernels(pair: Pair, redis_up: RedisServer) -> Iterator[Pair]:
    redis_up.client().flushall()
    try:
        yield pair
    finally:
        pair.tidy()


def stored(server: RedisServer, key: str, var: str) -> Any:
    """The value of ``var`` of the shared state ``key`` as Redis holds it."""
    blob = server.client().hget(f"nbstate:{key}:vars", var)
    assert blob is not None, f"nbstate:{key}:vars has no {var!r}"
    return pickle.loads(blob)


class LeaseLeft:
    def __init__(self, seconds: float, read_at: float) -> None:
        self.seconds = seconds
        self.read_at = read_at

    def __repr__(self) -> str:
        return f"{self.seconds:.3f} s"

    def over_by(self, elapsed: float) -> bool:
        """Whether ``elapsed`` seconds since ``read_at`` reach the end of the lease (5 ms
        for Redis's millisecond expiry)."""
        return elapsed >= self.seconds - 0.005


def lease_left(server: RedisServer, key: str) -> LeaseLeft:
    """How long the lease on ``key`` has left (it may be renewed later, never shortened), and
    when that was read (``time.monotonic()``)."""
    read_at = time.monotonic()  # before asking: the lease ends no earlier than read_at + ms
    ms = server.client().pttl(f"nbstate:{key}:lease")
    assert ms > 0, f"nobody holds the lease of {key} (PTTL {ms})"
    return LeaseLeft(ms / 1000, read_at)


def version(server: RedisServer, key: str) -> int:
    raw = server.client().get(f"nbstate:{key}:version")
    return int(raw) if raw is not None else -1


def ival(k: KernelFrontend, expr: str) -> int:
    return int(k.value(expr))


def model_value(k: KernelFrontend, state_class: str, var: str) -> Any:
    """The value of ``var`` in the frontend's copy of the state model (what the wire carried)."""
    return k.frontend_state(k.comm_id_of(state_class)).get("v_" + var)


def run_both(pair: Pair, code_a: str, code_b: str, timeout: float = 90) -> None:
    """Submit a cell to each kernel at once; wait for both; fail with a traceback if one did."""
    ids = [pair.a.submit(code_a), pair.b.submit(code_b)]
    for k, msg_id, name in zip(pair.kernels, ids, "AB", strict=True):
        k.wait_for(lambda k=k, m=msg_id: k.idle(m), timeout, f"kernel {name}'s cell")
        errors = [m for m in k.outputs(msg_id) if m["msg_type"] == "error"]
        assert not errors, f"kernel {name}:\n" + "\n".join(errors[0]["content"]["traceback"])


def stream_of(k: KernelFrontend, msg_id: str) -> str:
    return k.stream_text(msg_id)


# -- 1. exact counts under contention ---------------------------------------------------------

TALLY = """
class Tally(rx.State, shared=True):
    n: int = 0

    @rx.background
    async def bump(self, times: int):
        for _ in range(times):
            async with self:
                self.n += 1

tally = rx.get_state(Tally)
tally_model = rx.model(tally)
"""

BUMP = """
t0 = time.time()
await asyncio.gather(*[rx.start(Tally.bump, 200) for _ in range(5)])
span = (t0, time.time())
"""


def test_two_kernels_five_tasks_each_never_lose_an_increment(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """2 kernels x 5 tasks x 200 blocks of ``self.n += 1``: 2,000 in Redis, in both kernels'
    instances, their models, and what their frontends were sent."""
    for k in kernels.kernels:
        k.execute(TALLY)
    # A write outside a block is refused: it would need the cross-kernel lock.
    kernels.a.execute(
        "try:\n    tally.n = 5\nexcept rx.StateLockedError as exc:\n    refused = exc\n"
        "else:\n    refused = None"
    )
    assert "async with" in kernels.a.value("str(refused)")
    assert ival(kernels.a, "tally.n") == 0 and stored(redis_server, "Tally", "n") == 0
    run_both(kernels, BUMP, BUMP, timeout=120)
    # The two runs overlapped in time: the kernels really contended for the lock.
    (a0, a1), (b0, b1) = (json.loads(k.value("list(span)")) for k in kernels.kernels)
    assert a0 < b1 and b0 < a1, "the kernels' runs did not overlap"

    assert stored(redis_server, "Tally", "n") == 2000
    assert version(redis_server, "Tally") == 2000  # one commit per block
    for k in kernels.kernels:
        k.wait_for(lambda k=k: ival(k, "tally.n") == 2000, 10, "the instance to reach 2000")
        assert ival(k, "tally_model.v_n") == 2000
        k.wait_for(lambda k=k: model_value(k, "Tally", "n") == 2000, 10, "the frontend's 2000")


OBSERVED = """
import ipywidgets, traitlets

class Dial(rx.State, shared=True):
    level: int = 0

dial = rx.get_state(Dial)
dial_model = rx.model(dial)
SEEN = []
dial_model.observe(lambda change: SEEN.append(change["new"]), names=["v_level"])
slider = ipywidgets.IntSlider(max=100)
traitlets.dlink((dial_model, "v_level"), (slider, "value"))
"""


def test_a_change_from_another_kernel_notifies_model_observers_and_links(kernels: Pair) -> None:
    """B's model is a traitlets object: its observers, and a widget dlinked to it, follow a
    commit made in A as they follow one made in B (without a later commit in B)."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(OBSERVED)
    a.execute("async with dial:\n    dial.level = 5")
    b.wait_for(lambda: ival(b, "dial_model.v_level") == 5, 10, "B's model to get 5")
    b.wait_for(lambda: b.value("SEEN") == "[5]", 5, "B's observer to be told of 5")
    assert ival(b, "slider.value") == 5
    a.execute("async with dial:\n    dial.level = 7")
    b.wait_for(lambda: b.value("(SEEN, slider.value)") == "([5, 7], 7)", 5, "B to follow 7")


CLICKS = """
class Clicks(rx.State, shared=True):
    n: int = 0

    def inc(self):
        self.n += 1

    @rx.background
    async def bump(self, times: int):
        for _ in range(times):
            async with self:
                self.n += 1

clicks = rx.get_state(Clicks)
clicks_model = rx.model(clicks)
"""


def test_browser_events_in_one_kernel_and_tasks_in_another_lose_nothing(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """200 ``inc`` events from B's browser (handlers, run in B under the shared lock) while A's
    5 tasks make 100 blocks each: 700, everywhere."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(CLICKS)
    comm = b.comm_id_of("Clicks")
    run = a.submit("await asyncio.gather(*[rx.start(Clicks.bump, 100) for _ in range(5)])")
    for i in range(200):
        b.send_event(comm, "inc", event_id=i + 1)
    a.wait_for(lambda: a.idle(run), 90, "A's tasks")
    assert not [m for m in a.outputs(run) if m["msg_type"] == "error"]
    b.wait_for(lambda: model_value(b, "Clicks", "n") == 700, 60, "B's frontend to show 700")
    assert stored(redis_server, "Clicks", "n") == 700
    for k in (a, b):
        k.wait_for(lambda k=k: ival(k, "clicks.n") == 700, 10, "the instance to show 700")
        assert ival(k, "clicks_model.v_n") == 700
    assert ival(b, "len(rx.errors(clicks))") == 0


# -- 2. a kernel killed while it holds the lock ------------------------------------------------

VAULT = """
class Vault(rx.State, shared=True):
    n: int = 0
    note: str = ""

    @rx.background
    async def hold(self):
        async with self:
            self.n = 999
            self.note = "un" + "committed"
            print("inside the block", flush=True)
            await asyncio.sleep(60)

vault = rx.get_state(Vault)
vault_model = rx.model(vault)
"""

AFTER_KILL = """
t0 = time.monotonic()
async with vault:
    seen = (vault.n, vault.note)
    vault.n += 1
waited = time.monotonic() - t0
"""


def test_a_kernel_killed_holding_the_lock_frees_it_when_its_lease_expires(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """Kernel A is SIGKILLed inside a block that has written: B's next block runs once A's
    lease expires, and sees (and leaves in Redis) only what A committed."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(VAULT)
    a.execute("async with vault:\n    vault.n = 5\n    vault.note = 'committed'")
    b.wait_for(lambda: ival(b, "vault.n") == 5, 10, "B to follow A's commit")

    start = a.execute("h = rx.start(Vault.hold)")
    a.wait_for(lambda: "inside the block" in stream_of(a, start), 20, "A inside its block")
    lease = redis_server.client().get("nbstate:Vault:lease")
    assert lease is not None, "A is inside its block but holds no lease in Redis"
    assert ival(a, "vault.n") == 5  # a reader outside the block sees the committed value

    left = lease_left(redis_server, "Vault")
    kernels.signal(a, signal.SIGKILL)
    b.execute(AFTER_KILL, timeout=30)
    took = time.monotonic() - left.read_at
    waited = float(b.value("waited"))
    assert b.value("seen") == "(5, 'committed')"
    # B's block ran only once the dead kernel's lease had expired, and not much later.
    assert left.over_by(took), f"B committed {took:.3f} s after a lease with {left} left"
    assert waited < LEASE + 3.0, f"B's block waited {waited:.2f} s for a {LEASE} s lease"

    assert stored(redis_server, "Vault", "n") == 6
    assert stored(redis_server, "Vault", "note") == "committed"
    assert ival(b, "vault.n") == 6 and b.value("vault.note") == "'committed'"
    assert b.value("vault_model.v_note") == "'committed'"
    assert model_value(b, "Vault", "n") == 6
    # Nothing of A's uncommitted block ever reached B (its values, its model, its frontend).
    assert "uncommitted" not in json.dumps([m["content"] for m in b.messages()], default=str)
    assert not a.km.is_alive()


# -- 3. a holder paused past its lease ---------------------------------------------------------

LEDGER = """
class Ledger(rx.State, shared=True):
    n: int = 0

    @rx.background
    async def slow_write(self):
        async with self:
            self.n = -1
            print("holding", flush=True)
            await asyncio.sleep(2.0)

ledger = rx.get_state(Ledger)
ledger_model = rx.model(ledger)
"""


def test_a_holder_paused_past_its_lease_is_refused_and_the_other_writes_stand(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """A is SIGSTOPped inside its block; B takes the lock once A's lease expires and commits;
    A is resumed: its commit is refused (CommitRefusedError), its block rolls back, and B's
    value stays everywhere."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(LEDGER)
    start = a.execute("h = rx.start(Ledger.slow_write)")
    a.wait_for(lambda: "holding" in stream_of(a, start), 20, "A inside its block")
    left = lease_left(redis_server, "Ledger")
    kernels.signal(a, signal.SIGSTOP)
    try:
        b.execute(
            "t0 = time.monotonic()\nasync with ledger:\n    ledger.n = 42\n"
            "waited = time.monotonic() - t0",
            timeout=30,
        )
        took = time.monotonic() - left.read_at
        assert stored(redis_server, "Ledger", "n") == 42
        waited = float(b.value("waited"))
        assert left.over_by(took), f"B committed {took:.3f} s after a lease with {left} left"
        assert waited < LEASE + 3.0, f"B waited {waited:.2f} s for a {LEASE} s lease"
        time.sleep(0.2)
    finally:
        kernels.signal(a, signal.SIGCONT)

    a.wait_for(lambda: a.value("h.status") == "'failed'", 20, "A's block to fail")
    assert a.value("isinstance(h.exception(), rx.CommitRefusedError)") == "True", a.value(
        "repr(h.exception())"
    )
    assert "CommitRefusedError" in a.stream_text(start, "stderr")  # printed in its cell
    # A's block rolled back and A follows B's commit; B's value stands in Redis and in B.
    a.wait_for(lambda: ival(a, "ledger.n") == 42, 10, "A to show B's value")
    assert ival(a, "ledger_model.v_n") == 42
    a.wait_for(lambda: model_value(a, "Ledger", "n") == 42, 10, "A's frontend to show 42")
    time.sleep(0.3)
    assert stored(redis_server, "Ledger", "n") == 42
    assert ival(b, "ledger.n") == 42 and model_value(b, "Ledger", "n") == 42
    assert version(redis_server, "Ledger") == 1  # B's commit, and none of A's


LONG = """
class Journal(rx.State, shared=True):
    n: int = 0

    @rx.background
    async def long_block(self, seconds: float):
        async with self:
            self.n = 10
            print("holding", flush=True)
            await asyncio.sleep(seconds)

journal = rx.get_state(Journal)
"""


def test_a_block_longer_than_its_lease_keeps_the_lock(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """A's block runs 2.5 leases (it renews its lease meanwhile): B waits for A's commit,
    then sees A's value, and both commits land."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(LONG)
    start = a.execute(f"h = rx.start(Journal.long_block, {2.5 * LEASE})")
    a.wait_for(lambda: "holding" in stream_of(a, start), 20, "A inside its block")
    b.execute(
        "t0 = time.monotonic()\nasync with journal:\n    seen = journal.n\n    journal.n += 1\n"
        "waited = time.monotonic() - t0",
        timeout=30,
    )
    assert ival(b, "seen") == 10  # B ran after A's commit
    a.wait_for(lambda: a.value("h.done()") == "True", 10, "A's run to end")
    assert a.value("h.status") == "'done'", a.value("repr(h.exception())")  # not refused
    assert stored(redis_server, "Journal", "n") == 11
    a.wait_for(lambda: ival(a, "journal.n") == 11, 10, "A to follow B")


CROSS = """
class Left(rx.State, shared=True):
    n: int = 0

class Right(rx.State, shared=True):
    n: int = 0

left, right = rx.get_state(Left), rx.get_state(Right)

async def both(first, second):
    try:
        async with first:
            first.n += 1
            await asyncio.sleep(0.5)
            async with second:
                second.n += 1
    except rx.DeadlockError:
        return "deadlock"
    return "ok"
"""


def test_two_kernels_taking_two_shared_locks_in_opposite_orders_do_not_hang(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """A holds Left and wants Right while B holds Right and wants Left: one of them gets
    DeadlockError (its block rolls back), the other commits both, in well under a lease."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(CROSS)
    t0 = time.monotonic()
    run_both(kernels, "result = await both(left, right)", "result = await both(right, left)", 30)
    assert time.monotonic() - t0 < 10
    results = sorted([a.value("result"), b.value("result")])
    assert results == ["'deadlock'", "'ok'"], results
    assert stored(redis_server, "Left", "n") == 1 and stored(redis_server, "Right", "n") == 1
    for k in (a, b):
        k.wait_for(lambda k=k: k.value("(left.n, right.n)") == "(1, 1)", 10, "both at 1")


# -- 4. Redis restarted during a run -----------------------------------------------------------

SPOOL = """
class Spool(rx.State, shared=True):
    n: int = 0

    @rx.background
    async def work(self, times: int):
        done = 0
        while done < times:
            try:
                async with self:
                    self.n += 1
            except (rx.CommitRefusedError, rx.SharedStateError) as exc:
                FAILED.append(type(exc).__name__)
                await asyncio.sleep(0.05)
                continue
            done += 1
            OK[0] += 1
            await asyncio.sleep(0.003)

OK = [0]
FAILED = []
spool = rx.get_state(Spool)
spool_model = rx.model(spool)
"""

PER_TASK = 150
TASKS = 2


def test_a_restarted_redis_loses_no_committed_write(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """Redis is stopped and started again (empty: no persistence) while both kernels increment:
    they reconnect, write the values back, go on, and every block that committed is counted."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(SPOOL)
    run = f"await asyncio.gather(*[rx.start(Spool.work, {PER_TASK}) for _ in range({TASKS})])"
    ids = [a.submit(run), b.submit(run)]
    client = redis_server.client()

    def count() -> int:
        try:
            blob = client.hget("nbstate:Spool:vars", "n")
        except Exception:
            return -1
        return pickle.loads(blob) if blob else -1

    total = 2 * TASKS * PER_TASK
    a.wait_for(lambda: count() >= total // 4, 60, "a quarter of the run")
    at_restart = count()
    redis_server.restart(down_for=0.3)
    assert at_restart < total, "the run ended before Redis was restarted"

    for k, msg_id, name in zip((a, b), ids, "AB", strict=True):
        k.wait_for(lambda k=k, m=msg_id: k.idle(m), 120, f"kernel {name}'s run")
        errors = [m for m in k.outputs(msg_id) if m["msg_type"] == "error"]
        assert not errors, f"kernel {name}:\n" + "\n".join(errors[0]["content"]["traceback"])
    ok = ival(a, "OK[0]") + ival(b, "OK[0]")
    assert ok == total
    a.wait_for(lambda: count() == ok, 10, f"Redis to hold {ok}")
    for k in (a, b):
        k.wait_for(lambda k=k: ival(k, "spool.n") == ok, 15, f"the kernel to show {ok}")
        assert ival(k, "spool_model.v_n") == ok
        k.wait_for(lambda k=k: model_value(k, "Spool", "n") == ok, 10, "the frontend")
    # After the restart both kernels still follow each other: one more commit reaches B.
    a.execute("async with spool:\n    spool.n += 1")
    b.wait_for(lambda: ival(b, "spool.n") == ok + 1, 10, "B to follow A after the restart")
    assert count() == ok + 1
    print(
        f"Redis restarted at {at_restart}; failed blocks: A {a.value('FAILED')}, "
        f"B {b.value('FAILED')}"
    )


STOCK = """
class Stock(rx.State, shared=True):
    n: int = 0

stock = rx.get_state(Stock)
"""


def test_a_kernel_that_attaches_right_after_a_restart_does_not_erase_committed_values(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """Redis restarts empty while A and B are busy running a cell (their loops are blocked, so
    they cannot reconnect yet), and a third kernel creates the state meanwhile (a new notebook,
    a Voila visitor): its defaults must not replace what A and B committed, and nobody is told
    that commits were lost."""
    a, b = kernels.a, kernels.b
    c = KernelFrontend(env=kernel_env(redis_server, NBSTATE_REDIS_LEASE=str(LEASE)))
    try:
        c.execute(SETUP)
        for k in (a, b):
            k.execute(STOCK)
        a.execute("for _ in range(50):\n    async with stock:\n        stock.n += 1")
        b.wait_for(lambda: ival(b, "stock.n") == 50, 10, "B to follow A")
        busy = [k.submit("time.sleep(2.5)") for k in (a, b)]  # blocks their loops
        time.sleep(0.2)
        redis_server.restart(down_for=0.3)
        c.execute(STOCK)  # attaches at once: Redis is empty, so it puts its defaults there
        for k, msg_id in zip((a, b), busy, strict=True):
            k.wait_for(lambda k=k, m=msg_id: k.idle(m), 10, "the busy cell to end")
        for k, name in ((a, "A"), (b, "B"), (c, "C")):
            k.wait_for(lambda k=k: ival(k, "stock.n") == 50, 10, f"{name} to show 50")
        assert stored(redis_server, "Stock", "n") == 50
        assert version(redis_server, "Stock") == 50
        for k in (a, b, c):
            assert ival(k, "len(rx.errors(stock))") == 0, k.value("rx.errors(stock)")
        c.execute("async with stock:\n    stock.n += 1")
        a.wait_for(lambda: ival(a, "stock.n") == 51, 10, "A to follow C")
    finally:
        c.close()


FEED = """
class Feed(rx.State, shared=True):
    n: int = 0
    items: list[int] = []

feed = rx.get_state(Feed)
feed_model = rx.model(feed)
"""


def test_a_kernel_that_missed_published_changes_catches_up(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """B's change feed is cut (its pub/sub connection killed) while B is busy, and A commits
    meanwhile: once B's loop runs again it reconnects and fetches what it missed, a list
    changed in place included, in its instance, its model and its frontend."""
    a, b = kernels.a, kernels.b
    for k in (a, b):
        k.execute(FEED)
    a.execute("async with feed:\n    feed.n = 1\n    feed.items.append(1)")
    b.wait_for(lambda: ival(b, "feed.n") == 1, 10, "B to follow A")
    busy = b.submit("time.sleep(1.5)")
    time.sleep(0.2)
    client = redis_server.client()
    killed = 0
    for entry in client.client_list():
        if int(entry.get("sub", 0)) > 0:  # every subscriber: A's and B's feeds
            client.client_kill_filter(_id=entry["id"])
            killed += 1
    assert killed >= 2
    a.execute(
        "for i in range(2, 30):\n"
        "    async with feed:\n        feed.n = i\n        feed.items.append(i)"
    )
    b.wait_for(lambda: b.idle(busy), 10, "B's busy cell")
    expected = list(range(1, 30))
    b.wait_for(lambda: ival(b, "feed.n") == 29, 10, "B to catch up")
    assert b.value("feed.items == list(range(1, 30))") == "True", b.value("feed.items")
    assert b.value("feed_model.v_items == list(range(1, 30))") == "True"
    b.wait_for(lambda: model_value(b, "Feed", "items") == expected, 10, "B's frontend")
    a.execute("async with feed:\n    feed.n = 100")  # and B follows the live feed again
    b.wait_for(lambda: ival(b, "feed.n") == 100, 10, "B to follow A's next commit")


# -- 5. backend vars stay out of every browser -------------------------------------------------

SEEDS = ("api key", "rotated 1")


def _secret(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:20]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


KEYRING = """
def made(seed):
    return hashlib.sha256(seed.encode()).hexdigest()[:20]

class Keyring(rx.State, shared=True):
    n: int = 0
    label: str = ""
    _secret: str = ""

    @rx.var
    def secret_length(self) -> int:
        return len(self._secret)

    def rotate(self):
        self._secret = made("rotated " + str(self.n))
        self.n += 1
        self.label = "rotated"

    def explode(self):
        self.label = "never sent"
        raise ValueError(f"bad key {self._secret}")

rx.app.error_detail = "full"
ring = rx.get_state(Keyring)
"""

RING_VIEW = "rx.vstack(rx.text(Keyring.n), rx.text(Keyring.label), rx.text(Keyring.secret_length))"


def test_a_shared_backend_var_is_in_redis_and_kernels_but_never_on_the_wire(
    kernels: Pair, redis_server: RedisServer
) -> None:
    a, b = kernels.a, kernels.b
    marks = {id(k): len(k.messages()) for k in (a, b)}
    for k in (a, b):
        k.execute(KEYRING)
        k.execute(RING_VIEW)
    a.execute("async with ring:\n    ring._secret = made('api key')\n    ring.n = 1")
    b.wait_for(lambda: model_value(b, "Keyring", "n") == 1, 10, "B's frontend to get n")
    assert model_value(b, "Keyring", "secret_length") == 20
    secret = _secret("api key")
    assert stored(redis_server, "Keyring", "_secret") == secret
    b.wait_for(
        lambda: (
            b.value("hashlib.sha256(ring._secret.encode()).hexdigest()") == repr(_digest(secret))
        ),
        10,
        "B's instance to hold the backend value",
    )

    # An event from B's browser runs in B, under the shared lock, and reaches A.
    comm = b.comm_id_of("Keyring")
    b.send_event(comm, "rotate", event_id=1)
    rotated = _secret("rotated 1")
    b.wait_for(lambda: model_value(b, "Keyring", "label") == "rotated", 10, "the event in B")
    a.wait_for(lambda: model_value(a, "Keyring", "n") == 2, 10, "A's frontend to follow")
    assert stored(redis_server, "Keyring", "_secret") == rotated
    assert a.value("hashlib.sha256(ring._secret.encode()).hexdigest()") == repr(_digest(rotated))
    # A failing event rolls back in every kernel; its error text hides the backend value.
    b.send_event(comm, "explode", event_id=2)
    b.wait_for(lambda: ival(b, "len(rx.errors(ring))") == 1, 10, "the error to be recorded")
    b.execute("await rx.idle()")
    assert stored(redis_server, "Keyring", "_secret") == rotated
    sent = [e for e in b.error_entries_sent(comm) if e.get("handler") == "explode"]
    assert sent and sent[0]["message"].startswith("bad key "), sent  # the scan covers it
    for k in (a, b):
        k.execute(RING_VIEW)  # a view shown now: its static snapshot has the current values

    blobs = []
    for k in (a, b):
        for m in k.messages()[marks[id(k)] :]:
            blobs.append(
                json.dumps(
                    [m["header"], m["parent_header"], m["metadata"], m["content"]], default=str
                )
            )
            blobs.extend(bytes(buf).decode("latin-1") for buf in m.get("buffers", []))
        messages = k.messages()
        opened = {str(m["content"]["comm_id"]) for m in messages if m["msg_type"] == "comm_open"}
        for cid in opened:
            state = k.frontend_state(cid)
            assert "v__secret" not in state
            blobs.append(json.dumps(state))
    blob = "\n".join(blobs).lower()
    found = {seed: blob.count(_secret(seed)) for seed in SEEDS}
    assert sum(found.values()) == 0, found
    assert len(blob) > 10_000  # the scan read the session's messages


VOLATILE = """
def made(seed):
    return hashlib.sha256(seed.encode()).hexdigest()[:20]

class Volatile(rx.State, shared=True):
    n: int = 0
    _token: str = "t0"

    def rotate_and_fail(self):
        self._token = made("fresh token")
        raise ValueError(f"could not use {self._token}")

volatile = rx.get_state(Volatile)
volatile_model = rx.model(volatile)
"""


def test_a_backend_value_written_by_a_failing_step_is_hidden_in_its_error(
    kernels: Pair, redis_server: RedisServer
) -> None:
    """A handler sets a backend var and then fails, naming the new value: the step rolls back
    (Redis and the other kernel never get the value), and the error it sends and prints hides
    it, though the var no longer holds it."""
    a, b = kernels.a, kernels.b
    mark = len(b.messages())
    for k in (a, b):
        k.execute(VOLATILE)
    comm = b.comm_id_of("Volatile")
    b.send_event(comm, "rotate_and_fail", event_id=1)
    b.wait_for(lambda: ival(b, "len(rx.errors(volatile))") == 1, 10, "the error")
    b.execute("await rx.idle()")
    assert stored(redis_server, "Volatile", "_token") == "t0"
    assert b.value("volatile._token") == "'t0'" and a.value("volatile._token") == "'t0'"
    sent = b.error_entries_sent(comm)
    assert sent and sent[0]["message"].startswith("could not use "), sent
    secret = _secret("fresh token")
    leaks = [
        m["msg_type"]
        for m in b.messages()[mark:]
        if secret in json.dumps(m["content"], default=str).lower()
    ]
    assert not leaks, f"the rolled-back backend value was sent in: {leaks}; errors: {sent}"
