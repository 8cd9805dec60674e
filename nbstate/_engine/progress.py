"""Progress of runs, and the kernel's log of runs that monitors read.

A run is a background task's run (its :class:`~nbstate._engine.tasks.TaskHandle`) or a
handler's run. ``rx.report(done, total, label=...)`` sets the progress of the run the calling
code belongs to, found through context variables, so no reference to the run is needed. It
sets an attribute and takes no lock: progress is about the run, not the state.
``rx.track(iterable)`` (in :mod:`.track`) reports as it iterates, like tqdm, and with
``into=MyState.var`` also writes the fraction done into a float var.

:data:`RUNS` keeps every run that is running and a summary of the latest finished ones.
Background runs are always in it; a handler's run joins it when it first reports progress (a
click's one-line handler is not worth a row). Listeners (the task monitor) are told when
anything changes; with no listener a change costs a function call.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from .._base.app import app
from .._base.loop import (
    call_on_main,
    current_event,
    current_run,
)
from .._core.core import Core
from .._state.handlers import HandlerInfo

if TYPE_CHECKING:
    from .tasks import Status


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
        of = f"/{number_text(self.total)}" if self.total is not None else ""
        label = f" {self.label!r}" if self.label else ""
        return f"Progress({number_text(self.done)}{of}{label})"


def number_text(x: float) -> str:
    """``3`` for 3.0, ``2.5`` for 2.5."""
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


class Finished(NamedTuple):
    """A finished run as the run log keeps it: no result, no arguments, a weak state.

    A NamedTuple, not a dataclass: it is defined at `import nbstate`, where a frozen dataclass
    costs about 1 ms.
    """

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


def changed_anywhere() -> None:
    """Tell the run log's listeners of a change, from any thread."""
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
    changed_anywhere()


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
