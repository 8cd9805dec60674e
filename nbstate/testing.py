"""Testing your own States with pytest.

nbstate registers this module as a pytest plugin (entry point ``pytest11``), so in any project
that has nbstate installed:

- the fixture ``nbstate_app`` gives each test a clean app: no default instances, runs, errors
  or views left from another test, on whatever event loop the test runs;
- ``await nbstate.testing.idle()`` waits until no event is queued, no handler step runs, and
  nothing waits to be sent;
- ``await nbstate.testing.wait_until(lambda: ..., timeout=...)`` waits for a condition;
- ``ui = nbstate.testing.mount(tree_or_view)`` drives a view headless, as a person would:
  ``ui.get_by_role("button", name="Start").click()``, ``ui.get_by_label("Max").fill("6")``,
  ``ui.text()``, and ``await ui.settle()`` (see :mod:`nbstate._ui.driver`).

>>> import nbstate.testing
>>> nbstate.testing.reset()  # what the fixture does before and after each test
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ._base.app import app
from ._settle import idle, reset, wait_until
from ._ui.driver import Locator, Mounted, mount


@pytest.fixture
def nbstate_app() -> Iterator[Any]:
    """A clean nbstate app for one test; everything it made is closed afterwards."""
    reset()
    yield app
    reset()


__all__ = ["Locator", "Mounted", "idle", "mount", "nbstate_app", "reset", "wait_until"]
