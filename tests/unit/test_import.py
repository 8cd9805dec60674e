"""`import nbstate` is on every fresh kernel's first render: what it loads, and what it defers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LAZY = ["nbstate._engine.offload", "nbstate._engine.cluster", "nbstate._ui.monitor", "difflib"]


def _fresh(code: str) -> dict[str, bool]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return dict(json.loads(out.splitlines()[-1]))


def test_import_leaves_dask_glue_and_the_monitor_unloaded() -> None:
    loaded = _fresh(
        "import json, sys; import nbstate; print(json.dumps({m: m in sys.modules for m in "
        f"{LAZY!r}}}))"
    )
    assert loaded == dict.fromkeys(LAZY, False)


@pytest.mark.parametrize("name", ["offload", "offload_map", "track", "task_monitor"])
def test_deferred_names_load_on_first_use(name: str) -> None:
    import nbstate

    value = getattr(nbstate, name)
    assert callable(value)
    assert name in dir(nbstate)
    assert value is getattr(nbstate, name)
    namespace: dict[str, object] = {}
    exec(f"from nbstate import {name}", namespace)
    assert namespace[name] is value


def test_star_import_and_unknown_names() -> None:
    loaded = _fresh(
        "import json; ns = {}; exec('from nbstate import *', ns); "
        "print(json.dumps({n: n in ns for n in ['offload', 'track', 'task_monitor', 'State']}))"
    )
    assert all(loaded.values()), loaded
    import nbstate

    with pytest.raises(AttributeError, match="module 'nbstate' has no attribute 'offlaod'"):
        _ = nbstate.offlaod  # type: ignore[attr-defined]
