/** `initialize` for state models and the hub (shared by the state bundle and the view bundle). */
import { installHub } from "./hub";
import { retainPatchHandler } from "./patch";
import type { ModelLike } from "./types";

/**
 * On the kernel's hub model (it has `_nbstate_hub`), applies the kernel's batches of changes.
 * On a state model (it has `_nbstate_class`), applies patch messages sent on the model itself
 * for as long as the model lives. On a view model it does nothing: views manage their own.
 */
export function initialize({ model }: { model: ModelLike }): (() => void) | void {
  if (model.get("_nbstate_hub")) return installHub(model);
  const cls = model.get("_nbstate_class");
  if (cls !== undefined && cls !== null) return retainPatchHandler(model);
}
