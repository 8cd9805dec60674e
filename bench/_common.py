"""Shared helpers for the benchmarks: statistics, a plain-text table, the machine header, the
Reflex peer process, and a lean Jupyter kernel client.

Nothing here asserts on a timing. Everything is measured with ``time.perf_counter``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEERS_PYTHON = BENCH / ".venv-peers" / "bin" / "python"
REFLEX_VERSION = "0.10.1"

# nbstate must be importable here and in every kernel we start (it may not be pip-installed).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
_pp = os.environ.get("PYTHONPATH", "")
if str(ROOT) not in _pp.split(os.pathsep):
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + _pp if _pp else "")


# -- statistics ------------------------------------------------------------------------------


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def percentile(xs: Sequence[float], p: float) -> float:
    """Nearest-rank-with-interpolation percentile (p in 0..100)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def p90(xs: Sequence[float]) -> float:
    return percentile(xs, 90)


def ratio(a: float | None, b: float | None) -> str:
    """``a / b`` formatted as ``12.3x``; ``-`` when either side is missing."""
    if a is None or b is None or b == 0 or a != a or b != b:
        return "-"
    r = a / b
    if r >= 100:
        return f"{r:.0f}x"
    if r >= 10:
        return f"{r:.1f}x"
    return f"{r:.2f}x"


def fmt_num(x: float | None, digits: int = 1) -> str:
    if x is None or x != x:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def ms(x: float | None) -> str:
    """Milliseconds for a table: one decimal, thousands separated from 1,000; '-' if missing."""
    if x is None or x != x:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.1f}"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f} MB"
    if n >= 10_000:
        return f"{n / 1000:.1f} KB"
    return f"{n:,} B"


# -- tables ----------------------------------------------------------------------------------


def table(title: str, columns: list[str], rows: list[list[Any]], notes: Sequence[str] = ()) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(c) for c in columns]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]

    def line(r: list[str]) -> str:
        out = [r[0].ljust(widths[0])]
        out += [r[i].rjust(widths[i]) for i in range(1, len(r))]
        return "| " + " | ".join(out) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    text = [title, "", line(cells[0]), sep] + [line(r) for r in cells[1:]]
    if notes:
        text.append("")
        text += [f"  {n}" for n in notes]
    return "\n".join(text) + "\n"


def log(msg: str) -> None:
    """Progress on stderr, so stdout holds only the tables."""
    print(f"  [bench] {msg}", file=sys.stderr, flush=True)


# -- the machine -----------------------------------------------------------------------------


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_rev() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "nbstate", "js"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        return rev + (" + uncommitted changes in nbstate/ or js/" if dirty else "")
    except Exception:
        return "unknown"


def nbstate_fingerprint() -> str:
    """A short hash of nbstate's sources, to tell whether they changed during a run."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted((ROOT / "nbstate").glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def header(reflex: ReflexPeer | None, title: str = "nbstate benchmarks (B1-B4)") -> str:
    import nbstate

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    lines = [
        title,
        f"  machine : {platform.machine()}, {os.cpu_count()} cores ({usable} usable), "
        f"load average at start {load}",
        f"  python  : {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        f"  nbstate : {getattr(nbstate, '__version__', '?')} at {ROOT} (git {git_rev()}; "
        f"sources {nbstate_fingerprint()})",
        "  peers   : "
        + ", ".join(
            f"{d} {version(d)}"
            for d in ("ipywidgets", "traitlets", "anywidget", "comm", "ipykernel", "jupyter_client")
        ),
    ]
    if reflex is None and title != "nbstate benchmarks (B1-B4)":
        pass  # a benchmark without Reflex rows
    elif reflex is not None:
        lines.append(
            f"  reflex  : {reflex.info.get('reflex')} in {PEERS_PYTHON.parent.parent} "
            f"(python {reflex.info.get('python')}, loop {reflex.info.get('loop')})"
        )
    else:
        lines.append(f"  reflex  : SKIPPED: {reflex_skip_reason()}")
    return "\n".join(lines) + "\n"


# -- the Reflex peer -------------------------------------------------------------------------


_skip_reason: str | None = None


def reflex_skip_reason() -> str:
    return _skip_reason or "not started"


class ReflexPeer:
    """Reflex 0.10.1 running in ``bench/.venv-peers``, driven over stdin/stdout (JSON lines).

    One process for the whole run, so its rows can be interleaved with nbstate's.
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(PEERS_PYTHON), str(BENCH / "_reflex_peer.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # its warnings go to our stderr
            text=True,
            cwd=str(BENCH),
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
        self.info: dict[str, Any] = self.call("info")

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the Reflex peer process exited (code {self.proc.poll()})")
        out: dict[str, Any] = json.loads(line)
        if "error" in out:
            raise RuntimeError(f"the Reflex peer failed on {cmd!r}:\n{out['error']}")
        return out

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_reflex() -> ReflexPeer | None:
    """The Reflex peer, or None (with a loud line on stdout) when the peers venv is missing."""
    global _skip_reason
    if not PEERS_PYTHON.exists():
        _skip_reason = (
            f"{PEERS_PYTHON.parent.parent} does not exist. The Reflex rows are skipped; "
            "run `bash bench/setup_peers.sh` (installs reflex==0.10.1 from PyPI into that "
            "bench-only venv) and re-run to get them."
        )
    else:
        try:
            peer = ReflexPeer()
        except Exception as exc:
            _skip_reason = (
                f"the Reflex peer in {PEERS_PYTHON.parent.parent} failed to start ({exc}). "
                "The Reflex rows are skipped; re-run `bash bench/setup_peers.sh`."
            )
        else:
            if peer.info.get("reflex") != REFLEX_VERSION:
                log(
                    f"warning: the peers venv has reflex {peer.info.get('reflex')}, "
                    f"not {REFLEX_VERSION}"
                )
            return peer
    print(f"NOTE: Reflex rows SKIPPED: {_skip_reason}\n", flush=True)
    return None


# -- comms outside a kernel ------------------------------------------------------------------


def json_bytes(data: Any, buffers: Sequence[Any] | None = None) -> int:
    """Bytes of a comm message's payload as ipykernel would pack it (jupyter_client's packer)."""
    from jupyter_client.session import json_packer

    n = len(json_packer(data))
    for b in buffers or ():
        n += memoryview(b).nbytes
    return n


def counting_comm_class() -> type:
    """comm's own DummyComm (what ``comm.create_comm`` returns outside a kernel), counting.

    ``publish_msg`` stays a no-op apart from counting and keeping a reference to the last
    payload, so everything up to the kernel's JSON packing and zmq send still runs.
    """
    import comm

    class CountingDummyComm(comm.DummyComm):  # type: ignore[misc,name-defined]
        published = 0
        last: Any = None

        def publish_msg(
            self,
            msg_type: str,
            data: Any = None,
            metadata: Any = None,
            buffers: Any = None,
            **keys: Any,
        ) -> None:
            CountingDummyComm.published += 1
            CountingDummyComm.last = (msg_type, data)

    return CountingDummyComm


def recording_comm_class() -> type:
    """A comm that keeps every message the kernel would publish (as tests/unit/conftest.py)."""
    from comm.base_comm import BaseComm

    class RecordingComm(BaseComm):  # type: ignore[misc]
        sent: list[tuple[str, Any, Any]] = []

        def publish_msg(
            self,
            msg_type: str,
            data: Any = None,
            metadata: Any = None,
            buffers: Any = None,
            **keys: Any,
        ) -> None:
            RecordingComm.sent.append((msg_type, data, buffers))

    return RecordingComm


@contextlib.contextmanager
def patched_create_comm(cls: type):
    """Make ``comm.create_comm`` (which ipywidgets and anywidget call) return ``cls``."""
    import comm

    old = comm.create_comm
    comm.create_comm = lambda *a, **k: cls(*a, **k)
    try:
        yield
    finally:
        comm.create_comm = old


# -- a lean kernel client --------------------------------------------------------------------


class Kernel:
    """A real ipykernel through jupyter_client, as tests/kernel/harness.py, but lean.

    The iopub reader keeps per-comm counters and the last synced state instead of every
    message, so a flood of 20,000+ comm messages costs the client little.
    """

    def __init__(self) -> None:
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self._lock = threading.Lock()
        self.comm_count: dict[str, int] = {}
        self.comm_state: dict[str, dict[str, Any]] = {}
        self.comm_bytes: dict[str, int] = {}
        self.batch_count: dict[str, int] = {}
        self.iopub_total = 0
        self.stream: list[str] = []
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            except Exception:
                return
            t = msg["msg_type"]
            c = msg["content"]
            with self._lock:
                self.iopub_total += 1
                if t == "comm_msg":
                    cid = c["comm_id"]
                    self.comm_count[cid] = self.comm_count.get(cid, 0) + 1
                    data = c.get("data") or {}
                    if data.get("method") == "update" and isinstance(data.get("state"), dict):
                        self.comm_state.setdefault(cid, {}).update(data["state"])
                    body = data.get("content") if data.get("method") == "custom" else None
                    if isinstance(body, dict) and body.get("kind") == "batch":
                        self._apply_batch(body)
                elif t == "comm_open":
                    data = c.get("data") or {}
                    self.comm_state[c["comm_id"]] = dict(data.get("state") or {})
                elif t == "stream":
                    self.stream.append(c.get("text", ""))

    def _apply_batch(self, body: dict[str, Any]) -> None:
        """A hub batch (nbstate): each state model's entry, applied as the frontend would."""
        from nbstate._values.patch import apply_ops

        for model_id, entry in (body.get("models") or {}).items():
            self.batch_count[model_id] = self.batch_count.get(model_id, 0) + 1
            st = self.comm_state.setdefault(model_id, {})
            st.update(entry.get("state") or {})
            for var, ops in (entry.get("patches") or {}).items():
                st["v_" + var] = apply_ops(st.get("v_" + var), ops)

    def count(self, comm_id: str) -> int:
        """Comm messages on ``comm_id`` itself (for nbstate's hub: its batches)."""
        with self._lock:
            return self.comm_count.get(comm_id, 0)

    def count_batches(self, model_id: str) -> int:
        """Hub batches that carried a change of nbstate state model ``model_id``."""
        with self._lock:
            return self.batch_count.get(model_id, 0)

    def state(self, comm_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self.comm_state.get(comm_id, {}))

    def execute(self, code: str, timeout: float = 60, **user_expressions: str) -> dict[str, Any]:
        """Run a cell, wait for its reply; return the user expressions' text/plain values."""
        msg_id = self.kc.execute(
            code,
            silent=False,
            store_history=False,
            user_expressions=user_expressions,
            allow_stdin=False,
        )
        reply = self._reply(msg_id, timeout)
        content = reply["content"]
        if content["status"] != "ok":
            tb = "\n".join(content.get("traceback", [])) or content.get("evalue", "")
            raise RuntimeError(f"kernel cell failed:\n{code}\n{tb}")
        out = {}
        for k, v in content.get("user_expressions", {}).items():
            if v.get("status") != "ok":
                raise RuntimeError(f"user expression {k} failed: {v.get('evalue')}")
            out[k] = v["data"]["text/plain"]
        return out

    def _reply(self, msg_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no execute_reply within {timeout}s")
            try:
                reply: dict[str, Any] = self.kc.get_shell_msg(timeout=left)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def round_trip(self, code: str = "1+1", timeout: float = 30) -> float:
        """Seconds from sending an execute_request to receiving its execute_reply."""
        t0 = time.perf_counter()
        msg_id = self.kc.execute(code, silent=False, store_history=False, allow_stdin=False)
        self._reply(msg_id, timeout)
        return time.perf_counter() - t0

    def value(self, expr: str) -> Any:
        """``expr`` evaluated in the kernel, parsed as a Python literal."""
        import ast

        return ast.literal_eval(self.execute("", v=expr)["v"])

    def wait_for(self, pred: Callable[[], Any], timeout: float, poll: float = 0.005) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return True
            time.sleep(poll)
        return bool(pred())

    def close(self) -> None:
        self._stop.set()
        self._reader.join(timeout=2)
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            self.km.shutdown_kernel(now=True)


def kernel_versions(k: Kernel) -> str:
    return str(k.value("__import__('sys').version.split()[0]"))
