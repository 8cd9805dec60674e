"""Making failures visible: tracebacks of user code, records for tests, redacted UI entries."""

from __future__ import annotations

import datetime
import os
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
REDACTED = "«hidden»"


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


def secrets_of(values: Iterable[Any]) -> list[str]:
    """Text forms of backend values that must never reach the browser.

    Very short forms (``0``, ``True``, ``""``) cannot be told apart from ordinary text, so only
    forms of three characters or more are hidden.
    """
    out: set[str] = set()

    def add(v: Any, depth: int) -> None:
        if depth > 3:
            return
        if isinstance(v, (list, tuple, set, frozenset)):
            for item in list(v)[:200]:
                add(item, depth + 1)
        elif isinstance(v, dict):
            for k, item in list(v.items())[:200]:
                add(k, depth + 1)
                add(item, depth + 1)
        for form in (str(v), repr(v)):
            if len(form) >= 3:
                out.add(form)

    for value in values:
        try:
            add(value, 0)
        except Exception:  # a value whose str() fails cannot leak through str() either
            continue
    return sorted(out, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    """Replace every secret in ``text`` with a marker."""
    for s in secrets:
        if s in text:
            text = text.replace(s, REDACTED)
    return text


def print_traceback(text: str) -> None:
    """Write a traceback to stderr of the current context (under ipykernel: the owning cell)."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:  # stderr closed at shutdown: the record and the UI entry still exist
        pass
