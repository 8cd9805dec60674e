"""Checking a value assigned to a var against the var's annotation.

An assignment is checked, not converted: ``s.counter = "seven"`` on an ``int`` var raises
:class:`~nbstate.VarTypeError`. Two conversions keep a var's type exact: an integer assigned to
a ``float`` var becomes a float, and a numeric type such as numpy's ``int64`` becomes ``int``.
Only setters (``set_counter("7")``) convert text; see :mod:`.coerce`.

>>> check = compile_check(float)
>>> check(2, "S.ratio")
2.0
>>> compile_check(list[int])(["x"], "S.items")
Traceback (most recent call last):
...
nbstate._base.errors.VarTypeError: S.items[0] = 'x': expected int, got str
"""

from __future__ import annotations

import collections
import collections.abc
import copy
import numbers
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union, get_args, get_origin

from .._base.errors import VarTypeError
from .coerce import type_name

Check = Callable[[Any, str], Any]
"""``check(value, what)``: the value to store (maybe converted), or raise VarTypeError."""

_SEQUENCES: tuple[type, ...] = (list, tuple, set, frozenset, collections.deque)


def _fail(value: Any, tp: Any, what: str) -> VarTypeError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return VarTypeError(f"{what} = {shown}: expected {type_name(tp)}, got {type(value).__name__}")


def _exact(tp: type) -> Check:
    def check(value: Any, what: str) -> Any:
        if isinstance(value, tp):
            return value
        raise _fail(value, tp, what)

    return check


def _check_int(value: Any, what: str) -> Any:
    if type(value) is int:
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise _fail(value, int, what)


def _check_float(value: Any, what: str) -> Any:
    if type(value) is float:
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    raise _fail(value, float, what)


def _check_bool(value: Any, what: str) -> Any:
    if isinstance(value, bool):
        return value
    raise _fail(value, bool, what)


def _check_none(value: Any, what: str) -> Any:
    if value is None:
        return None
    raise _fail(value, None, what)


def _union(tp: Any, members: list[Check]) -> Check:
    def check(value: Any, what: str) -> Any:
        for m in members:
            try:
                return m(value, what)
            except VarTypeError:
                continue
        raise _fail(value, tp, what)

    return check


def _literal(tp: Any) -> Check:
    choices = get_args(tp)

    def check(value: Any, what: str) -> Any:
        for c in choices:
            if value == c and type(value) is type(c):
                return c
        raise VarTypeError(f"{what} = {value!r}: expected one of {list(choices)!r}")

    return check


def _sequence(tp: Any, origin: Any, item: Check | None) -> Check:
    def check(value: Any, what: str) -> Any:
        if not isinstance(value, origin):
            raise _fail(value, tp, what)
        if item is None:
            return value
        items = [item(v, f"{what}[{i}]") for i, v in enumerate(value)]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, collections.deque):
            return collections.deque(items, value.maxlen)
        if type(value) in _SEQUENCES:
            return type(value)(items)
        return value  # an unusual collection: its items were checked, and it is kept as is

    return check


def _tuple(tp: Any, members: list[Check | None]) -> Check:
    def check(value: Any, what: str) -> Any:
        if not isinstance(value, tuple) or len(value) != len(members):
            raise _fail(value, tp, what)
        pairs = enumerate(zip(members, value, strict=True))
        items = [m(v, f"{what}[{i}]") if m else v for i, (m, v) in pairs]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else tuple(items)

    return check


def _mapping(tp: Any, origin: Any, key: Check | None, val: Check | None) -> Check:
    def check(value: Any, what: str) -> Any:
        if not isinstance(value, origin):
            raise _fail(value, tp, what)
        if key is None and val is None:
            return value
        changed: dict[Any, Any] = {}
        for k, v in value.items():
            if key is not None:
                key(k, f"{what} key")
            if val is not None:
                checked = val(v, f"{what}[{k!r}]")
                if checked is not v:
                    changed[k] = checked
        if not changed:
            return value
        out = copy.copy(value)
        for k, v in changed.items():
            out[k] = v
        return out

    return check


def compile_check(tp: Any) -> Check | None:
    """The check for annotation ``tp``, or None when any value is fine (``Any``, TypeVars...)."""
    if tp is Any or tp is object or isinstance(tp, (typing.TypeVar, str, typing.ForwardRef)):
        return None
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is typing.Annotated:
        return compile_check(args[0])
    if origin in (Union, types.UnionType):
        members = [compile_check(a) for a in args]
        if any(m is None for m in members):
            return None
        return _union(tp, [m for m in members if m is not None])
    if origin is Literal:
        return _literal(tp)
    if tp is None or tp is type(None):
        return _check_none
    if hasattr(tp, "__supertype__"):  # typing.NewType
        return compile_check(tp.__supertype__)
    if tp is bool:
        return _check_bool
    if tp is int:
        return _check_int
    if tp is float:
        return _check_float
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        return _tuple(tp, [compile_check(a) for a in args])
    if typing.is_typeddict(tp):
        return _mapping(tp, dict, None, None)
    base = origin if isinstance(origin, type) else tp
    if not isinstance(base, type) or getattr(base, "_is_protocol", False):
        return None  # Callable[...], Protocols and other forms that cannot be checked
    if issubclass(base, collections.abc.Mapping):
        if base is collections.Counter and args:
            return _mapping(tp, base, compile_check(args[0]), _check_int)
        if len(args) == 2:
            return _mapping(tp, base, compile_check(args[0]), compile_check(args[1]))
        return _mapping(tp, base, None, None)
    if issubclass(base, _SEQUENCES) or (
        origin is not None
        and issubclass(base, collections.abc.Collection)
        and not issubclass(base, (str, bytes, bytearray))
    ):
        return _sequence(tp, base, compile_check(args[0]) if args else None)
    return _exact(base)
