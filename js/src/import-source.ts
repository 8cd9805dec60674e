import type { ModelLike } from "./types";

/**
 * Imports an ES module from its source text, from a Blob URL as anywidget imports a model's
 * ESM, or from a data: URL where Blob URLs cannot be imported (as under Node).
 */
export async function importSource<T>(source: string): Promise<T> {
  const blob = new Blob([source], { type: "text/javascript" });
  try {
    const url = URL.createObjectURL(blob);
    try {
      return (await import(/* @vite-ignore */ url)) as T;
    } finally {
      URL.revokeObjectURL(url);
    }
  } catch {
    const data = "data:text/javascript;base64," + btoa(unescape(encodeURIComponent(source)));
    return (await import(/* @vite-ignore */ data)) as T;
  }
}

const REF_PREFIX = "IPY_MODEL_";

/** The model a `IPY_MODEL_<id>` reference names (the plain id is accepted too). */
export function modelIdOf(ref: unknown): string | null {
  if (typeof ref !== "string" || ref === "") return null;
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

/**
 * Resolves with the model's `key` trait once it is a non-empty string (at once if it already
 * is): a trait the kernel sets just before it opens a view may arrive a moment after the model.
 * Rejects after `timeoutMs` if it never is.
 */
export function whenSet(model: ModelLike, key: string, timeoutMs = 15_000): Promise<string> {
  const now = model.get(key);
  if (typeof now === "string" && now !== "") return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const v = model.get(key);
      if (typeof v !== "string" || v === "") return;
      clearTimeout(timer);
      model.off(`change:${key}`, check);
      resolve(v);
    };
    const timer = setTimeout(() => {
      model.off(`change:${key}`, check);
      reject(new Error(`the kernel did not send '${key}' within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    model.on(`change:${key}`, check);
  });
}

/** The renderer module: its default export renders a view model into an element. */
export interface RuntimeModule {
  default: { render(props: { model: ModelLike; el: HTMLElement }): Promise<() => void> };
}

const RUNTIMES = Symbol.for("nbstate.runtimes");
const WAITING = Symbol.for("nbstate.runtimeWaiters");

/**
 * How long a view waits for the hub's module to register the renderer before importing the
 * copy the hub carries. On a fresh page the hub's module (which bundles the renderer) and the
 * first view's loader load side by side; the loader usually finishes first, and importing a
 * second copy of the renderer then competes with the hub's for 20-40 ms.
 */
export const HUB_WAIT_MS = 2000;

function runtimes(): Map<string, Promise<RuntimeModule>> {
  const g = globalThis as unknown as Record<symbol, Map<string, Promise<RuntimeModule>> | undefined>;
  return (g[RUNTIMES] ??= new Map());
}

function waiters(): Map<string, (mod: RuntimeModule) => void> {
  const g = globalThis as unknown as Record<symbol, Map<string, (mod: RuntimeModule) => void> | undefined>;
  return (g[WAITING] ??= new Map());
}

/**
 * Makes `mod` the renderer of runtime `id` in this page, unless one is already there (a page
 * that imported it first keeps its copy). The hub's own module carries the renderer too and
 * registers it here, so the first view does not wait for a second import after the hub's.
 */
export function registerRuntime(id: string, mod: RuntimeModule): void {
  const waiting = waiters().get(id);
  if (waiting) {
    waiters().delete(id);
    waiting(mod); // views are waiting for exactly this
    return;
  }
  const cache = runtimes();
  if (!cache.has(id)) cache.set(id, Promise.resolve(mod));
}

/**
 * The renderer of the hub's runtime id (`_nbstate_runtime_id`), once per page: the copy the
 * hub's module registers, or, if none comes within `HUB_WAIT_MS`, the hub's `_nbstate_runtime`
 * imported (a hub without an id is imported at once).
 */
export function runtimeFromHub(hub: ModelLike): Promise<RuntimeModule> {
  const id = hub.get("_nbstate_runtime_id");
  const source = hub.get("_nbstate_runtime");
  if (typeof id !== "string" || typeof source !== "string" || source === "") {
    return Promise.reject(new Error("the kernel's hub model carries no renderer (_nbstate_runtime is empty)"));
  }
  const cache = runtimes();
  let mod = cache.get(id);
  if (!mod) {
    mod = new Promise<RuntimeModule>((resolve, reject) => {
      const load = (): void => {
        importSource<RuntimeModule>(source).then(resolve, (err: unknown) => {
          cache.delete(id); // a failed import may be retried by the next view
          reject(err);
        });
      };
      if (id === "") {
        load();
        return;
      }
      const timer = setTimeout(() => {
        if (waiters().get(id) !== done) return;
        waiters().delete(id);
        load();
      }, HUB_WAIT_MS);
      const done = (m: RuntimeModule): void => {
        clearTimeout(timer);
        resolve(m);
      };
      waiters().set(id, done);
    });
    cache.set(id, mod);
  }
  return mod;
}
