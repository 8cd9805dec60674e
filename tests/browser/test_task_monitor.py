"""The task monitor in JupyterLab: three runs going, Cancel clicked on one of them."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from ..examples import three_jobs_monitor
from .helpers import add_and_run_cell, cell_outputs, open_notebook_in_lab, run_all_cells
from .servers import JupyterServer, write_notebook

SOURCE = three_jobs_monitor(pause=0.1)


def test_cancel_one_of_three_running_tasks(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """Each run shows its progress live; clicking beta's Cancel ends beta alone."""
    name = "task_monitor.ipynb"
    write_notebook(jupyter_root / name, [SOURCE])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    monitor = cell_outputs(page, 0).locator(".nbstate-task-monitor")
    rows = monitor.locator(".nbstate-task-row")
    expect(rows).to_have_count(3, timeout=20_000)

    def row(label: str):  # type: ignore[no-untyped-def]
        return rows.filter(has_text=label)

    for label in ("alpha", "beta", "gamma"):
        expect(row(label)).to_contain_text("running")
        expect(row(label).locator("[role=progressbar], progress")).to_have_count(1)
    before = row("alpha").inner_text()
    expect(row("alpha")).not_to_have_text(before, timeout=5_000)  # progress moves live

    row("beta").get_by_role("button", name="Cancel").click()
    expect(row("beta")).to_contain_text("cancelled", timeout=10_000)
    expect(row("beta").get_by_role("button", name="Cancel")).to_be_disabled()
    expect(row("alpha")).to_contain_text("running")
    expect(row("gamma")).to_contain_text("running")
    statuses = add_and_run_cell(page, "print([h.status for h in runs])")
    assert statuses == "['running', 'cancelled', 'running']"
    add_and_run_cell(page, "rx.cancel_all(); None")
    for label in ("alpha", "gamma"):
        expect(row(label)).to_contain_text("cancelled", timeout=10_000)
