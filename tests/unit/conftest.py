"""Unit-test fixtures: a recording comm stands in for the kernel, so the wire can be read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import comm
import pytest
from comm.base_comm import BaseComm

import nbstate
import nbstate.testing
from nbstate._base.app import app
from nbstate._values.jsondata import copy_json
from nbstate._values.patch import apply_ops


class RecordingComm(BaseComm):
    """A comm that keeps every message the kernel would publish."""

    sent: list[tuple[str, dict[str, Any], Any]] = []
    by_comm: list[tuple[str, str, dict[str, Any]]] = []

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        RecordingComm.sent.append((msg_type, dict(data or {}), buffers))
        RecordingComm.by_comm.append((self.comm_id, msg_type, json.loads(json.dumps(data or {}))))


class Wire:
    """What went over the wire, seen as the frontend would see it."""

    def __init__(self) -> None:
        RecordingComm.sent = []
        RecordingComm.by_comm = []

    @property
    def messages(self) -> list[tuple[str, dict[str, Any], Any]]:
        return RecordingComm.sent

    def clear(self) -> None:
        RecordingComm.sent.clear()

    @staticmethod
    def frontend(model: Any) -> dict[str, Any]:
        """The model's state as a frontend holds it: open, updates, and the hub's batches."""
        model_id = model.comm.comm_id
        state: dict[str, Any] = {}
        for comm_id, kind, data in RecordingComm.by_comm:
            content = data.get("content") if data.get("method") == "custom" else None
            if comm_id == model_id and (kind == "comm_open" or data.get("method") == "update"):
                state.update(copy_json(data["state"]))
            elif isinstance(content, dict) and content.get("kind") == "batch":
                entry = content["models"].get(model_id, {})
                state.update(copy_json(entry.get("state", {})))
                for var, ops in entry.get("patches", {}).items():
                    state["v_" + var] = apply_ops(state["v_" + var], ops)
        return state

    def batches(self) -> list[dict[str, Any]]:
        """Every batch message the hub sent, in order."""
        return [
            d["content"]
            for t, d, _ in self.messages
            if t == "comm_msg"
            and d.get("method") == "custom"
            and d["content"].get("kind") == "batch"
        ]

    def updates(self) -> list[dict[str, Any]]:
        """The state changes sent, in order: update messages and each batch entry's state."""
        out = []
        for t, d, _ in self.messages:
            if t != "comm_msg":
                continue
            if d.get("method") == "update":
                out.append(d["state"])
            elif d.get("method") == "custom" and d["content"].get("kind") == "batch":
                out.extend(e["state"] for e in d["content"]["models"].values() if "state" in e)
        return out

    def customs(self) -> list[dict[str, Any]]:
        """Custom messages from kernel to frontend; a batch's patches count as patch messages."""
        out: list[dict[str, Any]] = []
        for t, d, _ in self.messages:
            if t != "comm_msg" or d.get("method") != "custom":
                continue
            content = d["content"]
            if content.get("kind") != "batch":
                out.append(content)
                continue
            for entry in content["models"].values():
                for var, ops in entry.get("patches", {}).items():
                    out.append({"kind": "patch", "var": var, "ops": ops})
        return out

    def text(self) -> str:
        """Everything sent, as one string (to search for values that must not be there)."""
        return repr(self.messages)

    @staticmethod
    def send(model: Any, content: Any, buffers: Any = None) -> None:
        """Deliver a custom message from the frontend to ``model``."""
        model._handle_msg(
            {
                "content": {"data": {"method": "custom", "content": content}},
                "buffers": buffers or [],
            }
        )


@pytest.fixture(autouse=True)
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    """Record comm traffic, and leave no default instances or errors behind."""
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))
    # Most tests count messages per change set; coalescing has tests of its own.
    monkeypatch.setattr(app, "coalesce_window", 0.0)
    w = Wire()
    yield w
    nbstate.testing.reset()


async def settle(rounds: int = 5) -> None:
    """Let queued handlers and tasks run."""
    for _ in range(rounds):
        await asyncio.sleep(0)


__all__ = ["Wire", "nbstate", "settle"]
