"""B1: the per-block cost. One background task making N ``async with self: self.counter += 1``
blocks, no await between them, outside a kernel.

Rows (interleaved round by round, so machine noise hits every row alike):
  nbstate          a State with ``counter: int``, its model created with ``rx.model(state)``,
                   the task started with ``rx.start``; timed inside the task.
  Reflex 0.10.1    in bench/.venv-peers (subprocess): in-memory state manager, the background
                   task's StateProxy, a no-op delta emitter (see _reflex_peer.py).
  asyncio.Lock     ``async with lock: obj.counter += 1`` on a plain object: the floor.
  ipywidgets       a Widget with ``Int().tag(sync=True)``; each block is
                   ``async with lock: with w.hold_sync(): w.value += 1`` (one message per block).
Diagnostic rows (nbstate only, to locate cost): the same task with no model (nothing is ever
sent), and an empty block ``async with self: pass``. Two more rows time a nested write,
``async with self: self.rows[i]["done"] = flag`` (i walking the list), in a list of 10 rows and
in one of 100,000: the cost of finding a row must not grow with the list.

Comms: outside a kernel ``comm.create_comm`` is comm's own ``_create_comm``, which returns a
``comm.DummyComm`` whose ``publish_msg`` does nothing. ipywidgets' ``Widget._send`` calls
``comm.send`` whenever the comm has no ``kernel`` attribute (DummyComm has none), so the whole
send path runs (state to JSON-able values, buffers split, comm.send) up to the point where a
kernel would pack the JSON and write to zmq. Here ``comm.create_comm`` returns a subclass of
DummyComm that also counts the messages and keeps the last payload, so the table can show how
many messages each row sends and whether the last one carries the final value.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from typing import Any

import _common as C

N = 100_000
ROUNDS = 7
WARMUP = 5_000


def _comm_fallback_note() -> str:
    import comm

    fn = comm.create_comm
    made = fn(target_name="bench-probe")
    kind = f"{type(made).__module__}.{type(made).__qualname__}"
    made.close()
    owner = getattr(fn, "__module__", "?")
    return (
        f"Without a kernel, comm.create_comm (from module {owner}) returns {kind}: publish_msg "
        "is a no-op, so B1 runs each library's whole send path except the kernel's JSON "
        "packing and zmq write. B1 swaps in a DummyComm subclass that counts messages."
    )


def _last_value(payload: Any, name: str) -> Any:
    """The value of var ``name`` in a published message (nbstate: trait v_<name>)."""
    if payload is None:
        return None
    _msg_type, data = payload
    data = data or {}
    state = data.get("state") or {}
    content = data.get("content") if data.get("method") == "custom" else None
    if isinstance(content, dict) and content.get("kind") == "batch":  # nbstate's hub
        for entry in content.get("models", {}).values():
            state = {**state, **entry.get("state", {})}
    for key in (f"v_{name}", name, "value"):
        if key in state:
            return state[key]
    return None


async def _run(reflex: C.ReflexPeer | None, n: int, rounds: int, warmup: int) -> str:
    import ipywidgets
    import traitlets

    import nbstate as rx

    Counting = C.counting_comm_class()

    class B1State(rx.State):
        counter: int = 0

        @rx.background
        async def run(self, n: int) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                async with self:
                    self.counter += 1
            return time.perf_counter() - t0

        @rx.background
        async def run_empty(self, n: int) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                async with self:
                    pass
            return time.perf_counter() - t0

    class B1Rows(rx.State):
        rows: list[dict[str, bool]] = []

        @rx.background
        async def run_nested(self, n: int) -> float:
            size = len(self.rows)
            t0 = time.perf_counter()
            for k in range(n):
                async with self:
                    self.rows[k % size]["done"] = k % 2 == 0
            return time.perf_counter() - t0

    class CounterWidget(ipywidgets.Widget):  # type: ignore[misc]
        value = traitlets.Int(0).tag(sync=True)

    class Plain:
        counter = 0

    with C.patched_create_comm(Counting):
        s = B1State()
        model = rx.model(s)
        comm_kind = type(model.comm).__name__
        bare = B1State()  # never given a model: nothing is sent
        short = B1Rows(rows=[{"done": False} for _ in range(10)])
        long = B1Rows(rows=[{"done": False} for _ in range(100_000)])
        rx.model(short)
        rx.model(long)
        w = CounterWidget()
        lock = asyncio.Lock()
        plain = Plain()

        async def run_lock(k: int) -> float:
            t0 = time.perf_counter()
            for _ in range(k):
                async with lock:
                    plain.counter += 1
            return time.perf_counter() - t0

        async def run_widget(k: int) -> float:
            t0 = time.perf_counter()
            for _ in range(k):
                async with lock:
                    with w.hold_sync():
                        w.value += 1
            return time.perf_counter() - t0

        async def settle() -> None:
            # Let a coalescing timer (about one frame) fire and send the last value.
            await asyncio.sleep(0.1)

        results: dict[str, dict[str, Any]] = {}

        def rec(row: str, seconds: float, sent: int | None, exact: bool | None) -> None:
            r = results.setdefault(row, {"t": [], "sent": [], "exact": []})
            r["t"].append(seconds)
            if sent is not None:
                r["sent"].append(sent)
            if exact is not None:
                r["exact"].append(exact)

        async def nbstate_round(k: int, record: bool) -> None:
            before = Counting.published
            expected = s.counter + k
            dt = await rx.start(B1State.run, k, state=s)
            await settle()
            sent = Counting.published - before
            exact = _last_value(Counting.last, "counter") == expected and s.counter == expected
            if record:
                rec("nbstate", dt, sent, exact)

        async def bare_round(k: int, record: bool) -> None:
            expected = bare.counter + k
            dt = await rx.start(B1State.run, k, state=bare)
            await settle()
            if record:
                rec("nbstate, no model (diag.)", dt, 0, bare.counter == expected)

        async def empty_round(k: int, record: bool) -> None:
            before = Counting.published
            dt = await rx.start(B1State.run_empty, k, state=s)
            await settle()
            if record:
                rec("nbstate, empty block (diag.)", dt, Counting.published - before, None)

        async def nested_round(k: int, record: bool) -> None:
            for state, row in ((short, "nested write, 10 rows"), (long, "nested write, 100k rows")):
                dt = await rx.start(B1Rows.run_nested, k, state=state)
                await settle()
                if record:
                    rec(f"nbstate, {row}", dt, None, None)

        async def lock_round(k: int, record: bool) -> None:
            expected = plain.counter + k
            dt = await asyncio.create_task(run_lock(k))
            if record:
                rec("asyncio.Lock (floor)", dt, None, plain.counter == expected)

        async def widget_round(k: int, record: bool) -> None:
            before = Counting.published
            expected = w.value + k
            dt = await asyncio.create_task(run_widget(k))
            await settle()
            sent = Counting.published - before
            if record:
                rec(
                    "ipywidgets + hold_sync",
                    dt,
                    sent,
                    _last_value(Counting.last, "value") == expected,
                )

        def reflex_round(k: int) -> None:
            if reflex is None:
                return
            out = reflex.call("b1", n=k, repeats=1, warmup=0)
            rec(
                "Reflex 0.10.1",
                out["seconds"][0],
                round(out["emits_per_run"]),
                out["final"] == out["expected"] and out["last_delta_counter"] == out["final"],
            )

        in_process = [
            nbstate_round,
            lock_round,
            widget_round,
            bare_round,
            empty_round,
            nested_round,
        ]
        C.log(f"B1: warm-up ({warmup:,} blocks per row)")
        for fn in in_process:
            await fn(warmup, False)
        if reflex is not None:
            reflex.call("b1", n=warmup, repeats=1, warmup=0)
        for i in range(rounds):
            C.log(f"B1: round {i + 1}/{rounds} ({n:,} blocks per row)")
            gc.collect()
            for fn in in_process[:1]:
                await fn(n, True)
            reflex_round(n)
            for fn in in_process[1:]:
                gc.collect()
                await fn(n, True)

    order = [
        "nbstate",
        "Reflex 0.10.1",
        "asyncio.Lock (floor)",
        "ipywidgets + hold_sync",
        "nbstate, no model (diag.)",
        "nbstate, empty block (diag.)",
        "nbstate, nested write, 10 rows",
        "nbstate, nested write, 100k rows",
    ]
    nb_us = C.median(results["nbstate"]["t"]) / n * 1e6
    rows = []
    for name in order:
        if name not in results:
            if name == "Reflex 0.10.1":
                rows.append([name, "skipped", "-", "-", "-", "-", "-", "-"])
            continue
        r = results[name]
        us = [t / n * 1e6 for t in r["t"]]
        med = C.median(us)
        sent = f"{C.median(r['sent']):,.0f}" if r["sent"] else "-"
        exact = "-" if not r["exact"] else ("yes" if all(r["exact"]) else "NO")
        rows.append(
            [
                name,
                f"{1e6 / med:,.0f}",
                f"{med:.2f}",
                f"{min(us):.2f}",
                f"{max(us):.2f}",
                C.ratio(med, nb_us),
                sent,
                exact,
            ]
        )
    notes = [
        f"{n:,} blocks per run, {rounds} runs per row (interleaved), after {warmup:,} warm-up "
        "blocks; median over runs.",
        "'x nbstate' = this row's time per block / nbstate's (above 1 = slower than nbstate).",
        "'msgs/run' = messages published per run of N blocks (after a 100 ms settle); "
        "'final exact' = the last message (or delta) carries the final counter.",
        _comm_fallback_note() + f" nbstate's model comm here: {comm_kind}.",
    ]
    if "Reflex 0.10.1" in results:
        rx_us = C.median(results["Reflex 0.10.1"]["t"]) / n * 1e6
        goal = "met" if rx_us / nb_us >= 10 else "NOT met"
        nb_best = min(results["nbstate"]["t"]) / n * 1e6
        rx_best = min(results["Reflex 0.10.1"]["t"]) / n * 1e6
        notes.insert(
            0,
            f"Best rounds (noise only adds time, so the best round is the steadiest estimate "
            f"on a shared machine): {rx_best / nb_best:.1f}x ({nb_best:.2f} vs "
            f"{rx_best:.2f} us/block).",
        )
        notes.insert(
            0,
            f"nbstate runs {rx_us / nb_us:.1f}x as many blocks/s as Reflex "
            f"({1e6 / nb_us:,.0f} vs {1e6 / rx_us:,.0f}); goal >= 10x: {goal}.",
        )
    else:
        notes.insert(0, f"Reflex row skipped: {C.reflex_skip_reason()}")
    return C.table(
        "B1  per-block cost: one task, N x `async with self: self.counter += 1`, no await "
        "between blocks",
        ["row", "blocks/s", "us/block", "best", "worst", "x nbstate", "msgs/run", "final exact"],
        rows,
        notes,
    )


def run(reflex: C.ReflexPeer | None, n: int = N, rounds: int = ROUNDS, warmup: int = WARMUP) -> str:
    return asyncio.run(_run(reflex, n, rounds, warmup))


def profile(n: int = N) -> str:
    """cProfile of nbstate's per-block path (model open on a counting DummyComm)."""
    import cProfile
    import io
    import pstats

    import nbstate as rx

    class ProfState(rx.State):
        counter: int = 0

        @rx.background
        async def run(self, n: int) -> float:
            t0 = time.perf_counter()
            for _ in range(n):
                async with self:
                    self.counter += 1
            return time.perf_counter() - t0

    async def main() -> str:
        with C.patched_create_comm(C.counting_comm_class()):
            s = ProfState()
            rx.model(s)
            await rx.start(ProfState.run, 1000, state=s)
            prof = cProfile.Profile()
            prof.enable()
            await rx.start(ProfState.run, n, state=s)
            await asyncio.sleep(0.1)
            prof.disable()
        buf = io.StringIO()
        st = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime")
        st.print_stats(18)
        return buf.getvalue()

    return asyncio.run(main())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=N)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument(
        "--profile",
        action="store_true",
        help="print a cProfile of nbstate's per-block path instead",
    )
    a = ap.parse_args()
    if a.profile:
        print(profile(a.n))
        return
    reflex = C.start_reflex()
    try:
        print(C.header(reflex))
        print(run(reflex, a.n, a.rounds))
    finally:
        if reflex is not None:
            reflex.close()


if __name__ == "__main__":
    main()
