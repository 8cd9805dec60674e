"""rx.toast and rx.download: checked when made, sent only after their step commits."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

import nbstate as rx
from nbstate._engine.notices import MAX_DOWNLOAD, Download, Toast

from .conftest import Wire, settle


def notices(wire: Wire) -> list[dict[str, Any]]:
    return [c for c in wire.customs() if c.get("kind") in ("toast", "download")]


def buffers(wire: Wire) -> list[list[bytes]]:
    return [
        [bytes(b) for b in bufs]
        for t, d, bufs in wire.messages
        if t == "comm_msg" and d.get("content", {}).get("kind") == "download"
    ]


# -- making them ----------------------------------------------------------------------------


def test_toast_defaults_and_checks() -> None:
    t = rx.toast("saved <b>3</b> rows")
    assert isinstance(t, Toast)
    assert (t.message, t.level, t.duration) == ("saved <b>3</b> rows", "info", 4000)
    assert rx.toast("x", level="error", duration=1500.0).duration == 1500
    assert rx.toast("x", duration=None).duration is None
    with pytest.raises(ValueError, match="level must be one of info, success, warning, error"):
        rx.toast("x", level="danger")
    with pytest.raises(TypeError, match="message as a str"):
        rx.toast(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="duration must be more than 0"):
        rx.toast("x", duration=0)
    with pytest.raises(TypeError, match="milliseconds"):
        rx.toast("x", duration="5s")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="milliseconds"):
        rx.toast("x", duration=True)


def test_download_data_kinds_names_and_mime() -> None:
    d = rx.download(b"\x00\x01", filename="blob.bin")
    assert isinstance(d, Download) and d.data == b"\x00\x01"
    assert d.mime == "application/octet-stream"
    t = rx.download("héllo", filename="notes.txt")
    assert t.data == "héllo".encode() and t.mime == "text/plain;charset=utf-8"
    assert rx.download("a,b\n", filename="x.csv").mime == "text/csv;charset=utf-8"
    assert rx.download(b"{}", filename="x.json").mime == "application/json"
    assert rx.download(b"x", filename="x.dat", mime="text/x-custom").mime == "text/x-custom"
    assert rx.download("x").filename == "download.txt"
    assert rx.download(bytearray(b"x")).filename == "download.bin"
    # No path separators, no hidden files, nothing a file system refuses.
    assert rx.download(b"x", filename="../../etc/passwd").filename == "_.._etc_passwd"
    assert rx.download(b"x", filename="C:\\tmp\\a:b.txt").filename == "C__tmp_a_b.txt"
    assert rx.download(b"x", filename=".bashrc").filename == "bashrc"
    with pytest.raises(ValueError, match="no usable characters"):
        rx.download(b"x", filename="...")
    with pytest.raises(TypeError, match="bytes, a str or a pandas DataFrame"):
        rx.download({"a": 1}, filename="a.json")
    with pytest.raises(TypeError, match="filename must be a str"):
        rx.download(b"x", filename=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mime must be a type"):
        rx.download(b"x", filename="a", mime="not a mime")


def test_download_size_limit() -> None:
    rx.download(bytes(MAX_DOWNLOAD), filename="big.bin")
    with pytest.raises(ValueError, match="at most 100 MB"):
        rx.download(bytes(MAX_DOWNLOAD + 1), filename="big.bin")


def test_download_dataframe_as_csv_without_importing_pandas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A DataFrame is found through sys.modules only; nbstate never imports pandas itself."""

    class DataFrame:
        def to_csv(self, index: bool = True) -> str:
            assert index is False
            return "a,b\n1,2\n"

    fake = types.ModuleType("pandas")
    fake.DataFrame = DataFrame  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pandas", fake)
    d = rx.download(DataFrame())
    assert (d.data, d.filename, d.mime) == (b"a,b\n1,2\n", "data.csv", "text/csv")
    monkeypatch.delitem(sys.modules, "pandas")
    with pytest.raises(TypeError, match="pandas DataFrame"):
        rx.download(DataFrame())


# -- returning and yielding them ------------------------------------------------------------


class N(rx.State):
    n: int = 0

    def save(self) -> Any:
        self.n += 1
        return [rx.toast(f"saved {self.n}", level="success"), N.bump]

    def bump(self) -> None:
        self.n += 10

    def export(self) -> Any:
        return rx.download("a,b\n1,2\n", filename="rows.csv")

    def steps(self) -> Any:
        self.n = 1
        yield rx.toast("one")
        self.n = 2
        yield [rx.toast("two"), rx.download(b"\x00\xff", filename="two.bin")]
        raise ValueError("third step fails")

    def bad_list(self) -> Any:
        self.n = 5
        return [rx.toast("must not show"), "not an event"]

    @rx.background
    async def job(self) -> Any:
        async with self:
            self.n = 7
        yield rx.toast("job half way")
        return

    @rx.background
    async def job_return(self) -> Any:
        async with self:
            self.n = 8
        return [rx.toast("job done"), rx.download(b"r", filename="r.bin")]

    @rx.background
    async def job_inside(self) -> Any:
        async with self:
            self.n = 9
            yield rx.toast("inside the block")


async def test_returned_toast_goes_out_after_the_values_and_chains_run(wire: Wire) -> None:
    s = N()
    m = rx.model(s)
    wire.clear()
    Wire.send(m, {"kind": "event", "id": 1, "handler": "save", "args": []})
    await settle()
    assert s.n == 11
    assert notices(wire) == [
        {"kind": "toast", "message": "saved 1", "level": "success", "duration": 4000}
    ]
    kinds = [c["kind"] for c in wire.customs()]
    assert kinds.index("toast") < kinds.index("done")
    # The step's values were sent before its toast.
    first_toast = next(
        i
        for i, (_, d, _b) in enumerate(wire.messages)
        if d.get("content", {}).get("kind") == "toast"
    )
    sent_before = repr(wire.messages[:first_toast])
    assert "'v_n': 1" in sent_before


async def test_download_travels_as_a_buffer_with_the_origin_view(wire: Wire) -> None:
    s = N()
    m = rx.model(s)
    wire.clear()
    Wire.send(m, {"kind": "event", "id": 2, "handler": "export", "args": [], "view": "v123"})
    await settle()
    assert notices(wire) == [
        {
            "kind": "download",
            "filename": "rows.csv",
            "mime": "text/csv;charset=utf-8",
            "size": 8,
            "view": "v123",
        }
    ]
    assert buffers(wire) == [[b"a,b\n1,2\n"]]
    assert "a,b" not in repr([d for _, d, _b in wire.messages])  # not in the JSON


async def test_generator_steps_send_their_notices_and_a_failed_step_sends_none(
    wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    s = N()
    m = rx.model(s)
    wire.clear()
    Wire.send(m, {"kind": "event", "id": 3, "handler": "steps", "args": []})
    await settle()
    assert [n.get("message", n.get("filename")) for n in notices(wire)] == ["one", "two", "two.bin"]
    assert notices(wire)[2]["view"] is None
    assert s.n == 2


async def test_a_step_that_fails_sends_no_toast(
    wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    s = N()
    m = rx.model(s)
    wire.clear()
    Wire.send(m, {"kind": "event", "id": 4, "handler": "bad_list", "args": []})
    await settle()
    assert s.n == 0  # rolled back
    assert notices(wire) == []
    assert "must not show" not in wire.text()
    assert "rx.toast(...)" in capsys.readouterr().err + repr(rx.errors(s))


async def test_a_commit_that_fails_sends_no_toast(wire: Wire) -> None:
    class C(rx.State):
        n: int = 0

        @rx.var
        def inverse(self) -> float:
            return 1 / (self.n - 3)

        def to_three(self) -> Any:
            self.n = 3
            return rx.toast("three")

    s = C()
    m = rx.model(s)
    wire.clear()
    Wire.send(m, {"kind": "event", "id": 5, "handler": "to_three", "args": []})
    await settle()
    assert notices(wire) == []
    assert s.n == 0


async def test_background_tasks_yield_and_return_notices(wire: Wire) -> None:
    s = N()
    m = rx.model(s)
    wire.clear()
    Wire.send(m, {"kind": "event", "id": 6, "handler": "job", "args": [], "view": "vA"})
    await settle(20)
    Wire.send(m, {"kind": "event", "id": 7, "handler": "job_return", "args": [], "view": "vB"})
    await settle(20)
    got = notices(wire)
    assert [n.get("message", n.get("filename")) for n in got] == [
        "job half way",
        "job done",
        "r.bin",
    ]
    assert got[2]["view"] == "vB"


async def test_a_notice_yielded_inside_a_block_is_refused(wire: Wire) -> None:
    s = N()
    rx.model(s)
    wire.clear()
    handle = rx.start(N.job_inside, state=s)
    await settle(20)
    assert isinstance(handle.exception(), RuntimeError)
    assert "yield it after the block" in str(handle.exception())
    assert notices(wire) == []


async def test_fired_from_python_and_never_shown_sends_nothing(wire: Wire) -> None:
    s = N()
    await rx.fire(N.save, state=s)
    assert s.n == 11
    assert notices(wire) == []
