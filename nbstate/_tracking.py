"""In-place mutation tracking for list, dict, set and dataclass values held by a state.

A var's value is wrapped when it is stored: lists, dicts and sets become subclasses that report
each mutation to the owning state, and dataclass instances get a tracking subclass. Nested values
are wrapped too, all pointing at the same root var, so ``self.rows[3]["done"] = True`` marks
``rows`` as changed. Every mutation records how to undo itself (so a failed block rolls back) and
the patch op that describes it (so the browser receives the change, not the whole value).

>>> class Demo:  # stands in for a state runtime
...     def _begin_write(self, name): return None
>>> items = wrap([1, [2]], (Demo(), "items"))
>>> type(items).__name__, type(items[1]).__name__
('TrackedList', 'TrackedList')
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, Protocol, SupportsIndex

from ._json import to_json

Undo = tuple[Callable[..., Any], tuple[Any, ...]]

ROOT = "root"
"""``_nb_parent`` of a var's top-level value. Nested values hold ``(parent, key)``; values
taken out of the tree hold None."""
FULL = "full"
"""In a transaction's ops: this var changed in a way that is sent whole, not as patch ops."""
MAX_OPS = 64


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


def _path_of(obj: Any, owner: OwnerRef) -> list[Any] | None:
    """The JSON path from the var's root value to ``obj``, or None when it cannot be told."""
    path: list[Any] = []
    cur = obj
    for _ in range(64):
        link = getattr(cur, "_nb_parent", None)
        if link is ROOT:
            state = getattr(owner[0], "state", None)
            if state is None or state.__dict__.get(owner[1]) is not cur:
                return None
            path.reverse()
            return path
        if link is None:
            return None
        parent, key = link
        if isinstance(parent, list):
            hits = [i for i, v in enumerate(parent) if v is cur]
            if len(hits) != 1:
                return None
            path.append(hits[0])
        elif isinstance(parent, dict):
            if dict.get(parent, key, None) is not cur:
                return None
            path.append(key if isinstance(key, str) else str(key))
        else:
            if parent.__dict__.get(key) is not cur:
                return None
            path.append(key)
        cur = parent
    return None


def _op(
    token: Any,
    owner: OwnerRef | None,
    container: Any,
    op: str,
    key: Any = None,
    value: Any = None,
    has_value: bool = True,
) -> None:
    """Record the patch op of a mutation, so the browser gets the change, not the whole var."""
    if token is None or owner is None:
        return
    ops = token.ops
    name = owner[1]
    current = ops.get(name)
    if current is FULL:
        return
    path = _path_of(container, owner)
    if path is None or (current is not None and len(current) >= MAX_OPS):
        ops[name] = FULL
        return
    if key is not None:
        path.append(key if isinstance(key, (int, str)) else str(key))
    entry: dict[str, Any] = {"op": op, "path": path}
    if has_value:
        entry["value"] = to_json(value, where=f"{name} item")
    if current is None:
        ops[name] = [entry]
    else:
        current.append(entry)


def _set_parent(value: Any, link: Any) -> None:
    if type(value) in _TRACKED or hasattr(type(value), "_nb_tracked_base"):
        object.__setattr__(value, "_nb_parent", link)


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

    __slots__ = ("_nb_owner", "_nb_parent")
    _nb_owner: OwnerRef | None
    _nb_parent: Any

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in self]

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (list, (list(self),))

    def _child(self, value: Any, owner: OwnerRef | None) -> Any:
        return wrap(value, owner, (self, None))

    def _whole(self, op: Callable[..., Any], *args: Any) -> Any:
        """A mutation sent as the whole list (sort, slice assignment, remove...)."""
        token, owner = _begin(self)
        _log(token, _restore_list, self, list(self))
        result = op(self, *args)
        if owner is not None:
            list.__setitem__(self, slice(None), [self._child(v, owner) for v in self])
        _replace_op(token, owner, self)
        _end(token, owner)
        return result

    def append(self, value: Any) -> None:
        token, owner = _begin(self)
        value = self._child(value, owner)
        list.append(self, value)
        _log(token, list.pop, self)
        _op(token, owner, self, "append", value=value)
        _end(token, owner)

    def insert(self, index: SupportsIndex, value: Any) -> None:
        token, owner = _begin(self)
        n = len(self)
        i = index.__index__()
        pos = max(0, min(n, i if i >= 0 else n + i))
        value = self._child(value, owner)
        list.insert(self, pos, value)
        _log(token, list.__delitem__, self, pos)
        _op(token, owner, self, "insert", pos, value)
        _end(token, owner)

    def extend(self, values: Iterable[Any]) -> None:
        token, owner = _begin(self)
        n = len(self)
        items = [self._child(v, owner) for v in values]
        list.extend(self, items)
        _log(token, list.__delitem__, self, slice(n, None))
        if len(items) <= 8:
            for v in items:
                _op(token, owner, self, "append", value=v)
        else:
            _replace_op(token, owner, self)
        _end(token, owner)

    def pop(self, index: SupportsIndex = -1) -> Any:
        i = index.__index__()
        pos = i if i >= 0 else len(self) + i
        if not 0 <= pos < len(self):
            raise IndexError("pop index out of range" if self else "pop from empty list")
        token, owner = _begin(self)
        _op(token, owner, self, "delete", pos, has_value=False)
        value = list.pop(self, i)
        _log(token, list.insert, self, pos, value)
        _set_parent(value, None)
        _end(token, owner)
        return value

    def remove(self, value: Any) -> None:
        self.pop(self.index(value))

    def clear(self) -> None:
        self._whole(list.clear)

    def sort(self, *, key: Any = None, reverse: bool = False) -> None:
        self._whole(lambda s: list.sort(s, key=key, reverse=reverse))

    def reverse(self) -> None:
        self._whole(list.reverse)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            self._whole(list.__setitem__, index, value)
            return
        token, owner = _begin(self)
        i = index.__index__()
        pos = i if i >= 0 else len(self) + i
        old = list.__getitem__(self, i)
        value = self._child(value, owner)
        list.__setitem__(self, i, value)
        _log(token, list.__setitem__, self, i, old)
        if old is not value:
            _set_parent(old, None)
        _op(token, owner, self, "set", pos, value)
        _end(token, owner)

    def __delitem__(self, index: Any) -> None:
        if isinstance(index, slice):
            self._whole(list.__delitem__, index)
            return
        self.pop(index)

    def __iadd__(self, values: Iterable[Any]) -> TrackedList:  # type: ignore[override,misc]
        self.extend(values)
        return self

    def __imul__(self, n: SupportsIndex) -> TrackedList:  # type: ignore[override,misc]
        self._whole(list.__imul__, n)
        return self


class TrackedDict(dict[Any, Any]):
    """A dict whose mutations are changes of the var that holds it."""

    __slots__ = ("_nb_owner", "_nb_parent")
    _nb_owner: OwnerRef | None
    _nb_parent: Any

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return {copy.deepcopy(k, memo): copy.deepcopy(v, memo) for k, v in self.items()}

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (dict, (dict(self),))

    def _whole(self, op: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        token, owner = _begin(self)
        _log(token, _restore_dict, self, dict(self))
        result = op(self, *args, **kwargs)
        if owner is not None:
            for k, v in dict.items(self):
                dict.__setitem__(self, k, wrap(v, owner, (self, k)))
        _replace_op(token, owner, self)
        _end(token, owner)
        return result

    def __setitem__(self, key: Any, value: Any) -> None:
        token, owner = _begin(self)
        if dict.__contains__(self, key):
            old = dict.__getitem__(self, key)
            _log(token, dict.__setitem__, self, key, old)
        else:
            old = None
            _log(token, dict.pop, self, key, None)
        value = wrap(value, owner, (self, key))
        dict.__setitem__(self, key, value)
        if old is not None and old is not value:
            _set_parent(old, None)
        _op(token, owner, self, "set", key, value)
        _end(token, owner)

    def __delitem__(self, key: Any) -> None:
        token, owner = _begin(self)
        old = dict.__getitem__(self, key)
        _op(token, owner, self, "delete", key, has_value=False)
        dict.__delitem__(self, key)
        _log(token, dict.__setitem__, self, key, old)
        _set_parent(old, None)
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
        if not self:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self))
        return key, self.pop(key)

    def clear(self) -> None:
        self._whole(dict.clear)

    def update(self, *args: Any, **kwargs: Any) -> None:
        items = dict(*args, **kwargs)
        if len(items) <= 8:
            for k, v in items.items():
                self[k] = v
        else:
            self._whole(dict.update, items)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        self[key] = default
        return dict.__getitem__(self, key)

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[override,misc]
        self.update(other)
        return self


class TrackedSet(set[Any]):
    """A set whose mutations are changes of the var that holds it (sent whole: a sorted list)."""

    __slots__ = ("_nb_owner", "_nb_parent")
    _nb_owner: OwnerRef | None
    _nb_parent: Any

    def __copy__(self) -> set[Any]:
        return set(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> set[Any]:
        return {copy.deepcopy(v, memo) for v in self}

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (set, (set(self),))

    def _whole(self, op: Callable[..., Any], *args: Any) -> Any:
        token, owner = _begin(self)
        _log(token, _restore_set, self, set(self))
        result = op(self, *args)
        _replace_op(token, owner, self)
        _end(token, owner)
        return result

    def add(self, value: Any) -> None:
        if value not in self:
            self._whole(set.add, value)

    def discard(self, value: Any) -> None:
        if value in self:
            self._whole(set.discard, value)

    def remove(self, value: Any) -> None:
        if value not in self:
            raise KeyError(value)
        self._whole(set.remove, value)

    def pop(self) -> Any:
        return self._whole(set.pop)

    def clear(self) -> None:
        self._whole(set.clear)

    def update(self, *others: Iterable[Any]) -> None:
        self._whole(set.update, *others)

    def difference_update(self, *others: Iterable[Any]) -> None:
        self._whole(set.difference_update, *others)

    def intersection_update(self, *others: Iterable[Any]) -> None:
        self._whole(set.intersection_update, *others)

    def symmetric_difference_update(self, other: Iterable[Any]) -> None:
        self._whole(set.symmetric_difference_update, other)

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


_TRACKED = (TrackedList, TrackedDict, TrackedSet)


def _replace_op(token: Any, owner: OwnerRef | None, container: Any) -> None:
    _op(token, owner, container, "replace", value=container)


_DC_CLASSES: dict[type, type] = {}


def _dc_setattr(self: Any, name: str, value: Any) -> None:
    if name.startswith("_nb_"):
        object.__setattr__(self, name, value)
        return
    token, owner = _begin(self)
    missing = name not in self.__dict__
    old = self.__dict__.get(name)
    value = wrap(value, owner, (self, name))
    object.__setattr__(self, name, value)
    if missing:
        _log(token, object.__delattr__, self, name)
    else:
        _log(token, object.__setattr__, self, name, old)
        if old is not value:
            _set_parent(old, None)
    _op(token, owner, self, "set", name, value)
    _end(token, owner)


def _dc_delattr(self: Any, name: str) -> None:
    token, owner = _begin(self)
    old = self.__dict__[name]
    object.__delattr__(self, name)
    _log(token, object.__setattr__, self, name, old)
    _replace_op(token, owner, self)
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


def wrap(value: Any, owner: OwnerRef | None, link: Any = ROOT) -> Any:
    """Return ``value`` with every list, dict, set and dataclass in it tracked for ``owner``.

    ``link`` is where the value sits: ``ROOT`` for a var's own value, ``(parent, key)`` inside a
    container. A container already in the tree (of this var or another) is copied, so one object
    never sits in two places and every mutation has exactly one path.
    """
    if owner is None:
        return value
    cls = type(value)
    if cls is int or cls is str or cls is float or cls is bool or value is None:
        return value
    if cls in _TRACKED:
        if value._nb_owner == owner and value._nb_parent is None:
            value._nb_parent = link  # re-inserting a value taken out of this var
            return value
        value = cls.__copy__(value)
        cls = type(value)
    if isinstance(value, list):
        out_l = TrackedList()
        out_l._nb_owner = owner
        out_l._nb_parent = link
        list.extend(out_l, [wrap(v, owner, (out_l, None)) for v in value])
        return out_l
    if isinstance(value, dict):
        out_d = TrackedDict()
        out_d._nb_owner = owner
        out_d._nb_parent = link
        for k, v in value.items():
            dict.__setitem__(out_d, k, wrap(v, owner, (out_d, k)))
        return out_d
    if isinstance(value, (set, frozenset)) and cls is not frozenset:
        out_s = TrackedSet(value)
        out_s._nb_owner = owner
        out_s._nb_parent = link
        return out_s
    if isinstance(value, tuple) and cls is tuple:
        return tuple(wrap(v, owner, None) for v in value)
    if _trackable_dataclass(value):
        current = getattr(value, "_nb_owner", None)
        if current is not None and not (current == owner and value._nb_parent is None):
            value = dataclasses.replace(value)
        base = getattr(type(value), "_nb_tracked_base", type(value))
        object.__setattr__(value, "__class__", _tracked_dataclass_type(base))
        object.__setattr__(value, "_nb_owner", owner)
        object.__setattr__(value, "_nb_parent", link)
        for f in dataclasses.fields(value):
            if f.name in value.__dict__:
                object.__setattr__(
                    value, f.name, wrap(value.__dict__[f.name], owner, (value, f.name))
                )
        return value
    return value
