"""The State base class: declaring vars and handlers, and what an instance is.

A user's vars and handlers own every public name on their State class. nbstate's machinery sits
behind one private attribute (``_nbstate``, the instance's :class:`~nbstate._core.core.Core`)
and the functions in :mod:`nbstate`. The base class adds two names a user may override with a
handler of the same name: ``await self.get_state(Other)`` and ``reset()``.
"""

from __future__ import annotations

import copy
import enum
import inspect
import types
import typing
import weakref
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, Union, get_args, get_origin

from .._base.app import app
from .._base.errors import StateDefinitionError
from .._core.block import Transactional, join
from .._core.core import Core
from .._values.coerce import coerce
from .._values.containers import wrap
from .._values.jsondata import to_json
from .._vars.vars import ComputedField, VarField
from .handlers import HandlerDescriptor, HandlerInfo, build_info

_RESERVED_PREFIX = "_nbstate"
S = TypeVar("S", bound="State")


def _implicit_default(owner: str, name: str, ann: Any) -> Any:
    origin = get_origin(ann) or ann
    if origin in (Union, types.UnionType) and type(None) in get_args(ann):
        return None
    table: dict[Any, Any] = {
        int: 0,
        float: 0.0,
        str: "",
        bool: False,
        list: [],
        dict: {},
        set: set(),
        tuple: (),
    }
    if origin in table:
        return copy.copy(table[origin])
    if origin is typing.Any:
        return None
    raise StateDefinitionError(
        f"{owner}.{name} has no default, and nbstate cannot pick one for {ann!r}. "
        f"Give it one: `{name}: ... = <value>`"
    )


_SCALARS = (int, float, str, bool, type(None))


def _scalar(ann: Any) -> bool:
    """True for annotations whose values are sent whole (numbers, strings, enums, literals)."""
    origin = get_origin(ann)
    if origin in (Union, types.UnionType):
        return all(_scalar(a) for a in get_args(ann))
    if origin is typing.Literal:
        return True
    return isinstance(ann, type) and (issubclass(ann, _SCALARS) or issubclass(ann, enum.Enum))


def _setter(name: str, annotation: Any, owner: str) -> Any:
    def setter(self: Any, value: Any) -> None:
        setattr(self, name, coerce(value, annotation, what=f"{owner}.{name}"))

    setter.__name__ = setter.__qualname__ = f"set_{name}"
    setter.__annotations__ = {"value": annotation, "return": None}
    setter.__doc__ = f"Set {name}, converting the value to {annotation!r}."
    return setter


_BUILTIN = "__nbstate_builtin__"


def _reset_handler(owner: str) -> Any:
    def reset(self: Any) -> None:
        _reset_vars(self)

    reset.__qualname__ = f"{owner}.reset"
    reset.__doc__ = (
        "Set every var, backend vars included, back to its declared default, in one change."
    )
    setattr(reset, _BUILTIN, True)
    return reset


def _reset_vars(state: Any) -> None:
    """Every var of ``state`` back to a fresh copy of its declared default, as one write."""
    meta = type(state)._nbstate_meta
    core_of(state).write_all(
        {name: copy.deepcopy(field.default) for name, field in meta.vars.items()}
    )


class ClassMeta:
    """Everything nbstate derives from one State class at definition time."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.vars: dict[str, VarField[Any]] = {}
        self.public: list[str] = []
        self.public_set: frozenset[str] = frozenset()
        self.backend: list[str] = []
        self.patchable: frozenset[str] = frozenset()
        self.computed: dict[str, ComputedField[Any]] = {}
        self.handlers: dict[str, HandlerInfo] = {}
        self.extras: dict[str, Any] = {}  # what upper layers derive once per class
        self.shared_key: str | None = None  # the Redis key of a shared state


def _refuse_name(owner: str, name: str, why: str) -> StateDefinitionError:
    return StateDefinitionError(f"{owner}.{name}: {why}")


def _build_meta(cls: type) -> ClassMeta:
    owner = cls.__name__
    meta = ClassMeta(cls)
    for base in reversed(cls.__mro__[1:]):
        parent = base.__dict__.get("_nbstate_meta")
        if parent is not None:
            meta.vars.update(parent.vars)
            meta.computed.update(parent.computed)
            meta.handlers.update(parent.handlers)
    try:
        hints = typing.get_type_hints(cls, include_extras=False)
    except Exception as exc:
        raise StateDefinitionError(f"{owner}: cannot read the var annotations ({exc})") from exc
    own_ann = inspect.get_annotations(cls)
    body = dict(cls.__dict__)

    for name in own_ann:
        ann = hints.get(name, Any)
        if get_origin(ann) is ClassVar or ann is ClassVar:
            continue
        if name.startswith(_RESERVED_PREFIX):
            raise _refuse_name(owner, name, f"names starting with {_RESERVED_PREFIX} are nbstate's")
        if name.startswith("__"):
            raise _refuse_name(
                owner,
                name,
                "names with two leading underscores are mangled by Python; "
                f"use one underscore (_{name.lstrip('_')}) for a backend var",
            )
        default = body.get(name, inspect.Parameter.empty)
        if isinstance(default, (ComputedField, HandlerDescriptor)) or inspect.isfunction(default):
            raise _refuse_name(owner, name, "is declared both as a var and as a method")
        if default is inspect.Parameter.empty:
            default = _implicit_default(owner, name, ann)
        field: VarField[Any] = VarField(cls, name, ann, default)
        if field.check is not None:
            try:
                default = field.check(default, f"{owner}.{name} (its default)")
            except TypeError as exc:
                raise StateDefinitionError(str(exc)) from None
            field.default = default
        if not field.backend:
            try:
                to_json(default, where=f"{owner}.{name}")
            except TypeError as exc:
                raise StateDefinitionError(
                    f"{exc}. Public vars are sent to the browser; make it a backend var "
                    f"(_{name}) to keep it in the kernel"
                ) from None
        meta.vars[name] = field
        setattr(cls, name, field)

    for name, value in body.items():
        if isinstance(value, ComputedField):
            if name.startswith("_"):
                raise _refuse_name(owner, name, "computed vars are synced, so they must be public")
            if name in meta.vars:
                raise _refuse_name(owner, name, "is declared both as a var and a computed var")
            value.bind(cls, name)
            meta.computed[name] = value
    known = [*meta.vars, *meta.computed]
    for value in body.values():
        if isinstance(value, ComputedField):
            value.check_deps(known)

    meta.public = [n for n in meta.vars if not n.startswith("_")]
    meta.public_set = frozenset(meta.public)
    meta.backend = [n for n in meta.vars if n.startswith("_")]
    meta.patchable = frozenset(n for n in meta.public if not _scalar(meta.vars[n].annotation))

    for name, value in body.items():
        if name.startswith("_") or not inspect.isfunction(value):
            continue
        if name in meta.vars:
            continue
        info = build_info(owner, name, value)
        meta.handlers[name] = info
        setattr(cls, name, HandlerDescriptor(info))

    for name in meta.public:
        setter_name = f"set_{name}"
        if setter_name in meta.vars or setter_name in meta.computed:
            raise _refuse_name(
                owner,
                setter_name,
                f"clashes with the automatic setter of var '{name}'; rename one of them",
            )
        if setter_name in body or setter_name in meta.handlers:
            continue  # the user's own set_<name> (or an inherited setter) wins
        fn = _setter(name, meta.vars[name].annotation, owner)
        info = build_info(owner, setter_name, fn)
        meta.handlers[setter_name] = info
        setattr(cls, setter_name, HandlerDescriptor(info))

    # The built-in reset handler, unless the class (or a base) has its own reset, or uses the
    # name for a var.
    inherited = meta.handlers.get("reset")
    if "reset" in meta.vars or "reset" in meta.computed:
        if inherited is not None and getattr(inherited.fn, _BUILTIN, False):
            del meta.handlers["reset"]
    elif "reset" not in body and (inherited is None or getattr(inherited.fn, _BUILTIN, False)):
        info = build_info(owner, "reset", _reset_handler(owner))
        meta.handlers["reset"] = info
        setattr(cls, "reset", HandlerDescriptor(info))  # noqa: B010 (cls is a plain type)
    return meta


def _shared_key(cls: type, shared: bool | str) -> str:
    """The name under which a shared state's values live in Redis."""
    if isinstance(shared, str):
        key = shared
    elif shared is True:
        key = cls.__qualname__
    else:
        raise StateDefinitionError(
            f"{cls.__name__}: shared= takes True (the class's name is the key in Redis) or a "
            f"string key, not {shared!r}"
        )
    if "<locals>" in key or not key or any(c in key for c in " \n|"):
        raise StateDefinitionError(
            f"{cls.__name__}: a shared state needs a plain key in Redis, and {key!r} is not one. "
            f'Give one: class {cls.__name__}(rx.State, shared="{cls.__name__.lower()}")'
        )
    return key


def _retire_previous(cls: type) -> None:
    """Re-running the cell that defines a class replaces the class defined there before."""
    if "<locals>" in cls.__qualname__:
        return  # classes made by a function are distinct on purpose
    key = f"{cls.__module__}.{cls.__qualname__}"
    previous_ref = app.classes.get(key)
    app.classes[key] = weakref.ref(cls)
    previous = previous_ref() if previous_ref is not None else None
    if previous is None or previous is cls:
        return
    app.defaults.pop(previous, None)
    for core in list(app.cores):
        if type(core.state) is previous:
            core.close()
    for hook in list(app.on_redefined):
        hook(previous, cls)


class State(Transactional):
    """Base class of application state. Annotated attributes are vars; methods are handlers.

    >>> import nbstate
    >>> class Counter(nbstate.State):
    ...     count: int = 0
    ...     def increment(self, by: int = 1):
    ...         self.count += by
    >>> c = Counter()
    >>> c.increment(2)
    >>> c
    Counter(count=2)
    """

    _nbstate_meta: ClassVar[ClassMeta]
    _nbstate: Core

    def __init_subclass__(cls, shared: bool | str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._nbstate_meta = meta = _build_meta(cls)
        if shared is None:
            # A subclass of a shared state is shared too, under its own key (its vars differ).
            shared = any(
                getattr(getattr(base, "_nbstate_meta", None), "shared_key", None) is not None
                for base in cls.__mro__[1:]
            )
        if shared:
            meta.shared_key = _shared_key(cls, shared)
        _retire_previous(cls)

    def __init__(self, **values: Any) -> None:
        meta = type(self)._nbstate_meta
        if meta.shared_key is not None:
            if values:
                raise TypeError(
                    f"{meta.name} is shared through Redis: its values are the ones every kernel "
                    f"sees, so {meta.name}() takes no initial values. Change them in a block:"
                    f"\n\n    async with state:\n        state.{next(iter(values))} = ..."
                )
            from .._shared.store import RedisStore

            store = RedisStore(meta.shared_key, meta.name)
            core = Core(self, meta, store)
            d = self.__dict__
            for name, field in meta.vars.items():
                d[name] = wrap(copy.deepcopy(field.default), core.ref(name))
            try:
                store.attach(core)
            except BaseException:
                core.close()
                raise
            return
        core = Core(self, meta)
        unknown = set(values) - set(meta.vars)
        if unknown:
            raise TypeError(
                f"{meta.name}() got unknown var(s) {sorted(unknown)}; its vars are "
                f"{sorted(meta.vars)}"
            )
        d = self.__dict__
        for name, field in meta.vars.items():
            if name in values:
                value = values[name]
                if field.check is not None:
                    value = field.check(value, f"{meta.name}.{name}")
            else:
                value = copy.deepcopy(field.default)
            d[name] = wrap(value, core.ref(name))

    if not TYPE_CHECKING:  # type checkers then report assignments to undeclared names

        def __setattr__(self, name: str, value: Any) -> None:
            meta = type(self)._nbstate_meta
            field = meta.vars.get(name)
            if field is not None:  # VarField.__set__, inlined: every write in a block is here
                if type(value) is not field.exact and field.check is not None:
                    value = field.check(value, field.label)
                self.__dict__["_nbstate"].write(name, value)
                return
            if name in meta.computed:
                meta.computed[name].__set__(self, value)
                return
            import difflib  # only for this error: import nbstate stays light

            close = difflib.get_close_matches(name, list(meta.vars), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise AttributeError(
                f"{meta.name} has no var '{name}'.{hint} Declare vars in the class body with a "
                f"type annotation, e.g. `{name}: int = 0` (a leading underscore keeps it in the "
                "kernel)."
            )

    def __repr__(self) -> str:
        meta = type(self)._nbstate_meta
        parts = [f"{n}={getattr(self, n)!r}" for n in meta.public]
        return f"{meta.name}({', '.join(parts)})"

    if TYPE_CHECKING:
        # Untyped to type checkers, so that a user's own reset may take arguments or be a var;
        # with the nbstate.mypy plugin, MyState.reset is an EventHandler[[]].
        reset: Any
    else:

        def reset(self) -> None:
            """Set every var, backend vars included, back to its declared default (a fresh copy).

            It is an event handler (``on_click=MyState.reset``), and inside a handler or an
            ``async with`` block ``self.reset()`` changes the vars in the open transaction, so the
            reset commits or rolls back with the rest of the step. Elsewhere (a cell) it is one
            change of its own. Computed vars follow. A handler named ``reset`` replaces it.
            """
            _reset_vars(self)

    async def get_state(self, cls: type[S]) -> S:
        """The default instance of another State class, for reading and changing it here.

        Inside a handler or an ``async with`` block, this waits for ``cls``'s lock and adds it
        to the running transaction: its changes commit or roll back with this step's, and the
        lock is held until the step ends. Elsewhere it only gives the instance.
        """
        inst = default_instance(cls)
        await join(core_of(inst))
        return inst


def core_of(state: Any) -> Core:
    """The core behind a State instance."""
    if not isinstance(state, State):
        raise TypeError(f"expected a State instance, got {state!r}")
    core: Core = state.__dict__["_nbstate"]
    return core


def default_instance(cls: type[S]) -> S:
    """The kernel-wide instance of ``cls`` that components bound to the class use."""
    if not (isinstance(cls, type) and issubclass(cls, State)) or cls is State:
        raise TypeError(f"expected a State subclass, got {cls!r}")
    inst = app.defaults.get(cls)
    if inst is None or core_of(inst).closed:
        inst = app.defaults[cls] = cls()
    return inst  # type: ignore[no-any-return]
