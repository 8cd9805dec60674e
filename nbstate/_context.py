"""Context variables that say, for the running code, which transaction and run it is in."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

current_txn: ContextVar[Any] = ContextVar("nbstate_txn", default=None)
"""The open transaction (a handler step or an ``async with self`` block) of this task."""

current_task: ContextVar[Any] = ContextVar("nbstate_task", default=None)
"""The background run this code belongs to, or None in handlers and cells."""
