"""In-place mutation tracking for list, dict, set and dataclass values held by a state.

A var's value is wrapped when it is stored: lists, dicts and sets become subclasses that report
each mutation to the owning state, and dataclass instances get a tracking subclass. Nested values
are wrapped too, all pointing at the same root var, so ``self.rows[3]["done"] = True`` marks
``rows`` as changed. Every mutation records how to undo itself, so a failed block rolls back.

>>> class Demo:  # stands in for a state runtime
...     def _begin_write(self, name): return None
>>> items = wrap([1, [2]], (Demo(), "items"))
>>> type(items).__name__, type(items[1]).__name__
('TrackedList', 'TrackedList')
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import math
from collections.abc import Callable, Iterable
from typing import Any, Protocol, SupportsIndex

Undo = tuple[Callable[..., Any], tuple[Any, ...]]


class WriteLog(Protocol):
    """The part of a transaction that a mutation writes to."""

    undo: list[Undo]


class Owner(Protocol):
    """The part of a state runtime that tracked values talk to."""

    def _begin_write(self, name: str) -> Any: ...

    def _end_write(self, token: Any, name: str) -> None: ...


OwnerRef = tuple[Owner, str]


def _begin(obj: Any) -> tuple[Any, OwnerRef | None]:
    owner: OwnerRef | None = getattr(obj, "_nb_owner", None)
    if owner is None:
        return None, None
    return owner[0]._begin_write(owner[1]), owner


def _end(token: Any, owner: OwnerRef | None) -> None:
    if owner is not None:
        owner[0]._end_write(token, owner[1])


def _log(token: Any, fn: Callable[..., Any], *args: Any) -> None:
    if token is not None:
        token.undo.append((fn, args))


def _restore_list(target: list[Any], snapshot: list[Any]) -> None:
    list.__setitem__(target, slice(None), snapshot)


def _restore_dict(target: dict[Any, Any], snapshot: dict[Any, Any]) -> None:
    dict.clear(target)
    dict.update(target, snapshot)


def _restore_set(target: set[Any], snapshot: set[Any]) -> None:
    set.clear(target)
    set.update(target, snapshot)


class TrackedList(list[Any]):
    """A list whose mutations are changes of the var that holds it."""

    __slots__ = ("_nb_owner",)
    _nb_owner: OwnerRef | None

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        import copy

        return [copy.deepcopy(v, memo) for v in self]

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (list, (list(self),))

    def _snapshot_op(self, op: Callable[..., Any], *args: Any) -> Any:
        token, owner = _begin(self)
        _log(token, _restore_list, self, list(self))
        result = op(self, *args)
        if owner is not None:
            list.__setitem__(self, slice(None), [wrap(v, owner) for v in self])
        _end(token, owner)
        return result

    def append(self, value: Any) -> None:
        token, owner = _begin(self)
        list.append(self, wrap(value, owner))
        _log(token, list.pop, self)
        _end(token, owner)

    def insert(self, index: SupportsIndex, value: Any) -> None:
        self._snapshot_op(list.insert, index, value)

    def extend(self, values: Iterable[Any]) -> None:
        token, owner = _begin(self)
        n = len(self)
        list.extend(self, [wrap(v, owner) for v in values])
        _log(token, list.__delitem__, self, slice(n, None))
        _end(token, owner)

    def pop(self, index: SupportsIndex = -1) -> Any:
        token, owner = _begin(self)
        i = index.__index__()
        pos = i if i >= 0 else len(self) + i
        value = list.pop(self, i)
        _log(token, list.insert, self, pos, value)
        _end(token, owner)
        return value

    def remove(self, value: Any) -> None:
        self._snapshot_op(list.remove, value)

    def clear(self) -> None:
        self._snapshot_op(list.clear)

    def sort(self, *, key: Any = None, reverse: bool = False) -> None:
        self._snapshot_op(lambda s: list.sort(s, key=key, reverse=reverse))

    def reverse(self) -> None:
        self._snapshot_op(list.reverse)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            self._snapshot_op(list.__setitem__, index, value)
            return
        token, owner = _begin(self)
        old = list.__getitem__(self, index)
        list.__setitem__(self, index, wrap(value, owner))
        _log(token, list.__setitem__, self, index, old)
        _end(token, owner)

    def __delitem__(self, index: Any) -> None:
        self._snapshot_op(list.__delitem__, index)

    def __iadd__(self, values: Iterable[Any]) -> TrackedList:  # type: ignore[override,misc]
        self.extend(values)
        return self

    def __imul__(self, n: SupportsIndex) -> TrackedList:  # type: ignore[override,misc]
        self._snapshot_op(list.__imul__, n)
        return self


class TrackedDict(dict[Any, Any]):
    """A dict whose mutations are changes of the var that holds it."""

    __slots__ = ("_nb_owner",)
    _nb_owner: OwnerRef | None

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        import copy

        return {copy.deepcopy(k, memo): copy.deepcopy(v, memo) for k, v in self.items()}

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (dict, (dict(self),))

    def _snapshot_op(self, op: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        token, owner = _begin(self)
        _log(token, _restore_dict, self, dict(self))
        result = op(self, *args, **kwargs)
        if owner is not None:
            for k, v in dict.items(self):
                dict.__setitem__(self, k, wrap(v, owner))
        _end(token, owner)
        return result

    def __setitem__(self, key: Any, value: Any) -> None:
        token, owner = _begin(self)
        if dict.__contains__(self, key):
            _log(token, dict.__setitem__, self, key, dict.__getitem__(self, key))
        else:
            _log(token, dict.pop, self, key, None)
        dict.__setitem__(self, key, wrap(value, owner))
        _end(token, owner)

    def __delitem__(self, key: Any) -> None:
        token, owner = _begin(self)
        old = dict.__getitem__(self, key)
        dict.__delitem__(self, key)
        _log(token, dict.__setitem__, self, key, old)
        _end(token, owner)

    def pop(self, key: Any, *default: Any) -> Any:
        if not dict.__contains__(self, key):
            if default:
                return default[0]
            raise KeyError(key)
        value = dict.__getitem__(self, key)
        del self[key]
        return value

    def popitem(self) -> tuple[Any, Any]:
        return self._snapshot_op(dict.popitem)  # type: ignore[no-any-return]

    def clear(self) -> None:
        self._snapshot_op(dict.clear)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._snapshot_op(dict.update, *args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        self[key] = default
        return dict.__getitem__(self, key)

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[override,misc]
        self.update(other)
        return self


class TrackedSet(set[Any]):
    """A set whose mutations are changes of the var that holds it."""

    __slots__ = ("_nb_owner",)
    _nb_owner: OwnerRef | None

    def __copy__(self) -> set[Any]:
        return set(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> set[Any]:
        import copy

        return {copy.deepcopy(v, memo) for v in self}

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (set, (set(self),))

    def _snapshot_op(self, op: Callable[..., Any], *args: Any) -> Any:
        token, owner = _begin(self)
        _log(token, _restore_set, self, set(self))
        result = op(self, *args)
        _end(token, owner)
        return result

    def add(self, value: Any) -> None:
        if value not in self:
            self._snapshot_op(set.add, value)

    def discard(self, value: Any) -> None:
        if value in self:
            self._snapshot_op(set.discard, value)

    def remove(self, value: Any) -> None:
        if value not in self:
            raise KeyError(value)
        self._snapshot_op(set.remove, value)

    def pop(self) -> Any:
        return self._snapshot_op(set.pop)

    def clear(self) -> None:
        self._snapshot_op(set.clear)

    def update(self, *others: Iterable[Any]) -> None:
        self._snapshot_op(set.update, *others)

    def difference_update(self, *others: Iterable[Any]) -> None:
        self._snapshot_op(set.difference_update, *others)

    def intersection_update(self, *others: Iterable[Any]) -> None:
        self._snapshot_op(set.intersection_update, *others)

    def symmetric_difference_update(self, other: Iterable[Any]) -> None:
        self._snapshot_op(set.symmetric_difference_update, other)

    def __ior__(self, other: Any) -> TrackedSet:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __iand__(self, other: Any) -> TrackedSet:  # type: ignore[override,misc]
        self.intersection_update(other)
        return self

    def __isub__(self, other: Any) -> TrackedSet:  # type: ignore[override,misc]
        self.difference_update(other)
        return self

    def __ixor__(self, other: Any) -> TrackedSet:  # type: ignore[override,misc]
        self.symmetric_difference_update(other)
        return self


_DC_CLASSES: dict[type, type] = {}


def _dc_setattr(self: Any, name: str, value: Any) -> None:
    if name.startswith("_nb_"):
        object.__setattr__(self, name, value)
        return
    token, owner = _begin(self)
    missing = name not in self.__dict__
    old = self.__dict__.get(name)
    object.__setattr__(self, name, wrap(value, owner))
    if missing:
        _log(token, object.__delattr__, self, name)
    else:
        _log(token, object.__setattr__, self, name, old)
    _end(token, owner)


def _dc_delattr(self: Any, name: str) -> None:
    token, owner = _begin(self)
    old = self.__dict__[name]
    object.__delattr__(self, name)
    _log(token, object.__setattr__, self, name, old)
    _end(token, owner)


def _tracked_dataclass_type(cls: type) -> type:
    sub = _DC_CLASSES.get(cls)
    if sub is None:
        base_eq = cls.__eq__

        def __eq__(self: Any, other: Any) -> Any:
            if isinstance(other, cls) and type(other) in (cls, sub):
                return all(
                    getattr(self, f.name) == getattr(other, f.name)
                    for f in dataclasses.fields(cls)
                    if f.compare
                )
            return base_eq(self, other)  # type: ignore[call-arg]

        sub = type(
            cls.__name__,
            (cls,),
            {
                "__setattr__": _dc_setattr,
                "__delattr__": _dc_delattr,
                "__eq__": __eq__,
                "__hash__": cls.__hash__,
                "__qualname__": cls.__qualname__,
                "__module__": cls.__module__,
                "_nb_tracked_base": cls,
            },
        )
        _DC_CLASSES[cls] = sub
    return sub


def _trackable_dataclass(value: Any) -> bool:
    cls = type(value)
    params = getattr(cls, "__dataclass_params__", None)
    return (
        params is not None
        and not params.frozen
        and hasattr(value, "__dict__")
        and "__slots__" not in cls.__dict__
    )


def wrap(value: Any, owner: OwnerRef | None) -> Any:
    """Return ``value`` with every list, dict, set and dataclass in it tracked for ``owner``.

    A value already tracked for another var is copied, so two vars never share one container.
    """
    if owner is None:
        return value
    cls = type(value)
    if cls in (int, float, str, bool) or value is None:
        return value
    if cls is TrackedList or cls is TrackedDict or cls is TrackedSet:
        if value._nb_owner is owner or value._nb_owner == owner:
            return value
        value = cls.__copy__(value)
        cls = type(value)
    if isinstance(value, list):
        out_l = TrackedList(wrap(v, owner) for v in value)
        out_l._nb_owner = owner
        return out_l
    if isinstance(value, dict):
        out_d = TrackedDict({k: wrap(v, owner) for k, v in value.items()})
        out_d._nb_owner = owner
        return out_d
    if isinstance(value, (set, frozenset)) and cls is not frozenset:
        out_s = TrackedSet(value)
        out_s._nb_owner = owner
        return out_s
    if isinstance(value, tuple) and cls is tuple:
        return tuple(wrap(v, owner) for v in value)
    if _trackable_dataclass(value):
        current = getattr(value, "_nb_owner", None)
        if current is not None and current != owner:
            value = dataclasses.replace(value)
        base = getattr(type(value), "_nb_tracked_base", type(value))
        object.__setattr__(value, "__class__", _tracked_dataclass_type(base))
        object.__setattr__(value, "_nb_owner", owner)
        for f in dataclasses.fields(value):
            if f.name in value.__dict__:
                object.__setattr__(value, f.name, wrap(value.__dict__[f.name], owner))
        return value
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
