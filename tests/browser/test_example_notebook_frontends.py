"""The DESIGN.md example in JupyterLab 4 and Notebook 7, driven by clicks and typing.

Each test runs once per frontend; the checks themselves live in example_checks.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from . import example_checks as checks
from .helpers import (
    CounterView,
    NotebookFrontend,
    add_and_run_cell,
    cell_outputs,
    example_source,
    run_all_cells,
)
from .servers import write_notebook

Opener = Callable[[str], CounterView]


@pytest.fixture
def open_example(notebook_frontend: NotebookFrontend, page: Page, jupyter_root: Path) -> Opener:
    """Opens a fresh copy of the example in one frontend, runs it and returns its view."""

    def open_(what: str) -> CounterView:
        name = f"example_{notebook_frontend.name}_{what}.ipynb"
        write_notebook(jupyter_root / name, [example_source()])
        notebook_frontend.open(page, name)
        run_all_cells(page)
        ui = CounterView(page, cell_outputs(page, 0).locator(".nbstate-view"))
        ui.wait_rendered()
        return ui

    return open_


def test_start_ticks_twice_a_second(open_example: Opener) -> None:
    """Start flips the label to Stop and the counter ticks ~2/s until the default max of 10."""
    checks.check_start_ticks_and_stops_at_default_max(open_example("ticks"))


def test_cell_runs_while_counter_ticks(open_example: Opener, page: Page) -> None:
    """While the counter ticks, another cell runs and prints, and the counter keeps ticking."""
    ui = open_example("cell")
    checks.check_initial(ui)
    checks.start_long_run(ui)
    out = add_and_run_cell(page, "print('cell ran while ticking:', 6 * 7)")
    assert out == "cell ran while ticking: 42"
    before = ui.counter()
    ui.wait_counter(lambda n: n >= before + 2, f"at least {before + 2}", 10_000)
    checks.stop(ui)


def test_stops_at_max_typed_in_input(open_example: Opener, page: Page) -> None:
    """The counter stops at the max_counter typed into the number input (4), and stays there."""
    checks.check_stops_at_typed_max(open_example("max"))
    assert "max_counter=4" in add_and_run_cell(page, "print(rx.get_state(MyTaskState))")


def test_reset_and_stop(open_example: Opener) -> None:
    """Reset returns the counter to 0, running or stopped; Stop freezes it."""
    checks.check_reset_and_stop(open_example("reset"))


def test_quick_toggle_runs_one_task(open_example: Opener, page: Page) -> None:
    """Start, Stop, Start clicked quickly leaves exactly one task ticking (~2/s, one run)."""
    ui = open_example("toggle")
    checks.quick_start_stop_start(ui)
    checks.check_one_task_rate(ui)
    out = add_and_run_cell(
        page, "print(rx.get_state(MyTaskState)._n_tasks, len(rx.app.background_tasks))"
    )
    assert out == "1 1", f"_n_tasks and running tasks: {out!r}"
    checks.check_one_task_rate(ui)
    checks.stop(ui)
