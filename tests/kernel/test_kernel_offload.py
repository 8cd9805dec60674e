"""rx.offload in a real kernel: the LocalCluster nbstate starts on first use is shown once in
the cell output with its dashboard link, work runs from a background task, and the kernel's
shutdown leaves no worker process behind."""

from __future__ import annotations

import ast
import contextlib
import time
from typing import Any

import psutil
import pytest

from .harness import KernelFrontend

pytestmark = pytest.mark.timeout(240)

SOURCE = """\
import asyncio, os
import nbstate as rx

def square(x):
    return x * x

class Work(rx.State):
    total: int = 0

    @rx.background
    async def run(self, n: int):
        acc = 0
        async for r in rx.offload_map(square, range(n)):
            acc += r
        async with self:
            self.total = acc
        return acc
"""


def _cluster_outputs(kernel: KernelFrontend) -> list[dict[str, Any]]:
    """Every display of nbstate's LocalCluster in any cell's output."""
    return [
        m
        for m in kernel.messages()
        if m["msg_type"] == "display_data"
        and "Dask LocalCluster" in m["content"]["data"].get("text/plain", "")
    ]


def _start_work(kernel: KernelFrontend) -> tuple[str, list[int]]:
    """Runs an offload_map from a background task; returns that cell's id and the workers'
    process ids."""
    kernel.execute(SOURCE)
    cell = kernel.execute("h = rx.start(Work.run, 30)\nawait h", timeout=120)
    assert kernel.value("h.status, h.result(), rx.get_state(Work).total") == (
        f"('done', {sum(i * i for i in range(30))}, {sum(i * i for i in range(30))})"
    )
    pids = ast.literal_eval(
        kernel.value(
            "from nbstate._engine.cluster import dask_client\n"
            "sorted((await (await dask_client()).run(os.getpid)).values())"
        )
    )
    assert len(pids) >= 1 and all(isinstance(p, int) for p in pids)
    kernel_pid = int(kernel.value("os.getpid()"))
    for pid in pids:  # worker processes of this kernel's cluster, not someone else's
        assert kernel_pid in [p.pid for p in psutil.Process(pid).parents()]
    return cell, pids


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
    return out


def _wait_gone(pids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pids), f"worker processes still running: {_alive(pids)}"


def test_offload_from_a_task_shows_the_cluster_once_and_shutdown_stops_workers() -> None:
    kernel = KernelFrontend()
    closed = False
    try:
        cell, pids = _start_work(kernel)
        shown = _cluster_outputs(kernel)
        assert len(shown) == 1, f"the cluster was shown {len(shown)} times"
        assert shown[0]["parent_header"]["msg_id"] == cell  # in the cell that started it
        data = shown[0]["content"]["data"]
        assert "/status" in data["text/plain"] and "http://" in data["text/plain"]
        assert '<a href="http://' in data["text/html"]
        assert f"{len(pids)} worker processes" in data["text/plain"]
        # more work, from a cell and from another run: the cluster is not shown again
        assert kernel.value("await rx.offload(square, 12)") == "144"
        kernel.execute("h2 = rx.start(Work.run, 5)\nawait h2")
        assert len(_cluster_outputs(kernel)) == 1
        kernel_proc = psutil.Process(int(kernel.value("os.getpid()")))

        # a graceful shutdown, as JupyterLab's "Shut Down Kernel" asks for it
        kernel._stop.set()
        kernel._reader.join(timeout=2)
        kernel.kc.stop_channels()
        kernel.km.shutdown_kernel(now=False)
        closed = True
        with contextlib.suppress(psutil.NoSuchProcess):
            kernel_proc.wait(timeout=30)
        _wait_gone(pids, timeout=20)
    finally:
        if not closed:
            kernel.close()


def test_a_killed_kernel_leaves_no_worker_processes() -> None:
    """Even a kernel killed without a chance to clean up: the workers see their parent go."""
    kernel = KernelFrontend()
    try:
        _, pids = _start_work(kernel)
    finally:
        kernel.close()  # SIGKILL: shutdown_kernel(now=True)
    _wait_gone(pids, timeout=30)


def test_a_run_started_from_the_browser_shows_the_cluster_under_its_view() -> None:
    """A click starts the run: the cluster is announced in the output of the cell that shows
    the view, once, and the run's progress reaches the state's var."""
    kernel = KernelFrontend()
    try:
        kernel.execute(SOURCE)
        view_cell = kernel.execute(
            "class Clicks(rx.State):\n"
            "    fraction: float = 0.0\n"
            "    @rx.background\n"
            "    async def go(self, n: int):\n"
            "        async for _ in rx.offload_map(square, range(n), into=Clicks.fraction):\n"
            "            pass\n"
            "rx.vstack(rx.button('Go', on_click=Clicks.go(20)), rx.progress(value=Clicks.fraction))"
        )
        comm = kernel.comm_id_of("Clicks")
        kernel.send_event(comm, "go", 20)
        kernel.wait_for(
            lambda: kernel.frontend_state(comm).get("v_fraction") == 1.0,
            timeout=120,
            what="the fraction to reach 1.0",
        )
        shown = _cluster_outputs(kernel)
        assert len(shown) == 1
        assert shown[0]["parent_header"]["msg_id"] == view_cell
    finally:
        kernel.close()
