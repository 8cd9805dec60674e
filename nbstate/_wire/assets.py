"""The frontend files the package ships (``nbstate/static``, built from ``js/``), as sent.

- ``view.js``: the renderer. It travels once per kernel, on the hub model
  (``_nbstate_runtime``, keyed by ``_nbstate_runtime_id``), not with every view.
- ``loader.js``: each view model's ESM, a few hundred bytes that import the renderer from the
  hub once per page.
- ``hub.js``: the hub model's ESM (it applies batches). ``view.css``: the hub's CSS, so the
  page gets it once.
- ``markdown.js``: the Markdown renderer, put on the hub when the first view with a
  ``markdown`` component is shown.

A view's ESM is also served by Jupyter (``share/jupyter/labextensions/nbstate/static/``, from
the wheel; ``scripts/setup.sh`` links it for a checkout): anywidget imports an ``http(s)`` ESM
by URL, which the page imports once, where an inline ESM is imported from a new Blob URL for
every model (10-30 ms on the first render's path). Each page's hub checks that its server
serves exactly this loader and says where (``MODULES``); while every page agrees, views name
the URL, and so do state models.

State models draw nothing (``model.py``): inline, they carry ``STATE_ESM``, an empty module. By
URL they name the loader, which the page has already imported; anywidget calls a module's
``render`` only for a displayed model, and the loader draws nothing for a state model.

A checkout whose bundle was never built gets modules that say so in the page.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import pathlib
import sys
from collections.abc import Callable
from typing import Any

import ipywidgets
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


@functools.cache
def loader_id() -> str:
    """Names the loader's content: its URL carries it, so no cache serves another version."""
    return hashlib.sha256(loader_esm().encode()).hexdigest()[:16]


LOADER_PATH = "nbstate/static/loader.js"
"""Where the loader is served, below a page's labextensions URL."""


class ModuleBase:
    """Where the pages of this kernel can import a view's ESM from, as their hubs report it.

    A page's hub fetches ``<its labextensions URL>/nbstate/static/loader.js?v=<loader_id>``
    and reports the base URL if the text is exactly this kernel's loader, or ``None``. A view
    names the URL only while every page that reported agrees on one base: a page of another
    origin (or one whose server does not serve the file) could not import it, so then every
    view carries the loader inline, as before any page reported.
    """

    MAX_PAGES = 256
    """Page loads remembered; past that (a page reloaded hundreds of times, or a frontend
    inventing ids) views carry the loader inline for the rest of the kernel's life."""

    def __init__(self) -> None:
        self.pages: dict[str, str | None] = {}
        self.overflow = False
        self._url: str | None = None
        self.on_report: list[Callable[[], None]] = []  # called after each report

    def reset(self) -> None:
        """Forget every report (the testing reset)."""
        self.pages.clear()
        self.overflow = False
        self._url = None

    def report(self, page: str, base: str | None) -> None:
        if page not in self.pages and len(self.pages) >= self.MAX_PAGES:
            self.overflow = True
        else:
            self.pages[page] = base
        bases = set(self.pages.values())
        agreed = bases.pop() if len(bases) == 1 and not self.overflow else None
        self._url = None if agreed is None else f"{agreed}{LOADER_PATH}?v={loader_id()}"
        for hook in list(self.on_report):
            hook()

    def url(self) -> str | None:
        """The loader's URL while every page that reported agrees on one base, else None (one
        string, shared by every model that names it)."""
        return self._url

    def view_esm(self) -> str:
        return self.url() or loader_esm()

    def state_esm(self) -> str:
        """A new state model's ESM. A page that cannot import a state model's module drops the
        messages that model receives there, so views check their states' URLs
        (``js/src/view.ts``) and say so instead."""
        return self.url() or STATE_ESM


MODULES = ModuleBase()


def hub_esm() -> str:
    return _read("hub.js") or _MISSING_HUB


def css() -> str:
    return _read("view.css") or ""


def markdown() -> str:
    return _read("markdown.js") or ""


def _anywidget_semver() -> str:
    """The module version anywidget's models announce, as ``anywidget.AnyWidget`` computes it
    (``~0.11.*``), read from the installed distribution without importing the package."""
    version = "uninstalled"
    spec = importlib.util.find_spec("anywidget")
    site = pathlib.Path(spec.origin).parent.parent if spec and spec.origin else None
    found = sorted(site.glob("anywidget-*.dist-info")) if site else []
    if found:
        version = found[-1].name[len("anywidget-") : -len(".dist-info")]
    else:  # an editable or unusual install: ask the metadata (a few ms)
        from importlib import metadata

        with contextlib.suppress(metadata.PackageNotFoundError):
            version = metadata.version("anywidget")
    parts = version.split(".", maxsplit=2)
    if len(parts) < 3 or "a" in parts[2] or "b" in parts[2]:
        return version
    return f"~{parts[0]}.{parts[1]}.*"


ANYWIDGET_VERSION = _anywidget_semver()
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class FixedModule(ipywidgets.DOMWidget):  # type: ignore[misc]
    """An anywidget model whose ESM (and CSS) is the same for every instance.

    It declares the traits ``anywidget.AnyWidget`` declares (the ``AnyModel`` and ``AnyView``
    of the page's ``anywidget`` extension, ``_esm``, ``_anywidget_id``), once, on the class,
    so the page's anywidget renders it as any anywidget. Two things are left out, both on the
    first render's path: importing anywidget's Python package (about 15 ms of every kernel's
    first ``import nbstate``, for file watching nbstate does not use), and deriving a class per
    instance (``AnyWidget`` adds ``_esm`` with ``add_traits``: showing 1,000 views built 2,000
    classes, about 1.5 ms each). No model has a Layout model beside it: a view's element needs
    none, and its comm open is one message fewer before the first render.
    """

    _model_name = traitlets.Unicode("AnyModel").tag(sync=True)
    _model_module = traitlets.Unicode("anywidget").tag(sync=True)
    _model_module_version = traitlets.Unicode(ANYWIDGET_VERSION).tag(sync=True)
    _view_name = traitlets.Unicode("AnyView").tag(sync=True)
    _view_module = traitlets.Unicode("anywidget").tag(sync=True)
    _view_module_version = traitlets.Unicode(ANYWIDGET_VERSION).tag(sync=True)
    _anywidget_id = traitlets.Unicode("nbstate").tag(sync=True)
    layout = traitlets.Instance(ipywidgets.Layout, allow_none=True, default_value=None).tag(
        sync=True, **ipywidgets.widget_serialization
    )

    def __init__(self, **kwargs: Any) -> None:
        if "google.colab.output" in sys.modules:  # as anywidget: Colab shows third-party widgets
            _enable_colab_widgets()
        super().__init__(**kwargs)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The widget view, as ``anywidget.AnyWidget`` shows it: ``(data, metadata)``."""
        if self._view_name is None or self._model_id is None:
            return None
        if "google.colab.output" in sys.modules:
            from anywidget._util import repr_mimebundle  # its Colab metadata

            bundle: tuple[dict[str, Any], dict[str, Any]] = repr_mimebundle(
                model_id=self.model_id, repr_text=repr(self)
            )
            return bundle
        data = {
            "text/plain": repr(self),
            _WIDGET_MIME: {"version_major": 2, "version_minor": 1, "model_id": self._model_id},
        }
        return data, {}


@functools.cache
def _enable_colab_widgets() -> None:
    sys.modules["google.colab.output"].enable_custom_widget_manager()
