"""Fixtures for the Python <-> JS contract: trees built by Python, replayed by vitest.

``python -m tests.contract`` (from the repository root) writes js/tests/fixtures/*.json;
tests/unit/test_catalog.py checks the committed files are what the code builds now, and
js/tests/catalog.test.ts mounts them with the real renderer.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "js" / "tests" / "fixtures"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import comm  # noqa: E402
from comm.base_comm import BaseComm  # noqa: E402

import nbstate as rx  # noqa: E402
import nbstate.testing  # noqa: E402
from nbstate._ui.catalog import COMMON_PROPS, COMPONENTS, GENERIC_EVENTS  # noqa: E402
from tests.examples import design_example  # noqa: E402

_SAMPLE = {
    "items": ["a", "b"],
    "data": [{"name": "a", "n": 1}],
    "columns": ["name", "n"],
    "level": 3,
    "min": 0,
    "max": 10,
    "step": 1,
    "rows": 3,
    "max_length": 20,
    "value": 2,
    "checked": True,
    "custom_attrs": {"data_kind": "sample"},
    "href": "https://example.org",
    "src": "img/x.png",
    "debounce": 300,
    "throttle": 200,
}
_PER_COMPONENT = {("heading", "as"): "h3", ("text", "as"): "span"}


class _Recorder(BaseComm):  # type: ignore[misc]
    sent: list[tuple[str, dict[str, Any]]] = []

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        _Recorder.sent.append((msg_type, json.loads(json.dumps(data or {}))))


def _all_components() -> dict[str, Any]:
    """Every component with every prop its catalogue entry lists, and every event."""

    class Every(rx.State):
        n: int = 0

        def seen(self, *values: Any) -> None:
            pass

    nodes = []
    for name, spec in COMPONENTS.items():
        props: dict[str, Any] = {
            p: _PER_COMPONENT.get((name, p), _SAMPLE.get(p, f"{p}-value"))
            for p in (*spec.props, *COMMON_PROPS)
        }
        if name == "image":
            props["src"] = "img/x.png"
        for event in (*spec.events, *GENERIC_EVENTS):
            props[event] = Every.seen
        factory = getattr(rx, name)
        children = ["child"] if spec.children else []
        nodes.append(factory(*children, **props))
    view = rx.view(rx.box(*nodes))
    return {"tree": view.tree, "states": [{"v_n": 0}]}


def _design_example() -> dict[str, Any]:
    """The DESIGN example's tree and the batches of a real session: set max, tick, reset."""
    comm.create_comm = lambda *a, **k: _Recorder(*a, **k)
    namespace: dict[str, Any] = {}
    source = design_example()
    body, _, _tree = source.rpartition("\nrx.hstack(")
    exec(body, namespace)
    cls = namespace["MyTaskState"]
    tree_expr = "rx.hstack(" + _tree
    view = eval(tree_expr, namespace)
    v = rx.view(view)
    state = rx.get_state(cls)
    model_id = rx.model(state).model_id

    async def session() -> None:
        await rx.fire(cls.set_max_counter, "3")
        for _ in range(3):
            async with state:
                state.counter += 1
            await rx.idle()
        await rx.fire(cls.clear_counter)
        await rx.idle()

    rx.app.coalesce_window = 0
    _Recorder.sent = []
    asyncio.run(session())
    batches = [
        d["content"]
        for kind, d in _Recorder.sent
        if kind == "comm_msg"
        and d.get("method") == "custom"
        and d["content"].get("kind") == "batch"
    ]
    final = {k: val for k, val in rx.model(state).get_state().items() if k.startswith("v_")}
    # Model ids are random: the fixture names the one state model "state-0".
    batches = json.loads(json.dumps(batches).replace(model_id, "state-0"))
    return {
        "tree": v.tree,
        "states": [{"v_counter": 0, "v_max_counter": 10, "v_running": False}],
        "final": final,
        "batches": batches,
    }


def build() -> dict[str, Any]:
    """Every fixture, by file name."""
    nbstate.testing.reset()
    out = {"all_components.json": _all_components()}
    nbstate.testing.reset()
    out["design_example.json"] = _design_example()
    nbstate.testing.reset()
    return out


def render(data: Any) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (FIXTURES / name).write_text(render(data))
        print(f"wrote {FIXTURES / name}")
