/**
 * The saved notebook's picture of each view, as of the save.
 *
 * A view's output carries a static `text/html` snapshot, drawn by the kernel when the cell
 * showed the view (nbstate/_ui/snapshot.py). In JupyterLab and Notebook 7, when the notebook is
 * saved, each live view replaces that snapshot with an inert copy of what it shows at that
 * moment, so nbconvert's HTML export, nbviewer and GitHub show the values at save time.
 *
 * - The copy is made from the view's own DOM: it is exactly what the person sees, with no
 *   kernel round trip (the save serializes the notebook right after announcing it).
 * - It is inert: an allowlist of elements and attributes, text escaped, controls disabled with
 *   their current values written as attributes (never a password's), URLs checked as the live
 *   view checks them, embedded ipywidgets and transient toasts left out. Only values the
 *   browser holds are in the DOM, so backend vars never appear.
 * - It is written into the notebook's shared model (the document that is saved) with the
 *   origin `silent-change`, which JupyterLab's cell model does not react to: the live output
 *   is not rendered again.
 */
import { safeHref, safeSrc } from "./sanitize";
import type { ModelLike } from "./types";

const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";
const WRAPPER = "nbstate-saved";

/** Elements copied with their children. Anything else is unwrapped (its children copied). */
const KEEP = new Set(
  ("a abbr b blockquote br button caption code dd del details div dl dt em fieldset figcaption " +
    "figure footer h1 h2 h3 h4 h5 h6 header hr i img input ins kbd label legend li mark ol " +
    "option p pre progress q s samp section select small span strong sub summary sup table " +
    "tbody td textarea tfoot th thead time tr u ul var").split(" "),
);
/** Elements dropped with everything inside them. */
const DROP = new Set(
  ("script style template iframe object embed svg math link meta base noscript canvas video " +
    "audio source track frame frameset form dialog slot").split(" "),
);
const VOID = new Set(["br", "hr", "img", "input"]);
const ATTRS = new Set(["class", "title", "role", "colspan", "rowspan", "alt", "width", "height", "dir", "lang", "open"]);
const INPUT_TYPES = new Set([
  "text", "number", "email", "search", "url", "tel", "date", "time", "datetime-local", "checkbox",
  "radio", "range", "color", "password",
]);
const CONTROLS = new Set(["button", "input", "select", "textarea"]);
/** Every control of the copy is disabled; the ones disabled in the live view carry this too. */
const LIVE_DISABLED = "data-nbstate-disabled";
/** Parts of the view that are not its picture: transient notices (toasts). */
const SKIP_CLASSES = ["nbstate-toasts"];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function attr(name: string, value: string | true): string {
  return value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
}

/** The element's inline style without any declaration that could fetch something. */
function inlineStyle(el: HTMLElement): string | null {
  const style = el.style;
  if (!style || style.length === 0) return null;
  const parts: string[] = [];
  for (let i = 0; i < style.length; i++) {
    const name = style.item(i);
    const value = style.getPropertyValue(name);
    if (/url\s*\(|expression\s*\(|@import/i.test(value)) continue;
    const important = style.getPropertyPriority(name) ? " !important" : "";
    parts.push(`${name}:${value}${important}`);
  }
  return parts.length ? parts.join(";") : null;
}

function attributesOf(el: HTMLElement, tag: string): string {
  let out = "";
  for (const a of Array.from(el.attributes)) {
    const name = a.name.toLowerCase();
    if (ATTRS.has(name) || name.startsWith("aria-")) out += attr(name, a.value);
  }
  const style = inlineStyle(el);
  if (style) out += attr("style", style);
  if (tag === "a") {
    const href = safeHref(el.getAttribute("href"));
    if (href !== null) out += attr("href", href) + attr("rel", "noopener noreferrer");
  } else if (tag === "img") {
    const src = safeSrc(el.getAttribute("src"));
    if (src !== null) out += attr("src", src);
  } else if (tag === "input") {
    const input = el as HTMLInputElement;
    const type = (input.getAttribute("type") ?? "text").toLowerCase();
    out += attr("type", INPUT_TYPES.has(type) ? type : "text");
    for (const k of ["min", "max", "step", "placeholder"]) {
      const v = input.getAttribute(k);
      if (v !== null) out += attr(k, v);
    }
    if (type === "checkbox" || type === "radio") {
      if (input.checked) out += attr("checked", true);
    } else if (type !== "password") {
      out += attr("value", input.value);
    }
  } else if (tag === "option") {
    const option = el as HTMLOptionElement;
    out += attr("value", option.value);
    if (option.selected) out += attr("selected", true);
  } else if (tag === "progress") {
    const p = el as HTMLProgressElement;
    out += attr("max", String(p.max));
    if (p.position >= 0) out += attr("value", String(p.value));
  } else if (tag === "textarea") {
    const v = el.getAttribute("placeholder");
    if (v !== null) out += attr("placeholder", v);
  }
  if (CONTROLS.has(tag)) out += attr("disabled", true);
  if ((CONTROLS.has(tag) || tag === "fieldset") && el.matches(":disabled")) out += attr(LIVE_DISABLED, true);
  return out;
}

function copyNode(node: Node, out: string[]): void {
  if (node.nodeType === 3) {
    out.push(escapeHtml(node.nodeValue ?? ""));
    return;
  }
  if (node.nodeType !== 1) return; // comments and the rest
  const el = node as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (DROP.has(tag) || el.hidden) return;
  const cls = el.classList;
  if (SKIP_CLASSES.some((c) => cls.contains(c))) return;
  if (cls.contains("nbstate-widget")) {
    out.push('<div class="nbstate-widget"><em>(an ipywidget, shown in the live view)</em></div>');
    return;
  }
  if (!KEEP.has(tag)) {
    el.childNodes.forEach((c) => copyNode(c, out));
    return;
  }
  out.push(`<${tag}${attributesOf(el, tag)}>`);
  if (VOID.has(tag)) return;
  if (tag === "textarea") out.push(escapeHtml((el as HTMLTextAreaElement).value));
  else el.childNodes.forEach((c) => copyNode(c, out));
  out.push(`</${tag}>`);
}

/** The inert HTML of a rendered element and everything inside it. */
export function inertHtml(root: Element): string {
  const out: string[] = [];
  copyNode(root, out);
  return out.join("");
}

function matchesIn(root: Element, selector: string): boolean {
  try {
    return root.matches(selector) || root.querySelector(selector) !== null;
  } catch {
    return false;
  }
}

/** Interaction states: rules for them never describe a still picture. */
const INTERACTIVE = /:(hover|active|focus|focus-visible|focus-within)\b/;
const PSEUDO_ELEMENT = /::?(before|after|placeholder|marker|selection|-webkit-[a-z-]+|-moz-[a-z-]+)/g;

/** Whether a rule's selector applies to something in `root` (pseudo-elements aside). */
function applies(root: Element, selectorText: string): boolean {
  if (!selectorText.includes("nbstate") || INTERACTIVE.test(selectorText)) return false;
  if (matchesIn(root, selectorText)) return true;
  const plain = selectorText.replace(PSEUDO_ELEMENT, "");
  return plain !== selectorText && matchesIn(root, plain);
}

/** A rule as the copy needs it: `:disabled` means disabled in the live view. */
function forCopy(rule: CSSStyleRule): string {
  const selector = rule.selectorText
    .replace(/:disabled\b/g, `[${LIVE_DISABLED}]`)
    .replace(/:enabled\b/g, `:not([${LIVE_DISABLED}])`);
  return `${selector} { ${rule.style.cssText} }`;
}

function collectRules(rules: CSSRuleList, root: Element, out: string[]): void {
  for (const rule of Array.from(rules)) {
    const styleRule = rule as CSSStyleRule;
    if (typeof styleRule.selectorText === "string") {
      if (applies(root, styleRule.selectorText)) out.push(forCopy(styleRule));
      continue;
    }
    const group = rule as CSSGroupingRule & { conditionText?: string; media?: MediaList };
    if (group.cssRules && (rule.cssText.startsWith("@media") || rule.cssText.startsWith("@supports"))) {
      const inner: string[] = [];
      collectRules(group.cssRules, root, inner);
      if (inner.length) {
        const head = rule.cssText.slice(0, rule.cssText.indexOf("{")).trim();
        out.push(`${head}{${inner.join("")}}`);
      }
    } else if (rule.cssText.startsWith("@keyframes nbstate")) {
      out.push(rule.cssText);
    }
  }
}

/** The page's nbstate CSS rules that apply to `root` (the view's stylesheet, trimmed to it). */
export function cssFor(root: Element): string {
  const out: string[] = [];
  for (const sheet of Array.from(root.ownerDocument.styleSheets)) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // a stylesheet from another origin: not ours
    }
    collectRules(rules, root, out);
  }
  return out.join("\n").replace(/<\/style/gi, "<\\/style");
}

/** The saved snapshot of a view: its trimmed CSS and the inert copy of its DOM. */
export function savedSnapshot(root: Element): string {
  const css = cssFor(root);
  return `<div class="${WRAPPER}">${css ? `<style>${css}</style>` : ""}${inertHtml(root)}</div>`;
}

// ---- Writing it into the notebook at save time --------------------------------------------

interface Signal<T> {
  connect(cb: (sender: unknown, value: T) => void): boolean | void;
  disconnect(cb: (sender: unknown, value: T) => void): boolean | void;
}
interface YMapLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}
interface YArrayLike {
  length: number;
  get(index: number): YMapLike | undefined;
}
interface SharedCellLike {
  youtputs?: YArrayLike;
  transact(fn: () => void, undoable?: boolean, origin?: unknown): void;
}
/** What a notebook's document context offers (JupyterLab's DocumentRegistry.IContext). */
interface SaveContextLike {
  saveState: Signal<string>;
  model: { sharedModel?: { cells?: readonly SharedCellLike[] } };
}

/** Per document context: the roots of the live views of each view model. */
const watched = new Map<SaveContextLike, { views: Map<string, Set<Element>>; onSave: (s: unknown, state: string) => void }>();

function contextOf(model: ModelLike): SaveContextLike | null {
  const ctx = (model.widget_manager as { context?: unknown }).context as SaveContextLike | undefined;
  if (!ctx || !ctx.saveState || typeof ctx.saveState.connect !== "function" || !ctx.model) return null;
  return ctx;
}

/** Writes the current snapshot of every watched view into the outputs that show it. */
function writeSnapshots(ctx: SaveContextLike, views: Map<string, Set<Element>>): void {
  const cells = ctx.model.sharedModel?.cells;
  if (!cells) return;
  const made = new Map<string, string>();
  const snapshotOf = (id: string): string | null => {
    if (!made.has(id)) {
      const root = views.get(id)?.values().next().value;
      if (!root) return null;
      made.set(id, savedSnapshot(root));
    }
    return made.get(id)!;
  };
  for (const cell of cells) {
    const outputs = cell.youtputs;
    if (!outputs) continue;
    const edits: [YMapLike, Record<string, unknown>][] = [];
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs.get(i);
      const data = output?.get("data") as Record<string, unknown> | undefined;
      const ref = data?.[WIDGET_VIEW_MIME] as { model_id?: unknown } | undefined;
      if (!output || !data || typeof ref?.model_id !== "string") continue;
      const html = snapshotOf(ref.model_id);
      if (html !== null && data["text/html"] !== html) edits.push([output, { ...data, "text/html": html }]);
    }
    if (edits.length === 0) continue;
    cell.transact(() => {
      for (const [output, data] of edits) output.set("data", data);
    }, false, "silent-change");
  }
}

/**
 * While a view lives, the notebook's saves (JupyterLab, Notebook 7) store its current picture
 * in its output. Returns the cleanup. Pages with no document context (Voila, the HTML manager)
 * save nothing, so there it does nothing.
 */
export function keepSnapshotAtSave(model: ModelLike, viewId: string | null, root: Element): () => void {
  const ctx = viewId === null ? null : contextOf(model);
  if (ctx === null || viewId === null) return () => {};
  let entry = watched.get(ctx);
  if (!entry) {
    const views = new Map<string, Set<Element>>();
    const onSave = (_sender: unknown, state: string): void => {
      if (state !== "started") return;
      try {
        writeSnapshots(ctx, views);
      } catch (err) {
        // The save goes on; the outputs keep the pictures they had (drawn at display time or
        // at an earlier save).
        console.warn("[nbstate] could not store the views' current pictures in the saved notebook:", err);
      }
    };
    ctx.saveState.connect(onSave);
    entry = { views, onSave };
    watched.set(ctx, entry);
  }
  const roots = entry.views.get(viewId) ?? new Set<Element>();
  roots.add(root);
  entry.views.set(viewId, roots);
  const current = entry;
  return () => {
    roots.delete(root);
    if (roots.size === 0) current.views.delete(viewId);
    if (current.views.size === 0) {
      ctx.saveState.disconnect(current.onSave);
      watched.delete(ctx);
    }
  };
}
