"""Start and stop real Jupyter servers (JupyterLab, Notebook 7, Voila) for browser tests.

Every server runs as ``sys.executable -m <app>`` in its own process group, on a free localhost
port, without token or password, with JUPYTER_CONFIG_DIR, JUPYTER_DATA_DIR, JUPYTER_RUNTIME_DIR
and IPYTHONDIR pointing into a private directory. Extensions, kernelspecs and labextensions still
come from the virtualenv (``sys.prefix``), so ipywidgets, anywidget and nbstate render as for a
user; ipykernel's native ``python3`` kernel runs on the server's own interpreter.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

# User settings shared by JupyterLab and Notebook 7 (both read <config dir>/lab/user-settings).
# They keep pop-ups and background behaviour out of the tests' way.
USER_SETTINGS: dict[str, dict[str, object]] = {
    # No "Would you like to get notified about official Jupyter news?" toast, no update check.
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # No kernel selection dialog: start the notebook's (or the default) kernel right away.
    # Render every cell in the DOM (no virtual scrolling), so selectors see all cells.
    "@jupyterlab/notebook-extension/tracker": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
    # No autosave: two servers may have the same file open; no "file changed" dialogs.
    "@jupyterlab/docmanager-extension/plugin": {
        "autosave": False,
        "confirmClosingDocument": False,
    },
    # No "the kernel is busy, do you want to close?" style questions when the page goes away.
    "@jupyterlab/apputils-extension/sessionDialogs": {
        "skipKernelRestartDialog": True,
    },
}

STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_jupyter_env(base: Path) -> dict[str, str]:
    """Create isolated Jupyter/IPython directories under ``base``; return the server env."""
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "IPYTHONDIR": base / "ipython",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    settings_root = dirs["JUPYTER_CONFIG_DIR"] / "lab" / "user-settings"
    for plugin, values in USER_SETTINGS.items():
        package_dir, plugin_name = plugin.rsplit("/", 1)
        target = settings_root / package_dir / f"{plugin_name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values, indent=2))

    env = dict(os.environ)
    env.update({key: str(path) for key, path in dirs.items()})
    # The kernel must be the virtualenv's interpreter; put its bin dir first for good measure.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["JUPYTER_PLATFORM_DIRS"] = "1"  # silences jupyter_core's path migration warning
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silences debugpy's frozen-modules note
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_TOKEN", None)
    env.pop("JPY_SESSION_NAME", None)
    return env


def write_notebook(path: Path, cells: list[str | tuple[str, str]]) -> Path:
    """Write a notebook with the python3 kernelspec; ``cells`` are code strings or (kind, src).

    ``kind`` is ``"code"`` or ``"markdown"``.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for cell in cells:
        kind, source = ("code", cell) if isinstance(cell, str) else cell
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@dataclass
class JupyterServer:
    """A running server; ``url`` has no trailing slash."""

    kind: str
    url: str
    port: int
    root_dir: Path
    log_path: Path
    proc: subprocess.Popen[bytes]
    started_in: float = 0.0

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:  # pragma: no cover - only when the tmp dir vanished
            return f"<cannot read {self.log_path}: {exc}>"

    def api(self, method: str, path: str, timeout: float = 10.0) -> object:
        """Call the Jupyter REST API (lab / notebook servers) and return the decoded JSON."""
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel of a lab/notebook server (a clean slate for the next test)."""
        if self.kind == "voila" or self.proc.poll() is not None:
            return
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            sessions = self.api("GET", "/api/sessions")
            assert isinstance(sessions, list)
            for session in sessions:
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/sessions/{session['id']}")
            kernels = self.api("GET", "/api/kernels")
            assert isinstance(kernels, list)
            for kernel in kernels:
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def stop(self) -> None:
        """SIGTERM the process group (servers shut their kernels down), then SIGKILL."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(STOP_TIMEOUT)
        # Stragglers left in the group (the server's own children) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def _command(kind: str, port: int, root_dir: Path) -> list[str]:
    common_server = [
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--PasswordIdentityProvider.hashed_password=",
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.terminals_enabled=False",
        # jupyter-lsp: do not scan for language servers at start-up.
        "--LanguageServerManager.autodetect=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        common_server.append("--allow-root")  # CI and the dev machines run as root
    if kind == "lab":
        return [
            sys.executable,
            "-m",
            "jupyterlab",
            *common_server,
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            # window.jupyterapp: lets the helpers ask whether the document and kernel are ready.
            "--LabApp.expose_app_in_browser=True",
        ]
    if kind == "notebook":
        return [
            sys.executable,
            "-m",
            "notebook",
            *common_server,
            "--JupyterNotebookApp.expose_app_in_browser=True",
        ]
    if kind == "voila":
        return [
            sys.executable,
            "-m",
            "voila",
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--Voila.port={port}",
            "--Voila.port_retries=0",
            "--VoilaConfiguration.show_tracebacks=True",
            str(root_dir),
        ]
    raise ValueError(f"unknown server kind {kind!r}")


def _ready_path(kind: str) -> str:
    # lab / notebook: the REST API; voila: the directory listing of the root dir.
    return "/" if kind == "voila" else "/api/status"


def start_server(
    kind: str, root_dir: Path, env: dict[str, str], log_dir: Path, timeout: float = STARTUP_TIMEOUT
) -> JupyterServer:
    """Start a server of ``kind`` ("lab", "notebook" or "voila") and wait until it answers.

    On failure the server is killed and the error carries the server's log.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for _attempt in range(3):  # a port taken between free_port() and bind: try another one
        port = free_port()
        log_path = log_dir / f"{kind}-{port}.log"
        t0 = time.monotonic()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                _command(kind, port, root_dir),
                cwd=str(root_dir),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = JupyterServer(kind, f"http://127.0.0.1:{port}", port, root_dir, log_path, proc)
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(server.url + _ready_path(kind), timeout=2) as resp:
                    if resp.status == 200:
                        server.started_in = time.monotonic() - t0
                        return server
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        server.stop()
        log = server.log_text()
        last_error = (
            f"{kind} server did not answer on {server.url} within {timeout:.0f}s "
            f"(exit code {proc.returncode}). Log {log_path}:\n{log}"
        )
        if "address already in use" not in log.lower():
            break
    print(last_error, file=sys.stderr)
    raise RuntimeError(last_error)
