"""A test frontend: a real ipykernel started through jupyter_client, spoken to over comms."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from jupyter_client.manager import KernelManager

from nbstate._values.jsondata import copy_json
from nbstate._values.patch import apply_ops


class KernelFrontend:
    """Plays JupyterLab's part: runs cells, reads iopub, sends comm messages."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.km = KernelManager(kernel_name="python3")
        extra = {} if env is None else {"env": env}  # the whole environment of the kernel
        self.km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"], **extra)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.iopub: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            except Exception:
                return
            with self._lock:
                self.iopub.append(msg)

    def close(self) -> None:
        self._stop.set()
        self._reader.join(timeout=2)
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    # -- reading --------------------------------------------------------------------------

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.iopub)

    def error_entries_sent(
        self, comm: str, messages: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """Every error entry sent for the state model ``comm`` (in its updates or the hub's
        batches), in ``messages`` or in everything read so far."""
        out: list[dict[str, Any]] = []
        for m in self.messages() if messages is None else messages:
            data = m["content"].get("data", {})
            body = data.get("content") if data.get("method") == "custom" else None
            if m["content"].get("comm_id") == comm and data.get("method") == "update":
                out += data["state"].get("_nbstate_errors", [])
            elif isinstance(body, dict) and body.get("kind") == "batch" and comm in body["models"]:
                out += body["models"][comm].get("state", {}).get("_nbstate_errors", [])
        return out

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20, what: str = "") -> Any:
        """Poll until ``predicate()`` is truthy; return its value or fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")

    def outputs(self, msg_id: str) -> list[dict[str, Any]]:
        """iopub messages whose parent is the request ``msg_id``."""
        return [m for m in self.messages() if m["parent_header"].get("msg_id") == msg_id]

    def stream_text(self, msg_id: str, name: str | None = None) -> str:
        return "".join(
            m["content"]["text"]
            for m in self.outputs(msg_id)
            if m["msg_type"] == "stream" and (name is None or m["content"]["name"] == name)
        )

    # -- running cells --------------------------------------------------------------------

    def submit(self, code: str, subshell_id: str | None = None) -> str:
        """Send an execute request without waiting; returns its msg_id."""
        msg = self.kc.session.msg(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        if subshell_id is not None:
            msg["header"]["subshell_id"] = subshell_id
        self.kc.shell_channel.send(msg)
        return str(msg["header"]["msg_id"])

    def idle(self, msg_id: str) -> bool:
        return any(
            m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
            for m in self.outputs(msg_id)
        )

    def execute(self, code: str, timeout: float = 30, subshell_id: str | None = None) -> str:
        """Run a cell and wait until it is done; raise with the traceback if it failed."""
        msg_id = self.submit(code, subshell_id)
        self.wait_for(lambda: self.idle(msg_id), timeout, f"cell to finish: {code[:60]!r}")
        errors = [m for m in self.outputs(msg_id) if m["msg_type"] == "error"]
        if errors:
            raise AssertionError("cell failed:\n" + "\n".join(errors[0]["content"]["traceback"]))
        return msg_id

    def value(self, expr: str) -> str:
        """The text/plain repr of ``expr`` evaluated in the kernel."""
        msg_id = self.execute(expr)
        for m in self.outputs(msg_id):
            if m["msg_type"] == "execute_result":
                return str(m["content"]["data"]["text/plain"])
        raise AssertionError(f"{expr!r} produced no value")

    # -- comms ----------------------------------------------------------------------------

    def comm_id_of(self, state_class: str) -> str:
        """The comm id of the state model opened for ``state_class``."""

        def find() -> str | None:
            for m in self.messages():
                if m["msg_type"] == "comm_open":
                    st = m["content"]["data"].get("state", {})
                    if st.get("_nbstate_class") == state_class:
                        return str(m["content"]["comm_id"])
            return None

        return str(self.wait_for(find, what=f"comm_open of {state_class}"))

    def send_event(self, comm_id: str, handler: str, *args: Any, event_id: int = 0) -> None:
        self.send_custom(
            comm_id, {"kind": "event", "id": event_id, "handler": handler, "args": list(args)}
        )

    def send_custom(self, comm_id: str, content: Any, subshell_id: str | None = None) -> None:
        msg = self.kc.session.msg(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}}
        )
        if subshell_id is not None:
            msg["header"]["subshell_id"] = subshell_id
        self.kc.shell_channel.send(msg)

    def send_comm_data(self, comm_id: str, data: Any, buffers: list[bytes] | None = None) -> None:
        """A comm_msg whose ``data`` is exactly ``data`` (for malformed messages)."""
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        if buffers:
            self.kc.session.send(self.kc.shell_channel.socket, msg, buffers=buffers)
        else:
            self.kc.shell_channel.send(msg)

    def send_comm_raw(
        self, content: dict[str, Any] | bytes, buffers: list[bytes] | None = None
    ) -> None:
        """A comm_msg whose whole ``content`` is given: a dict (it must name the ``comm_id``;
        ``data`` may be missing) or JSON text already encoded, which may hold what strict JSON
        cannot (``NaN``, ``Infinity``), as a careless frontend could send."""
        msg = self.kc.session.msg("comm_msg", {})
        msg["content"] = content
        self.kc.session.send(self.kc.shell_channel.socket, msg, buffers=buffers)

    def batch_entries(self, comm_id: str) -> list[dict[str, Any]]:
        """This model's entries in the hub's batch messages, in order (one per batch)."""
        out = []
        for m in self.messages():
            data = m["content"].get("data", {})
            body = data.get("content") if data.get("method") == "custom" else None
            if isinstance(body, dict) and body.get("kind") == "batch" and comm_id in body["models"]:
                out.append(body["models"][comm_id])
        return out

    def comm_msgs(self, comm_id: str) -> list[dict[str, Any]]:
        return [
            m["content"]["data"]
            for m in self.messages()
            if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
        ]

    def frontend_state(self, comm_id: str) -> dict[str, Any]:
        """The model's state as a frontend holds it: the open message, its updates, and the
        entries for it in the hub's batches, in order."""
        state: dict[str, Any] = {}
        for m in self.messages():
            c = m["content"]
            data = c.get("data", {})
            body = data.get("content") if data.get("method") == "custom" else None
            if c.get("comm_id") == comm_id and (
                m["msg_type"] == "comm_open" or data.get("method") == "update"
            ):
                state.update(copy_json(data["state"]))
            elif isinstance(body, dict) and body.get("kind") == "batch":
                entry = body["models"].get(comm_id, {})
                state.update(copy_json(entry.get("state", {})))
                for var, ops in entry.get("patches", {}).items():
                    key = "v_" + var
                    state[key] = apply_ops(state.get(key), ops)
        return state

    def customs(self, comm_id: str) -> list[dict[str, Any]]:
        return [d["content"] for d in self.comm_msgs(comm_id) if d.get("method") == "custom"]

    def create_subshell(self) -> str:
        msg = self.kc.session.msg("create_subshell_request", {})
        self.kc.control_channel.send(msg)
        reply = self.kc.control_channel.get_msg(timeout=10)
        return str(reply["content"]["subshell_id"])
