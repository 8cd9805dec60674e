"""What users' type checkers see: mypy with the nbstate plugin over tests/typing/."""

from __future__ import annotations

import pathlib
import re
import tempfile

import pytest
from mypy import api

from ..examples import design_example

HERE = pathlib.Path(__file__).resolve().parents[1] / "typing"
ROOT = HERE.parents[1]

pytestmark = pytest.mark.timeout(300)


def _mypy(config: str, *files: str) -> list[str]:
    with tempfile.TemporaryDirectory() as cache:
        out, err, _status = api.run(
            ["--config-file", str(HERE / config), "--cache-dir", cache, "--no-color-output"]
            + [str(HERE / f) for f in files]
        )
    assert not err.strip(), err
    return [line for line in out.splitlines() if ".py:" in line]


def _short(type_text: str) -> str:
    """'nbstate._vars.expr.Var[builtins.int]' -> 'Var[int]'."""
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", type_text)


def _expected(file: str, marker: str) -> dict[int, str]:
    lines = (HERE / file).read_text().splitlines()
    return {
        n: line.split(marker, 1)[1].strip()
        for n, line in enumerate(lines, 1)
        if marker in line
    }


def test_the_design_example_in_tests_typing_is_the_notebooks() -> None:
    """tests/typing/design_example.py is the DESIGN example, unchanged."""
    text = (HERE / "design_example.py").read_text()
    assert design_example().strip() in text


@pytest.fixture(scope="module")
def strict_output() -> list[str]:
    return _mypy("mypy.ini", "reveal.py", "errors.py")


def test_the_design_example_type_checks() -> None:
    """mypy with the plugin finds nothing wrong in the DESIGN example."""
    assert _mypy("mypy-example.ini", "design_example.py") == []


def test_revealed_types_are_what_users_expect(strict_output: list[str]) -> None:
    """MyState.counter is Var[int], state.counter int, handlers EventHandler[...], and so on."""
    revealed = {}
    for line in strict_output:
        match = re.match(r".*reveal\.py:(\d+): note: Revealed type is \"(.*)\"", line)
        if match:
            revealed[int(match.group(1))] = _short(match.group(2))
    expected = _expected("reveal.py", "  # ")
    source = (HERE / "reveal.py").read_text().splitlines()
    expected = {n: e for n, e in expected.items() if "reveal_type" in source[n - 1]}
    assert revealed == expected
    assert not [line for line in strict_output if "reveal.py" in line and "error:" in line]


def test_mistakes_are_reported(strict_output: list[str]) -> None:
    """A typo, a wrong type and a bad event argument are errors, each on its own line."""
    errors = {}
    for line in strict_output:
        match = re.match(r".*errors\.py:(\d+): error: (.*?)  \[", line)
        if match:
            errors[int(match.group(1))] = match.group(2)
    expected = _expected("errors.py", "# E: ")
    assert set(errors) == set(expected), (errors, expected)
    for n, message in expected.items():
        assert message in errors[n], (n, errors[n])
