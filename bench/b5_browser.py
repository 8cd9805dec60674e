"""B5: nbstate in the browser. JupyterLab 4 in headless Chromium, with the browser tests' set-up.

Three measurements, each with a peer measured in the same run:

  B5a  kernel change -> DOM text. A task in the kernel sets a value every ~100 ms (plus a random
       0-17 ms, so samples do not lock to the frame clock) and records ``time.time()`` just
       before each change. In the page a MutationObserver on the element records
       ``performance.timeOrigin + performance.now()`` when the new text appears. Both clocks are
       this machine's wall clock (checked at start: "page clock - system clock" in the header).
         nbstate     ``async with state: state.n = v``, shown by ``rx.heading(S.n)``
         ipywidgets  ``label.value = str(v)`` on a plain ``widgets.Label``
       The two rows alternate in rounds.
  B5b  one row of a 10,000-row list. The same kernel->DOM latency for changing one row's name,
       plus the DOM mutation records and nodes added/removed per update, the row elements
       re-created, and the kernel->page comm bytes per update (from the kernel websocket).
         nbstate foreach   ``rx.foreach(S.rows, row)``, ``state.rows[k]["name"] = ...``
                           (travels as a patch; the row is patched in place)
         ipywidgets HTML   the whole list as one ``widgets.HTML`` (the same row markup), its
                           value rebuilt and re-sent for the one-row change (a full re-render)
       The rows run in blocks (a whole-list re-render keeps the page busy for a good part of a
       second and would delay whatever sample comes next), alternating in rounds.
  B5c  first render of the DESIGN.md example: from pressing Ctrl+Enter on the cell to its
       Start and Reset buttons being visible in the page. "cold" is the first run in a fresh
       kernel (includes ``import nbstate``), "warm" re-executes the same cell. The peer is the
       same UI hand-built with ipywidgets (HTML heading, IntText, two Buttons in an HBox),
       and the same UI as one hand-written anywidget (the floor for anything shipped as an
       anywidget, whose ESM the page imports before rendering). A paired table then runs the
       three cells alternating in one kernel and page, warm (``_first_render.py`` has B5c).

Timings are never assertions. Run from the repository root:

    .venv/bin/python bench/b5_browser.py            # about 5 minutes on 2 cores
    .venv/bin/python bench/b5_browser.py --quick    # fewer samples: a smoke check

Tables go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
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
import _first_render as F  # noqa: E402
import _lab as L  # noqa: E402

from tests.browser import helpers as H  # noqa: E402
from tests.browser.servers import (  # noqa: E402
    write_notebook,
)

CHROMIUM = L.CHROMIUM

N_ROWS = 10_000
ROW_K = 5_000  # the row B5b changes
# Seconds between B5b updates: the whole-list HTML peer needs ~0.5 s per update in the page, and
# an update still being rendered would delay the next sample (of either row).
ROWS_GAPS = {"foreach": 0.25, "html": 0.8}

# ----------------------------------------------------------------------------- small helpers


def log(msg: str) -> None:
    print(f"  [b5] {msg}", file=sys.stderr, flush=True)


def kb(n: float | None) -> str:
    if n is None or n != n:
        return "-"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f} MB"
    if n >= 10_000:
        return f"{n / 1000:.1f} KB"
    return f"{n:,.0f} B"


def run_code_cell(page: Any, index: int, timeout: float = 120_000) -> str:
    out = H.run_cell(page, index, timeout=timeout)
    return "\n".join(str(t) for t in out.all_inner_texts())


def last_json(text: str) -> Any:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON in cell output: {text[:500]!r}")


# ----------------------------------------------------------------------------- the notebook

SETUP_LATENCY = """\
import asyncio, json, random, time
import ipywidgets as widgets
import nbstate as rx
from IPython.display import display

class Lat(rx.State):
    n: int = 0

lat = rx.get_state(Lat)
label = widgets.Label("0")
label.add_class("b5-label")
display(rx.view(rx.heading(Lat.n, class_name="b5-n")))
display(label)
T = {"nbstate": [], "ipywidgets": []}
_b5_tasks = []
"""

DRIVE_LATENCY = """\
async def _drive_latency(rounds, per, gap):
    v = 0
    for r in range(rounds):
        for kind in (("nbstate", "ipywidgets") if r % 2 == 0 else ("ipywidgets", "nbstate")):
            for _ in range(per):
                v += 1
                t = time.time()
                if kind == "nbstate":
                    async with lat:
                        lat.n = v
                else:
                    label.value = str(v)
                T[kind].append((str(v), t))
                await asyncio.sleep(gap + random.random() * 0.017)
    T["done"] = v

_b5_tasks.append(asyncio.ensure_future(_drive_latency({rounds}, {per}, {gap})))
"""

SETUP_ROWS = """\
class Rows(rx.State):
    rows: list[dict] = [{{"id": i, "name": f"row {{i}}"}} for i in range({n})]

rs = rx.get_state(Rows)
html_rows = [{{"id": i, "name": f"row {{i}}"}} for i in range({n})]

def _html(rows):
    return "".join(
        f'<div class="hrow" data-i="{{r["id"]}}"><span>{{r["id"]}}</span> '
        f'<span class="b5-name">{{r["name"]}}</span></div>' for r in rows)

html = widgets.HTML(_html(html_rows))
html.add_class("b5-html")
display(rx.view(rx.vstack(
    rx.foreach(Rows.rows, lambda r: rx.hstack(
        rx.text(r["id"], as_="span"),
        rx.text(r["name"], as_="span", class_name="b5-name"),
        class_name="b5-row")),
    class_name="b5-list")))
display(html)
F = {{"foreach": [], "html": []}}
"""

DRIVE_ROWS = """\
async def _drive_rows(rounds, per, gaps, k):
    v = 0
    for r in range(rounds):
        for kind in (("foreach", "html") if r % 2 == 0 else ("html", "foreach")):
            for _ in range(per[kind]):
                v += 1
                name = f"x{{v}}"
                t = time.time()
                if kind == "foreach":
                    async with rs:
                        rs.rows[k]["name"] = name
                else:
                    html_rows[k]["name"] = name
                    html.value = _html(html_rows)
                F[kind].append((name, t))
                await asyncio.sleep(gaps[kind] + random.random() * 0.017)
            await asyncio.sleep(1.0)  # let the page settle before the other row's block
    F["done"] = v

_b5_tasks.append(asyncio.ensure_future(_drive_rows({rounds}, {per}, {gaps}, {k})))
"""

DUMP_LATENCY = "print(json.dumps(T))"
DUMP_ROWS = "print(json.dumps(F))"

# ----------------------------------------------------------------------------- page scripts

# Records, per element, when each new text first appears (page wall clock, ms).
OBSERVE_TEXT_JS = """
(sels) => {
  window.__b5 = {};
  for (const [kind, sel] of Object.entries(sels)) {
    const el = document.querySelector(sel);
    if (!el) throw new Error('missing ' + sel);
    const rec = (window.__b5[kind] = {});
    let last = el.textContent.trim();
    new MutationObserver(() => {
      const t = performance.timeOrigin + performance.now();
      const text = el.textContent.trim();
      if (text !== last) { last = text; if (!(text in rec)) rec[text] = t; }
    }).observe(el, {subtree: true, childList: true, characterData: true});
  }
}
"""

# Watches the foreach list and the HTML widget: when row k's name first shows each value, and
# every mutation record (count, nodes added/removed). Foreach rows are tagged to count the row
# elements re-created.
OBSERVE_ROWS_JS = """
([listSel, htmlSel, k]) => {
  const out = (window.__b5rows = {
    seen: {foreach: {}, html: {}},
    stats: {foreach: {records: 0, added: 0, removed: 0, batches: 0},
            html: {records: 0, added: 0, removed: 0, batches: 0}},
  });
  const list = document.querySelector(listSel);
  const hel = document.querySelector(htmlSel);
  if (!list || !hel) throw new Error('missing list or html element');
  const rows = list.querySelectorAll(':scope > .b5-row');
  rows.forEach((el) => { el.__b5 = true; });
  window.__b5list = list;
  let row = rows[k];
  const feName = () => {
    if (!row || !row.isConnected) row = list.querySelectorAll(':scope > .b5-row')[k];
    const n = row && row.querySelector('.b5-name');
    return n ? n.textContent : null;
  };
  const htmlName = () => {
    const n = hel.querySelector('[data-i="' + k + '"] .b5-name');
    return n ? n.textContent : null;
  };
  const watchOne = (kind, el, name) => {
    new MutationObserver((records) => {
      const t = performance.timeOrigin + performance.now();
      const s = out.stats[kind];
      s.batches++;
      s.records += records.length;
      for (const r of records) {
        s.added += r.addedNodes.length;
        s.removed += r.removedNodes.length;
      }
      const text = name();
      if (text !== null && !(text in out.seen[kind])) out.seen[kind][text] = t;
    }).observe(el, {subtree: true, childList: true, characterData: true, attributes: true});
  };
  watchOne('foreach', list, feName);
  watchOne('html', hel, htmlName);
  return rows.length;
}
"""

ROWS_RECREATED_JS = """
() => {
  const list = window.__b5list;
  const rows = [...list.querySelectorAll(':scope > .b5-row')];
  return {rows: rows.length, recreated: rows.filter((el) => !el.__b5).length,
          connected: list.isConnected};
}
"""

# Times when the cell's Start and Reset buttons (not the ones tagged before the run) are first
# both visible: checked on every DOM mutation under the cell and on every animation frame.
# ----------------------------------------------------------------------------- measurements


def latencies(
    kernel: list[list[Any]], seen: dict[str, float], offset: float
) -> tuple[list[float], int]:
    """Per-value latency in ms (page time - kernel time, page clock corrected); missing count."""
    out: list[float] = []
    missing = 0
    for value, t in kernel:
        p = seen.get(str(value))
        if p is None:
            missing += 1
        else:
            out.append(p - offset - t * 1000)
    return out, missing


def b5a(page: Any, per: int, rounds: int, gap: float, offset: float) -> dict[str, Any]:
    page.evaluate(OBSERVE_TEXT_JS, {"nbstate": ".nbstate-view .b5-n", "ipywidgets": ".b5-label"})
    total = per * rounds * 2
    run_code_cell(page, 1)  # starts the driver task, returns at once
    deadline_ms = (total * (gap + 0.03) + 30) * 1000
    try:
        page.wait_for_function(
            "(n) => Object.keys(window.__b5.nbstate).length"
            " + Object.keys(window.__b5.ipywidgets).length >= n",
            arg=total,
            timeout=deadline_ms,
            polling=250,
        )
    except Exception as exc:  # bounded: report what arrived
        log(f"B5a: not every value arrived in time ({type(exc).__name__})")
    time.sleep(0.3)
    kernel = last_json(run_code_cell(page, 2))
    seen = page.evaluate("() => window.__b5")
    res: dict[str, Any] = {}
    for kind in ("nbstate", "ipywidgets"):
        lat, missing = latencies(kernel[kind], seen[kind], offset)
        res[kind] = {"lat": lat, "missing": missing}
    return res


def b5b(
    page: Any, comm: H.CommFrames, per: dict[str, int], rounds: int, offset: float
) -> dict[str, Any]:
    log(f"B5b: rendering {N_ROWS:,} foreach rows and the {N_ROWS:,}-row HTML widget")
    t0 = time.monotonic()
    run_code_cell(page, 3, timeout=180_000)
    page.wait_for_function(
        "(n) => { const l = document.querySelector('.nbstate-view .b5-list');"
        " const h = document.querySelector('.b5-html');"
        " return !!l && !!h && l.querySelectorAll(':scope > .b5-row').length === n"
        " && h.querySelectorAll('.hrow').length === n; }",
        arg=N_ROWS,
        timeout=180_000,
        polling=250,
    )
    log(f"B5b: rendered in {time.monotonic() - t0:.1f}s; updating row {ROW_K:,}")
    time.sleep(0.5)
    page.evaluate(OBSERVE_ROWS_JS, [".nbstate-view .b5-list", ".b5-html", ROW_K])
    mark = len(comm.frames)
    total = sum(per.values()) * rounds
    run_code_cell(page, 4)
    try:
        page.wait_for_function(
            "(n) => { const s = window.__b5rows.seen;"
            " return Object.keys(s.foreach).length + Object.keys(s.html).length >= n; }",
            arg=total,
            timeout=(rounds * sum(per[x] * (ROWS_GAPS[x] + 0.3) + 1 for x in per) + 60) * 1000,
            polling=250,
        )
    except Exception as exc:
        log(f"B5b: not every value arrived in time ({type(exc).__name__})")
    time.sleep(0.5)
    kernel = last_json(run_code_cell(page, 5))
    got = page.evaluate("() => window.__b5rows")
    recreated = page.evaluate(ROWS_RECREATED_JS)
    frames = comm.frames[mark:]
    res: dict[str, Any] = {"recreated": recreated}
    for kind in ("foreach", "html"):
        lat, missing = latencies(kernel[kind], got["seen"][kind], offset)
        n = max(1, len(kernel[kind]))
        stats = got["stats"][kind]
        if kind == "foreach":
            nbytes = sum(len(f) for f in frames if b'"patches"' in f)
        else:
            nbytes = sum(len(f) for f in frames if b"data-i" in f)
        res[kind] = {
            "lat": lat,
            "missing": missing,
            "records": stats["records"] / n,
            "nodes": (stats["added"] + stats["removed"]) / n,
            "bytes": nbytes / n,
        }
    return res


# ----------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick", action="store_true", help="few samples (a smoke check, not numbers to quote)"
    )
    args = ap.parse_args()
    per, rounds = (5, 2) if args.quick else (10, 5)  # B5a: per x rounds samples per row
    # B5b: per round, so many samples of each row, in blocks; rounds alternate the order
    rper, rrounds = ({"foreach": 3, "html": 2}, 2) if args.quick else ({"foreach": 7, "html": 4}, 3)
    fresh, warm = (1, 1) if args.quick else (6, 4)  # B5c
    pkernels, prounds = (1, 2) if args.quick else (4, 8)  # B5c, paired
    gap = 0.1

    if not os.access(CHROMIUM, os.X_OK):
        print(
            f"{CHROMIUM} is missing: run scripts/setup.sh (apt-get install chromium)",
            file=sys.stderr,
        )
        return 2
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    # Kernels import this checkout's nbstate. Where PYTHONDONTWRITEBYTECODE is set (as on the
    # dev machine), a module edited since its .pyc was written is compiled from source at every
    # fresh kernel's import, which an installed package (pip writes the .pyc) never does: write
    # them now, as an install would, so the cold rows compare imports on an equal footing.
    import compileall

    compileall.compile_dir(str(ROOT / "nbstate"), quiet=1)
    t_start = time.monotonic()
    with L.lab_in_chromium("nbstate-b5-", log) as (server, root, browser):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(F.TIMELINE_INIT_JS)
        context.set_default_timeout(60_000)
        page = context.new_page()
        comm = H.CommFrames(page)
        chrome = browser.version
        write_notebook(
            root / "b5_main.ipynb",
            [
                SETUP_LATENCY,
                DRIVE_LATENCY.format(rounds=rounds, per=per, gap=gap),
                DUMP_LATENCY,
                SETUP_ROWS.format(n=N_ROWS),
                DRIVE_ROWS.format(rounds=rrounds, per=rper, gaps=ROWS_GAPS, k=ROW_K),
                DUMP_ROWS,
            ],
        )
        log("opening the notebook")
        H.open_notebook_in_lab(page, server, "b5_main.ipynb")
        offset, unc = L.clock_offset(page)
        run_code_cell(page, 0)
        page.wait_for_function(
            "() => !!document.querySelector('.nbstate-view .b5-n')"
            " && !!document.querySelector('.b5-label')",
            timeout=60_000,
        )
        time.sleep(0.5)
        log(f"B5a: {per * rounds} samples per row, every ~{gap * 1000:.0f} ms")
        ra = b5a(page, per, rounds, gap, offset)
        rb = b5b(page, comm, rper, rrounds, offset)
        server.shutdown_kernels()
        log(f"B5c: {fresh} fresh kernels per row, {warm} re-runs each")
        rc = F.first_render(
            page,
            server,
            root,
            F.FIRST_RENDER_CELLS,
            fresh,
            warm,
            offset,
            log,
        )
        log(f"B5c paired: {pkernels} kernels, {prounds} rounds each")
        rp = F.paired_warm(
            page,
            server,
            root,
            F.FIRST_RENDER_CELLS,
            pkernels,
            prounds,
            offset,
            log,
        )

    import nbstate

    print("nbstate benchmark B5 (JupyterLab in headless Chromium)")
    print(f"  machine : {platform.machine()}, {os.cpu_count()} cores, load average at start {load}")
    print(f"  python  : {platform.python_version()} ({sys.executable})")
    print(f"  nbstate : {nbstate.__version__} (git {C.git_rev()})")
    print(
        "  stack   : "
        + ", ".join(
            f"{d} {C.version(d)}"
            for d in ("jupyterlab", "ipywidgets", "anywidget", "ipykernel", "playwright")
        )
        + f", chromium {chrome}"
    )
    print(f"  clocks  : page clock - system clock = {offset:+.2f} ms (+/- {unc:.2f}), corrected")
    print(f"  run     : {time.monotonic() - t_start:.0f} s{' (--quick)' if args.quick else ''}")
    print("  bytecode: nbstate's .pyc written before the run, as an install writes them")
    print()

    # B5a
    base = ra["ipywidgets"]["lat"]
    rows = []
    for kind, what in (("nbstate", "nbstate, rx.heading(S.n)"), ("ipywidgets", "ipywidgets Label")):
        lat = ra[kind]["lat"]
        rows.append(
            [
                what,
                len(lat),
                ra[kind]["missing"],
                C.ms(C.percentile(lat, 50)),
                C.ms(C.percentile(lat, 90)),
                C.ms(min(lat) if lat else None),
                C.ms(max(lat) if lat else None),
                C.ratio(C.percentile(lat, 50), C.percentile(base, 50)),
            ]
        )
    p50 = C.percentile(ra["nbstate"]["lat"], 50)
    print(
        C.table(
            "B5a: kernel change -> DOM text (ms)",
            ["row", "samples", "missing", "p50", "p90", "min", "max", "p50 vs ipywidgets"],
            rows,
            [
                f"goal: nbstate p50 under 50 ms -> {'met' if p50 < 50 else 'MISSED'}"
                f" ({C.ms(p50)} ms)",
                "one change every ~100 ms (+0-17 ms jitter); rows alternate in rounds",
            ],
        )
    )

    # B5b
    rows = []
    fe = rb["foreach"]
    hb = rb["html"]
    for kind, what in (
        ("foreach", "nbstate foreach (patch)"),
        ("html", "ipywidgets HTML (whole list)"),
    ):
        r = rb[kind]
        rows.append(
            [
                what,
                len(r["lat"]),
                r["missing"],
                C.ms(C.percentile(r["lat"], 50)),
                C.ms(C.percentile(r["lat"], 90)),
                f"{r['records']:.1f}",
                f"{r['nodes']:,.0f}",
                kb(r["bytes"]),
                C.ratio(C.percentile(r["lat"], 50), C.percentile(hb["lat"], 50)),
            ]
        )
    rec = rb["recreated"]
    print(
        C.table(
            f"B5b: one row update in a {N_ROWS:,}-row list (ms; per update)",
            [
                "row",
                "samples",
                "missing",
                "p50",
                "p90",
                "DOM records",
                "nodes +/-",
                "comm bytes",
                "p50 vs HTML",
            ],
            rows,
            [
                f"foreach row elements re-created over the run: {rec['recreated']}"
                f" of {rec['rows']:,}"
                f" (list element still in the page: {rec['connected']})",
                f"goal: one row updates without re-rendering the list -> "
                f"{'met' if rec['recreated'] == 0 and fe['records'] < 5 else 'MISSED'}",
                f"row {ROW_K:,} renamed in blocks per row"
                f" (every ~{ROWS_GAPS['foreach'] * 1000:.0f} ms for"
                f" foreach, ~{ROWS_GAPS['html'] * 1000:.0f} ms for HTML); the HTML row rebuilds and"
                " re-sends the whole value",
                "DOM records: MutationObserver records (the HTML row's one record replaces all its"
                " nodes); comm bytes: whole kernel websocket frames, Jupyter message headers"
                " (~600 B) included",
            ],
        )
    )

    F.print_tables(rc, rp, pkernels, prounds)
    return 0


if __name__ == "__main__":
    random.seed()
    sys.exit(main())
