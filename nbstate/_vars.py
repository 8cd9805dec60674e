"""Var descriptors: ``MyState.counter`` is a Var on the class and the plain value on instances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._coerce import type_name
from ._errors import StateDefinitionError
from ._expr import Var
from ._fast import current_tasks_get, get_running_loop
from ._tracking import FULL, TrackedDict, TrackedList, TrackedSet, wrap

_CONTAINERS = (TrackedList, TrackedDict, TrackedSet)
_PLAIN = (int, float, str, bool, type(None))


# Names read while a computed var computes. Computing is synchronous, so a stack suffices.
_read_stack: list[set[str]] = []


class BackendVarRef(Var):
    """``MyState._secret`` on the class: usable in Python, refused by components."""

    __slots__ = ()

    def tree(self) -> dict[str, Any]:
        raise StateDefinitionError(
            f"{self._name} is a backend var: it never leaves the kernel, so a component cannot "
            "show it. Derive what the browser may see with a computed var (@nbstate.var)."
        )


class VarField:
    """The descriptor behind one declared var (public or backend)."""

    __slots__ = ("annotation", "backend", "default", "name", "owner", "patchable", "ref")

    def __init__(self, owner: type, name: str, annotation: Any, default: Any) -> None:
        self.owner = owner
        self.name = name
        self.annotation = annotation
        self.default = default
        self.backend = name.startswith("_")
        self.patchable = False  # set by the State class for container vars
        label = f"{owner.__name__}.{name}"
        tree = {"op": "var", "s": owner, "name": name}
        self.ref: Var = BackendVarRef(tree, label) if self.backend else Var(tree, label)

    def __repr__(self) -> str:
        return f"<var {self.owner.__name__}.{self.name}: {type_name(self.annotation)}>"

    def __get__(self, inst: Any, cls: type | None = None) -> Any:
        if inst is None:
            return self.ref
        if _read_stack:
            _read_stack[-1].add(self.name)
        return inst.__dict__[self.name]

    def __set__(self, inst: Any, value: Any) -> None:
        name = self.name
        d = inst.__dict__
        old = d[name]
        if value is old and type(value) in _CONTAINERS:
            return  # `self.items += [x]` re-assigns the container it already mutated
        rt = d["_nbstate"]
        # Runtime._begin_write and _end_write, inlined: every write in a block comes here.
        holder = rt.holder
        try:
            running = current_tasks_get(get_running_loop()) if holder is not None else None
        except RuntimeError:  # no loop in this thread: not the holder
            running = None
        txn = rt.txn if holder is not None and holder is running else rt._begin_outside(name)
        d[name] = value if type(value) in _PLAIN else wrap(value, (rt, name))
        if name not in txn.old:
            txn.old[name] = old
        if self.patchable:
            txn.ops[name] = FULL
        txn.dirty.add(name)
        if name in rt.dependents:
            rt._mark_stale(name)
        if txn.auto:
            rt.finish_auto(txn)

    def __delete__(self, inst: Any) -> None:
        raise AttributeError(f"{self.owner.__name__}.{self.name} is a var and cannot be deleted")


class ComputedField:
    """The descriptor behind a computed var, declared with ``@nbstate.var``."""

    __slots__ = ("annotation", "fn", "name", "owner", "ref")

    def __init__(self, fn: Callable[[Any], Any], annotation: Any) -> None:
        self.fn = fn
        self.annotation = annotation
        self.name = fn.__name__
        self.owner: type | None = None
        self.ref: Var | None = None

    def bind(self, owner: type, name: str) -> None:
        """Attach to the State class that declares it."""
        self.owner = owner
        self.name = name
        self.ref = Var({"op": "var", "s": owner, "name": name}, f"{owner.__name__}.{name}")

    def __get__(self, inst: Any, cls: type | None = None) -> Any:
        if inst is None:
            return self.ref
        if _read_stack:
            _read_stack[-1].add(self.name)
        return inst.__dict__["_nbstate"]._computed(self.name)

    def __set__(self, inst: Any, value: Any) -> None:
        raise AttributeError(
            f"{type(inst).__name__}.{self.name} is a computed var: it is derived from other vars "
            "and cannot be assigned. Change the vars it reads instead."
        )

    def compute(self, inst: Any) -> tuple[Any, set[str]]:
        """Run the function, returning its value and the names of the vars it read."""
        reads: set[str] = set()
        _read_stack.append(reads)
        try:
            value = self.fn(inst)
        finally:
            _read_stack.pop()
        return value, reads


def computed(fn: Any = None) -> Any:
    """Declare a computed var: cached, recomputed only when a var it reads changes, and synced.

    >>> import nbstate
    >>> class S(nbstate.State):
    ...     n: int = 2
    ...     @nbstate.var
    ...     def double(self) -> int:
    ...         return self.n * 2
    """

    def make(f: Callable[[Any], Any]) -> ComputedField:
        ann = getattr(f, "__annotations__", {}).get("return", Any)
        return ComputedField(f, ann)

    return make(fn) if fn is not None else make
