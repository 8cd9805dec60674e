"""Views import their ESM from the server once the page has checked it is served.

In JupyterLab and Notebook 7 the page's hub fetches ``nbstate/static/loader.js`` from its
labextensions URL, finds the kernel's exact loader and says so; the next view the kernel shows
names that URL (anywidget then imports it once per page instead of from a new Blob URL per
view), renders, and takes clicks like any other view. So does the next state model: its module
is the same URL, and the results of its events reach the view. A page of another origin that
joins the kernel later cannot import that URL: its views say so, and the state made again after
re-running its class works in both pages.
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page, Request, expect

from .helpers import (
    NotebookFrontend,
    add_and_run_cell,
    cell_outputs,
    cells,
    open_notebook_in_lab,
    run_all_cells,
    run_cell,
    widget_manager_state,
)
from .servers import JupyterServer, write_notebook

SOURCE = """
import nbstate as rx

class Tally(rx.State):
    n: int = 0

    def add(self):
        self.n += 1

rx.hstack(rx.text("n=", Tally.n), rx.button("Add", on_click=Tally.add))
"""
REPORTS = "from nbstate._wire import assets\nprint(set(assets.MODULES.pages.values()))"
AGAIN = 'rx.hstack(rx.text("again n=", Tally.n), rx.button("Add again", on_click=Tally.add))'
SEEN = 'rx.hstack(rx.text("seen k=", Later.k), rx.button("Bump", on_click=Later.bump))'
LATER = """
class Later(rx.State):
    k: int = 0

    def bump(self):
        self.k += 1
        if self.k == 2:
            raise ValueError("two is too many")

rx.hstack(rx.text("k=", Later.k), rx.button("Bump", on_click=Later.bump))
"""


def _wait_for_report(page: Page, base: str) -> None:
    """Runs REPORTS in a new cell until the kernel has a report naming ``base``."""
    reported = add_and_run_cell(page, REPORTS)
    index = cells(page).count() - 1
    for _ in range(10):
        if base in reported:
            return
        page.wait_for_timeout(300)
        reported = run_cell(page, index).inner_text()
    raise AssertionError(f"no page reported {base}: {reported}")


def _state_esms(page: Page) -> dict[str, str]:
    state = widget_manager_state(page)["state"]
    assert isinstance(state, dict)
    return {
        m["state"]["_nbstate_class"]: m["state"]["_esm"]
        for m in state.values()
        if "_nbstate_class" in m["state"]
    }


def _view_esms(page: Page) -> list[str]:
    state = widget_manager_state(page)["state"]
    assert isinstance(state, dict)
    # The kernel's spare (a view model opened ahead, with no tree yet) is no view shown.
    return [m["state"]["_esm"] for m in state.values() if m["state"].get("tree")]


SPARE = "import nbstate._ui.view as V\nprint(V.SPARE.view.model_id if V.SPARE.view else None)"


def test_a_rerun_cell_shows_its_view_on_the_spare_and_it_works(
    notebook_frontend: NotebookFrontend, page: Page, jupyter_root: Path
) -> None:
    """Once the page has reported, the kernel keeps a view model open ahead of need; re-running
    the cell shows its view on that model (imported already), and the view takes clicks."""
    name = f"view_spare_{notebook_frontend.name}.ipynb"
    write_notebook(jupyter_root / name, [SOURCE])
    notebook_frontend.open(page, name)
    run_all_cells(page)
    expect(cell_outputs(page, 0).get_by_text("n=0")).to_be_visible(timeout=20_000)
    _wait_for_report(page, notebook_frontend.server.url)
    spare = add_and_run_cell(page, SPARE).strip()
    index = cells(page).count() - 1
    for _ in range(10):
        if spare != "None":
            break
        page.wait_for_timeout(300)
        spare = run_cell(page, index).inner_text().strip()
    assert len(spare) == 32, spare

    run_cell(page, 0)  # the warm re-run: the class again, a new state, a new view
    view = cell_outputs(page, 0).locator(".nbstate-view")
    expect(view.get_by_text("n=0")).to_be_visible(timeout=20_000)
    shown = add_and_run_cell(page, "print(list(rx.app.views)[-1])").strip()
    assert shown == spare
    view.get_by_role("button", name="Add").click()
    expect(view.get_by_text("n=1")).to_be_visible()
    view.get_by_role("button", name="Add").click()
    expect(view.get_by_text("n=2")).to_be_visible()


def test_later_views_import_the_served_loader(
    notebook_frontend: NotebookFrontend, page: Page, jupyter_root: Path
) -> None:
    frontend, server = notebook_frontend.name, notebook_frontend.server
    fetched: list[str] = []

    def on_request(req: Request) -> None:
        if "/nbstate/static/loader.js" in req.url:
            fetched.append(req.url)

    page.on("request", on_request)
    name = f"view_modules_{frontend}.ipynb"
    write_notebook(jupyter_root / name, [SOURCE])
    notebook_frontend.open(page, name)
    run_all_cells(page)
    first = cell_outputs(page, 0).locator(".nbstate-view")
    expect(first.get_by_text("n=0")).to_be_visible(timeout=20_000)
    # The first view came with the kernel's first cell, before the page could report: inline.
    [esm] = _view_esms(page)
    assert not esm.startswith("http")
    # The page checked the served loader (its server serves this checkout's build).
    deadline = time.monotonic() + 20
    while not fetched and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert fetched and fetched[0].startswith(server.url), fetched
    # ... and told the kernel (its report travels on the hub after the check).
    _wait_for_report(page, server.url)

    add_and_run_cell(page, AGAIN)
    second = cell_outputs(page, 2).locator(".nbstate-view")
    expect(second.get_by_text("again n=0")).to_be_visible(timeout=20_000)
    urls = [e for e in _view_esms(page) if e.startswith("http")]
    assert len(urls) == 1 and urls[0].startswith(server.url), _view_esms(page)
    assert "/nbstate/static/loader.js?v=" in urls[0]

    second.get_by_role("button", name="Add again").click()
    expect(second.get_by_text("again n=1")).to_be_visible()
    expect(first.get_by_text("n=1")).to_be_visible()

    # A state model made after the report names the same URL, and works as one.
    add_and_run_cell(page, LATER)
    later = cell_outputs(page, 3).locator(".nbstate-view")
    expect(later.get_by_text("k=0")).to_be_visible(timeout=20_000)
    esms = _state_esms(page)
    assert not esms["Tally"].startswith("http"), esms
    assert esms["Later"] == urls[0], esms
    later.get_by_role("button", name="Bump").click()
    expect(later.get_by_text("k=1")).to_be_visible()
    later.get_by_role("button", name="Bump").click()  # its error travels on the state's model
    expect(later.locator("[data-nbstate=error-entry]")).to_contain_text("two is too many")
    expect(later.locator("[data-nbstate=error-entry]")).not_to_contain_text("ModuleError")


def test_a_page_of_another_origin_says_which_state_it_cannot_load(
    jupyter_lab_server: JupyterServer, page: Page, jupyter_root: Path
) -> None:
    server = jupyter_lab_server
    name = "view_modules_two_origins.ipynb"
    write_notebook(jupyter_root / name, [SOURCE])
    open_notebook_in_lab(page, server, name)
    run_all_cells(page)
    expect(cell_outputs(page, 0).locator(".nbstate-view").get_by_text("n=0")).to_be_visible(
        timeout=20_000
    )
    _wait_for_report(page, server.url)
    add_and_run_cell(page, LATER)
    assert _state_esms(page)["Later"].startswith(server.url + "/lab/extensions/")

    # The same kernel, opened from http://localhost:<port>: another origin, which the first
    # page's server sends no CORS headers for, so Later's module URL cannot be imported here.
    other = server.url.replace("127.0.0.1", "localhost")
    assert other != server.url
    second = page.context.new_page()
    open_notebook_in_lab(second, server, name, origin=other)
    _wait_for_report(second, other)
    add_and_run_cell(second, SEEN)
    view = cell_outputs(second, cells(second).count() - 1).locator(".nbstate-view")
    expect(view.get_by_text("seen k=0")).to_be_visible(timeout=20_000)
    error = view.locator("[data-nbstate=error-entry]")
    expect(error).to_contain_text("ModuleError", timeout=20_000)
    expect(error).to_contain_text("the model of Later cannot load its module in this page")
    expect(error).to_contain_text("Re-run the cell that defines the state's class.")

    # Defined again now that the pages disagree, the state's model carries its module inline:
    # its events' results reach this page again (the error of the second bump shows).
    add_and_run_cell(second, LATER)
    again = cell_outputs(second, cells(second).count() - 1).locator(".nbstate-view")
    expect(again.get_by_text("k=0")).to_be_visible(timeout=20_000)
    assert not _state_esms(second)["Later"].startswith("http")
    again.get_by_role("button", name="Bump").click()
    expect(again.get_by_text("k=1")).to_be_visible()
    again.get_by_role("button", name="Bump").click()
    expect(again.locator("[data-nbstate=error-entry]")).to_contain_text("two is too many")
    expect(again.locator("[data-nbstate=error-entry]")).not_to_contain_text("ModuleError")
    second.close()
