"""Coercion of frontend input to declared types."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Literal, Optional

import pytest

from nbstate import CoercionError
from nbstate._values.coerce import coerce


@pytest.mark.parametrize(
    ("value", "tp", "expected"),
    [
        ("7", int, 7),
        (7.0, int, 7),
        (" 42 ", int, 42),
        ("7.0", int, 7),
        ("7.5", float, 7.5),
        (3, float, 3.0),
        ("1e3", float, 1000.0),
        ("true", bool, True),
        ("False", bool, False),
        ("on", bool, True),
        (0, bool, False),
        (5, str, "5"),
        ("x", str, "x"),
        (None, Optional[int], None),  # noqa: UP045
        ("3", Optional[int], 3),  # noqa: UP045
        ("3", int | None, 3),
        (["1", "2"], list[int], [1, 2]),
        ({"a": "1"}, dict[str, int], {"a": 1}),
        (["a", "b"], set[str], {"a", "b"}),
        ([1, "2"], tuple[int, int], (1, 2)),
        ("b", Literal["a", "b"], "b"),
        ("2", Literal[1, 2], 2),
        ({"x": 1}, Any, {"x": 1}),
    ],
)
def test_coerces_valid_input(value: Any, tp: Any, expected: Any) -> None:
    """Valid frontend values become the declared type."""
    result = coerce(value, tp, what="S.v")
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "tp"),
    [
        ("abc", int),
        ("7.5", int),
        (7.5, int),
        (True, int),
        ("x", float),
        ("nan", float),
        ("maybe", bool),
        (2, bool),
        ([1], str),
        ("c", Literal["a", "b"]),
        (["x"], list[int]),
        ("1", list[int]),
        ({"a": "x"}, dict[str, int]),
        ([1, 2, 3], tuple[int, int]),
        (None, int),
    ],
)
def test_rejects_input_it_cannot_convert(value: Any, tp: Any) -> None:
    """Unconvertible input raises CoercionError."""
    with pytest.raises(CoercionError):
        coerce(value, tp, what="S.v")


def test_error_names_var_value_and_type() -> None:
    """The message names what was being set, the bad value and the expected type."""
    with pytest.raises(CoercionError) as info:
        coerce("abc", int, what="Form.age")
    msg = str(info.value)
    assert "Form.age" in msg and "'abc'" in msg and "int" in msg


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


def test_enum_and_dataclass() -> None:
    """Enums convert from value or name; dataclasses from dicts with coerced fields."""
    assert coerce("red", Color, what="v") is Color.RED
    assert coerce("BLUE", Color, what="v") is Color.BLUE
    assert coerce({"x": "3"}, Point, what="v") == Point(3, 0)
    with pytest.raises(CoercionError):
        coerce({"x": 1, "z": 2}, Point, what="v")
