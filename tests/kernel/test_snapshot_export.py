"""A notebook that shows a view, run by nbclient and exported by nbconvert: the HTML page (no
widget manager, no widget state) shows the static snapshot with the values at display time."""

from __future__ import annotations

import pathlib
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

pytestmark = pytest.mark.timeout(120)

ROOT = pathlib.Path(__file__).resolve().parents[2]

STATE = """import nbstate as rx

class Shop(rx.State):
    counter: int = 0
    items: list[str] = ["apples", "pears <ripe>"]
    _token: str = ""

    def inc(self):
        self.counter += 1
        self._token = "tok" + "-" + "93" + "17"   # a backend value, never shown

await rx.fire(Shop.inc)
await rx.fire(Shop.inc)
"""

VIEW = """rx.vstack(
    rx.heading("Count: ", Shop.counter),
    rx.button(rx.cond(Shop.counter > 1, "Many", "Few"), on_click=Shop.inc),
    rx.button("Reset"),
    rx.foreach(Shop.items, lambda item: rx.text(item)),
)"""


def test_exported_html_shows_the_snapshot(tmp_path: pathlib.Path) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(STATE), nbformat.v4.new_code_cell(VIEW)]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(ROOT)}},
    ).execute()
    (output,) = nb.cells[1].outputs
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
    snapshot = output["data"]["text/html"]

    body, _resources = HTMLExporter().from_notebook_node(nb)
    (tmp_path / "out.html").write_text(body)
    # The exporter re-serializes the HTML (attribute order), but keeps its content and style.
    assert '<div class="nbstate-snapshot"><style>.nbstate-snapshot{' in body
    assert "<h2>Count: 2</h2>" in body
    assert ">Many</button>" in body and ">Reset</button>" in body
    assert "<p>apples</p>" in body and "<p>pears &lt;ripe&gt;</p>" in body
    assert "tok-9317" not in body
    assert not re.search(r"<script|\son\w+=|javascript:", snapshot, re.IGNORECASE)
