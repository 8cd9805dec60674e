"""The Reflex 0.10.1 side of B1 and B3. Runs in bench/.venv-peers only, never in nbstate's venv.

Driven by bench/_common.py's ReflexPeer over stdin/stdout: one JSON object per line in, one
out. Commands: ``info``; ``b1`` (n, repeats, warmup); ``b3``.

How a background task is set up here, from reflex 0.10.1's own code path
(reflex_base/event/processor/base_state_processor.py, ``BaseStateProcessor``): an
``EventContext`` holding the in-memory ``StateManagerMemory`` is current; the state tree for the
client token comes from the manager; the task's ``self`` is ``StateProxy(substate)``, exactly as
the processor wraps a background handler. ``async with self`` then takes the token's lock through
``modify_state_with_links``, and on exit resolves the delta, cleans the state and awaits
``EventContext.emit_delta``: our emitter is a no-op that only counts (B1) or keeps the delta (B3).
The handler is the real ``@rx.event(background=True)`` function, called with the proxy as
``process_event`` would.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import logging
import os
import platform
import sys
import time
import traceback
from typing import Any

# Reflex prints telemetry/config chatter; keep stdout for our JSON protocol only.
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TELEMETRY_ENABLED", "false")
_real_stdout = sys.stdout
sys.stdout = sys.stderr

import reflex as rx  # noqa: E402
from reflex.istate.manager.memory import StateManagerMemory  # noqa: E402
from reflex.istate.manager.token import BaseStateToken  # noqa: E402
from reflex.istate.proxy import StateProxy  # noqa: E402
from reflex.state import StateUpdate  # noqa: E402
from reflex_base.event.context import EventContext  # noqa: E402
from reflex_base.utils import format as rx_format  # noqa: E402

logging.disable(logging.WARNING)

TOKEN = "bench-client-token"


class B1State(rx.State):
    counter: int = 0

    @rx.event(background=True)
    async def run(self, n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            async with self:
                self.counter += 1
        return time.perf_counter() - t0


class B3List(rx.State):
    items: list[int] = []


class B3Dict(rx.State):
    table: dict[str, int] = {}


class B3Rows(rx.State):
    rows: list[dict[str, Any]] = []


class Emitter:
    """The no-op event emitter: counts deltas and keeps the last one; sends nothing."""

    def __init__(self) -> None:
        self.count = 0
        self.last: Any = None
        self.keep: list[Any] = []
        self.keeping = False

    async def emit_delta(self, token: str, delta: Any) -> None:
        self.count += 1
        self.last = delta
        if self.keeping:
            self.keep.append(delta)

    async def enqueue(self, token: str, *events: Any) -> None:
        pass


EMIT = Emitter()
CTX: EventContext | None = None


async def proxy_for(cls: type) -> StateProxy:
    assert CTX is not None
    root = await CTX.state_manager.get_state(BaseStateToken(ident=TOKEN, cls=cls))
    sub = await root.get_state(cls)
    return StateProxy(sub)


async def b1(n: int, repeats: int, warmup: int) -> dict[str, Any]:
    proxy = await proxy_for(B1State)
    fn = B1State.event_handlers["run"].fn
    async with proxy:
        start = proxy.counter
    # Warm-up: the first block also hydrates the fresh tree (one delta with router data).
    await fn(proxy, warmup)
    times = []
    start_emits = EMIT.count
    for _ in range(repeats):
        times.append(await fn(proxy, n))
    emits = EMIT.count - start_emits
    async with proxy:
        final = proxy.counter
    return {
        "seconds": times,
        "emits_per_run": emits / repeats,
        "final": final,
        "expected": start + warmup + n * repeats,
        "last_delta_counter": _find(EMIT.last, "counter_rx_state_"),
    }


def _find(delta: Any, key: str) -> Any:
    for sub in (delta or {}).values():
        if key in sub:
            return sub[key]
    return None


def _update_bytes(delta: Any) -> int:
    """Bytes of the socket.io payload Reflex would send: its own JSON of StateUpdate(delta)."""
    return len(rx_format.json_dumps(StateUpdate(delta=delta)).encode())


async def b3() -> dict[str, Any]:
    out: dict[str, Any] = {}

    async def measure(cls: type, setup: Any, change: Any) -> dict[str, Any]:
        proxy = await proxy_for(cls)
        async with proxy:  # the first block hydrates; not measured
            setup(proxy)
        EMIT.keep.clear()
        EMIT.keeping = True
        t0 = time.perf_counter()
        async with proxy:
            change(proxy)
        EMIT.keeping = False
        nbytes = sum(_update_bytes(d) for d in EMIT.keep)  # Reflex serializes when it sends
        dt = time.perf_counter() - t0
        return {"messages": len(EMIT.keep), "bytes": nbytes, "block_ms": dt * 1000}

    def set_items(p: Any) -> None:
        p.items = list(range(100_000))

    def append_item(p: Any) -> None:
        p.items.append(100_000)

    def set_table(p: Any) -> None:
        p.table = {f"k{i}": i for i in range(100_000)}

    def set_key(p: Any) -> None:
        p.table["k50000"] = -1

    def set_rows(p: Any) -> None:
        p.rows = [{"id": i, "name": f"row {i}", "done": False} for i in range(10_000)]

    def set_field(p: Any) -> None:
        p.rows[5000]["done"] = True

    out["append"] = await measure(B3List, set_items, append_item)
    out["dict_key"] = await measure(B3Dict, set_table, set_key)
    out["row_field"] = await measure(B3Rows, set_rows, set_field)
    return out


async def serve() -> None:
    global CTX
    CTX = EventContext(
        token=TOKEN,
        state_manager=StateManagerMemory(),
        enqueue_impl=EMIT.enqueue,
        emit_delta_impl=EMIT.emit_delta,
    )
    EventContext.set(CTX)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        try:
            req = json.loads(line)
            cmd = req.pop("cmd")
            if cmd == "info":
                res: dict[str, Any] = {
                    "reflex": importlib.metadata.version("reflex"),
                    "python": platform.python_version(),
                    "loop": type(loop).__module__ + "." + type(loop).__name__,
                }
            elif cmd == "b1":
                res = await b1(**req)
            elif cmd == "b3":
                res = await b3()
            else:
                res = {"error": f"unknown command {cmd!r}"}
        except Exception:
            res = {"error": traceback.format_exc()}
        _real_stdout.write(json.dumps(res) + "\n")
        _real_stdout.flush()


if __name__ == "__main__":
    asyncio.run(serve())
