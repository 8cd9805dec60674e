"""The DESIGN.md example rendered by Voila, driven by clicks and typing (see example_checks.py).

Voila runs the notebook in a fresh kernel per page and shows only the outputs, so everything
here is read from and done in the rendered view.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from . import example_checks as checks
from .helpers import CounterView, example_source, open_in_voila, views
from .servers import JupyterServer, write_notebook


def _open(page: Page, server: JupyterServer, root: Path, name: str) -> CounterView:
    write_notebook(root / name, [example_source()])
    open_in_voila(page, server, name)
    expect(views(page)).to_have_count(1)
    ui = CounterView(page, views(page).first)
    ui.wait_rendered()
    expect(page.get_by_text("class MyTaskState")).to_have_count(0)  # Voila hides the source
    return ui


def test_voila_start_ticks_twice_a_second(
    page: Page, voila_server: JupyterServer, jupyter_root: Path
) -> None:
    """Start flips the label to Stop and the counter ticks ~2/s until the default max of 10."""
    ui = _open(page, voila_server, jupyter_root, "example_voila_ticks.ipynb")
    checks.check_start_ticks_and_stops_at_default_max(ui)


def test_voila_stops_at_max_typed_in_input(
    page: Page, voila_server: JupyterServer, jupyter_root: Path
) -> None:
    """The counter stops at the max_counter typed into the number input (4), and stays there."""
    ui = _open(page, voila_server, jupyter_root, "example_voila_max.ipynb")
    checks.check_stops_at_typed_max(ui)


def test_voila_reset_and_stop(page: Page, voila_server: JupyterServer, jupyter_root: Path) -> None:
    """Reset returns the counter to 0, running or stopped; Stop freezes it."""
    ui = _open(page, voila_server, jupyter_root, "example_voila_reset.ipynb")
    checks.check_reset_and_stop(ui)


def test_voila_quick_toggle_runs_one_task(
    page: Page, voila_server: JupyterServer, jupyter_root: Path
) -> None:
    """Start, Stop, Start clicked quickly leaves one task ticking (about 2/s, not 4/s)."""
    ui = _open(page, voila_server, jupyter_root, "example_voila_toggle.ipynb")
    checks.quick_start_stop_start(ui)
    checks.check_one_task_rate(ui)
    checks.stop(ui)
