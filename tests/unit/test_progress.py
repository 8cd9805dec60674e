"""Progress (rx.report, rx.track) and the task monitor (rx.task_monitor)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest

import nbstate as rx
import nbstate.testing as rx_testing
from nbstate._base.app import app
from nbstate._engine.progress import RUNS, Progress
from nbstate._ui.monitor import TaskMonitor, _Scope, rows_for

from .conftest import Wire, settle


class Job(rx.State):
    frac: float = 0.0
    count: int = 0
    log: list[str] = []

    @rx.background
    async def steps(self, n: int = 3, pause: float = 0.0) -> str:
        for i in range(n):
            rx.report(i + 1, n, label=f"step {i + 1}")
            await asyncio.sleep(pause)
        return "ok"

    @rx.background
    async def wait_forever(self) -> None:
        rx.report(0, 10)
        await asyncio.sleep(3600)

    @rx.background
    async def fails(self) -> None:
        rx.report(1, 4)
        raise KeyError("boom")

    @rx.background(policy="queue")
    async def queued(self) -> None:
        await asyncio.sleep(3600)

    @rx.background
    async def tracked(self, n: int) -> None:
        async for _ in rx.track(range(n), label="items", into=Job.frac):
            await asyncio.sleep(0)

    @rx.background
    async def tracked_in_block(self, fail: bool) -> None:
        async with self:
            for _ in rx.track(range(4), into=Job.frac):
                self.count += 1
            if fail:
                raise ValueError("roll back")

    @rx.background
    async def in_thread(self) -> None:
        def work() -> None:
            for i in range(5):
                rx.report(i + 1, 5, label="thread")

        await asyncio.to_thread(work)

    async def handler_reports(self) -> None:
        for _ in rx.track([1, 2, 3], label="handler"):
            await asyncio.sleep(0)

    def quiet_handler(self) -> None:
        self.count += 1


class Other(rx.State):
    n: int = 0

    @rx.background
    async def wait_forever(self) -> None:
        await asyncio.sleep(3600)


async def _cancel(*handles: Any) -> None:
    for h in handles:
        h.cancel()
    await asyncio.gather(*handles, return_exceptions=True)


# -- report ---------------------------------------------------------------------------------


async def test_report_lands_on_the_handle_of_the_run() -> None:
    """rx.report() inside a background task sets handle.progress; no lock is involved."""
    h = rx.start(Job.steps, 4)
    assert h.progress is None
    assert await h == "ok"
    assert h.progress == Progress(4, 4, "step 4")
    assert h.progress.fraction == 1.0
    assert repr(h.progress) == "Progress(4/4 'step 4')"
    assert h.elapsed is not None and h.elapsed >= 0


async def test_report_outside_a_run_says_where_it_works() -> None:
    """From a cell (no handler, no task) rx.report() raises and says what to do instead."""
    with pytest.raises(RuntimeError, match="no handler or background task is running"):
        rx.report(1, 2)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("3",), TypeError, "done must be a number"),
        ((True,), TypeError, "done must be a number"),
        ((-1,), ValueError, "must not be negative"),
        ((math.nan,), ValueError, "finite"),
        ((1, math.inf), ValueError, "total must be a finite number"),
        ((1, 2, 3), TypeError, "label must be a str"),
    ],
)
async def test_bad_progress_is_refused_and_keeps_the_last_good_one(
    args: tuple[Any, ...], error: type[Exception], match: str
) -> None:
    """Bad numbers or labels raise in the task; the progress reported before stays."""

    class P(rx.State):
        @rx.background
        async def go(self) -> None:
            rx.report(1, 5, label="good")
            try:
                rx.report(*args)
            except error as exc:
                assert match in str(exc)
            else:
                raise AssertionError("not refused")

    h = rx.start(P.go)
    await h
    assert h.progress == Progress(1, 5, "good")


async def test_long_labels_are_cut_not_refused() -> None:
    """A label over 200 characters is kept, cut with an ellipsis."""

    class P(rx.State):
        @rx.background
        async def go(self) -> None:
            rx.report(1, label="x" * 1000)

    h = rx.start(P.go)
    await h
    assert h.progress is not None and h.progress.label is not None
    assert len(h.progress.label) == 200 and h.progress.label.endswith("\u2026")


async def test_report_from_a_thread_of_the_run() -> None:
    """asyncio.to_thread copies the context: a worker thread reports into its run."""
    h = rx.start(Job.in_thread)
    await h
    assert h.progress == Progress(5, 5, "thread")


async def test_a_handler_that_reports_is_listed_until_it_ends() -> None:
    """A handler's run joins the run log when it reports, and ends there as done."""
    await rx.fire(Job.quiet_handler)
    assert not RUNS.done and not RUNS.active  # a handler that reports nothing is not listed
    await rx.fire(Job.handler_reports)
    [done] = list(RUNS.done)
    assert (done.name, done.status, done.progress) == (
        "Job.handler_reports",
        "done",
        Progress(3, 3, "handler"),
    )
    assert done.started is not None and done.ended is not None and done.ended >= done.started


# -- track ----------------------------------------------------------------------------------


async def test_track_reports_as_it_iterates() -> None:
    """rx.track over a list reports (done, len) after each item, sync or async."""
    seen: list[Progress | None] = []

    class P(rx.State):
        @rx.background
        async def go(self) -> None:
            handle = rx.app.runs()[0]
            for _ in rx.track(["a", "b", "c"], label="sync", min_interval=0):
                seen.append(handle.progress)
            async for _ in rx.track(range(2), min_interval=0):
                seen.append(handle.progress)

    h = rx.start(P.go)
    await h
    assert seen == [
        Progress(0, 3, "sync"),
        Progress(1, 3, "sync"),
        Progress(2, 3, "sync"),
        Progress(0, 2),
        Progress(1, 2),
    ]
    assert h.progress == Progress(2, 2)


async def test_track_over_an_async_generator_without_a_total() -> None:
    """An async iterable with no len(): done counts up and the total stays unknown."""

    async def source() -> Any:
        for i in range(5):
            yield i

    class P(rx.State):
        @rx.background
        async def go(self) -> list[int]:
            return [x async for x in rx.track(source())]

    h = rx.start(P.go)
    assert await h == [0, 1, 2, 3, 4]
    assert h.progress == Progress(5, None)
    assert h.progress.fraction is None


async def test_track_stops_counting_where_the_loop_broke() -> None:
    """Breaking out of the loop leaves done at the items consumed."""

    class P(rx.State):
        @rx.background
        async def go(self) -> None:
            for i in rx.track(range(10)):
                if i == 3:
                    break

    h = rx.start(P.go)
    await h
    assert h.progress == Progress(3, 10)


async def test_track_into_a_var_commits_at_most_once_per_frame() -> None:
    """into=: the var ends at 1.0, and a 500-item loop commits a handful of times, not 500."""
    app.coalesce_window = 0.016
    job = rx.get_state(Job)
    values: list[float] = []
    rx.model(job).observe(lambda ch: values.append(ch["new"]), names="v_frac")
    t0 = time.monotonic()
    await rx.start(Job.tracked, 500)
    spent = time.monotonic() - t0
    assert job.frac == 1.0  # an `async for` commits the final fraction before it ends
    assert values[-1] == 1.0
    assert values == sorted(values)
    assert len(values) <= spent / 0.016 + 3, (len(values), spent)


async def test_track_into_inside_a_block_commits_with_the_block() -> None:
    """Inside `async with self:` the fraction joins the block: it commits, or rolls back, with
    the block's other changes."""
    job = rx.get_state(Job)
    await rx.start(Job.tracked_in_block, False)
    assert (job.frac, job.count) == (1.0, 4)
    job2 = Job()
    h = rx.start(Job.tracked_in_block, True, state=job2)
    await asyncio.gather(h, return_exceptions=True)
    assert (job2.frac, job2.count) == (0.0, 0)
    assert h.status == "failed"


async def test_track_into_refuses_what_cannot_hold_a_fraction() -> None:
    """into= needs a float var of a State class, and a total."""
    with pytest.raises(TypeError, match="needs a float var"):
        rx.track([1, 2], into=Job.count)
    with pytest.raises(TypeError, match="takes a var of a State class"):
        rx.track([1, 2], into="frac")
    with pytest.raises(ValueError, match="needs a total"):
        rx.track(iter([1, 2]), into=Job.frac)
    with pytest.raises(TypeError, match="needs an iterable"):
        rx.track(5)  # type: ignore[call-overload]


async def test_track_in_a_cell_needs_a_run_or_a_var() -> None:
    """Outside any run, rx.track without into= says where it works; with into= it works."""
    with pytest.raises(RuntimeError, match="no handler or background task"):
        list(rx.track([1, 2]))
    job = rx.get_state(Job)
    assert list(rx.track([1, 2, 3], into=Job.frac)) == [1, 2, 3]
    await rx.wait_until(lambda: job.frac == 1.0, timeout=2)


# -- the run log and the monitor -----------------------------------------------------------


async def test_runs_are_logged_with_status_and_times() -> None:
    """Running runs are active; finished ones are kept as summaries with how they ended."""
    h = rx.start(Job.wait_forever)
    f = rx.start(Job.fails)
    await settle()
    assert RUNS.active[h.key] is h
    await asyncio.gather(f, return_exceptions=True)
    await _cancel(h)
    by_name = {d.name: d for d in RUNS.done}
    assert by_name["Job.fails"].status == "failed"
    assert by_name["Job.fails"].error == "KeyError"
    assert by_name["Job.wait_forever"].status == "cancelled"
    assert not RUNS.active


async def test_monitor_rows_say_what_a_person_needs() -> None:
    """Name and instance, status, progress text and percent, timing, and whether it can be
    cancelled; pending (queued) runs are listed too."""
    h1 = rx.start(Job.steps, 4, 0.01)
    q1 = rx.start(Job.queued)
    q2 = rx.start(Job.queued)
    await asyncio.sleep(0.025)
    rows = {r["name"]: r for r in rows_for(_Scope(None, 20))}
    running = rows["Job.steps #1"]
    assert running["state"] == "Job" or running["state"].startswith("Job")
    assert running["status"] == "running" and running["live"] is True
    assert running["known"] is True and 0 < running["percent"] <= 100
    assert "/ 4" in running["progress"] and "step" in running["progress"]
    assert running["timing"].endswith(" s") or "/s" in running["timing"]
    assert rows["Job.queued #3"]["status"] == "pending"
    assert rows["Job.queued #3"]["known"] is False
    await h1
    await _cancel(q1, q2)
    rows = {r["name"]: r for r in rows_for(_Scope(None, 20))}
    assert rows["Job.steps #1"]["status"] == "done" and rows["Job.steps #1"]["live"] is False
    assert rows["Job.queued #2"]["status"] == "cancelled"


async def test_monitor_scope_and_keep() -> None:
    """task_monitor(state) lists that instance's runs, task_monitor(Cls) the class's, and keep
    limits the finished runs listed."""
    other = rx.get_state(Other)
    a = Job()
    ha = rx.start(Job.wait_forever, state=a)
    hb = rx.start(Job.wait_forever)
    ho = rx.start(Other.wait_forever, state=other)
    for n in range(5):
        await rx.start(Job.steps, n)
    await settle()
    names = lambda scope: [r["name"] for r in rows_for(scope)]  # noqa: E731
    assert names(_Scope(a, 20)) == ["Job.wait_forever #1"]
    assert "Other.wait_forever #1" not in names(_Scope(Job, 20))
    assert len(names(_Scope(Job, 20))) == 2 + 5
    assert len(names(_Scope(None, 2))) == 3 + 2
    labels = {r["state"] for r in rows_for(_Scope(Job, 20))}
    assert labels == {"Job", "Job (instance 1)"} or labels == {"Job", "Job (instance 2)"}
    await _cancel(ha, hb, ho)


async def test_monitor_is_refreshed_only_while_a_view_shows_it(wire: Wire) -> None:
    """A monitor nobody displays costs nothing: no refresh, no messages."""
    tree = rx.task_monitor(Job)
    [mon] = [m for m in app.cores if isinstance(m.state, TaskMonitor)]
    wire.clear()
    h = rx.start(Job.steps, 3, 0.01)
    await h
    await asyncio.sleep(0.25)
    assert mon.state.runs == []
    rx.view(tree)
    h = rx.start(Job.steps, 3, 0.01)
    await h
    await rx.wait_until(lambda: any(r["status"] == "done" for r in mon.state.runs), timeout=2)
    assert {r["name"] for r in mon.state.runs} == {"Job.steps #1", "Job.steps #2"}


async def test_progress_travels_as_in_place_patches(wire: Wire) -> None:
    """While the same runs are listed, a progress change patches the row's fields."""
    rx.view(rx.task_monitor())
    mon = rx.get_state(TaskMonitor)
    h = rx.start(Job.steps, 50, 0.02)
    await rx.wait_until(lambda: mon.runs and mon.runs[0]["percent"] > 0, timeout=2)
    wire.clear()
    await asyncio.sleep(0.3)
    patches = [c for c in wire.customs() if c.get("kind") == "patch" and c["var"] == "runs"]
    assert patches, "no patches while progress changed"
    ops = [op for p in patches for op in p["ops"]]
    assert all(op.get("path") for op in ops), ops  # field paths, never the whole list
    await _cancel(h)


async def test_cancel_from_the_monitor_cancels_just_that_run() -> None:
    """The row's Cancel event (a handler of the monitor) cancels one of three running runs."""
    hs = [rx.start(Job.wait_forever, state=Job()) for _ in range(3)]
    await settle()
    await rx.fire(TaskMonitor.cancel, hs[1].key)
    await asyncio.gather(hs[1], return_exceptions=True)
    assert [h.status for h in hs] == ["running", "cancelled", "running"]
    await rx.fire(TaskMonitor.cancel, hs[1].key)  # a finished run: nothing happens
    with pytest.raises(ValueError, match="no run 'r999999'"):
        await rx.fire(TaskMonitor.cancel, "r999999")
    await _cancel(hs[0], hs[2])


def test_task_monitor_refuses_what_it_cannot_list() -> None:
    """A scope that is not a State, or a negative keep, is refused with a reason."""
    with pytest.raises(TypeError, match="takes a State instance or class"):
        rx.task_monitor("Job")
    with pytest.raises(ValueError, match="keep must be"):
        rx.task_monitor(keep=-1)


async def test_reset_forgets_runs() -> None:
    """nbstate.testing.reset() (what the fixture does) clears the run log."""
    await rx.start(Job.steps, 1)
    assert RUNS.done
    rx_testing.reset()
    assert not RUNS.done and not RUNS.active
