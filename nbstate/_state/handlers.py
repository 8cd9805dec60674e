"""Event handlers: how they are declared, referenced, and how their arguments are checked.

``MyState.save`` on the class is an :class:`EventHandler`, a reference you bind to a component
(``on_click=MyState.save``) or return from a handler to chain it. ``MyState.set_x(5)`` is an
:class:`EventSpec`: the same reference with arguments. On an instance, ``state.save`` is the
plain bound method.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any, Generic, Literal, NamedTuple, ParamSpec, TypeVar, overload

from .._base.errors import BackgroundCallError, EventRejected, StateDefinitionError
from .._values.coerce import coerce

Policy = Literal["allow", "skip", "replace", "queue"]
POLICIES: tuple[str, ...] = ("allow", "skip", "replace", "queue")
Kind = Literal["sync", "async", "gen", "asyncgen"]

_BG_MARK = "__nbstate_background__"


class Param(NamedTuple):
    """One positional parameter of a handler."""

    name: str
    annotation: Any
    required: bool


class HandlerInfo:
    """What nbstate knows about one event handler of a State class.

    A plain class, as the NamedTuples here: `import nbstate` is on every fresh kernel's first
    render, and a dataclass costs about 0.5 ms to define.
    """

    __slots__ = ("background", "fn", "kind", "name", "owner", "params", "policy", "varargs")

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        kind: Kind,
        background: bool,
        policy: Policy,
        params: list[Param] | None = None,
        varargs: Any = None,  # annotation of *args, or None when there is none
        owner: str = "",
    ) -> None:
        self.name = name
        self.fn = fn
        self.kind: Kind = kind
        self.background = background
        self.policy: Policy = policy
        self.params: list[Param] = [] if params is None else params
        self.varargs = varargs
        self.owner = owner

    def __repr__(self) -> str:
        return f"<handler {self.qualname} ({self.kind}{', background' if self.background else ''})>"

    @property
    def qualname(self) -> str:
        return f"{self.owner}.{self.name}"

    def bind(self, args: list[Any] | tuple[Any, ...]) -> list[Any]:
        """Check ``args`` against the signature and coerce each; raise EventRejected if wrong."""
        n_required = sum(p.required for p in self.params)
        if len(args) < n_required or (self.varargs is None and len(args) > len(self.params)):
            expected = (
                f"{n_required}"
                if n_required == len(self.params) and self.varargs is None
                else f"{n_required} to {len(self.params)}"
                if self.varargs is None
                else f"at least {n_required}"
            )
            names = ", ".join(p.name for p in self.params) or "no arguments"
            raise EventRejected(
                f"{self.qualname} takes {expected} argument(s) ({names}), got {len(args)}"
            )
        out: list[Any] = []
        for i, value in enumerate(args):
            if i < len(self.params):
                p = self.params[i]
                ann, what = p.annotation, f"{self.qualname} argument '{p.name}'"
            else:
                ann, what = self.varargs, f"{self.qualname} argument {i}"
            try:
                out.append(coerce(value, ann, what=what))
            except ValueError as exc:
                raise EventRejected(str(exc)) from None
        return out


def classify(fn: Callable[..., Any]) -> Kind:
    """Whether ``fn`` is a plain, async, generator or async generator function."""
    if inspect.isasyncgenfunction(fn):
        return "asyncgen"
    if inspect.iscoroutinefunction(fn):
        return "async"
    if inspect.isgeneratorfunction(fn):
        return "gen"
    return "sync"


def build_info(owner: str, name: str, fn: Callable[..., Any]) -> HandlerInfo:
    """Inspect ``fn`` (a method, ``self`` first) and describe it as a handler."""
    mark = getattr(fn, _BG_MARK, None)
    background = mark is not None
    policy: Policy = mark if mark is not None else "allow"
    kind = classify(fn)
    if background and kind not in ("async", "asyncgen"):
        raise StateDefinitionError(
            f"{owner}.{name} is marked as a background task but is not async. Background tasks "
            f"run on the kernel's loop and must be declared `async def {name}(self): ...`"
        )
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # forward references we cannot resolve: accept the JSON value as is
        hints = {}
    sig = inspect.signature(fn)
    params: list[Param] = []
    varargs = None
    plist = list(sig.parameters.values())
    if not plist or plist[0].kind not in (plist[0].POSITIONAL_ONLY, plist[0].POSITIONAL_OR_KEYWORD):
        raise StateDefinitionError(
            f"{owner}.{name} must take `self` as its first parameter to be an event handler; "
            f"make it a method (def {name}(self, ...)) or name it _{name} to keep it private"
        )
    for p in plist[1:]:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            params.append(Param(p.name, hints.get(p.name, Any), p.default is p.empty))
        elif p.kind is p.VAR_POSITIONAL:
            varargs = hints.get(p.name, Any)
        elif p.kind is p.KEYWORD_ONLY and p.default is p.empty:
            raise StateDefinitionError(
                f"{owner}.{name} has a required keyword-only parameter '{p.name}'; events pass "
                "arguments by position, so give it a default or make it positional"
            )
    return HandlerInfo(name, fn, kind, background, policy, params, varargs, owner)


F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")


@overload
def background(fn: F, *, policy: Policy = "allow") -> F: ...


@overload
def background(fn: None = None, *, policy: Policy = "allow") -> Callable[[F], F]: ...


def background(fn: Any = None, *, policy: Policy = "allow") -> Any:
    """Mark an ``async`` method as a background task; its signature is kept for type checkers.

    ``policy`` says what starting it does while a run is already going: ``"allow"`` (run both,
    as Reflex does), ``"skip"`` (keep the running one), ``"replace"`` (cancel it and start anew)
    or ``"queue"`` (start after it finishes).
    """
    if policy not in POLICIES:
        raise ValueError(f"background policy must be one of {POLICIES}, not {policy!r}")

    def mark(f: Any) -> Any:
        if not callable(f):
            raise TypeError(f"@background decorates an async method, not {f!r}")
        if classify(f) not in ("async", "asyncgen"):
            raise StateDefinitionError(
                f"{f.__qualname__} is marked as a background task but is not async. Write "
                f"`async def {f.__name__}(self): ...` and change state inside `async with self:`"
            )
        setattr(f, _BG_MARK, policy)
        return f

    return mark(fn) if fn is not None else mark


@overload
def event(fn: F, *, background: bool = False, policy: Policy = "allow") -> F: ...


@overload
def event(
    fn: None = None, *, background: bool = False, policy: Policy = "allow"
) -> Callable[[F], F]: ...


def event(fn: Any = None, *, background: bool = False, policy: Policy = "allow") -> Any:
    """Declare an event handler; ``background=True`` makes it a background task.

    The method's signature is kept for type checkers.
    """

    def mark(f: Any) -> Any:
        if background:
            return _background_mark(f, policy=policy)
        return f

    return mark(fn) if fn is not None else mark


_background_mark = background


class EventHandler(Generic[P]):
    """A reference to a handler of a State class, as ``MyState.handler`` gives it.

    Generic over the handler's parameters (without ``self``), so ``MyState.set_x(5)`` is
    checked against ``set_x``'s signature (with the ``nbstate.mypy`` plugin).
    """

    __slots__ = ("info", "state_cls")

    def __init__(self, state_cls: type, info: HandlerInfo) -> None:
        self.state_cls = state_cls
        self.info = info

    @property
    def name(self) -> str:
        return self.info.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> EventSpec:
        if kwargs:
            raise TypeError(
                f"{self!r}: events pass arguments by position; write "
                f"{self.state_cls.__name__}.{self.info.name}(...) without keyword arguments"
            )
        return EventSpec(self, args)

    def __repr__(self) -> str:
        return f"EventHandler({self.state_cls.__name__}.{self.info.name})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EventHandler)
            and other.state_cls is self.state_cls
            and other.info.name == self.info.name
        )

    def __hash__(self) -> int:
        return hash((self.state_cls, self.info.name))


class EventSpec:
    """A handler reference with arguments: ``MyState.set_x(5)``."""

    __slots__ = ("args", "handler")

    def __init__(self, handler: EventHandler[Any], args: tuple[Any, ...]) -> None:
        self.handler = handler
        self.args = args

    def __repr__(self) -> str:
        args = ", ".join(repr(a) for a in self.args)
        return f"EventSpec({self.handler.state_cls.__name__}.{self.handler.name}({args}))"

    def __await__(self) -> Any:
        raise BackgroundCallError(
            f"{self!r} is an event reference, not a coroutine. To run it from a handler, "
            f"`return` or `yield` it; from a cell, `await nbstate.fire({self!r})`"
        )


class BoundBackground:
    """What ``state.my_task`` gives on an instance: returnable, but not callable."""

    __slots__ = ("info", "state")

    def __init__(self, state: Any, info: HandlerInfo) -> None:
        self.state = state
        self.info = info

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        q = self.info.qualname
        raise BackgroundCallError(
            f"{q} is a background task and cannot be called directly. From an event handler, "
            f"write `return {q}` (or `yield {q}`); with arguments, `return {q}(...)`. "
            f"From a cell, start it with `nbstate.start({q})`."
        )

    def __repr__(self) -> str:
        return f"<background task {self.info.qualname}>"


class HandlerDescriptor:
    """Class attribute for a handler: EventHandler on the class, bound method on instances."""

    __slots__ = ("info", "ref_cache")

    def __init__(self, info: HandlerInfo) -> None:
        self.info = info
        self.ref_cache: dict[type, EventHandler[Any]] = {}

    def __get__(self, inst: Any, cls: type | None = None) -> Any:
        if inst is None:
            assert cls is not None
            ref = self.ref_cache.get(cls)
            if ref is None:
                ref = self.ref_cache[cls] = EventHandler(cls, self.info)
            return ref
        if self.info.background:
            return BoundBackground(inst, self.info)
        return self.info.fn.__get__(inst, type(inst))
