"""The DESIGN.md example's state, driven over comms in a real kernel."""

from __future__ import annotations

import time

import pytest

from ..examples import design_example
from .harness import KernelFrontend

pytestmark = pytest.mark.timeout(120)

EXAMPLE_STATE = design_example() + "\nstate = rx.get_state(MyTaskState)\nrx.model(state);\n"


def _counter(k: KernelFrontend, comm: str) -> int:
    return int(k.frontend_state(comm).get("v_counter", -1))


def test_example_counts_stops_at_max_and_resets(kernel: KernelFrontend) -> None:
    """Toggling runs the task at about 2 per second; it stops at max_counter; reset works."""
    kernel.execute(EXAMPLE_STATE)
    comm = kernel.comm_id_of("MyTaskState")
    assert kernel.frontend_state(comm)["v_counter"] == 0
    assert "v__n_tasks" not in kernel.frontend_state(comm)

    kernel.send_event(comm, "set_max_counter", "6", event_id=1)
    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_max_counter") == 6)
    kernel.send_event(comm, "toggle_running", event_id=2)
    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_running") is True)
    t0 = time.monotonic()
    kernel.wait_for(lambda: _counter(kernel, comm) >= 4, timeout=10, what="counter to reach 4")
    elapsed = time.monotonic() - t0
    # 4 ticks at 0.5 s: the first is immediate, so at least 1.5 s; generous on a busy machine.
    assert 1.3 < elapsed < 6, elapsed

    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_running") is False, timeout=10)
    time.sleep(1.2)
    assert _counter(kernel, comm) == 6
    assert kernel.value("state.counter, state._n_tasks") == "(6, 0)"

    kernel.send_event(comm, "clear_counter", event_id=3)
    kernel.wait_for(lambda: _counter(kernel, comm) == 0, what="reset")
    assert {"kind": "done", "id": 3} in kernel.customs(comm)


def test_cell_runs_promptly_while_task_ticks(kernel: KernelFrontend) -> None:
    """A cell executed while the task runs finishes while the task is still ticking."""
    kernel.execute(EXAMPLE_STATE + "\nstate.max_counter = 1000\n")
    comm = kernel.comm_id_of("MyTaskState")
    kernel.send_event(comm, "toggle_running", event_id=1)
    kernel.wait_for(lambda: _counter(kernel, comm) >= 2, what="ticking")
    msg_id = kernel.execute("print('cell ran', 1 + 1)", timeout=5)
    assert kernel.stream_text(msg_id) == "cell ran 2\n"
    before = _counter(kernel, comm)
    kernel.wait_for(lambda: _counter(kernel, comm) > before, what="still ticking")
    kernel.send_event(comm, "toggle_running", event_id=2)
    kernel.wait_for(lambda: kernel.frontend_state(comm).get("v_running") is False)


def test_toggling_fast_keeps_one_task(kernel: KernelFrontend) -> None:
    """Start, Stop, Start in quick succession leaves exactly one task ticking."""
    kernel.execute(EXAMPLE_STATE + "\nstate.max_counter = 1000\n")
    comm = kernel.comm_id_of("MyTaskState")
    for i in range(3):
        kernel.send_event(comm, "toggle_running", event_id=i)
    kernel.wait_for(lambda: _counter(kernel, comm) >= 3, what="ticking")
    assert kernel.value("state._n_tasks") == "1"
    c0 = _counter(kernel, comm)
    time.sleep(2.0)
    ticks = _counter(kernel, comm) - c0
    assert 2 <= ticks <= 6, ticks  # one task: ~4 ticks in 2 s; two tasks would give ~8
    kernel.send_event(comm, "toggle_running", event_id=9)
    kernel.wait_for(lambda: kernel.value("len(rx.app.background_tasks)") == "0", what="stop")


def test_cell_can_await_state_while_events_arrive(kernel: KernelFrontend) -> None:
    """A cell awaiting a state condition sees events the frontend sends meanwhile."""
    kernel.execute(EXAMPLE_STATE)
    comm = kernel.comm_id_of("MyTaskState")
    waiting = kernel.submit(
        "while state.counter < 2:\n    await asyncio.sleep(0.05)\nprint('reached', state.counter)"
    )
    time.sleep(0.3)
    assert not kernel.idle(waiting)
    kernel.send_event(comm, "toggle_running", event_id=1)
    kernel.wait_for(lambda: kernel.idle(waiting), timeout=15, what="awaiting cell to finish")
    assert kernel.stream_text(waiting).startswith("reached")
    kernel.send_event(comm, "toggle_running", event_id=2)
