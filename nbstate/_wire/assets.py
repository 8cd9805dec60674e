"""The frontend files the package ships (``nbstate/static``, built from ``js/``), as sent.

- ``view.js``: the renderer. It travels once per kernel, on the hub model
  (``_nbstate_runtime``, keyed by ``_nbstate_runtime_id``), not with every view.
- ``loader.js``: each view model's ESM, a few hundred bytes that import the renderer from the
  hub once per page.
- ``hub.js``: the hub model's ESM (it applies batches). ``view.css``: the hub's CSS, so the
  page gets it once.
- ``markdown.js``: the Markdown renderer, put on the hub when the first view with a
  ``markdown`` component is shown.

A checkout whose bundle was never built gets modules that say so in the page.
"""

from __future__ import annotations

import functools
import hashlib
import pathlib
from typing import Any

import anywidget
import traitlets

STATIC = pathlib.Path(__file__).parent.parent / "static"

_MISSING = "[nbstate] the frontend bundle is missing: run `make lab` (or `pip install -e .`)."
_MISSING_RUNTIME = f"""
export default {{ render({{ el }}) {{ el.textContent = {_MISSING!r}; }} }};
"""
_MISSING_HUB = f"""
export default {{ initialize() {{ console.warn({_MISSING!r}); }} }};
"""

STATE_ESM = "export default {};\n"
"""A state model's ESM: state models draw nothing, and the hub applies their changes."""


@functools.cache
def _read(name: str) -> str | None:
    path = STATIC / name
    return path.read_text(encoding="utf-8") if path.exists() else None


def runtime() -> str:
    return _read("view.js") or _MISSING_RUNTIME


@functools.cache
def runtime_id() -> str:
    """Names the renderer's content, so a page imports each version once."""
    return hashlib.sha256(runtime().encode()).hexdigest()[:16]


def loader_esm() -> str:
    return _read("loader.js") or _MISSING_RUNTIME


def hub_esm() -> str:
    return _read("hub.js") or _MISSING_HUB


def css() -> str:
    return _read("view.css") or ""


def markdown() -> str:
    return _read("markdown.js") or ""


_ANYWIDGET_KEYS = frozenset({"_esm", "_css", "_anywidget_id"})


class FixedModule(anywidget.AnyWidget):  # type: ignore[misc]
    """An anywidget model whose ESM (and CSS) is the same for every instance.

    anywidget adds ``_esm``, ``_css`` and ``_anywidget_id`` to each instance with traitlets'
    ``add_traits``, which derives a new class for every instance: showing 1,000 views built
    2,000 classes, about 1.5 ms each. Subclasses declare those traits once, on the class, and
    ``add_traits`` skips the ones the class already has.
    """

    _anywidget_id = traitlets.Unicode("nbstate").tag(sync=True)

    def add_traits(self, **traits: Any) -> None:
        fresh = {
            k: v for k, v in traits.items() if k not in _ANYWIDGET_KEYS or not self.has_trait(k)
        }
        if fresh:
            super().add_traits(**fresh)
