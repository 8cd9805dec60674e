"""``rx.track``: iterate and report progress as you go, optionally into a float var.

It reports into the run the loop belongs to (see :mod:`.progress`): ``(items done, total)``
after each item, at most every ``min_interval`` seconds and always at the start and the end.
``into=MyState.var`` also writes the fraction done into that var: within the open transaction
when this task holds the state's lock, else from a task of its own that takes the lock, at
most once per frame.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sized
from typing import Any, Generic, TypeVar

from .._base.app import app
from .._base.loop import call_on_main, main_loop, on_main_thread, running_task
from .._state.state import State, core_of, default_instance
from .._vars.expr import Var
from .progress import Progress, Run, changed_anywhere, make_progress, number_text, this_run
from .report import report as report_error

T = TypeVar("T")


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
        of = f"/{number_text(self.total)}" if self.total is not None else ""
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
            changed_anywhere()
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
        source = self.iterable
        items = source if isinstance(source, AsyncIterable) else _as_async(source)
        try:
            async for item in items:
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


async def _as_async(items: Iterable[T]) -> AsyncIterator[T]:
    for item in items:
        yield item
