"""Run benchmarks B1-B4 and B7-B9 and print their tables (B5 and B6, which use a browser, run
elsewhere).

    bash bench/setup_peers.sh                      # once: bench/.venv-peers with reflex 0.10.1
    .venv/bin/python bench/run_all.py              # B1-B4 and B7-B9, about 7-10 minutes
    .venv/bin/python bench/run_all.py --only B1,B3 # a subset
    .venv/bin/python bench/run_all.py --quick      # smaller sizes: a smoke run, not for numbers

Tables go to stdout, progress to stderr. Timings are medians over repeats measured in this run;
nothing here is an assertion. Without bench/.venv-peers the Reflex rows are skipped, loudly.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C


def main() -> int:
    ap = argparse.ArgumentParser(description="Run nbstate's benchmarks B1-B4 and B7-B9.")
    ap.add_argument(
        "--only",
        default="B1,B2,B3,B4,B7,B8,B9",
        help="comma-separated subset of B1,B2,B3,B4,B7,B8,B9 (default: all)",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and few repeats: checks the scripts run, numbers are rough",
    )
    a = ap.parse_args()
    only = {x.strip().upper() for x in a.only.split(",") if x.strip()}
    t_start = time.perf_counter()

    import b1_blocks
    import b2_kernel_messages
    import b3_patch_bytes
    import b4_kernel_latency
    import b7_shared
    import b8_propagation
    import b9_offload

    fingerprint = C.nbstate_fingerprint()
    need_reflex = bool(only & {"B1", "B3"})
    reflex = C.start_reflex() if need_reflex else None
    print(C.header(reflex), flush=True)
    failed: list[str] = []

    def bench(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        if name not in only:
            return
        t0 = time.perf_counter()
        try:
            out = fn()
        except Exception:
            failed.append(name)
            print(f"{name} FAILED:\n{traceback.format_exc()}", flush=True)
            return
        print(out, flush=True)
        C.log(f"{name} took {time.perf_counter() - t0:.1f} s")

    try:
        if a.quick:
            bench("B1", lambda: b1_blocks.run(reflex, n=10_000, rounds=2, warmup=1_000))
            bench("B3", lambda: b3_patch_bytes.run(reflex))
        else:
            bench("B1", lambda: b1_blocks.run(reflex))
            bench("B3", lambda: b3_patch_bytes.run(reflex))
    finally:
        if reflex is not None:
            reflex.close()
    if a.quick:
        bench("B2", lambda: b2_kernel_messages.run(n=5_000, repeats=1))
        bench("B4", lambda: b4_kernel_latency.run(samples=20, rounds=1))
        bench("B7", lambda: b7_shared.run(n=200, rounds=1))
        bench("B8", lambda: b8_propagation.run(samples=30))
        bench("B9", lambda: b9_offload.run(n=300, rounds=1, singles=20))
    else:
        bench("B2", lambda: b2_kernel_messages.run())
        bench("B4", lambda: b4_kernel_latency.run())
        bench("B7", lambda: b7_shared.run())
        bench("B8", lambda: b8_propagation.run())
        bench("B9", lambda: b9_offload.run())

    total = time.perf_counter() - t_start
    if C.nbstate_fingerprint() != fingerprint:
        print(
            f"WARNING: nbstate's sources changed during this run (sources {fingerprint} -> "
            f"{C.nbstate_fingerprint()}); B1/B3 measured the code at the start, the kernels of "
            "B2/B4 whatever was there when they started. Re-run for consistent tables."
        )
    print(f"total time: {total:.0f} s" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
