/**
 * What a component builder works with: its props as bindings, its children, its events.
 * Prop errors never break the component: they are collected and shown in one inline error
 * box next to it.
 */
import { declaresEvent, declaresProp } from "./catalog";
import type { Ctx } from "./context";
import { describeError, envOf, warn } from "./context";
import { deepEqual, evaluate } from "./expr";
import { watch } from "./reactive";
import { classToken } from "./sanitize";
import type { ComponentNode, EventSpec, Expr } from "./types";

export class ComponentContext {
  readonly doc: Document;
  /** Event names this component wires itself; the rest get generic DOM listeners. */
  readonly handled = new Set<string>();
  root: HTMLElement | null = null;
  private errors = new Map<string, string>();
  private errorEl: HTMLElement | null = null;

  constructor(
    readonly node: ComponentNode,
    readonly ctx: Ctx,
  ) {
    this.doc = ctx.rt.doc;
  }

  get name(): string {
    return this.node.name;
  }

  el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
    const e = this.doc.createElement(tag);
    if (className) e.className = className;
    return e;
  }

  has(prop: string): boolean {
    if (!declaresProp(this.node.name, prop)) {
      throw new Error(`'${this.node.name}' reads the prop '${prop}', which the catalogue does not list`);
    }
    const p = this.node.props;
    return !!p && Object.prototype.hasOwnProperty.call(p, prop) && p[prop] !== undefined;
  }

  expr(prop: string): Expr | undefined {
    return this.has(prop) ? this.node.props![prop] : undefined;
  }

  /** Evaluates a prop once (no subscription). Errors fall back to `dflt`. */
  value(prop: string, dflt: unknown = null): unknown {
    const e = this.expr(prop);
    if (!e) return dflt;
    try {
      const v = evaluate(e, envOf(this.ctx));
      return v === null ? dflt : v;
    } catch (err) {
      this.setError(prop, err);
      return dflt;
    }
  }

  /**
   * Calls `apply` with the prop's value now and whenever a value it reads changes. An absent
   * prop calls `apply(dflt)` once when a default is given.
   */
  bind(prop: string, apply: (v: unknown) => void, dflt?: unknown): void {
    const e = this.expr(prop);
    if (!e) {
      if (dflt !== undefined) apply(dflt);
      return;
    }
    let first = true;
    let last: unknown;
    watch(this.ctx, [e], () => {
      let v: unknown;
      try {
        v = evaluate(e, envOf(this.ctx));
        this.clearError(prop);
      } catch (err) {
        this.setError(prop, err);
        return;
      }
      if (v === null && dflt !== undefined) v = dflt;
      if (!first && deepEqual(v, last)) return;
      first = false;
      last = v;
      apply(v);
    });
  }

  /** Like bind, for several props read together (e.g. a slider's value, min and max). */
  bindMany(props: readonly string[], apply: (values: unknown[]) => void): void {
    const exprs = props.map((p) => this.expr(p));
    let first = true;
    let last: unknown[] = [];
    watch(
      this.ctx,
      exprs.filter((e): e is Expr => !!e),
      () => {
        const values: unknown[] = [];
        for (let i = 0; i < props.length; i++) {
          const e = exprs[i];
          if (!e) {
            values.push(null);
            continue;
          }
          try {
            values.push(evaluate(e, envOf(this.ctx)));
            this.clearError(props[i]);
          } catch (err) {
            this.setError(props[i], err);
            values.push(null);
          }
        }
        if (!first && deepEqual(values, last)) return;
        first = false;
        last = values;
        apply(values);
      },
    );
  }

  /** Binds a prop to an attribute; null/false removes it. */
  bindAttr(prop: string, target: Element, attr: string = prop): void {
    this.bind(prop, (v) => {
      if (v === null || v === undefined || v === false) target.removeAttribute(attr);
      else target.setAttribute(attr, v === true ? "" : String(v));
    });
  }

  /** Keeps one `nbstate-<prefix>-<token>` class in sync with a prop. */
  bindClass(prop: string, target: Element, prefix: string, dflt?: string): void {
    let current: string | null = null;
    this.bind(
      prop,
      (v) => {
        const token = classToken(typeof v === "number" ? String(v) : v) ?? dflt ?? null;
        const cls = token ? `nbstate-${prefix}-${token}` : null;
        if (cls === current) return;
        if (current) target.classList.remove(current);
        if (cls) target.classList.add(cls);
        current = cls;
      },
      dflt,
    );
  }

  /** Mounts the children into `into` (before `before`). */
  children(into: Node, before: Node | null = null): void {
    for (const child of this.node.children ?? []) this.ctx.rt.mount(child, this.ctx, into, before);
  }

  specs(event: string): EventSpec[] {
    if (!declaresEvent(this.node.name, event)) {
      throw new Error(`'${this.node.name}' uses the event '${event}', which the catalogue does not list`);
    }
    const raw = this.node.events?.[event];
    if (!raw) return [];
    return Array.isArray(raw) ? raw : [raw];
  }

  hasEvent(event: string): boolean {
    return this.specs(event).length > 0;
  }

  /**
   * Sends every EventSpec bound to `event`, with the DOM event's values. `onRejected` runs
   * when the kernel refuses one of them, unless the component is gone by then.
   */
  fire(event: string, values: readonly unknown[] = [], onRejected?: () => void): void {
    const owner = this.ctx.owner;
    const guarded = onRejected
      ? () => {
          if (!owner.disposed) onRejected();
        }
      : undefined;
    for (const spec of this.specs(event)) this.ctx.rt.sendEvent(spec, values, this.ctx.scope, guarded);
  }

  /** Adds a DOM listener that is removed with the component. */
  listen(target: EventTarget, type: string, fn: (ev: Event) => void): void {
    target.addEventListener(type, fn);
    this.ctx.owner.add(() => target.removeEventListener(type, fn));
  }

  setError(prop: string, err: unknown): void {
    const msg = `${this.node.name}.${prop}: ${describeError(err)}`;
    if (this.errors.get(prop) === msg) return;
    warn(msg);
    this.errors.set(prop, msg);
    this.syncErrors();
  }

  clearError(prop: string): void {
    if (this.errors.delete(prop)) this.syncErrors();
  }

  /** Shows the collected prop errors in one box just after the component's root. */
  syncErrors(): void {
    const root = this.root;
    if (!root) return;
    if (this.errors.size === 0) {
      root.classList.remove("nbstate-has-error");
      this.errorEl?.remove();
      this.errorEl = null;
      return;
    }
    root.classList.add("nbstate-has-error");
    const text = "\u26a0 " + [...this.errors.values()].join("; ");
    if (!this.errorEl) {
      this.errorEl = this.doc.createElement("span");
      this.errorEl.className = "nbstate-inline-error";
      this.errorEl.setAttribute("role", "alert");
      this.errorEl.setAttribute("data-nbstate", "error");
      this.ctx.owner.add(() => this.errorEl?.remove());
    }
    if (this.errorEl.textContent !== text) this.errorEl.textContent = text;
    if (root.parentNode && this.errorEl.previousSibling !== root) {
      root.parentNode.insertBefore(this.errorEl, root.nextSibling);
    }
  }
}
