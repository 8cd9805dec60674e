/**
 * The anywidget lifecycle hooks: `render` draws a view model's component tree bound to its
 * state models; `initialize` on a state model keeps its patch handler installed.
 */
import type { ModelLike } from "./types";
import { NbView } from "./view";
import { initialize } from "./widget-state";

export { initialize };

export async function render({ model, el }: { model: ModelLike; el: HTMLElement }): Promise<() => void> {
  const view = new NbView(model, el);
  await view.start();
  return () => view.destroy();
}
