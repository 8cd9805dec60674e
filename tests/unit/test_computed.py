"""Computed vars: cached, recomputed only when what they read changes, and synced; or
uncached (cache=False), or with declared dependencies (deps=[...])."""

from __future__ import annotations

from typing import Any

import pytest

import nbstate as rx

from .conftest import Wire


class C(rx.State):
    a: int = 1
    b: int = 10
    items: list[int] = []
    calls: int = 0
    _factor: int = 2

    @rx.var
    def double(self) -> int:
        C.counts["double"] += 1
        return self.a * self._factor

    @rx.var
    def quad(self) -> int:
        C.counts["quad"] += 1
        return self.double * 2

    @rx.var
    def total(self) -> int:
        return sum(self.items)


C.counts = {"double": 0, "quad": 0}  # type: ignore[attr-defined]


def test_computed_is_cached_and_recomputed_only_on_dependency_change() -> None:
    """Reading twice computes once; changing an unrelated var does not recompute."""
    C.counts.update(double=0, quad=0)  # type: ignore[attr-defined]
    s = C()
    assert s.double == 2 and s.double == 2
    assert C.counts["double"] == 1  # type: ignore[attr-defined]
    s.b = 11
    assert s.double == 2 and C.counts["double"] == 1  # type: ignore[attr-defined]
    s.a = 3
    assert s.double == 6 and C.counts["double"] == 2  # type: ignore[attr-defined]
    assert s.quad == 12


def test_computed_follows_nested_computed_and_backend_vars() -> None:
    """A computed var reading another computed var or a backend var updates through both."""
    s = C()
    assert s.quad == 4
    s._factor = 5
    assert s.double == 5 and s.quad == 10


def test_computed_is_synced(wire: Wire) -> None:
    """Computed vars are traits and their changes go out with the change that caused them."""
    s = C()
    m = rx.model(s)
    assert m.v_double == 2 and m.v_total == 0
    wire.clear()
    s.a = 4
    [update] = wire.updates()
    assert update == {"v_a": 4, "v_double": 8, "v_quad": 16}
    wire.clear()
    s.items.append(5)
    assert wire.updates() == [{"v_total": 5}]
    assert wire.customs() == [
        {"kind": "patch", "var": "items", "ops": [{"op": "append", "path": [], "value": 5}]}
    ]
    wire.clear()
    s.b = 0
    assert wire.updates() == [{"v_b": 0}]


def test_computed_cannot_be_assigned() -> None:
    """Assigning a computed var is an error that says what to do."""
    s = C()
    try:
        s.double = 3
    except AttributeError as exc:
        assert "computed var" in str(exc)
    else:
        raise AssertionError("assignment should fail")


# -- @rx.var(cache=False) ---------------------------------------------------------------------

CLOCK = {"t": 0}


class Live(rx.State):
    a: int = 1
    _b: int = 0

    @rx.var(cache=False)
    def now(self) -> int:
        Live.calls += 1
        return CLOCK["t"] + self.a

    @rx.var
    def later(self) -> int:  # cached, but reads an uncached var
        return self.now + 100


Live.calls = 0  # type: ignore[attr-defined]


def test_uncached_var_is_computed_at_every_read() -> None:
    """cache=False computes again at each read, so it sees what no var tracks."""
    s = Live()
    Live.calls = 0  # type: ignore[attr-defined]
    assert s.now == 1 and s.now == 1
    assert Live.calls == 2  # type: ignore[attr-defined]
    CLOCK["t"] = 5
    assert s.now == 6
    CLOCK["t"] = 0


def test_uncached_var_is_sent_at_every_commit_of_its_state(wire: Wire) -> None:
    """At each commit of its state (even of a backend var) it is computed again and sent when
    its value changed; vars that read it follow."""
    s = Live()
    m = rx.model(s)
    assert (m.v_now, m.v_later) == (1, 101)
    wire.clear()
    CLOCK["t"] = 10
    s._b = 1  # a commit that changes nothing the browser sees, except through `now`
    assert wire.updates() == [{"v_now": 11, "v_later": 111}]
    wire.clear()
    s._b = 2  # computed again, unchanged: nothing is sent
    assert wire.updates() == []
    s.a = 2
    assert wire.updates() == [{"v_a": 2, "v_now": 12, "v_later": 112}]
    assert (m.v_now, m.v_later, s.later) == (12, 112, 112)
    CLOCK["t"] = 0


def test_uncached_var_follows_another_states_vars(wire: Wire) -> None:
    """A var it reads in another state is tracked as usual: a change there sends it."""

    class Src(rx.State):
        x: int = 1

    class Reader(rx.State):
        @rx.var(cache=False)
        def doubled(self) -> int:
            return rx.get_state(Src).x * 2

    r = Reader()
    m = rx.model(r)
    assert m.v_doubled == 2
    rx.get_state(Src).x = 4
    assert m.v_doubled == 8 and r.doubled == 8


# -- @rx.var(deps=[...]) ----------------------------------------------------------------------


class Declared(rx.State):
    a: int = 1
    b: int = 2
    _k: int = 3

    @rx.var(deps=["a", "_k"])
    def summary(self) -> str:
        Declared.calls += 1
        return f"{self.a}/{self.b}/{self._k}"

    @rx.var(deps=["summary"])
    def loud(self) -> str:
        return self.summary.upper() + "!"


Declared.calls = 0  # type: ignore[attr-defined]


def test_declared_deps_replace_tracking(wire: Wire) -> None:
    """A var with deps= is recomputed only when a listed var changes, not when another var
    it reads does; a listed computed var or backend var counts."""
    s = Declared()
    m = rx.model(s)
    Declared.calls = 0  # type: ignore[attr-defined]
    assert (s.summary, s.loud) == ("1/2/3", "1/2/3!")
    wire.clear()
    s.b = 20  # read, but not declared: the cached value stays
    assert s.summary == "1/2/3" and Declared.calls == 0  # type: ignore[attr-defined]
    assert wire.updates() == [{"v_b": 20}]
    s.a = 5
    assert wire.updates()[-1] == {"v_a": 5, "v_summary": "5/20/3", "v_loud": "5/20/3!"}
    s._k = 7
    assert (s.summary, s.loud, m.v_loud) == ("5/20/7", "5/20/7!", "5/20/7!")
    assert Declared.calls == 2  # type: ignore[attr-defined]


def test_deps_may_name_inherited_vars() -> None:
    class Base(rx.State):
        a: int = 1

    class Sub(Base):
        @rx.var(deps=["a"])
        def twice(self) -> int:
            return self.a * 2

    s = Sub()
    assert s.twice == 2
    s.a = 3
    assert s.twice == 6


def test_unknown_deps_are_refused_when_the_class_is_made() -> None:
    """A dep that is not a var of the state names itself and the vars there are."""
    with pytest.raises(rx.StateDefinitionError) as info:

        class Bad(rx.State):
            count: int = 0
            _hidden: int = 0

            @rx.var(deps=["cuont"])
            def label(self) -> str:
                return str(self.count)

    text = str(info.value)
    assert "Bad.label" in text and "'cuont'" in text
    assert "_hidden, count" in text

    with pytest.raises(rx.StateDefinitionError, match="lists itself"):

        class Loop(rx.State):
            @rx.var(deps=["me"])
            def me(self) -> int:
                return 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"deps": "a"}, "list of var names"),
        ({"deps": 3}, "list of var names"),
        ({"deps": [C.a]}, "as strings"),
        ({"cache": "no"}, "True or False"),
        ({"cache": False, "deps": ["a"]}, "one or the other"),
    ],
)
def test_bad_options_are_type_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        rx.var(**kwargs)


def test_options_are_keywords() -> None:
    with pytest.raises(TypeError, match="options are keywords"):
        rx.var(False)  # type: ignore[call-overload]
