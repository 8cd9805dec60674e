"""debounce= and throttle= in JupyterLab: typing a word sends what the person meant, not a key
at a time."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .helpers import cell_outputs, open_notebook_in_lab, run_all_cells
from .servers import JupyterServer, write_notebook

SOURCE = """
import nbstate as rx

class Search(rx.State):
    query: str = ""
    sent: list[str] = []

    def set_query(self, value: str):
        self.query = value
        self.sent.append(value)

rx.vstack(
    rx.input(value=Search.query, on_change=Search.set_query, debounce=300,
             placeholder="Search"),
    rx.text(f"query={Search.query} sent={Search.sent}", id="echo"),
)
"""


def test_a_debounced_input_sends_one_event_after_typing_stops(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """Typing 'nbstate' (40 ms between keys) with debounce=300 sends one event, the whole word;
    the field keeps showing what was typed meanwhile."""
    name = "pacing.ipynb"
    write_notebook(jupyter_root / name, [SOURCE])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    view = cell_outputs(page, 0).locator(".nbstate-view")
    field = view.get_by_placeholder("Search")
    field.click()
    field.press_sequentially("nbstate", delay=40)
    expect(field).to_have_value("nbstate")
    echo = view.locator("#echo")
    expect(echo).to_have_text('query=nbstate sent=["nbstate"]', timeout=5_000)
    page.wait_for_timeout(600)  # nothing more arrives later
    expect(echo).to_have_text('query=nbstate sent=["nbstate"]')
