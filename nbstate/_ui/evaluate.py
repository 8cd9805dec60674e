"""Evaluating a view's expression trees in Python, by the rules of the browser's evaluator.

A view's JSON tree (what ``_Builder`` writes) holds expressions ``{"op": ...}``; the browser
evaluates them with ``js/src/expr.ts``. This module gives the same answers from Python, so a
static rendering of a view shows what the live view shows. The browser is the reference: numbers
are JavaScript doubles (``2.0`` and ``2`` are one number and print ``2``), containers print as
JSON with ``inf``/``-inf``/``nan`` spelled as Python does, and dict keys that look like array
indices come first, as ``Object.keys`` orders them. Errors are ``ExprError`` with the browser's
messages. ``js/tests/fixtures/expr/cases.json`` holds the cases both evaluators must agree on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from .._values.jsondata import from_wire


class ExprError(Exception):
    """A malformed expression, an unknown op, or a Python type error in an expression."""


class Env:
    """What expressions read: each state's public values (by state index), loop variables and
    the values of the event being handled (None outside events). Values are decoded JSON."""

    __slots__ = ("args", "event", "states")  # not a dataclass: cheaper to define at import

    def __init__(
        self,
        states: Sequence[Mapping[str, Any]] = (),
        args: Mapping[str, Any] | None = None,
        event: Sequence[Any] | None = None,
    ) -> None:
        self.states = states
        self.args: Mapping[str, Any] = {} if args is None else args
        self.event = event

    def with_args(self, **args: Any) -> Env:
        return Env(self.states, {**self.args, **args}, self.event)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float))  # bool is an int


def _is_int(v: Any) -> bool:
    if isinstance(v, int):  # bool too
        return True
    return isinstance(v, float) and math.isfinite(v) and v == int(v)


def _float(v: Any) -> float:
    try:
        return float(v)
    except OverflowError:  # an int beyond doubles: the browser reads it as infinity
        return math.inf if v > 0 else -math.inf


def py_type(v: Any) -> str:
    if v is None:
        return "NoneType"
    if isinstance(v, bool):
        return "bool"
    if _is_num(v):
        return "int" if _is_int(v) else "float"
    if isinstance(v, str):
        return "str"
    return "list" if isinstance(v, list) else "dict"


def _num(v: Any, op: str) -> float:
    if _is_num(v):
        return _float(v)
    raise ExprError(f"unsupported operand type for '{op}': {py_type(v)}")


def truthy(v: Any) -> bool:
    """Python truthiness, as the browser computes it (nan is true)."""
    if v is None or v is False:
        return False
    if v is True:
        return True
    if _is_num(v):
        return bool(v != 0)
    if isinstance(v, (str, list, dict)):
        return len(v) > 0
    return True


def _index_key(k: str) -> bool:
    return k.isdigit() and k.isascii() and str(int(k)) == k and int(k) < 2**32 - 1


def js_keys(d: Mapping[str, Any]) -> list[str]:
    """A dict's keys in ``Object.keys`` order: array-index keys ascending, then the others."""
    keys = list(d)
    idx = sorted((k for k in keys if _index_key(k)), key=int)
    return idx + [k for k in keys if not _index_key(k)]


def number_text(x: float) -> str:
    """JavaScript's ``String(x)`` for a number (finite or not, spelled as Python)."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    _, digit_tuple, exp = Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    exp = int(exp) + len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = exp + k  # the value is 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def py_str(v: Any) -> str:
    """``str(v)`` as the browser shows it: True/False/None, numbers as JavaScript prints them,
    strings as they are, containers as compact JSON (with inf, -inf and nan)."""
    if v is None:
        return "None"
    if v is True:
        return "True"
    if v is False:
        return "False"
    if isinstance(v, str):
        return v
    if _is_num(v):
        return number_text(_float(v))
    return _json_text(v)


def _json_text(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if _is_num(v):
        return number_text(_float(v))
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(_json_text(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = js_keys(v)
        return (
            "{"
            + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _json_text(v[k]) for k in keys)
            + "}"
        )
    return json.dumps(str(v))


def py_eq(a: Any, b: Any) -> bool:
    """Python ``==`` as the browser computes it (``True == 1``; nan equals nothing)."""
    if _is_num(a) and _is_num(b):
        return _float(a) == _float(b)
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(py_eq(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        return all(k in b and py_eq(a[k], b[k]) for k in a)
    if isinstance(a, dict) or isinstance(b, dict):
        return False
    return type(a) is type(b) and a == b


def py_len(v: Any) -> int:
    if isinstance(v, (str, list, dict)):
        return len(v)
    raise ExprError(f"object of type '{py_type(v)}' has no len()")


def py_item(a: Any, key: Any) -> Any:
    """``a[key]`` with negative indices; anything missing is None."""
    if a is None:
        return None
    if isinstance(a, (list, str)):
        if not _is_int(key):
            if isinstance(a, list):
                return None
            raise ExprError(f"string indices must be integers, not '{py_type(key)}'")
        i = int(key)
        if i < 0:
            i += len(a)
        return a[i] if 0 <= i < len(a) else None
    if isinstance(a, dict):
        return a.get(key if isinstance(key, str) else py_str(key))
    raise ExprError(f"'{py_type(a)}' object is not subscriptable")


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def _compare(a: Any, b: Any, op: str) -> float:
    if _is_num(a) and _is_num(b):
        x, y = _float(a), _float(b)
        return -1 if x < y else 1 if x > y else 0 if x == y else math.nan
    if isinstance(a, str) and isinstance(b, str):
        ua, ub = _utf16(a), _utf16(b)  # the browser compares UTF-16 code units
        return -1 if ua < ub else 1 if ua > ub else 0
    if isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b, strict=False):
            if not py_eq(x, y):
                return _compare(x, y, op)
        return len(a) - len(b)
    raise ExprError(f"'{op}' not supported between instances of '{py_type(a)}' and '{py_type(b)}'")


_CMP: dict[str, tuple[str, Callable[[float], bool]]] = {
    "lt": ("<", lambda c: c < 0),
    "le": ("<=", lambda c: c <= 0),
    "gt": (">", lambda c: c > 0),
    "ge": (">=", lambda c: c >= 0),
}


MAX_REPEAT = 10_000_000
"""The longest sequence ``*`` may build (items, or UTF-16 code units of a string)."""


def _repeat(seq: Any, times: Any) -> Any:
    n = max(0, int(_float(times)))
    size = len(_utf16(seq)) // 2 if isinstance(seq, str) else len(seq)
    if size == 0 or n == 0:
        return seq[:0]
    if size * n > MAX_REPEAT:
        raise ExprError(f"sequence repetition too long (over {MAX_REPEAT} items)")
    return seq * n


def _add(a: Any, b: Any) -> Any:
    if _is_num(a) and _is_num(b):
        return _float(a) + _float(b)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    raise ExprError(f"unsupported operand types for +: '{py_type(a)}' and '{py_type(b)}'")


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, (str, list)) and _is_int(b):
        return _repeat(a, b)
    if isinstance(b, (str, list)) and _is_int(a):
        return _repeat(b, a)
    if _is_num(a) and _is_num(b):
        return _float(a) * _float(b)
    raise ExprError(f"unsupported operand types for *: '{py_type(a)}' and '{py_type(b)}'")


_ZERO = {"/": "division by zero", "//": "integer division or modulo by zero", "%": "modulo by zero"}


def _divisor(b: Any, op: str) -> float:
    y = _num(b, op)
    if y == 0:
        raise ExprError(_ZERO[op])
    return y


def _fmod(x: float, y: float) -> float:
    """C fmod, as JavaScript's ``%`` (nan where math.fmod would raise)."""
    if math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    return math.fmod(x, y)


def floordiv(a: Any, b: Any) -> float:
    """Python ``//`` on doubles, computed exactly as the browser does."""
    x = _num(a, "//")
    y = _divisor(b, "//")
    r = _fmod(x, y)
    q = (x - r) / y - (1 if r != 0 and (r < 0) != (y < 0) else 0)
    f = float(math.floor(q)) if math.isfinite(q) else q
    if q - f > 0.5:
        return f + 1
    return 0 if f == 0 else f


def mod(a: Any, b: Any) -> float:
    x = _num(a, "%")
    y = _divisor(b, "%")
    r = _fmod(x, y)
    return r + y if r != 0 and (r < 0) != (y < 0) else r


def _child(e: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    v = e.get(name)
    if not isinstance(v, dict) or not isinstance(v.get("op"), str):
        op = e.get("op")
        raise ExprError(f"malformed '{op}' expression: field '{name}' is not an expression")
    return v


def _safe_json(v: Any) -> str:
    try:
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)[:80]
    except (TypeError, ValueError):
        return str(v)


def _binary(op: str, a: Any, b: Any) -> Any:
    if op == "add":
        return _add(a, b)
    if op == "mul":
        return _mul(a, b)
    if op == "floordiv":
        return floordiv(a, b)
    if op == "mod":
        return mod(a, b)
    if op == "eq":
        return py_eq(a, b)
    if op == "ne":
        return not py_eq(a, b)
    symbol, test = _CMP[op]
    c = _compare(a, b, symbol)
    return False if math.isnan(c) else test(c)


_BINARY = {"add", "mul", "floordiv", "mod", "eq", "ne", *_CMP}


def evaluate(e: Any, env: Env) -> Any:
    """The value of the expression ``e`` in ``env``; ExprError as the browser would throw."""
    if not isinstance(e, dict) or not isinstance(e.get("op"), str):
        raise ExprError(f"not an expression: {_safe_json(e)}")
    op = e["op"]

    def ev(name: str) -> Any:
        return evaluate(_child(e, name), env)

    if op == "lit":
        return from_wire(e.get("v"))
    if op == "var":
        s, name = e.get("s"), e.get("name")
        if not _is_num(s) or isinstance(s, bool) or not isinstance(name, str):
            raise ExprError("malformed 'var' expression: needs a state index 's' and a 'name'")
        i = int(s)  # type: ignore[arg-type]  # a number, checked above
        return env.states[i].get(name) if 0 <= i < len(env.states) and i == s else None
    if op == "arg":
        name = e.get("name")
        if not isinstance(name, str):
            raise ExprError("malformed 'arg' expression: needs a 'name'")
        if name not in env.args:
            raise ExprError(f"'{name}' is not a foreach variable in scope")
        return env.args[name]
    if op == "event":
        if env.event is None:
            raise ExprError("'event' values exist only in event arguments")
        i = e.get("i", 0)
        if not _is_num(i) or isinstance(i, bool):
            i = 0
        ok = _is_int(i) and 0 <= i < len(env.event)
        return env.event[int(i)] if ok else None
    if op == "not":
        return not truthy(ev("a"))
    if op == "neg":
        return -_num(ev("a"), "unary -")
    if op == "and":
        a = ev("a")
        return ev("b") if truthy(a) else a
    if op == "or":
        a = ev("a")
        return a if truthy(a) else ev("b")
    if op in ("sub", "div"):  # the browser checks a's type before it evaluates b
        symbol = "-" if op == "sub" else "/"
        x = _num(ev("a"), symbol)
        return x - _num(ev("b"), "-") if op == "sub" else x / _divisor(ev("b"), "/")
    if op in _BINARY:
        return _binary(op, ev("a"), ev("b"))
    if op == "concat":
        parts = e.get("parts")
        if not isinstance(parts, list):
            raise ExprError("malformed 'concat' expression: needs 'parts'")
        return "".join(py_str(evaluate(p, env)) for p in parts)
    if op == "str":
        return py_str(ev("a"))
    if op == "length":
        return py_len(ev("a"))
    if op == "item":
        return py_item(ev("a"), ev("key"))
    if op == "cond":
        return ev("a") if truthy(ev("c")) else ev("b")
    raise ExprError(f"unknown expression op '{op}'")
