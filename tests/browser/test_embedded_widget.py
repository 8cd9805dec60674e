"""An existing ipywidget placed inside an nbstate layout renders and works there."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import add_and_run_cell, open_notebook_in_lab, run_all_cells
from .servers import JupyterServer, write_notebook

pytestmark = pytest.mark.browser

CELL = """
import ipywidgets as w
import nbstate as rx

class Embed(rx.State):
    clicks: int = 0

    def click(self):
        self.clicks += 1

slider = w.IntSlider(value=3, description="level")
rx.vstack(
    rx.heading(f"clicks: {Embed.clicks}", level=4),
    rx.hstack(slider, rx.button("Click", on_click=Embed.click)),
)
"""


def test_ipywidget_inside_layout_renders_and_syncs(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """An IntSlider inside an hstack shows its value and follows kernel-side changes."""
    write_notebook(jupyter_root / "embedded_widget.ipynb", [CELL])
    open_notebook_in_lab(page, jupyter_lab_server, "embedded_widget.ipynb")
    run_all_cells(page)
    view = page.locator(".nbstate-view").first
    slider = view.locator(".widget-slider")
    expect(slider).to_have_count(1)
    expect(slider.locator(".widget-readout")).to_have_text("3")
    view.get_by_role("button", name="Click", exact=True).click()
    expect(view.get_by_role("heading")).to_have_text("clicks: 1")
    assert add_and_run_cell(page, "slider.value = 7\nprint(slider.value)") == "7"
    expect(slider.locator(".widget-readout")).to_have_text("7")
