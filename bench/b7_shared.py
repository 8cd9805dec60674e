"""B7: a shared ``async with self: self.n += 1`` block through Redis. nbstate's shared state
against Reflex 0.10.1's Redis state manager, on the same redis-server, side by side in one run.

Every row runs in worker processes (one per writer), so one process and two processes
contending for the same state are measured the same way:

  nbstate          ``class B7Counter(rx.State, shared="b7")``, ``rx.model`` made (as B1), an
                   ``@rx.background`` task started with ``rx.start`` making the blocks; outside
                   a kernel, ``rx.app.redis_url`` set to the server.
  Reflex 0.10.1    in bench/.venv-peers: ``StateManagerRedis`` (its defaults: lock expiration
                   10 s, opportunistic locking off) on a redis.asyncio client of the same
                   server; the background task's ``StateProxy``, set up as
                   bench/_reflex_peer.py does for B1, with a no-op delta emitter; the blocks are
                   ``async with proxy: proxy.n += 1``.
  redis-py INCR    one ``INCR`` per iteration from redis.asyncio: one round trip, no lock. The
                   floor of anything that goes through Redis once per block (diagnostic).

Each round runs every row once, rows interleaved; the table shows medians. A row's rate is the
blocks of all its writers over the wall time from the first writer's start to the last one's
end. ``exact`` checks the counter read back through the library after the round: start value
plus every block.

Run: ``.venv/bin/python bench/b7_shared.py`` (``-n``, ``--rounds``). Needs redis-server
(scripts/setup.sh) and, for the Reflex rows, bench/.venv-peers (bench/setup_peers.sh).
The worker side: ``b7_shared.py --worker nbstate|reflex --url URL`` (JSON lines on stdin/out).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
import traceback
from typing import Any

import _common as C

N = 2_000
ROUNDS = 5
WARMUP = 200
TOKEN = "b7-client-token"
MINE: list[int] = []  # the counter values this worker's blocks wrote (read inside each block)


# -- workers (one process per writer) ---------------------------------------------------------


async def _nbstate_worker(url: str) -> tuple[Any, Any]:
    import nbstate as rx

    rx.app.redis_url = url

    class B7Counter(rx.State, shared="b7"):
        n: int = 0

        @rx.background
        async def run(self, n: int) -> None:
            mine = MINE
            for _ in range(n):
                async with self:
                    self.n += 1
                    mine.append(self.n)

    state = rx.get_state(B7Counter)
    rx.model(state)

    async def go(n: int) -> None:
        await rx.start(B7Counter.run, n, state=state)

    async def read() -> int:
        async with state:  # takes the lock, so it reads the latest commit
            return int(state.n)

    return go, read


async def _reflex_worker(url: str) -> tuple[Any, Any]:
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TELEMETRY_ENABLED", "false")
    import logging

    import reflex as rx
    from redis.asyncio import Redis
    from reflex.istate.manager.redis import StateManagerRedis
    from reflex.istate.manager.token import BaseStateToken
    from reflex.istate.proxy import StateProxy
    from reflex_base.event.context import EventContext

    logging.disable(logging.WARNING)

    class B7Counter(rx.State):
        n: int = 0

        @rx.event(background=True)
        async def run(self, n: int) -> None:
            mine = MINE
            for _ in range(n):
                async with self:
                    self.n += 1
                    mine.append(self.n)

    async def no_delta(token: str, delta: Any) -> None:
        pass

    async def no_enqueue(token: str, *events: Any) -> None:
        pass

    manager = StateManagerRedis(redis=Redis.from_url(url))
    ctx = EventContext(
        token=TOKEN, state_manager=manager, enqueue_impl=no_enqueue, emit_delta_impl=no_delta
    )
    EventContext.set(ctx)
    root = await manager.get_state(BaseStateToken(ident=TOKEN, cls=B7Counter))
    proxy = StateProxy(await root.get_state(B7Counter))
    fn = B7Counter.event_handlers["run"].fn

    async def go(n: int) -> None:
        await fn(proxy, n)

    async def read() -> int:
        async with proxy:
            return int(proxy.n)

    return go, read


async def _serve(kind: str, url: str) -> None:
    out = sys.stdout
    sys.stdout = sys.stderr  # libraries' chatter must not mix with the protocol
    make = _nbstate_worker if kind == "nbstate" else _reflex_worker
    go, read = await make(url)
    loop = asyncio.get_running_loop()

    def reply(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    import importlib.metadata

    dist = "nbstate" if kind == "nbstate" else "reflex"
    try:
        lib = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        lib = "?"
    redis_py = importlib.metadata.version("redis")
    try:
        redis_py += f" + hiredis {importlib.metadata.version('hiredis')}"
    except importlib.metadata.PackageNotFoundError:
        redis_py += " (pure-Python parser, no hiredis)"
    reply({"ready": kind, "pid": os.getpid(), "version": lib, "redis_py": redis_py})
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        try:
            req = json.loads(line)
            if req["cmd"] == "go":
                MINE.clear()
                t0 = time.time()
                p0 = time.perf_counter()
                await go(int(req["n"]))
                seconds = time.perf_counter() - p0
                reply({"seconds": seconds, "t0": t0, "t1": time.time(), "mine": MINE})
            elif req["cmd"] == "read":
                reply({"n": await read()})
            else:
                reply({"error": f"unknown command {req['cmd']!r}"})
        except Exception:
            reply({"error": traceback.format_exc()})


# -- the driver -------------------------------------------------------------------------------


class Worker:
    """One writer process, driven over stdin/stdout."""

    def __init__(self, kind: str, url: str) -> None:
        python = sys.executable if kind == "nbstate" else str(C.PEERS_PYTHON)
        env = dict(os.environ)
        if kind == "reflex":
            env.pop("PYTHONPATH", None)
        self.kind = kind
        self.proc = subprocess.Popen(
            [python, os.path.abspath(__file__), "--worker", kind, "--url", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=str(C.BENCH),
            env=env,
        )
        self.info = self.recv()

    def send(self, **req: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()

    def recv(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.kind} worker exited (code {self.proc.poll()})")
        out: dict[str, Any] = json.loads(line)
        if "error" in out:
            raise RuntimeError(f"the {self.kind} worker failed:\n{out['error']}")
        return out

    def read(self) -> int:
        self.send(cmd="read")
        return int(self.recv()["n"])

    def close(self) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def run_writers(workers: list[Worker], total: int) -> dict[str, Any]:
    """One round of a row: ``total`` blocks split over ``workers``, started together."""
    start = workers[0].read()
    share = total // len(workers)
    for w in workers:
        w.send(cmd="go", n=share)
    results = [w.recv() for w in workers]
    final = workers[-1].read()
    wall = max(r["t1"] for r in results) - min(r["t0"] for r in results)
    # Who wrote each value, in commit order: how many blocks a writer made in a row before
    # the lock went to the other one.
    owner = sorted((v, i) for i, r in enumerate(results) for v in r["mine"])
    switches = sum(1 for (_, x), (_, y) in itertools.pairwise(owner) if x != y)
    return {
        "rate": share * len(workers) / wall,
        "exact": final == start + share * len(workers)
        and [v for v, _ in owner] == list(range(start + 1, final + 1)),
        "final": final,
        "run": len(owner) / (switches + 1),
    }


async def _incr_floor(url: str, n: int) -> float:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.set("b7:floor", 0)
        t0 = time.perf_counter()
        for _ in range(n):
            await client.incr("b7:floor")
        dt = time.perf_counter() - t0
        assert int(await client.get("b7:floor")) == n
        return n / dt
    finally:
        await client.aclose()


def run(n: int = N, rounds: int = ROUNDS) -> str:
    from tests.shared.redis_server import RedisServer

    have_reflex = C.PEERS_PYTHON.exists()
    if not have_reflex:
        print(
            f"NOTE: Reflex rows SKIPPED: {C.PEERS_PYTHON.parent.parent} does not exist; run "
            "`bash bench/setup_peers.sh` and re-run to get them.\n",
            flush=True,
        )
    with RedisServer() as server:
        C.log(f"B7: redis-server {server.url}")
        workers = {"nb1": Worker("nbstate", server.url), "nb2": Worker("nbstate", server.url)}
        if have_reflex:
            workers["rf1"] = Worker("reflex", server.url)
            workers["rf2"] = Worker("reflex", server.url)
        rows: list[tuple[str, list[str]]] = [("nbstate, 1 process", ["nb1"])]
        if have_reflex:
            rows.append(("Reflex 0.10.1 StateManagerRedis, 1 process", ["rf1"]))
        rows.append(("nbstate, 2 processes on one state", ["nb1", "nb2"]))
        if have_reflex:
            rows.append(("Reflex 0.10.1, 2 processes on one state", ["rf1", "rf2"]))
        results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in rows}
        versions = "; ".join(
            f"{w.kind} {w.info['version']} with redis-py {w.info['redis_py']}"
            for key, w in workers.items()
            if key.endswith("1")
        )
        floor: list[float] = []
        try:
            for _name, keys in rows:  # warm-up: imports, first connections, seeding
                run_writers([workers[k] for k in keys], WARMUP)
            for r in range(rounds):
                C.log(f"B7 round {r + 1}/{rounds}")
                for name, keys in rows:
                    results[name].append(run_writers([workers[k] for k in keys], n))
                floor.append(asyncio.run(_incr_floor(server.url, n)))
        finally:
            for w in workers.values():
                w.close()
        server_version = server.client().info("server").get("redis_version", "?")

    def rate(name: str) -> float:
        return C.median([x["rate"] for x in results[name]])

    table_rows = []
    for name, keys in rows:
        rates = [x["rate"] for x in results[name]]
        med = rate(name)
        # x nbstate: this row's us/block over nbstate's with as many processes (above 1 is
        # slower than nbstate).
        ref = rate("nbstate, 1 process" if len(keys) == 1 else "nbstate, 2 processes on one state")
        table_rows.append(
            [
                name,
                C.fmt_num(med, 0),
                C.fmt_num(1e6 / med, 0),
                f"{C.fmt_num(min(rates), 0)}-{C.fmt_num(max(rates), 0)}",
                C.ratio(ref, med),
                C.fmt_num(C.median([x["run"] for x in results[name]]), 1) if len(keys) > 1 else "-",
                "yes" if all(x["exact"] for x in results[name]) else "NO",
            ]
        )
    nb = rate("nbstate, 1 process")
    fl = C.median(floor)
    table_rows.append(
        [
            "redis-py INCR, 1 round trip (floor)",
            C.fmt_num(fl, 0),
            C.fmt_num(1e6 / fl, 0),
            f"{C.fmt_num(min(floor), 0)}-{C.fmt_num(max(floor), 0)}",
            C.ratio(nb, fl),
            "-",
            "yes",
        ]
    )
    notes = [
        f"N = {n:,} blocks per row per round ({n // 2:,} per process in the 2-process rows), "
        f"{rounds} rounds, rows interleaved, after {WARMUP} warm-up blocks; medians.",
        f"redis-server {server_version} on 127.0.0.1, no persistence; each writer is its own "
        f"process on this machine. Clients: {versions}.",
        "x nbstate: the row's us/block over nbstate's with as many processes (above 1 is "
        "slower than nbstate). blocks/turn: blocks one process made in a row before the "
        "other got the lock (1.0 is strict alternation). exact: the final counter is the start "
        "plus every block, and every value from start+1 to final was written exactly once.",
    ]
    if have_reflex:
        rf = C.median([x["rate"] for x in results["Reflex 0.10.1 StateManagerRedis, 1 process"]])
        nb2 = C.median([x["rate"] for x in results["nbstate, 2 processes on one state"]])
        rf2 = C.median([x["rate"] for x in results["Reflex 0.10.1, 2 processes on one state"]])
        notes.append(
            f"nbstate / Reflex blocks/s: {C.ratio(nb, rf)} with one process, "
            f"{C.ratio(nb2, rf2)} with two processes contending."
        )
    return C.table(
        "B7: shared block `async with self: self.n += 1` through Redis (blocks/s, higher is "
        "better)",
        ["row", "blocks/s", "us/block", "range", "x nbstate", "blocks/turn", "exact"],
        table_rows,
        notes,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-n", type=int, default=N)
    p.add_argument("--rounds", type=int, default=ROUNDS)
    p.add_argument("--worker", choices=["nbstate", "reflex"])
    p.add_argument("--url")
    args = p.parse_args()
    if args.worker:
        asyncio.run(_serve(args.worker, args.url))
        return
    print(C.header(None, "nbstate benchmark B7 (shared state through Redis)"))
    print(run(args.n, args.rounds))


if __name__ == "__main__":
    main()
