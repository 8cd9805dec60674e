"""Computed vars: cached, recomputed only when what they read changes, and synced."""

from __future__ import annotations

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
