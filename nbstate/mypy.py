"""A mypy plugin that tells mypy what a State class is.

Enable it in your mypy configuration::

    [tool.mypy]
    plugins = ["nbstate.mypy"]

With it, for ``class MyState(rx.State)`` with ``counter: int = 0`` and ``def inc(self, by: int)``:

- ``MyState.counter`` is ``Var[int]`` (a reference for components), ``state.counter`` an ``int``;
- ``MyState.inc`` is ``EventHandler[[int]]`` and ``MyState.inc(3)`` an ``EventSpec``, checked
  against ``inc``'s parameters; on an instance, ``state.inc`` stays the method;
- every public var ``x`` has ``set_x(value)``, as at run time (unless you wrote one);
- ``MyState.reset`` (the built-in handler, unless you wrote one) is ``EventHandler[[]]``.

Without the plugin mypy still checks instances (``state.countr = 3`` and ``x: str =
state.counter`` are errors), but sees ``MyState.counter`` as an ``int`` and knows no ``set_x``.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.nodes import (
    ARG_POS,
    Argument,
    Decorator,
    FuncDef,
    OverloadedFuncDef,
    TypeInfo,
)
from mypy.nodes import Var as VarNode
from mypy.plugin import AttributeContext, ClassDefContext, Plugin
from mypy.plugins.common import add_method_to_class
from mypy.types import (
    CallableType,
    Instance,
    NoneType,
    Parameters,
    PlaceholderType,
    Type,
    get_proper_type,
)

STATE = "nbstate._state.state.State"
VAR = "nbstate._vars.expr.Var"
HANDLER = "nbstate._state.handlers.EventHandler"


def _is_var(node: object) -> bool:
    return (
        isinstance(node, VarNode)
        and node.type is not None
        and not node.is_classvar
        and not node.is_property
        and not node.name.startswith("_nbstate")
    )


class NbstatePlugin(Plugin):
    """Class attributes of State subclasses are Vars and event handlers; setters exist."""

    def _state_info(self, fullname: str) -> TypeInfo | None:
        sym = self.lookup_fully_qualified(fullname)
        info = sym.node if sym is not None else None
        if isinstance(info, TypeInfo) and info.fullname != STATE and info.has_base(STATE):
            return info
        return None

    def get_class_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        owner, _, attr = fullname.rpartition(".")
        if attr.startswith("__"):
            return None
        info = self._state_info(owner)
        sym = info.get(attr) if info is not None else None  # the class's own, or inherited
        if sym is None:
            return None
        node = sym.node
        if getattr(node, "info", None) is self._info(STATE) or (
            isinstance(node, Decorator) and node.func.info is self._info(STATE)
        ):
            # The base class's own names; of them, only reset is an event handler.
            if attr != "reset":
                return None
            handler_info = self._info(HANDLER)
            return lambda ctx: Instance(handler_info, [Parameters([], [], [])])
        if _is_var(node):
            assert isinstance(node, VarNode) and node.type is not None
            declared = node.type
            var_info = self._info(VAR)
            return lambda ctx: Instance(var_info, [declared])
        if attr.startswith("_") or not isinstance(node, (FuncDef, Decorator, OverloadedFuncDef)):
            return None
        handler_info = self._info(HANDLER)
        return lambda ctx: _handler_reference(ctx, handler_info)

    def _info(self, fullname: str) -> TypeInfo:
        sym = self.lookup_fully_qualified(fullname)
        assert sym is not None and isinstance(sym.node, TypeInfo), fullname
        return sym.node

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        sym = self.lookup_fully_qualified(fullname)
        info = sym.node if sym is not None else None
        if isinstance(info, TypeInfo) and (info.fullname == STATE or info.has_base(STATE)):
            return _add_setters
        return None


def _handler_reference(ctx: AttributeContext, handler: TypeInfo) -> Type:
    """``MyState.handler``: an EventHandler over the handler's parameters without ``self``."""
    default = get_proper_type(ctx.default_attr_type)
    if not isinstance(default, CallableType) or not default.arg_types:
        return ctx.default_attr_type  # a descriptor (a computed var gives Var[T] itself)
    params = Parameters(default.arg_types[1:], default.arg_kinds[1:], default.arg_names[1:])
    return Instance(handler, [params])


def _add_setters(ctx: ClassDefContext) -> None:
    """Every public var ``x`` gets ``set_x(value)``, unless the class defines one."""
    info = ctx.cls.info
    for name, sym in list(info.names.items()):
        node = sym.node
        if name.startswith("_") or not _is_var(node):
            continue
        assert isinstance(node, VarNode) and node.type is not None
        if isinstance(get_proper_type(node.type), PlaceholderType):
            if not ctx.api.final_iteration:
                ctx.api.defer()
                return
            continue
        setter = f"set_{name}"
        if setter in info.names:
            continue
        value = Argument(VarNode("value", node.type), node.type, None, ARG_POS)
        add_method_to_class(ctx.api, ctx.cls, setter, args=[value], return_type=NoneType())


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls."""
    return NbstatePlugin


__all__ = ["NbstatePlugin", "plugin"]
