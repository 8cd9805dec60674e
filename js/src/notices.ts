/**
 * Notices the kernel sends on a state model after a step commits: toasts (shown in every view
 * of the state, then removed after their duration) and downloads (saved once per page, by the
 * view the event came from when it is on the page, else by the first view that hears it).
 */
import { warn } from "./context";

const LEVELS = new Set(["info", "success", "warning", "error"]);
const DEFAULT_DURATION = 4000;
const MAX_SHOWN = 5;

export interface ToastMessage {
  kind: "toast";
  message?: unknown;
  level?: unknown;
  duration?: unknown;
}

export interface DownloadMessage {
  kind: "download";
  filename?: unknown;
  mime?: unknown;
  view?: unknown;
}

/** The toasts of one view, in a stack above its tree. */
export class ToastArea {
  readonly el: HTMLElement;
  private readonly timers = new Map<HTMLElement, ReturnType<typeof setTimeout>>();

  constructor(private readonly doc: Document) {
    this.el = doc.createElement("div");
    this.el.className = "nbstate-toasts";
    this.el.hidden = true;
  }

  show(msg: ToastMessage): void {
    const level = typeof msg.level === "string" && LEVELS.has(msg.level) ? msg.level : "info";
    const text = typeof msg.message === "string" ? msg.message : String(msg.message ?? "");
    const d = this.doc;
    const box = d.createElement("div");
    box.className = `nbstate-toast nbstate-toast-${level}`;
    box.setAttribute("data-nbstate", "toast");
    box.setAttribute("data-level", level);
    // Errors interrupt a screen reader; the others wait their turn.
    box.setAttribute("role", level === "error" ? "alert" : "status");
    const body = d.createElement("span");
    body.className = "nbstate-toast-message";
    body.textContent = text; // plain text, never HTML
    const close = d.createElement("button");
    close.type = "button";
    close.className = "nbstate-toast-close";
    close.setAttribute("aria-label", "Close notice");
    close.title = "Close";
    close.textContent = "\u00d7";
    close.addEventListener("click", () => this.remove(box));
    box.append(body, close);
    this.el.appendChild(box);
    this.el.hidden = false;
    while (this.el.childElementCount > MAX_SHOWN) this.remove(this.el.firstElementChild as HTMLElement);
    const duration =
      msg.duration === null ? null : typeof msg.duration === "number" && msg.duration > 0 ? msg.duration : DEFAULT_DURATION;
    if (duration !== null) this.timers.set(box, setTimeout(() => this.remove(box), duration));
  }

  private remove(box: HTMLElement): void {
    const timer = this.timers.get(box);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(box);
    box.remove();
    this.el.hidden = this.el.childElementCount === 0;
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.el.replaceChildren();
    this.el.remove();
  }
}

// -- downloads, once per page ---------------------------------------------------------------

interface PageRegistry {
  /** Rendered view model ids, with how many renderings of each are on the page. */
  live: Map<string, number>;
  /** Download messages already saved by some view. */
  handled: WeakSet<object>;
}

const REGISTRY = Symbol.for("nbstate.notices");

function registry(): PageRegistry {
  const g = globalThis as unknown as Record<symbol, PageRegistry | undefined>;
  return (g[REGISTRY] ??= { live: new Map(), handled: new WeakSet() });
}

/** A view of model `id` is on the page until the returned function is called. */
export function registerView(id: string | null): () => void {
  if (id === null) return () => {};
  const live = registry().live;
  live.set(id, (live.get(id) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (live.get(id) ?? 1) - 1;
    if (n <= 0) live.delete(id);
    else live.set(id, n);
  };
}

/**
 * Saves the download in `msg` if this view is the one to: the view it names, or any view when
 * the view it names is not on this page. Returns true when this view saved it.
 */
export function maybeDownload(doc: Document, msg: DownloadMessage, buffers: unknown, ownId: string | null): boolean {
  const reg = registry();
  if (reg.handled.has(msg)) return false;
  const target = typeof msg.view === "string" ? msg.view : null;
  if (target !== null && target !== ownId && reg.live.has(target)) return false;
  reg.handled.add(msg);
  const first = Array.isArray(buffers) ? (buffers[0] as unknown) : undefined;
  if (!(first instanceof ArrayBuffer || ArrayBuffer.isView(first))) {
    warn("a download arrived without its data");
    return false;
  }
  const filename = typeof msg.filename === "string" && msg.filename !== "" ? msg.filename : "download";
  const mime = typeof msg.mime === "string" ? msg.mime : "application/octet-stream";
  const url = URL.createObjectURL(new Blob([first as BlobPart], { type: mime }));
  const a = doc.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  a.style.display = "none";
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // The browser has read the URL once the click's download has started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}
