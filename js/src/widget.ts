/**
 * The renderer's entry: `render` draws a view model's component tree bound to its state
 * models. Imported once per page by each view's loader (loader.ts), not by anywidget.
 */
import type { ModelLike } from "./types";
import { NbView } from "./view";

export async function render({ model, el }: { model: ModelLike; el: HTMLElement }): Promise<() => void> {
  const view = new NbView(model, el);
  await view.start();
  return () => view.destroy();
}
