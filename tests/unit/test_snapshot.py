"""The static HTML snapshot a view's mimebundle carries (nbstate/_ui/snapshot.py)."""

from __future__ import annotations

import asyncio
import html.parser
import math
from typing import Any

import nbstate as rx
from nbstate._ui.snapshot import render
from nbstate._ui.snapshot_style import WRAPPER, safe_url


class Snap(rx.State):
    counter: int = 3
    ratio: float = 0.25
    big: float = math.inf
    label: str = "<b>bold & 'quoted'</b>"
    items: list[str] = ["a<b", "c"]
    rows: list[dict[str, Any]] = [{"name": "x", "n": 1.5}]
    running: bool = False
    _secret: str = "backend-only-7731"

    @rx.var
    def double(self) -> int:
        return self.counter * 2

    def inc(self) -> None:
        self.counter += 1


def snapshot(root: Any) -> str:
    data, _meta = rx.view(root)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    text: str = data["text/html"]
    return text


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def parse(text: str) -> _Tags:
    p = _Tags()
    p.feed(text)
    return p


def test_values_labels_and_computed_vars() -> None:
    out = snapshot(
        rx.hstack(
            rx.heading(Snap.counter, " /"),
            rx.button(rx.cond(~Snap.running, "Start", "Stop"), on_click=Snap.inc),
            rx.badge("double ", Snap.double),
            rx.text(f"ratio {Snap.ratio} of {Snap.big}"),
        )
    )
    assert out.startswith(f'<div class="{WRAPPER}"><style>')
    assert "<h2>3 /</h2>" in out
    assert "<button" in out and ">Start</button>" in out and "Stop" not in out
    assert "double 6" in out
    assert "ratio 0.25 of inf" in out


def test_snapshot_shows_the_values_at_display_time() -> None:
    root = rx.heading(Snap.counter)
    assert "<h2>3</h2>" in snapshot(root)

    async def bump() -> None:
        await rx.fire(Snap.inc)
        await rx.idle()

    asyncio.run(bump())
    assert "<h2>4</h2>" in snapshot(root)


def test_everything_is_escaped_and_inert() -> None:
    out = snapshot(
        rx.vstack(
            rx.text(Snap.label, title=Snap.label),
            rx.markdown("# title <script>alert(1)</script> [x](javascript:alert(2))"),
            rx.link("bad", href="java\tscript:alert(3)"),
            rx.link("good", href="https://example.org/?a=1&b=2"),
            rx.image(src="javascript:alert(4)", alt='"><script>'),
            rx.input(value=Snap.label, on_change=Snap.set_label),
            rx.input(value="hunter2", type="password"),
        )
    )
    tags = parse(out)
    assert "script" not in tags.tags
    assert not any(k.startswith("on") for k, _ in tags.attrs)
    assert not any(v and "javascript" in v.lower().replace("\t", "") for _, v in tags.attrs)
    assert "&lt;b&gt;bold &amp; &#x27;quoted&#x27;&lt;/b&gt;" in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert 'href="https://example.org/?a=1&amp;b=2"' in out
    assert "hunter2" not in out
    inputs = [t for t in tags.tags if t in ("input", "button", "select", "textarea")]
    assert inputs and out.count(" disabled") >= len(inputs)


def test_backend_values_never_appear() -> None:
    out = snapshot(rx.vstack(rx.text(Snap.counter), rx.foreach(Snap.items, rx.text)))
    assert "backend-only-7731" not in out
    assert "_secret" not in out


def test_foreach_cond_and_lists() -> None:
    out = snapshot(
        rx.vstack(
            rx.foreach(Snap.items, lambda x, i: rx.text(i, ": ", x)),
            rx.cond(Snap.counter > 100, rx.text("many"), rx.text("few")),
            rx.cond(Snap.running, rx.text("running")),
            rx.data_table(data=Snap.rows),
            rx.progress(value=Snap.ratio, max=1),
            rx.select(items=["a", "b"], value="b"),
            rx.checkbox(text="on?", checked=True),
        )
    )
    assert "<p>0: a&lt;b</p><p>1: c</p>" in out
    assert "few" in out and "many" not in out and "running" not in out
    assert "<th>name</th>" in out and "<td>1.5</td>" in out
    assert 'style="width:25%"' in out
    assert "<option selected>b</option>" in out
    assert "checked" in out


def test_expression_errors_show_inline() -> None:
    out = snapshot(rx.text(Snap.label + Snap.counter.to_string()))
    assert 'class="s-error"' not in out and "quoted&#x27;&lt;/b&gt;3</p>" in out
    bad = render({"type": "text", "expr": {"op": "length", "a": {"op": "lit", "v": 3}}}, [])
    assert '<span class="s-error">\u26a0 object of type &#x27;int&#x27; has no len()</span>' in bad


def test_a_failing_snapshot_leaves_the_live_view(monkeypatch: Any) -> None:
    def broken(*_args: Any) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr("nbstate._ui.view.render_snapshot", broken)
    data, _meta = rx.view(rx.text(Snap.counter))._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "text/html" not in data


def test_render_is_deterministic() -> None:
    root = rx.vstack(rx.heading(Snap.counter), rx.foreach(Snap.items, rx.text))
    assert snapshot(root) == snapshot(root)


def test_safe_url() -> None:
    assert safe_url("https://x.org") == "https://x.org"
    assert safe_url("/rel/path") == "/rel/path"
    assert safe_url("mailto:a@b.c") == "mailto:a@b.c"
    assert safe_url(" JavaScript:alert(1)") is None
    assert safe_url("data:text/html,<x>") is None
    assert safe_url("data:image/png;base64,AAAA", image=True) is not None
    assert safe_url("data:image/svg+xml,<svg/>", image=True) is None
    assert safe_url(3) is None
