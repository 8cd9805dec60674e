"""Convert frontend input to the type a var or handler argument declares.

>>> coerce("7", int, what="var 'counter'")
7
>>> coerce("7.5", float, what="var 'ratio'")
7.5
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import math
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from .._base.errors import CoercionError

_MAPPINGS = (dict, collections.defaultdict, collections.OrderedDict, collections.Counter)
_CONTAINERS = (list, tuple, set, frozenset, collections.deque, *_MAPPINGS)
_TRUE = frozenset({"true", "1", "yes", "on", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "off", "n", "f", ""})


def type_name(tp: Any) -> str:
    """A short, readable spelling of an annotation: ``int``, ``list[str]``, ``int | None``."""
    if tp is Any or tp is None:
        return "Any" if tp is Any else "None"
    if isinstance(tp, type) and not get_args(tp):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _fail(value: Any, tp: Any, what: str, why: str = "") -> CoercionError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    tail = f" ({why})" if why else ""
    return CoercionError(f"{what}: cannot use {shown} as {type_name(tp)}{tail}")


def coerce(value: Any, tp: Any, *, what: str) -> Any:
    """Return ``value`` converted to ``tp``, or raise CoercionError naming ``what``."""
    if tp is Any or tp is object or tp is typing.Any:
        return value
    origin = get_origin(tp)
    if origin is typing.Annotated:
        return coerce(value, get_args(tp)[0], what=what)
    if origin is Union or origin is types.UnionType:
        return _coerce_union(value, tp, what)
    if origin is Literal:
        for choice in get_args(tp):
            if value == choice and type(value) is type(choice):
                return choice
            if isinstance(value, str) and not isinstance(choice, str) and str(choice) == value:
                return choice
        raise _fail(value, tp, what, "not one of the allowed values")
    if tp is None or tp is type(None):
        if value is None:
            return None
        raise _fail(value, tp, what)
    if origin in _CONTAINERS or tp in _CONTAINERS:
        return _coerce_container(value, tp, origin or tp, what)
    if not isinstance(tp, type):
        return value  # TypeVars, protocols and other forms we cannot check
    if tp is bool:
        return _coerce_bool(value, tp, what)
    if tp is int:
        return _coerce_int(value, tp, what)
    if tp is float:
        return _coerce_float(value, tp, what)
    if tp is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise _fail(value, tp, what)
    if issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            try:
                return tp[value]
            except (KeyError, TypeError):
                raise _fail(value, tp, what) from None
    if dataclasses.is_dataclass(tp):
        return _coerce_dataclass(value, tp, what)
    if isinstance(value, tp):
        return value
    raise _fail(value, tp, what)


def _coerce_union(value: Any, tp: Any, what: str) -> Any:
    args = get_args(tp)
    if value is None and type(None) in args:
        return None
    exact = [a for a in args if isinstance(a, type) and type(value) is a]
    for arg in exact + [a for a in args if a not in exact and a is not type(None)]:
        try:
            return coerce(value, arg, what=what)
        except CoercionError:
            continue
    raise _fail(value, tp, what)


def _coerce_bool(value: Any, tp: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise _fail(value, tp, what, "use true/false, 1/0, yes/no or on/off")


def _coerce_int(value: Any, tp: Any, what: str) -> int:
    if isinstance(value, bool):
        raise _fail(value, tp, what, "a boolean is not a number here")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise _fail(value, tp, what, "not a whole number")
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            as_float = float(text)
        except ValueError:
            raise _fail(value, tp, what) from None
        if math.isfinite(as_float) and as_float.is_integer():
            return int(as_float)
        raise _fail(value, tp, what, "not a whole number")
    raise _fail(value, tp, what)


def _coerce_float(value: Any, tp: Any, what: str) -> float:
    if isinstance(value, bool):
        raise _fail(value, tp, what, "a boolean is not a number here")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            result = float(value.strip().replace("_", ""))
        except ValueError:
            raise _fail(value, tp, what) from None
        if math.isnan(result):
            raise _fail(value, tp, what, "NaN is not allowed")
        return result
    raise _fail(value, tp, what)


def _coerce_container(value: Any, tp: Any, origin: Any, what: str) -> Any:
    args = get_args(tp)
    if origin in _MAPPINGS:
        if not isinstance(value, dict):
            raise _fail(value, tp, what)
        kt, vt = args if len(args) == 2 else (args[0], int) if args else (Any, Any)
        items = [
            (coerce(k, kt, what=f"{what} key"), coerce(v, vt, what=f"{what}[{k!r}]"))
            for k, v in value.items()
        ]
        if origin is collections.defaultdict:
            # The annotation names the value type; its class makes the missing values.
            factory = get_origin(vt) or vt
            out: dict[Any, Any] = collections.defaultdict(
                factory if isinstance(factory, type) else None
            )
        else:
            out = origin()
        for k, v in items:
            out[k] = v
        return out
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise _fail(value, tp, what)
    items_l = list(value)
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        if len(args) != len(items_l):
            raise _fail(value, tp, what, f"expected {len(args)} items, got {len(items_l)}")
        return tuple(
            coerce(v, t, what=f"{what}[{i}]")
            for i, (t, v) in enumerate(zip(args, items_l, strict=True))
        )
    item_t = args[0] if args else Any
    converted = [coerce(v, item_t, what=f"{what}[{i}]") for i, v in enumerate(items_l)]
    if origin is list:
        return converted
    if origin is tuple:
        return tuple(converted)
    if origin is collections.deque:
        return collections.deque(converted)
    return set(converted) if origin is set else frozenset(converted)


def _coerce_dataclass(value: Any, tp: type, what: str) -> Any:
    if isinstance(value, tp):
        return value
    if not isinstance(value, dict):
        raise _fail(value, tp, what)
    hints = typing.get_type_hints(tp)
    names = {f.name for f in dataclasses.fields(tp)}
    unknown = set(value) - names
    if unknown:
        raise _fail(value, tp, what, f"unknown field(s) {sorted(unknown)}")
    kwargs = {k: coerce(v, hints.get(k, Any), what=f"{what}.{k}") for k, v in value.items()}
    try:
        return tp(**kwargs)
    except TypeError as exc:
        raise _fail(value, tp, what, str(exc)) from None
