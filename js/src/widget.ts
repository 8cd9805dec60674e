/**
 * The anywidget lifecycle hooks: `render` draws a view model's component tree bound to its
 * state models; `initialize` on a state model keeps its patch handler installed.
 */
import { retainPatchHandler } from "./patch";
import type { ModelLike } from "./types";
import { NbView } from "./view";

export async function render({ model, el }: { model: ModelLike; el: HTMLElement }): Promise<() => void> {
  const view = new NbView(model, el);
  await view.start();
  return () => view.destroy();
}

/**
 * On a state model (it has `_nbstate_class`), applies patch messages for as long as the model
 * lives, even while no view shows it. On a view model it does nothing: views manage their own.
 */
export function initialize({ model }: { model: ModelLike }): (() => void) | void {
  const cls = model.get("_nbstate_class");
  if (cls !== undefined && cls !== null) return retainPatchHandler(model);
}
