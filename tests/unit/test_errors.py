"""Errors from handlers and tasks are printed, recorded and shown, without backend values."""

from __future__ import annotations

import asyncio

import pytest

import nbstate as rx

from .conftest import Wire


class E(rx.State):
    x: int = 0
    _token: str = "sk-live-123456"

    def leaky(self) -> None:
        raise RuntimeError(f"token {self._token} rejected")

    @rx.background
    async def task_fails(self) -> None:
        async with self:
            self.x = 1
        raise LookupError("task went wrong")


async def test_handler_error_is_printed_recorded_and_shown(
    wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    """A handler exception prints a traceback from user code, is recorded and sent to views."""
    s = E()
    rx.model(s)
    firing = rx.fire(E.leaky, state=s)
    while not firing.done():
        await asyncio.sleep(0)
    err = capsys.readouterr().err
    assert "Traceback" in err and "in leaky" in err and "RuntimeError" in err
    assert "_runtime.py" not in err.split("in leaky")[0]
    [record] = rx.errors(s)
    assert record.handler == "leaky" and isinstance(record.exception, RuntimeError)
    assert rx.app.errors[-1] is record
    entry = rx.model(s)._nbstate_errors[-1]
    assert entry["handler"] == "leaky" and entry["type"] == "RuntimeError"


async def test_awaited_fire_raises_instead_of_printing(capsys: pytest.CaptureFixture[str]) -> None:
    """An awaited fire raises the handler's exception to the caller; it is not printed twice."""
    s = E()
    with pytest.raises(RuntimeError, match="rejected"):
        await rx.fire(E.leaky, state=s)
    assert capsys.readouterr().err == ""
    assert rx.errors(s)[-1].handler == "leaky"


async def test_ui_error_never_carries_backend_values(wire: Wire) -> None:
    """The error sent to the frontend has backend values redacted; the wire never shows them."""
    s = E()
    rx.model(s)
    with pytest.raises(RuntimeError):
        await rx.fire(E.leaky, state=s)
    entry = rx.model(s)._nbstate_errors[-1]
    assert "sk-live-123456" not in entry["message"] and "«hidden»" in entry["message"]
    assert "sk-live-123456" not in wire.text()


async def test_background_error_is_reported_and_kept_on_handle(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A failing task reports its traceback, and its handle re-raises the exception."""
    s = E()
    h = rx.start(E.task_fails, state=s)
    with pytest.raises(LookupError):
        await h
    assert h.status == "failed" and isinstance(h.exception(), LookupError)
    assert "task went wrong" in capsys.readouterr().err
    assert rx.errors(s)[-1].handler == "task_fails"


async def test_dismiss_removes_error_everywhere(wire: Wire) -> None:
    """A dismiss message removes the entry from the synced error list."""
    s = E()
    m = rx.model(s)
    with pytest.raises(RuntimeError):
        await rx.fire(E.leaky, state=s)
    [entry] = m._nbstate_errors
    Wire.send(m, {"kind": "dismiss", "id": entry["id"]})
    assert m._nbstate_errors == []
    assert wire.updates()[-1] == {"_nbstate_errors": []}


async def test_error_list_is_bounded() -> None:
    """Only the latest ten errors stay in the UI list."""
    s = E()
    m = rx.model(s)
    for _ in range(15):
        with pytest.raises(RuntimeError):
            await rx.fire(E.leaky, state=s)
    assert len(m._nbstate_errors) == 10
    assert m._nbstate_errors[-1]["id"] == 15


async def test_printed_traceback_hides_backend_values(capsys: pytest.CaptureFixture[str]) -> None:
    """The traceback printed in the cell output has backend values hidden too."""
    s = E()
    firing = rx.fire(E.leaky, state=s)
    while not firing.done():
        await asyncio.sleep(0)
    err = capsys.readouterr().err
    assert "token «hidden» rejected" in err and "sk-live-123456" not in err
    assert "sk-live-123456" in str(rx.errors(s)[-1].exception)


class Modes(rx.State):
    shown: str = ""
    _mode: str = "run"
    _secret: str = "Sesame-42"

    def talk(self) -> None:
        raise RuntimeError(
            f"the runner is running; mode is {self._mode}; {self._secret.upper()} leaked"
        )


async def test_redaction_is_by_whole_token_and_ignores_case(wire: Wire) -> None:
    """Words that merely contain a backend value are kept; the value, in any case, is hidden."""
    s = Modes()
    m = rx.model(s)
    with pytest.raises(RuntimeError):
        await rx.fire(Modes.talk, state=s)
    message = m._nbstate_errors[-1]["message"]
    assert message.startswith("the runner is running; mode is «hidden»;")
    assert "SESAME-42" not in message and "Sesame-42" not in message
    assert "«hidden» leaked" in message


async def test_error_detail_type_shows_only_the_handler_and_type(
    monkeypatch: pytest.MonkeyPatch, wire: Wire
) -> None:
    """Under Voila the default is "type": the UI entry has no message and no traceback."""
    assert rx.app.error_detail == "full"
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    assert rx.app.error_detail == "type"
    s = Modes()
    m = rx.model(s)
    with pytest.raises(RuntimeError):
        await rx.fire(Modes.talk, state=s)
    entry = m._nbstate_errors[-1]
    assert (entry["handler"], entry["type"], entry["message"], entry["traceback"]) == (
        "talk",
        "RuntimeError",
        "",
        "",
    )
    rx.app.error_detail = "full"
    try:
        with pytest.raises(RuntimeError):
            await rx.fire(Modes.talk, state=s)
        assert m._nbstate_errors[-1]["message"]
    finally:
        rx.app.error_detail = None
    with pytest.raises(ValueError, match='"full" or "type"'):
        rx.app.error_detail = "everything"  # type: ignore[assignment]


def test_a_private_method_as_handler_is_a_clear_type_error() -> None:
    """on_click=s._helper names the method and says why it cannot be a handler."""

    class P(rx.State):
        n: int = 0

        def _helper(self) -> None:
            self.n += 1

    s = P()
    with pytest.raises(TypeError, match=r"P\._helper is a private method"):
        rx.button("x", on_click=s._helper)
    with pytest.raises(TypeError, match=r"P\._helper is a private method"):
        rx.fire(s._helper)


class Rotating(rx.State):
    _key: str = "old-key-0001"

    def rotate_and_fail(self) -> None:
        self._key = "fresh-key-7f3a9c"
        raise ValueError(f"could not use {self._key}")


async def test_a_backend_value_of_a_rolled_back_step_stays_hidden(
    wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    """The step rolls back, so the value it set is no longer the backend var's value; the error
    that quotes it must still hide it, in the view, on the wire and in the cell."""
    s = Rotating()
    m = rx.model(s)
    firing = rx.fire(Rotating.rotate_and_fail, state=s)
    while not firing.done():
        await asyncio.sleep(0)
    assert s._key == "old-key-0001"
    entry = m._nbstate_errors[-1]
    assert entry["message"] == "could not use «hidden»"
    assert "fresh-key-7f3a9c" not in wire.text()
    assert "fresh-key-7f3a9c" not in capsys.readouterr().err
