"""Progress of runs, and the kernel's log of runs that monitors read.

A run is a background task's run (its :class:`~nbstate._engine.tasks.TaskHandle`) or a
handler's run. ``rx.report(done, total, label=...)`` sets the progress of the run the calling
code belongs to, found through context variables, so no reference to the run is needed. It
sets an attribute and takes no lock: progress is about the run, not the state.
``rx.track(iterable)`` reports as it iterates, like tqdm, and with ``into=MyState.var`` also
writes the fraction done into a float var.

:data:`RUNS` keeps every run that is running and a summary of the latest finished ones.
Background runs are always in it; a handler's run joins it when it first reports progress (a
click's one-line handler is not worth a row). Listeners (the task monitor) are told when
anything changes; with no listener a change costs a function call.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
import weakref
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .._base.app import app
from .._base.loop import (
    call_on_main,
    current_event,
    current_run,
    main_loop,
    on_main_thread,
    running_task,
)
from .._core.core import Core
from .._state.handlers import HandlerInfo
from .._state.state import State, core_of, default_instance
from .._vars.expr import Var
from .report import report as report_error

if TYPE_CHECKING:
    from .tasks import Status

T = TypeVar("T")

LABEL_MAX = 200
"""Labels longer than this are cut (with an ellipsis) when stored."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: ``done`` of ``total`` (None when unknown), with a short label."""

    done: float
    total: float | None = None
    label: str | None = None

    @property
    def fraction(self) -> float | None:
        """``done / total`` between 0 and 1, or None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, max(0.0, self.done / self.total))

    def __repr__(self) -> str:
        of = f"/{_num(self.total)}" if self.total is not None else ""
        label = f" {self.label!r}" if self.label else ""
        return f"Progress({_num(self.done)}{of}{label})"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return value


def make_progress(done: Any, total: Any = None, label: Any = None) -> Progress:
    """A checked :class:`Progress`: numbers that are finite and not negative, a str label."""
    d = _number(done, "done")
    t = None if total is None else _number(total, "total")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a str or None, got {label!r}")
    if label is not None and len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1] + "\u2026"
    return Progress(d, t or None, label or None)


class Run(Protocol):
    """What the run log and the task monitor read of a run (a TaskHandle or a handler run)."""

    key: str
    core: Core
    info: HandlerInfo
    number: int
    status: Status
    progress: Progress | None
    started: float | None
    ended: float | None

    def exception(self) -> BaseException | None: ...

    def cancel(self, msg: str | None = None) -> bool: ...


class HandlerRun:
    """One run of a (non-background) event handler, as the run log shows it."""

    __slots__ = (
        "_exception",
        "core",
        "ended",
        "info",
        "key",
        "logged",
        "number",
        "progress",
        "started",
        "status",
        "task",
    )  # fmt: skip

    def __init__(self, core: Core, info: HandlerInfo) -> None:
        self.core = core
        self.info = info
        self.key = ""
        self.number = 0
        self.status: Status = "running"
        self.progress: Progress | None = None
        self.started: float | None = None
        self.ended: float | None = None
        self.task: asyncio.Task[Any] | None = None
        self.logged = False
        self._exception: BaseException | None = None

    def __repr__(self) -> str:
        return f"<handler run {self.info.qualname} {self.status}>"

    def exception(self) -> BaseException | None:
        return self._exception

    def cancel(self, msg: str | None = None) -> bool:
        """Cancel the handler; its open step rolls back."""
        if self.task is None or self.task.done():
            return False
        return self.task.cancel(msg)

    def ended_as(self, status: Status, error: BaseException | None) -> None:
        """Called by the events layer when the handler's run is over."""
        self.status = status
        self._exception = error
        if self.logged:
            RUNS.finished(self)


@dataclass(frozen=True, slots=True)
class Finished:
    """A finished run as the run log keeps it: no result, no arguments, a weak state."""

    key: str
    name: str
    number: int
    core: weakref.ref[Core]
    status: Status
    progress: Progress | None
    started: float | None
    ended: float | None
    error: str | None


class RunLog:
    """Every run that is running, and the latest finished ones (``keep``, at least 20)."""

    def __init__(self) -> None:
        self.active: dict[str, Run] = {}
        self.done: deque[Finished] = deque(maxlen=100)
        self.listeners: list[Callable[[], None]] = []
        self._seq = 0

    def __repr__(self) -> str:
        return f"<nbstate runs: {len(self.active)} running, {len(self.done)} finished kept>"

    def keep(self, n: int) -> None:
        """Keep at least ``n`` finished runs."""
        if n > (self.done.maxlen or 0):
            self.done = deque(self.done, maxlen=n)

    def started(self, run: Run) -> None:
        self._seq += 1
        run.key = f"r{self._seq}"
        self.active[run.key] = run
        self.changed()

    def issued(self, key: str) -> bool:
        """True if ``key`` names a run this log has seen (running, kept or forgotten)."""
        digits = key[1:] if isinstance(key, str) and key.startswith("r") else ""
        return digits.isdigit() and 0 < int(digits) <= self._seq

    def finished(self, run: Run) -> None:
        if self.active.pop(run.key, None) is None:
            return
        if run.ended is None:
            run.ended = time.monotonic()
        error = run.exception()
        self.done.append(
            Finished(
                run.key,
                run.info.qualname,
                run.number,
                weakref.ref(run.core),
                run.status,
                run.progress,
                run.started,
                run.ended,
                type(error).__name__ if error is not None else None,
            )
        )
        self.changed()

    def changed(self) -> None:
        """Tell the listeners that something changed (call on the main thread)."""
        for fn in self.listeners:
            fn()

    def clear(self) -> None:
        """Forget every run (``nbstate.testing.reset()``, which also drops the monitors)."""
        self.active.clear()
        self.done.clear()


RUNS = RunLog()
app.on_reset.append(RUNS.clear)


def _changed_anywhere() -> None:
    if RUNS.listeners:
        call_on_main(RUNS.changed)


def this_run() -> Run | None:
    """The run the calling code belongs to: a background run, a handler's run, or None."""
    run: Run | None = current_run.get()
    if run is not None:
        return run
    hrun: HandlerRun | None = current_event.get()
    if hrun is None or hrun.status != "running":
        return None
    if not hrun.logged:
        hrun.logged = True
        call_on_main(RUNS.started, hrun)
    return hrun


def report(done: float, total: float | None = None, label: str | None = None) -> None:
    """Report the progress of the run this code belongs to: ``done`` of ``total``.

    Works from any event handler or background task, also from threads it starts
    (``asyncio.to_thread`` copies the context). It takes no lock. The progress lands on the
    run's handle (``handle.progress``) and in every task monitor.

    >>> # inside a background task
    >>> # for i, f in enumerate(files): ...; rx.report(i + 1, len(files), label=f.name)
    """
    run = this_run()
    if run is None:
        raise RuntimeError(
            "rx.report() reports the progress of a run, and no handler or background task is "
            "running here. Call it from a handler or from an @rx.background task (in a cell, "
            "print the progress or use rx.track(..., into=MyState.var))."
        )
    run.progress = make_progress(done, total, label)
    _changed_anywhere()


def elapsed(run: Run | Finished, now: float | None = None) -> float | None:
    """Seconds since the run started (to its end once it has finished)."""
    if run.started is None:
        return None
    end = run.ended if run.ended is not None else (now if now is not None else time.monotonic())
    return max(0.0, end - run.started)


def rate_and_eta(
    run: Run | Finished, now: float | None = None
) -> tuple[float | None, float | None]:
    """Items per second since the start, and the seconds left at that rate (None if unknown)."""
    p, secs = run.progress, elapsed(run, now)
    if p is None or not secs or not p.done:
        return None, None
    rate = p.done / secs
    eta = (p.total - p.done) / rate if p.total is not None and p.total >= p.done else None
    return rate, eta


# -- track ------------------------------------------------------------------------------------


class _Into:
    """Writes a fraction into a float var: in the open transaction when this task holds the
    state's lock, else from a task of its own that takes the lock, at most once per frame."""

    def __init__(self, var: Any) -> None:
        tree = var.tree() if isinstance(var, Var) else None
        if not (isinstance(tree, dict) and tree.get("op") == "var") or not isinstance(
            tree.get("s"), type
        ):
            raise TypeError(
                f"into= takes a var of a State class, such as MyState.progress; got {var!r}"
            )
        cls: type[State] = tree["s"]
        name: str = tree["name"]
        field = cls._nbstate_meta.vars.get(name)
        if field is None:
            raise TypeError(f"into={var!r}: {cls.__name__}.{name} is not a var one can write")
        if field.check is not None:
            try:
                field.check(0.5, field.label)
            except Exception:
                raise TypeError(
                    f"into={field.label} needs a float var (the fraction done, 0.0 to 1.0), but "
                    f"{field.label} is declared as {field.annotation!r}"
                ) from None
        self.cls, self.name, self.label = cls, name, field.label
        self.latest: tuple[State, float] | None = None
        self.scheduled = False

    def target(self, run: Run | None) -> State:
        if run is not None and isinstance(run.core.state, self.cls):
            return run.core.state  # type: ignore[no-any-return]
        return default_instance(self.cls)

    def push(self, inst: State, fraction: float) -> None:
        if not on_main_thread():
            call_on_main(self.push, inst, fraction)
            return
        core = core_of(inst)
        owner = core.lock.owner
        if owner is not None and owner.task is running_task():
            setattr(inst, self.name, fraction)  # joins the open block or step: one commit
            return
        self.latest = (inst, fraction)
        if not self.scheduled:
            self.scheduled = True
            # An empty context: the write is not part of the background run that reports.
            main_loop().call_later(app.coalesce_window, self._start, context=contextvars.Context())

    def _start(self) -> None:
        main_loop().create_task(self._flush())

    async def settle(self) -> None:
        """Commit a pending value now (the end of an ``async for``)."""
        if self.latest is not None:
            await self._flush()

    async def _flush(self) -> None:
        latest = self.latest
        if latest is None:
            self.scheduled = False
            return
        inst = latest[0]
        try:
            async with inst:
                inst_now, fraction = self.latest or latest
                self.scheduled = False
                self.latest = None
                setattr(inst_now, self.name, fraction)
        except Exception as exc:
            self.scheduled = False
            report_error(core_of(inst), exc, f"rx.track(into={self.label})")


class track(Generic[T]):
    """Iterate over ``iterable`` and report progress as it goes, like tqdm.

    ``for x in rx.track(items):`` or ``async for x in rx.track(source):`` inside a handler or a
    background task: after each item the run's progress is ``(items done, total)``. ``total``
    defaults to ``len(iterable)`` when it has one. With ``into=MyState.fraction`` it also
    writes the fraction done (0.0 to 1.0) into that float var, committing at most once per
    frame; inside ``async with self:`` the writes join the block and commit with it. An
    ``async for`` commits the final fraction before the loop ends; a plain ``for`` within a
    frame after it.
    """

    def __init__(
        self,
        iterable: Iterable[T] | AsyncIterable[T],
        total: float | None = None,
        label: str | None = None,
        *,
        into: Any = None,
        min_interval: float = 0.02,
    ) -> None:
        if not isinstance(iterable, (Iterable, AsyncIterable)):
            raise TypeError(f"rx.track() needs an iterable or an async iterable, got {iterable!r}")
        if total is None and isinstance(iterable, Sized):
            total = len(iterable)
        make_progress(0, total, label)  # checks total and label now, where the mistake is
        self.iterable = iterable
        self.total = total or None
        self.label = label
        self.min_interval = min_interval
        self.into = _Into(into) if into is not None else None
        if self.into is not None and self.total is None:
            raise ValueError(
                f"into={self.into.label} writes the fraction done, which needs a total: pass "
                "total=... (the iterable has no len())"
            )
        self.done = 0

    def __repr__(self) -> str:
        of = f"/{_num(self.total)}" if self.total is not None else ""
        return f"track({self.done}{of})"

    def _begin(self) -> tuple[Run | None, State | None]:
        run = this_run()
        if run is None and self.into is None:
            raise RuntimeError(
                "rx.track() reports the progress of a run, and no handler or background task is "
                "running here. Use it inside a handler or an @rx.background task, or pass "
                "into=MyState.var to show the fraction done in a var."
            )
        inst = self.into.target(run) if self.into is not None else None
        self.done = 0
        self._emit(run, inst)
        return run, inst

    def _emit(self, run: Run | None, inst: State | None) -> None:
        self._last = time.monotonic()
        if run is not None:
            run.progress = Progress(self.done, self.total, self.label)
            _changed_anywhere()
        if inst is not None and self.into is not None and self.total:
            self.into.push(inst, min(1.0, self.done / self.total))

    def __iter__(self) -> Iterator[T]:
        if not isinstance(self.iterable, Iterable):
            raise TypeError("this iterable is asynchronous: iterate with `async for`")
        run, inst = self._begin()
        try:
            for item in self.iterable:
                yield item
                self.done += 1
                if time.monotonic() - self._last >= self.min_interval:
                    self._emit(run, inst)
        finally:
            self._emit(run, inst)

    async def __aiter__(self) -> AsyncIterator[T]:
        run, inst = self._begin()
        try:
            if isinstance(self.iterable, AsyncIterable):
                async for item in self.iterable:
                    yield item
                    self.done += 1
                    if time.monotonic() - self._last >= self.min_interval:
                        self._emit(run, inst)
            else:
                for item in self.iterable:
                    yield item
                    self.done += 1
                    if time.monotonic() - self._last >= self.min_interval:
                        self._emit(run, inst)
        except BaseException:
            self._emit(run, inst)
            raise
        self._emit(run, inst)
        if self.into is not None:
            await self.into.settle()  # the final fraction is committed when the loop ends
