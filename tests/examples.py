"""Code that several test levels run: the DESIGN.md example (read from the first notebook) and
the three-job task monitor."""

from __future__ import annotations

import json
import pathlib

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "01_counter_task.ipynb"


def design_example() -> str:
    """The example exactly as cell 1 of ``notebooks/01_counter_task.ipynb`` has it."""
    cell = json.loads(NOTEBOOK.read_text())["cells"][1]
    assert cell["cell_type"] == "code", f"{NOTEBOOK.name}: cell 1 is not the example"
    source = "".join(cell["source"])
    assert "class MyTaskState(rx.State)" in source, f"{NOTEBOOK.name}: cell 1 changed"
    return source


def three_jobs_monitor(pause: float) -> str:
    """A cell that starts three long runs (labelled alpha, beta, gamma; ``runs`` holds their
    handles), each reporting progress every ``pause`` seconds, and shows
    ``rx.task_monitor(Jobs)``."""
    return f"""\
import asyncio
import nbstate as rx


class Jobs(rx.State):
    @rx.background
    async def slow(self, name: str, total: int = 600):
        for i in range(total):
            rx.report(i + 1, total, label=name)
            await asyncio.sleep({pause})


runs = [rx.start(Jobs.slow, name) for name in ("alpha", "beta", "gamma")]
rx.task_monitor(Jobs)
"""
