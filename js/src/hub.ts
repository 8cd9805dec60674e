/**
 * The frontend side of the kernel's hub model: the kernel sends every committed state change of
 * a frame as one `batch` message on the hub (docs/protocol.md, "The hub"); this applies each
 * batch to the state models it names, in order, with `model.set` (no `save_changes`), so views,
 * `jslink` and saved widget state all see standard trait values.
 *
 * Batches are numbered from 1. On start, and whenever a number is skipped (messages sent before
 * this hub existed, or lost), the hub says `hello` and the kernel answers with a full batch.
 */
import { applyPatch } from "./patch";
import type { ModelLike, PatchOp } from "./types";

export interface BatchEntry {
  state?: Record<string, unknown>;
  patches?: Record<string, PatchOp[]>;
  /** trait -> msg_id of this page's (or another page's) update that the value answers */
  echo?: Record<string, string>;
}

export interface BatchMessage {
  kind: "batch";
  seq: number;
  models: Record<string, BatchEntry>;
  full?: boolean;
}

export function isBatch(msg: unknown): msg is BatchMessage {
  const m = msg as BatchMessage | null;
  return (
    typeof m === "object" &&
    m !== null &&
    m.kind === "batch" &&
    typeof m.seq === "number" &&
    typeof m.models === "object" &&
    m.models !== null
  );
}

async function applyEntry(hub: ModelLike, id: string, entry: BatchEntry): Promise<void> {
  let model: ModelLike;
  try {
    model = await hub.widget_manager.get_model(id);
  } catch {
    return; // a state model this page has not opened (closed, or of another page): nothing to do
  }
  // ipywidgets remembers, per trait, the msg_id of the last update this page sent. While the
  // kernel has not answered that update, a value for the trait is stale for this page (it
  // answers an older update, or crossed the newer one): skip it, as ipywidgets skips old
  // echoes. The value that answers it clears the mark.
  const expected = (model as { _expectedEchoMsgIds?: Map<string, string> })._expectedEchoMsgIds;
  for (const [key, value] of Object.entries(entry.state ?? {})) {
    const waiting = expected?.get(key);
    if (waiting !== undefined) {
      if (entry.echo?.[key] !== waiting) continue;
      expected!.delete(key);
    }
    model.set(key, value);
  }
  for (const [name, ops] of Object.entries(entry.patches ?? {})) {
    const key = "v_" + name;
    try {
      model.set(key, applyPatch(model.get(key), ops));
    } catch (err) {
      console.warn(`[nbstate] could not apply a patch to '${name}'; asking for every value again:`, err);
      hub.send({ kind: "hello" });
    }
  }
}

/** Applies the hub's batches for as long as the hub model lives; returns the cleanup. */
export function installHub(hub: ModelLike): () => void {
  let last = 0;
  let queue: Promise<void> = Promise.resolve();
  const handler = (msg: unknown): void => {
    if (!isBatch(msg)) return;
    queue = queue.then(async () => {
      if (!msg.full && last !== 0 && msg.seq !== last + 1) hub.send({ kind: "hello" });
      last = msg.seq;
      for (const [id, entry] of Object.entries(msg.models)) await applyEntry(hub, id, entry);
    });
  };
  hub.on("msg:custom", handler);
  hub.send({ kind: "hello" });
  return () => hub.off("msg:custom", handler);
}
