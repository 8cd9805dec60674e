"""`foreach` over a patched list touches only the affected rows in the DOM (issue 4).

A state with 2,000 rows is rendered in JupyterLab as ``rx.foreach`` over an hstack per row. Before
each change, every row element is tagged with a JS property (its original index) and a
MutationObserver watches the list element (subtree, childList, characterData, attributes). Then
a new cell changes the list in place. The tests count the mutation records and the distinct row
elements they touch, and check that all other row elements are still the same objects (they
still carry their tags, in order). The kernel's messages are watched on the kernel websocket:
an in-place change must arrive as small patch ops in the hub's batch, not as the whole list.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .helpers import CommFrames, add_and_run_cell, open_notebook_in_lab, run_all_cells
from .servers import JupyterServer, write_notebook

pytestmark = pytest.mark.browser

N_ROWS = 2000

SETUP_CELL = f"""\
import nbstate as rx

class Big(rx.State):
    rows: list[dict] = [{{"id": i, "name": f"row {{i}}"}} for i in range({N_ROWS})]

s = rx.get_state(Big)
rx.vstack(
    rx.foreach(
        Big.rows,
        lambda r: rx.hstack(
            rx.text(r["id"], as_="span", class_name="fe-id"),
            rx.text(r["name"], as_="span", class_name="fe-name"),
            class_name="fe-row",
        ),
    ),
    class_name="fe-list",
)
"""

LIST = ".nbstate-view .fe-list"

# Tags every row element with its current index (a JS property: re-created elements lose it),
# and starts a MutationObserver on the list element. Each record is summarized as the set of
# row tags it touches (a row created after tagging counts as "new"), plus the nodes it adds or
# removes directly in the list.
_INSTALL_JS = """
(sel) => {
  const list = document.querySelector(sel);
  if (!list) throw new Error('no list element ' + sel);
  const rows = list.querySelectorAll(':scope > .fe-row');
  rows.forEach((el, i) => { el.__feTag = i; });
  const rowOf = (node) => {
    let n = node;
    while (n && n.parentNode !== list) n = n.parentNode;
    if (!n) return 'outside';
    if (n.nodeType !== 1) return 'anchor';  // a comment anchor between rows
    return n.__feTag === undefined ? 'new' : n.__feTag;
  };
  const log = {records: 0, touched: new Set(), addedRows: 0, removedRows: 0,
               addedNodes: 0, removedNodes: 0, types: {}};
  const onRecords = (records) => {
    for (const r of records) {
      log.records++;
      log.types[r.type] = (log.types[r.type] || 0) + 1;
      if (r.target === list) {
        for (const n of r.addedNodes) {
          log.addedNodes++;
          if (n.nodeType === 1) { log.addedRows++; log.touched.add(rowOf(n)); }
        }
        for (const n of r.removedNodes) {
          log.removedNodes++;
          if (n.nodeType === 1) {
            log.removedRows++;
            log.touched.add(n.__feTag === undefined ? 'new' : n.__feTag);
          }
        }
        if (r.type === 'attributes') log.touched.add('list');
      } else {
        log.touched.add(rowOf(r.target));
      }
    }
  };
  const obs = new MutationObserver(onRecords);
  obs.observe(list, {subtree: true, childList: true, characterData: true, attributes: true});
  window.__feLog = log;
  window.__feObs = obs;
  window.__feOnRecords = onRecords;
  window.__feList = list;
  return rows.length;
}
"""

# Stops the observer (after taking its pending records) and reports what it saw, and whether
# the row elements of the list still carry their tags, in order.
_REPORT_JS = """
(sel) => {
  const log = window.__feLog;
  const obs = window.__feObs;
  window.__feOnRecords(obs.takeRecords());
  obs.disconnect();
  const list = window.__feList;
  const rows = [...list.querySelectorAll(':scope > .fe-row')];
  return {
    records: log.records,
    types: log.types,
    touched: [...log.touched].map(String),
    addedRows: log.addedRows,
    removedRows: log.removedRows,
    addedNodes: log.addedNodes,
    removedNodes: log.removedNodes,
    sameListElement: list === document.querySelector(sel) && list.isConnected,
    tags: rows.map((el) => (el.__feTag === undefined ? null : el.__feTag)),
    names: rows.map((el) => (el.querySelector('.fe-name') || {}).textContent),
    ids: rows.map((el) => (el.querySelector('.fe-id') || {}).textContent),
  };
}
"""


def _open(page: Page, server: JupyterServer, root: Path, name: str) -> CommFrames:
    frames = CommFrames(page)  # listen before the page opens its kernel websocket
    write_notebook(root / name, [SETUP_CELL])
    open_notebook_in_lab(page, server, name)
    run_all_cells(page)
    page.wait_for_function(
        "([sel, n]) => { const l = document.querySelector(sel);"
        " return !!l && l.querySelectorAll(':scope > .fe-row').length === n; }",
        arg=[LIST, N_ROWS],
        timeout=60_000,
    )
    return frames


def _install(page: Page) -> None:
    assert page.evaluate(_INSTALL_JS, LIST) == N_ROWS


def _report(page: Page) -> dict[str, Any]:
    # Let trailing work (coalesced messages, deferred renders) land before the count is taken.
    time.sleep(0.5)
    report = page.evaluate(_REPORT_JS, LIST)
    assert isinstance(report, dict)
    return report


def _assert_kept(tags: list[Any], expected: list[Any]) -> None:
    """The row elements carry exactly the expected tags (None: a row created after tagging)."""
    assert len(tags) == len(expected), f"{len(tags)} row elements, expected {len(expected)}"
    wrong = [i for i, (a, b) in enumerate(zip(tags, expected, strict=True)) if a != b]
    assert not wrong, (
        f"{len(wrong)} row elements are not the original DOM objects (or moved), e.g. at "
        f"{wrong[:5]}: tags {[tags[i] for i in wrong[:5]]}, "
        f"expected {[expected[i] for i in wrong[:5]]}"
    )


def _patch_frames(frames: list[bytes]) -> list[bytes]:
    """Frames that carry patch ops: a hub batch with a "patches" entry."""
    return [f for f in frames if re.search(rb'"kind":\s*"batch"', f) and b'"patches"' in f]


def test_changing_one_row_mutates_only_that_row(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """Setting rows[1234]["name"] updates that row's text and no other row element."""
    frames = _open(page, jupyter_lab_server, jupyter_root, "foreach_dom_change.ipynb")
    _install(page)
    mark = frames.mark()

    add_and_run_cell(page, 's.rows[1234]["name"] = "changed"')
    page.wait_for_function(
        "(sel) => { const r = document.querySelectorAll(sel + ' > .fe-row')[1234];"
        " return !!r && r.querySelector('.fe-name').textContent === 'changed'; }",
        arg=LIST,
        timeout=15_000,
    )
    rep = _report(page)

    assert rep["sameListElement"], "the list element was replaced: the whole view re-rendered"
    assert rep["names"][1234] == "changed"
    assert rep["names"][1233] == "row 1233" and rep["names"][1235] == "row 1235"
    assert rep["ids"][1234] == "1234"
    _assert_kept(rep["tags"], list(range(N_ROWS)))
    assert rep["touched"] == ["1234"], f"rows touched: {rep['touched'][:20]} ({rep})"
    assert rep["records"] < 10, f"{rep['records']} mutation records for one row: {rep['types']}"
    assert rep["addedNodes"] == 0 and rep["removedNodes"] == 0, rep

    # On the wire: one small patch comm message, never the whole 2,000-row list (~60 KB).
    got = frames.since(mark)
    patches = _patch_frames(got)
    assert patches, f"no patch message reached the page ({len(got)} comm frames)"
    assert any(b"changed" in f and b"1234" in f for f in patches), patches
    assert all(len(f) < 2048 for f in got), (
        f"a comm frame of {max(len(f) for f in got)} bytes for a one-field change"
    )
    assert not any(b"row 1999" in f for f in got), "the whole list was sent"


def test_append_adds_exactly_one_row_element(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """Appending one item adds one row element and keeps every existing row element."""
    frames = _open(page, jupyter_lab_server, jupyter_root, "foreach_dom_append.ipynb")
    _install(page)
    mark = frames.mark()

    add_and_run_cell(page, 's.rows.append({"id": 2000, "name": "appended"})')
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' > .fe-row').length === n",
        arg=[LIST, N_ROWS + 1],
        timeout=15_000,
    )
    rep = _report(page)

    assert rep["sameListElement"], "the list element was replaced: the whole view re-rendered"
    assert rep["addedRows"] == 1, rep
    assert rep["removedRows"] == 0 and rep["removedNodes"] == 0, rep
    assert rep["touched"] == ["new"], f"rows touched: {rep['touched'][:20]}"
    assert rep["records"] < 10, f"{rep['records']} mutation records for one append: {rep['types']}"
    _assert_kept(rep["tags"], [*range(N_ROWS), None])
    assert rep["names"][-1] == "appended" and rep["ids"][-1] == "2000"

    got = frames.since(mark)
    assert any(b"appended" in f for f in _patch_frames(got)), "the append did not arrive as a patch"
    assert all(len(f) < 2048 for f in got), "an append sent a large comm message"


def test_delete_and_insert_keep_other_row_elements(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """Deleting row 10 and inserting at 0 remove and add one row element each, keeping the rest."""
    _open(page, jupyter_lab_server, jupyter_root, "foreach_dom_delete.ipynb")
    _install(page)

    add_and_run_cell(page, 'del s.rows[10]\ns.rows.insert(0, {"id": -1, "name": "first"})')
    page.wait_for_function(
        "(sel) => { const r = document.querySelector(sel + ' > .fe-row .fe-name');"
        " return !!r && r.textContent === 'first'; }",
        arg=LIST,
        timeout=15_000,
    )
    rep = _report(page)

    assert rep["sameListElement"], "the list element was replaced: the whole view re-rendered"
    assert rep["addedRows"] == 1 and rep["removedRows"] == 1, rep
    assert sorted(rep["touched"]) == ["10", "new"], f"rows touched: {rep['touched'][:20]}"
    assert rep["records"] < 10, f"{rep['records']} mutation records: {rep['types']}"
    _assert_kept(rep["tags"], [None, *range(10), *range(11, N_ROWS)])
    assert rep["names"][:3] == ["first", "row 0", "row 1"]
    assert rep["names"][11] == "row 11"


def test_capped_log_in_one_block_touches_two_rows(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """append + pop(0) in one block adds one row element, removes one, and touches no other."""
    _open(page, jupyter_lab_server, jupyter_root, "foreach_dom_fifo.ipynb")
    _install(page)

    add_and_run_cell(
        page, 'async with s:\n    s.rows.append({"id": 2000, "name": "newest"})\n    s.rows.pop(0)'
    )
    page.wait_for_function(
        "(sel) => { const r = document.querySelectorAll(sel + ' > .fe-row');"
        " return r.length > 0 && r[r.length - 1].querySelector('.fe-name').textContent"
        " === 'newest'; }",
        arg=LIST,
        timeout=15_000,
    )
    rep = _report(page)

    assert rep["names"][0] == "row 1" and rep["names"][-1] == "newest"
    assert len(rep["names"]) == N_ROWS
    assert rep["sameListElement"], "the list element was replaced: the whole view re-rendered"
    assert rep["records"] < 10, (
        f"{rep['records']} mutation records for append + pop(0): {rep['types']}"
    )
    assert sorted(rep["touched"]) == ["0", "new"], f"{len(rep['touched'])} rows touched"
    assert rep["addedRows"] == 1 and rep["removedRows"] == 1, rep
    _assert_kept(rep["tags"], [*range(1, N_ROWS), None])
