"""Waiting for nbstate to settle, and starting clean: what tests (and cells) need.

``await nbstate.idle()`` waits until no event is queued or running and every committed change
has been sent; ``await nbstate.wait_until(lambda: ..., timeout=...)`` waits for a condition;
``reset()`` closes everything this kernel's nbstate made (the ``nbstate_app`` fixture of
:mod:`nbstate.testing` calls it before and after each test).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ._base.app import app
from ._engine.events import EventQueue
from ._wire.outbox import OUTBOX


def reset() -> None:
    """Close every state instance and forget every run, error and view of this kernel."""
    app.cancel_all()
    for core in list(app.cores):
        core.close()
    app.defaults.clear()
    app.errors.clear()
    app.views.clear()
    app.background_tasks.clear()
    app.handles.clear()
    app.refused = 0
    for hook in list(app.on_reset):
        hook()


def _busy() -> bool:
    for core in list(app.cores):
        queue = core.parts.get(EventQueue)
        if isinstance(queue, EventQueue) and queue.pending:
            return True
        if core.lock.locked() and core.lock.owner is not None and core.lock.owner.kind == "step":
            return True
    return False


def _flush_all() -> None:
    if OUTBOX.dirty:
        OUTBOX.flush()


async def idle(timeout: float = 10.0) -> None:
    """Wait until no event is queued or running and every committed change has been sent.

    Background tasks may go on running; wait for them with their handles. Raises TimeoutError
    (naming what is still busy) after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        await asyncio.sleep(0)
        if not _busy():
            _flush_all()
            await asyncio.sleep(0)
            if not _busy():
                return
        if time.monotonic() > deadline:
            busy = [c.label for c in list(app.cores) if c.parts.get(EventQueue)]
            raise TimeoutError(f"nbstate was still busy after {timeout}s (states: {busy})")
        await asyncio.sleep(0.001)


async def wait_until(
    predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.005
) -> Any:
    """Wait until ``predicate()`` is truthy and return its value.

    On timeout, raises TimeoutError with the last value the predicate returned, so a failing
    test says what it saw.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"wait_until timed out after {timeout}s; the predicate last returned {last!r}"
            )
        await asyncio.sleep(interval)
