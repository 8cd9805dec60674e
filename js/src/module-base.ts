/**
 * Tells the kernel where this page can import a view's ESM from (docs/protocol.md, "modules").
 *
 * anywidget imports a model's ESM by URL when it is an http(s) URL (once per page: later views
 * reuse the module), and from a new Blob URL for every view otherwise, which costs 10-30 ms on
 * each view's first render. The wheel installs the view ESM under the labextensions folder, which
 * Jupyter serves; this checks that the page's server serves exactly the kernel's loader there,
 * imports it once, and reports the base URL (or null). The kernel uses the URL only while every
 * page agrees.
 */
import type { ModelLike } from "./types";

/** One id per page load: the kernel keeps one report per page. */
const PAGE_ID = Math.random().toString(36).slice(2, 14) + Date.now().toString(36);

/** The page's labextensions URL (JupyterLab, Notebook 7, Voila put it in their page config). */
export function labextensionsBase(doc: Document): string | null {
  const el = doc.getElementById("jupyter-config-data");
  if (!el?.textContent) return null;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(el.textContent) as Record<string, unknown>;
  } catch {
    return null;
  }
  const url = config.fullLabextensionsUrl;
  if (typeof url !== "string" || url === "") return null;
  let base: URL;
  try {
    base = new URL(url.endsWith("/") ? url : url + "/", doc.baseURI);
  } catch {
    return null;
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") return null;
  base.search = "";
  base.hash = "";
  return base.href;
}

/** The base URL if `base + path` serves exactly `expected` and imports as a module, else null. */
export async function checkedBase(base: string, path: string, expected: string): Promise<string | null> {
  try {
    const res = await fetch(base + path, { credentials: "same-origin", cache: "no-cache" });
    if (!res.ok || (await res.text()) !== expected) return null;
    // Import it now: the first view that names the URL then finds it in the page's modules.
    await import(/* @vite-ignore */ base + path);
    return base;
  } catch {
    return null;
  }
}

/** Checks and reports this page's base for the view ESM (once per hub model in the page). */
export async function reportModuleBase(hub: ModelLike): Promise<void> {
  const path = hub.get("_nbstate_loader_path");
  const expected = hub.get("_nbstate_loader");
  if (typeof path !== "string" || path === "" || typeof expected !== "string" || expected === "") return;
  const doc = globalThis.document;
  const base = doc ? labextensionsBase(doc) : null;
  const found = base === null ? null : await checkedBase(base, path, expected);
  hub.send({ kind: "modules", page: PAGE_ID, base: found });
}

/** A state model whose module this page could not import. */
export interface UnloadableState {
  model: ModelLike;
  url: string;
  error: string;
}

/**
 * The state models among `states` whose ESM is a URL this page cannot import. A state model
 * names the loader's URL once the pages that reported agree on it; a page of another origin
 * that joins the kernel later cannot import it, and anywidget then drops every message the model
 * receives in that page (its errors, its events' results, its toasts). A view shows these
 * instead of missing them silently. Importing a module the page already has costs nothing.
 */
export async function unloadableStates(
  states: readonly ModelLike[],
  importer: (url: string) => Promise<unknown> = (url) => import(/* @vite-ignore */ url),
): Promise<UnloadableState[]> {
  const checks = [...new Set(states)].map(async (model): Promise<UnloadableState | null> => {
    const url = model.get("_esm");
    if (typeof url !== "string" || !(url.startsWith("http://") || url.startsWith("https://"))) return null;
    try {
      await importer(url);
      return null;
    } catch (err) {
      return { model, url, error: err instanceof Error ? err.message : String(err) };
    }
  });
  return (await Promise.all(checks)).filter((x): x is UnloadableState => x !== null);
}
