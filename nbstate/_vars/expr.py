"""Var expressions: references to state vars, combined with operators into small trees.

A Var is what ``MyState.counter`` gives on the class. Operators build new Vars whose trees the
browser evaluates with a fixed set of operations. Nothing here is evaluated in the kernel.

>>> from nbstate._vars.expr import Var
>>> v = Var({"op": "lit", "v": 2}) * 3 + 1
>>> v.tree()["op"]
'add'
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_BOOL_HINT = (
    "A Var is evaluated in the browser, so Python's `if`, `and`, `or` and `not` cannot test it "
    "when the UI is built. Use rx.cond(condition, a, b) to choose, and the operators "
    "`&` (and), `|` (or) and `~` (not) to combine conditions, e.g. "
    "rx.cond(~S.running & (S.count > 0), 'Start', 'Stop')."
)

_PLACEHOLDER = re.compile("\x00nbvar:(\\d+)\x00")
# Vars formatted into strings, by key. Temporary Vars (``f"{S.items.length()}"``) must outlive
# the f-string, so the registry holds them strongly, forgetting the oldest past a bound.
_placeholders: dict[int, Var[Any]] = {}
_MAX_PLACEHOLDERS = 50_000
_counter = itertools.count(1)


def to_tree(value: Any) -> dict[str, Any]:
    """The expression tree of a Var, or of a literal (strings may embed f-string Vars)."""
    if isinstance(value, Var):
        return value.tree()
    if isinstance(value, str) and "\x00nbvar:" in value:
        return _split_placeholders(value)
    return {"op": "lit", "v": value}


def _split_placeholders(text: str) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > pos:
            parts.append({"op": "lit", "v": text[pos : match.start()]})
        var = _placeholders.get(int(match.group(1)))
        if var is None:
            raise ValueError(
                "a string embeds a Var formatted too long ago to resolve; build f-strings with "
                "Vars where you pass them to a component"
            )
        parts.append(var.tree())
        pos = match.end()
    if pos < len(text):
        parts.append({"op": "lit", "v": text[pos:]})
    return {"op": "concat", "parts": parts}


def has_var(value: Any) -> bool:
    """True when ``value`` is a Var or a string that embeds one."""
    return isinstance(value, Var) or (isinstance(value, str) and "\x00nbvar:" in value)


class Var(Generic[T]):
    """A reference to state, or an expression over state, evaluated in the browser.

    ``Var[int]`` is what ``MyState.counter`` is on the class when ``counter: int`` (with the
    ``nbstate.mypy`` plugin, for type checkers).
    """

    __slots__ = ("__weakref__", "_name", "_tree")

    def __init__(self, tree: dict[str, Any], name: str | None = None) -> None:
        self._tree = tree
        self._name = name

    def tree(self) -> dict[str, Any]:
        """This expression as a JSON-ready tree (state references still Python objects)."""
        return self._tree

    def __repr__(self) -> str:
        return f"Var({self._name or _describe(self._tree)})"

    def __bool__(self) -> bool:
        raise TypeError(f"Cannot use {self!r} as a Python bool. {_BOOL_HINT}")

    def __iter__(self) -> Any:
        raise TypeError(
            f"Cannot iterate over {self!r} in Python: its items live in the browser. "
            "Use rx.foreach(var, lambda item: component) to render one component per item."
        )

    def __len__(self) -> int:
        raise TypeError(f"len({self!r}) cannot be known when the UI is built; use .length()")

    def __contains__(self, item: Any) -> bool:
        raise TypeError(f"`in` cannot test {self!r} when the UI is built. {_BOOL_HINT}")

    def __format__(self, spec: str) -> str:
        key = next(_counter)
        _placeholders[key] = self
        if len(_placeholders) > _MAX_PLACEHOLDERS:
            del _placeholders[next(iter(_placeholders))]
        return f"\x00nbvar:{key}\x00"

    def __str__(self) -> str:
        return repr(self)

    __hash__ = object.__hash__

    def _bin(self, op: str, other: Any, *, swap: bool = False) -> Var[Any]:
        a, b = self.tree(), to_tree(other)
        if swap:
            a, b = b, a
        return Var({"op": op, "a": a, "b": b})

    def __invert__(self) -> Var[bool]:
        return Var({"op": "not", "a": self.tree()})

    def __neg__(self) -> Var[Any]:
        return Var({"op": "neg", "a": self.tree()})

    def __and__(self, other: Any) -> Var[bool]:
        return self._bin("and", other)

    def __rand__(self, other: Any) -> Var[bool]:
        return self._bin("and", other, swap=True)

    def __or__(self, other: Any) -> Var[bool]:
        return self._bin("or", other)

    def __ror__(self, other: Any) -> Var[bool]:
        return self._bin("or", other, swap=True)

    def __eq__(self, other: Any) -> Var[bool]:  # type: ignore[override]
        return self._bin("eq", other)

    def __ne__(self, other: Any) -> Var[bool]:  # type: ignore[override]
        return self._bin("ne", other)

    def __lt__(self, other: Any) -> Var[bool]:
        return self._bin("lt", other)

    def __le__(self, other: Any) -> Var[bool]:
        return self._bin("le", other)

    def __gt__(self, other: Any) -> Var[bool]:
        return self._bin("gt", other)

    def __ge__(self, other: Any) -> Var[bool]:
        return self._bin("ge", other)

    def __add__(self, other: Any) -> Var[Any]:
        return self._bin("add", other)

    def __radd__(self, other: Any) -> Var[Any]:
        return self._bin("add", other, swap=True)

    def __sub__(self, other: Any) -> Var[Any]:
        return self._bin("sub", other)

    def __rsub__(self, other: Any) -> Var[Any]:
        return self._bin("sub", other, swap=True)

    def __mul__(self, other: Any) -> Var[Any]:
        return self._bin("mul", other)

    def __rmul__(self, other: Any) -> Var[Any]:
        return self._bin("mul", other, swap=True)

    def __truediv__(self, other: Any) -> Var[Any]:
        return self._bin("div", other)

    def __rtruediv__(self, other: Any) -> Var[Any]:
        return self._bin("div", other, swap=True)

    def __floordiv__(self, other: Any) -> Var[Any]:
        return self._bin("floordiv", other)

    def __rfloordiv__(self, other: Any) -> Var[Any]:
        return self._bin("floordiv", other, swap=True)

    def __mod__(self, other: Any) -> Var[Any]:
        return self._bin("mod", other)

    def __rmod__(self, other: Any) -> Var[Any]:
        return self._bin("mod", other, swap=True)

    def __getitem__(self, key: Any) -> Var[Any]:
        return Var({"op": "item", "a": self.tree(), "key": to_tree(key)})

    def length(self) -> Var[int]:
        """The length of a list, string or dict, evaluated in the browser."""
        return Var({"op": "length", "a": self.tree()})

    def to_string(self) -> Var[str]:
        """This value formatted as text, as Python's ``str`` would."""
        return Var({"op": "str", "a": self.tree()})


def _describe(tree: dict[str, Any]) -> str:
    op = tree.get("op")
    if op == "var":
        return f"{_state_label(tree['s'])}.{tree['name']}"
    if op == "lit":
        return repr(tree["v"])
    if op == "arg":
        return str(tree["name"])
    if op in ("not", "neg"):
        return f"{'~' if op == 'not' else '-'}{_describe(tree['a'])}"
    if op == "cond":
        return f"cond({_describe(tree['c'])}, {_describe(tree['a'])}, {_describe(tree['b'])})"
    if "a" in tree and "b" in tree:
        return f"({_describe(tree['a'])} {op} {_describe(tree['b'])})"
    return str(op)


def _state_label(ref: Any) -> str:
    if isinstance(ref, type):
        return ref.__name__
    return type(ref).__name__
