"""State traits linked to ipywidgets in the browser with jslink: both ways, checked."""

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

class Level(rx.State):
    level: int = 0

s = rx.get_state(Level)
m = rx.model(s)
slider = w.IntSlider(max=100, description="level")
box = w.Text(description="as text")
w.jslink((slider, "value"), (m, "v_level"))
w.jslink((box, "value"), (m, "v_level"))
w.VBox([slider, box])
"""


def test_a_jslinked_slider_drives_and_follows_a_state_var(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """Dragging sets the var; a kernel change moves the slider; a bad value is refused."""
    write_notebook(jupyter_root / "jslink_level.ipynb", [CELL])
    open_notebook_in_lab(page, jupyter_lab_server, "jslink_level.ipynb")
    run_all_cells(page)
    slider = page.locator(".widget-slider").first
    readout = slider.locator(".widget-readout")
    expect(readout).to_have_text("0")

    # Drag the handle (keyboard steps, as a person with arrow keys would).
    handle = slider.locator(".noUi-handle")
    handle.click()
    for _ in range(5):
        handle.press("ArrowRight")
    expect(readout).to_have_text("5")
    assert add_and_run_cell(page, "print(s.level)") == "5"

    # A change in the kernel moves the slider (and the linked text box).
    add_and_run_cell(page, "s.level = 40")
    expect(readout).to_have_text("40")
    text = page.locator(".widget-text input").first
    expect(text).to_have_value("40")

    # Text that is not an int is refused: the kernel keeps 40 and the widgets go back to it.
    text.fill("lots")
    text.press("Enter")
    expect(text).to_have_value("40", timeout=10_000)
    expect(readout).to_have_text("40")
    out = add_and_run_cell(page, "print(s.level, m._nbstate_errors[-1]['type'])")
    assert out == "40 EventRejected", out
