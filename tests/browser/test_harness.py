"""Smoke tests of the browser harness itself: real servers, real widgets, real kernels.

The same two-cell notebook is opened in JupyterLab, Notebook 7 and Voila. An ipywidgets
IntSlider must render (its readout shows 3, which needs the widget manager and a live comm), and
the stdout of ``print("hello", 1+1)`` must show up. If a page does not render, these fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import (
    add_and_run_cell,
    cell_outputs,
    cells,
    open_in_voila,
    open_notebook_in_lab,
    open_notebook_in_notebook7,
    run_all_cells,
    run_cell,
)
from .servers import JupyterServer, write_notebook

pytestmark = pytest.mark.browser

SLIDER_CELL = "import ipywidgets as w; s = w.IntSlider(value=3); s"
PRINT_CELL = 'print("hello", 1+1)'


def _write(root: Path, name: str) -> str:
    write_notebook(root / name, [SLIDER_CELL, PRINT_CELL])
    return name


def _check_notebook_frontend(page: Page) -> None:
    """Shared checks for JupyterLab and Notebook 7 once the notebook is open."""
    assert cells(page).count() == 2
    run_all_cells(page)
    expect(cells(page).nth(0).locator(".jp-InputPrompt")).to_have_text("[1]:")

    slider = cell_outputs(page, 0).locator(".widget-slider")
    expect(slider).to_have_count(1)
    expect(slider.locator(".widget-readout")).to_have_text("3")
    expect(slider.get_by_role("slider")).to_have_attribute("aria-valuenow", "3.0")
    expect(cell_outputs(page, 1)).to_have_text("hello 2")

    # Kernel -> frontend through the widget comm.
    assert add_and_run_cell(page, "s.value = 42\nprint('set', s.value)") == "set 42"
    expect(slider.locator(".widget-readout")).to_have_text("42")

    # Re-running a single cell replaces its output.
    assert add_and_run_cell(page, "n = 0") == ""
    assert add_and_run_cell(page, "n += 1\nprint('n is', n)") == "n is 1"
    run_cell(page, -1)
    expect(cell_outputs(page, -1)).to_have_text("n is 2")
    assert cells(page).count() == 5
    # Every cell still shows its source (the helpers never collapse an input by accident).
    expect(cells(page).locator(".jp-InputPlaceholder")).to_have_count(0)


def test_jupyterlab_renders_widget_and_stdout(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """JupyterLab runs cells, renders an ipywidget and shows stdout."""
    name = _write(jupyter_root, "harness_lab.ipynb")
    open_notebook_in_lab(page, jupyter_lab_server, name)
    _check_notebook_frontend(page)


def test_notebook7_renders_widget_and_stdout(
    page: Page, notebook7_server: JupyterServer, jupyter_root: Path
) -> None:
    """Notebook 7 runs cells, renders an ipywidget and shows stdout."""
    name = _write(jupyter_root, "harness_nb7.ipynb")
    open_notebook_in_notebook7(page, notebook7_server, name)
    expect(page.locator("#jp-top-panel, #top-panel-wrapper").first).to_contain_text("harness_nb7")
    _check_notebook_frontend(page)


def test_voila_renders_widget_and_stdout(
    page: Page, voila_server: JupyterServer, jupyter_root: Path
) -> None:
    """Voila renders an ipywidget and stdout, and no source code."""
    name = _write(jupyter_root, "harness_voila.ipynb")
    open_in_voila(page, voila_server, name)
    readout = page.locator(".widget-slider .widget-readout")
    expect(readout).to_have_count(1)
    expect(readout).to_have_text("3")
    # Voila shows stdout of cells by default (only the source is hidden).
    expect(page.locator(".jp-OutputArea-output", has_text="hello 2")).to_have_count(1)
    expect(page.get_by_text("IntSlider(value=3)")).to_have_count(0)  # not the text fallback
    expect(page.get_by_text("print(")).to_have_count(0)  # no source code
