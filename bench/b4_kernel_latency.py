"""B4: does the kernel stay responsive under background load? Round trip of executing ``1+1``
in a real kernel (execute_request sent -> execute_reply received, measured in this process)
while 100 background tasks each update a var every 10 ms, with the idle kernel beside it.

Rows:
  idle                      no tasks.
  nbstate, 1 state          one State instance (model open), 100 runs of an ``@rx.background``
                            task, each ``async with self: self.counter += 1`` then
                            ``await asyncio.sleep(0.01)``, forever.
  nbstate, 100 states       the same load spread over 100 instances, one task each. Committed
                            changes of every state leave in one batch message per frame on the
                            kernel's hub model, so this sends no more messages than 1 state.
  ipywidgets, 1 widget      hand-written: one Widget with ``Int().tag(sync=True)``, 100 asyncio
                            tasks each ``async with lock: w.value += 1`` then sleeping 10 ms.
  ipywidgets, 100 widgets   the same over 100 widgets, one task each.

Each row runs in rounds (interleaved with the other rows); each round starts the load, lets it
run 1 s, takes samples spaced by a random 5-25 ms, and stops the load. The client reads iopub
all along (as a frontend does), so it also sees how many messages the load produced.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

import _common as C

SAMPLES = 50
ROUNDS = 2

SETUP = """
import asyncio, time
import ipywidgets, traitlets
import nbstate as rx
from nbstate._wire.outbox import OUTBOX

class B4State(rx.State):
    counter: int = 0

    @rx.background
    async def tick(self):
        while True:
            async with self:
                self.counter += 1
            await asyncio.sleep(0.01)

class B4Widget(ipywidgets.Widget):
    value = traitlets.Int(0).tag(sync=True)

async def b4_widget_tick(w, lock):
    while True:
        async with lock:
            w.value += 1
        await asyncio.sleep(0.01)

b4_objs, b4_tasks = [], []

def b4_start(kind):
    global b4_objs, b4_tasks
    loop = asyncio.get_running_loop()
    if kind == "nb1":
        b4_objs = [B4State()]
        b4_tasks = [rx.start(B4State.tick, state=b4_objs[0]) for _ in range(100)]
    elif kind == "nb100":
        b4_objs = [B4State() for _ in range(100)]
        b4_tasks = [rx.start(B4State.tick, state=s) for s in b4_objs]
    elif kind == "w1":
        b4_objs, lock = [B4Widget()], asyncio.Lock()
        b4_tasks = [loop.create_task(b4_widget_tick(b4_objs[0], lock)) for _ in range(100)]
    elif kind == "w100":
        b4_objs = [B4Widget() for _ in range(100)]
        b4_tasks = [loop.create_task(b4_widget_tick(w, asyncio.Lock())) for w in b4_objs]
    else:
        b4_objs, b4_tasks = [], []
    ids = [rx.model(o).model_id if isinstance(o, rx.State) else o.model_id for o in b4_objs]
    # nbstate's changes travel in batches on the hub model: count those messages too.
    return ids + ([OUTBOX.ensure_hub().model_id] if kind.startswith("nb") else [])

def b4_total():
    return sum(o.counter if isinstance(o, rx.State) else o.value for o in b4_objs)

def b4_stop():
    global b4_objs, b4_tasks
    for t in b4_tasks:
        t.cancel()
    for o in b4_objs:
        if isinstance(o, rx.State):
            rx.close(o)
        else:
            o.close()
    b4_objs, b4_tasks = [], []
"""

ROWS = [
    ("idle", "idle"),
    ("nbstate, 1 state x 100 tasks", "nb1"),
    ("nbstate, 100 states x 1 task", "nb100"),
    ("ipywidgets+asyncio, 1 widget x 100 tasks", "w1"),
    ("ipywidgets+asyncio, 100 widgets x 1 task", "w100"),
]


def _round(k: C.Kernel, kind: str, samples: int, rng: random.Random) -> dict[str, Any]:
    mids = list(k.value(f"b4_start({kind!r})"))
    time.sleep(1.0)  # let the load settle into its rhythm
    before = k.execute("", total="b4_total()")
    msgs0 = sum(k.count(m) for m in mids)
    t0 = time.perf_counter()
    rtts = []
    for _ in range(samples):
        time.sleep(rng.uniform(0.005, 0.025))
        rtts.append(k.round_trip("1+1"))
    after = k.execute("", total="b4_total()")
    dt = time.perf_counter() - t0
    msgs = sum(k.count(m) for m in mids) - msgs0
    k.execute("b4_stop()")
    time.sleep(0.3)
    return {
        "rtts": rtts,
        "updates_per_s": (int(after["total"]) - int(before["total"])) / dt,
        "msgs_per_s": msgs / dt,
    }


def run(samples: int = SAMPLES, rounds: int = ROUNDS) -> str:
    C.log("B4: starting a kernel")
    k = C.Kernel()
    rng = random.Random(4)
    per_round = max(1, samples // rounds)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in ROWS}
    try:
        k.execute(SETUP)
        for _ in range(10):  # warm-up round trips
            k.round_trip("1+1")
        for i in range(rounds):
            for name, kind in ROWS:
                C.log(f"B4: round {i + 1}/{rounds}: {name}")
                results[name].append(_round(k, kind, per_round, rng))
    finally:
        k.close()

    def pooled(name: str) -> list[float]:
        return [x * 1000 for r in results[name] for x in r["rtts"]]

    idle = pooled("idle")
    idle50, idle90 = C.median(idle), C.p90(idle)
    rows = []
    for name, _ in ROWS:
        ms = pooled(name)
        p50, p90 = C.median(ms), C.p90(ms)
        ups = C.median([r["updates_per_s"] for r in results[name]])
        mps = C.median([r["msgs_per_s"] for r in results[name]])
        rows.append(
            [
                name,
                f"{p50:.2f}",
                f"{p90:.2f}",
                f"{max(ms):.1f}",
                C.ratio(p50, idle50),
                C.ratio(p90, idle90),
                f"{ups:,.0f}",
                f"{mps:,.0f}",
            ]
        )
    notes = []
    for name in ("nbstate, 1 state x 100 tasks", "nbstate, 100 states x 1 task"):
        nb50 = C.median(pooled(name))
        goal = "met" if nb50 <= 1.3 * idle50 else "NOT met"
        notes.append(f"{name}: p50 = {nb50 / idle50:.2f}x idle; goal within 1.3x: {goal}.")
    notes += [
        f"{per_round * rounds} round trips per row ({rounds} interleaved rounds of {per_round}); "
        "p50/p90/max pooled over rounds. 'x idle' compares with the idle row of this run.",
        "'updates/s' = var increments the load made per second during sampling (nominal "
        "10,000: 100 tasks x every 10 ms); 'msgs/s' = comm messages per second the client "
        "received for the load's models (nbstate: its state models and the hub).",
    ]
    return C.table(
        "B4  kernel round trip of `1+1` (ms) while 100 background tasks update a var every 10 ms",
        ["row", "p50 ms", "p90 ms", "max ms", "p50 x idle", "p90 x idle", "updates/s", "msgs/s"],
        rows,
        notes,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=SAMPLES)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    a = ap.parse_args()
    print(run(a.samples, a.rounds))


if __name__ == "__main__":
    main()
