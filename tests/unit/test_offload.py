"""rx.offload and rx.offload_map against a real distributed LocalCluster (2 worker processes
x 1 thread, one per module). Scheduler state is read through a separate synchronous client,
an observer that nbstate never uses."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import nbstate as rx
from nbstate._base.app import app
from nbstate._engine import cluster as dask_cluster
from nbstate._engine.progress import RUNS, Progress
from nbstate._engine.report import ErrorLog
from nbstate._state.state import core_of
from nbstate._ui.monitor import TaskMonitor

distributed = pytest.importorskip("distributed")  # nbstate[test] installs it: never skipped in CI

pytestmark = pytest.mark.timeout(120)


# -- functions the workers run (module level: the workers import this module) -----------------


def power(x: int, exp: int = 2) -> int:
    return int(x**exp)


def tagged(x: int, key: str = "", priority: int = 0) -> tuple[int, str, int]:
    """Takes keywords that Client.submit has too: they must reach the function."""
    return x, key, priority


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def nap_then(pair: tuple[float, int]) -> int:
    time.sleep(pair[0])
    return pair[1]


def started_nap(args: tuple[str, int, float]) -> int:
    """Leaves a marker file when it starts, then sleeps (a unit of long work)."""
    folder, i, seconds = args
    Path(folder, f"started-{i}").touch()
    time.sleep(seconds)
    return i


def fail_on_worker(x: int) -> int:
    ratio = x / 2
    raise ValueError(f"worker refused {ratio}")


def fails_on_three(x: int) -> int:
    if x == 3:
        raise KeyError(f"no item {x}")
    time.sleep(0.05)
    return x


def total(values: list[int]) -> int:
    return sum(values)


def never_sent_7f3a(x: Any) -> Any:
    return x


class Batch(rx.State):
    items: list[int] = [1, 2, 3]
    fraction: float = 0.0
    results: list[int] = []

    @rx.background
    async def one(self, x: int) -> int:
        return await rx.offload(power, x, exp=3)

    @rx.background
    async def failing(self) -> None:
        await rx.offload(fail_on_worker, 3)

    @rx.background
    async def squares(self, n: int, seconds: float = 0.0) -> list[int]:
        out = []
        async for r in rx.offload_map(
            nap_then, [(seconds, i) for i in range(n)], into=Batch.fraction
        ):
            out.append(r)
        async with self:
            self.results = sorted(out)
        return out

    @rx.background
    async def long_map(self, folder: str, n: int, seconds: float) -> None:
        async for _ in rx.offload_map(started_nap, [(folder, i, seconds) for i in range(n)]):
            pass

    @rx.background
    async def long_one(self, seconds: float) -> None:
        await rx.offload(nap, seconds)

    @rx.background
    async def breaks_out(self, folder: str) -> None:
        async for _ in rx.offload_map(started_nap, [(folder, i, 0.3) for i in range(30)]):
            raise RuntimeError("stop after one")

    @rx.background
    async def map_failing(self) -> None:
        async for _ in rx.offload_map(fails_on_three, range(8)):
            pass


# -- the cluster and the observer ------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


@pytest.fixture(scope="module")
def observer(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as c:
        yield c


@pytest.fixture(autouse=True)
async def at_cluster(cluster: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    monkeypatch.setattr(app, "dask", cluster.scheduler_address)
    monkeypatch.delenv(dask_cluster.ENV_VAR, raising=False)
    yield
    await dask_cluster.disconnect()


def scheduler_keys(observer: Any, prefix: str) -> list[str]:
    keys = observer.run_on_scheduler(lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks])
    return [k for k in keys if k.startswith(prefix)]


def workers_busy(observer: Any) -> dict[str, int]:
    """Tasks each worker is executing right now, as the workers themselves see it."""
    return dict(observer.run(lambda dask_worker: len(dask_worker.state.executing)))


def idle_everywhere(observer: Any, prefix: str) -> bool:
    processing = observer.processing()
    return (
        not scheduler_keys(observer, prefix)
        and all(not tasks for tasks in processing.values())
        and not any(workers_busy(observer).values())
    )


async def eventually(check: Any, timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        await asyncio.sleep(0.05)


# -- results ---------------------------------------------------------------------------------


async def test_offload_returns_the_result_with_args_and_kwargs() -> None:
    assert await rx.offload(power, 7) == 49
    assert await rx.offload(power, 2, exp=10) == 1024
    # keywords that Client.submit also takes go to the function, not to Dask
    assert await rx.offload(tagged, 1, key="k", priority=5) == (1, "k", 5)


async def test_offload_does_not_block_the_kernel_loop() -> None:
    ticks = 0
    stop = False

    async def ticker() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1
            await asyncio.sleep(0.01)

    t = asyncio.get_running_loop().create_task(ticker())
    await rx.offload(power, 1)  # connected: the timing below is the work alone
    before = ticks
    assert await rx.offload(nap, 0.6) == 0.6
    during = ticks - before
    stop = True
    await t
    assert during >= 15, f"the loop ran only {during} ticks of 10 ms during a 0.6 s offload"


async def test_offload_map_yields_every_result_in_completion_order() -> None:
    slow_first = [(0.8, 0), (0.0, 1), (0.0, 2), (0.0, 3), (0.0, 4)]
    got = [r async for r in rx.offload_map(nap_then, slow_first)]
    assert sorted(got) == [0, 1, 2, 3, 4]
    # the first item sleeps 0.8 s; the other worker finishes fast items meanwhile, and they
    # come first (a fast item queued behind the slow one on its worker may come after it)
    assert got[0] != 0, f"results should come as they complete, got {got}"
    many = [r async for r in rx.offload_map(power, range(200))]
    assert sorted(many) == [i * i for i in range(200)]
    assert [r async for r in rx.offload_map(power, [])] == []


async def test_offload_map_reports_progress_to_the_run_and_its_var() -> None:
    seen: list[Progress] = []
    h = rx.start(Batch.squares, 12, 0.05)
    while not h.done():
        if h.progress is not None and (not seen or seen[-1] != h.progress):
            seen.append(h.progress)
        if h.key in RUNS.active:
            assert RUNS.active[h.key] is h  # the task monitor lists it
        await asyncio.sleep(0.005)
    result = await h
    assert sorted(result) == list(range(12))
    assert h.progress == Progress(12, 12, "nap_then")
    assert any(0 < p.done < 12 and p.total == 12 for p in seen), seen
    state = rx.get_state(Batch)
    await rx.wait_until(lambda: state.fraction == 1.0, timeout=5)
    assert state.results == list(range(12))


async def test_offload_map_outside_a_run_reports_nothing_and_works() -> None:
    got = [r async for r in rx.offload_map(power, [1, 2, 3], label="cell")]
    assert sorted(got) == [1, 4, 9]


# -- cancellation ----------------------------------------------------------------------------


async def test_cancelling_a_map_cancels_its_futures_and_frees_the_workers(
    observer: Any, tmp_path: Path
) -> None:
    n, seconds = 30, 0.4  # 6 s of work on 2 workers if nothing were cancelled
    h = rx.start(Batch.long_map, str(tmp_path), n, seconds)
    await rx.wait_until(lambda: h.progress is not None and h.progress.done >= 2, timeout=30)
    assert scheduler_keys(observer, "started_nap"), "the map's tasks should be on the scheduler"
    h.cancel()
    with pytest.raises(asyncio.CancelledError):
        await h
    assert h.status == "cancelled"
    await eventually(lambda: idle_everywhere(observer, "started_nap"), 5, "idle cluster")
    await asyncio.sleep(2 * seconds)  # anything still queued would have started by now
    started = len(list(tmp_path.glob("started-*")))
    assert started <= 8, f"{started} of {n} items started: the cancelled ones still ran"
    assert idle_everywhere(observer, "started_nap")


async def test_leaving_the_loop_early_cancels_what_has_not_finished(
    observer: Any, tmp_path: Path
) -> None:
    items = [(str(tmp_path / "a"), i, 0.3) for i in range(30)]
    (tmp_path / "a").mkdir()
    async for _ in rx.offload_map(started_nap, items):
        break  # outside a run
    await eventually(lambda: idle_everywhere(observer, "started_nap"), 5, "idle after break")
    assert len(list((tmp_path / "a").glob("started-*"))) <= 8

    (tmp_path / "b").mkdir()
    h = rx.start(Batch.breaks_out, str(tmp_path / "b"))  # inside a run, the body raises
    with pytest.raises(RuntimeError, match="stop after one"):
        await h
    await eventually(lambda: idle_everywhere(observer, "started_nap"), 5, "idle after raise")
    assert len(list((tmp_path / "b").glob("started-*"))) <= 8


async def test_the_monitor_cancel_button_cancels_an_offload(observer: Any) -> None:
    h = rx.start(Batch.long_one, 3.0)
    await eventually(lambda: bool(scheduler_keys(observer, "nap")), 10, "the task to arrive")
    await rx.fire(TaskMonitor.cancel, h.key)
    with pytest.raises(asyncio.CancelledError):
        await h
    assert h.status == "cancelled"
    # released on the scheduler long before the 3 s nap ends, then the worker is free again
    await eventually(lambda: not scheduler_keys(observer, "nap"), 2, "the key to be released")
    await eventually(lambda: idle_everywhere(observer, "nap"), 10, "idle workers")


# -- errors ----------------------------------------------------------------------------------


async def test_a_worker_exception_is_the_runs_error_with_the_worker_frames(
    capsys: pytest.CaptureFixture[str],
) -> None:
    h = rx.start(Batch.failing)
    with pytest.raises(ValueError, match=r"worker refused 1\.5") as info:
        await h
    assert h.status == "failed"
    assert any("Dask worker" in note for note in getattr(info.value, "__notes__", []))
    record = rx.errors()[-1]
    assert record.handler == "failing"
    assert isinstance(record.exception, ValueError)
    tb = record.traceback
    assert "in fail_on_worker" in tb and 'raise ValueError(f"worker refused {ratio}")' in tb
    assert __file__ in tb
    ui = core_of(rx.get_state(Batch)).part(ErrorLog).entries[-1]
    assert ui["type"] == "ValueError" and "in fail_on_worker" in ui["traceback"]
    printed = capsys.readouterr().err
    assert "Batch.failing raised ValueError" in printed and "in fail_on_worker" in printed


async def test_a_failing_item_raises_names_the_item_and_cancels_the_rest(observer: Any) -> None:
    h = rx.start(Batch.map_failing)
    with pytest.raises(KeyError, match="no item 3") as info:
        await h
    notes = " ".join(getattr(info.value, "__notes__", []))
    assert "item 3 of 8" in notes
    assert "in fails_on_three" in rx.errors()[-1].traceback
    await eventually(lambda: idle_everywhere(observer, "fails_on_three"), 5, "released items")


# -- state never leaves the kernel -----------------------------------------------------------


async def test_state_and_what_captures_it_is_refused_before_anything_is_sent(
    observer: Any,
) -> None:
    s = Batch()

    def reads_state() -> int:
        return len(s.items)

    def default_holds(x: int, st: Any = s) -> int:
        return x

    ns: dict[str, Any] = {"__name__": "__main__"}
    exec("def uses_global():\n    return st.items\n", ns)  # a notebook function: globals go too
    ns["st"] = s

    cases: list[tuple[Any, tuple[Any, ...], dict[str, Any], str]] = [
        (never_sent_7f3a, (s,), {}, "argument 1 of never_sent_7f3a is a Batch state instance"),
        (
            never_sent_7f3a,
            (1,),
            {"data": {"a": [s]}},
            "keyword argument data= of never_sent_7f3a holds a Batch",
        ),
        (never_sent_7f3a, (Batch,), {}, "the State class Batch"),
        (never_sent_7f3a, (Batch.items,), {}, "a reference to a State's var"),
        (reads_state, (), {}, "the function"),
        (default_holds, (1,), {}, "default_holds holds (in its closure"),
        (ns["uses_global"], (), {}, "the function uses_global"),
        (never_sent_7f3a, (core_of(s),), {}, "the internals of"),
    ]
    for fn, args, kwargs, where in cases:
        with pytest.raises(rx.OffloadError, match="pass them as plain") as info:
            await rx.offload(fn, *args, **kwargs)
        assert where in str(info.value), str(info.value)
    with pytest.raises(rx.OffloadError, match="item 2 of the items"):
        rx.offload_map(never_sent_7f3a, [1, [2], [s]])
    with pytest.raises(rx.OffloadError, match="the function"):
        rx.offload_map(reads_state, [1, 2])
    with pytest.raises(rx.OffloadError, match=r"cannot be pickled.*plain values"):
        await rx.offload(never_sent_7f3a, threading.Lock())
    prefixes = observer.run_on_scheduler(
        lambda dask_scheduler: [str(p) for p in dask_scheduler.task_prefixes]
    )
    assert not [p for p in prefixes if "never_sent_7f3a" in p or "reads_state" in p]


async def test_plain_values_read_from_a_state_are_sent() -> None:
    s = Batch(items=[4, 5, 6])
    assert await rx.offload(total, s.items) == 15  # a tracked list goes as a plain list
    got = [r async for r in rx.offload_map(total, [s.items, [1]])]
    assert sorted(got) == [1, 15]


async def test_async_functions_and_non_iterables_are_refused() -> None:
    async def coro() -> None:
        return None

    with pytest.raises(TypeError, match="async def"):
        await rx.offload(coro)
    with pytest.raises(TypeError, match="iterable of items"):
        rx.offload_map(power, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a function"):
        await rx.offload(3)  # type: ignore[arg-type]


# -- where the cluster is --------------------------------------------------------------------


async def test_app_dask_as_a_client_or_a_cluster(cluster: Any, observer: Any) -> None:
    async with distributed.Client(
        cluster.scheduler_address, asynchronous=True, set_as_default=False
    ) as mine:
        app.dask = mine
        assert await dask_cluster.dask_client() is mine  # used as it is
        assert await rx.offload(power, 5) == 25
        await dask_cluster.disconnect()
        assert mine.status == "running"  # not nbstate's to close
    app.dask = observer  # a synchronous client: nbstate connects its own to the same scheduler
    own = await dask_cluster.dask_client()
    assert own is not observer and own.asynchronous
    assert own.scheduler.address == observer.scheduler.address
    assert await rx.offload(power, 6) == 36
    app.dask = cluster
    assert await rx.offload(power, 4) == 16


async def test_the_environment_variable_names_the_scheduler(
    cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.dask = None
    monkeypatch.setenv(dask_cluster.ENV_VAR, cluster.scheduler_address)
    assert await rx.offload(power, 3) == 9
    client = await dask_cluster.dask_client()
    assert client.scheduler.address == cluster.scheduler_address
    assert dask_cluster.local_cluster() is None  # no LocalCluster was started for it


async def test_concurrent_first_calls_share_one_client() -> None:
    await dask_cluster.disconnect()
    clients = await asyncio.gather(*(dask_cluster.dask_client() for _ in range(5)))
    assert len({id(c) for c in clients}) == 1
    assert await asyncio.gather(*(rx.offload(power, i) for i in range(5))) == [0, 1, 4, 9, 16]


async def test_no_scheduler_at_the_address_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT", 1.0)
    app.dask = f"tcp://127.0.0.1:{port}"
    with pytest.raises(rx.OffloadError) as info:
        await rx.offload(power, 2)
    text = str(info.value)
    assert f"tcp://127.0.0.1:{port}" in text and "rx.app.dask" in text
    assert "dask scheduler" in text and "LocalCluster" in text
    app.dask = None
    monkeypatch.setenv(dask_cluster.ENV_VAR, f"tcp://127.0.0.1:{port}")
    with pytest.raises(rx.OffloadError, match=dask_cluster.ENV_VAR):
        await rx.offload(power, 2)
    app.dask = 42
    with pytest.raises(TypeError, match=r"rx\.app\.dask must be None"):
        await rx.offload(power, 2)
    app.dask = "  "
    with pytest.raises(ValueError, match="empty string"):
        await rx.offload(power, 2)


async def test_without_distributed_the_error_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'nbstate\[dask\]'"):
        await rx.offload(power, 2)
    with pytest.raises(ImportError, match=r"pip install 'nbstate\[dask\]'"):
        rx.offload_map(power, [1])


def test_cluster_info_shows_the_dashboard_link() -> None:
    info = dask_cluster.ClusterInfo(2, 1, "http://127.0.0.1:8787/status", "tcp://127.0.0.1:1")
    assert "2 worker processes x 1 thread" in repr(info)
    assert "http://127.0.0.1:8787/status" in repr(info)
    assert '<a href="http://127.0.0.1:8787/status"' in info._repr_html_()


def test_import_nbstate_does_not_import_distributed() -> None:
    import subprocess

    code = "import sys, nbstate; print('distributed' in sys.modules, 'cloudpickle' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.split() == ["False", "False"]
