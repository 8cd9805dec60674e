"""B3: bytes on the wire for one small change to a big var.

Cases:
  (a) one append to a 100,000-item list var          ``items.append(100_000)``
  (b) one key set in a 100,000-key dict var          ``table["k50000"] = -1``
  (c) one field change in a list of 10,000 dicts     ``rows[5000]["done"] = True``

nbstate and ipywidgets run in this process with ``comm.create_comm`` returning a recording comm
(as tests/unit/conftest.py does): every message the kernel would publish after the model's
``comm_open`` is kept, and its payload (the comm message's ``data``, plus any binary buffers) is
packed with jupyter_client's own JSON packer, as ipykernel does, and the bytes summed. The
Jupyter message envelope (header, parent header, signature: a few hundred bytes, the same for
every row) is not counted.

Rows:
  nbstate     ``async with state:`` around the change; bytes of every message it sends.
  Reflex      in bench/.venv-peers: the same change in a background task's ``async with self``;
              bytes of Reflex's own JSON (``format.json_dumps``, what its socket.io server
              sends) of ``StateUpdate(delta=...)`` for every delta emitted. Reflex's delta
              carries the whole var.
  ipywidgets  a Widget with ``List``/``Dict`` traits tagged sync; the trait is assigned a new
              value with the change (an in-place mutation of a trait sends nothing at all), so
              the whole value is re-sent.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import _common as C

CASES = [
    ("append", "(a) append to 100k list"),
    ("dict_key", "(b) key set in 100k dict"),
    ("row_field", "(c) field in 10k dicts"),
]


def _items() -> list[int]:
    return list(range(100_000))


def _table() -> dict[str, int]:
    return {f"k{i}": i for i in range(100_000)}


def _rows() -> list[dict[str, Any]]:
    return [{"id": i, "name": f"row {i}", "done": False} for i in range(10_000)]


async def _measure_local() -> dict[str, dict[str, dict[str, Any]]]:
    import ipywidgets
    import traitlets

    import nbstate as rx

    Rec = C.recording_comm_class()

    class B3List(rx.State):
        items: list[int] = []

    class B3Dict(rx.State):
        table: dict[str, int] = {}

    class B3Rows(rx.State):
        rows: list[dict[str, Any]] = []

    class B3Widget(ipywidgets.Widget):  # type: ignore[misc]
        items = traitlets.List().tag(sync=True)
        table = traitlets.Dict().tag(sync=True)
        rows = traitlets.List().tag(sync=True)

    def wire(t0: float) -> dict[str, Any]:
        """Bytes of what was sent since ``t0``; the time includes packing it, as a kernel does."""
        sent = Rec.sent
        nbytes = sum(C.json_bytes(data, buffers) for _t, data, buffers in sent)
        return {
            "messages": len(sent),
            "bytes": nbytes,
            "block_ms": (time.perf_counter() - t0) * 1000,
        }

    out: dict[str, dict[str, dict[str, Any]]] = {"nbstate": {}, "ipywidgets": {}}
    with C.patched_create_comm(Rec):
        # nbstate's changes leave on the kernel's hub model: make it anew under the recording
        # comm (an earlier benchmark in this process may have made it with another comm).
        from nbstate._wire.outbox import OUTBOX

        OUTBOX.reset()
        states = {
            "append": B3List(items=_items()),
            "dict_key": B3Dict(table=_table()),
            "row_field": B3Rows(rows=_rows()),
        }

        def change(case: str, s: Any) -> None:
            if case == "append":
                s.items.append(100_000)
            elif case == "dict_key":
                s.table["k50000"] = -1
            else:
                s.rows[5000]["done"] = True

        for case, s in states.items():
            rx.model(s)
            await asyncio.sleep(0.1)  # a quiet period: the change goes out at once
            Rec.sent.clear()
            t0 = time.perf_counter()
            async with s:
                change(case, s)
            if Rec.sent:
                out["nbstate"][case] = wire(t0)
            else:  # not sent at once: wait for the coalescing timer, time only the block
                dt = time.perf_counter() - t0
                await asyncio.sleep(0.1)
                out["nbstate"][case] = {**wire(t0), "block_ms": dt * 1000}

        w = B3Widget(items=_items(), table=_table(), rows=_rows())
        for case in ("append", "dict_key", "row_field"):
            Rec.sent.clear()
            t0 = time.perf_counter()
            if case == "append":
                w.items = [*w.items, 100_000]
            elif case == "dict_key":
                w.table = {**w.table, "k50000": -1}
            else:
                rows = list(w.rows)
                rows[5000] = {**rows[5000], "done": True}
                w.rows = rows
            out["ipywidgets"][case] = wire(t0)
    return out


def run(reflex: C.ReflexPeer | None) -> str:
    C.log("B3: nbstate and ipywidgets")
    res = asyncio.run(_measure_local())
    if reflex is not None:
        C.log("B3: Reflex")
        res["Reflex 0.10.1"] = reflex.call("b3")
    nb = res["nbstate"]
    rows = []
    for name in ("nbstate", "Reflex 0.10.1", "ipywidgets"):
        if name not in res:
            rows.append([name, "skipped"] + ["-"] * (2 * len(CASES) + 1))
            continue
        r = res[name]
        row = [name]
        for case, _ in CASES:
            row += [C.fmt_bytes(r[case]["bytes"]), C.ratio(r[case]["bytes"], nb[case]["bytes"])]
        row.append(" / ".join(str(r[c]["messages"]) for c, _ in CASES))
        row.append(" / ".join(f"{r[c]['block_ms']:.2f}" for c, _ in CASES))
        rows.append(row)
    cols = ["row"]
    for _, title in CASES:
        cols += [title, "x nbstate"]
    cols += ["msgs a/b/c", "kernel ms a/b/c"]
    under = [nb[c]["bytes"] < 1000 for c, _ in CASES]
    notes = [
        "nbstate under 1 KB each: "
        + ", ".join(
            f"{c} {nb[c]['bytes']:,} B {'yes' if u else 'NO'}"
            for (c, _), u in zip(CASES, under, strict=True)
        )
        + f"; goal {'met' if all(under) else 'NOT met'}.",
        "Bytes = JSON payload of every comm message after the model's open (jupyter_client's "
        "packer), Jupyter envelope not counted; Reflex: its format.json_dumps of "
        "StateUpdate(delta) per delta (socket.io's few framing bytes not counted).",
        "'kernel ms' = wall time in the kernel process of the change plus JSON-packing what it "
        "sends (nbstate: the `async with` block, which sends at once after a quiet period; "
        "ipywidgets: building the new value and assigning it; Reflex: the `async with self` "
        "block, then json_dumps of its delta).",
    ]
    if reflex is None:
        notes.append(f"Reflex row skipped: {C.reflex_skip_reason()}")
    return C.table("B3  bytes on the wire for one small change to a big var", cols, rows, notes)


def main() -> None:
    reflex = C.start_reflex()
    try:
        print(run(reflex))
    finally:
        if reflex is not None:
            reflex.close()


if __name__ == "__main__":
    main()
