"""Screenshots for a person to look at: every example notebook after Run All, and a dark theme.

Each example in ``notebooks/`` is copied without its stored outputs, opened in JupyterLab and
run; the whole notebook is saved to ``tests/browser/artifacts/example_<name>.png``. The theme
check measures the text contrast of a gallery of components (and an error entry) in JupyterLab
Light, switches to "JupyterLab Dark" through the Settings menu, measures again and saves
``artifacts/dark_theme.png``; it switches back to the light theme at the end.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS
from .helpers import (
    NOTEBOOKS,
    CounterView,
    cell_outputs,
    cells,
    current_notebook,
    example_source,
    open_notebook_in_lab,
    run_all_cells,
    views,
)
from .servers import JupyterServer, write_notebook

EXAMPLES = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
MAX_SHOT_HEIGHT = 8000
# 03 submits an invalid form from a cell on purpose; its view shows that error.
EXPECTED_ERROR_ENTRIES = {"03_form_validation": "Name is required"}


def _screenshot_whole_notebook(page: Page, path: Path) -> None:
    """Hide the side bar, grow the viewport to the notebook's height, scroll to the top, shoot."""
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    height = page.evaluate(
        """(sel) => {
            const all = document.querySelectorAll(sel + ' .jp-Notebook .jp-Cell');
            if (!all.length) return 0;
            const top = all[0].getBoundingClientRect().top;
            return all[all.length - 1].getBoundingClientRect().bottom - top;
        }""",
        ".jp-NotebookPanel:not(.lm-mod-hidden)",
    )
    assert isinstance(height, int | float) and height > 0, "the notebook shows no cells"
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    # Menu bar, tab bar and toolbar above the cells, the status bar below: about 180 px.
    size = int(min(MAX_SHOT_HEIGHT, max(viewport["height"], height + 200)))
    page.set_viewport_size({"width": viewport["width"], "height": size})
    page.wait_for_timeout(300)  # let JupyterLab lay out at the new size
    page.evaluate(
        """(sel) => {
            for (const el of document.querySelectorAll(sel + ' .jp-WindowedPanel-outer, '
                + sel + ' .jp-Notebook')) el.scrollTop = 0;
        }""",
        ".jp-NotebookPanel:not(.lm-mod-hidden)",
    )
    page.wait_for_timeout(200)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def test_examples_cover_the_documented_notebooks() -> None:
    """notebooks/ holds the examples the README lists (so the screenshots cover them); 08b is
    08's partner, opened beside it, and 08 runs both sides."""
    assert EXAMPLES == [
        "01_counter_task",
        "02_progress_dashboard",
        "03_form_validation",
        "04_list_editor",
        "05_long_job_cancel",
        "06_task_monitor",
        "07_offload",
        "08_shared_jobs",
    ]


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_notebook_screenshot(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path, example: str
) -> None:
    """The example runs in JupyterLab without errors and its views render; a screenshot is saved."""
    name = f"shot_{example}.ipynb"
    # The stored notebooks carry outputs (nbval checks them): start from a clean copy, so every
    # output on the screenshot comes from this run.
    nb = nbformat.read(str(NOTEBOOKS / f"{example}.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, str(jupyter_root / name))
    for module in NOTEBOOKS.glob("*.py"):  # what the examples import (shared_jobs.py)
        (jupyter_root / module.name).write_text(module.read_text())
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page, timeout=120_000)
    notebook = current_notebook(page)
    # Every code cell ran (Run All stops at the first error).
    prompts = notebook.locator(".jp-CodeCell .jp-InputPrompt")
    for i in range(prompts.count()):
        expect(prompts.nth(i)).to_have_text(f"[{i + 1}]:")
    expect(views(page).first).to_be_visible()
    assert views(page).locator(".nbstate-tree > *").count() >= 1, "a view rendered nothing"
    expect(notebook.locator('[data-mime-type="application/vnd.jupyter.error"]')).to_have_count(0)
    expect(views(page).locator("[data-nbstate=error]")).to_have_count(0)  # inline render errors
    # Errors in the views' error areas: only those the notebook provokes on purpose.
    entries = views(page).locator("[data-nbstate=error-entry]")
    wanted = EXPECTED_ERROR_ENTRIES.get(example)
    expect(entries).to_have_count(0 if wanted is None else 1)
    if wanted is not None:
        expect(entries.first.locator(".nbstate-error-message")).to_contain_text(wanted)
    _screenshot_whole_notebook(page, ARTIFACTS / f"example_{example}.png")


GALLERY_CELL = """\
class Look(rx.State):
    name: str = "Ada"
    agree: bool = True
    on: bool = False
    level: int = 40
    pick: str = "two"

    def fail(self):
        raise ValueError("an error entry, for the look")

rx.vstack(
    rx.hstack(rx.input(value=Look.name, on_change=Look.set_name, placeholder="Name"),
              rx.select(["one", "two", "three"], value=Look.pick, on_change=Look.set_pick),
              rx.button("Outline", variant="outline"), rx.button("Ghost", variant="ghost"),
              rx.button("Disabled", disabled=True)),
    rx.hstack(rx.checkbox("I agree", checked=Look.agree, on_change=Look.set_agree),
              rx.switch("Switch", checked=Look.on, on_change=Look.set_on),
              rx.slider(value=Look.level, on_change=Look.set_level, width="10em"),
              rx.badge("badge"), rx.badge("success", color_scheme="green")),
    rx.progress(value=Look.level, width="20em"),
    rx.callout("A callout with some text.", status="info"),
    rx.data_table(data=[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]),
    rx.text_area(value="Some text", rows=2),
    rx.button("Fail", on_click=Look.fail, color_scheme="red"),
)"""


# WCAG contrast of an element's text against what is painted behind it (its own and its
# ancestors' background colors, composited; rgb(), rgba() and color(srgb ...) are understood).
_CONTRAST_JS = """
(el) => {
  const parse = (c) => {
    let m = /^rgba?\\(([^)]+)\\)$/.exec(c);
    let scale = 1;
    if (!m) { m = /^color\\(srgb ([^)]+)\\)$/.exec(c); scale = 255; }
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0] * scale, p[1] * scale, p[2] * scale, p.length > 3 ? p[3] : 1];
  };
  const layers = [];
  for (let n = el; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255];
  for (const l of layers.reverse()) bg = bg.map((v, i) => l[i] * l[3] + v * (1 - l[3]));
  const f = parse(getComputedStyle(el).color) || [0, 0, 0, 1];
  const fg = bg.map((v, i) => f[i] * f[3] + v * (1 - f[3]));
  const lum = (c) => {
    const [r, g, b] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const a = lum(fg), b = lum(bg);
  const hex = (c) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  return {ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), fg: hex(fg), bg: hex(bg),
          bgLum: b};
}
"""

# Text a person must be able to read in the views of the dark-theme notebook.
READABLE = {
    "counter heading": "[data-nbstate=heading]",
    "number input": "[data-nbstate=number_input]",
    "Start button": "[data-nbstate=button]",
    "text input": "[data-nbstate=input]",
    "select": "[data-nbstate=select]",
    "checkbox label": "[data-nbstate=checkbox]",
    "badge": "[data-nbstate=badge]",
    "callout": "[data-nbstate=callout]",
    "table cell": "[data-nbstate=data_table] td",
    "table header": "[data-nbstate=data_table] th",
    "text area": "[data-nbstate=text_area]",
    "error type": ".nbstate-error-type",
    "error message": ".nbstate-error-message",
    "error handler": ".nbstate-error-handler",
    "error traceback summary": ".nbstate-error-traceback summary",
}
# WCAG's floor for large text and for UI components. (Some light-theme text built from
# JupyterLab's own palette, e.g. --jp-error-color1 on --jp-error-color3, is between 3.5 and 4.5.)
MIN_CONTRAST = 3.0


def _unreadable(page: Page) -> list[str]:
    """The READABLE elements whose text contrast is below MIN_CONTRAST, described."""
    bad = []
    for what, selector in READABLE.items():
        el = page.locator(".nbstate-view " + selector).first
        expect(el).to_be_visible()
        c = el.evaluate(_CONTRAST_JS)
        if c["ratio"] < MIN_CONTRAST:
            bad.append(f"{what}: {c['fg']} on {c['bg']} = {c['ratio']:.1f}:1")
    return bad


def _set_theme(page: Page, theme: str) -> None:
    """Settings > Theme > <theme>, as a person would pick it."""
    page.locator(".lm-MenuBar-itemLabel").get_by_text("Settings", exact=True).click()
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel").get_by_text("Theme", exact=True).click()
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel").get_by_text(theme, exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-jp-theme-name", theme)
    page.wait_for_timeout(500)  # the theme's CSS swaps in


def test_light_and_dark_theme_text_is_readable(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """View text (controls, table, error entry) has >= 3:1 contrast in JupyterLab Light and Dark."""
    name = "shot_dark_theme.ipynb"
    write_notebook(jupyter_root / name, [example_source(), GALLERY_CELL])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    expect(views(page)).to_have_count(2)
    CounterView(page, cell_outputs(page, 0).locator(".nbstate-view")).wait_rendered()
    gallery = cell_outputs(page, 1).locator(".nbstate-view")
    gallery.get_by_role("button", name="Fail").click()
    expect(gallery.locator("[data-nbstate=error-entry]")).to_have_count(1)
    cells(page).first.locator(".jp-InputPrompt").click()  # no hover or focus on a control
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")
    problems = {"JupyterLab Light": _unreadable(page)}
    heading = page.locator(".nbstate-view [data-nbstate=heading]").first
    assert heading.evaluate(_CONTRAST_JS)["bgLum"] > 0.5, "light theme: the page is not light"
    try:
        _set_theme(page, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        assert heading.evaluate(_CONTRAST_JS)["bgLum"] < 0.2, "dark theme: the view is not dark"
        problems["JupyterLab Dark"] = _unreadable(page)
        _screenshot_whole_notebook(page, ARTIFACTS / "dark_theme.png")
    finally:
        # The user settings are shared by every test of the session: back to the light theme.
        _set_theme(page, "JupyterLab Light")
    report = [f"{theme}: {p}" for theme, found in problems.items() for p in found]
    assert not report, f"text below {MIN_CONTRAST}:1 contrast:\n" + "\n".join(report)
