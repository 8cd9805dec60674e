"""How an in-place mutation of a var's value is recorded.

A tracked value (see :mod:`.containers`) knows its owner: the state that holds it and the var's
name. Each mutation asks the owner for the write log first (the owner raises if the write is not
allowed now), mutates, and then records how to undo itself and the patch op that describes it,
so a failed step rolls back and the browser receives the change, not the whole value.

Every mutation is exception-safe: whatever can fail (wrapping the new item, converting it to
JSON, finding its path) runs before the value changes, so an error leaves the value and the log
as they were.

A nested value remembers where it sits, ``(parent, key)``; inside a list the key is its index
as last seen. The index is checked by identity on use and rebuilt for the whole list only when
the list was shifted since, so a nested write costs the same at 10 rows and at 100,000.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any, Protocol

from .jsondata import to_json

Undo = tuple[Callable[..., Any], tuple[Any, ...]]

ROOT = "root"
"""``_nb_parent`` of a var's top-level value. Nested values hold ``(parent, key)``; values
taken out of the tree hold None."""
FULL = "full"
"""In a log's ops: this var changed in a way that is sent whole, not as patch ops."""
MAX_OPS = 64
_MISSING = object()


class Log(Protocol):
    """The part of a state's write log that tracked values fill."""

    undo: list[Undo]
    ops: dict[str, Any]


class Owner(Protocol):
    """The state that holds tracked values: it allows mutations and records them."""

    def begin_mutation(self, name: str) -> Log:
        """Allow a mutation of var ``name`` now (or raise), returning the log to record it."""
        ...

    def end_mutation(self, log: Log, name: str) -> None:
        """The mutation of ``name`` is done and recorded."""
        ...

    def value_of(self, name: str) -> Any:
        """The current value of var ``name``."""
        ...


OwnerRef = tuple[Owner, str, bool]
"""``(owner, var name, patchable)``; patch ops are recorded only for patchable (public) vars."""


def begin(obj: Any) -> tuple[Log | None, OwnerRef | None]:
    """Start a mutation of ``obj``: its owner's log, or (None, None) when it is not tracked."""
    owner: OwnerRef | None = getattr(obj, "_nb_owner", None)
    if owner is None:
        return None, None
    return owner[0].begin_mutation(owner[1]), owner


def end(log: Log | None, owner: OwnerRef | None) -> None:
    """Finish a mutation started with :func:`begin`."""
    if owner is not None and log is not None:
        owner[0].end_mutation(log, owner[1])


def log_undo(log: Log | None, fn: Callable[..., Any], *args: Any) -> None:
    """Record how to undo the mutation just made."""
    if log is not None:
        log.undo.append((fn, args))


def set_parent(value: Any, link: Any) -> None:
    """Tell a tracked value where it now sits (None: taken out of the tree)."""
    if hasattr(value, "_nb_parent"):
        object.__setattr__(value, "_nb_parent", link)


def _reindex(parent: Any, target: Any) -> int | None:
    """Refresh the cached index of every tracked item of list ``parent``; ``target``'s index."""
    found = None
    for i, item in enumerate(parent):
        link = getattr(item, "_nb_parent", None)
        if link is not None and link is not ROOT and link[0] is parent:
            object.__setattr__(item, "_nb_parent", (parent, i))
            if item is target:
                found = i
    return found


def path_of(obj: Any, owner: OwnerRef) -> list[Any] | None:
    """The JSON path from the var's root value to ``obj``, or None when it cannot be told."""
    path: list[Any] = []
    cur = obj
    for _ in range(64):
        link = getattr(cur, "_nb_parent", None)
        if link is ROOT:
            if owner[0].value_of(owner[1]) is not cur:
                return None
            path.reverse()
            return path
        if link is None:
            return None
        parent, key = link
        if isinstance(parent, dict):
            if dict.get(parent, key, _MISSING) is not cur:
                return None
            path.append(key if isinstance(key, str) else str(key))
        elif isinstance(parent, (list, collections.deque)):  # key: the cached index
            if not (type(key) is int and 0 <= key < len(parent) and parent[key] is cur):
                key = _reindex(parent, cur)
                if key is None:
                    return None
            path.append(key)
        else:  # a dataclass: key is the field name
            if getattr(parent, key, _MISSING) is not cur:
                return None
            path.append(key)
        cur = parent
    return None


def prepare_op(
    log: Log | None,
    owner: OwnerRef | None,
    container: Any,
    op: str,
    key: Any = None,
    value: Any = _MISSING,
) -> dict[str, Any] | None:
    """The patch op for a mutation about to be made, built before anything changes.

    Returns None when no op is needed (not tracked, backend var, or already sent whole) or when
    the var must be sent whole instead (then the log says FULL). Raises TypeError, with nothing
    changed, when the new value cannot be sent to the browser.
    """
    if log is None or owner is None or not owner[2]:
        return None
    name = owner[1]
    current = log.ops.get(name)
    if current is FULL:
        return None
    if current is not None and len(current) >= MAX_OPS:
        log.ops[name] = FULL
        return None
    path = path_of(container, owner)
    if path is None:
        log.ops[name] = FULL
        return None
    if key is not None:
        path.append(key if isinstance(key, (int, str)) else str(key))
    entry: dict[str, Any] = {"op": op, "path": path}
    if value is not _MISSING:
        entry["value"] = to_json(value, where=f"{name} item")
    return entry


def add_op(log: Log | None, owner: OwnerRef | None, entry: dict[str, Any] | None) -> None:
    """Record an op made by :func:`prepare_op`, after the mutation succeeded."""
    if entry is None or log is None or owner is None:
        return
    name = owner[1]
    current = log.ops.get(name)
    if current is None:
        log.ops[name] = [entry]
    elif current is not FULL:
        current.append(entry)


def mark_full(log: Log | None, owner: OwnerRef | None) -> None:
    """The var changed in a way that is sent whole."""
    if log is not None and owner is not None and owner[2]:
        log.ops[owner[1]] = FULL
