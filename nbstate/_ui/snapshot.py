"""A static HTML picture of a view: its tree drawn with the values the states hold now.

A view's mimebundle carries it as ``text/html``. Jupyter frontends with a widget manager show
the live view instead; pages without one (nbconvert's HTML export, nbviewer, GitHub) show this.
This is the picture as of display time; when JupyterLab or Notebook 7 saves the notebook, the
live view writes an inert copy of what it shows then in its place (js/src/saved-snapshot.ts).
It is inert: no scripts, no event handlers, controls drawn disabled, every text and attribute
escaped, and URLs kept only when they are http(s), mailto, ``#...`` or relative (images: also
``data:image/...``), as the live view keeps them. It reads only the values the browser holds
(public and computed vars), so backend vars never appear. Expressions are evaluated by
``evaluate.py``, by the browser's rules, so the numbers and texts match the live view.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .evaluate import Env, ExprError, evaluate, js_keys, py_str, truthy
from .snapshot_style import SCHEMES, STYLE, WRAPPER, safe_url

MAX_ROWS = 500
"""Rows drawn for one foreach or table; the rest is counted ("… 12 more")."""

_TEXT_TAGS = frozenset(
    ("p", "span", "div", "strong", "em", "b", "i", "small", "label", "abbr", "cite", "kbd",
     "mark", "s", "u", "sub", "sup", "del", "ins", "q", "blockquote", "pre", "code", "samp",
     "var", "time")
)  # fmt: skip
_CLASS = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_INPUT_TYPES = frozenset(("text", "number", "email", "search", "tel", "url", "date", "time"))


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _field_text(v: Any) -> str:
    return "" if v is None else v if isinstance(v, str) else py_str(v)


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or abs(v) == float("inf"):
        return None
    return float(v)


def _to_list(v: Any) -> list[Any]:
    """What foreach iterates, as the browser does: lists, None, strings, dicts' (key, value)."""
    if isinstance(v, list):
        return v
    if v is None:
        return []
    if isinstance(v, str):
        return list(v)
    if isinstance(v, dict):
        return [[k, v[k]] for k in js_keys(v)]
    raise ExprError(f"foreach needs a list, got {py_str(v)}")


def _items(v: Any) -> list[tuple[str, str]]:
    """(label, value) pairs of a select's or radio group's items."""
    out: list[tuple[str, str]] = []
    for it in v if isinstance(v, list) else []:
        if isinstance(it, dict):
            value = it.get("value", it.get("label", ""))
            out.append((py_str(it.get("label", value)), _field_text(value)))
        elif isinstance(it, list) and len(it) == 2:
            out.append((py_str(it[0]), _field_text(it[1])))
        else:
            out.append((py_str(it), _field_text(it)))
    return out


class _Node:
    """One component node of the tree, with its props read lazily in an env."""

    def __init__(self, r: _Renderer, node: Mapping[str, Any], env: Env) -> None:
        self.r, self.node, self.env = r, node, env
        self.props: Mapping[str, Any] = node.get("props") or {}

    def get(self, key: str, default: Any = None) -> Any:
        e = self.props.get(key)
        if e is None:
            return default
        try:
            v = evaluate(e, self.env)
        except ExprError:
            return default
        return default if v is None else v

    def children(self) -> str:
        return "".join(self.r.node(c, self.env) for c in self.node.get("children") or [])

    def attrs(self, extra_class: str = "", /, **attrs: Any) -> str:
        classes = [c for c in extra_class.split() if c]
        user = self.get("class_name")
        if isinstance(user, str):
            classes += [c for c in user.split() if _CLASS.match(c)]
        scheme = self.get("color_scheme", self.get("status"))
        if isinstance(scheme, str) and scheme.lower() in SCHEMES:
            classes.append("s-" + SCHEMES[scheme.lower()])
        title = self.get("title")
        out = f' class="{_esc(" ".join(classes))}"' if classes else ""
        if title is not None:
            out += f' title="{_esc(py_str(title))}"'
        for k, v in attrs.items():
            if v is True:
                out += f" {k.rstrip('_')}"
            elif v is not None and v is not False:
                out += f' {k.rstrip("_")}="{_esc(str(v))}"'
        return out


class _Renderer:
    """Draws one tree; ``node`` returns the HTML of a node in an env."""

    def node(self, n: Any, env: Env) -> str:
        if not isinstance(n, dict):
            return ""
        kind = n.get("type")
        try:
            if kind == "text":
                return _esc(py_str(evaluate(n["expr"], env)))
            if kind == "cond":
                return self.node(n.get("a") if truthy(evaluate(n["c"], env)) else n.get("b"), env)
            if kind == "foreach":
                return self.foreach(n, env)
            if kind == "fragment":
                return "".join(self.node(c, env) for c in n.get("children") or [])
            if kind == "widget":
                return '<span class="s-widget">(an ipywidget, shown in the live view)</span>'
            if kind == "component":
                return self.component(_Node(self, n, env))
        except (ExprError, KeyError, TypeError) as err:
            return f'<span class="s-error">\u26a0 {_esc(str(err))}</span>'
        return ""

    def foreach(self, n: Mapping[str, Any], env: Env) -> str:
        items = _to_list(evaluate(n["list"], env))
        out = []
        for i, item in enumerate(items[:MAX_ROWS]):
            args = {n["item"]: item} if n.get("item") else {}
            if n.get("index"):
                args[n["index"]] = i
            out.append(self.node(n.get("body"), env.with_args(**args)))
        if len(items) > MAX_ROWS:
            out.append(f'<div class="s-more">\u2026 {len(items) - MAX_ROWS} more</div>')
        return "".join(out)

    def component(self, c: _Node) -> str:
        if truthy(c.get("hidden")):
            return ""
        draw = _DRAW.get(str(c.node.get("name")))
        if draw is None:
            return f"<div{c.attrs()}>{c.children()}</div>"
        return draw(c)


def _stack(kind: str) -> Callable[[_Node], str]:
    return lambda c: f"<div{c.attrs(f's-stack s-{kind}')}>{c.children()}</div>"


def _simple(tag: str, cls: str = "", children: bool = True) -> Callable[[_Node], str]:
    return lambda c: f"<{tag}{c.attrs(cls)}>{c.children() if children else ''}</{tag}>"


def _grid(c: _Node) -> str:
    cols = c.get("columns")
    n = _number(cols) if not isinstance(cols, str) else float(cols) if cols.isdigit() else None
    style = f"grid-template-columns:repeat({max(1, int(n))},minmax(0,1fr))" if n else None
    return f"<div{c.attrs('s-grid', style=style)}>{c.children()}</div>"


def _heading(c: _Node) -> str:
    as_ = c.get("as")
    level = _number(c.get("level", 2)) or 2
    if isinstance(as_, str) and re.fullmatch(r"[hH][1-6]", as_):
        level = int(as_[1])
    tag = f"h{min(6, max(1, round(level)))}"
    return f"<{tag}{c.attrs()}>{c.children()}</{tag}>"


def _text(c: _Node) -> str:
    as_ = c.get("as", "p")
    tag = as_.lower() if isinstance(as_, str) and as_.lower() in _TEXT_TAGS else "p"
    return f"<{tag}{c.attrs()}>{c.children()}</{tag}>"


def _markdown(c: _Node) -> str:
    parts = [c.props.get("content")] + [
        ch.get("expr") for ch in c.node.get("children") or [] if ch and ch.get("type") == "text"
    ]
    text = "".join(py_str(evaluate(e, c.env)) for e in parts if e is not None)
    return f"<pre{c.attrs('s-markdown')}>{_esc(text)}</pre>"


def _link(c: _Node) -> str:
    href = safe_url(c.get("href"))
    return f"<a{c.attrs(href=href, rel='noopener noreferrer nofollow')}>{c.children()}</a>"


def _input(c: _Node) -> str:
    name = c.node.get("name")
    kind = c.get("type", "text") if name == "input" else "number"
    value = c.get("value", c.get("default_value"))
    if kind == "password":
        value = None  # never shown
    elif kind not in _INPUT_TYPES:
        kind = "text"
    text = None if value is None else _field_text(value)
    placeholder = c.get("placeholder")
    ph = None if placeholder is None else py_str(placeholder)
    return f"<input{c.attrs(type=kind, value=text, placeholder=ph, disabled=True)}>"


def _text_area(c: _Node) -> str:
    value = _field_text(c.get("value", c.get("default_value")))
    rows = _number(c.get("rows"))
    return f"<textarea{c.attrs(rows=rows and int(rows), disabled=True)}>{_esc(value)}</textarea>"


def _slider(c: _Node) -> str:
    vals = {k: _number(c.get(k)) for k in ("min", "max", "step", "value")}
    attrs: dict[str, Any] = {k: None if v is None else py_str(v) for k, v in vals.items()}
    return f"<input{c.attrs(type='range', disabled=True, **attrs)}>"


def _toggle(c: _Node) -> str:
    checked = truthy(c.get("checked", c.get("default_checked")))
    text = c.get("text")
    label = _esc(py_str(text)) if text is not None else ""
    box = f'<input type="checkbox" disabled{" checked" if checked else ""}>'
    return f"<label{c.attrs()}>{box} {label}{c.children()}</label>"


def _select(c: _Node) -> str:
    value = _field_text(c.get("value"))
    opts = "".join(
        f"<option{' selected' if v == value else ''}>{_esc(label)}</option>"
        for label, v in _items(c.get("items"))
    )
    return f"<select{c.attrs(disabled=True)}>{opts}</select>"


def _radio_group(c: _Node) -> str:
    value = _field_text(c.get("value"))
    row = c.get("direction") in ("row", "horizontal")
    opts = "".join(
        f'<label><input type="radio" disabled{" checked" if v == value else ""}> '
        f"{_esc(label)}</label>"
        for label, v in _items(c.get("items"))
    )
    cls = "s-stack " + ("s-hstack" if row else "s-vstack")
    return f"<fieldset{c.attrs(cls, disabled=True)}>{opts}</fieldset>"


def _progress(c: _Node) -> str:
    value, top = _number(c.get("value")), _number(c.get("max"))
    top = top if top and top > 0 else 100.0
    width = "width:0" if value is None else f"width:{min(top, max(0.0, value)) / top * 100:g}%"
    return f'<div{c.attrs("s-progress")}><div class="s-bar" style="{width}"></div></div>'


def _image(c: _Node) -> str:
    src = safe_url(c.get("src"), image=True)
    alt = c.get("alt")
    size = {k: py_str(v) for k in ("width", "height") if (v := _number(c.get(k))) is not None}
    alt_text = "" if alt is None else py_str(alt)
    return f"<img{c.attrs(src=src, alt=alt_text, **size)}>"


def _data_table(c: _Node) -> str:
    data, given = c.get("data"), c.get("columns")
    columns: list[Any] = given if isinstance(given, list) else []
    rows: list[Any] = []
    if isinstance(data, dict):
        own = data.get("columns")
        columns = columns or (own if isinstance(own, list) else [])
        raw = data.get("rows", data.get("data", []))
        rows = [r if isinstance(r, list) else [r] for r in (raw if isinstance(raw, list) else [])]
    elif isinstance(data, list):
        if not columns:
            for r in data:
                columns += [k for k in r if k not in columns] if isinstance(r, dict) else []
        keys = [_label(k, ("id", "name", "label", "title")) for k in columns]
        rows = [r if isinstance(r, list) else [_get(r, k) for k in keys] for r in data]
    head = "".join(f"<th>{_esc(_label(k, ('label', 'title', 'name', 'id')))}</th>" for k in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(_field_text(x))}</td>" for x in r) + "</tr>"
        for r in rows[:MAX_ROWS]
    )
    more = len(rows) - MAX_ROWS
    tail = f'<div class="s-more">\u2026 {more} more rows</div>' if more > 0 else ""
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"<div{c.attrs()}>{table}{tail}</div>"


def _label(col: Any, order: Sequence[str]) -> str:
    if isinstance(col, dict):
        return py_str(next((col[k] for k in order if col.get(k) is not None), ""))
    return py_str(col)


def _get(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, dict) else None


def _callout(c: _Node) -> str:
    text = c.get("text")
    body = (_esc(py_str(text)) + " " if text is not None else "") + c.children()
    return f"<div{c.attrs('s-callout')}>{body}</div>"


_DRAW: dict[str, Callable[[_Node], str]] = {
    "hstack": _stack("hstack"),
    "vstack": _stack("vstack"),
    "box": _simple("div"),
    "spacer": _simple("div", "s-spacer", False),
    "divider": lambda c: f"<hr{c.attrs()}>",
    "grid": _grid,
    "heading": _heading,
    "text": _text,
    "code": _simple("code"),
    "markdown": _markdown,
    "link": _link,
    "button": lambda c: f"<button{c.attrs(type='button', disabled=True)}>{c.children()}</button>",
    "form": _simple("div", "s-form"),
    "number_input": _input,
    "input": _input,
    "text_area": _text_area,
    "slider": _slider,
    "checkbox": _toggle,
    "switch": _toggle,
    "select": _select,
    "radio_group": _radio_group,
    "progress": _progress,
    "badge": _simple("span", "s-badge"),
    "spinner": lambda c: f"<span{c.attrs('s-spinner')}>\u22ef</span>",
    "image": _image,
    "data_table": _data_table,
    "callout": _callout,
}


def render(tree: Mapping[str, Any], states: Sequence[Mapping[str, Any]]) -> str:
    """The HTML of a view's tree, given each state's public values (decoded JSON, by index)."""
    body = _Renderer().node(tree, Env(states=states))
    return f'<div class="{WRAPPER}">{STYLE}{body}</div>'
