"""Background task runs: starting them under a policy, and the handle each run returns.

A run is an asyncio task on the kernel's main loop, kept in ``nbstate.app.background_tasks``
while it runs. What the task returns or yields is handed to the ``on_item`` callback its
starter gives (the events layer chains events that way).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Callable, Generator
from typing import Any, Literal

from .._base.app import app
from .._base.errors import StateClosedError
from .._base.loop import current_event, current_run, main_loop
from .._core.core import Core, Part
from .._state.handlers import HandlerInfo
from .progress import RUNS, Progress, elapsed
from .report import report

Status = Literal["pending", "running", "done", "failed", "cancelled"]


class TaskHandle:
    """One run of a background task: cancel it, await it, or inspect it.

    ``await handle`` returns the task's return value, or raises what the task raised
    (``asyncio.CancelledError`` if it was cancelled).
    """

    __slots__ = ("_exception", "_result", "args", "core", "ended", "info", "key", "number",
                 "progress", "started", "status", "task")  # fmt: skip

    def __init__(self, core: Core, info: HandlerInfo, number: int, args: list[Any]) -> None:
        self.core = core
        self.info = info
        self.number = number
        self.args = args
        self.status: Status = "pending"
        self.task: asyncio.Task[None] | None = None
        self.key = ""
        self.progress: Progress | None = None
        """What the run last reported with ``rx.report`` or ``rx.track`` (None before)."""
        self.started: float | None = None
        self.ended: float | None = None
        self._result: Any = None
        self._exception: BaseException | None = None

    @property
    def elapsed(self) -> float | None:
        """Seconds the run has been running (to its end once finished); None while pending."""
        return elapsed(self)

    @property
    def state(self) -> Any:
        """The state instance the run belongs to."""
        return self.core.state

    @property
    def name(self) -> str:
        return self.info.qualname

    def __repr__(self) -> str:
        return f"<run {self.info.qualname} #{self.number} {self.status}>"

    def describe(self) -> str:
        return f"background run {self.info.qualname} #{self.number}"

    def done(self) -> bool:
        """True once the run has finished, failed or been cancelled."""
        return self.task is not None and self.task.done()

    def cancel(self, msg: str | None = None) -> bool:
        """Ask the run to stop; its open ``async with self`` block rolls back."""
        if self.task is None or self.task.done():
            return False
        return self.task.cancel(msg)

    def exception(self) -> BaseException | None:
        """What the run raised, if it failed."""
        return self._exception

    def result(self) -> Any:
        """The run's return value; raises what it raised, or InvalidStateError if running."""
        if not self.done():
            raise asyncio.InvalidStateError(f"{self!r} has not finished")
        if self.status == "cancelled":
            raise asyncio.CancelledError()
        if self._exception is not None:
            raise self._exception
        return self._result

    async def wait(self) -> Any:
        """Wait for the run to end and return its result (see :meth:`result`)."""
        assert self.task is not None
        await asyncio.wait([self.task])
        return self.result()

    def __await__(self) -> Generator[Any, None, Any]:
        return self.wait().__await__()


class TaskSet(Part):
    """One state's background runs that have not finished."""

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self.runs: list[TaskHandle] = []
        self.seq = 0

    def active(self) -> list[TaskHandle]:
        return [h for h in self.runs if not h.done()]

    def cancel_all(self, msg: str | None = None) -> list[TaskHandle]:
        handles = self.active()
        for h in handles:
            h.cancel(msg)
        return handles

    def close(self) -> None:
        self.cancel_all(f"{self.core.label} was closed")


def start(
    core: Core,
    info: HandlerInfo,
    args: list[Any],
    on_item: Callable[[TaskHandle, Any], None],
    ctx: contextvars.Context | None = None,
) -> TaskHandle:
    """Start a run of background task ``info`` on ``core``'s state, applying its policy."""
    if core.closed:
        raise StateClosedError(f"{core.label} was closed; it can no longer start tasks")
    tasks = core.part(TaskSet)
    running = [h for h in tasks.runs if h.info.name == info.name and not h.done()]
    if info.policy == "skip" and running:
        return running[0]
    if info.policy == "replace":
        for h in running:
            h.cancel(f"replaced by a new run of {info.qualname}")
    earlier = running if info.policy == "queue" else []
    tasks.seq += 1
    handle = TaskHandle(core, info, tasks.seq, args)
    run_ctx = (ctx if ctx is not None else contextvars.copy_context()).copy()
    run_ctx.run(current_run.set, handle)
    run_ctx.run(current_event.set, None)
    task = main_loop().create_task(
        _run(handle, earlier, on_item), name=f"{info.qualname}#{handle.number}", context=run_ctx
    )
    handle.task = task
    tasks.runs.append(handle)
    app.background_tasks.add(task)
    app.handles[task] = handle
    task.add_done_callback(lambda t: _finished(tasks, handle, t))
    RUNS.started(handle)
    return handle


def _finished(tasks: TaskSet, handle: TaskHandle, task: asyncio.Task[None]) -> None:
    app.background_tasks.discard(task)
    app.handles.pop(task, None)
    with contextlib.suppress(ValueError):
        tasks.runs.remove(handle)
    if task.cancelled():
        handle.status = "cancelled"
    handle.ended = time.monotonic()
    RUNS.finished(handle)


async def _run(
    handle: TaskHandle, earlier: list[TaskHandle], on_item: Callable[[TaskHandle, Any], None]
) -> None:
    core, info = handle.core, handle.info
    # A queued run starts after every run that was queued or running when it was started,
    # so cancelling one of them never lets it overtake the others.
    waits = [h.task for h in earlier if h.task is not None]
    if waits:
        await asyncio.wait(waits)
    handle.status = "running"
    handle.started = time.monotonic()
    RUNS.changed()
    try:
        if info.kind == "asyncgen":
            async for item in info.fn(core.state, *handle.args):
                on_item(handle, item)
            result = None
        else:
            result = await info.fn(core.state, *handle.args)
            on_item(handle, result)
    except asyncio.CancelledError:
        handle.status = "cancelled"
        raise
    except Exception as exc:
        handle.status = "failed"
        handle._exception = exc
        report(core, exc, info.name)
        return
    handle._result = result
    handle.status = "done"
