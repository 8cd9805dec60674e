"""nbstate.testing, as a user's own test suite gets it: registered by entry point."""

from __future__ import annotations

import pytest

USER_TESTS = '''
import asyncio
import nbstate as rx


class Counter(rx.State):
    n: int = 0

    def inc(self):
        self.n += 1

    @rx.background
    async def later(self):
        await asyncio.sleep(0.01)
        async with self:
            self.n = 100


async def test_first(nbstate_app):
    await rx.fire(Counter.inc)
    assert rx.get_state(Counter).n == 1


async def test_second_starts_clean(nbstate_app):
    rx.fire(Counter.inc)
    rx.fire(Counter.inc)
    await rx.idle()
    assert rx.get_state(Counter).n == 2
    rx.start(Counter.later)
    await rx.wait_until(lambda: rx.get_state(Counter).n == 100, timeout=2)


async def test_wait_until_says_what_it_saw(nbstate_app):
    try:
        await rx.wait_until(lambda: rx.get_state(Counter).n, timeout=0.05)
    except TimeoutError as exc:
        assert "last returned 0" in str(exc)
    else:
        raise AssertionError("wait_until did not time out")
'''


def test_the_plugin_gives_each_test_a_clean_app(pytester: pytest.Pytester) -> None:
    """A user's tests, each on its own loop, get the fixture by entry point and pass."""
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
