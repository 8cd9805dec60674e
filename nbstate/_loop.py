"""The kernel's main asyncio loop, and handing work to it from other threads.

Every state mutation runs on the loop that runs the kernel's main shell. Under ipykernel 7,
comm messages may be handled on a subshell thread; they are handed over here and never touch
state on the thread they arrived on.
"""

from __future__ import annotations

import asyncio
import threading

from ._errors import WrongThreadError

_loop: asyncio.AbstractEventLoop | None = None


def on_main_thread() -> bool:
    """True when running on the interpreter's main thread."""
    return threading.current_thread() is threading.main_thread()


def main_loop() -> asyncio.AbstractEventLoop:
    """The loop state changes run on: the running loop of the main thread."""
    global _loop
    if on_main_thread():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            _loop = running
            return running
    if _loop is not None and not _loop.is_closed():
        return _loop
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
