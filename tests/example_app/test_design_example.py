"""How a user tests the DESIGN.md example's state with pytest and nbstate.testing.

This file is written as a user's own test file would be (docs/testing.md walks through it).
In your project the import is ``from my_app import MyTaskState``; here the example lives in
``tests/typing/design_example.py``, kept equal to the first notebook's cell by a test.
The ``nbstate_app`` fixture comes from the plugin nbstate registers with pytest.
"""

from __future__ import annotations

import pytest

import nbstate as rx
from nbstate.testing import mount
from tests.typing.design_example import MyTaskState

pytestmark = pytest.mark.timeout(60)


async def test_start_counts_up_to_max_and_stops(nbstate_app: object) -> None:
    """Start ticks the counter about twice a second and stops by itself at max_counter."""
    state = rx.get_state(MyTaskState)
    await rx.fire(MyTaskState.set_max_counter, "2")  # what the number input sends: text
    await rx.fire(MyTaskState.toggle_running)
    assert state.running
    await rx.wait_until(lambda: not state.running, timeout=5)
    assert state.counter == 2
    await rx.wait_until(lambda: not rx.app.runs(), timeout=2)  # the task has ended


async def test_reset_clears_the_counter(nbstate_app: object) -> None:
    state = rx.get_state(MyTaskState)
    state.counter = 7  # a direct write from test code commits at once when the lock is free
    await rx.fire(MyTaskState.clear_counter)
    assert state.counter == 0


async def test_typing_a_word_into_max_is_refused(nbstate_app: object) -> None:
    """A value the setter cannot convert is refused before the handler runs; nothing changes."""
    state = rx.get_state(MyTaskState)
    with pytest.raises(rx.EventRejected, match="set_max_counter"):
        await rx.fire(MyTaskState.set_max_counter, "ten")
    assert state.max_counter == 10


async def test_quick_toggles_leave_one_task(nbstate_app: object) -> None:
    """Start, Stop, Start in quick succession: one task counts, never two."""
    state = rx.get_state(MyTaskState)
    for _ in range(3):
        await rx.fire(MyTaskState.toggle_running)
    await rx.idle()
    await rx.wait_until(lambda: state.counter >= 1, timeout=3)
    assert state._n_tasks == 1
    await rx.fire(MyTaskState.toggle_running)  # Stop
    await rx.wait_until(lambda: state._n_tasks == 0, timeout=3)


async def test_the_ui_as_a_person_uses_it(nbstate_app: object) -> None:
    """The same example through its UI: find the controls by role, type, click, read."""
    ui = mount(
        rx.hstack(
            rx.heading(MyTaskState.counter, " /"),
            rx.chakra.number_input(
                value=MyTaskState.max_counter, on_change=MyTaskState.set_max_counter
            ),
            rx.button(
                rx.cond(~MyTaskState.running, "Start", "Stop"),
                on_click=MyTaskState.toggle_running,
            ),
            rx.button("Reset", on_click=MyTaskState.clear_counter),
        )
    )
    ui.get_by_role("spinbutton").fill("3")
    ui.get_by_role("button", name="Start").click()
    await ui.settle()
    assert ui.get_by_role("button", name="Stop").count() == 1
    await rx.wait_until(lambda: ui.get_by_role("heading").text() == "3 /", timeout=5)
    await rx.wait_until(lambda: ui.get_by_role("button", name="Start").count() == 1, timeout=2)
    ui.get_by_role("button", name="Reset").click()
    await ui.settle()
    assert ui.text() == "0 /StartReset"
