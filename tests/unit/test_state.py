"""Declaring State classes: vars, defaults, names, reprs, default instances."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest

import nbstate as rx
from nbstate import StateDefinitionError
from nbstate._vars.expr import Var


class Todo(rx.State):
    items: list[str] = []
    tags: dict[str, int] = {}
    count: int = 0
    ratio: float = 0.5
    name: str = "x"
    done: bool = False
    _secret: str = "hidden-value"
    LIMIT: ClassVar[int] = 3

    def add(self, item: str) -> None:
        self.items.append(item)


def test_class_attribute_is_var_and_instance_attribute_is_value() -> None:
    """On the class a var is a Var reference; on an instance it is the plain value."""
    assert isinstance(Todo.count, Var)
    assert repr(Todo.count) == "Var(Todo.count)"
    assert Todo().count == 0
    assert Todo.LIMIT == 3


def test_mutable_defaults_are_copied_per_instance() -> None:
    """Two instances never share a mutable default."""
    a, b = Todo(), Todo()
    a.items.append("x")
    a.tags["k"] = 1
    assert b.items == [] and b.tags == {}
    assert Todo().items == []


def test_implicit_defaults_from_annotation() -> None:
    """A var without a default gets the empty value of its type."""

    class S(rx.State):
        a: int
        b: str
        c: list[int]
        d: int | None

    s = S()
    assert (s.a, s.b, s.c, s.d) == (0, "", [], None)


def test_repr_is_stable_and_hides_backend_vars() -> None:
    """repr shows public vars only, with no memory address."""
    r = repr(Todo())
    assert r == "Todo(items=[], tags={}, count=0, ratio=0.5, name='x', done=False)"
    assert "hidden-value" not in r


def test_constructor_sets_vars_and_refuses_unknown_names() -> None:
    """Instances can start from given values; unknown names are an error."""
    assert Todo(count=3).count == 3
    with pytest.raises(TypeError, match="unknown var"):
        Todo(cnt=3)


def test_unknown_attribute_assignment_is_refused_with_hint() -> None:
    """Assigning an undeclared name fails loudly and suggests the declared one."""
    t = Todo()
    with pytest.raises(AttributeError, match="Did you mean 'count'"):
        t.cuont = 1


def test_user_names_are_not_shadowed_by_machinery() -> None:
    """Vars and handlers may use names like reset, dict, get, set, keys, open, log."""

    class S(rx.State):
        keys: list[str] = []
        log: list[str] = []
        open: bool = False
        dict: int = 1
        vars: int = 2

        def reset(self) -> None:
            self.log.append("reset")

        def get(self) -> None:
            self.open = True

    s = S()
    s.reset()
    s.get()
    assert s.log == ["reset"] and s.open is True and s.dict == 1 and s.vars == 2
    m = rx.model(s)
    assert m.v_keys == [] and m.v_open is True


@pytest.mark.parametrize(
    "body",
    [
        "_nbstate_x: int = 0",
        "x: int = 0\n    set_x: int = 1",
        "bad: int = 0\n    def bad(self): pass",
        "obj: object = object()",
    ],
)
def test_names_that_cannot_work_are_refused_at_definition(body: str) -> None:
    """Reserved, mangled, clashing or unsendable vars fail when the class is defined."""
    code = f"class S(rx.State):\n    {body}\n"
    with pytest.raises(StateDefinitionError):
        exec(code, {"rx": rx})


def test_user_defined_setter_wins_over_auto_setter() -> None:
    """A user's own set_<var> is used instead of the automatic one."""

    class S(rx.State):
        x: int = 0

        def set_x(self, value: int) -> None:
            self.x = value * 10

    s = S()
    s.set_x(2)
    assert s.x == 20


def test_auto_setter_coerces_and_leaves_var_on_error() -> None:
    """set_<var> converts "7" to 7 and refuses "abc" without changing the var."""
    s = Todo()
    s.set_count("7")
    assert s.count == 7
    s.set_ratio("7.5")
    assert s.ratio == 7.5
    s.set_done("true")
    assert s.done is True
    with pytest.raises(rx.CoercionError, match=r"Todo\.count.*'abc'.*int"):
        s.set_count("abc")
    assert s.count == 7


def test_default_instance_is_one_per_class() -> None:
    """get_state returns the same default instance each time; new instances are independent."""
    a = rx.get_state(Todo)
    assert rx.get_state(Todo) is a
    other = Todo()
    other.count = 9
    assert a.count == 0


def test_inherited_vars_and_handlers() -> None:
    """A subclass keeps its parent's vars and handlers and may add more."""

    class Base(rx.State):
        a: int = 1

        def bump(self) -> None:
            self.a += 1

    class Child(Base):
        b: int = 2

    c = Child()
    c.bump()
    assert (c.a, c.b) == (2, 2)
    assert "set_b" in Child._nbstate_meta.handlers and "bump" in Child._nbstate_meta.handlers


@dataclasses.dataclass
class Point:
    x: int = 0
    y: int = 0


def test_dataclass_var_default_is_copied() -> None:
    """Dataclass defaults are deep-copied per instance."""

    class S(rx.State):
        p: Point = Point()

    a, b = S(), S()
    a.p.x = 5
    assert b.p.x == 0 and a.p == Point(5, 0)


def test_sync_background_is_refused_at_definition() -> None:
    """@background and @event(background=True) on a sync function are errors."""
    with pytest.raises(StateDefinitionError, match="not async"):

        class A(rx.State):
            @rx.background
            def t(self) -> None:
                pass

    with pytest.raises(StateDefinitionError, match="not async"):

        class B(rx.State):
            @rx.event(background=True)
            def t(self) -> None:
                pass


def test_var_in_python_bool_context_raises_helpful_error() -> None:
    """Using a Var as a bool names cond and the &, |, ~ operators."""
    with pytest.raises(TypeError, match=r"rx\.cond.*&.*\|.*~"):
        bool(Todo.done)
    with pytest.raises(TypeError, match="cond"):
        _ = Todo.done and Todo.count
