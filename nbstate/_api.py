"""The functions that reach into states from a cell or a test: nbstate's one entry point."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any, TypeVar

from ._base.app import app
from ._base.loop import main_loop
from ._engine.events import instance_for, resolve, schedule, start_task
from ._engine.report import ErrorLog, ErrorRecord
from ._engine.tasks import TaskHandle, TaskSet
from ._state.state import State, core_of, default_instance
from ._ui.view import View
from ._wire.model import Bridge, StateModel

S = TypeVar("S", bound=State)


def get_state(cls: type[S]) -> S:
    """The kernel-wide default instance of ``cls``: the one components bound to ``cls`` use.

    Read it and write it from a cell like any object: ``s = nbstate.get_state(MyState)``,
    ``s.counter``, ``s.counter = 5`` (applied at once when no handler holds the lock; otherwise
    write ``async with s: s.counter = 5``).
    """
    return default_instance(cls)


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
        state = "done" if self.done() else "pending"
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
    ref = resolve(event)
    core = core_of(instance_for(ref, state=state))
    info = ref.info
    bound = info.bind([*ref.args, *args])
    firing = Firing(info.qualname)
    if info.background:
        handle = start_task(core, info, bound)

        async def started() -> TaskHandle:
            return handle

        firing.task = main_loop().create_task(started())
        return firing
    firing.task = schedule(core, info, bound, waiter=firing)
    return firing


def start(event: Any, *args: Any, state: State | None = None) -> TaskHandle:
    """Start a background task from a cell or a test and return its handle.

    ``nbstate.start(MyState.my_task)`` runs it on the default instance;
    ``state=`` picks another instance.
    """
    ref = resolve(event)
    info = ref.info
    if not info.background:
        raise TypeError(
            f"{info.qualname} is an event handler, not a background task; "
            f"run it with `await nbstate.fire({info.qualname})`"
        )
    core = core_of(instance_for(ref, state=state))
    return start_task(core, info, info.bind([*ref.args, *args]))


def cancel_all(state: State | None = None) -> list[TaskHandle]:
    """Cancel every background run of ``state``, or of the whole kernel when no state is given.

    Returns the handles, so ``await asyncio.gather(*handles, return_exceptions=True)`` waits for
    them to unwind.
    """
    if state is None:
        return app.cancel_all()
    return core_of(state).part(TaskSet).cancel_all()


def close(state: State) -> list[TaskHandle]:
    """Close an instance: cancel its runs and queued events and close its model."""
    core = core_of(state)
    if app.defaults.get(type(state)) is state:
        del app.defaults[type(state)]
    handles = core.part(TaskSet).active()
    core.close()
    return handles


def model(state: State) -> StateModel:
    """The anywidget model that syncs ``state``'s public vars (created on first call)."""
    return core_of(state).part(Bridge).ensure_model()


def errors(state: State | None = None) -> list[ErrorRecord]:
    """Errors raised by handlers and tasks of ``state`` (or of the whole kernel)."""
    if state is None:
        return list(app.errors)
    return list(core_of(state).part(ErrorLog).records)


def view(root: object, bind: dict[type, State] | None = None) -> View:
    """A live view of ``root``; ``bind={MyState: other}`` shows another instance of MyState."""
    return View(root, bind)
