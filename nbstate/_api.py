"""The functions that reach into states from a cell or a test: nbstate's one entry point."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Generator
from typing import Any, TypeVar

from ._app import app
from ._handlers import BoundBackground, EventHandler, EventSpec, HandlerInfo
from ._loop import main_loop
from ._model import StateModel
from ._report import ErrorRecord
from ._runtime import Runtime
from ._state import State, default_instance, runtime_of
from ._tasks import TaskHandle

S = TypeVar("S", bound=State)


def get_state(cls: type[S]) -> S:
    """The kernel-wide default instance of ``cls``: the one components bound to ``cls`` use.

    Read it and write it from a cell like any object: ``s = nbstate.get_state(MyState)``,
    ``s.counter``, ``s.counter = 5`` (applied at once when no handler holds the lock; otherwise
    write ``async with s: s.counter = 5``).
    """
    inst = default_instance(cls)
    assert isinstance(inst, cls)
    return inst


def _target(event: Any, state: State | None) -> tuple[Runtime, HandlerInfo, list[Any]]:
    if isinstance(event, (EventHandler, EventSpec)):
        handler = event if isinstance(event, EventHandler) else event.handler
        args = [] if isinstance(event, EventHandler) else list(event.args)
        if state is None:
            state = default_instance(handler.state_cls)
        elif not isinstance(state, handler.state_cls):
            raise TypeError(f"{event!r} is not a handler of {type(state).__name__}")
        return runtime_of(state), handler.info, args
    if isinstance(event, BoundBackground):
        return runtime_of(event.state), event.info, []
    if inspect.ismethod(event) and isinstance(event.__self__, State):
        rt = runtime_of(event.__self__)
        info = rt.meta.handlers.get(event.__name__)
        if info is not None and info.fn is event.__func__:
            return rt, info, []
    raise TypeError(
        f"expected an event handler such as MyState.save or MyState.set_x(5), got {event!r}"
    )


class Firing:
    """A fired event: await it for the handler's return value (or its exception).

    When the event is awaited, a failure is raised to the awaiting cell (which shows its
    traceback) instead of being printed a second time; it is still recorded and shown in views.
    """

    __slots__ = ("awaited", "name", "task")

    def __init__(self, name: str) -> None:
        self.name = name
        self.awaited = False
        self.task: asyncio.Task[Any] | None = None

    def __repr__(self) -> str:
        state = "done" if self.task is not None and self.task.done() else "pending"
        return f"<fired {self.name} {state}>"

    def done(self) -> bool:
        return self.task is not None and self.task.done()

    async def _wait(self) -> Any:
        assert self.task is not None
        result = await self.task
        if isinstance(result, TaskHandle):
            return result
        if result.error is not None:
            raise result.error
        return result.value

    def __await__(self) -> Generator[Any, None, Any]:
        self.awaited = True
        return self._wait().__await__()


def fire(event: Any, *args: Any, state: State | None = None) -> Firing:
    """Run an event handler as if the browser had sent it; await the result to wait for it.

    ``event`` is ``MyState.handler``, ``MyState.handler(args)`` or ``instance.handler``; extra
    ``args`` are appended. Arguments are checked and coerced like the browser's. The handler runs
    on ``state`` (default: the class's default instance), under its lock, after earlier events.
    Awaiting returns the handler's return value and raises what it raised. For a background task
    the awaited value is its :class:`TaskHandle`.
    """
    rt, info, base = _target(event, state)
    bound = info.bind([*base, *args])
    firing = Firing(info.qualname)
    if info.background:
        handle = rt.start(info, bound)

        async def started() -> TaskHandle:
            return handle

        firing.task = main_loop().create_task(started())
        return firing
    firing.task = rt.schedule(info, bound, waiter=firing)
    return firing


def start(event: Any, *args: Any, state: State | None = None) -> TaskHandle:
    """Start a background task from a cell or a test and return its handle.

    ``nbstate.start(MyState.my_task)`` runs it on the default instance;
    ``state=`` picks another instance.
    """
    rt, info, base = _target(event, state)
    if not info.background:
        raise TypeError(
            f"{info.qualname} is an event handler, not a background task; "
            f"run it with `await nbstate.fire({info.qualname})`"
        )
    return rt.start(info, info.bind([*base, *args]))


def cancel_all(state: State | None = None) -> list[TaskHandle]:
    """Cancel every background run of ``state``, or of the whole kernel when no state is given.

    Returns the handles, so ``await asyncio.gather(*handles, return_exceptions=True)`` waits for
    them to unwind.
    """
    if state is None:
        return app.cancel_all()
    rt = runtime_of(state)
    handles = [h for h in rt.runs if not h.done()]
    for h in handles:
        h.cancel()
    return handles


def close(state: State) -> list[TaskHandle]:
    """Close an instance: cancel its runs and queued events and close its model."""
    rt = runtime_of(state)
    if app.defaults.get(type(state)) is state:
        del app.defaults[type(state)]
    return rt.close()


def model(state: State) -> StateModel:
    """The anywidget model that syncs ``state``'s public vars (created on first call)."""
    return runtime_of(state).ensure_model()


def errors(state: State | None = None) -> list[ErrorRecord]:
    """Errors raised by handlers and tasks of ``state`` (or of the whole kernel)."""
    if state is None:
        return list(app.errors)
    return list(runtime_of(state).errors)
