/**
 * The Markdown renderer is a separate module (nbstate/static/markdown.js, most of its size is
 * markdown-it). The kernel puts it on its hub model (`_nbstate_markdown`) when the first view
 * with a `markdown` component is shown, so it travels once per kernel. It is imported once per
 * page and source.
 */
import { importSource, modelIdOf, whenSet } from "./import-source";
import type { ModelLike } from "./types";

export interface MarkdownModule {
  renderMarkdown(source: string, doc: Document): DocumentFragment;
}

const REGISTRY = Symbol.for("nbstate.markdown");

/** The renderer module carried by `source` (imported at most once per page and source). */
export function loadMarkdown(source: unknown): Promise<MarkdownModule> {
  if (typeof source !== "string" || source === "") {
    return Promise.reject(new Error("no Markdown renderer was sent (_nbstate_markdown is empty)"));
  }
  const g = globalThis as unknown as Record<symbol, Map<string, Promise<MarkdownModule>> | undefined>;
  const cache = (g[REGISTRY] ??= new Map());
  let mod = cache.get(source);
  if (!mod) {
    mod = importSource<MarkdownModule>(source);
    cache.set(source, mod);
  }
  return mod;
}

/** The renderer, from the hub model the view model names in `_nbstate_hub`. */
export async function markdownFor(view: ModelLike): Promise<MarkdownModule> {
  const hubId = modelIdOf(view.get("_nbstate_hub"));
  if (hubId === null) throw new Error("this view names no hub model (_nbstate_hub is empty)");
  const hub = await view.widget_manager.get_model(hubId);
  return loadMarkdown(await whenSet(hub, "_nbstate_markdown"));
}
