"""The DESIGN.md example, read from the first notebook so every test level runs the same code."""

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
