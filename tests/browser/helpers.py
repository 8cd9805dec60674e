"""Playwright helpers that drive JupyterLab, Notebook 7 and Voila like a user would.

JupyterLab and Notebook 7 share their notebook widgets, so the cell helpers work in both. Each
helper waits for a visible effect in the page (bounded by ``timeout`` milliseconds) and raises
Playwright's ``TimeoutError`` otherwise, so a page that does not render fails the test.

Selectors (checked against JupyterLab 4.6, Notebook 7.6 and Voila 0.5):
- the notebook: ``.jp-NotebookPanel`` (the current one: not ``.lm-mod-hidden``), cells
  ``.jp-Notebook .jp-Cell``, code cells ``.jp-CodeCell``;
- readiness: ``window.jupyterapp.shell.currentWidget`` (the servers run with
  ``expose_app_in_browser``): its ``context.isReady`` (content loaded), its session's kernel
  ``connectionStatus == "connected"`` and ``status == "idle"``, as many ``.jp-Cell`` in the DOM
  as cells in the model, and ``.jp-Notebook-ExecutionIndicator[data-status="idle"]`` in the
  toolbar. (The indicator alone is not enough: it can read "idle" before the kernel exists);
- prompts: ``.jp-InputPrompt`` shows ``[ ]:``, ``[*]:`` or ``[<n>]:``;
- outputs: ``.jp-OutputArea-output`` inside the cell;
- menus: ``.lm-MenuBar-itemLabel`` ("Run"), then ``.lm-Menu-itemLabel`` ("Run All Cells");
- Voila: ``#loading`` (removed when execution finished), ``#rendered_cells``, and
  ``script[type="application/vnd.voila.cell-output+json"]`` placeholders, replaced by rendered
  outputs (widgets included) once the widget manager is done.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..examples import design_example
from .servers import JupyterServer

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

KERNEL_TIMEOUT = 90_000  # ms: page load + kernel start on a busy 2-core machine
RUN_TIMEOUT = 60_000  # ms: one cell or a short notebook

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# Reads the state of the current notebook: prompt texts of its code cells and kernel status.
_STATE_JS = """
(panelSel) => {
  const panel = document.querySelector(panelSel);
  if (!panel) return null;
  const prompts = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].map((c) => {
    if (!c.classList.contains('jp-CodeCell')) return null;
    const p = c.querySelector('.jp-InputArea-prompt, .jp-InputPrompt');
    return p ? p.textContent.trim() : '';
  });
  const ind = document.querySelector(
    panelSel + ' .jp-Notebook-ExecutionIndicator, .jp-Notebook-ExecutionIndicator');
  return {prompts, status: ind ? ind.getAttribute('data-status') : null};
}
"""


def current_notebook(page: Page) -> Locator:
    """The notebook panel the user looks at (JupyterLab or Notebook 7)."""
    return page.locator(PANEL).first


def cells(page: Page) -> Locator:
    """All cells of the current notebook, in order."""
    return current_notebook(page).locator(".jp-Notebook .jp-Cell")


def cell_outputs(page: Page, index: int) -> Locator:
    """The output elements of cell ``index`` (0-based; negative counts from the end)."""
    all_cells = cells(page)
    cell = all_cells.nth(index) if index >= 0 else all_cells.nth(all_cells.count() + index)
    return cell.locator(".jp-OutputArea-output")


def stderr_outputs(page: Page, index: int) -> Locator:
    """The stderr stream outputs of cell ``index`` (tracebacks printed by nbstate land here)."""
    return cell_outputs(page, index).and_(
        page.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
    )


# The current document is a notebook whose content is loaded and rendered, and whose kernel is
# connected and idle. The execution indicator in the toolbar alone is not enough: it can read
# "idle" before the session exists. Needs window.jupyterapp (expose_app_in_browser).
_READY_JS = """
() => {
  const app = window.jupyterapp;
  const w = app && app.shell && app.shell.currentWidget;
  if (!w || !w.context || !w.sessionContext || !w.content || !w.content.model) return false;
  if (!w.context.isReady || (w.isRevealed === false)) return false;
  const sc = w.sessionContext;
  const kernel = sc.session && sc.session.kernel;
  if (!sc.isReady || !kernel || kernel.connectionStatus !== 'connected') return false;
  if (kernel.status !== 'idle') return false;
  const cells = w.node.querySelectorAll('.jp-Notebook .jp-Cell').length;
  if (cells !== w.content.model.cells.length) return false;
  const ind = w.node.querySelector('.jp-Notebook-ExecutionIndicator')
    || document.querySelector('.jp-Notebook-ExecutionIndicator');
  return !ind || ind.getAttribute('data-status') === 'idle';
}
"""


def kernel_status(page: Page) -> str | None:
    """Status of the current notebook's kernel as the frontend sees it ("idle", "busy", ...)."""
    status = page.evaluate(
        """() => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const k = w && w.sessionContext && w.sessionContext.session
                && w.sessionContext.session.kernel;
            return k ? k.status : null;
        }"""
    )
    return None if status is None else str(status)


def wait_notebook_ready(page: Page, timeout: float = KERNEL_TIMEOUT) -> None:
    """Wait until the current notebook is loaded and rendered and its kernel is idle."""
    page.wait_for_function(_READY_JS, timeout=timeout)


def _open_notebook(page: Page, url: str, timeout: float) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    current_notebook(page).wait_for(state="visible", timeout=timeout)
    wait_notebook_ready(page, timeout)


def open_notebook_in_lab(
    page: Page,
    server: JupyterServer,
    name: str,
    timeout: float = KERNEL_TIMEOUT,
    origin: str | None = None,
) -> None:
    """Open ``name`` (relative to the server root) in JupyterLab; wait for an idle kernel.

    A fresh workspace per call keeps JupyterLab from restoring tabs of earlier tests. ``origin``
    reaches the same server by another name (``http://localhost:<port>``).
    """
    workspace = f"t{uuid.uuid4().hex[:12]}"
    base = origin or server.url
    _open_notebook(page, f"{base}/lab/workspaces/{workspace}/tree/{quote(name)}", timeout)


def open_notebook_in_notebook7(
    page: Page, server: JupyterServer, name: str, timeout: float = KERNEL_TIMEOUT
) -> None:
    """Open ``name`` in Notebook 7 (``/notebooks/<name>``); wait for an idle kernel."""
    _open_notebook(page, f"{server.url}/notebooks/{quote(name)}", timeout)


NOTEBOOK_FRONTENDS: dict[str, tuple[str, Callable[..., None]]] = {
    "lab": ("jupyter_lab_server", open_notebook_in_lab),
    "notebook7": ("notebook7_server", open_notebook_in_notebook7),
}
"""The notebook frontends (name -> server fixture, opener) that tests run in, one by one."""


@dataclass
class NotebookFrontend:
    """One notebook frontend for a test: its name, its server, and how to open a notebook."""

    name: str
    server: JupyterServer
    opener: Callable[..., None]

    def open(self, page: Page, notebook: str) -> None:
        self.opener(page, self.server, notebook)


def open_in_voila(
    page: Page, server: JupyterServer, name: str, timeout: float = KERNEL_TIMEOUT
) -> None:
    """Open ``/voila/render/<name>`` and wait until Voila executed it and rendered all outputs.

    Voila streams the page while it runs the notebook, so ``load`` fires after execution; then
    the spinner (``#loading``) goes away and the widget manager replaces every
    ``vnd.voila.cell-output+json`` placeholder with the rendered output.
    """
    page.goto(f"{server.url}/voila/render/{quote(name)}", wait_until="load", timeout=timeout)
    page.wait_for_function(
        """() => document.readyState === 'complete'
            && !document.getElementById('loading')
            && !!document.getElementById('rendered_cells')
            && document.querySelectorAll(
                 'script[type="application/vnd.voila.cell-output+json"]').length === 0""",
        timeout=timeout,
    )


def _state(page: Page) -> dict[str, object]:
    state = page.evaluate(_STATE_JS, PANEL)
    if state is None:
        raise AssertionError("no notebook panel in the page")
    assert isinstance(state, dict)
    return state


def _click_menu(page: Page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel").get_by_text(menu, exact=True).first.click()
    entry = page.locator(".lm-Menu:visible .lm-Menu-item:not(.lm-mod-hidden)").filter(
        has=page.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True)
    )
    entry.first.click()


def _wait_run_finished(page: Page, index: int, before: str, timeout: float) -> None:
    """Wait until code cell ``index`` shows a new execution count and nothing is running."""
    page.wait_for_function(
        """([panelSel, index, before]) => {
            const panel = document.querySelector(panelSel);
            if (!panel) return false;
            const all = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
            if (all.some((c) => /\\[\\*\\]/.test(
                (c.querySelector('.jp-InputPrompt') || {}).textContent || ''))) return false;
            const cell = all[index];
            if (!cell) return false;
            const text = (cell.querySelector('.jp-InputPrompt') || {}).textContent || '';
            return /\\[\\d+\\]/.test(text) && text.trim() !== before;
        }""",
        arg=[PANEL, index, before],
        timeout=timeout,
    )


def run_all_cells(page: Page, timeout: float = RUN_TIMEOUT) -> None:
    """Run > Run All Cells, then wait until the run finished (stops early on an error)."""
    state = _state(page)
    prompts = state["prompts"]
    assert isinstance(prompts, list)
    code = [i for i, p in enumerate(prompts) if p is not None]
    _click_menu(page, "Run", "Run All Cells")
    if not code:
        return
    _wait_run_finished(page, code[0], prompts[code[0]], timeout)
    wait_notebook_ready(page, timeout)


def run_cell(page: Page, index: int, timeout: float = RUN_TIMEOUT) -> Locator:
    """Select cell ``index`` (0-based), run it with Ctrl+Enter; return its output locator."""
    state = _state(page)
    prompts = state["prompts"]
    assert isinstance(prompts, list)
    if index < 0:
        index += len(prompts)
    before = prompts[index]
    if before is None:
        raise ValueError(f"cell {index} is not a code cell")
    cell = cells(page).nth(index)
    cell.locator(".jp-InputPrompt").first.click()
    page.keyboard.press("Control+Enter")
    _wait_run_finished(page, index, before, timeout)
    return cell.locator(".jp-OutputArea-output")


def add_and_run_cell(page: Page, code: str, timeout: float = RUN_TIMEOUT) -> str:
    """Append a code cell with ``code`` at the end, run it, and return its output text."""
    count = cells(page).count()
    last = cells(page).nth(count - 1)
    last.locator(".jp-InputPrompt").first.click()  # selects the cell (command mode)
    page.keyboard.press("Escape")  # command mode
    page.keyboard.press("b")  # insert a cell below and select it
    new_cell = cells(page).nth(count)
    new_cell.wait_for(state="attached", timeout=timeout)
    editor = new_cell.locator(".cm-content")
    editor.click()
    page.keyboard.insert_text(code)  # plain insert: no auto-indent, no bracket closing
    before = _prompt_text(new_cell)
    page.keyboard.press("Control+Enter")
    _wait_run_finished(page, count, before, timeout)
    return str(new_cell.locator(".jp-OutputArea").inner_text(timeout=timeout)).strip()


def _prompt_text(cell: Locator) -> str:
    text = cell.locator(".jp-InputPrompt").first.text_content()
    return (text or "").strip()


# --------------------------------------------------------------------------- nbstate views
#
# The nbstate frontend renders each view as ``.nbstate-view``; every component root carries
# ``data-nbstate="<component name>"`` and the error area holds ``[data-nbstate=error-entry]``.

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
_COUNTER = re.compile(r"\s*(-?\d+)\s*/\s*")


def example_source() -> str:
    """The DESIGN.md example, exactly as cell 1 of ``notebooks/01_counter_task.ipynb`` has it."""
    return design_example()


def example_tree_source() -> str:
    """Only the component tree of the example (its last expression, ``rx.hstack(...)``)."""
    source = example_source()
    start = source.rindex("\nrx.hstack(")
    return source[start + 1 :]


def views(page: Page) -> Locator:
    """Every nbstate view in the page, in document order."""
    return page.locator(".nbstate-view")


class CounterView:
    """The example's UI inside one view: heading ``"<n> /"``, number input, Start/Stop, Reset."""

    def __init__(self, page: Page, view: Locator) -> None:
        self.page = page
        self.view = view
        self.heading = view.locator("[data-nbstate=heading]")
        self.max_input = view.locator("[data-nbstate=number_input]")
        self.toggle = view.locator("[data-nbstate=button]").nth(0)
        self.reset = view.locator("[data-nbstate=button]").nth(1)

    def wait_rendered(self, timeout: float = RUN_TIMEOUT) -> None:
        """Wait until the view shows the example's four controls."""
        self.heading.wait_for(state="visible", timeout=timeout)
        self.toggle.wait_for(state="visible", timeout=timeout)
        self.reset.wait_for(state="visible", timeout=timeout)
        self.max_input.wait_for(state="visible", timeout=timeout)

    def counter(self) -> int:
        """The number the heading shows (``"7 /"`` is 7)."""
        text = self.heading.inner_text()
        match = _COUNTER.fullmatch(text)
        if match is None:
            raise AssertionError(f"the heading reads {text!r}, not '<n> /'")
        return int(match.group(1))

    def wait_counter(self, predicate: Callable[[int], bool], what: str, timeout: float) -> int:
        """Poll the heading (every 100 ms) until ``predicate(counter)``; return that counter."""
        deadline = time.monotonic() + timeout / 1000
        value = self.counter()
        while not predicate(value):
            if time.monotonic() > deadline:
                raise AssertionError(f"the counter never became {what}; it reads {value}")
            self.page.wait_for_timeout(100)
            value = self.counter()
        return value

    def ticks_over(self, seconds: float) -> tuple[int, int, float]:
        """Read the counter, wait ``seconds``, read it again: (first, last, elapsed seconds)."""
        first = self.counter()
        t0 = time.monotonic()
        self.page.wait_for_timeout(seconds * 1000)
        last = self.counter()
        return first, last, time.monotonic() - t0

    def type_max(self, value: int) -> None:
        """Clear the number input and type ``value`` like a person (one key at a time)."""
        self.max_input.click()
        self.max_input.fill("")
        self.max_input.press_sequentially(str(value), delay=30)


def widget_manager_state(page: Page) -> dict[str, object]:
    """JupyterLab / Notebook 7: the state of every widget model the page holds.

    It is what ``WidgetManager.get_state()`` returns (the same data JupyterLab would save as
    the notebook's widget state), taken from the widget manager of the current notebook
    (found through a rendered widget output's ``_manager``).
    """
    state = page.evaluate(
        """async () => {
            const w = window.jupyterapp.shell.currentWidget;
            let found = null;
            const visit = (wd) => {
                if (found || !wd) return;
                if (wd._manager && wd._manager.promise) { found = wd._manager.promise; return; }
                for (const c of (wd.widgets || [])) visit(c);
            };
            for (const cell of w.content.widgets) if (cell.outputArea) visit(cell.outputArea);
            if (!found) return null;
            const manager = await found;
            return await manager.get_state({drop_defaults: false});
        }"""
    )
    if state is None:
        raise AssertionError("no rendered widget output, so no widget manager, in the notebook")
    assert isinstance(state, dict)
    return state


def save_notebook(page: Page, timeout: float = RUN_TIMEOUT) -> None:
    """Save the current notebook with Ctrl+S, as a person does, and wait until it is on disk.

    JupyterLab saves on Ctrl+S even when the document is not dirty, so the wait is for the
    saved file's new ``last_modified``, and then for a clean document.
    """
    before = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.context.contentsModel?.last_modified ?? null"
    )
    current_notebook(page).locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function(
        """(before) => {
            const w = window.jupyterapp.shell.currentWidget;
            if (!w || !w.context || w.context.model.dirty) return false;
            const now = w.context.contentsModel?.last_modified ?? null;
            return now !== null && now !== before;
        }""",
        arg=before,
        timeout=timeout,
    )


class CommFrames:
    """Kernel websocket frames the page receives that carry a comm message (kernel -> page)."""

    def __init__(self, page: Page) -> None:
        self.frames: list[bytes] = []
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws: Any) -> None:
        if "/api/kernels/" in ws.url:
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        if b"comm_msg" in data:
            self.frames.append(data)

    def mark(self) -> int:
        return len(self.frames)

    def since(self, mark: int) -> list[bytes]:
        return self.frames[mark:]
