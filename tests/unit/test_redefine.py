"""Re-running the cell that defines a State class replaces the class, its runs and its views."""

from __future__ import annotations

import asyncio
import types
from typing import Any

import pytest

import nbstate as rx

from .conftest import settle

CELL = """
import asyncio
import nbstate as rx

class Ticker(rx.State):
    n: int = 0

    @rx.background
    async def tick(self):
        while True:
            async with self:
                self.n += 1
            await asyncio.sleep(0)
"""


def _run_cell(module: types.ModuleType) -> Any:
    exec(CELL, module.__dict__)
    return module.__dict__["Ticker"]


async def test_redefining_a_class_cancels_runs_closes_models_and_tells_views() -> None:
    """The old class's task stops, its instances close, and its views show a notice."""
    main = types.ModuleType("notebook_main")  # stands in for a notebook's __main__
    old_cls = _run_cell(main)
    old = rx.get_state(old_cls)
    view = rx.view(rx.text(old_cls.n))
    handle = rx.start(old_cls.tick)
    await settle(5)
    assert handle.status == "running" and old.n > 0

    new_cls = _run_cell(main)
    await asyncio.wait([handle.task], timeout=2)  # type: ignore[list-item]
    assert handle.status == "cancelled"
    assert rx.app.background_tasks == set()
    with pytest.raises(rx.StateClosedError):
        old.n = 5
    assert rx.get_state(new_cls) is not old and rx.get_state(new_cls).n == 0
    assert "Ticker was redefined" in view._nbstate_notice
    assert "Re-run the cell" in view._nbstate_notice
    fresh = rx.view(rx.text(new_cls.n))
    assert fresh._nbstate_notice == ""


def test_classes_made_by_a_function_are_not_replaced() -> None:
    """Two classes from one factory (same qualname with <locals>) both stay alive."""

    def make() -> Any:
        class Made(rx.State):
            n: int = 0

        return Made

    first, second = make(), make()
    a, b = first(), second()
    a.n = 1
    b.n = 2
    assert (a.n, b.n) == (1, 2)
