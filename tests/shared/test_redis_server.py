"""The test infrastructure itself: the redis-server helper restarts on its port, empty, and a
missing binary fails with the fix instead of skipping."""

from __future__ import annotations

import pytest

from . import redis_server as rs
from .conftest import start_redis_or_fail


def test_restart_keeps_the_port_and_loses_every_key() -> None:
    with rs.RedisServer() as server:
        client = server.client()
        client.set("k", "v")
        port, pid = server.port, server.pid
        server.restart(down_for=0.1)
        assert server.port == port and server.pid != pid and server.running
        assert client.get("k") is None  # no persistence; the old client reconnects
        assert server.client().config_get("save") == {"save": ""}
        assert server.client().config_get("appendonly") == {"appendonly": "no"}
    assert not server.running and not server.dir.exists()


def test_a_missing_redis_server_fails_and_says_to_run_setup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rs.shutil, "which", lambda name: None)
    monkeypatch.setattr(rs.Path, "is_file", lambda self: False)
    with pytest.raises(pytest.fail.Exception, match=r"scripts/setup\.sh"):
        start_redis_or_fail()
