"""Kernel-level fixtures: one real kernel per test, and the reliability suite's figures."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from .harness import KernelFrontend

FIGURES = pytest.StashKey[list[tuple[str, str, str]]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: the reliability suite (run alone with -m reliability)"
    )
    config.stash[FIGURES] = []


@pytest.fixture
def kernel() -> Iterator[KernelFrontend]:
    """A fresh ipykernel with nbstate importable, shut down after the test."""
    k = KernelFrontend()
    try:
        yield k
    finally:
        k.close()


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Callable[[str, object, object], None]:
    """``figure(measure, value, expected)`` records a line for the suite's summary table."""

    def record(measure: str, value: object, expected: object) -> None:
        request.config.stash[FIGURES].append((measure, str(value), str(expected)))

    return record


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/kernel" in str(item.fspath):
            item.add_marker(pytest.mark.kernel)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    rows = terminalreporter.config.stash.get(FIGURES, [])
    if not rows:
        return
    terminalreporter.section("nbstate reliability figures")
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    terminalreporter.write_line(f"{'measure'.ljust(width)}  {'figure'.rjust(vwidth)}  expected")
    for measure, value, expected in rows:
        terminalreporter.write_line(f"{measure.ljust(width)}  {value.rjust(vwidth)}  {expected}")
