/** `initialize` for the kernel's hub model (its ESM is hub.js; see hub.ts). */
import { installHub } from "./hub";
import { registerRuntime, runtimeFromHub } from "./import-source";
import { reportModuleBase } from "./module-base";
import type { ModelLike } from "./types";
import { render } from "./widget";

/**
 * On the hub model (it has `_nbstate_hub`), applies the kernel's batches of changes, and makes
 * the renderer ready for the views. hub.js carries the renderer itself (the same build as
 * view.js), so in a page that has none yet it registers that copy under the hub's
 * `_nbstate_runtime_id`: the first view then needs no second import, which would start only
 * once this module is loaded (two module imports in a row on a fresh page). A page that already
 * holds that runtime keeps it; a hub without an id imports `_nbstate_runtime` as before.
 */
export function initialize({ model }: { model: ModelLike }): (() => void) | void {
  if (!model.get("_nbstate_hub")) return;
  const id = model.get("_nbstate_runtime_id");
  if (typeof id === "string" && id !== "") {
    registerRuntime(id, { default: { render } });
  } else if (model.get("_nbstate_runtime")) {
    runtimeFromHub(model).catch((err) => console.warn("[nbstate] could not load the renderer:", err));
  }
  const stop = installHub(model);
  void reportModuleBase(model);
  return stop;
}
