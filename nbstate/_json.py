"""Var values as JSON: what the browser receives, and copies of what it holds."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import math
from typing import Any


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data (lists, dicts and scalars)."""
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    return value


def to_json(value: Any, *, where: str) -> Any:
    """Convert a var's value to plain JSON data, or raise TypeError naming ``where``."""
    cls = type(value)
    if cls is int or cls is str or cls is bool or value is None:
        return value
    if cls is float:
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [to_json(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(
                    f"{where}: dict key {k!r} cannot be sent to the browser; use str keys"
                )
            out[k if isinstance(k, str) else str(k)] = to_json(v, where=f"{where}[{k!r}]")
        return out
    if isinstance(value, (set, frozenset)):
        items = [to_json(v, where=f"{where} item") for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, enum.Enum):
        return to_json(value.value, where=where)
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name), where=f"{where}.{f.name}")
            for f in dataclasses.fields(value)
        }
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    raise TypeError(
        f"{where}: a {cls.__name__} value cannot be sent to the browser; "
        "use JSON-like data (numbers, strings, lists, dicts, dataclasses) or a backend var "
        "(leading underscore) to keep it in the kernel"
    )
