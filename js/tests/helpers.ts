/** Test doubles: a Backbone-like model, a widget manager, and tree/expression builders. */
import { buildSync } from "esbuild";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { installHub } from "../src/hub";
import { render } from "../src/widget";
import type { Expr, PatchOp, TreeNode } from "../src/types";

type Cb = (...args: any[]) => void;
interface Listener {
  event: string;
  cb: Cb;
  ctx: unknown;
}

let modelCounter = 0;

/** A small stand-in for a Backbone / ipywidgets model: get/set/on/off/trigger/send. */
export class FakeModel {
  readonly model_id: string;
  readonly attrs: Record<string, unknown>;
  listeners: Listener[] = [];
  sent: any[] = [];
  widget_manager: FakeWidgetManager;

  constructor(attrs: Record<string, unknown> = {}, manager?: FakeWidgetManager, id?: string) {
    this.model_id = id ?? `m${++modelCounter}`;
    this.attrs = { ...attrs };
    this.widget_manager = manager ?? new FakeWidgetManager();
    this.widget_manager.register(this);
  }

  get(key: string): any {
    return this.attrs[key];
  }

  /** Like Backbone: all attributes first, then one change:<key> per changed key, then change. */
  set(key: string | Record<string, unknown>, value?: unknown): void {
    const changes: Record<string, unknown> = typeof key === "string" ? { [key]: value } : key;
    const changed: string[] = [];
    for (const [k, v] of Object.entries(changes)) {
      if (!isDeepStrictEqual(this.attrs[k], v)) {
        this.attrs[k] = v;
        changed.push(k);
      }
    }
    for (const k of changed) this.trigger("change:" + k, this, this.attrs[k]);
    if (changed.length) this.trigger("change", this);
  }

  on(event: string, cb: Cb, ctx?: unknown): void {
    this.listeners.push({ event, cb, ctx });
  }

  off(event?: string | null, cb?: Cb | null, ctx?: unknown): void {
    this.listeners = this.listeners.filter(
      (l) => !((event == null || l.event === event) && (cb == null || l.cb === cb) && (ctx == null || l.ctx === ctx)),
    );
  }

  trigger(event: string, ...args: unknown[]): void {
    for (const l of [...this.listeners]) if (l.event === event && this.listeners.includes(l)) l.cb.apply(l.ctx, args);
  }

  send(content: unknown): void {
    this.sent.push(content);
  }

  /** A custom message from the kernel. */
  receive(msg: unknown): void {
    this.trigger("msg:custom", msg, []);
  }

  count(event?: string): number {
    return this.listeners.filter((l) => event === undefined || l.event === event).length;
  }
}

export class FakeWidgetManager {
  readonly models = new Map<string, FakeModel>();
  /** The kernel's hub model for this manager's page (see hubOf). */
  hub: FakeModel | null = null;
  hubSeq = 0;
  readonly views: { model: FakeModel; el: HTMLElement; removed: boolean }[] = [];

  register(m: FakeModel): void {
    this.models.set(m.model_id, m);
  }

  async get_model(id: string): Promise<FakeModel> {
    const m = this.models.get(id);
    if (!m) throw new Error(`no model ${id}`);
    return m;
  }

  async create_view(model: FakeModel): Promise<{ el: HTMLElement; remove(): void }> {
    const el = document.createElement("div");
    el.className = "fake-widget";
    el.textContent = String(model.get("description") ?? "widget");
    const rec = { model, el, removed: false };
    this.views.push(rec);
    return {
      el,
      remove() {
        rec.removed = true;
        el.remove();
      },
    };
  }
}

export function state(vars: Record<string, unknown>, manager: FakeWidgetManager, extra: Record<string, unknown> = {}): FakeModel {
  const attrs: Record<string, unknown> = { _nbstate_class: "S", _nbstate_errors: [], ...extra };
  for (const [k, v] of Object.entries(vars)) attrs["v_" + k] = v;
  return new FakeModel(attrs, manager);
}

export interface Mounted {
  el: HTMLElement;
  view: FakeModel;
  states: FakeModel[];
  manager: FakeWidgetManager;
  cleanup: () => void;
  /** The tree container (below the error area). */
  tree: HTMLElement;
}

/** The Markdown renderer module as the kernel sends it (`_nbstate_markdown`), built once. */
export const MARKDOWN_ESM = buildSync({
  entryPoints: [resolve(dirname(fileURLToPath(import.meta.url)), "../src/markdown.ts")],
  bundle: true,
  format: "esm",
  platform: "browser",
  write: false,
}).outputFiles[0].text;

/**
 * The kernel's hub model of this page, opened as the kernel opens it: it applies batches
 * (installHub) and carries the Markdown renderer (as after a view with Markdown was shown).
 */
export function hubOf(manager: FakeWidgetManager): FakeModel {
  if (!manager.hub) {
    manager.hub = new FakeModel({ _nbstate_hub: "kernel", _nbstate_markdown: MARKDOWN_ESM }, manager);
    installHub(manager.hub as never);
  }
  return manager.hub;
}

/** Lets queued batches apply (the hub resolves each model before setting it). */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Sends `ops` for var `name` of `state` in one hub batch, as the kernel does, and applies it. */
export async function sendPatch(state: FakeModel, name: string, ops: PatchOp[]): Promise<void> {
  const manager = state.widget_manager;
  hubOf(manager).receive({ kind: "batch", seq: ++manager.hubSeq, models: { [state.model_id]: { patches: { [name]: ops } } } });
  await settle();
}

/** Renders `tree` bound to states with these vars; returns the element and the fakes. */
export async function mount(
  tree: TreeNode,
  vars: Record<string, unknown>[] = [{}],
  opts: {
    widgets?: FakeModel[];
    manager?: FakeWidgetManager;
    states?: FakeModel[];
    viewAttrs?: Record<string, unknown>;
  } = {},
): Promise<Mounted> {
  const manager = opts.manager ?? new FakeWidgetManager();
  const states = opts.states ?? vars.map((v) => state(v, manager));
  for (const w of opts.widgets ?? []) manager.register(w);
  const view = new FakeModel(
    {
      tree,
      states: states.map((s) => "IPY_MODEL_" + s.model_id),
      widgets: (opts.widgets ?? []).map((w) => "IPY_MODEL_" + w.model_id),
      _nbstate_hub: "IPY_MODEL_" + hubOf(manager).model_id,
      ...opts.viewAttrs,
    },
    manager,
  );
  const el = document.createElement("div");
  document.body.appendChild(el);
  const cleanup = await render({ model: view as any, el });
  const tree_ = el.querySelector(".nbstate-tree") as HTMLElement;
  return { el, view, states, manager, cleanup, tree: tree_ };
}

/** Runs `fn` and returns the DOM mutation records it caused under `target`. */
export function mutations(target: Node, fn: () => void): MutationRecord[] {
  const obs = new MutationObserver(() => {});
  obs.observe(target, { subtree: true, childList: true, characterData: true, attributes: true });
  fn();
  const records = obs.takeRecords();
  obs.disconnect();
  return records;
}

/** Like `mutations`, for an async `fn` (such as sendPatch). */
export async function mutationsAfter(target: Node, fn: () => Promise<void>): Promise<MutationRecord[]> {
  const obs = new MutationObserver(() => {});
  obs.observe(target, { subtree: true, childList: true, characterData: true, attributes: true });
  await fn();
  const records = obs.takeRecords();
  obs.disconnect();
  return records;
}

/** The nodes (elements or texts) a set of records touched, as their nearest element. */
export function touchedElements(records: MutationRecord[]): Element[] {
  return records.map((r) => (r.target.nodeType === 1 ? (r.target as Element) : (r.target.parentElement as Element)));
}

// ---- tree and expression builders ----

export const lit = (v: unknown): Expr => ({ op: "lit", v });
export const v = (name: string, s = 0): Expr => ({ op: "var", s, name });
export const arg = (name: string): Expr => ({ op: "arg", name });
export const ev = (i = 0): Expr => ({ op: "event", i });
export const op = (name: string, fields: Record<string, unknown> = {}): Expr => ({ op: name, ...fields });

export const text = (expr: Expr | string): TreeNode => ({
  type: "text",
  expr: typeof expr === "string" ? lit(expr) : expr,
});

export function comp(
  name: string,
  props: Record<string, Expr> = {},
  children: (TreeNode | string)[] = [],
  extra: { style?: Record<string, Expr>; events?: Record<string, any> } = {},
): TreeNode {
  return {
    type: "component",
    name,
    props,
    children: children.map((c) => (typeof c === "string" ? text(c) : c)),
    ...extra,
  };
}

export const handler = (name: string, args: Expr[] = [], s = 0) => ({ s, handler: name, args });

/** Events a state model received, without the id. */
export function events(m: FakeModel): any[] {
  return m.sent.filter((x) => x.kind === "event").map(({ id: _id, ...rest }) => rest);
}

export function byData(root: ParentNode, name: string): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(`[data-nbstate="${name}"]`));
}
