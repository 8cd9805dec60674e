"""The context variable that says which background run the running code belongs to."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

current_task: ContextVar[Any] = ContextVar("nbstate_task", default=None)
"""The background run this code belongs to, or None in handlers and cells."""
