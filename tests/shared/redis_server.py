"""A real ``redis-server`` for tests and benchmarks: a free localhost port, no persistence, its
own temporary directory, and a restart on the same port.

No pytest here, so the benchmarks can use it too::

    with RedisServer() as server:
        server.url            # "redis://127.0.0.1:<port>/0"
        server.client()       # a blocking redis-py client
        server.restart()      # stop (losing every key: no persistence) and start on the same port

A missing ``redis-server`` binary is an error that says to run ``scripts/setup.sh``.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


class RedisServerMissing(RuntimeError):
    """``redis-server`` is not installed."""


def redis_server_binary() -> str:
    """The path of ``redis-server``, or an error that says how to install it."""
    path = shutil.which("redis-server")
    if path is None:
        for candidate in ("/usr/bin/redis-server", "/usr/local/bin/redis-server"):
            if Path(candidate).is_file():
                return candidate
        raise RedisServerMissing(
            "redis-server is not installed, and the shared-state tests and benchmarks need a "
            "real one. Run `bash scripts/setup.sh` (as root: it runs apt-get install "
            "redis-server), or install the Debian package redis-server yourself."
        )
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process on 127.0.0.1 (see the module documentation)."""

    def __init__(self, port: int | None = None) -> None:
        self.binary = redis_server_binary()
        self.port = port if port is not None else free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="nbstate-redis-"))
        self.log_path = self.dir / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<redis-server {self.url} {state}, {self.starts} starts>"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.running and self.proc is not None else None

    def client(self, **kwargs: Any) -> Any:
        """A blocking redis-py client of this server (bytes replies)."""
        import redis

        kwargs.setdefault("socket_timeout", 10)
        kwargs.setdefault("socket_connect_timeout", 5)
        return redis.Redis(host="127.0.0.1", port=self.port, db=0, **kwargs)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- life cycle ----------------------------------------------------------------------

    def start(self, attempts: int = 3) -> None:
        """Start the server and wait until it answers PING. A port taken meanwhile by someone
        else is replaced by another free one, unless the server was started before (a restart
        keeps its port, or fails)."""
        if self.running:
            return
        for attempt in range(attempts):
            try:
                self._start_once()
                return
            except RuntimeError:
                if self.starts > 0 or attempt == attempts - 1:
                    raise
                self.port = free_port()

    def _start_once(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 (the child keeps it open)
        try:
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.dir),
                    "--protected-mode",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl+C in the terminal reaches pytest, not redis
            )
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                self.proc = None
                raise RuntimeError(
                    f"redis-server on port {self.port} exited at start; its log "
                    f"({self.log_path}):\n{self.log_text()[-2000:]}"
                )
            if self._answers():
                self.starts += 1
                return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"redis-server on port {self.port} did not answer PING within "
                    f"{START_TIMEOUT:g} s; its log:\n{self.log_text()[-2000:]}"
                )
            time.sleep(0.01)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL); every key is gone (no persistence)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)

    def restart(self, down_for: float = 0.0) -> None:
        """Stop the server, stay down ``down_for`` seconds, start it again on the same port."""
        self.stop()
        if down_for > 0:
            time.sleep(down_for)
        self.start()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.dir)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
