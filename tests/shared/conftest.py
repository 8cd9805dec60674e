"""Fixtures for the shared-state tests: one real ``redis-server`` per session (see
``redis_server.py``), started on a free port, stopped at the end.

A missing ``redis-server`` fails the tests (it never skips them): run ``scripts/setup.sh``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .redis_server import RedisServer, RedisServerMissing


def start_redis_or_fail() -> RedisServer:
    """A started server; a missing binary fails the calling test with the fix."""
    try:
        server = RedisServer()
    except RedisServerMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    server.start()
    return server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server for the whole session; tests keep their keys apart (a key per
    state class) or flush it themselves. A test that stops it must start it again."""
    server = start_redis_or_fail()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_up(redis_server: RedisServer) -> RedisServer:
    """The session's server, started again if a previous test left it stopped."""
    if not redis_server.running:
        redis_server.start()
    return redis_server


def kernel_env(server: RedisServer, **extra: str) -> dict[str, str]:
    """The environment of a kernel that shares states through ``server``
    (``NBSTATE_REDIS_URL``), on top of this process's environment."""
    env = dict(os.environ)
    env["NBSTATE_REDIS_URL"] = server.url
    env.update(extra)
    return env
