"""The one hot-path helper: which task is running, without a Python-level call on 3.11.

``asyncio.current_task()`` is pure Python before 3.12 (about 350 ns); a block asks it twice.
On 3.11 the C module keeps the running task of each loop in ``asyncio.tasks._current_tasks``,
so ``current_tasks_get(get_running_loop())`` gives the same answer in about 80 ns.
"""

from __future__ import annotations

import asyncio
import asyncio.tasks
from collections.abc import Callable
from typing import Any

get_running_loop: Callable[[], asyncio.AbstractEventLoop] = asyncio.get_running_loop
_tasks_by_loop: dict[Any, Any] | None = getattr(asyncio.tasks, "_current_tasks", None)
current_tasks_get: Callable[[Any], Any] = (
    _tasks_by_loop.get
    if isinstance(_tasks_by_loop, dict)
    else lambda loop: asyncio.current_task(loop)
)


def running_task() -> Any:
    """The running task, or None when no loop runs in this thread."""
    try:
        return current_tasks_get(get_running_loop())
    except RuntimeError:
        return None
