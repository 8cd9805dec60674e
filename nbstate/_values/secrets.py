"""The text forms of backend values, which must never reach a browser (errors are redacted)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


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
            if len(form.strip()) >= 3:
                out.add(form)

    for value in values:
        try:
            add(value, 0)
        except Exception:  # a value whose str() fails cannot leak through str() either
            continue
    return sorted(out, key=len, reverse=True)
