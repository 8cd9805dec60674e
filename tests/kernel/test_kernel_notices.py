"""Toasts and downloads in a real kernel: the bytes travel as a comm buffer, after the values."""

from __future__ import annotations

import pytest

from .harness import KernelFrontend

pytestmark = pytest.mark.timeout(120)

SOURCE = """
import nbstate as rx

class Files(rx.State):
    n: int = 0

    def export(self):
        self.n += 1
        return [rx.download(bytes(range(256)) * 4, filename="blob.bin"), rx.toast("exported")]

    def broken(self):
        self.n = 99
        return [rx.toast("must not show"), 42]

s = Files()
rx.model(s);
"""


def test_download_buffer_and_no_toast_from_a_failed_step(kernel: KernelFrontend) -> None:
    kernel.execute(SOURCE)
    comm = kernel.comm_id_of("Files")
    kernel.send_custom(comm, {"kind": "event", "id": 1, "handler": "broken", "args": []})
    kernel.send_custom(
        comm, {"kind": "event", "id": 2, "handler": "export", "args": [], "view": "v-1"}
    )
    kernel.wait_for(lambda: {"kind": "done", "id": 2} in kernel.customs(comm), what="done")
    kinds = [c["kind"] for c in kernel.customs(comm)]
    assert kinds == ["done", "download", "toast", "done"]
    [download] = [
        m
        for m in kernel.messages()
        if m["msg_type"] == "comm_msg"
        and m["content"]["data"].get("content", {}).get("kind") == "download"
    ]
    assert download["content"]["data"]["content"] == {
        "kind": "download",
        "filename": "blob.bin",
        "mime": "application/octet-stream",
        "size": 1024,
        "view": "v-1",
    }
    assert [bytes(b) for b in download["buffers"]] == [bytes(range(256)) * 4]
    assert "must not show" not in repr(kernel.comm_msgs(comm))
    assert kernel.frontend_state(comm)["v_n"] == 1
