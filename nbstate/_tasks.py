"""Background task runs: starting them under a policy, and the handle each run returns."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from typing import TYPE_CHECKING, Any, Literal

from ._app import app
from ._context import current_task
from ._loop import main_loop

if TYPE_CHECKING:
    from collections.abc import Generator

    from ._handlers import HandlerInfo
    from ._runtime import Runtime

Status = Literal["pending", "running", "done", "failed", "cancelled"]


class TaskHandle:
    """One run of a background task: cancel it, await it, or inspect it.

    ``await handle`` returns the task's return value, or raises what the task raised
    (``asyncio.CancelledError`` if it was cancelled).
    """

    __slots__ = ("_exception", "_result", "args", "info", "number", "rt", "status", "task")

    def __init__(self, rt: Runtime, info: HandlerInfo, number: int, args: list[Any]) -> None:
        self.rt = rt
        self.info = info
        self.number = number
        self.args = args
        self.status: Status = "pending"
        self.task: asyncio.Task[None] | None = None
        self._result: Any = None
        self._exception: BaseException | None = None

    @property
    def state(self) -> Any:
        """The state instance the run belongs to."""
        return self.rt.state

    @property
    def name(self) -> str:
        return self.info.qualname

    def __repr__(self) -> str:
        return f"<run {self.info.qualname} #{self.number} {self.status}>"

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


def start(
    rt: Runtime, info: HandlerInfo, args: list[Any], ctx: contextvars.Context | None
) -> TaskHandle:
    """Start a run of background task ``info`` on ``rt``'s state, applying its policy."""
    running = [h for h in rt.runs if h.info.name == info.name and not h.done()]
    if info.policy == "skip" and running:
        return running[0]
    if info.policy == "replace":
        for h in running:
            h.cancel(f"replaced by a new run of {info.qualname}")
    prev = running[-1] if info.policy == "queue" and running else None
    rt.run_seq += 1
    handle = TaskHandle(rt, info, rt.run_seq, args)
    run_ctx = (ctx if ctx is not None else contextvars.copy_context()).copy()
    run_ctx.run(current_task.set, handle)
    task = main_loop().create_task(
        _run(handle, prev), name=f"{info.qualname}#{handle.number}", context=run_ctx
    )
    handle.task = task
    rt.runs.append(handle)
    app.background_tasks.add(task)
    task.add_done_callback(lambda t: _finished(handle, t))
    return handle


def _finished(handle: TaskHandle, task: asyncio.Task[None]) -> None:
    app.background_tasks.discard(task)
    with contextlib.suppress(ValueError):
        handle.rt.runs.remove(handle)
    if task.cancelled():
        handle.status = "cancelled"


async def _run(handle: TaskHandle, prev: TaskHandle | None) -> None:
    rt, info = handle.rt, handle.info
    if prev is not None and prev.task is not None:
        await asyncio.wait([prev.task])
    handle.status = "running"
    try:
        if info.kind == "asyncgen":
            agen = info.fn(rt.state, *handle.args)
            async for item in agen:
                rt.chain(item, info)
            result = None
        else:
            result = await info.fn(rt.state, *handle.args)
            rt.chain(result, info)
    except asyncio.CancelledError:
        handle.status = "cancelled"
        raise
    except Exception as exc:
        handle.status = "failed"
        handle._exception = exc
        rt.report(exc, info.name)
        return
    handle._result = result
    handle.status = "done"
