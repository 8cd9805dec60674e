"""Events: what an event reference is, and running one.

:func:`resolve` is the one place that decides what an object names as an event: ``fire`` and
``start``, views, components and chaining all ask it. An event reference is ``MyState.handler``,
``MyState.handler(args)``, ``state.handler`` on an instance, or ``state.task`` for a background
task; anything else (a private method, a plain function, a called handler's ``None``) is refused
with a TypeError that says what to write instead.

A (non-background) handler runs as its own asyncio task, after the events queued before it: it
takes its state's lock for its whole run, and each step (every ``yield``, and the end) commits
only once what it returned or yielded is known to be valid. Events it returns or yields run
after it.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import time
from collections.abc import Callable
from typing import Any, cast

from .._base.errors import EventRejected, StateClosedError
from .._base.loop import current_event, current_run, main_loop, running_task
from .._core.block import begin_step, end_step, finish_handler
from .._core.core import Core, Part
from .._core.txn import Txn, innermost
from .._state.handlers import BoundBackground, EventHandler, EventSpec, HandlerInfo
from .._state.state import State, core_of, default_instance
from .._vars.expr import has_var
from . import notices, tasks
from .notices import Notice
from .progress import HandlerRun
from .report import report


class EventRef:
    """A resolved event reference: which state (an instance or a class), handler and args."""

    __slots__ = ("args", "explicit", "info", "target")  # not a dataclass: cheaper to define

    def __init__(self, target: Any, info: HandlerInfo, args: list[Any], explicit: bool) -> None:
        self.target = target
        self.info = info
        self.args = args
        self.explicit = explicit  # arguments were given (``S.set_x(5)``), not the event's values


def _method_name(obj: Any) -> str:
    return f"{type(obj.__self__).__name__}.{obj.__name__}"


def resolve(obj: Any) -> EventRef:
    """What ``obj`` names as an event, or TypeError saying what an event reference is."""
    if isinstance(obj, EventSpec):
        return EventRef(obj.handler.state_cls, obj.handler.info, list(obj.args), True)
    if isinstance(obj, EventHandler):
        return EventRef(obj.state_cls, obj.info, [], False)
    if isinstance(obj, BoundBackground):
        return EventRef(obj.state, obj.info, [], False)
    if inspect.ismethod(obj) and isinstance(obj.__self__, State):
        meta = type(obj.__self__)._nbstate_meta
        info = meta.handlers.get(obj.__name__)
        if info is not None and info.fn is obj.__func__:
            return EventRef(obj.__self__, info, [], False)
        name = _method_name(obj)
        if obj.__name__.startswith("_"):
            raise TypeError(
                f"{name} is a private method (its name starts with an underscore), so it is not "
                f"an event handler and the browser may not call it. Make it public "
                f"(def {obj.__name__.lstrip('_')}(self): ...), or call it from a handler."
            )
        raise TypeError(f"{name} is not an event handler of {meta.name}")
    if obj is None:
        raise TypeError(
            "got None instead of an event handler: it looks like the handler was called "
            "(on_click=state.save()). Pass the handler itself: MyState.save, or with "
            "arguments MyState.save(arg)."
        )
    raise TypeError(
        f"expected an event handler such as MyState.save or MyState.set_x(5), got {obj!r}"
    )


def is_event_ref(obj: Any) -> bool:
    """True for what :func:`resolve` accepts or refuses with a reason (handlers, methods)."""
    return isinstance(obj, (EventHandler, EventSpec, BoundBackground)) or (
        inspect.ismethod(obj) and isinstance(obj.__self__, State)
    )


def instance_for(ref: EventRef, state: Any = None, source: Any = None) -> State:
    """The instance an event runs on: the one it names, ``state``, ``source``, or the default."""
    target = ref.target
    if isinstance(target, State):
        if state is not None and state is not target:
            raise TypeError(f"{ref.info.qualname} belongs to another instance than {state!r}")
        return target
    if state is not None:
        if not isinstance(state, target):
            raise TypeError(f"{ref.info.qualname} is not a handler of {type(state).__name__}")
        return cast(State, state)
    if source is not None and isinstance(source, target):
        return cast(State, source)
    return cast(State, default_instance(target))


# -- running handlers -----------------------------------------------------------------------


class Outcome:
    """How one event ended: its return value, the exception it raised, or cancelled."""

    __slots__ = ("cancelled", "error", "value")

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.value: Any = None
        self.cancelled = False


class EventQueue(Part):
    """One state's handler runs that have been queued or are running."""

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self.pending: set[asyncio.Task[Outcome]] = set()

    def close(self) -> None:
        for task in list(self.pending):
            task.cancel()


def schedule(
    core: Core,
    info: HandlerInfo,
    args: list[Any],
    ctx: contextvars.Context | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    waiter: Any = None,
    view: str | None = None,
) -> asyncio.Task[Outcome]:
    """Queue a (non-background) handler; it runs under the lock, after earlier events.

    ``view``: the model id of the view the event came from (a download goes there).
    """
    if core.closed:
        raise StateClosedError(f"{core.label} was closed; {info.name} did not run")
    run_ctx = (ctx if ctx is not None else contextvars.copy_context()).copy()
    run_ctx.run(current_run.set, None)
    if view is not None:
        run_ctx.run(notices.origin_view.set, view)
    # The run as the task monitor sees it, should the handler report progress.
    hrun = HandlerRun(core, info)
    run_ctx.run(current_event.set, hrun)
    task = main_loop().create_task(
        _run_handler(core, info, args, on_done, waiter, hrun), context=run_ctx
    )
    hrun.task = task
    queue = core.part(EventQueue)
    queue.pending.add(task)
    task.add_done_callback(queue.pending.discard)
    return task


def start_task(
    core: Core,
    info: HandlerInfo,
    args: list[Any],
    ctx: contextvars.Context | None = None,
    view: str | None = None,
) -> tasks.TaskHandle:
    """Start a background run; what it returns or yields is chained like a handler's."""
    if view is not None:
        ctx = (ctx if ctx is not None else contextvars.copy_context()).copy()
        ctx.run(notices.origin_view.set, view)
    return tasks.start(core, info, args, _chain_from_run, ctx)


def _chain_from_run(handle: tasks.TaskHandle, item: Any) -> None:
    plan = plan_chain(item, handle.core, handle.info)
    if any(isinstance(p[1], Notice) for p in plan) and innermost(running_task()):
        raise RuntimeError(
            f"{handle.info.qualname} yielded {item!r} inside `async with self:`. A toast or "
            "download is sent only once its changes are committed: yield it after the block."
        )
    dispatch(plan)


async def _run_handler(
    core: Core,
    info: HandlerInfo,
    args: list[Any],
    on_done: Callable[[Outcome], None] | None,
    waiter: Any,
    hrun: HandlerRun,
) -> Outcome:
    outcome = Outcome()
    try:
        txn = await begin_step(core, info.qualname)
        hrun.started = time.monotonic()
        try:
            if core.closed:
                raise StateClosedError(f"{core.label} was closed before {info.name} ran")
            outcome.value = await _drive(core, info, args, txn)
        finally:
            finish_handler(txn)
    except asyncio.CancelledError:
        outcome.cancelled = True
        raise
    except Exception as exc:
        outcome.error = exc
        # An awaiting caller receives the exception and shows it; otherwise print it here.
        report(core, exc, info.name, printed=not getattr(waiter, "awaited", False))
    finally:
        if outcome.cancelled:
            hrun.ended_as("cancelled", None)
        else:
            hrun.ended_as("failed" if outcome.error else "done", outcome.error)
        if on_done is not None:
            on_done(outcome)
    return outcome


async def _drive(core: Core, info: HandlerInfo, args: list[Any], txn: Txn) -> Any:
    """Run the handler's steps: each commits after its value is checked, then chains it."""
    state = core.state
    kind = info.kind
    plan: list[Planned] = []
    try:
        if kind == "sync":
            result = info.fn(state, *args)
        elif kind == "async":
            result = await info.fn(state, *args)
        elif kind == "gen":
            gen = info.fn(state, *args)
            while True:
                try:
                    item = next(gen)
                except StopIteration as stop:
                    result = stop.value
                    break
                plan = plan_chain(item, core, info)
                await end_step(txn, core)
                dispatch(plan)
        else:
            async for item in info.fn(state, *args):
                plan = plan_chain(item, core, info)
                await end_step(txn, core)
                dispatch(plan)
            result = None
        plan = plan_chain(result, core, info)
    except BaseException as exc:
        await end_step(txn, core, failed=exc)
        raise
    await end_step(txn, core)
    dispatch(plan)
    return result


# -- chaining -------------------------------------------------------------------------------

Planned = tuple[Core, "HandlerInfo | Notice", list[Any]]
"""A chained event (its state, handler and arguments), or a notice (the handler's state, the
notice, and ``[view]``, the view the event came from)."""


def _where(info: HandlerInfo) -> str:
    code = getattr(info.fn, "__code__", None)
    return f" (defined at {code.co_filename}:{code.co_firstlineno})" if code else ""


def plan_chain(item: Any, source: Core, info: HandlerInfo) -> list[Planned]:
    """Check what a handler returned or yielded and say what runs next; nothing runs yet."""
    if item is None:
        return []
    if isinstance(item, (list, tuple)):
        return [p for x in item for p in plan_chain(x, source, info)]
    if isinstance(item, Notice):
        return [(source, item, [notices.origin_view.get()])]
    if info.background and not is_event_ref(item):
        return []  # a background task's plain return value is its result, kept on the handle
    try:
        ref = resolve(item)
    except TypeError:
        raise TypeError(
            f"{info.qualname}{_where(info)} returned or yielded {item!r}. A handler may return "
            "or yield None, an event handler such as MyState.other, an event with arguments "
            "such as MyState.set_x(5), rx.toast(...), rx.download(...), or a list of these."
        ) from None
    if any(has_var(a) for a in ref.args):
        raise TypeError(
            f"{item!r}: arguments of an event started from Python must be plain values; "
            "Vars are only evaluated in the browser"
        )
    target = core_of(instance_for(ref, source=source.state))
    if target.closed:
        raise StateClosedError(f"{target.label} was closed; {ref.info.name} cannot run")
    try:
        bound = ref.info.bind(ref.args)
    except EventRejected as exc:
        raise TypeError(f"{info.qualname}{_where(info)} chained {item!r}: {exc}") from None
    return [(target, ref.info, bound)]


def dispatch(plan: list[Planned]) -> None:
    """Run planned events: background tasks start, handlers queue, notices are sent."""
    for core, info, args in plan:
        if isinstance(info, Notice):
            notices.send(core, info, args[0])
        elif info.background:
            start_task(core, info, args)
        else:
            schedule(core, info, args)
