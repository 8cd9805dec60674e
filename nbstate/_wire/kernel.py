"""Ties to the running ipykernel: cancelling every run cleanly when the kernel shuts down."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from .._base.app import app
from .._engine.events import EventQueue

SHUTDOWN_GRACE = 2.0
_hooked: list[Any] = []


def install_shutdown_hook() -> None:
    """Wrap the kernel's ``do_shutdown`` so runs are cancelled and unwound before it stops."""
    if _hooked:
        return
    try:
        from ipykernel.kernelbase import Kernel

        if not Kernel.initialized():
            return
        kernel: Any = Kernel.instance()
    except Exception:  # not inside ipykernel: nothing to hook
        return
    original = kernel.do_shutdown

    async def do_shutdown(restart: bool) -> Any:
        handles = app.cancel_all()
        queues = [core.parts.get(EventQueue) for core in list(app.cores)]
        pending = [t for q in queues if isinstance(q, EventQueue) for t in q.pending]
        for t in pending:
            t.cancel()
        tasks = [h.task for h in handles if h.task is not None] + pending
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
        result = original(restart)
        if inspect.isawaitable(result):
            result = await result
        return result

    kernel.do_shutdown = do_shutdown
    _hooked.append(kernel)
