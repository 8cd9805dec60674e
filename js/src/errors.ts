/**
 * The error area above a view's tree: the `_nbstate_errors` entries of every state the view
 * reads, plus local ones (events the kernel rejected). Entries are keyed by id, so an update
 * only adds and removes the entries that changed.
 */
import type { ErrorEntry, ModelLike } from "./types";

export interface LocalError {
  type: string;
  message: string;
  handler?: string | null;
}

interface Shown {
  key: string;
  entry: ErrorEntry;
  dismiss: () => void;
}

export class ErrorArea {
  readonly el: HTMLElement;
  private readonly doc: Document;
  private readonly dom = new Map<string, HTMLElement>();
  private readonly dismissed = new Set<string>();
  private readonly local = new Map<number, LocalError>();
  private localCounter = 0;
  private states: readonly ModelLike[] = [];
  private readonly ctx = {};

  constructor(doc: Document) {
    this.doc = doc;
    this.el = doc.createElement("div");
    this.el.className = "nbstate-errors";
    this.el.setAttribute("aria-live", "polite");
    this.el.hidden = true;
  }

  /** Starts showing the errors of these states (stops listening to the previous ones). */
  watch(states: readonly ModelLike[]): void {
    this.unwatch();
    for (const el of this.dom.values()) el.remove();
    this.dom.clear();
    this.states = [...new Set(states)];
    for (const m of this.states) m.on("change:_nbstate_errors", () => this.update(), this.ctx);
    this.update();
  }

  unwatch(): void {
    for (const m of this.states) m.off(null, null, this.ctx);
    this.states = [];
  }

  addLocal(err: LocalError): void {
    this.local.set(++this.localCounter, err);
    this.update();
  }

  private collect(): Shown[] {
    const out: Shown[] = [];
    this.states.forEach((model, s) => {
      const list = model.get("_nbstate_errors");
      if (!Array.isArray(list)) return;
      for (const entry of list as ErrorEntry[]) {
        if (!entry || typeof entry !== "object") continue;
        const key = `${s}:${String(entry.id)}`;
        if (this.dismissed.has(key)) continue;
        out.push({
          key,
          entry,
          dismiss: () => {
            this.dismissed.add(key);
            model.send({ kind: "dismiss", id: entry.id });
            this.update();
          },
        });
      }
    });
    for (const [id, err] of this.local) {
      out.push({
        key: `local:${id}`,
        entry: { id, type: err.type, message: err.message, handler: err.handler ?? null },
        dismiss: () => {
          this.local.delete(id);
          this.update();
        },
      });
    }
    return out;
  }

  update(): void {
    const shown = this.collect();
    const keys = new Set(shown.map((s) => s.key));
    for (const [key, el] of this.dom) {
      if (!keys.has(key)) {
        el.remove();
        this.dom.delete(key);
      }
    }
    // Forget dismissals the kernel has confirmed, so the set does not grow forever.
    const present = new Set<string>();
    this.states.forEach((model, s) => {
      const list = model.get("_nbstate_errors");
      if (Array.isArray(list)) for (const e of list as ErrorEntry[]) present.add(`${s}:${String(e?.id)}`);
    });
    for (const key of this.dismissed) if (!present.has(key)) this.dismissed.delete(key);

    let prev: Element | null = null;
    for (const item of shown) {
      let el = this.dom.get(item.key);
      if (!el) {
        el = this.entryElement(item);
        this.dom.set(item.key, el);
      }
      const wanted: Element | null = prev ? prev.nextElementSibling : this.el.firstElementChild;
      if (wanted !== el) this.el.insertBefore(el, wanted);
      prev = el;
    }
    this.el.hidden = shown.length === 0;
  }

  private entryElement(item: Shown): HTMLElement {
    const d = this.doc;
    const { entry } = item;
    const box = d.createElement("div");
    box.className = "nbstate-error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-nbstate", "error-entry");
    box.setAttribute("data-error-id", String(entry.id));

    const head = d.createElement("div");
    head.className = "nbstate-error-head";
    const type = d.createElement("strong");
    type.className = "nbstate-error-type";
    type.textContent = entry.type || "Error";
    const message = d.createElement("span");
    message.className = "nbstate-error-message";
    message.textContent = entry.message ?? "";
    head.append(type, message);
    if (entry.handler) {
      const handler = d.createElement("span");
      handler.className = "nbstate-error-handler";
      handler.textContent = `in ${entry.handler}`;
      head.appendChild(handler);
    }
    const dismiss = d.createElement("button");
    dismiss.type = "button";
    dismiss.className = "nbstate-error-dismiss";
    dismiss.setAttribute("aria-label", "Dismiss error");
    dismiss.title = "Dismiss";
    dismiss.textContent = "\u00d7";
    dismiss.addEventListener("click", item.dismiss);
    head.appendChild(dismiss);
    box.appendChild(head);

    if (entry.traceback) {
      const details = d.createElement("details");
      details.className = "nbstate-error-traceback";
      const summary = d.createElement("summary");
      summary.textContent = "Traceback";
      const pre = d.createElement("pre");
      pre.textContent = entry.traceback;
      details.append(summary, pre);
      box.appendChild(details);
    }
    return box;
  }

  dispose(): void {
    this.unwatch();
    this.el.remove();
    this.dom.clear();
  }
}
