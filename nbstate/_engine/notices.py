"""Notices: a toast or a download that a handler returns or yields for the browser.

``rx.toast(...)`` and ``rx.download(...)`` make plain objects, checked when they are made. A
handler returns or yields them like chained events (alone or in a list); the events layer sends
them only after the step that produced them has committed, so a step that rolls back sends
nothing. The wire layer registers the function that sends them (:func:`set_sender`).

A toast goes to every view of the state the handler ran on; a download to one view only: the
view the event came from (:data:`origin_view`, set for events sent by a view), else any one.
"""

from __future__ import annotations

import contextvars
import math
import mimetypes
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._core.core import Core

LEVELS = ("info", "success", "warning", "error")
DEFAULT_DURATION = 4000
"""How long a toast shows by default, in milliseconds."""
MAX_DURATION = 3_600_000
MAX_MESSAGE = 10_000
MAX_DOWNLOAD = 100 * 1024 * 1024
"""The largest download, in bytes (100 MB)."""

origin_view: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "nbstate_origin_view", default=None
)
"""The model id of the view whose event started the running handler (inherited by chains)."""


class Notice:
    """Something for the browser that a handler returns or yields (a toast or a download)."""

    __slots__ = ()


class Toast(Notice):
    """A transient message shown in every view of the handler's state. Made by :func:`toast`."""

    __slots__ = ("duration", "level", "message")

    def __init__(self, message: str, level: str, duration: int | None) -> None:
        self.message = message
        self.level = level
        self.duration = duration

    def __repr__(self) -> str:
        return f"rx.toast({self.message!r}, level={self.level!r}, duration={self.duration!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Toast) and (self.message, self.level, self.duration) == (
            other.message,
            other.level,
            other.duration,
        )

    __hash__ = None  # type: ignore[assignment]


class Download(Notice):
    """A file the browser saves, in one view of the handler's state. Made by :func:`download`."""

    __slots__ = ("data", "filename", "mime")

    def __init__(self, data: bytes, filename: str, mime: str) -> None:
        self.data = data
        self.filename = filename
        self.mime = mime

    def __repr__(self) -> str:
        return f"rx.download(<{len(self.data)} bytes>, filename={self.filename!r})"


def toast(message: str, level: str = "info", duration: float | None = DEFAULT_DURATION) -> Toast:
    """A notice for the views of the state whose handler returns or yields it.

    ``message`` is plain text (never HTML); ``level`` is ``"info"``, ``"success"``,
    ``"warning"`` or ``"error"`` (errors are announced at once to screen readers);
    ``duration`` is in milliseconds (``None``: it stays until closed). Every toast has a close
    button.
    """
    if not isinstance(message, str):
        raise TypeError(
            f"rx.toast() takes the message as a str, got {type(message).__name__}; "
            f"format it first, e.g. rx.toast(f'saved {{n}} rows')"
        )
    if len(message) > MAX_MESSAGE:
        raise ValueError(f"rx.toast() message is {len(message)} characters; at most {MAX_MESSAGE}")
    if not isinstance(level, str) or level not in LEVELS:
        raise ValueError(f"rx.toast() level must be one of {', '.join(LEVELS)}; got {level!r}")
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, (int, float)):
            raise TypeError(
                f"rx.toast() duration is in milliseconds (a number) or None to stay until "
                f"closed; got {duration!r}"
            )
        if not math.isfinite(duration) or not 0 < duration <= MAX_DURATION:
            raise ValueError(
                f"rx.toast() duration must be more than 0 and at most {MAX_DURATION} ms "
                f"(None keeps the toast until it is closed); got {duration!r}"
            )
        duration = int(duration)
    return Toast(message, level, duration)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def clean_filename(name: str) -> str:
    """``name`` without path separators or characters file systems refuse."""
    cleaned = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    return cleaned[:200]


def _is_dataframe(data: Any) -> bool:
    # pandas is never imported here: a DataFrame can only exist once pandas was imported.
    pandas = sys.modules.get("pandas")
    frame = getattr(pandas, "DataFrame", None)
    return isinstance(frame, type) and isinstance(data, frame)


def download(data: Any, filename: str | None = None, mime: str | None = None) -> Download:
    """A file the browser downloads, once, from the view the event came from.

    ``data`` is bytes, a str (sent as UTF-8) or a pandas DataFrame (sent as CSV, without its
    index). ``filename`` is what the browser saves it as (path separators become ``_``); the
    mime type follows from its extension unless ``mime`` is given. At most 100 MB.
    """
    if _is_dataframe(data):
        payload = data.to_csv(index=False).encode("utf-8")
        default_name = "data.csv"
    elif isinstance(data, str):
        payload = data.encode("utf-8")
        default_name = "download.txt"
    elif isinstance(data, (bytes, bytearray, memoryview)):
        payload = bytes(data)
        default_name = "download.bin"
    else:
        raise TypeError(
            f"rx.download() takes data as bytes, a str or a pandas DataFrame, got "
            f"{type(data).__name__}; convert it first (e.g. json.dumps(value) for JSON)"
        )
    if len(payload) > MAX_DOWNLOAD:
        raise ValueError(
            f"rx.download() data is {len(payload) / 1e6:.1f} MB; at most "
            f"{MAX_DOWNLOAD // (1024 * 1024)} MB can be sent to the browser. Write a large file "
            "to disk and link to it instead."
        )
    if filename is None:
        filename = default_name
    if not isinstance(filename, str):
        raise TypeError(f"rx.download() filename must be a str, got {type(filename).__name__}")
    name = clean_filename(filename)
    if not name:
        raise ValueError(
            f"rx.download() filename {filename!r} has no usable characters; give a name such "
            "as 'report.csv'"
        )
    if mime is None:
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if isinstance(data, str) and mime.startswith("text/"):
            mime += ";charset=utf-8"
    elif not isinstance(mime, str) or not re.fullmatch(r"[\w.+-]+/[\w.+-]+(;[ \w=.+-]*)?", mime):
        raise ValueError(f"rx.download() mime must be a type such as 'text/csv', got {mime!r}")
    return Download(payload, name, mime)


# -- sending --------------------------------------------------------------------------------

Sender = Callable[["Core", Notice, "str | None"], None]
_sender: list[Sender] = []


def set_sender(fn: Sender) -> None:
    """The wire layer's function that sends a notice to a state's views."""
    _sender[:] = [fn]


def send(core: Core, notice: Notice, view: str | None) -> None:
    """Send a committed step's notice; a state that was never shown has no views to show it."""
    for fn in _sender:
        fn(core, notice, view)
