"""Views in JupyterLab: two views of one state, a reloaded page, errors, and backend vars.

Everything is done the way a person would: click buttons, type into inputs, run cells, reload
the page, read text.
"""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, WebSocket, expect

from . import example_checks as checks
from .helpers import (
    CounterView,
    add_and_run_cell,
    cell_outputs,
    example_source,
    example_tree_source,
    open_notebook_in_lab,
    run_all_cells,
    save_notebook,
    stderr_outputs,
    views,
    wait_notebook_ready,
    widget_manager_state,
)
from .servers import JupyterServer, write_notebook


def test_two_views_of_one_state_stay_in_sync(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """The same tree displayed in two cells: typing, clicking and ticking in one shows in both."""
    name = "views_two.ipynb"
    write_notebook(jupyter_root / name, [example_source(), example_tree_source()])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    expect(views(page)).to_have_count(2)
    first = CounterView(page, cell_outputs(page, 0).locator(".nbstate-view"))
    second = CounterView(page, cell_outputs(page, 1).locator(".nbstate-view"))
    checks.check_initial(first)
    checks.check_initial(second)

    first.type_max(3)
    expect(second.max_input).to_have_value("3")
    second.toggle.click()
    expect(first.toggle).to_have_text("Stop")
    expect(second.toggle).to_have_text("Stop")
    first.wait_counter(lambda n: n >= 1, "at least 1 in the first view", 10_000)
    for ui in (first, second):
        expect(ui.toggle).to_have_text("Start", timeout=checks.STOP_TIMEOUT)
        expect(ui.heading).to_have_text("3 /")

    first.reset.click()
    expect(second.heading).to_have_text("0 /")
    expect(first.heading).to_have_text("0 /")


def test_reload_shows_current_values(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """After a page reload, JupyterLab shows the saved view with the kernel's current values."""
    name = "views_reload.ipynb"
    write_notebook(jupyter_root / name, [example_source()])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    ui = CounterView(page, cell_outputs(page, 0).locator(".nbstate-view"))
    checks.check_initial(ui)
    save_notebook(page)  # the saved output is the view (a widget model id), not its values

    # Change the state after the save, in the view: max 3, Start, it stops at 3.
    ui.type_max(3)
    expect(ui.max_input).to_have_value("3")
    ui.toggle.click()
    expect(ui.toggle).to_have_text("Stop")
    expect(ui.toggle).to_have_text("Start", timeout=checks.STOP_TIMEOUT)
    expect(ui.heading).to_have_text("3 /")

    page.reload(wait_until="domcontentloaded")
    wait_notebook_ready(page)
    restored = CounterView(page, cell_outputs(page, 0).locator(".nbstate-view"))
    restored.wait_rendered()
    expect(restored.heading).to_have_text("3 /")
    expect(restored.max_input).to_have_value("3")
    expect(restored.toggle).to_have_text("Start")
    # The restored view is live: it sends events and follows the kernel.
    restored.reset.click()
    expect(restored.heading).to_have_text("0 /")
    out = add_and_run_cell(page, "rx.get_state(MyTaskState).counter = 21\nprint('set')")
    assert out == "set"
    expect(restored.heading).to_have_text("21 /")
    # A view displayed after the reload shows the current values as well.
    add_and_run_cell(page, example_tree_source())
    fresh = CounterView(page, cell_outputs(page, -1).locator(".nbstate-view"))
    fresh.wait_rendered()
    expect(fresh.heading).to_have_text("21 /")
    expect(fresh.max_input).to_have_value("3")


BOOM_CELL = """\
import nbstate as rx

class Boom(rx.State):
    clicks: int = 0

    def explode(self):
        self.clicks += 1
        raise ValueError("boom")

    def count(self):
        self.clicks += 1

rx.hstack(
    rx.text(f"clicks: {Boom.clicks}"),
    rx.button("Explode", on_click=Boom.explode),
    rx.button("Count", on_click=Boom.count),
)"""

BOOM_VIEW_CELL = 'rx.hstack(rx.text(f"clicks: {Boom.clicks}"))'


def test_errors_appear_in_views_and_cell_output(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """A raising handler shows a dismissable "boom" entry in every view; its cell prints it."""
    name = "views_errors.ipynb"
    write_notebook(jupyter_root / name, [BOOM_CELL, BOOM_VIEW_CELL])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    expect(views(page)).to_have_count(2)
    view = cell_outputs(page, 0).locator(".nbstate-view")
    other = cell_outputs(page, 1).locator(".nbstate-view")
    expect(view.get_by_text("clicks: 0")).to_be_visible()
    entries = view.locator(".nbstate-errors [data-nbstate=error-entry]")
    other_entries = other.locator(".nbstate-errors [data-nbstate=error-entry]")
    expect(entries).to_have_count(0)
    expect(view.locator(".nbstate-errors")).to_be_hidden()

    view.get_by_role("button", name="Explode").click()
    expect(entries).to_have_count(1)
    entry = entries.first
    expect(entry).to_be_visible()
    expect(entry.locator(".nbstate-error-type")).to_have_text("ValueError")
    expect(entry.locator(".nbstate-error-message")).to_have_text("boom")
    expect(entry).to_contain_text("explode")
    expect(other_entries).to_have_count(1)  # every view of the state shows it
    expect(other_entries.first).to_contain_text("boom")
    # The failed handler's change was rolled back; a good handler still works afterwards.
    expect(view.get_by_text("clicks: 0")).to_be_visible()
    view.get_by_role("button", name="Count").click()
    expect(view.get_by_text("clicks: 1")).to_be_visible()
    expect(other.get_by_text("clicks: 1")).to_be_visible()

    # The traceback is printed in the output of the cell that displayed the clicked view.
    printed = stderr_outputs(page, 0)
    expect(printed).to_have_count(1)
    expect(printed).to_contain_text("Traceback")
    expect(printed).to_contain_text("ValueError: boom")
    expect(stderr_outputs(page, 1)).to_have_count(0)

    # The traceback is also in the entry, folded away.
    details = entry.locator("details")
    expect(details.locator("pre")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator("pre")).to_contain_text('raise ValueError("boom")')

    entry.get_by_role("button", name="Dismiss error").click()
    expect(entries).to_have_count(0)
    expect(other_entries).to_have_count(0)
    expect(view.locator(".nbstate-errors")).to_be_hidden()
    out = add_and_run_cell(page, "print(len(rx.errors(rx.get_state(Boom))))")
    assert out == "1", "the error is still recorded in the kernel for tests"


SECRET = "s3cr3t-xyz"
# The secret is built in the kernel, so it is not in the cell's source code.
SECRET_CELL = """\
import nbstate as rx

class Vault(rx.State):
    status: str = "locked"
    _secret: str = "s3cr3t" + "-xyz"

    def check(self):
        self.status = f"secret has {len(self._secret)} characters"

    def leak(self):
        raise ValueError(f"wrong key: {self._secret}")

    def leak_in_var(self):
        self.status = "about to leak " + self._secret
        raise RuntimeError("rolled back: " + self._secret)

rx.vstack(
    rx.text(Vault.status),
    rx.hstack(
        rx.button("Check", on_click=Vault.check),
        rx.button("Leak", on_click=Vault.leak),
        rx.button("Leak in var", on_click=Vault.leak_in_var),
    ),
)"""


def test_backend_var_value_appears_nowhere_in_the_page(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """A backend var's value is in no DOM, no widget model state and no kernel message."""
    frames: list[str] = []

    def on_websocket(ws: WebSocket) -> None:
        def received(payload: str | bytes) -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            frames.append(text)

        ws.on("framereceived", received)

    page.on("websocket", on_websocket)
    name = "views_secret.ipynb"
    write_notebook(jupyter_root / name, [SECRET_CELL])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    view = cell_outputs(page, 0).locator(".nbstate-view")
    expect(view.get_by_text("locked")).to_be_visible()

    view.get_by_role("button", name="Check").click()
    expect(view.get_by_text("secret has 10 characters")).to_be_visible()
    entries = view.locator("[data-nbstate=error-entry]")
    view.get_by_role("button", name="Leak", exact=True).click()
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("wrong key")
    view.get_by_role("button", name="Leak in var").click()
    expect(entries).to_have_count(2)
    expect(entries.nth(1)).to_contain_text("rolled back")
    for details in entries.locator("details").all():
        details.locator("summary").click()  # open the tracebacks too
    expect(stderr_outputs(page, 0).filter(has_text="RuntimeError")).to_have_count(1)
    # The kernel really holds it (so the checks below can fail).
    held = add_and_run_cell(page, "print(rx.get_state(Vault)._secret == 's3cr3t' + '-xyz')")
    assert held == "True"

    # Collect every place it shows up, so one failure names them all.
    found: dict[str, str] = {}
    places = {
        "view DOM (tracebacks opened)": view.evaluate("el => el.outerHTML"),
        "widget model state": json.dumps(widget_manager_state(page)),
        "page HTML": page.content(),
        "page text": page.locator("body").inner_text(),
    }
    assert "secret has 10 characters" in places["widget model state"]  # the dump holds vars
    assert frames, "no websocket frames were recorded"
    for i, frame in enumerate(frames):
        places[f"websocket frame {i} from the server"] = frame
    for where, text in places.items():
        if SECRET in text:
            found[where] = _around(text, SECRET)
    assert not found, f"{SECRET!r} leaked to the browser in:\n" + "\n".join(
        f"- {where}: {snippet}" for where, snippet in found.items()
    )


def _around(text: str, needle: str) -> str:
    i = text.find(needle)
    return f"...{text[max(0, i - 200) : i + 60]!r}..."
