"""Var values as JSON: what the browser receives, and copies of what it holds.

JSON has no infinities and no NaN, so a non-finite float travels as a tagged object, anywhere a
number may appear: ``{"$nbf": "inf"}``, ``{"$nbf": "-inf"}`` or ``{"$nbf": "nan"}``. The key
``$nbf`` is reserved: a dict var that uses it cannot be sent.

>>> to_json([1.5, float("inf")], where="v")
[1.5, {'$nbf': 'inf'}]
>>> from_wire({"$nbf": "-inf"})
-inf
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import enum
import json
import math
from typing import Any

FLOAT_TAG = "$nbf"
_ENCODED = {math.inf: "inf", -math.inf: "-inf"}
_DECODED = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def encode_float(value: float) -> Any:
    """``value`` itself when finite, else its tagged form."""
    if value - value == 0.0:  # finite: inf - inf and nan - nan are nan
        return value
    return {FLOAT_TAG: "nan" if value != value else _ENCODED[value]}


def check_text(text: str, where: str) -> str:
    """``text`` itself, or TypeError if it cannot travel: a lone surrogate is no UTF-8."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise TypeError(
                f"{where}: the text has a lone surrogate ({exc.object[exc.start : exc.end]!r} "
                f"at index {exc.start}), which cannot be sent to the browser; text must be "
                "valid Unicode"
            ) from None
    return text


def wire_size(data: Any) -> int:
    """The UTF-8 size of ``data`` as strict JSON; ValueError if it is not strict JSON text
    (NaN, infinities, lone surrogates) and TypeError if it is not JSON data at all."""
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError("it has text with a lone surrogate, which is not valid Unicode") from None


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
    if cls is str:
        return check_text(value, where)
    if cls is int or cls is bool or value is None:
        return value
    if cls is float:
        return value if value - value == 0.0 else encode_float(value)
    if isinstance(value, (list, tuple, collections.deque)):
        return [to_json(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(
                    f"{where}: dict key {k!r} cannot be sent to the browser; use str keys"
                )
            key = check_text(k, where) if isinstance(k, str) else str(k)
            if key == FLOAT_TAG:
                raise TypeError(
                    f"{where}: the dict key {FLOAT_TAG!r} is reserved by nbstate's wire format; "
                    "rename the key, or keep the value in a backend var (leading underscore)"
                )
            out[key] = to_json(v, where=f"{where}[{k!r}]")
        return out
    if isinstance(value, (set, frozenset)):
        items = [to_json(v, where=f"{where} item") for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, enum.Enum):
        return to_json(value.value, where=where)
    if isinstance(value, str):
        return check_text(str(value), where)
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return encode_float(float(value))
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


def encode_floats(value: Any) -> Any:
    """``value`` with every non-finite float in it (lists, tuples, dicts) in its tagged form."""
    if type(value) is float:
        return encode_float(value)
    if isinstance(value, (list, tuple)):
        return [encode_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: encode_floats(v) for k, v in value.items()}
    return value


def from_wire(value: Any) -> Any:
    """JSON from the browser with tagged non-finite floats turned back into floats."""
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and FLOAT_TAG in value:
            tag = value[FLOAT_TAG]
            if isinstance(tag, str) and tag in _DECODED:
                return _DECODED[tag]
        return {k: from_wire(v) for k, v in value.items()}
    return value
