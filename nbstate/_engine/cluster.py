"""Where offloaded work runs: the Dask client nbstate uses, and the LocalCluster it may start.

``rx.app.dask`` picks the cluster: None (the default) reads the environment variable
``NBSTATE_DASK``, and without it starts a ``LocalCluster`` of worker processes sized to the
machine, once per kernel; a scheduler address (``"tcp://host:8786"``) connects to a running
scheduler; a ``distributed.Client`` is used as it is when it is asynchronous on the kernel's
loop, else nbstate connects a client of its own to that client's scheduler.

The client is always ``distributed``'s async client (``asynchronous=True``) on the loop that
awaits it, so offloaded work never blocks the kernel. It is made on first use and made again
when the setting changes or the loop is another one (each test has its own loop).

The LocalCluster runs its scheduler and nannies on an event loop thread of its own (it is
started with ``asyncio.to_thread``, so the kernel's loop keeps running meanwhile). That lets it
be closed at interpreter exit, when the kernel's loop no longer runs: an ``atexit`` hook closes
it, and the nannies stop their worker processes. A worker process also exits by itself when the
kernel process dies (``distributed`` watches the parent).

``distributed`` is imported here on first use only, so ``import nbstate`` stays fast.
"""

from __future__ import annotations

import asyncio
import atexit
import html
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .._base.app import app
from .._base.errors import OffloadError

ENV_VAR = "NBSTATE_DASK"
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a scheduler named by ``rx.app.dask`` or ``NBSTATE_DASK`` to answer."""
CLOSE_TIMEOUT = 10.0
"""Seconds the LocalCluster gets to stop its workers at interpreter exit."""


def require_distributed() -> ModuleType:
    """The ``distributed`` module, or an ImportError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            "rx.offload and rx.offload_map run work on a Dask cluster and need the "
            "`distributed` package, which is not installed. Install it with: "
            "pip install 'nbstate[dask]'",
            name="distributed",
        ) from exc
    return distributed


@dataclass(frozen=True)
class ClusterInfo:
    """What nbstate shows once, when it starts its LocalCluster: workers and the dashboard."""

    workers: int
    threads: int
    dashboard: str | None
    scheduler: str

    def _bokeh_note(self) -> str:
        if importlib.util.find_spec("bokeh") is not None:
            return ""
        return " (its pages need bokeh: pip install bokeh)"

    def __repr__(self) -> str:
        threads = "thread" if self.threads == 1 else "threads"
        link = self.dashboard or "none"
        return (
            f"Dask LocalCluster for rx.offload: {self.workers} worker processes x "
            f"{self.threads} {threads}, dashboard {link}{self._bokeh_note()}; "
            "it closes when the kernel shuts down"
        )

    def _repr_html_(self) -> str:
        threads = "thread" if self.threads == 1 else "threads"
        if self.dashboard:
            url = html.escape(self.dashboard, quote=True)
            text = html.escape(self.dashboard)
            link = f'<a href="{url}" target="_blank" rel="noopener">{text}</a>'
        else:
            link = "none"
        return (
            '<div class="nbstate-dask"><b>Dask LocalCluster</b> for <code>rx.offload</code>: '
            f"{self.workers} worker processes &times; {self.threads} {threads}, "
            f"dashboard {link}{html.escape(self._bokeh_note())}; "
            "it closes when the kernel shuts down</div>"
        )


@dataclass
class _Connection:
    key: tuple[Any, ...]
    loop: asyncio.AbstractEventLoop
    client: Any
    owned: bool
    """nbstate made this client (so nbstate closes it when it is replaced)."""


_conn: _Connection | None = None
_pending: dict[asyncio.AbstractEventLoop, tuple[tuple[Any, ...], asyncio.Task[Any]]] = {}
_local: Any = None
_local_info: ClusterInfo | None = None
_local_lock = threading.Lock()


def _target() -> tuple[tuple[Any, ...], str, Any]:
    """What ``rx.app.dask`` (or ``NBSTATE_DASK``) asks for: a key, a kind and its value."""
    value = app.dask
    origin = "rx.app.dask"
    if value is None:
        env = os.environ.get(ENV_VAR, "").strip()
        if not env:
            return ("local",), "local", None
        value, origin = env, f"the environment variable {ENV_VAR}"
    if isinstance(value, str):
        address = value.strip()
        if not address:
            raise ValueError(
                f"{origin} is an empty string. Set it to a scheduler address such as "
                "'tcp://host:8786', or to None to let nbstate start a LocalCluster"
            )
        return ("address", address), "address", (address, origin)
    distributed = require_distributed()
    if isinstance(value, distributed.Client):
        return ("client", id(value)), "client", value
    scheduler = getattr(value, "scheduler_address", None)  # a Cluster object (LocalCluster...)
    if isinstance(value, distributed.deploy.Cluster) and isinstance(scheduler, str):
        return ("address", scheduler), "address", (scheduler, "the cluster in rx.app.dask")
    raise TypeError(
        "rx.app.dask must be None (start a LocalCluster on first use), a scheduler address "
        "such as 'tcp://host:8786', a distributed.Client or a Dask cluster object; "
        f"got {value!r}"
    )


async def dask_client() -> Any:
    """The async ``distributed.Client`` offloaded work goes through, on the running loop.

    Made on first use (starting the LocalCluster if nothing else is configured), and again when
    ``rx.app.dask`` changed, its client closed, or another loop asks.
    """
    key, kind, value = _target()
    loop = asyncio.get_running_loop()
    conn = _conn
    if (
        conn is not None
        and conn.key == key
        and conn.loop is loop
        and conn.client.status in ("running", "connecting", "newly-created")
    ):
        return conn.client
    pending = _pending.get(loop)
    if pending is None or pending[0] != key:
        task = loop.create_task(_connect(key, kind, value), name="nbstate: Dask client")
        pending = (key, task)
        _pending[loop] = pending
        task.add_done_callback(lambda t, p=pending: _forget(loop, p))  # type: ignore[misc]
    # Shielded: one caller cancelled while connecting does not stop the others' connection.
    return await asyncio.shield(pending[1])


def _forget(loop: asyncio.AbstractEventLoop, pending: tuple[Any, ...]) -> None:
    if _pending.get(loop) is pending:
        del _pending[loop]


async def _connect(key: tuple[Any, ...], kind: str, value: Any) -> Any:
    global _conn
    distributed = require_distributed()
    loop = asyncio.get_running_loop()
    old = _conn
    if old is not None and old.owned and old.loop is loop:
        _conn = None
        await old.client.close()
    if kind == "client":
        client, owned = await _from_client(distributed, value, loop)
    elif kind == "address":
        address, origin = value
        client, owned = await _open(distributed, address, origin), True
    else:
        cluster, started = await asyncio.to_thread(_start_local, distributed)
        client, owned = await _open(distributed, cluster.scheduler_address, "LocalCluster"), True
        if started and _local_info is not None:
            _announce(_local_info)
    _conn = _Connection(key, loop, client, owned)
    return client


async def _from_client(
    distributed: ModuleType, client: Any, loop: asyncio.AbstractEventLoop
) -> tuple[Any, bool]:
    if client.status in ("closing", "closed"):
        raise OffloadError(
            f"the Client in rx.app.dask is {client.status}. Assign an open one "
            "(rx.app.dask = distributed.Client(...)), a scheduler address, or None to let "
            "nbstate start a LocalCluster"
        )
    own_loop = getattr(getattr(client, "loop", None), "asyncio_loop", None)
    if client.asynchronous and own_loop is loop:
        return client, False
    # A synchronous client (or one on another loop) cannot be awaited here: connect an async
    # client of nbstate's own to the same scheduler.
    address = client.scheduler.address
    return await _open(distributed, address, "the Client in rx.app.dask"), True


async def _open(distributed: ModuleType, address: str, origin: str) -> Any:
    """An async client connected to ``address``, or an OffloadError that says what to do."""
    try:
        return await distributed.Client(
            address, asynchronous=True, set_as_default=False, timeout=CONNECT_TIMEOUT
        )
    except (OSError, TimeoutError, ValueError) as exc:
        fix = (
            "Check the address, or start a scheduler there (`dask scheduler`, then "
            "`dask worker <address>` on the machines that should work)"
        )
        if origin != "LocalCluster":
            fix += f", or unset {origin} (and {ENV_VAR}) to let nbstate start a LocalCluster"
        raise OffloadError(
            f"no Dask scheduler answered at {address!r} (from {origin}) within "
            f"{CONNECT_TIMEOUT:g} s: {exc}. {fix}."
        ) from exc


def _start_local(distributed: ModuleType) -> tuple[Any, bool]:
    """The kernel's LocalCluster, started on first call (on a thread: this blocks)."""
    global _local, _local_info
    with _local_lock:
        if _local is not None and _local.status.name == "running":
            return _local, False
        cluster = distributed.LocalCluster(processes=True, asynchronous=False)
        if _local is None:
            atexit.register(close_local_cluster)
        _local = cluster
        workers = cluster.workers.values()
        threads = {int(w.nthreads) for w in workers if isinstance(w.nthreads, int)}
        _local_info = ClusterInfo(
            workers=len(cluster.workers),
            threads=threads.pop() if len(threads) == 1 else 0,
            dashboard=cluster.dashboard_link or None,
            scheduler=cluster.scheduler_address,
        )
        return cluster, True


def _announce(info: ClusterInfo) -> None:
    """Show the LocalCluster once: in the cell that started it, or on stderr outside IPython."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(info)  # type: ignore[no-untyped-call]
    else:
        print(f"nbstate: {info!r}", file=sys.stderr, flush=True)


def local_cluster() -> ClusterInfo | None:
    """What nbstate's LocalCluster is (None until it was started)."""
    return _local_info if _local is not None else None


def close_local_cluster() -> None:
    """Stop nbstate's LocalCluster and its worker processes (at interpreter exit)."""
    global _local
    cluster, _local = _local, None
    if cluster is not None:
        cluster.close(timeout=CLOSE_TIMEOUT)


async def disconnect() -> None:
    """Close nbstate's client on this loop (the LocalCluster keeps running until exit)."""
    global _conn
    conn = _conn
    if conn is None or conn.loop is not asyncio.get_running_loop():
        return
    _conn = None
    if conn.owned:
        await conn.client.close()
