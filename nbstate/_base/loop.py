"""Where nbstate code runs: the kernel's main loop, other threads, and the running task.

Every state mutation runs on the thread that runs the kernel's main shell. Under ipykernel 7,
comm messages may be handled on a subshell thread; they are handed over to the main loop and
never touch state on the thread they arrived on.

Nothing here is tied to one event loop: each call looks at the loop that runs now, so headless
tests that each run their own loop work without a reset.
"""

from __future__ import annotations

import asyncio
import asyncio.tasks
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from .errors import WrongThreadError

_get_running_loop = asyncio.get_running_loop
_current_task = asyncio.current_task

# On 3.11, ``asyncio.current_task`` is Python code (about 350 ns), while the C module keeps the
# running task of each loop in ``asyncio.tasks._current_tasks`` (a dict lookup, about 80 ns).
# From 3.12 ``current_task`` is C itself, and 3.14 stops filling that dict. A miss in the dict
# always falls back to ``current_task``, so a dict that is not kept up to date is detected at
# the first lookup and never gives a wrong answer.
_by_loop = getattr(asyncio.tasks, "_current_tasks", None) if sys.version_info < (3, 12) else None
_fast_get: Callable[[Any], Any] | None = _by_loop.get if isinstance(_by_loop, dict) else None

fast_task: Callable[[Any], Any] = _fast_get if _fast_get is not None else (lambda loop: None)
"""``fast_task(loop)``: on 3.11 the running task of ``loop`` by a dict lookup, else None. Hot
paths try it first and call :func:`running_task` only when it gives no answer."""
loop_or_none: Callable[[], Any] = asyncio.events._get_running_loop
"""The running loop of this thread, or None (never raises)."""

MAIN_THREAD_ID = threading.main_thread().ident

current_run: ContextVar[Any] = ContextVar("nbstate_run", default=None)
"""The background run (a TaskHandle) the running code belongs to; None in handlers and cells."""

current_event: ContextVar[Any] = ContextVar("nbstate_event", default=None)
"""The handler run (a HandlerRun) the running code belongs to; None in tasks and cells."""


def running_task() -> asyncio.Task[Any] | None:
    """The task running now, or None outside a task (or with no loop in this thread)."""
    try:
        loop = _get_running_loop()
    except RuntimeError:
        return None
    fast = _fast_get
    return (fast is not None and fast(loop)) or _current_task(loop)


def on_main_thread() -> bool:
    """True when running on the interpreter's main thread."""
    return threading.get_ident() == MAIN_THREAD_ID


_last_main_loop: asyncio.AbstractEventLoop | None = None


def main_loop() -> asyncio.AbstractEventLoop:
    """The loop state changes run on: the running loop of the main thread.

    From another thread this is the main thread's loop as last seen, so work can be handed to
    it with ``call_soon_threadsafe``.
    """
    global _last_main_loop
    if on_main_thread():
        try:
            running = _get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            _last_main_loop = running
            return running
    if _last_main_loop is not None and not _last_main_loop.is_closed():
        return _last_main_loop
    raise WrongThreadError(
        "nbstate needs the kernel's asyncio loop, and none is running on the main thread. "
        "Use nbstate inside a Jupyter kernel (ipykernel >= 7.4), or inside asyncio.run(...)"
    )


def current_loop() -> asyncio.AbstractEventLoop | None:
    """The main loop if one can be found, else None (plain scripts, sync tests)."""
    try:
        return main_loop()
    except WrongThreadError:
        return None


def require_main_thread(what: str) -> None:
    """Raise WrongThreadError unless on the main thread."""
    if not on_main_thread():
        raise WrongThreadError(
            f"{what} must run on the kernel's main thread, not on "
            f"{threading.current_thread().name!r}. From another thread, hand the work to the "
            "kernel's loop: loop.call_soon_threadsafe(...)"
        )


def call_on_main(fn: Callable[..., None], *args: Any) -> None:
    """Run ``fn(*args)`` now on the main thread, or hand it to the main loop from elsewhere."""
    if on_main_thread():
        fn(*args)
    else:
        main_loop().call_soon_threadsafe(fn, *args)
