/**
 * The small reactive core: owners (disposal scopes), cells (foreach loop variables), the var
 * hub (one Backbone listener per state var, fanned out to the bindings that read it) and
 * bindings that re-run only when one of their dependencies changes.
 */
import { decodeWire } from "./wire-values";
import type { Dep } from "./expr";
import { collectDeps } from "./expr";
import type { Expr, ModelLike } from "./types";

/** A disposal scope. Disposing an owner disposes its children and runs its cleanups. */
export class Owner {
  disposed = false;
  private cleanups: (() => void)[] = [];
  private children = new Set<Owner>();
  private parent: Owner | null = null;

  child(): Owner {
    const c = new Owner();
    c.parent = this;
    if (this.disposed) c.disposed = true;
    else this.children.add(c);
    return c;
  }

  add(fn: () => void): void {
    if (this.disposed) {
      fn();
      return;
    }
    this.cleanups.push(fn);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const c of [...this.children]) c.dispose();
    this.children.clear();
    const fns = this.cleanups.splice(0).reverse();
    for (const fn of fns) {
      try {
        fn();
      } catch (err) {
        console.warn("[nbstate] cleanup failed:", err);
      }
    }
    if (this.parent) this.parent.children.delete(this);
    this.parent = null;
  }
}

/** A value with subscribers: a foreach item or index. */
export class Cell {
  private subs = new Set<() => void>();
  constructor(public value: unknown) {}

  set(v: unknown): void {
    if (Object.is(v, this.value)) return;
    this.value = v;
    for (const fn of [...this.subs]) fn();
  }

  subscribe(fn: () => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }

  get size(): number {
    return this.subs.size;
  }
}

/** Loop variables visible at a point of the tree; inner foreach scopes shadow outer ones. */
export class Scope {
  constructor(
    private readonly vars: ReadonlyMap<string, Cell> = new Map(),
    private readonly parent: Scope | null = null,
  ) {}

  with(vars: Map<string, Cell>): Scope {
    return new Scope(vars, this);
  }

  lookup(name: string): Cell | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
}

/**
 * Listens to each `change:v_<name>` a view needs exactly once, and calls the bindings that
 * read that var. All Backbone listeners carry the hub's context, so `dispose` removes them all.
 */
export class VarHub {
  private subs = new Map<string, Set<() => void>>();
  private readonly ctx = {};

  constructor(private readonly states: readonly ModelLike[]) {}

  read(s: number, name: string): unknown {
    const m = this.states[s];
    if (!m) throw new Error(`state index ${s} is out of range (this view reads ${this.states.length} states)`);
    return decodeWire(m.get("v_" + name));
  }

  subscribe(s: number, name: string, fn: () => void): () => void {
    const key = `${s}\u0000${name}`;
    let set = this.subs.get(key);
    if (!set) {
      const model = this.states[s];
      set = new Set();
      this.subs.set(key, set);
      if (model) {
        const listeners = set;
        model.on(
          "change:v_" + name,
          () => {
            for (const f of [...listeners]) if (listeners.has(f)) f();
          },
          this.ctx,
        );
      }
    }
    set.add(fn);
    const target = set;
    return () => target.delete(fn);
  }

  dispose(): void {
    for (const m of new Set(this.states)) m.off(null, null, this.ctx);
    this.subs.clear();
  }
}

export interface Reactive {
  hub: VarHub;
  scope: Scope;
  owner: Owner;
}

/** Resolves the expression's dependencies in the current scope. */
function subscribeAll(r: Reactive, deps: readonly Dep[], fn: () => void): (() => void)[] {
  const unsubs: (() => void)[] = [];
  for (const d of deps) {
    if (d.kind === "var") unsubs.push(r.hub.subscribe(d.s, d.name, fn));
    else {
      const cell = r.scope.lookup(d.name);
      if (cell) unsubs.push(cell.subscribe(fn));
    }
  }
  return unsubs;
}

/**
 * Runs `run` now and again whenever one of the values the expressions read changes, until the
 * owner is disposed. Bindings of a disposed subtree never run again, even if a change event
 * that was already being dispatched still lists them.
 */
export function watch(r: Reactive, exprs: readonly unknown[], run: () => void): void {
  const deps: Dep[] = [];
  for (const e of exprs) collectDeps(e, deps);
  let alive = true;
  const owner = r.owner;
  const fn = (): void => {
    if (alive && !owner.disposed) run();
  };
  const unsubs = subscribeAll(r, deps, fn);
  owner.add(() => {
    alive = false;
    for (const u of unsubs) u();
  });
  run();
}

export function isExprLike(v: unknown): v is Expr {
  return typeof v === "object" && v !== null && typeof (v as Expr).op === "string";
}
