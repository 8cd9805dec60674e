"""B9: rx.offload_map over 2,000 small tasks against a plain distributed map + as_completed loop.

One LocalCluster (2 worker processes x 1 thread, as the dev machine has 2 cores) serves every
row, in one run, with the rows interleaved round by round (their order rotated each round, and
each row started once the scheduler holds no task, so none pays for another's clean-up):

  distributed        ``futures = client.map(inc, range(N), pure=False)`` then
                     ``async for future, result in as_completed(futures, with_results=True)``
                     on an async Client (the loop a user would write by hand; the baseline)
  distributed,       the same map, then ``as_completed`` and one ``client.gather`` per batch of
    batched gather   finished futures (what offload_map does inside)
  nbstate, cell      ``async for r in rx.offload_map(inc, range(N))`` outside any run: the
                     State check (a dry-run pickle of the function; int items skip it) and
                     the iteration, no progress
  nbstate, run       the same inside an ``@rx.background`` task started with ``rx.start``: it
                     also reports (done, total) to the run, as the task monitor reads it

Each row's time runs from submitting (or calling offload_map) to the last result, measured
with ``perf_counter`` on the same loop. Every row checks it got all N results. A second table
times single calls: ``await rx.offload(inc, i)`` against ``await client.submit(inc, i)``, one
after another. Timings are never assertions.

    .venv/bin/python bench/b9_offload.py               # 1-3 minutes on 2 cores
    .venv/bin/python bench/b9_offload.py -n 500 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C


def inc(x: int) -> int:
    """The small task: the work is negligible, so the table shows per-task overhead."""
    return x + 1


def _task_count(dask_scheduler: Any) -> int:
    return len(dask_scheduler.tasks)


def _state_class() -> Any:
    import nbstate as rx

    class B9Job(rx.State):
        @rx.background
        async def run(self, n: int) -> tuple[float, int]:
            t0 = time.perf_counter()
            got = 0
            async for _ in rx.offload_map(inc, range(n)):
                got += 1
            return time.perf_counter() - t0, got

    return B9Job


async def _rows(address: str, n: int, rounds: int, singles: int) -> dict[str, Any]:
    import distributed

    import nbstate as rx

    rx.app.dask = address
    job = _state_class()
    client = await distributed.Client(address, asynchronous=True, set_as_default=False)

    async def plain() -> tuple[float, int]:
        t0 = time.perf_counter()
        futures = client.map(inc, range(n), pure=False)
        got = 0
        async for _f, _r in distributed.as_completed(futures, loop=client.loop, with_results=True):
            got += 1
        return time.perf_counter() - t0, got

    async def batched() -> tuple[float, int]:
        t0 = time.perf_counter()
        futures = client.map(inc, range(n), pure=False)
        completed = distributed.as_completed(futures, loop=client.loop)
        got = 0
        async for first in completed:
            got += len(await client.gather([first, *completed.next_batch(block=False)]))
        return time.perf_counter() - t0, got

    async def cell() -> tuple[float, int]:
        t0 = time.perf_counter()
        got = 0
        async for _ in rx.offload_map(inc, range(n)):
            got += 1
        return time.perf_counter() - t0, got

    async def run() -> tuple[float, int]:
        handle = rx.start(job.run, n)
        secs, got = await handle
        assert handle.progress is not None and handle.progress.done == n, handle.progress
        return float(secs), int(got)

    async def quiet() -> None:
        """Wait until the scheduler has forgotten every task, so that no row pays for the
        clean-up of the row before it (the baseline releases its futures when it returns)."""
        import gc

        gc.collect()
        deadline = time.monotonic() + 60
        while await client.run_on_scheduler(_task_count) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    rows: dict[str, Callable[[], Awaitable[tuple[float, int]]]] = {
        "distributed: map + as_completed": plain,
        "distributed: map + batched gather": batched,
        "nbstate: offload_map (cell)": cell,
        "nbstate: offload_map (run)": run,
    }
    times: dict[str, list[float]] = {name: [] for name in rows}
    cpu: dict[str, list[float]] = {name: [] for name in rows}
    try:
        await rx.offload(inc, 0)  # connect nbstate's client before timing
        for fn in rows.values():  # warm-up: imports, first pickles
            await fn()
        names = list(rows)
        for r in range(rounds):
            C.log(f"B9 round {r + 1}/{rounds}")
            for name in names[r % len(names) :] + names[: r % len(names)]:  # rotated order
                await quiet()
                c0 = time.thread_time()  # the kernel's loop thread: the clients' own work
                secs, got = await rows[name]()
                cpu[name].append(time.thread_time() - c0)
                if got != n:
                    raise RuntimeError(f"{name} returned {got} results, not {n}")
                times[name].append(secs)
        single: dict[str, list[float]] = {
            "distributed: await client.submit": [],
            "nbstate: await rx.offload": [],
        }
        for i in range(singles):
            t0 = time.perf_counter()
            assert await client.submit(inc, i, pure=False) == i + 1
            single["distributed: await client.submit"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assert await rx.offload(inc, i) == i + 1
            single["nbstate: await rx.offload"].append(time.perf_counter() - t0)
    finally:
        from nbstate._engine.cluster import disconnect

        await disconnect()
        await client.close()
    return {"times": times, "cpu": cpu, "single": single}


def run(n: int = 2000, rounds: int = 3, singles: int = 100) -> str:
    """Start a LocalCluster, time every row, and return the tables."""
    import distributed

    C.log(f"B9: starting a LocalCluster (2 workers x 1 thread), {rounds} rounds of {n} tasks")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        out = asyncio.run(_rows(cluster.scheduler_address, n, rounds, singles))
    times, cpu, single = out["times"], out["cpu"], out["single"]
    base = C.median(times["distributed: map + as_completed"])
    cpu_base = C.median(cpu["distributed: map + as_completed"])
    rows = []
    for name, ts in times.items():
        med = C.median(ts)
        cpu_med = C.median(cpu[name])
        rows.append(
            [
                name,
                C.fmt_num(med * 1000, 0),
                C.fmt_num(min(ts) * 1000, 0),
                C.fmt_num(max(ts) * 1000, 0),
                C.fmt_num(n / med, 0),
                C.ratio(med, base),
                C.fmt_num(cpu_med * 1000, 0),
                C.fmt_num(cpu_med / n * 1e6, 0),
                C.ratio(cpu_med, cpu_base),
            ]
        )
    table = C.table(
        f"B9: {n:,} small tasks on a LocalCluster (2 workers x 1 thread), "
        f"median of {rounds} interleaved rounds",
        [
            "row",
            "ms",
            "best ms",
            "worst ms",
            "tasks/s",
            "x distributed",
            "loop CPU ms",
            "CPU us/task",
            "CPU x distributed",
        ],
        rows,
        notes=[
            "x distributed: the row's median wall time over the map + as_completed loop's "
            "(the overhead ratio; above 1 is slower).",
            "loop CPU: CPU time of the thread that runs the event loop (the clients' own work; "
            "the LocalCluster's scheduler and nannies run on another thread, the workers in "
            "other processes), median over rounds. It varies far less than wall time on a "
            "busy machine; CPU x distributed is the client-side overhead ratio.",
            f"distributed {C.version('distributed')}, dask {C.version('dask')}, "
            f"cloudpickle {C.version('cloudpickle')}.",
        ],
    )
    sbase = C.median(single["distributed: await client.submit"])
    srows = [
        [
            name,
            C.fmt_num(C.median(ts) * 1000, 2),
            C.fmt_num(C.p90(ts) * 1000, 2),
            C.ratio(C.median(ts), sbase),
        ]
        for name, ts in single.items()
    ]
    table2 = C.table(
        f"B9 (single calls): {len(single['nbstate: await rx.offload'])} calls one after "
        "another, interleaved",
        ["row", "p50 ms", "p90 ms", "x distributed"],
        srows,
    )
    return table + "\n" + table2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=2000, help="tasks per map (default 2,000)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--singles", type=int, default=100, help="single calls timed (default 100)")
    a = ap.parse_args()
    print(C.header(None, title="nbstate benchmark B9 (offload to Dask)"), flush=True)
    print(run(n=a.n, rounds=a.rounds, singles=a.singles), flush=True)
    return 0


if __name__ == "__main__":  # worker processes are spawned: they re-import this file
    sys.exit(main())
