"""Kernel-level fixtures: one real kernel per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import KernelFrontend


@pytest.fixture
def kernel() -> Iterator[KernelFrontend]:
    """A fresh ipykernel with nbstate importable, shut down after the test."""
    k = KernelFrontend()
    try:
        yield k
    finally:
        k.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/kernel" in str(item.fspath):
            item.add_marker(pytest.mark.kernel)
