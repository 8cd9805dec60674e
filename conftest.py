"""Session set-up for the whole pytest run (tests/ and the notebooks checked by nbval).

The shared-state notebooks (notebooks/08*) need a Redis server: unless ``NBSTATE_REDIS_URL`` is
already set, a private ``redis-server`` (no persistence, a free port) runs for the session, and
the kernels that nbval and the browser tests' Jupyter servers start inherit its URL. (Tests of
shared states start servers of their own.) A missing ``redis-server`` fails the run with the fix.
"""

from __future__ import annotations

import os

import pytest

from tests.shared.redis_server import RedisServer, RedisServerMissing

_server: RedisServer | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _server
    if os.environ.get("NBSTATE_REDIS_URL"):
        return
    try:
        _server = RedisServer()
    except RedisServerMissing as exc:
        raise pytest.UsageError(str(exc)) from None
    _server.start()
    os.environ["NBSTATE_REDIS_URL"] = _server.url


def pytest_unconfigure(config: pytest.Config) -> None:
    global _server
    if _server is not None:
        os.environ.pop("NBSTATE_REDIS_URL", None)
        _server.close()
        _server = None
