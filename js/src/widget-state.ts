/** `initialize` for the kernel's hub model (its ESM is hub.js; see hub.ts). */
import { installHub } from "./hub";
import { runtimeFromHub } from "./import-source";
import type { ModelLike } from "./types";

/**
 * On the hub model (it has `_nbstate_hub`), applies the kernel's batches of changes, and starts
 * importing the renderer it carries, so the first view does not wait for it.
 */
export function initialize({ model }: { model: ModelLike }): (() => void) | void {
  if (!model.get("_nbstate_hub")) return;
  if (model.get("_nbstate_runtime")) {
    runtimeFromHub(model).catch((err) => console.warn("[nbstate] could not load the renderer:", err));
  }
  return installHub(model);
}
