"""B6: 1,000 state instances, each shown in one small view, against the same UI in ipywidgets.

Each instance is one row: a name, a count and a "+" button that increments the count.
  nbstate     ``class Item(rx.State)`` with ``name: str`` and ``count: int`` and an ``inc``
              handler; per instance ``rx.view(rx.hstack(rx.text(Item.name),
              rx.badge(Item.count), rx.button("+", on_click=Item.inc)), bind={Item: s})``.
  ipywidgets  per instance a ``Label`` (name), a ``Label`` (count), a ``Button`` whose
              ``on_click`` increments the count, in an ``HBox``.
The 1,000 rows go into one ``VBox`` and are displayed as one output (JupyterLab shows only the
first 50 outputs of a cell by default, so 1,000 separate outputs would not all render).

Two parts, both side by side in one run:
  kernel   a real ipykernel per run (fresh, so runs do not share garbage), through
           jupyter_client. The cell first builds and displays 20 rows (so one-time costs, such
           as compiling the class and opening the hub, are not counted per instance), then
           times building and displaying 1,000 more with ``perf_counter`` in the kernel, and
           measures the kernel's RSS before and after (after ``gc.collect()``, the rows kept
           alive). Also: comm messages and bytes the client received for the 1,000 rows.
  browser  JupyterLab 4 in headless Chromium (the browser tests' set-up): from Ctrl+Enter on
           the cell to all 1,000 rows rendered (every row's button in the DOM and the last
           row's text showing), on a fresh kernel per run.

Timings are never assertions. Run from the repository root:

    .venv/bin/python bench/b6_many_states.py               # about 2 minutes on 2 cores
    .venv/bin/python bench/b6_many_states.py --no-browser  # the kernel part only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
_pp = os.environ.get("PYTHONPATH", "")
if str(ROOT) not in _pp.split(os.pathsep):  # the kernels must import this checkout's nbstate
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + _pp if _pp else "")

import _common as C  # noqa: E402

N = 1000
WARM = 20

COMMON = """\
import gc, json, os, time
import ipywidgets as widgets
import nbstate as rx
from IPython.display import display

def b6_rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

class Item(rx.State):
    name: str = ""
    count: int = 0

    def inc(self):
        self.count += 1

def nb_row(i):
    s = Item(name=f"item {i}")
    view = rx.view(
        rx.hstack(
            rx.text(Item.name),
            rx.badge(Item.count),
            rx.button("+", on_click=Item.inc),
            class_name="b6-row",
        ),
        bind={Item: s},
    )
    return s, view

def w_row(i):
    name = widgets.Label(f"item {i}")
    count = widgets.Label("0")
    button = widgets.Button(description="+")

    def inc(_b, count=count):
        count.value = str(int(count.value) + 1)

    button.on_click(inc)
    box = widgets.HBox([name, count, button])
    box.add_class("b6-row")
    return count, box

b6_make = {"nbstate": nb_row, "ipywidgets": w_row}
"""

RUN = """\
b6_keep = [b6_make[{kind!r}](i) for i in range({warm})]
display(widgets.VBox([v for _, v in b6_keep]))
gc.collect()
b6_before = b6_rss()
b6_t0 = time.perf_counter()
b6_rows = [b6_make[{kind!r}](i) for i in range({n})]
display(widgets.VBox([v for _, v in b6_rows]))
b6_dt = time.perf_counter() - b6_t0
gc.collect()
b6_after = b6_rss()
print(json.dumps({{"seconds": b6_dt, "rss": b6_after - b6_before}}))
"""


def kernel_run(kind: str, n: int) -> dict[str, Any]:
    k = C.Kernel()
    try:
        k.execute(COMMON)
        k.execute(RUN.format(kind=kind, n=0, warm=WARM))  # imports, class, hub: not counted
        k.stream.clear()
        total0 = k.iopub_total
        t0 = time.perf_counter()
        k.execute(RUN.format(kind=kind, n=n, warm=0), timeout=600)
        wall = time.perf_counter() - t0
        # the iopub reader may still be catching up with the last messages
        k.wait_for(lambda: "".join(k.stream).strip().endswith("}"), timeout=30)
        res = json.loads("".join(k.stream).strip().splitlines()[-1])
        time.sleep(0.5)
        res["wall"] = wall
        res["iopub"] = k.iopub_total - total0
        res["comms"] = int(k.value("len(__import__('comm').get_comm_manager().comms)"))
        return res
    finally:
        k.close()


# ----------------------------------------------------------------------------- browser part

WATCH_JS = """
([cellIndex, n]) => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cell = panel.querySelectorAll('.jp-Notebook .jp-Cell')[cellIndex];
  const st = (window.__b6 = {t: null, rows: 0});
  const t0 = performance.now();
  const frame = () => {
    const rows = cell.querySelectorAll('.jp-OutputArea .b6-row');
    st.rows = rows.length;
    if (rows.length >= n) {
      const last = rows[rows.length - 1];
      const buttons = cell.querySelectorAll('.jp-OutputArea .b6-row button').length;
      if (buttons >= n && last.textContent.includes('item ' + (n - 1))) {
        st.t = performance.timeOrigin + performance.now();
        return;
      }
    }
    if (performance.now() - t0 < 300000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
"""


def browser_runs(
    kinds: list[str], runs: int, n: int
) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """Times from Ctrl+Enter to all rows, per kind; and, per kind, why runs gave no sample (the
    page's first console error, or the rows it had drawn)."""
    import _lab as L

    from tests.browser import helpers as H
    from tests.browser.servers import write_notebook

    out: dict[str, list[float]] = {k: [] for k in kinds}
    failed: dict[str, list[str]] = {k: [] for k in kinds}
    errors: list[str] = []
    with L.lab_in_chromium("nbstate-b6-", lambda m: C.log("B6: " + m)) as (server, root, browser):
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(120_000)

        def on_console(m: Any) -> None:
            if m.type == "error":
                errors.append(m.text.splitlines()[0] if m.text else "(empty)")

        page.on("console", on_console)
        for i in range(runs):
            for kind in kinds if i % 2 == 0 else kinds[::-1]:
                name = f"b6_{kind}_{i}.ipynb"
                write_notebook(
                    root / name,
                    [
                        COMMON + RUN.format(kind=kind, n=0, warm=WARM),
                        RUN.format(kind=kind, n=n, warm=0),
                    ],
                )
                H.open_notebook_in_lab(page, server, name)
                H.run_cell(page, 0, timeout=120_000)
                cell = H.cells(page).nth(1)
                cell.locator(".jp-InputPrompt").first.click()
                page.evaluate(WATCH_JS, [1, n])
                errors.clear()
                t_start = time.time()
                page.keyboard.press("Control+Enter")
                try:
                    page.wait_for_function(
                        "() => window.__b6.t !== null", timeout=180_000, polling=100
                    )
                except Exception as exc:
                    rows = page.evaluate("() => window.__b6.rows")
                    why = f"page error: {errors[0]}" if errors else f"{rows} rows drawn"
                    failed[kind].append(why)
                    C.log(
                        f"B6: browser {kind} run {i + 1}/{runs}: not all rows in "
                        f"180 s ({rows} rendered; {type(exc).__name__}; {why}); no sample"
                    )
                    server.shutdown_kernels()
                    continue
                t_page = float(page.evaluate("() => window.__b6.t"))
                offset = L.clock_offset(page)[0]
                out[kind].append(t_page - offset - t_start * 1000)
                C.log(f"B6: browser {kind} run {i + 1}/{runs}: {out[kind][-1]:.0f} ms")
                H.wait_notebook_ready(page, 120_000)
                server.shutdown_kernels()
    return out, failed


# ----------------------------------------------------------------------------- main


def run(runs: int, n: int, browser: bool, kernel: bool = True) -> str:
    kinds = ["nbstate", "ipywidgets"]
    results: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for i in range(runs if kernel else 0):
        for kind in kinds if i % 2 == 0 else kinds[::-1]:
            C.log(f"B6: kernel {kind} run {i + 1}/{runs}")
            results[kind].append(kernel_run(kind, n))
    seen, failed = browser_runs(kinds, runs, n) if browser else ({}, {})
    base = results["ipywidgets"]
    base_s = C.median([r["seconds"] for r in base]) * 1000
    base_mem = C.median([r["rss"] for r in base]) / n
    base_br = C.median(seen["ipywidgets"]) if seen.get("ipywidgets") else None
    rows = []
    for kind in kinds:
        rs = results[kind]
        s = C.median([r["seconds"] for r in rs]) * 1000
        mem = C.median([r["rss"] for r in rs]) / n
        br = C.median(seen[kind]) if seen.get(kind) else None
        rows.append(
            [
                kind,
                f"{s:,.0f}",
                C.ratio(s, base_s),
                f"{mem / 1024:.1f} KB",
                C.ratio(mem, base_mem),
                f"{C.median([r['iopub'] for r in rs]):,.0f}",
                f"{C.median([r['comms'] for r in rs]):,.0f}",
                ("-" if br is None else f"{br:,.0f} ({len(seen[kind])} runs)")
                + (f", {len(failed[kind])} failed" if failed.get(kind) else ""),
                "-" if br is None else C.ratio(br, base_br),
            ]
        )
    notes = [
        f"{runs} runs per row, a fresh kernel each, alternating; medians. 'x ipyw' is the row "
        "over ipywidgets' (below 1: less than ipywidgets).",
        f"'create+display': building {n:,} rows and displaying them, timed in the kernel. "
        f"'RSS / instance': the kernel's RSS growth over those {n:,} rows (kept alive, after "
        "gc.collect()) divided by the number of rows.",
        "'iopub msgs': messages the client received while the cell ran (comm opens, comm "
        "messages, the display, status); 'comms open': comms open "
        "in the kernel afterwards (nbstate: a state model and a view per row; "
        "ipywidgets: the HBox, two Labels and a Button, plus their Layout and Style models).",
    ]
    if browser:
        notes.append(
            "'browser ms': JupyterLab in Chromium, from Ctrl+Enter to all rows' buttons in the "
            "DOM and the last row's text shown (a fresh kernel each run)."
        )
        for kind in kinds:
            for why in dict.fromkeys(failed.get(kind, [])):
                k = failed[kind].count(why)
                notes.append(f"{kind}: {k} browser run(s) drew no complete table in 180 s: {why}")
    else:
        notes.append("browser part skipped (--no-browser).")
    return C.table(
        f"B6  {n:,} state instances, each in one small view (name, count, + button)",
        [
            "row",
            "create+display ms",
            "x ipyw",
            "RSS / instance",
            "x ipyw",
            "iopub msgs",
            "comms open",
            "browser ms",
            "x ipyw",
        ],
        rows,
        notes,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("-n", type=int, default=N)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-kernel", action="store_true", help="the browser part only")
    a = ap.parse_args()
    print(C.header(None, "nbstate benchmark B6 (many states)"))
    print(run(a.runs, a.n, not a.no_browser, not a.no_kernel))


if __name__ == "__main__":
    main()
