/**
 * One rendered view: resolves the state and widget models, renders the error area and the
 * tree, sends events, and removes every listener when it closes.
 */
import type { Ctx, Runtime } from "./context";
import { describeError, envOf, inlineError, warn } from "./context";
import { ErrorArea } from "./errors";
import { evaluate } from "./expr";
import { Owner, Scope, VarHub } from "./reactive";
import { mountNode } from "./render";
import type { Callback, EventSpec, ModelLike, TreeNode } from "./types";
import { markdownFor } from "./markdown-loader";
import { unloadableStates } from "./module-base";
import type { DownloadMessage, ToastMessage } from "./notices";
import { ToastArea, maybeDownload, registerView } from "./notices";
import { keepSnapshotAtSave } from "./saved-snapshot";
import { encodeWire } from "./wire-values";

const REF_PREFIX = "IPY_MODEL_";
const EVENT_COUNTER = Symbol.for("nbstate.eventCounter");

/** Event ids are unique per page, across every copy of this module. */
export function nextEventId(): number {
  const g = globalThis as unknown as Record<symbol, number | undefined>;
  const id = (g[EVENT_COUNTER] ?? 0) + 1;
  g[EVENT_COUNTER] = id;
  return id;
}

async function resolveRefs(model: ModelLike, refs: unknown, what: string): Promise<ModelLike[]> {
  if (refs === null || refs === undefined) return [];
  if (!Array.isArray(refs)) throw new Error(`'${what}' must be a list of model references`);
  return Promise.all(
    refs.map(async (ref) => {
      if (typeof ref === "string") {
        const id = ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
        return await model.widget_manager.get_model(id);
      }
      if (ref && typeof (ref as ModelLike).get === "function") return ref as ModelLike;
      throw new Error(`'${what}' holds something that is not a model reference: ${JSON.stringify(ref)}`);
    }),
  );
}

interface CustomMessage {
  kind?: string;
  id?: number;
  error?: string;
}

export class NbView {
  readonly root: HTMLElement;
  readonly errors: ErrorArea;
  readonly toasts: ToastArea;
  /** Shown when the view no longer works (its state class was redefined): `_nbstate_notice`. */
  readonly notice: HTMLElement;
  private readonly treeEl: HTMLElement;
  private readonly doc: Document;
  private states: ModelLike[] = [];
  private widgets: ModelLike[] = [];
  private hub: VarHub | null = null;
  private owner: Owner | null = null;
  private readonly pending = new Map<number, { handler: string; onRejected?: () => void }>();
  private generation = 0;
  private destroyed = false;
  /** State models reported as unable to load their module here, with the URL that failed. */
  private readonly unloadable = new WeakMap<ModelLike, string>();
  /** Context of every listener this view puts on a state model. */
  private readonly ctx = {};
  /** The `states` and `widgets` references the current (or loading) models came from. */
  private refsKey = "";
  private loading = false;
  private unregister: () => void = () => {};
  private unwatchSaves: () => void = () => {};
  // Backbone sets every attribute of an update before firing any change event, so when tree
  // and states change together, either handler already sees both new values.
  private readonly onTree: Callback = () => {
    if (this.refsChanged()) void this.load();
    else if (!this.loading) this.renderTree();
  };
  private readonly onRefs: Callback = () => {
    if (this.refsChanged()) void this.load();
  };
  /** The view no longer works (`_nbstate_notice` is set): it shows why and sends nothing. */
  private dead = false;
  private readonly onNotice: Callback = () => {
    const text = this.model.get("_nbstate_notice");
    const on = typeof text === "string" && text !== "";
    this.dead = on;
    this.notice.textContent = on ? text : "";
    this.notice.hidden = !on;
    // A dead view takes no clicks or typing (inert); its state is closed.
    if (on) {
      this.treeEl.setAttribute("inert", "");
      this.treeEl.setAttribute("aria-disabled", "true");
    } else {
      this.treeEl.removeAttribute("inert");
      this.treeEl.removeAttribute("aria-disabled");
    }
  };

  constructor(
    private readonly model: ModelLike,
    el: HTMLElement,
  ) {
    this.doc = el.ownerDocument;
    this.root = this.doc.createElement("div");
    this.root.className = "nbstate-view";
    this.errors = new ErrorArea(this.doc);
    this.toasts = new ToastArea(this.doc);
    this.notice = this.doc.createElement("div");
    this.notice.className = "nbstate-notice";
    this.notice.setAttribute("role", "status");
    this.notice.hidden = true;
    this.treeEl = this.doc.createElement("div");
    this.treeEl.className = "nbstate-tree";
    this.root.append(this.notice, this.toasts.el, this.errors.el, this.treeEl);
    el.appendChild(this.root);
  }

  async start(): Promise<void> {
    // The anywidget proxy binds listeners to the view itself, so they are removed by callback.
    this.model.on("change:tree", this.onTree, this.ctx);
    this.model.on("change:states", this.onRefs, this.ctx);
    this.model.on("change:widgets", this.onRefs, this.ctx);
    this.model.on("change:_nbstate_notice", this.onNotice, this.ctx);
    this.onNotice();
    this.unregister = registerView(this.viewId());
    this.unwatchSaves = keepSnapshotAtSave(this.model, this.viewId(), this.root);
    await this.load();
  }

  private currentRefsKey(): string {
    try {
      return JSON.stringify([this.model.get("states") ?? null, this.model.get("widgets") ?? null]);
    } catch {
      return String(Math.random()); // not JSON: always reload
    }
  }

  private refsChanged(): boolean {
    return this.currentRefsKey() !== this.refsKey;
  }

  private async load(): Promise<void> {
    const gen = ++this.generation;
    this.refsKey = this.currentRefsKey();
    this.loading = true;
    let states: ModelLike[];
    let widgets: ModelLike[];
    try {
      [states, widgets] = await Promise.all([
        resolveRefs(this.model, this.model.get("states"), "states"),
        resolveRefs(this.model, this.model.get("widgets"), "widgets"),
      ]);
    } catch (err) {
      if (gen !== this.generation || this.destroyed) return;
      this.loading = false;
      warn("could not resolve the view's models:", err);
      this.clearTree();
      this.treeEl.appendChild(inlineError(this.doc, "could not load state: " + describeError(err)));
      return;
    }
    if (gen !== this.generation || this.destroyed) return;
    this.loading = false;
    this.attachStates(states);
    this.widgets = widgets;
    this.renderTree();
    void this.checkStateModules(states, gen);
  }

  /** Says so, once per model and URL, if a state's model cannot load its module in this page
   * (module-base.ts). */
  private async checkStateModules(states: ModelLike[], gen: number): Promise<void> {
    for (const bad of await unloadableStates(states)) {
      if (gen !== this.generation || this.destroyed) return;
      if (this.unloadable.get(bad.model) === bad.url) continue;
      this.unloadable.set(bad.model, bad.url);
      const label = bad.model.get("_nbstate_class");
      this.errors.addLocal({
        type: "ModuleError",
        message:
          `the model of ${typeof label === "string" && label ? label : "a state"} cannot load its module in this ` +
          `page (${bad.url}: ${bad.error}), so its errors and the results of its events do not reach this view. ` +
          "Re-run the cell that defines the state's class.",
      });
    }
  }

  private attachStates(states: ModelLike[]): void {
    this.detachStates();
    this.states = states;
    this.errors.watch(states);
    for (const m of new Set(states)) {
      m.on("msg:custom", (msg: CustomMessage, buffers?: unknown) => this.onCustom(msg, buffers), this.ctx);
    }
  }

  private detachStates(): void {
    for (const m of new Set(this.states)) m.off(null, null, this.ctx);
    this.errors.unwatch();
    this.states = [];
  }

  private onCustom(msg: CustomMessage, buffers?: unknown): void {
    if (!msg || typeof msg !== "object") return;
    if (msg.kind === "toast") {
      if (!this.dead) this.toasts.show(msg as ToastMessage);
      return;
    }
    if (msg.kind === "download") {
      if (!this.dead) maybeDownload(this.doc, msg as DownloadMessage, buffers, this.viewId());
      return;
    }
    if (typeof msg.id !== "number") return;
    const sent = this.pending.get(msg.id);
    if (!sent) return; // another view's event
    if (msg.kind === "done") this.pending.delete(msg.id);
    else if (msg.kind === "rejected") {
      this.pending.delete(msg.id);
      const message = typeof msg.error === "string" ? msg.error : "the kernel refused the event";
      warn(`event '${sent.handler}' was rejected:`, message);
      this.errors.addLocal({ type: "Rejected", message, handler: sent.handler });
      sent.onRejected?.();
    }
  }

  private clearTree(): void {
    this.owner?.dispose();
    this.owner = null;
    this.hub?.dispose();
    this.hub = null;
    this.treeEl.replaceChildren();
  }

  /** Builds the whole tree; called on load and when `tree` changes, never for a var change. */
  renderTree(): void {
    if (this.destroyed) return;
    this.clearTree();
    const hub = new VarHub(this.states);
    const owner = new Owner();
    this.hub = hub;
    this.owner = owner;
    const rt: Runtime = {
      doc: this.doc,
      hub,
      states: this.states,
      widgets: this.widgets,
      widgetManager: this.model.widget_manager,
      mount: mountNode,
      sendEvent: (spec, values, scope, onRejected) => this.sendEvent(hub, spec, values, scope, onRejected),
      markdown: () => markdownFor(this.model),
    };
    const ctx: Ctx = { rt, hub, scope: new Scope(), owner };
    const tree = this.model.get("tree") as TreeNode | null | undefined;
    if (!tree) return;
    const frag = this.doc.createDocumentFragment();
    mountNode(tree, ctx, frag, null);
    this.treeEl.appendChild(frag);
  }

  private sendEvent(
    hub: VarHub,
    spec: EventSpec,
    values: readonly unknown[],
    scope: Scope,
    onRejected?: () => void,
  ): void {
    const state = this.states[spec?.s];
    const handler = typeof spec?.handler === "string" ? spec.handler : "?";
    if (this.dead) {
      // Where `inert` is not supported, an event can still fire; its state model is closed.
      warn(`event '${handler}' not sent: this view's state class was redefined`);
      return;
    }
    if (!state) {
      warn(`event '${handler}' names state ${String(spec?.s)}, which this view does not have`);
      this.errors.addLocal({ type: "EventError", message: `no state at index ${String(spec?.s)}`, handler });
      return;
    }
    let args: unknown[];
    try {
      const env = envOf({ hub, scope }, values);
      args = (spec.args ?? []).map((a) => evaluate(a, env));
    } catch (err) {
      warn(`could not evaluate the arguments of '${handler}':`, describeError(err));
      this.errors.addLocal({ type: "EventError", message: describeError(err), handler });
      return;
    }
    const id = nextEventId();
    if (this.pending.size > 1000) this.pending.clear(); // a kernel that never answers
    this.pending.set(id, { handler, onRejected });
    state.send({ kind: "event", id, handler, args: encodeWire(args), view: this.viewId() });
  }

  /**
   * The view model's id. anywidget's model proxy has no `model_id`, so the view model may
   * also carry its own id in the `_nbstate_view_id` trait.
   */
  private viewId(): string | null {
    const id = this.model.model_id ?? this.model.get("_nbstate_view_id");
    return typeof id === "string" && id !== "" ? id : null;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.generation++;
    this.clearTree();
    this.model.off("change:tree", this.onTree, this.ctx);
    this.model.off("change:states", this.onRefs, this.ctx);
    this.model.off("change:widgets", this.onRefs, this.ctx);
    this.model.off("change:_nbstate_notice", this.onNotice, this.ctx);
    this.detachStates();
    this.unregister();
    this.unwatchSaves();
    this.errors.dispose();
    this.toasts.dispose();
    this.pending.clear();
    this.root.remove();
  }
}
