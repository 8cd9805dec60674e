"""How a view's static snapshot looks, and which URLs it keeps.

The look follows js/src/style.css loosely (stacks, buttons, inputs, progress bars, badges), in a
small ``<style>`` whose every rule is scoped to the snapshot's wrapper class. URLs are kept as
the live view keeps them (js/src/sanitize.ts): http(s), mailto, ``#...`` and relative links;
images also ``data:image/...`` (but not SVG, which can carry scripts).
"""

from __future__ import annotations

import re
from typing import Any

WRAPPER = "nbstate-snapshot"
_CSS = """
&{font:13px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328}
.s-stack{display:flex;gap:.5rem;min-width:0}
.s-hstack{flex-direction:row;align-items:center;flex-wrap:wrap}
.s-vstack{flex-direction:column;align-items:flex-start}
.s-grid{display:grid;gap:.5rem}
.s-spacer{flex:1}
h1,h2,h3,h4,h5,h6{margin:0;font-weight:600;line-height:1.25}
p{margin:0}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f3f4f6;border-radius:4px}
pre{padding:.5em;white-space:pre-wrap;margin:0}
button,input,select,textarea{font:inherit;min-height:2rem;border:1px solid #c9ced6;\
border-radius:4px;padding:0 .75rem;background:#fff;color:inherit;opacity:1}
button{background:var(--s-accent,#1976d2);color:#fff;border:none;font-weight:500}
.s-progress{width:100%;min-width:8rem;height:.5rem;background:#e1e4e8;border-radius:999px;\
overflow:hidden}
.s-bar{height:100%;background:var(--s-accent,#1976d2)}
.s-badge{display:inline-block;padding:0 .5em;border-radius:999px;font-size:.85em;\
background:#e3edf9;color:var(--s-accent,#1976d2)}
.s-callout{border-left:3px solid var(--s-accent,#1976d2);background:#f3f4f6;padding:.5rem .75rem}
table{border-collapse:collapse}
th,td{border-bottom:1px solid #e1e4e8;padding:.25rem .5rem;text-align:left}
hr{border:none;border-top:1px solid #e1e4e8;width:100%;margin:.5rem 0}
fieldset{border:none;padding:0;margin:0}
.s-error{color:#d32f2f}
.s-more,.s-widget{color:#59636e;font-style:italic}
.s-red{--s-accent:#d32f2f}
.s-green{--s-accent:#388e3c}
.s-orange{--s-accent:#f57c00}
.s-gray{--s-accent:#616161}
.s-purple{--s-accent:#7e57c2}
.s-cyan{--s-accent:#0097a7}
"""


def _scoped(rule: str) -> str:
    selectors, _, body = rule.partition("{")
    scope = f".{WRAPPER}"
    inside = (scope if s == "&" else f"{scope} {s}" for s in selectors.split(","))
    return ",".join(inside) + "{" + body


STYLE = "<style>" + "".join(_scoped(r) for r in _CSS.splitlines() if r) + "</style>"
"""The snapshot's look (after js/src/style.css), every rule scoped to the wrapper."""

SCHEMES = {
    **dict.fromkeys(("red", "tomato", "crimson", "ruby", "error"), "red"),
    **dict.fromkeys(("green", "grass", "jade", "teal", "success"), "green"),
    **dict.fromkeys(("orange", "amber", "yellow", "warning"), "orange"),
    **dict.fromkeys(("gray", "grey", "slate"), "gray"),
    **dict.fromkeys(("purple", "violet", "iris", "plum", "pink"), "purple"),
    **dict.fromkeys(("cyan", "sky", "info"), "cyan"),
}
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp|avif|bmp|x-icon)[;,]", re.I)


def safe_url(v: Any, *, image: bool = False) -> str | None:
    """The URL if the live view would keep it (see js/src/sanitize.ts), else None."""
    if not isinstance(v, str) or not v.strip():
        return None
    u = v.strip()
    m = _SCHEME.match(_CONTROL.sub("", u))
    if m is None:
        return u
    scheme = m.group(1).lower()
    if scheme in ("http", "https") or (scheme == "mailto" and not image):
        return u
    if image and scheme == "data" and _DATA_IMAGE.match(_CONTROL.sub("", u)):
        return u
    return None
