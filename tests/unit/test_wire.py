"""The state model on the wire: traits, one update per change set, validated frontend input."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

import nbstate as rx

from .conftest import Wire, settle


class W(rx.State):
    counter: int = 0
    max_counter: int = 10
    label: str = ""
    _secret: str = "backend-only-7f3a"

    def bump(self, by: int = 1) -> None:
        self.counter += by
        self.label = f"at {self.counter}"

    def _private(self) -> None:
        self.counter = -1

    @rx.background
    async def task(self) -> None:
        async with self:
            self.counter += 100


def test_model_has_one_trait_per_public_var_and_no_backend_vars(wire: Wire) -> None:
    """Public vars are v_ traits; backend vars are neither traits nor in the open message."""
    s = W()
    m = rx.model(s)
    assert m.v_counter == 0 and m.v_max_counter == 10
    assert not m.has_trait("v__secret") and not m.has_trait("_secret")
    [(_kind, data, _)] = [
        msg for msg in wire.messages if msg[0] == "comm_open" and "v_counter" in msg[1]["state"]
    ]
    assert data["state"]["v_counter"] == 0
    assert "backend-only-7f3a" not in wire.text()


async def test_one_update_message_per_change_set(wire: Wire) -> None:
    """A handler changing two vars sends exactly one update with both."""
    s = W()
    m = rx.model(s)
    wire.clear()
    Wire.send(m, {"kind": "event", "id": 1, "handler": "bump", "args": [2]})
    await settle()
    assert wire.updates() == [{"v_counter": 2, "v_label": "at 2"}]
    assert wire.customs() == [{"kind": "done", "id": 1}]


async def test_frontend_event_coerces_arguments() -> None:
    """A setter event with "7" sets the int var to 7."""
    s = W()
    m = rx.model(s)
    Wire.send(m, {"kind": "event", "id": 2, "handler": "set_max_counter", "args": ["7"]})
    await settle()
    assert s.max_counter == 7


HOSTILE: list[Any] = [
    None,
    5,
    "text",
    [],
    {"kind": "nope"},
    {"kind": "event"},
    {"kind": "event", "handler": 3},
    {"kind": "event", "handler": "_private"},
    {"kind": "event", "handler": "_secret"},
    {"kind": "event", "handler": "__init__"},
    {"kind": "event", "handler": "__class__"},
    {"kind": "event", "handler": "counter"},
    {"kind": "event", "handler": "missing"},
    {"kind": "event", "handler": "bump", "args": [1, 2]},
    {"kind": "event", "handler": "bump", "args": ["x"]},
    {"kind": "event", "handler": "bump", "args": "1"},
    {"kind": "event", "handler": "set_counter", "args": []},
    {"kind": "event", "handler": "set_counter", "args": [{"a": 1}]},
    {"kind": "event", "handler": "set_counter", "args": [True]},
    {"kind": "event", "handler": "bump", "args": [], "extra": 1},
    {"kind": "event", "handler": "bump", "id": "x"},
    {"kind": "event", "handler": "bump", "view": 5},
    {"kind": "event", "handler": "bump", "args": [float("nan")]},
    {"kind": "event", "handler": "set_label", "args": ["x" * 2_000_000]},
]


@pytest.mark.parametrize("content", HOSTILE, ids=range(len(HOSTILE)))
async def test_bad_events_are_refused_and_run_nothing(content: Any, wire: Wire) -> None:
    """Malformed or forbidden events get a clear refusal and change nothing."""
    s = W()
    m = rx.model(s)
    wire.clear()
    if isinstance(content, dict):
        content = {**content, "id": content.get("id", 9)}
    Wire.send(m, content)
    await settle()
    assert (s.counter, s.max_counter, s.label, s._secret) == (0, 10, "", "backend-only-7f3a")
    assert not any(k.startswith("v_") for u in wire.updates() for k in u)
    entry = m._nbstate_errors[-1]
    assert entry["type"] == "EventRejected" and entry["message"]
    assert "backend-only-7f3a" not in wire.text()


async def test_buffers_are_refused(wire: Wire) -> None:
    """Events carrying binary buffers are refused."""
    s = W()
    m = rx.model(s)
    Wire.send(m, {"kind": "event", "id": 1, "handler": "bump", "args": []}, buffers=[b"x"])
    await settle()
    assert s.counter == 0
    assert wire.customs()[-1]["kind"] == "rejected"


def _trait_update(m: Any, state: dict[str, Any]) -> None:
    m._handle_msg(
        {"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}}
    )


async def test_frontend_trait_writes_run_the_setter(wire: Wire) -> None:
    """A trait update from the browser (a jslinked widget) is set_<var>, coerced and checked."""
    s = W()
    m = rx.model(s)
    _trait_update(m, {"v_counter": "41"})
    await settle()
    assert s.counter == 41 and m.v_counter == 41
    wire.clear()
    before = rx.app.refused
    _trait_update(m, {"v_counter": "lots"})
    await settle()
    assert s.counter == 41 and m.v_counter == 41
    assert rx.app.refused == before + 1
    assert {"v_counter": 41} in wire.updates()  # the browser takes the kernel's value back
    assert "cannot use 'lots' as int" in m._nbstate_errors[-1]["message"]


async def test_frontend_writes_of_other_traits_are_refused(wire: Wire) -> None:
    """Writes of nbstate's own traits or unknown names are refused and the truth re-sent."""
    s = W()
    m = rx.model(s)
    wire.clear()
    _trait_update(m, {"_nbstate_class": "Evil"})
    _trait_update(m, {"v__secret": "x"})
    await settle()
    assert m._nbstate_class == "W"
    assert {"_nbstate_class": "W"} in wire.updates()
    assert "not a var it may set" in m._nbstate_errors[-1]["message"]


async def test_frontend_starts_background_task() -> None:
    """An event naming a background task starts a run."""
    s = W()
    m = rx.model(s)
    Wire.send(m, {"kind": "event", "id": 1, "handler": "task", "args": []})
    await asyncio.gather(*rx.app.runs())
    assert s.counter == 100


async def test_messages_from_other_threads_are_handed_to_the_main_loop() -> None:
    """A message arriving on another thread is applied on the main loop thread, not in place."""
    seen: list[str] = []

    class TS(rx.State):
        n: int = 0

        def mark(self) -> None:
            seen.append(threading.current_thread().name)
            self.n += 1

    s = TS()
    m = rx.model(s)

    def deliver() -> None:
        Wire.send(m, {"kind": "event", "id": 1, "handler": "mark", "args": []})
        seen.append(f"after-send n={s.n}")

    t = threading.Thread(target=deliver, name="subshell-1")
    t.start()
    t.join()
    assert seen == ["after-send n=0"]
    await settle()
    assert seen == ["after-send n=0", "MainThread"] and s.n == 1


def test_writes_from_other_threads_are_refused() -> None:
    """Direct writes from a non-main thread raise WrongThreadError."""
    s = W()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            s.counter = 5
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=write)
    t.start()
    t.join()
    assert isinstance(errors[0], rx.WrongThreadError) and s.counter == 0


async def test_hostile_fuzz_500_messages(wire: Wire) -> None:
    """500 generated malformed or forbidden events all get refusals and change nothing."""
    import random

    rng = random.Random(7)
    s = W()
    m = rx.model(s)
    names = [
        "_private",
        "_secret",
        "counter",
        "nope",
        "__dict__",
        "bump",
        "set_counter",
        "set_max_counter",
        "task",
        "",
        "set__secret",
        "__aenter__",
    ]
    junk: list[Any] = [None, "x", 1.5, [1], {"a": 1}, True, -1, "7x", [[[]]], {"": None}]
    sent = 0
    while sent < 500:
        name = rng.choice(names)
        args: Any = [rng.choice(junk) for _ in range(rng.randint(0, 3))]
        content: Any = {"kind": "event", "id": sent, "handler": name, "args": args}
        ok_call = name == "bump" and (
            args == []
            or (len(args) == 1 and isinstance(args[0], int) and not isinstance(args[0], bool))
        )
        ok_call |= (
            name in ("set_counter", "set_max_counter")
            and len(args) == 1
            and (
                (isinstance(args[0], int) and not isinstance(args[0], bool))
                or (isinstance(args[0], float) and args[0].is_integer())
            )
        )
        ok_call |= name == "task" and args == []
        if ok_call:
            continue
        if rng.random() < 0.2:
            content = rng.choice(HOSTILE)
            if isinstance(content, dict):
                content = {"id": sent, **content}
        before = s.counter
        Wire.send(m, content)
        await settle()
        assert s.counter == before, content
        sent += 1
    assert (s.counter, s.max_counter, s.label) == (0, 10, "")
    refused = [c for c in wire.customs() if c.get("kind") == "rejected"]
    assert len(refused) >= 450
    assert all(isinstance(c["error"], str) and c["error"] for c in refused)
    assert "backend-only-7f3a" not in wire.text()
    assert json.dumps(m._nbstate_errors)


@pytest.mark.parametrize(
    "msg",
    [
        {"content": {"data": {}}},
        {"content": {"data": {"method": 5}}},
        {"content": {"data": {"method": "explode"}}},
        {"content": {"data": "not a dict"}},
        {"content": None},
        {},
        "not even a dict",
    ],
)
async def test_malformed_comm_messages_are_refused_quietly_and_counted(
    msg: Any, wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comm message without a usable method is refused: counted, no traceback, no change."""
    s = W()
    m = rx.model(s)
    before = rx.app.refused
    wire.clear()
    m._handle_msg(msg)
    await settle()
    assert rx.app.refused == before + 1
    assert capsys.readouterr().err == ""
    assert wire.messages == [] and rx.errors(s) == []


BAD_TEXT = "a\ud800b"  # a lone surrogate: a Python str, but no UTF-8 text


async def test_text_that_is_not_valid_unicode_is_refused_everywhere(wire: Wire) -> None:
    """A lone surrogate from the browser is refused before anything runs, and one written in
    Python is refused at commit and rolled back, so it never reaches (and breaks) a send."""
    s = W()
    m = rx.model(s)
    await settle()
    wire.clear()
    before = rx.app.refused
    Wire.send(m, {"kind": "event", "id": 7, "handler": "set_label", "args": [BAD_TEXT]})
    _trait_update(m, {"v_label": BAD_TEXT})
    await settle()
    assert rx.app.refused == before + 2
    assert s.label == "" and m.v_label == ""
    [reply] = [c for c in wire.customs() if c.get("id") == 7]
    assert reply["kind"] == "rejected" and "lone surrogate" in reply["error"]
    with pytest.raises(TypeError, match="lone surrogate"):
        s.label = BAD_TEXT
    with pytest.raises(TypeError, match="lone surrogate"):
        async with s:
            s.counter = 5
            s.label = BAD_TEXT
    assert (s.counter, s.label) == (0, "")  # the whole block rolled back

    class L(rx.State):
        names: list[str] = []
        table: dict[str, int] = {}

    t = L()
    rx.model(t)
    with pytest.raises(TypeError, match=r"L\.names\[0\].*lone surrogate"):
        t.names = [BAD_TEXT]
    with pytest.raises(TypeError, match="lone surrogate"):
        t.names.append(BAD_TEXT)
    with pytest.raises(TypeError, match="lone surrogate"):
        t.table = {BAD_TEXT: 1}
    assert t.names == [] and t.table == {}
    # Nothing unsendable was queued: later changes still go out, and everything can be sent.
    s.label = "é fine"
    await settle()
    assert Wire.frontend(m)["v_label"] == "é fine"
    json.dumps(wire.messages, ensure_ascii=False).encode("utf-8")


async def test_malformed_dismisses_are_refused_without_an_event_reply(wire: Wire) -> None:
    """A dismiss names an error entry by its integer id; anything else is refused and counted,
    and never answered as if it were an event (its id is no event id)."""
    s = W()
    m = rx.model(s)
    Wire.send(m, {"kind": "event", "id": 1, "handler": "nope", "args": []})
    await settle()
    [entry] = m._nbstate_errors
    wire.clear()
    before = rx.app.refused
    bad: list[Any] = [
        {"kind": "dismiss"},
        {"kind": "dismiss", "id": "x"},
        {"kind": "dismiss", "id": [1]},
        {"kind": "dismiss", "id": 1.5},
        {"kind": "dismiss", "id": True},
        {"kind": "dismiss", "id": entry["id"], "extra": 1},
    ]
    for content in bad:
        Wire.send(m, content)
    await settle()
    assert rx.app.refused == before + len(bad)
    assert not [c for c in wire.customs() if c.get("kind") == "rejected"]
    assert entry["id"] in [e["id"] for e in m._nbstate_errors]  # nothing was dismissed
    Wire.send(m, {"kind": "dismiss", "id": entry["id"]})
    await settle()
    assert entry["id"] not in [e["id"] for e in m._nbstate_errors]
