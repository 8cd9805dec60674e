/**
 * The ESM of every view model: a few hundred bytes that load the renderer once per page. State
 * models name it too, by URL (it draws nothing for them).
 *
 * The renderer (view.js, tens of KB) travels once per kernel, on the kernel's hub model
 * (`_nbstate_runtime`, keyed by `_nbstate_runtime_id`), not with every view: anywidget imports
 * each model's `_esm` afresh, so a renderer carried by each view was re-sent and re-evaluated
 * for every view shown. Each view names the hub in its `_nbstate_hub` trait.
 */
import { type RuntimeModule, modelIdOf, runtimeFromHub } from "./import-source";
import type { ModelLike } from "./types";

async function runtimeOf(model: ModelLike): Promise<RuntimeModule> {
  const hubId = modelIdOf(model.get("_nbstate_hub"));
  if (hubId === null) throw new Error("this view names no hub model (_nbstate_hub is empty)");
  return runtimeFromHub(await model.widget_manager.get_model(hubId));
}

async function render({ model, el }: { model: ModelLike; el: HTMLElement }): Promise<(() => void) | void> {
  // A state model names this module's URL too, once the page has checked it (it is imported
  // already). It draws nothing, as with its inline empty module.
  if (model.get("_nbstate_hub") === undefined && typeof model.get("_nbstate_class") === "string") return;
  let mod: RuntimeModule;
  try {
    mod = await runtimeOf(model);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    console.warn("[nbstate] could not load the renderer:", err);
    const box = el.ownerDocument.createElement("div");
    box.setAttribute("role", "alert");
    box.textContent = `[nbstate] could not load the renderer: ${msg}. Re-run the cell that shows this view.`;
    el.appendChild(box);
    return;
  }
  return mod.default.render({ model, el });
}

export default { render };
