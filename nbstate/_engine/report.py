"""Making failures visible: tracebacks of user code, records for tests, redacted UI entries.

An exception from a handler or a background task is recorded (``nbstate.errors()``), printed in
the cell that owns the view or task, and shown in every view of its state. Nothing is swallowed.
What a browser shows never carries a backend var's value: values are hidden as whole tokens,
case-insensitively, so ordinary words that contain a value are left alone. ``app.error_detail``
chooses how much a viewer sees at all.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from .._base.app import app
from .._core.changes import error_hooks
from .._core.core import Core, Part
from .._values.secrets import secrets_of

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDACTED = "«hidden»"
MAX_UI_ERRORS = 10
MAX_RECORDS = 100


@dataclass
class ErrorRecord:
    """One exception raised by a handler or background task, kept for tests to assert on."""

    state: str
    handler: str
    exception: BaseException
    traceback: str
    when: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))

    def __repr__(self) -> str:
        exc = self.exception
        return f"<error in {self.state}.{self.handler}: {type(exc).__name__}: {exc}>"


def _user_tb(tb: TracebackType | None) -> TracebackType | None:
    """Drop the leading frames that belong to nbstate itself, so the user's code shows first."""
    first = tb
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        tb = tb.tb_next
    return tb if tb is not None else first


def format_user_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` starting at the first frame outside nbstate."""
    return "".join(traceback.format_exception(type(exc), exc, _user_tb(exc.__traceback__)))


def _pattern(secret: str) -> str:
    # Whole tokens only: no word character may touch a secret's word-character ends.
    head = r"(?<!\w)" if re.match(r"\w", secret[0]) else ""
    tail = r"(?!\w)" if re.match(r"\w", secret[-1]) else ""
    return head + re.escape(secret) + tail


def redact(text: str, secrets: list[str]) -> str:
    """Replace every whole-token occurrence of a secret in ``text``, ignoring case."""
    if not secrets or not text:
        return text
    regex = re.compile("|".join(_pattern(s) for s in secrets), re.IGNORECASE)
    return regex.sub(REDACTED, text)


def print_traceback(text: str) -> None:
    """Write a traceback to stderr of the current context (under ipykernel: the owning cell)."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:  # stderr closed at shutdown: the record and the UI entry still exist
        pass


class ErrorLog(Part):
    """One state's errors: records for tests, and the entries every view shows."""

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self.records: list[ErrorRecord] = []
        self.entries: list[dict[str, Any]] = []
        self.seq = 0
        self.on_change: Callable[[list[dict[str, Any]]], None] | None = None

    def secrets(self) -> list[str]:
        """Text forms of the backend values (committed and uncommitted) to hide."""
        core = self.core
        d, old = core.state.__dict__, core.log.old
        names = core.schema.backend
        values = [*(d[n] for n in names), *(old[n] for n in names if n in old)]
        # and what rolled-back steps had written (an error often quotes the value it set)
        return sorted({*secrets_of(values), *core.discarded}, key=len, reverse=True)

    def report(self, exc: BaseException, handler: str, printed: bool = True) -> None:
        """Make an exception from user code visible: record, print, and show in every view."""
        label = self.core.label
        text = format_user_traceback(exc)
        record = ErrorRecord(label, handler, exc, text)
        self.records.append(record)
        del self.records[:-MAX_RECORDS]
        app.record(record)
        secrets = self.secrets()
        if printed:
            # The cell output is part of the page too: backend values are hidden there as well.
            header = f"nbstate: {label}.{handler} raised {type(exc).__name__}.\n"
            print_traceback(redact(header + text, secrets))
        self.show(handler, type(exc).__name__, str(exc), text, secrets)

    def show(
        self, handler: str, kind: str, message: str, tb: str, secrets: list[str] | None = None
    ) -> None:
        """Add an entry to the error area of every view (the oldest go past 10)."""
        if app.error_detail == "type":
            message, tb = "", ""
        elif secrets is None:
            secrets = self.secrets()
        self.seq += 1
        entry = {
            "id": self.seq,
            "handler": handler,
            "type": kind,
            "message": redact(message, secrets or []),
            "traceback": redact(tb, secrets or []),
        }
        self.entries.append(entry)
        del self.entries[:-MAX_UI_ERRORS]
        if self.on_change is not None:
            self.on_change(list(self.entries))

    def dismiss(self, entry_id: Any) -> None:
        """Remove one entry from every view."""
        before = len(self.entries)
        self.entries = [e for e in self.entries if e["id"] != entry_id]
        if len(self.entries) != before and self.on_change is not None:
            self.on_change(list(self.entries))


def report(core: Core, exc: BaseException, what: str, printed: bool = True) -> None:
    """Report ``exc`` as an error of ``core``'s state, raised by ``what``."""
    core.part(ErrorLog).report(exc, what, printed)


error_hooks.append(report)
