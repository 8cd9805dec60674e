/** The render context threaded through the tree, and helpers every node kind uses. */
import type { MarkdownModule } from "./markdown-loader";
import type { EvalEnv } from "./expr";
import { ExprError } from "./expr";
import type { Owner, Reactive, Scope, VarHub } from "./reactive";
import type { EventSpec, ModelLike, TreeNode, WidgetManagerLike } from "./types";

/** What the whole view offers its nodes. One per rendered tree. */
export interface Runtime {
  doc: Document;
  hub: VarHub;
  states: readonly ModelLike[];
  widgets: readonly ModelLike[];
  widgetManager: WidgetManagerLike;
  /** Mounts a node (used by components to mount their children without an import cycle). */
  mount(node: TreeNode, ctx: Ctx, parent: Node, before: Node | null): void;
  /**
   * Evaluates the spec's args with the event's values and sends it to its state model.
   * `onRejected` runs if the kernel refuses the event (so a control can show the var again).
   */
  sendEvent(spec: EventSpec, values: readonly unknown[], scope: Scope, onRejected?: () => void): void;
  /** The Markdown renderer, loaded on first use (see markdown-loader.ts). */
  markdown(): Promise<MarkdownModule>;
}

export interface Ctx extends Reactive {
  rt: Runtime;
}

export function withOwner(ctx: Ctx, owner: Owner): Ctx {
  return { rt: ctx.rt, hub: ctx.hub, scope: ctx.scope, owner };
}

export function withScope(ctx: Ctx, scope: Scope, owner: Owner): Ctx {
  return { rt: ctx.rt, hub: ctx.hub, scope, owner };
}

export function envOf(ctx: { hub: VarHub; scope: Scope }, event?: readonly unknown[]): EvalEnv {
  return {
    readVar: (s, name) => ctx.hub.read(s, name),
    readArg: (name) => {
      const cell = ctx.scope.lookup(name);
      if (!cell) throw new ExprError(`'${name}' is not a foreach variable in scope`);
      return cell.value;
    },
    event,
  };
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** An inline error box: shown in place of what could not be rendered. */
export function inlineError(doc: Document, message: string): HTMLElement {
  const el = doc.createElement("span");
  el.className = "nbstate-inline-error";
  el.setAttribute("role", "alert");
  el.setAttribute("data-nbstate", "error");
  el.textContent = "\u26a0 " + message;
  return el;
}

export function warn(...args: unknown[]): void {
  console.warn("[nbstate]", ...args);
}

/** Removes every node strictly between two anchors. */
export function clearBetween(start: Node, end: Node): void {
  const parent = start.parentNode;
  if (!parent) return;
  let n = start.nextSibling;
  while (n && n !== end) {
    const next = n.nextSibling;
    parent.removeChild(n);
    n = next;
  }
}

/** A region between two comment anchors whose content can be replaced as a whole. */
export class Region {
  readonly start: Comment;
  readonly end: Comment;
  owner: Owner | null = null;

  constructor(
    private readonly ctx: Ctx,
    label: string,
    parent: Node,
    before: Node | null,
  ) {
    this.start = ctx.rt.doc.createComment(label);
    this.end = ctx.rt.doc.createComment("/" + label);
    parent.insertBefore(this.start, before);
    parent.insertBefore(this.end, before);
    ctx.owner.add(() => this.owner?.dispose());
  }

  /** Disposes the current content and fills the region with what `fill` mounts. */
  replace(fill: ((ctx: Ctx, into: Node) => void) | null): void {
    this.owner?.dispose();
    clearBetween(this.start, this.end);
    this.owner = this.ctx.owner.child();
    if (!fill) return;
    const frag = this.ctx.rt.doc.createDocumentFragment();
    fill(withOwner(this.ctx, this.owner), frag);
    this.end.parentNode?.insertBefore(frag, this.end);
  }
}

