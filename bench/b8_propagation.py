"""B8: how long a change committed in kernel A takes to reach kernel B's model, for a shared
state through Redis (two real kernels started through jupyter_client, one redis-server).

Kernel A runs ``async with state: state.n = i`` for i = 1..S, spaced by a random 10-30 ms, and
notes ``time.monotonic()`` twice: as the block's last statement runs (the commit is about to
start) and when the block has returned (the commit is done). Kernel B observes its model's
``v_n`` trait (``rx.model(state).observe``) and notes ``time.monotonic()`` when each value
arrives; a task in B also polls ``v_n`` every 0.5 ms (a check that does not depend on
observers). Both kernels run on this machine, so CLOCK_MONOTONIC is one clock for both.

Rows:
  nbstate, from block end      the block's last statement in A -> B's model has the value
                               (the commit's round trip, pub/sub, B applying the change)
  nbstate, from commit done    the block returned in A -> B's model has it (can be below zero:
                               B may get the publication before A reads the commit's reply)
  redis-py pub/sub (floor)     A publishes a small message with redis.asyncio -> a subscriber
                               task in B receives it: the transport alone, same kernels, same
                               server, interleaved with the nbstate samples
  A alone                      the block's last statement -> the block has returned, in A: what
                               the commit costs the writer (for orientation)

Run: ``.venv/bin/python bench/b8_propagation.py`` (``--samples``). Needs redis-server
(scripts/setup.sh).
"""

from __future__ import annotations

import argparse
import time

import _common as C

SAMPLES = 300

COMMON = """
import asyncio, random, time
import nbstate as rx
import redis.asyncio as aredis
rx.app.redis_url = {url!r}

class B8Board(rx.State, shared=True):
    n: int = 0

board = rx.get_state(B8Board)
board_model = rx.model(board)
floor_client = aredis.Redis.from_url({url!r})
"""

WATCH = """
SEEN = []
POLLED = []
FLOOR_SEEN = []
board_model.observe(lambda ch: SEEN.append((ch["new"], time.monotonic())), names=["v_n"])

async def b8_poll():
    last = board_model.v_n
    while True:
        await asyncio.sleep(0.0005)
        value = board_model.v_n
        if value != last:
            POLLED.append((value, time.monotonic()))
            last = value

b8_poller = asyncio.ensure_future(b8_poll())

async def b8_listen():
    pubsub = floor_client.pubsub()
    await pubsub.subscribe("b8:floor")
    while True:
        msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        if msg is not None and msg["type"] == "message":
            FLOOR_SEEN.append((int(msg["data"]), time.monotonic()))

b8_listener = asyncio.ensure_future(b8_listen())
await asyncio.sleep(0.2)
"""

DRIVE = """
EXITS, DONE, FLOOR_SENT = [], [], []
async def b8_drive(samples, base):
    for i in range(base + 1, base + samples + 1):
        async with board:
            board.n = i
            EXITS.append(time.monotonic())
        DONE.append(time.monotonic())
        await asyncio.sleep(random.uniform(0.01, 0.03))
        FLOOR_SENT.append(time.monotonic())
        await floor_client.publish("b8:floor", str(i))
        await asyncio.sleep(random.uniform(0.01, 0.03))
"""


def run(samples: int = SAMPLES) -> str:
    from tests.shared.redis_server import RedisServer

    with RedisServer() as server:
        C.log(f"B8: redis-server {server.url}; starting two kernels")
        a, b = C.Kernel(), C.Kernel()
        try:
            for k in (a, b):
                k.execute(COMMON.format(url=server.url))
            b.execute(WATCH)
            a.execute(DRIVE)
            # Warm-up: a few commits, not counted.
            a.execute("await b8_drive(20, 0)", timeout=60)
            base = 20
            time.sleep(0.3)
            b.execute("SEEN.clear(); POLLED.clear(); FLOOR_SEEN.clear()")
            a.execute("EXITS.clear(); DONE.clear(); FLOOR_SENT.clear()")
            C.log(f"B8: {samples} commits in kernel A")
            a.execute(f"await b8_drive({samples}, {base})", timeout=600)
            time.sleep(0.5)
            exits = a.value("EXITS")
            done = a.value("DONE")
            sent = a.value("FLOOR_SENT")
            seen = dict(b.value("SEEN"))
            polled = dict(b.value("POLLED"))
            floor_seen = dict(b.value("FLOOR_SEEN"))
            final_b = b.value("board.n")
        finally:
            a.close()
            b.close()

    values = range(base + 1, base + samples + 1)
    from_exit = [(seen[v] - t) * 1000 for v, t in zip(values, exits, strict=True) if v in seen]
    from_done = [(seen[v] - t) * 1000 for v, t in zip(values, done, strict=True) if v in seen]
    floor = [
        (floor_seen[v] - t) * 1000 for v, t in zip(values, sent, strict=True) if v in floor_seen
    ]
    from_exit_polled = [
        (polled[v] - t) * 1000 for v, t in zip(values, exits, strict=True) if v in polled
    ]

    def row(name: str, xs: list[float], of: int) -> list[str]:
        return [
            name,
            f"{C.percentile(xs, 50):.2f}" if xs else "-",
            f"{C.percentile(xs, 90):.2f}" if xs else "-",
            f"{max(xs):.2f}" if xs else "-",
            f"{len(xs)}/{of}",
        ]

    commit = [(d - e) * 1000 for e, d in zip(exits, done, strict=True)]
    rows = [
        row("nbstate, block end in A -> B's model observer", from_exit, samples),
        row("nbstate, commit done in A -> B's model observer", from_done, samples),
        row("nbstate, block end in A -> B's model value (polled)", from_exit_polled, samples),
        row("redis-py PUBLISH -> subscriber in B (floor)", floor, samples),
        row("(A alone: block end -> block returned in A)", commit, samples),
    ]
    notes = [
        f"{samples} commits in kernel A, each followed by one floor message, spaced by a "
        "random 10-30 ms; after 20 warm-up commits.",
        "'seen': the values B's model took one by one (a value B skipped because it caught "
        f"up in one step is not a sample). B ends at n = {final_b} (expected {base + samples}).",
        "observer: a traitlets observer of v_n on B's model (rx.model(state).observe) notes "
        "the time; polled: a task in B reads v_n every 0.5 ms (so up to ~0.6 ms late).",
        "Both kernels idle apart from this; one redis-server on 127.0.0.1, no persistence.",
    ]
    return C.table(
        "B8: a commit in kernel A -> kernel B's model has it (ms)",
        ["row", "p50 ms", "p90 ms", "max ms", "seen"],
        rows,
        notes,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--samples", type=int, default=SAMPLES)
    args = p.parse_args()
    print(C.header(None, "nbstate benchmark B8 (shared-state propagation between kernels)"))
    print(run(args.samples))


if __name__ == "__main__":
    main()
