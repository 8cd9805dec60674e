"""The task monitor in a real kernel: rows reach the frontend live, and the Cancel event a view
sends for one row cancels that run alone."""

from __future__ import annotations

from typing import Any

import pytest

from ..examples import three_jobs_monitor
from .harness import KernelFrontend

pytestmark = pytest.mark.timeout(240)

SOURCE = three_jobs_monitor(pause=0.05)


def _cancel_specs(node: Any) -> list[dict[str, Any]]:
    """Every on_click event spec in a view tree that names the handler ``cancel``."""
    if isinstance(node, list):
        return [spec for v in node for spec in _cancel_specs(v)]
    if not isinstance(node, dict):
        return []
    own = [s for s in node.get("events", {}).get("on_click", []) if s.get("handler") == "cancel"]
    return own + [spec for v in node.values() for spec in _cancel_specs(v)]


def _cancel_target(kernel: KernelFrontend) -> tuple[str, dict[str, Any]]:
    """The model the view sends a row's Cancel event to, and that event's spec, read from the
    view's tree as the browser reads it."""
    for m in kernel.messages():
        st = m["content"].get("data", {}).get("state", {}) if m["msg_type"] == "comm_open" else {}
        if "tree" not in st or "_nbstate_view_id" not in st:
            continue
        found = _cancel_specs(st["tree"])
        if found:
            model_ref = st["states"][found[0]["s"]]
            return str(model_ref).removeprefix("IPY_MODEL_"), found[0]
    raise AssertionError("no view with a Cancel button was opened")


def test_monitor_rows_go_live_and_cancel_ends_one_run(kernel: KernelFrontend) -> None:
    """Three runs show as three rows whose progress moves; the Cancel event for the second row,
    sent as the view sends it, cancels it and leaves the others running."""
    kernel.execute(SOURCE)
    mon = kernel.comm_id_of("TaskMonitor")

    def rows() -> list[dict[str, Any]]:
        return list(kernel.frontend_state(mon).get("v_runs") or [])

    def three_moving() -> bool:
        rs = rows()
        return len(rs) == 3 and all(r["status"] == "running" and r["percent"] > 0 for r in rs)

    kernel.wait_for(three_moving, what="three running rows with progress")
    first = {r["key"]: r["percent"] for r in rows()}
    kernel.wait_for(
        lambda: all(r["percent"] > first[r["key"]] for r in rows()), what="progress moving"
    )
    by_label = {r["progress"].split(" \u00b7 ")[-1]: r for r in rows()}
    assert set(by_label) == {"alpha", "beta", "gamma"}

    target, spec = _cancel_target(kernel)
    assert len(spec["args"]) == 1  # the row's key, evaluated in the browser
    kernel.send_event(target, "cancel", by_label["beta"]["key"], event_id=7)

    def status_of(label: str) -> str:
        return next(str(r["status"]) for r in rows() if r["progress"].endswith(label))

    kernel.wait_for(lambda: status_of("beta") == "cancelled", what="beta cancelled in the rows")
    assert (status_of("alpha"), status_of("gamma")) == ("running", "running")
    assert kernel.value("[h.status for h in runs]") == "['running', 'cancelled', 'running']"
    kernel.execute("rx.cancel_all()")
    kernel.wait_for(
        lambda: {status_of("alpha"), status_of("gamma")} == {"cancelled"}, what="all cancelled"
    )
