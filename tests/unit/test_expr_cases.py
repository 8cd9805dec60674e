"""The shared expression cases (js/tests/fixtures/expr/cases.json) through the Python evaluator.

vitest runs the same file through js/src/expr.ts (js/tests/expr-cases.test.ts), so the two
evaluators give the same answers, and every op of the catalogue has a case.
"""

from __future__ import annotations

import json
import math
import pathlib
from typing import Any

import pytest

from nbstate._ui.catalog import OPS
from nbstate._ui.evaluate import Env, ExprError, evaluate
from nbstate._values.jsondata import from_wire

CASES_FILE = pathlib.Path(__file__).resolve().parents[2] / "js/tests/fixtures/expr/cases.json"
DATA = json.loads(CASES_FILE.read_text())
CASES: list[dict[str, Any]] = DATA["cases"]


def _env(case: dict[str, Any]) -> Env:
    raw = {**DATA["env"], **case.get("env", {})}
    event = raw.get("event")
    return Env(
        states=[from_wire(s) for s in raw.get("states", [])],
        args=from_wire(raw.get("args", {})),
        event=None if event is None else from_wire(event),
    )


def same(got: Any, want: Any) -> bool:
    """JSON-value equality where bools are not numbers, ints and floats are one kind (as in
    the browser) and nan equals nan."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, (int, float)):
        if not isinstance(got, (int, float)):
            return False
        return (math.isnan(got) and math.isnan(want)) or got == want
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(same, got, want))
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(want)
            and all(same(got[k], want[k]) for k in want)
        )
    return type(got) is type(want) and got == want


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    env = _env(case)
    if "error" in case:
        with pytest.raises(ExprError) as info:
            evaluate(case["expr"], env)
        assert str(info.value) == case["error"]
    else:
        got = evaluate(case["expr"], env)
        assert same(got, from_wire(case["expect"])), got


def test_every_op_has_a_case() -> None:
    tops = {c["expr"]["op"] for c in CASES if isinstance(c["expr"], dict) and "op" in c["expr"]}
    assert set(OPS) - tops == set()


def test_case_names_are_unique() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
