"""`make lab`: JupyterLab on notebooks/, with a private redis-server for the shared-state
notebooks (08*) unless NBSTATE_REDIS_URL already names one. The server has no persistence and
stops when JupyterLab does.

Run: .venv/bin/python scripts/lab.py [jupyter lab options...]
"""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.shared.redis_server import RedisServer

    env = dict(os.environ)
    server = None
    if not env.get("NBSTATE_REDIS_URL"):
        server = RedisServer()
        server.start()
        env["NBSTATE_REDIS_URL"] = server.url
        print(f"[lab] redis-server for the shared-state notebooks: {server.url}", flush=True)
    lab = [str(ROOT / ".venv" / "bin" / "jupyter"), "lab", "notebooks/", *sys.argv[1:]]
    proc = subprocess.Popen(lab, cwd=ROOT, env=env)

    def stop(signum: int, frame: object) -> None:  # make/CI stop us: stop Lab, then Redis
        proc.terminate()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        if server is not None:
            server.close()


if __name__ == "__main__":
    sys.exit(main())
