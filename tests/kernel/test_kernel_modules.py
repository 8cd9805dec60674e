"""Where views import their ESM from, in a real kernel played over comm messages.

Until a page's hub reports that its server serves the loader (``modules``), a view carries the
loader's text, and a state model an empty module. Once every page that reported agrees on one
base URL, a new view and a new state model name the loader's URL (anywidget imports a URL once
per page); a page that disagrees, or cannot fetch it, puts every later model back on the text.
Malformed reports are refused and counted.

Once a page has reported, the kernel keeps one view model open ahead of need (the spare): the
next view shown takes it and sends its tree in one update, so the page, which imported the
spare's module already, draws it as soon as the result arrives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import KernelFrontend

pytestmark = pytest.mark.timeout(120)

SOURCE = """
import nbstate as rx
from nbstate._wire import assets

class Shelf(rx.State):
    n: int = 0

rx.text(Shelf.n)
"""
SHOW = "rx.text(Shelf.n)"
LAB = "http://127.0.0.1:8888/lab/extensions/"
ROOT = Path(__file__).resolve().parents[2]


def _opened(kernel: KernelFrontend) -> list[dict[str, Any]]:
    return [m["content"] for m in kernel.messages() if m["msg_type"] == "comm_open"]


def _views(kernel: KernelFrontend) -> list[dict[str, Any]]:
    return [c["data"]["state"] for c in _opened(kernel) if "tree" in c["data"]["state"]]


def _shown(kernel: KernelFrontend, msg_id: str) -> tuple[str, dict[str, Any]]:
    """The view a cell showed: its model id and its state as the page holds it."""
    [model_id] = [
        m["content"]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        for m in kernel.outputs(msg_id)
        if m["msg_type"] == "execute_result"
    ]
    return model_id, kernel.frontend_state(model_id)


def _esm_shown(kernel: KernelFrontend, code: str = SHOW) -> str:
    return str(_shown(kernel, kernel.execute(code))[1]["_esm"])


def _states(kernel: KernelFrontend) -> dict[str, dict[str, Any]]:
    """The state models opened so far, by their class's label."""
    return {
        c["data"]["state"]["_nbstate_class"]: c["data"]["state"]
        for c in _opened(kernel)
        if "_nbstate_class" in c["data"]["state"]
    }


def _hub(kernel: KernelFrontend) -> tuple[str, dict[str, Any]]:
    [(comm, state)] = [
        (c["comm_id"], c["data"]["state"])
        for c in _opened(kernel)
        if c["data"]["state"].get("_nbstate_hub") == "kernel"
    ]
    return comm, state


def _report(kernel: KernelFrontend, hub: str, content: Any) -> None:
    kernel.send_custom(hub, content)


def test_views_name_the_served_loader_while_every_page_agrees(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    hub, hub_state = _hub(kernel)
    loader = hub_state["_nbstate_loader"]
    path = hub_state["_nbstate_loader_path"]
    assert loader == (ROOT / "nbstate" / "static" / "loader.js").read_text(encoding="utf-8")
    assert path.startswith("nbstate/static/loader.js?v=") and len(path.split("=")[1]) == 16
    [first] = _views(kernel)
    assert first["_esm"] == loader  # no page has reported: the text

    refused = int(kernel.value("rx.app.refused"))
    for bad in [
        {"kind": "modules", "page": "p1", "base": "javascript:alert(1)//"},
        {"kind": "modules", "page": "p1", "base": "http://h/lab/extensions"},  # no final /
        {"kind": "modules", "page": "p1", "base": "http://h/x/?q=1/"},
        {"kind": "modules", "page": "", "base": LAB},
        {"kind": "modules", "page": "p" * 65, "base": LAB},
        {"kind": "modules", "page": 7, "base": LAB},
        {"kind": "modules", "page": "p1", "base": 5},
    ]:
        _report(kernel, hub, bad)
    kernel.execute("await rx.idle()")
    assert int(kernel.value("rx.app.refused")) == refused + 7
    assert _esm_shown(kernel) == loader  # nothing was recorded

    _report(kernel, hub, {"kind": "modules", "page": "p1", "base": LAB})
    assert _esm_shown(kernel) == LAB + path
    assert kernel.value("assets.MODULES.view_esm() == assets.loader_esm()") == "False"

    # The same page loaded again: same base, still the URL.
    _report(kernel, hub, {"kind": "modules", "page": "p2", "base": LAB})
    assert _esm_shown(kernel) == LAB + path

    # A page on another origin: every later view carries the text again.
    other = "http://localhost:8888/lab/extensions/"
    _report(kernel, hub, {"kind": "modules", "page": "p3", "base": other})
    assert _esm_shown(kernel) == loader


def test_a_page_that_cannot_fetch_the_loader_keeps_views_on_text(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    hub, hub_state = _hub(kernel)
    _report(kernel, hub, {"kind": "modules", "page": "lab", "base": LAB})
    _report(kernel, hub, {"kind": "modules", "page": "voila", "base": None})
    assert _esm_shown(kernel) == hub_state["_nbstate_loader"]


def test_too_many_page_reports_put_views_back_on_the_text(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    hub, hub_state = _hub(kernel)
    _report(kernel, hub, {"kind": "modules", "page": "first", "base": LAB})
    assert _esm_shown(kernel).startswith(LAB)
    max_pages = int(kernel.value("assets.ModuleBase.MAX_PAGES"))
    for i in range(max_pages):  # one more page than it remembers, all agreeing
        _report(kernel, hub, {"kind": "modules", "page": f"p{i}", "base": LAB})
    kernel.execute("await rx.idle()")
    assert _esm_shown(kernel) == hub_state["_nbstate_loader"]


def test_state_models_name_the_loader_url_while_every_page_agrees(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    hub, hub_state = _hub(kernel)
    path = hub_state["_nbstate_loader_path"]
    assert _states(kernel)["Shelf"]["_esm"] == "export default {};\n"  # no page has reported

    _report(kernel, hub, {"kind": "modules", "page": "p1", "base": LAB})
    kernel.execute("class Box(rx.State):\n    m: int = 0\n\nrx.text(Box.m)")
    assert _states(kernel)["Box"]["_esm"] == LAB + path

    # A page on another origin: later state models carry the empty module again.
    _report(kernel, hub, {"kind": "modules", "page": "p2", "base": "http://localhost:8888/x/"})
    kernel.execute("class Crate(rx.State):\n    k: int = 0\n\nrx.text(Crate.k)")
    assert _states(kernel)["Crate"]["_esm"] == "export default {};\n"


def _view_opens(kernel: KernelFrontend) -> list[str]:
    """The comm ids of the view models opened so far, in order."""
    return [c["comm_id"] for c in _opened(kernel) if "tree" in c["data"]["state"]]


def _closed(kernel: KernelFrontend) -> set[str]:
    return {m["content"]["comm_id"] for m in kernel.messages() if m["msg_type"] == "comm_close"}


def _spare_after_a_report(kernel: KernelFrontend) -> tuple[str, dict[str, Any], str]:
    """Shows SOURCE, reports a page: the hub's comm id and state, and the spare then opened."""
    kernel.execute(SOURCE)
    hub, hub_state = _hub(kernel)
    _report(kernel, hub, {"kind": "modules", "page": "p1", "base": LAB})
    spare = kernel.wait_for(lambda: _view_opens(kernel)[1:], what="the spare's open")[0]
    return hub, hub_state, str(spare)


def test_a_view_shown_after_a_report_takes_the_spare_opened_ahead(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    kernel.execute(SHOW)
    assert len(_view_opens(kernel)) == 2  # no page has reported: no spare
    assert kernel.value("rx._ui.view.SPARE.view is None") == "True"

    hub, _ = _hub(kernel)
    _report(kernel, hub, {"kind": "modules", "page": "p1", "base": LAB})
    spare = kernel.wait_for(lambda: _view_opens(kernel)[2:], what="the spare's open")[0]
    assert kernel.frontend_state(spare)["tree"] == {}
    assert kernel.value("repr(rx._ui.view.SPARE.view)").startswith("'View(spare")
    assert kernel.value("len(rx.app.views)") == "2"  # a spare is no view until it shows one

    msg_id = kernel.execute("class Jar(rx.State):\n    k: int = 4\n\nrx.text(Jar.k)")
    model_id, state = _shown(kernel, msg_id)
    assert model_id == spare
    assert state["_nbstate_view_id"] == spare and state["tree"]["name"] == "text"
    assert state["states"] == ["IPY_MODEL_" + kernel.comm_id_of("Jar")]
    # In the cell's messages the update comes before the result; the next spare, after it.
    cell = [(m["msg_type"], m["content"].get("comm_id")) for m in kernel.outputs(msg_id)]
    assert cell.index(("comm_msg", spare)) < cell.index(("execute_result", None))
    [nxt] = kernel.wait_for(lambda: _view_opens(kernel)[3:], what="the next spare")
    assert ("comm_open", nxt) not in cell[: cell.index(("execute_result", None))]
    assert kernel.value("rx._ui.view.SPARE.view.model_id") == repr(nxt)

    # The view that took the spare works: an event's change reaches the state it reads.
    kernel.send_event(kernel.comm_id_of("Jar"), "set_k", 9)
    kernel.wait_for(lambda: kernel.frontend_state(kernel.comm_id_of("Jar")).get("v_k") == 9)


def test_a_view_that_fails_to_build_leaves_the_spare_for_the_next(kernel: KernelFrontend) -> None:
    _, _, spare = _spare_after_a_report(kernel)
    failed = kernel.submit("rx.view(None)")
    kernel.wait_for(lambda: kernel.idle(failed))
    [error] = [m for m in kernel.outputs(failed) if m["msg_type"] == "error"]
    assert "nothing to show" in error["content"]["evalue"]
    assert not [m for m in kernel.outputs(failed) if m["msg_type"] == "comm_msg"]
    assert _shown(kernel, kernel.execute(SHOW))[0] == spare


def test_a_spare_naming_a_url_the_pages_no_longer_agree_on_is_closed(
    kernel: KernelFrontend,
) -> None:
    hub, hub_state, spare = _spare_after_a_report(kernel)
    assert kernel.frontend_state(spare)["_esm"].startswith(LAB)
    # A page on another origin could not import it: closed at its report, and a spare that
    # carries the text (which every page can import) opened instead.
    _report(kernel, hub, {"kind": "modules", "page": "p2", "base": "http://localhost:8888/x/"})
    kernel.wait_for(lambda: spare in _closed(kernel), what="the spare's close")
    nxt = kernel.wait_for(lambda: _view_opens(kernel)[2:], what="the next spare")[0]
    assert kernel.frontend_state(nxt)["_esm"] == hub_state["_nbstate_loader"]
    model_id, state = _shown(kernel, kernel.execute(SHOW))
    assert model_id == nxt and state["_esm"] == hub_state["_nbstate_loader"]


def test_a_spare_that_cannot_be_used_is_closed_when_a_view_is_shown(
    kernel: KernelFrontend,
) -> None:
    _, _, spare = _spare_after_a_report(kernel)
    # Its hub is gone (closed by hand): the next view opens its own model and a new hub.
    kernel.execute("rx._wire.outbox.OUTBOX.hub.close()")
    model_id, state = _shown(kernel, kernel.execute(SHOW))
    assert model_id != spare and spare in _closed(kernel)
    assert state["tree"]["name"] == "text"


def test_reset_closes_the_spare(kernel: KernelFrontend) -> None:
    _, _, spare = _spare_after_a_report(kernel)
    kernel.execute("from nbstate._settle import reset\nreset()")
    assert spare in _closed(kernel)
    assert kernel.value("rx._ui.view.SPARE.view is None") == "True"
