"""The DESIGN.md example in Notebook 7, driven by clicks and typing (see example_checks.py)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from . import example_checks as checks
from .helpers import (
    CounterView,
    add_and_run_cell,
    cell_outputs,
    example_source,
    open_notebook_in_notebook7,
    run_all_cells,
)
from .servers import JupyterServer, write_notebook


def _open(page: Page, server: JupyterServer, root: Path, name: str) -> CounterView:
    write_notebook(root / name, [example_source()])
    open_notebook_in_notebook7(page, server, name)
    run_all_cells(page)
    ui = CounterView(page, cell_outputs(page, 0).locator(".nbstate-view"))
    ui.wait_rendered()
    return ui


def test_notebook7_start_ticks_twice_a_second(
    page: Page, notebook7_server: JupyterServer, jupyter_root: Path
) -> None:
    """Start flips the label to Stop and the counter ticks ~2/s until the default max of 10."""
    ui = _open(page, notebook7_server, jupyter_root, "example_nb7_ticks.ipynb")
    checks.check_start_ticks_and_stops_at_default_max(ui)


def test_notebook7_cell_runs_while_counter_ticks(
    page: Page, notebook7_server: JupyterServer, jupyter_root: Path
) -> None:
    """While the counter ticks, another cell runs and prints, and the counter keeps ticking."""
    ui = _open(page, notebook7_server, jupyter_root, "example_nb7_cell.ipynb")
    checks.check_initial(ui)
    checks.start_long_run(ui)
    out = add_and_run_cell(page, "print('cell ran while ticking:', 6 * 7)")
    assert out == "cell ran while ticking: 42"
    before = ui.counter()
    ui.wait_counter(lambda n: n >= before + 2, f"at least {before + 2}", 10_000)
    checks.stop(ui)


def test_notebook7_stops_at_max_typed_in_input(
    page: Page, notebook7_server: JupyterServer, jupyter_root: Path
) -> None:
    """The counter stops at the max_counter typed into the number input (4), and stays there."""
    ui = _open(page, notebook7_server, jupyter_root, "example_nb7_max.ipynb")
    checks.check_stops_at_typed_max(ui)
    assert "max_counter=4" in add_and_run_cell(page, "print(rx.get_state(MyTaskState))")


def test_notebook7_reset_and_stop(
    page: Page, notebook7_server: JupyterServer, jupyter_root: Path
) -> None:
    """Reset returns the counter to 0, running or stopped; Stop freezes it."""
    ui = _open(page, notebook7_server, jupyter_root, "example_nb7_reset.ipynb")
    checks.check_reset_and_stop(ui)


def test_notebook7_quick_toggle_runs_one_task(
    page: Page, notebook7_server: JupyterServer, jupyter_root: Path
) -> None:
    """Start, Stop, Start clicked quickly leaves exactly one task ticking (~2/s, one run)."""
    ui = _open(page, notebook7_server, jupyter_root, "example_nb7_toggle.ipynb")
    checks.quick_start_stop_start(ui)
    checks.check_one_task_rate(ui)
    out = add_and_run_cell(
        page, "print(rx.get_state(MyTaskState)._n_tasks, len(rx.app.background_tasks))"
    )
    assert out == "1 1", f"_n_tasks and running tasks: {out!r}"
    checks.check_one_task_rate(ui)
    checks.stop(ui)
