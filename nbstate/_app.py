"""The kernel-wide registry: default instances, running tasks, recorded errors."""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._report import ErrorRecord
    from ._runtime import Runtime
    from ._tasks import TaskHandle

MAX_ERRORS = 1000


class App:
    """Kernel-wide nbstate bookkeeping, available as ``nbstate.app``."""

    def __init__(self) -> None:
        self.background_tasks: set[asyncio.Task[Any]] = set()
        """Every running background task (removed when it ends), as in Reflex."""
        self.errors: list[ErrorRecord] = []
        """Every error raised by a handler or task in this kernel (the latest 1,000)."""
        self.defaults: dict[type, Any] = {}
        self.runtimes: weakref.WeakSet[Runtime] = weakref.WeakSet()
        self.views: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self._shutdown_hooked = False
        self.coalesce_window = 0.016
        """Seconds between update messages of one state in a burst (about one animation frame).
        The first change after a quiet period goes out at once, and the last value always
        arrives. 0 sends every change set at once."""

    def __repr__(self) -> str:
        return (
            f"<nbstate app: {len(self.runtimes)} states, "
            f"{len(self.background_tasks)} running tasks, {len(self.errors)} errors>"
        )

    def record(self, error: ErrorRecord) -> None:
        """Keep ``error`` for tests and debugging."""
        self.errors.append(error)
        del self.errors[:-MAX_ERRORS]

    def runs(self) -> list[TaskHandle]:
        """Handles of every background run that has not finished."""
        return [h for rt in list(self.runtimes) for h in rt.runs if not h.done()]

    def cancel_all(self) -> list[TaskHandle]:
        """Cancel every background run in the kernel; returns their handles to await."""
        handles = self.runs()
        for h in handles:
            h.cancel()
        return handles


app = App()
