/**
 * The Markdown renderer is a separate module (nbstate/static/markdown.js, most of its size is
 * markdown-it), sent only with views whose tree has a `markdown` component, in the view model's
 * `_nbstate_markdown` trait. It is imported once per page, from a Blob URL as anywidget imports
 * its ESM (a data: URL where Blob URLs cannot be imported, as under Node).
 */
export interface MarkdownModule {
  renderMarkdown(source: string, doc: Document): DocumentFragment;
}

const REGISTRY = Symbol.for("nbstate.markdown");

async function importSource(source: string): Promise<MarkdownModule> {
  const blob = new Blob([source], { type: "text/javascript" });
  try {
    const url = URL.createObjectURL(blob);
    try {
      return (await import(/* @vite-ignore */ url)) as MarkdownModule;
    } finally {
      URL.revokeObjectURL(url);
    }
  } catch {
    const data = "data:text/javascript;base64," + btoa(unescape(encodeURIComponent(source)));
    return (await import(/* @vite-ignore */ data)) as MarkdownModule;
  }
}

/** The renderer module carried by `source` (imported at most once per page and source). */
export function loadMarkdown(source: unknown): Promise<MarkdownModule> {
  if (typeof source !== "string" || source === "") {
    return Promise.reject(new Error("this view carries no Markdown renderer (_nbstate_markdown is empty)"));
  }
  const g = globalThis as unknown as Record<symbol, Map<string, Promise<MarkdownModule>> | undefined>;
  const cache = (g[REGISTRY] ??= new Map());
  let mod = cache.get(source);
  if (!mod) {
    mod = importSource(source);
    cache.set(source, mod);
  }
  return mod;
}
