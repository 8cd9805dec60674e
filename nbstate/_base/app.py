"""The kernel-wide registry and settings, available as ``nbstate.app``.

It sits at the bottom so that every layer can reach it; it holds plain containers and
settings, and calls into no other part of nbstate.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import Any, Literal

ErrorDetail = Literal["full", "type"]
MAX_ERRORS = 1000


def in_voila() -> bool:
    """True in a kernel started by Voila, where the viewer is not the notebook's author."""
    env = os.environ
    return (
        "VOILA_KERNEL_ID" in env
        or "VOILA_BASE_URL" in env
        or env.get("SERVER_SOFTWARE", "").startswith("voila")
    )


class App:
    """Kernel-wide nbstate bookkeeping and settings."""

    def __init__(self) -> None:
        self.background_tasks: set[asyncio.Task[Any]] = set()
        """Every running background task (removed when it ends), as in Reflex."""
        self.handles: dict[asyncio.Task[Any], Any] = {}
        """The run handle (``TaskHandle``) of each running background task."""
        self.errors: list[Any] = []
        """Every error raised by a handler or task in this kernel (the latest 1,000)."""
        self.refused = 0
        """How many messages from the frontend were refused (malformed or not allowed)."""
        self.coalesce_window = 0.016
        """Seconds between update messages in a burst (about one animation frame). The first
        change after a quiet period goes out at once, and the last value always arrives.
        0 sends every change set at once."""
        self._error_detail: ErrorDetail | None = None
        self.dask: Any = None
        """Where ``offload`` runs work: None (the default) starts a ``LocalCluster`` on first
        use, unless the environment variable ``NBSTATE_DASK`` names a scheduler; a scheduler
        address (``"tcp://host:8786"``) or a ``distributed.Client`` points it elsewhere."""
        self.redis_url: str | None = None
        """The Redis server that holds shared states (``class S(State, shared=True)``), such as
        ``"redis://localhost:6379/0"``. None reads the environment variable
        ``NBSTATE_REDIS_URL``."""
        self.redis_lease: float | None = None
        """Seconds a shared state's cross-kernel lock lasts without renewal. A holder renews it
        while its block runs, so this bounds only how long a kernel that died holding the lock
        keeps others waiting. None reads the environment variable ``NBSTATE_REDIS_LEASE``, and
        without it 10 seconds."""
        self.redis_timeout = 30.0
        """Seconds a shared state keeps retrying while Redis cannot be reached (a restarted
        server, a dropped connection) before its block fails with an error."""
        # Registries filled by the layers above (each owns what it puts here).
        self.defaults: dict[type, Any] = {}
        self.cores: weakref.WeakSet[Any] = weakref.WeakSet()
        self.views: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self.classes: dict[str, weakref.ref[type]] = {}
        self.on_redefined: list[Callable[[type, type], None]] = []
        self.on_reset: list[Callable[[], None]] = []

    @property
    def error_detail(self) -> ErrorDetail:
        """How much of an error a browser shows: ``"full"`` (type, message and the user's
        frames) or ``"type"`` (the handler and the exception type only). The default is
        ``"type"`` under Voila, where the viewer is not the author, and ``"full"`` elsewhere.
        Backend values are hidden either way."""
        if self._error_detail is not None:
            return self._error_detail
        return "type" if in_voila() else "full"

    @error_detail.setter
    def error_detail(self, value: ErrorDetail | None) -> None:
        if value not in ("full", "type", None):
            raise ValueError(f'app.error_detail must be "full" or "type", not {value!r}')
        self._error_detail = value

    def __repr__(self) -> str:
        return (
            f"<nbstate app: {len(self.cores)} states, "
            f"{len(self.background_tasks)} running tasks, {len(self.errors)} errors>"
        )

    def runs(self) -> list[Any]:
        """Handles of every background run in the kernel that has not finished."""
        return [h for t, h in list(self.handles.items()) if not t.done()]

    def cancel_all(self) -> list[Any]:
        """Cancel every background run in the kernel; returns their handles to await."""
        handles = self.runs()
        for h in handles:
            h.cancel()
        return handles

    def record(self, error: Any) -> None:
        """Keep ``error`` for tests and debugging."""
        self.errors.append(error)
        del self.errors[:-MAX_ERRORS]


app = App()
