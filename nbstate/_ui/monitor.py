"""``rx.task_monitor()``: a live list of the kernel's runs, with a Cancel button per run.

The monitor is an ordinary nbstate UI: a :class:`TaskMonitor` state whose ``runs`` var holds
one row per run (formatted here, in the kernel), shown by a ``foreach``. The run log
(:mod:`nbstate._engine.progress`) tells this module when runs start, report progress or end;
one ticker task then refreshes every monitor that a view shows, at most ten times a second
(and twice a second while runs are going, so elapsed times move). With no monitor shown, a
change in the run log costs a function call.

Rows are updated in place (one changed field travels as one patch op) while the same runs are
listed; the list is replaced when a run joins or leaves it.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import weakref
from typing import Any, cast

from .._base.app import app
from .._base.errors import StateClosedError
from .._base.loop import current_loop
from .._engine.progress import RUNS, Finished, Run, elapsed, rate_and_eta
from .._state.state import State, core_of, default_instance
from .._vars.expr import Var
from .component import Component, cond, foreach, make

REFRESH = 0.1  # seconds between refreshes when something changed
TICK = 0.5  # seconds between refreshes while runs are going (elapsed times move)
DEFAULT_KEEP = 20

COLORS = {
    "pending": "gray",
    "running": "blue",
    "done": "green",
    "failed": "red",
    "cancelled": "orange",
}


class TaskMonitor(State):
    """The rows of a task monitor. Made by ``rx.task_monitor()``; not meant to be subclassed."""

    runs: list[dict[str, Any]] = []
    summary: str = "no runs yet"

    def cancel(self, key: str) -> None:
        """Cancel run ``key`` (any run of this kernel); a run that has ended stays as it is."""
        run = RUNS.active.get(key)
        if run is not None:
            run.cancel("cancelled from the task monitor")
        elif not RUNS.issued(key):
            raise ValueError(f"no run {key!r} in this kernel; run keys look like 'r12'")

    def __repr__(self) -> str:
        return f"TaskMonitor({len(self.runs)} rows)"


class _Scope:
    __slots__ = ("keep", "state")

    def __init__(self, state: Any, keep: int) -> None:
        self.state = state  # None (every run), a State instance, or a State class
        self.keep = keep

    def covers(self, core: Any) -> bool:
        if core is None:
            return False
        scope = self.state
        if scope is None:
            return True
        if isinstance(scope, type):
            return isinstance(core.state, scope)
        return core is core_of(scope)


_monitors: weakref.WeakKeyDictionary[TaskMonitor, _Scope] = weakref.WeakKeyDictionary()
_ordinals: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_ticker: asyncio.Task[None] | None = None
_dirty = False


def _duration(secs: float | None) -> str:
    if secs is None:
        return ""
    if secs < 10:
        return f"{secs:.1f} s"
    if secs < 60:
        return f"{secs:.0f} s"
    m, s = divmod(int(secs), 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def _count(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.3g}"


def _state_label(core: Any) -> str:
    if core is None:
        return "(state gone)"
    cls = type(core.state)
    if app.defaults.get(cls) is core.state:
        return cls.__name__
    n = _ordinals.get(core)
    if n is None:
        n = _ordinals[core] = sum(1 for c in _ordinals if type(c.state) is cls) + 1
    return f"{cls.__name__} (instance {n})"


def row_for(run: Run | Finished, now: float) -> dict[str, Any]:
    """One monitor row: what a person reads about ``run`` (all text is formatted here)."""
    if isinstance(run, Finished):
        core, name, error = run.core(), run.name, run.error or ""
    else:
        core, name = run.core, run.info.qualname
        exc = run.exception()
        error = type(exc).__name__ if exc is not None else ""
    if run.number:
        name = f"{name} #{run.number}"
    p = run.progress
    fraction = p.fraction if p is not None else None
    text = ""
    if p is not None:
        text = _count(p.done) + (f" / {_count(p.total)}" if p.total is not None else "")
        if p.label:
            text += f" \u00b7 {p.label}"
    rate, eta = rate_and_eta(run, now)
    timing = _duration(elapsed(run, now))
    live = run.status in ("pending", "running")
    if live and rate is not None:
        timing += f" \u00b7 {rate:,.3g}/s"
        if eta is not None:
            timing += f" \u00b7 ETA {_duration(eta)}"
    status = run.status if not error else f"failed: {error}"
    return {
        "key": run.key,
        "name": name,
        "state": _state_label(core),
        "status": status,
        "color": COLORS.get(run.status, "gray"),
        "known": fraction is not None,
        "percent": round(100 * fraction, 1) if fraction is not None else 0.0,
        "progress": text,
        "timing": timing,
        "live": live,
    }


def rows_for(scope: _Scope, now: float | None = None) -> list[dict[str, Any]]:
    """The rows a monitor of ``scope`` shows: running runs oldest first, then the latest
    ``keep`` finished ones, newest first."""
    now = time.monotonic() if now is None else now
    rows = [row_for(r, now) for r in list(RUNS.active.values()) if scope.covers(r.core)]
    done = [f for f in reversed(RUNS.done) if scope.covers(f.core())][: scope.keep]
    rows.extend(row_for(f, now) for f in done)
    return rows


def _summary(rows: list[dict[str, Any]]) -> str:
    live = sum(r["live"] for r in rows)
    if not rows:
        return "no runs yet"
    return f"{live} running, {len(rows) - live} finished"


def _apply(mon: TaskMonitor, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` into ``mon`` (its lock held): field by field when the same runs show."""
    current = mon.runs
    if [r["key"] for r in current] == [r["key"] for r in rows]:
        for cur, new in zip(current, rows, strict=True):
            for k, v in new.items():
                if cur.get(k) != v:
                    cur[k] = v
    else:
        mon.runs = rows
    summary = _summary(rows)
    if mon.summary != summary:
        mon.summary = summary


def _shown() -> list[tuple[TaskMonitor, _Scope]]:
    views = list(app.views.values())
    return [
        (mon, scope)
        for mon, scope in list(_monitors.items())
        if not core_of(mon).closed and any(mon in v._nb_states for v in views)
    ]


def _poke() -> None:
    """The run log changed: make sure the ticker refreshes the monitors that are shown."""
    global _dirty, _ticker
    if not _monitors:
        return
    _dirty = True
    loop = current_loop()
    if _ticker is not None and (_ticker.done() or _ticker.get_loop() is not loop):
        _ticker = None  # its loop ended (tests run one loop each)
    if _ticker is None and loop is not None:
        _ticker = loop.create_task(_tick(), context=contextvars.Context())


async def _tick() -> None:
    global _dirty, _ticker
    last = 0.0
    try:
        while True:
            shown = _shown()
            if not shown:
                return
            now = time.monotonic()
            if _dirty or (RUNS.active and now - last >= TICK):
                _dirty = False
                last = now
                for mon, scope in shown:
                    try:
                        async with mon:
                            _apply(mon, rows_for(scope, time.monotonic()))
                    except StateClosedError:
                        _monitors.pop(mon, None)
            if not RUNS.active and not _dirty:
                return
            await asyncio.sleep(REFRESH)
    finally:
        _ticker = None


RUNS.listeners.append(_poke)


def _forget() -> None:
    global _ticker
    _monitors.clear()
    _ticker = None


app.on_reset.append(_forget)


def _row(row: Var[Any]) -> Component:
    return make(
        "hstack",
        [
            make("badge", [row["status"]], {"color_scheme": row["color"], "min_width": "6.5em"}),
            make(
                "vstack",
                [
                    make("text", [row["name"]], {"font_weight": "600"}),
                    make("text", [row["state"]], {"size": "sm", "opacity": "0.75"}),
                ],
                {"spacing": "0", "min_width": "12em"},
            ),
            cond(
                row["known"],
                make("progress", [], {"value": row["percent"], "max_": 100, "width": "10em"}),
                cond(row["live"], make("spinner", [], {"size": "sm"}), None),
            ),
            make("text", [row["progress"]], {"size": "sm"}),
            make("spacer", [], {}),
            make("text", [row["timing"]], {"size": "sm"}),
            make(
                "button",
                ["Cancel"],
                {
                    "on_click": cast(Any, TaskMonitor.cancel)(row["key"]),
                    "disabled": ~row["live"],
                    "size": "sm",
                    "variant": "outline",
                },
            ),
        ],
        {"class_name": "nbstate-task-row", "align": "center", "width": "100%"},
    )


def task_monitor(state: Any = None, keep: int = DEFAULT_KEEP) -> Component:
    """A live list of runs: what is running, how far along, for how long, and a Cancel button.

    ``rx.task_monitor()`` lists every run of the kernel; ``rx.task_monitor(state)`` only the
    runs of that instance, and ``rx.task_monitor(MyState)`` those of every instance of the
    class. Background runs are always listed; a handler's run is listed once it reports
    progress. The latest ``keep`` finished runs stay listed with how they ended.
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        raise ValueError(f"keep must be a whole number of finished runs to list, got {keep!r}")
    if state is not None and not (
        isinstance(state, State) or (isinstance(state, type) and issubclass(state, State))
    ):
        raise TypeError(
            f"rx.task_monitor() takes a State instance or class to list the runs of, or "
            f"nothing for every run of the kernel; got {state!r}"
        )
    scope = _Scope(state, keep)
    RUNS.keep(keep)
    if state is None:
        mon = default_instance(TaskMonitor)
        scope_prev = _monitors.get(mon)
        if scope_prev is not None:
            scope.keep = max(scope.keep, scope_prev.keep)
    else:
        rows = rows_for(scope)
        mon = TaskMonitor(runs=rows, summary=_summary(rows))
    _monitors[mon] = scope
    _poke()

    def bound(name: str) -> Var[Any]:
        return Var({"op": "var", "s": mon, "name": name}, f"TaskMonitor.{name}")

    return make(
        "vstack",
        [
            make(
                "hstack",
                [
                    make("text", ["Tasks"], {"font_weight": "600"}),
                    make("text", [bound("summary")], {"size": "sm", "opacity": "0.75"}),
                ],
                {"align": "baseline"},
            ),
            foreach(bound("runs"), _row),
        ],
        {"class_name": "nbstate-task-monitor", "width": "100%", "spacing": "1"},
    )
