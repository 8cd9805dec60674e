"""Vars: ``MyState.counter`` is a Var on the class and the plain value on an instance.

This module owns the var descriptors and the computed-var cache. A computed var (``@rx.var``)
is cached per instance and recomputed only when a var it read changes, whichever state that var
belongs to: reads are recorded while it computes, and each read var keeps the list of computed
vars that depend on it. A computed var declared with ``deps=[...]`` depends on exactly those
vars of its own state instead; one declared with ``cache=False`` is never kept (it is computed
at every read, and again at every commit of its state).

Writes go to the instance's core (:mod:`nbstate._core`), the one write path, which checks that
the write is allowed, records it in the transaction and invalidates dependent computed vars.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar, overload

from .._base.errors import StateDefinitionError
from .._base.loop import fast_task, loop_or_none
from .._values.check import compile_check
from .._values.coerce import type_name
from .expr import Var

T = TypeVar("T")

# What each computed var reads while it computes: (cache of the instance read, var name).
# Computing is synchronous, so a stack suffices.
_reading: list[set[tuple[ComputedCache, str]]] = []


class Core(Protocol):
    """What the descriptors need from an instance's core (see :class:`nbstate._core.Core`)."""

    cache: ComputedCache

    def write(self, name: str, value: Any) -> None: ...

    def read_dirty(self, name: str) -> Any: ...

    def sees_uncommitted(self) -> bool: ...


class BackendVarRef(Var[T]):
    """``MyState._secret`` on the class: usable in Python, refused by components."""

    __slots__ = ()

    def tree(self) -> dict[str, Any]:
        raise StateDefinitionError(
            f"{self._name} is a backend var: it never leaves the kernel, so a component cannot "
            "show it. Derive what the browser may see with a computed var (@nbstate.var)."
        )


class VarField(Generic[T]):
    """The descriptor behind one declared var (public or backend).

    Users never write it: ``counter: int = 0`` in a State class body becomes one. On the class
    it gives a ``Var[int]``, on an instance the int.
    """

    __slots__ = (
        "annotation",
        "backend",
        "check",
        "default",
        "exact",
        "label",
        "name",
        "owner",
        "ref",
    )

    def __init__(self, owner: type, name: str, annotation: Any, default: Any) -> None:
        self.owner = owner
        self.name = name
        self.annotation = annotation
        self.default = default
        self.backend = name.startswith("_")
        self.check = compile_check(annotation)
        # Values of exactly this type pass the check without a call (int, str, bool, float).
        self.exact: type | None = annotation if annotation in (int, str, bool, float) else None
        self.label = label = f"{owner.__name__}.{name}"
        tree = {"op": "var", "s": owner, "name": name}
        self.ref: Var[T] = BackendVarRef(tree, label) if self.backend else Var(tree, label)

    def __repr__(self) -> str:
        return f"<var {self.owner.__name__}.{self.name}: {type_name(self.annotation)}>"

    @overload
    def __get__(self, inst: None, cls: type | None = None) -> Var[T]: ...

    @overload
    def __get__(self, inst: object, cls: type | None = None) -> T: ...

    def __get__(self, inst: Any, cls: type | None = None) -> Any:
        if inst is None:
            return self.ref
        d = inst.__dict__
        if _reading:
            _reading[-1].add((d["_nbstate"].cache, self.name))
        old = d["_nbstate_old"]  # the committed values of names written in an open step
        if old and self.name in old:
            core = d["_nbstate"]
            owner = core.lock.owner
            if owner is not None and owner.task is fast_task(loop_or_none()):
                return d[self.name]  # the writer itself (the common case, checked inline)
            return core.read_dirty(self.name)
        return d[self.name]

    def __set__(self, inst: Any, value: Any) -> None:
        if type(value) is not self.exact and self.check is not None:
            value = self.check(value, self.label)
        inst.__dict__["_nbstate"].write(self.name, value)

    def __delete__(self, inst: Any) -> None:
        raise AttributeError(f"{self.owner.__name__}.{self.name} is a var and cannot be deleted")


class ComputedField(Generic[T]):
    """The descriptor behind a computed var, declared with ``@nbstate.var``: a ``Var[T]`` on
    the class, the cached value on an instance."""

    __slots__ = ("annotation", "cache", "deps", "fn", "name", "owner", "ref")

    def __init__(
        self,
        fn: Callable[[Any], T],
        annotation: Any,
        cache: bool = True,
        deps: tuple[str, ...] | None = None,
    ) -> None:
        self.fn = fn
        self.annotation = annotation
        self.name = fn.__name__
        self.owner: type | None = None
        self.ref: Var[T] | None = None
        self.cache = cache  # False: computed at every read, and at every commit of its state
        self.deps = deps  # declared dependencies (var names of its state), or None: tracked

    def bind(self, owner: type, name: str) -> None:
        """Attach to the State class that declares it."""
        self.owner = owner
        self.name = name
        self.ref = Var({"op": "var", "s": owner, "name": name}, f"{owner.__name__}.{name}")

    def check_deps(self, known: Iterable[str]) -> None:
        """Refuse declared dependencies that are not vars of the state (at class creation)."""
        if self.deps is None:
            return
        label = f"{self.owner.__name__ if self.owner else '?'}.{self.name}"
        names = sorted(n for n in known if n != self.name)
        for dep in self.deps:
            if dep == self.name:
                raise StateDefinitionError(
                    f"{label} lists itself in deps; list the vars it is computed from"
                )
            if dep not in names:
                raise StateDefinitionError(
                    f"{label} has deps={list(self.deps)!r}, but {dep!r} is not a var of its "
                    f"state. Its vars and computed vars are: {', '.join(names) or 'none'}"
                )

    @overload
    def __get__(self, inst: None, cls: type | None = None) -> Var[T]: ...

    @overload
    def __get__(self, inst: object, cls: type | None = None) -> T: ...

    def __get__(self, inst: Any, cls: type | None = None) -> Any:
        if inst is None:
            return self.ref
        core: Core = inst.__dict__["_nbstate"]
        if _reading:
            _reading[-1].add((core.cache, self.name))
        if core.sees_uncommitted():
            # Another task's step has written this state and not committed: compute from the
            # committed values, and keep that result out of the cache.
            return self.compute(inst)[0]
        return core.cache.get(self.name)

    def __set__(self, inst: Any, value: Any) -> None:
        raise AttributeError(
            f"{type(inst).__name__}.{self.name} is a computed var: it is derived from other vars "
            "and cannot be assigned. Change the vars it reads instead."
        )

    def compute(self, inst: Any) -> tuple[T, set[tuple[ComputedCache, str]]]:
        """Run the function, returning its value and the vars it depends on: those it read
        (of any state), or, with declared ``deps``, those of its own state."""
        reads: set[tuple[ComputedCache, str]] = set()
        _reading.append(reads)
        try:
            value = self.fn(inst)
        finally:
            _reading.pop()
        if self.deps is not None:
            cache = inst.__dict__["_nbstate"].cache
            reads = {(cache, dep) for dep in self.deps}
        return value, reads


Dependent = tuple["ComputedCache", str]


class ComputedCache:
    """One instance's computed values, and which computed vars depend on its vars."""

    __slots__ = (
        "dependents",
        "deps",
        "fields",
        "stale",
        "state",
        "touched",
        "uncached",
        "values",
    )

    def __init__(self, state: Any, fields: dict[str, ComputedField[Any]]) -> None:
        self.state = state
        self.fields = fields
        self.values: dict[str, Any] = {}
        # Computed vars declared with cache=False: they stay in ``stale`` for good, so every
        # read and every commit of the state computes them again.
        self.uncached = frozenset(n for n, f in fields.items() if not f.cache)
        self.stale: set[str] = set(fields)
        self.deps: dict[str, set[Dependent]] = {}
        self.dependents: dict[str, set[Dependent]] = {}
        # Caches of other instances whose computed vars went stale through this one's writes.
        self.touched: set[ComputedCache] = set()

    def get(self, name: str) -> Any:
        """The value of computed var ``name``, recomputed if a var it read has changed."""
        if name in self.stale or name not in self.values:
            value, reads = self.fields[name].compute(self.state)
            for cache, var in self.deps.get(name, ()):
                cache.dependents.get(var, set()).discard((self, name))
            self.deps[name] = reads
            for cache, var in reads:
                cache.dependents.setdefault(var, set()).add((self, name))
            if name in self.uncached:
                return value
            self.values[name] = value
            self.stale.discard(name)
        return self.values[name]

    def invalidate(self, name: str) -> None:
        """Var (or computed var) ``name`` of this instance changed: its dependents are stale."""
        stack: list[Dependent] = [(self, name)]
        seen: set[Dependent] | None = None
        while stack:
            cache, var = stack.pop()
            for dep in cache.dependents.get(var, ()):
                dep_cache, dep_name = dep
                if dep_name not in dep_cache.stale:
                    dep_cache.stale.add(dep_name)
                elif dep_name in dep_cache.uncached:
                    # Always stale, so the walk goes on through it, once.
                    if seen is None:
                        seen = set()
                    if dep in seen:
                        continue
                    seen.add(dep)
                else:
                    continue
                stack.append(dep)
                if dep_cache is not self:
                    self.touched.add(dep_cache)

    def renew_uncached(self) -> None:
        """A commit of this state: what read its uncached computed vars may have changed."""
        for name in self.uncached:
            self.invalidate(name)

    def forget(self) -> None:
        """Drop every dependency link (the instance was closed)."""
        for name, reads in self.deps.items():
            for cache, var in reads:
                cache.dependents.get(var, set()).discard((self, name))
        self.deps.clear()
        self.values.clear()
        self.stale.update(self.fields)


@overload
def computed(fn: Callable[[Any], T]) -> ComputedField[T]: ...


@overload
def computed(
    fn: None = None, *, cache: bool = True, deps: Iterable[str] | None = None
) -> Callable[[Callable[[Any], T]], ComputedField[T]]: ...


def computed(fn: Any = None, *, cache: bool = True, deps: Iterable[str] | None = None) -> Any:
    """Declare a computed var: cached, recomputed only when a var it reads changes, and synced.

    ``cache=False`` computes it again at every read, and at every commit of its state for the
    browser (for values that depend on more than vars, such as the time). ``deps=["a", "b"]``
    names the vars of its state it depends on instead of tracking what it reads: it is
    recomputed only when one of those changes.

    >>> import nbstate
    >>> class S(nbstate.State):
    ...     n: int = 2
    ...     @nbstate.var
    ...     def double(self) -> int:
    ...         return self.n * 2
    >>> S().double
    4
    """

    if not isinstance(cache, bool):
        raise TypeError(f"@var(cache=...) takes True or False, not {cache!r}")
    declared: tuple[str, ...] | None = None
    if deps is not None:
        if isinstance(deps, (str, bytes)) or not isinstance(deps, Iterable):
            raise TypeError(
                f"@var(deps=...) takes a list of var names, such as deps=['a', 'b'], not "
                f"{deps!r}"
            )
        declared = tuple(deps)
        for dep in declared:
            if not isinstance(dep, str):
                raise TypeError(
                    f"@var(deps=...) lists var names of the same state as strings, such as "
                    f"deps=['a'], not {dep!r}. To depend on another state's vars, leave deps "
                    "out: the vars a computed var reads are tracked, whatever their state."
                )
        if not cache:
            raise TypeError(
                "@var(cache=False, deps=...): deps says when a cached var is recomputed, and a "
                "var with cache=False is recomputed at every read; give one or the other"
            )
    def make(f: Callable[[Any], Any]) -> ComputedField[Any]:
        if not callable(f):
            raise TypeError(
                f"@var decorates a method, not {f!r}; options are keywords: "
                "@var(cache=False) or @var(deps=['a'])"
            )
        try:
            ann = typing.get_type_hints(f).get("return", Any)
        except Exception:  # a forward reference that cannot be resolved here
            ann = getattr(f, "__annotations__", {}).get("return", Any)
        return ComputedField(f, ann, cache=cache, deps=declared)

    return make(fn) if fn is not None else make
