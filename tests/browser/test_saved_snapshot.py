"""Saving a notebook in JupyterLab or Notebook 7 stores each view's picture as of the save.

A person clicks and types in a live view, saves with Ctrl+S, and the saved file's static
snapshot (the view output's ``text/html``) shows the new values; nbconvert's HTML export of
that file shows them too. The save does not render the live view again.
"""

from __future__ import annotations

import json
from pathlib import Path

from nbconvert import HTMLExporter
from playwright.sync_api import Page, expect

from .helpers import (
    NotebookFrontend,
    cell_outputs,
    run_all_cells,
    save_notebook,
)
from .servers import write_notebook

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SECRET = "k9-" + "secret-" + "4711"  # a backend value: never in the page, the file or the export

STATE = """
import nbstate as rx

class Shop(rx.State):
    count: int = 0
    name: str = ""
    gift: bool = False
    _token: str = ""

    def add(self):
        self.count += 1
        self._token = "k9-" + "secret-" + "4711"  # built here: the source holds no copy

shop = rx.get_state(Shop)
"""

VIEW = """
rx.vstack(
    rx.heading("Count: ", Shop.count, size="4"),
    rx.text("Hello <", Shop.name, ">"),
    rx.button("Add", on_click=Shop.add),
    rx.input(value=Shop.name, on_change=Shop.set_name, placeholder="Your name"),
    rx.checkbox("Gift wrap", checked=Shop.gift, on_change=Shop.set_gift),
    rx.progress(value=Shop.count, max=10),
)
"""

def _saved_view_html(path: Path) -> str:
    nb = json.loads(path.read_text())
    found = [
        out["data"]["text/html"]
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if WIDGET_VIEW in out.get("data", {})
    ]
    assert len(found) == 1, f"expected one view output in the saved file, found {len(found)}"
    html = found[0]
    return "".join(html) if isinstance(html, list) else html


def test_saved_notebook_shows_the_values_at_save_time(
    notebook_frontend: NotebookFrontend, page: Page, jupyter_root: Path
) -> None:
    name = f"saved_snapshot_{notebook_frontend.name}.ipynb"
    path = write_notebook(jupyter_root / name, [STATE, VIEW])
    notebook_frontend.open(page, name)
    run_all_cells(page)
    view = cell_outputs(page, 1).locator(".nbstate-view")
    heading = view.get_by_role("heading")
    expect(heading).to_have_text("Count: 0", timeout=20_000)

    # What a person does: three clicks, a name typed, a box ticked.
    for _ in range(3):
        view.get_by_role("button", name="Add").click()
    expect(heading).to_have_text("Count: 3")
    box = view.get_by_placeholder("Your name")
    box.fill("Ada & Bob")
    expect(view.get_by_text("Hello <Ada & Bob>")).to_be_visible()
    view.get_by_role("checkbox", name="Gift wrap").check()
    expect(view.get_by_role("checkbox", name="Gift wrap")).to_be_checked()
    # The heading element the person sees now: the save must not build the view again.
    before = heading.element_handle()

    save_notebook(page)
    html = _saved_view_html(path)
    assert "Count: 3" in html
    assert "Hello &#60;Ada &#38; Bob&#62;" in html  # escaped text, not markup
    assert 'value="Ada &#38; Bob"' in html  # the input's value as typed
    assert "checked" in html and "disabled" in html
    assert 'aria-valuenow="3"' in html and "width:30%" in html  # the progress bar
    assert "<script" not in html.lower() and "onclick" not in html.lower()
    assert 'class="nbstate-saved"' in html and "<style>" in html
    assert SECRET not in path.read_text()
    assert before.evaluate("el => el.isConnected"), "saving rendered the live view again"
    expect(heading).to_have_text("Count: 3")

    # nbconvert's HTML export of the saved file shows the values at save time.
    body, _ = HTMLExporter().from_filename(str(path))
    assert "Count: 3</h2>" in body and 'value="Ada &amp; Bob"' in body  # nbconvert re-escapes
    assert SECRET not in body

    # A later save stores the later values.
    view.get_by_role("button", name="Add").click()
    expect(heading).to_have_text("Count: 4")
    box.fill("Cy")
    expect(view.get_by_text("Hello <Cy>")).to_be_visible()
    save_notebook(page)
    html = _saved_view_html(path)
    assert "Count: 4" in html and 'value="Cy"' in html and "Count: 3" not in html
    assert before.evaluate("el => el.isConnected")
