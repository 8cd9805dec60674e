/** `initialize` for state models (shared by the state bundle and the view bundle). */
import { retainPatchHandler } from "./patch";
import type { ModelLike } from "./types";

/**
 * On a state model (it has `_nbstate_class`), applies patch messages for as long as the model
 * lives, even while no view shows it. On a view model it does nothing: views manage their own.
 */
export function initialize({ model }: { model: ModelLike }): (() => void) | void {
  const cls = model.get("_nbstate_class");
  if (cls !== undefined && cls !== null) return retainPatchHandler(model);
}
