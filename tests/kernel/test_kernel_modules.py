"""Where views import their ESM from, in a real kernel played over comm messages.

Until a page's hub reports that its server serves the loader (``modules``), a view carries the
loader's text, and a state model an empty module. Once every page that reported agrees on one
base URL, a new view and a new state model name the loader's URL (anywidget imports a URL once
per page); a page that disagrees, or cannot fetch it, puts every later model back on the text.
Malformed reports are refused and counted.
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
    kernel.execute(SHOW)
    assert _views(kernel)[-1]["_esm"] == loader  # nothing was recorded

    _report(kernel, hub, {"kind": "modules", "page": "p1", "base": LAB})
    kernel.execute(SHOW)
    assert _views(kernel)[-1]["_esm"] == LAB + path
    assert kernel.value("assets.MODULES.view_esm() == assets.loader_esm()") == "False"

    # The same page loaded again: same base, still the URL.
    _report(kernel, hub, {"kind": "modules", "page": "p2", "base": LAB})
    kernel.execute(SHOW)
    assert _views(kernel)[-1]["_esm"] == LAB + path

    # A page on another origin: every later view carries the text again.
    other = "http://localhost:8888/lab/extensions/"
    _report(kernel, hub, {"kind": "modules", "page": "p3", "base": other})
    kernel.execute(SHOW)
    assert _views(kernel)[-1]["_esm"] == loader


def test_a_page_that_cannot_fetch_the_loader_keeps_views_on_text(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    hub, hub_state = _hub(kernel)
    _report(kernel, hub, {"kind": "modules", "page": "lab", "base": LAB})
    _report(kernel, hub, {"kind": "modules", "page": "voila", "base": None})
    kernel.execute(SHOW)
    assert _views(kernel)[-1]["_esm"] == hub_state["_nbstate_loader"]


def test_too_many_page_reports_put_views_back_on_the_text(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    hub, hub_state = _hub(kernel)
    _report(kernel, hub, {"kind": "modules", "page": "first", "base": LAB})
    kernel.execute(SHOW)
    assert _views(kernel)[-1]["_esm"].startswith(LAB)
    max_pages = int(kernel.value("assets.ModuleBase.MAX_PAGES"))
    for i in range(max_pages):  # one more page than it remembers, all agreeing
        _report(kernel, hub, {"kind": "modules", "page": f"p{i}", "base": LAB})
    kernel.execute("await rx.idle()")
    kernel.execute(SHOW)
    assert _views(kernel)[-1]["_esm"] == hub_state["_nbstate_loader"]


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
