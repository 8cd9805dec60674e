"""Tracked values: the types a var's value takes while a state holds it.

Lists, deques, dicts (``OrderedDict``, ``defaultdict``, ``Counter`` and other dict subclasses
keep their type), sets and dataclass instances are copied into tracking subclasses when they are
stored, so every in-place change is a change of the var (see :mod:`.tracking`). A tracked value
behaves as its base type: ``isinstance``, ``repr``, ``==``, ``most_common`` or ``move_to_end``
all work, and copies and pickles of it are plain values of the base type.

>>> from collections import Counter
>>> class Demo:  # stands in for a state
...     def begin_mutation(self, name): return None
>>> counts = wrap(Counter("aab"), (Demo(), "counts", True))
>>> isinstance(counts, Counter), counts.most_common(1), type(counts.copy()) is Counter
(True, [('a', 2)], True)
"""

from __future__ import annotations

import collections
import copy
import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, SupportsIndex

from .tracking import (
    ROOT,
    Log,
    OwnerRef,
    add_op,
    begin,
    end,
    log_undo,
    mark_full,
    prepare_op,
    set_parent,
)

_SLOTS = ("_nb_owner", "_nb_parent")


def _relink(container: Any, items: Iterable[tuple[Any, Any]]) -> None:
    for key, value in items:
        set_parent(value, (container, key))


def _whole(self: Any, base_op: Callable[..., Any], restore: Callable[[Any, Any], None],
           snapshot: Callable[[Any], Any], *args: Any, **kwargs: Any) -> Any:
    """A mutation sent as the container's whole new value (sort, clear, update of many...)."""
    log, owner = begin(self)
    if log is None or owner is None:
        return base_op(self, *args, **kwargs)
    before = snapshot(self)
    object.__setattr__(self, "_nb_owner", None)  # the base op's own inner calls are not changes
    try:
        result = base_op(self, *args, **kwargs)
        _adopt_all(self, owner)
        entry = prepare_op(log, owner, self, "replace", value=self)
    except BaseException:
        restore(self, before)
        raise
    finally:
        object.__setattr__(self, "_nb_owner", owner)
    log_undo(log, restore, self, before)
    add_op(log, owner, entry)
    end(log, owner)
    return result


def _adopt_all(container: Any, owner: OwnerRef) -> None:
    """After a whole-value change: wrap new items, re-link kept ones (each object once)."""
    seen: set[int] = set()
    base = container._nb_base
    if isinstance(container, dict):
        items: Iterable[tuple[Any, Any]] = list(base.items(container))  # in its own order
    elif isinstance(container, (list, collections.deque)):
        items = list(enumerate(container))
    else:
        return
    for k, v in items:
        new = _adopt(container, v, owner, k, seen)
        if new is not v:
            base.__setitem__(container, k, new)


def _adopt(parent: Any, value: Any, owner: OwnerRef, key: Any, seen: set[int]) -> Any:
    link = getattr(value, "_nb_parent", None)
    if link is not None and link is not ROOT and link[0] is parent and id(value) not in seen:
        seen.add(id(value))
        object.__setattr__(value, "_nb_parent", (parent, key))
        return value
    wrapped = wrap(value, owner, (parent, key), force_copy=id(value) in seen)
    seen.add(id(wrapped))
    return wrapped


# -- lists and deques -----------------------------------------------------------------------


def _restore_seq(target: Any, items: list[Any]) -> None:
    base = target._nb_base
    base.clear(target)
    base.extend(target, items)
    _relink(target, enumerate(items))


def _undo_insert(target: Any, pos: int, value: Any) -> None:
    target._nb_base.insert(target, pos, value)
    set_parent(value, (target, pos))


def _undo_set(target: Any, key: Any, value: Any) -> None:
    target._nb_base.__setitem__(target, key, value)
    set_parent(value, (target, key))


def _undo_pop(target: Any, left: bool = False) -> None:
    base = target._nb_base
    base.popleft(target) if left else base.pop(target)


class TrackedList(list[Any]):
    """A list whose mutations are changes of the var that holds it."""

    __slots__ = _SLOTS
    _nb_base = list
    _nb_owner: OwnerRef | None
    _nb_parent: Any

    def __copy__(self) -> list[Any]:
        return list(self)

    def copy(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in self]

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (list, (list(self),))

    def _whole(self, op: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _whole(self, op, _restore_seq, list, *args, **kwargs)

    def append(self, value: Any) -> None:
        log, owner = begin(self)
        if log is None:
            return list.append(self, value)
        value = wrap(value, owner, (self, len(self)))
        entry = prepare_op(log, owner, self, "append", value=value)
        list.append(self, value)
        log_undo(log, list.pop, self)
        add_op(log, owner, entry)
        end(log, owner)
        return None

    def insert(self, index: SupportsIndex, value: Any) -> None:
        log, owner = begin(self)
        if log is None:
            return list.insert(self, index, value)
        n, i = len(self), index.__index__()
        pos = max(0, min(n, i if i >= 0 else n + i))
        value = wrap(value, owner, (self, pos))
        entry = prepare_op(log, owner, self, "insert", pos, value)
        list.insert(self, pos, value)
        log_undo(log, list.__delitem__, self, pos)
        add_op(log, owner, entry)
        end(log, owner)
        return None

    def extend(self, values: Iterable[Any]) -> None:
        items = list(values)
        if len(items) > 8:
            self._whole(list.extend, items)
            return
        log, owner = begin(self)
        if log is None:
            return list.extend(self, items)
        n = len(self)
        items = [wrap(v, owner, (self, n + i)) for i, v in enumerate(items)]
        entries = [prepare_op(log, owner, self, "append", value=v) for v in items]
        list.extend(self, items)
        log_undo(log, list.__delitem__, self, slice(n, None))
        for entry in entries:
            add_op(log, owner, entry)
        end(log, owner)
        return None

    def __iadd__(self, values: Iterable[Any]) -> TrackedList:  # type: ignore[override,misc]
        self.extend(values)
        return self

    def __imul__(self, n: SupportsIndex) -> TrackedList:  # type: ignore[override,misc]
        self._whole(list.__imul__, n)
        return self

    def pop(self, index: SupportsIndex = -1) -> Any:
        i = index.__index__()
        pos = i if i >= 0 else len(self) + i
        if not 0 <= pos < len(self):
            raise IndexError("pop index out of range" if self else "pop from empty list")
        log, owner = begin(self)
        if log is None:
            return list.pop(self, pos)
        entry = prepare_op(log, owner, self, "delete", pos)
        value = list.pop(self, pos)
        log_undo(log, _undo_insert, self, pos, value)
        set_parent(value, None)
        add_op(log, owner, entry)
        end(log, owner)
        return value

    def remove(self, value: Any) -> None:
        self.pop(self.index(value))

    def clear(self) -> None:
        self._whole(list.clear)

    def sort(self, *, key: Any = None, reverse: bool = False) -> None:
        self._whole(list.sort, key=key, reverse=reverse)

    def reverse(self) -> None:
        self._whole(list.reverse)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            self._whole(list.__setitem__, index, value)
            return
        log, owner = begin(self)
        if log is None:
            return list.__setitem__(self, index, value)
        i = index.__index__()
        pos = i if i >= 0 else len(self) + i
        old = list.__getitem__(self, i)
        value = wrap(value, owner, (self, pos))
        entry = prepare_op(log, owner, self, "set", pos, value)
        list.__setitem__(self, i, value)
        log_undo(log, _undo_set, self, pos, old)
        if old is not value:
            set_parent(old, None)
        add_op(log, owner, entry)
        end(log, owner)
        return None

    def __delitem__(self, index: Any) -> None:
        if isinstance(index, slice):
            self._whole(list.__delitem__, index)
            return
        self.pop(index)


class TrackedDeque(collections.deque[Any]):
    """A deque whose mutations are changes of the var that holds it (sent as a list)."""

    __slots__ = _SLOTS
    _nb_base = collections.deque
    _nb_owner: OwnerRef | None
    _nb_parent: Any

    def __copy__(self) -> Any:
        return collections.deque(self, self.maxlen)

    def copy(self) -> Any:
        return collections.deque(self, self.maxlen)

    def __deepcopy__(self, memo: dict[int, Any]) -> collections.deque[Any]:
        return collections.deque((copy.deepcopy(v, memo) for v in self), self.maxlen)

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (collections.deque, (list(self), self.maxlen))

    def _whole(self, op: Callable[..., Any], *args: Any) -> Any:
        return _whole(self, op, _restore_seq, list, *args)

    def _end_push(self, value: Any, left: bool) -> None:
        if self.maxlen is not None and len(self) >= self.maxlen:
            self._whole(collections.deque.appendleft if left else collections.deque.append, value)
            return
        log, owner = begin(self)
        if log is None:
            (collections.deque.appendleft if left else collections.deque.append)(self, value)
            return
        value = wrap(value, owner, (self, 0 if left else len(self)))
        if left:
            entry = prepare_op(log, owner, self, "insert", 0, value)
            collections.deque.appendleft(self, value)
        else:
            entry = prepare_op(log, owner, self, "append", value=value)
            collections.deque.append(self, value)
        log_undo(log, _undo_pop, self, left)
        add_op(log, owner, entry)
        end(log, owner)

    def append(self, value: Any) -> None:
        self._end_push(value, False)

    def appendleft(self, value: Any) -> None:
        self._end_push(value, True)

    def _end_pop(self, left: bool) -> Any:
        if not self:
            raise IndexError("pop from an empty deque")
        log, owner = begin(self)
        if log is None:
            return collections.deque.popleft(self) if left else collections.deque.pop(self)
        pos = 0 if left else len(self) - 1
        entry = prepare_op(log, owner, self, "delete", pos)
        if left:
            value = collections.deque.popleft(self)
            log_undo(log, _undo_push_left, self, value)
        else:
            value = collections.deque.pop(self)
            log_undo(log, _undo_push, self, value)
        set_parent(value, None)
        add_op(log, owner, entry)
        end(log, owner)
        return value

    def pop(self) -> Any:  # type: ignore[override]
        return self._end_pop(False)

    def popleft(self) -> Any:
        return self._end_pop(True)

    def extend(self, values: Iterable[Any]) -> None:
        self._whole(collections.deque.extend, list(values))

    def extendleft(self, values: Iterable[Any]) -> None:
        self._whole(collections.deque.extendleft, list(values))

    def insert(self, i: int, x: Any) -> None:
        self._whole(collections.deque.insert, i, x)

    def remove(self, value: Any) -> None:
        self._whole(collections.deque.remove, value)

    def rotate(self, n: int = 1) -> None:
        self._whole(collections.deque.rotate, n)

    def clear(self) -> None:
        self._whole(collections.deque.clear)

    def reverse(self) -> None:
        self._whole(collections.deque.reverse)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._whole(collections.deque.__setitem__, index, value)

    def __delitem__(self, index: Any) -> None:
        self._whole(collections.deque.__delitem__, index)

    def __iadd__(self, values: Iterable[Any]) -> TrackedDeque:  # type: ignore[override,misc]
        self.extend(values)
        return self

    def __imul__(self, n: int) -> TrackedDeque:  # type: ignore[override,misc]
        self._whole(collections.deque.__imul__, n)
        return self


def _undo_push(target: Any, value: Any) -> None:
    collections.deque.append(target, value)
    set_parent(value, (target, len(target) - 1))


def _undo_push_left(target: Any, value: Any) -> None:
    collections.deque.appendleft(target, value)
    set_parent(value, (target, 0))


# -- dicts ----------------------------------------------------------------------------------


# dict's own methods, typed loosely: the mixin below is only ever mixed into dict types.
_has: Any = dict.__contains__
_get: Any = dict.__getitem__
_len: Any = dict.__len__


def _mapping_items(target: Any) -> list[tuple[Any, Any]]:
    return list(target._nb_base.items(target))  # an OrderedDict's order is not dict's


def _restore_mapping(target: Any, items: list[tuple[Any, Any]]) -> None:
    base = target._nb_base
    base.clear(target)
    for k, v in items:
        base.__setitem__(target, k, v)
    _relink(target, items)


def _undo_set_key(target: Any, key: Any, value: Any) -> None:
    target._nb_base.__setitem__(target, key, value)
    set_parent(value, (target, key))


def _undo_new_key(target: Any, key: Any) -> None:
    target._nb_base.__delitem__(target, key)


class TrackedMapping:
    """What every tracked dict type adds to its base (``_nb_base``: dict, OrderedDict...)."""

    __slots__ = ()
    _nb_base: Any = dict
    _nb_owner: OwnerRef | None
    _nb_parent: Any

    def _whole(self, op: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _whole(self, op, _restore_mapping, _mapping_items, *args, **kwargs)

    def _plain(self) -> Any:
        base = self._nb_base
        out = base.__new__(base)
        if issubclass(base, collections.defaultdict):
            out.default_factory = self.default_factory  # type: ignore[attr-defined]
        for k, v in base.items(self):
            base.__setitem__(out, k, v)
        return out

    def __copy__(self) -> Any:
        return self._plain()

    def copy(self) -> Any:
        return self._plain()

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return copy.deepcopy(self._plain(), memo)

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        # Pickles as the plain base type (pickle refuses a reduction naming another class).
        base = self._nb_base
        args = (self.default_factory,) if issubclass(base, collections.defaultdict) else ()  # type: ignore[attr-defined]
        return (base, args, None, None, iter(list(base.items(self))))

    def __setitem__(self, key: Any, value: Any) -> None:
        base = self._nb_base
        log, owner = begin(self)
        if log is None:
            base.__setitem__(self, key, value)
            return
        value = wrap(value, owner, (self, key))
        entry = prepare_op(log, owner, self, "set", key, value)
        had = _has(self, key)
        old = dict.__getitem__(self, key) if had else None  # type: ignore[index]
        base.__setitem__(self, key, value)
        if had:
            log_undo(log, _undo_set_key, self, key, old)
            if old is not value:
                set_parent(old, None)
        else:
            log_undo(log, _undo_new_key, self, key)
        add_op(log, owner, entry)
        end(log, owner)

    def __delitem__(self, key: Any) -> None:
        base = self._nb_base
        if not dict.__contains__(self, key):  # type: ignore[operator]
            base.__delitem__(self, key)  # KeyError (a Counter ignores missing keys)
            return
        log, owner = begin(self)
        if log is None:
            base.__delitem__(self, key)
            return
        entry = prepare_op(log, owner, self, "delete", key)
        old = _get(self, key)
        last = next(reversed(self)) == key  # type: ignore[call-overload]
        undo: tuple[Callable[..., Any], tuple[Any, ...]] = (
            (_undo_set_key, (self, key, old)) if last
            else (_restore_mapping, (self, _mapping_items(self)))
        )
        base.__delitem__(self, key)
        log_undo(log, undo[0], *undo[1])
        set_parent(old, None)
        add_op(log, owner, entry)
        end(log, owner)

    def pop(self, key: Any, *default: Any) -> Any:
        if not dict.__contains__(self, key):  # type: ignore[operator]
            if default:
                return default[0]
            raise KeyError(key)
        value = _get(self, key)
        del self[key]
        return value

    def popitem(self, last: bool = True) -> tuple[Any, Any]:
        if not _len(self):
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self)) if last else next(iter(self))  # type: ignore[call-overload]
        return key, self.pop(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):  # type: ignore[operator]
            return _get(self, key)
        self[key] = default
        return _get(self, key)

    def clear(self) -> None:
        self._whole(self._nb_base.clear)

    def update(self, *args: Any, **kwargs: Any) -> None:
        items = dict(*args, **kwargs)
        if len(items) > 8:
            self._whole(self._nb_base.update, items)
            return
        log, owner = begin(self)
        if log is None:
            self._nb_base.update(self, items)
            return
        base = self._nb_base
        wrapped = [(k, wrap(v, owner, (self, k))) for k, v in items.items()]
        entries = [prepare_op(log, owner, self, "set", k, v) for k, v in wrapped]
        for k, v in wrapped:
            if dict.__contains__(self, k):  # type: ignore[operator]
                old = _get(self, k)
                log_undo(log, _undo_set_key, self, k, old)
                if old is not v:
                    set_parent(old, None)
            else:
                log_undo(log, _undo_new_key, self, k)
            base.__setitem__(self, k, v)
        for entry in entries:
            add_op(log, owner, entry)
        end(log, owner)

    def __ior__(self, other: Any) -> Any:
        self.update(other)
        return self


class _OrderedOps:
    """OrderedDict's reordering replaces the whole value."""

    __slots__ = ()

    def move_to_end(self, key: Any, last: bool = True) -> None:
        self._whole(collections.OrderedDict.move_to_end, key, last)  # type: ignore[attr-defined]


class _CounterOps:
    """Counter's adding updates replace the whole value (they touch many keys)."""

    __slots__ = ()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._whole(collections.Counter.update, *args, **kwargs)  # type: ignore[attr-defined]

    def subtract(self, *args: Any, **kwargs: Any) -> None:
        self._whole(collections.Counter.subtract, *args, **kwargs)  # type: ignore[attr-defined]

    def __ior__(self, other: Any) -> Any:
        self._whole(collections.Counter.__ior__, other)  # type: ignore[attr-defined]
        return self

    def __iand__(self, other: Any) -> Any:
        self._whole(collections.Counter.__iand__, other)  # type: ignore[attr-defined]
        return self

    def __iadd__(self, other: Any) -> Any:
        self._whole(collections.Counter.__iadd__, other)  # type: ignore[attr-defined]
        return self

    def __isub__(self, other: Any) -> Any:
        self._whole(collections.Counter.__isub__, other)  # type: ignore[attr-defined]
        return self


_MAPPING_TYPES: dict[type, type] = {}


def tracked_mapping_type(base: type) -> type:
    """The tracking subclass of dict type ``base`` (made once per type)."""
    tracked = _MAPPING_TYPES.get(base)
    if tracked is None:
        mixins: tuple[type, ...] = (TrackedMapping,)
        if issubclass(base, collections.Counter):
            mixins = (_CounterOps, TrackedMapping)
        elif issubclass(base, collections.OrderedDict):
            mixins = (_OrderedOps, TrackedMapping)
        tracked = type(
            base.__name__,
            (*mixins, base),
            {"__slots__": _SLOTS, "_nb_base": base, "__qualname__": base.__qualname__,
             "__module__": base.__module__},
        )
        _MAPPING_TYPES[base] = tracked
    return tracked


TrackedDict = tracked_mapping_type(dict)

# -- sets -----------------------------------------------------------------------------------


def _restore_set(target: set[Any], items: set[Any]) -> None:
    set.clear(target)
    set.update(target, items)


class TrackedSet(set[Any]):
    """A set whose mutations are changes of the var that holds it (sent whole, sorted)."""

    __slots__ = _SLOTS
    _nb_base = set
    _nb_owner: OwnerRef | None
    _nb_parent: Any

    def __repr__(self) -> str:
        return set.__repr__(set(self))

    def __copy__(self) -> set[Any]:
        return set(self)

    def copy(self) -> set[Any]:
        return set(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> set[Any]:
        return {copy.deepcopy(v, memo) for v in self}

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (set, (set(self),))

    def _whole(self, op: Callable[..., Any], *args: Any) -> Any:
        return _whole(self, op, _restore_set, set, *args)

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
        if not self:
            raise KeyError("pop from an empty set")
        return self._whole(set.pop)

    def clear(self) -> None:
        if self:
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


# -- dataclasses ----------------------------------------------------------------------------

_MISSING = object()
_DC_TYPES: dict[type, type] = {}


def _dc_fields(value: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(value)]


def _undo_dc(target: Any, name: str, old: Any) -> None:
    if old is _MISSING:
        object.__delattr__(target, name)
    else:
        object.__setattr__(target, name, old)
        set_parent(old, (target, name))


def _dc_setattr(self: Any, name: str, value: Any) -> None:
    if name.startswith("_nb_"):
        object.__setattr__(self, name, value)
        return
    log, owner = begin(self)
    if log is None:
        object.__setattr__(self, name, value)
        return
    value = wrap(value, owner, (self, name))
    entry = prepare_op(log, owner, self, "set", name, value)
    old = getattr(self, name, _MISSING)
    object.__setattr__(self, name, value)
    log_undo(log, _undo_dc, self, name, old)
    if old is not value:
        set_parent(old, None)
    add_op(log, owner, entry)
    end(log, owner)


def _dc_delattr(self: Any, name: str) -> None:
    log, owner = begin(self)
    if log is None:
        object.__delattr__(self, name)
        return
    old = getattr(self, name)
    object.__delattr__(self, name)
    log_undo(log, _undo_dc, self, name, old)
    mark_full(log, owner)
    end(log, owner)


def _plain_dataclass(value: Any) -> Any:
    """A plain instance of the user's dataclass with the same field values."""
    base = type(value)._nb_base
    out = object.__new__(base)
    for name in _dc_fields(value):
        v = getattr(value, name, _MISSING)
        if v is not _MISSING:
            object.__setattr__(out, name, v)
    return out


def _reduce_dataclass(self: Any, protocol: SupportsIndex) -> Any:
    # Pickles as the user's own class, rebuilt by the standard library alone.
    fields = {n: getattr(self, n) for n in _dc_fields(self) if hasattr(self, n)}
    base = type(self)._nb_base
    state: Any = fields if hasattr(base, "__dict__") and "__dict__" in dir(base) else (None, fields)
    return (object.__new__, (base,), state)


def tracked_dataclass_type(cls: type) -> type:
    """The tracking subclass of dataclass ``cls``: same name, repr, equality and fields."""
    sub = _DC_TYPES.get(cls)
    if sub is None:
        base_eq: Any = cls.__eq__

        def __eq__(self: Any, other: Any) -> Any:
            if isinstance(other, cls) and type(other) in (cls, sub):
                return all(
                    getattr(self, f.name) == getattr(other, f.name)
                    for f in dataclasses.fields(cls)
                    if f.compare
                )
            return base_eq(self, other)

        sub = type(
            cls.__name__,
            (cls,),
            {
                "__slots__": _SLOTS,
                "__setattr__": _dc_setattr,
                "__delattr__": _dc_delattr,
                "__eq__": __eq__,
                "__hash__": cls.__hash__,
                "__qualname__": cls.__qualname__,
                "__module__": cls.__module__,
                "__copy__": lambda self: copy.copy(_plain_dataclass(self)),
                "__deepcopy__": lambda self, memo: copy.deepcopy(_plain_dataclass(self), memo),
                "__reduce_ex__": _reduce_dataclass,
                "_nb_base": cls,
            },
        )
        _DC_TYPES[cls] = sub
    return sub


def _trackable_dataclass(value: Any) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and not params.frozen and not isinstance(value, type)


for _cls, _name in ((TrackedList, "list"), (TrackedDeque, "deque"), (TrackedSet, "set")):
    _cls.__name__ = _cls.__qualname__ = _name  # reprs and error messages name the base type

# -- wrapping -------------------------------------------------------------------------------

def wrap(value: Any, owner: OwnerRef | None, link: Any = ROOT, force_copy: bool = False) -> Any:
    """Return ``value`` with every list, deque, dict, set and dataclass in it tracked.

    ``link`` is where the value sits: ``ROOT`` for a var's own value, ``(parent, key)`` inside a
    container. Values are copied, as assignment of a list copies it, so the caller's object is
    never changed and one object never sits in two places. A tracked value taken out of this
    var (``x = self.items.pop()``) and put back keeps its identity.
    """
    if owner is None:
        return value
    cls = type(value)
    if cls is int or cls is str or cls is float or cls is bool or value is None:
        return value
    if hasattr(cls, "_nb_base"):
        if (not force_copy and value._nb_owner == owner and value._nb_parent is None):
            object.__setattr__(value, "_nb_parent", link)
            return value
        value = copy.copy(value)  # the plain value, then tracked anew below
        cls = type(value)
    if isinstance(value, list):
        out_l = TrackedList()
        out_l._nb_owner, out_l._nb_parent = owner, link
        list.extend(out_l, [wrap(v, owner, (out_l, i)) for i, v in enumerate(value)])
        return out_l
    if isinstance(value, dict):
        tracked = tracked_mapping_type(cls)
        base: Any = cls
        out_d: Any = base.__new__(tracked)
        if isinstance(value, collections.defaultdict):
            out_d.default_factory = value.default_factory
        object.__setattr__(out_d, "_nb_owner", owner)
        object.__setattr__(out_d, "_nb_parent", link)
        for k, v in cls.items(value):
            base.__setitem__(out_d, k, wrap(v, owner, (out_d, k)))
        return out_d
    if isinstance(value, collections.deque):
        out_q = TrackedDeque([], value.maxlen)
        out_q._nb_owner, out_q._nb_parent = owner, link
        collections.deque.extend(out_q, [wrap(v, owner, (out_q, i)) for i, v in enumerate(value)])
        return out_q
    if isinstance(value, set):
        out_s = TrackedSet(value)
        out_s._nb_owner, out_s._nb_parent = owner, link
        return out_s
    if cls is tuple:
        return tuple(wrap(v, owner, None) for v in value)
    if _trackable_dataclass(value):
        out: Any = object.__new__(tracked_dataclass_type(cls))
        object.__setattr__(out, "_nb_owner", owner)
        object.__setattr__(out, "_nb_parent", link)
        extra = getattr(value, "__dict__", {})
        for name in dict.fromkeys([*_dc_fields(value), *extra]):
            v = getattr(value, name, _MISSING)
            if v is not _MISSING and not name.startswith("_nb_"):
                object.__setattr__(out, name, wrap(v, owner, (out, name)))
        return out
    return value


__all__ = [
    "Log",
    "TrackedDeque",
    "TrackedDict",
    "TrackedList",
    "TrackedMapping",
    "TrackedSet",
    "tracked_dataclass_type",
    "tracked_mapping_type",
    "wrap",
]
