"""The trait types of a state model, one per public and computed var, from its annotation.

``int`` is ``Int``, ``float`` is ``Float``, ``str`` is ``Unicode``, ``bool`` is ``Bool``, lists,
tuples, sets and deques (sent as lists) are ``List``, dicts and dataclasses (sent as objects) are
``Dict``, enums and literals are ``Enum`` over their JSON values, an optional is its inner type
with ``allow_none``, and anything else is ``Any``. A trait holds the var's JSON value, except a
``Float``, which holds the float itself (infinities included) and is sent tagged.

>>> type(trait_for(int | None)).__name__, trait_for(int | None).allow_none
('Int', True)
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

import traitlets

from .._values.jsondata import encode_float

_SEQUENCES = (list, tuple, set, frozenset, collections.deque)


def _float_json(value: Any, widget: Any) -> Any:
    return None if value is None else encode_float(float(value))


def _plain_trait(tp: Any, allow_none: bool) -> traitlets.TraitType[Any, Any]:
    opts: Any = {"allow_none": allow_none}
    origin = get_origin(tp) or tp
    if origin is typing.Annotated:
        return _plain_trait(get_args(tp)[0], allow_none)
    if origin is Literal:
        return traitlets.Enum(list(get_args(tp)), **opts)
    if tp is bool:
        return traitlets.Bool(**opts)
    if tp is int:
        return traitlets.Int(**opts)
    if tp is float:
        return traitlets.Float(**opts).tag(to_json=_float_json)
    if tp is str:
        return traitlets.Unicode(**opts)
    if isinstance(origin, type):
        if issubclass(origin, enum.Enum):
            values = [m.value for m in origin]
            return traitlets.Enum(values, **opts)
        if issubclass(origin, _SEQUENCES):
            return traitlets.List(**opts)
        if issubclass(origin, dict) or dataclasses.is_dataclass(origin):
            return traitlets.Dict(**opts)
    return traitlets.Any(allow_none=True)


def trait_for(annotation: Any) -> traitlets.TraitType[Any, Any]:
    """The trait type (not yet tagged for sync) for a var annotated ``annotation``."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        allow_none = len(members) < len(get_args(annotation))
        if len(members) == 1:
            return _plain_trait(members[0], allow_none)
        return traitlets.Any(allow_none=True)
    return _plain_trait(annotation, False)


def is_float_trait(trait: traitlets.TraitType[Any, Any]) -> bool:
    """True for traits that hold a real float (decoded from the wire's tagged form)."""
    return isinstance(trait, traitlets.Float)
