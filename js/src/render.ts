/**
 * Mounts tree nodes into the DOM with fine-grained bindings.
 *
 * Dynamic regions (cond, foreach, rows, rebuilt components) sit between two comment anchors,
 * so a region can be cleared or filled without touching its siblings. Each binding watches
 * only the vars and loop variables its expressions read.
 */
import { mountComponent } from "./components";
import type { Ctx } from "./context";
import { Region, describeError, envOf, inlineError, warn, withScope } from "./context";
import { deepEqual, evaluate, pyStr, truthy } from "./expr";
import type { Owner } from "./reactive";
import { Cell, watch } from "./reactive";
import type { CondNode, ForeachNode, TextNode, TreeNode, WidgetNode } from "./types";

export function mountNode(node: TreeNode, ctx: Ctx, parent: Node, before: Node | null): void {
  const doc = ctx.rt.doc;
  if (typeof node !== "object" || node === null) {
    parent.insertBefore(inlineError(doc, `malformed node: ${JSON.stringify(node)}`), before);
    return;
  }
  try {
    switch (node.type) {
      case "text":
        return mountText(node, ctx, parent, before);
      case "component":
        return mountComponent(node, ctx, parent, before);
      case "cond":
        return mountCond(node, ctx, parent, before);
      case "foreach":
        return mountForeach(node, ctx, parent, before);
      case "fragment":
        for (const child of node.children ?? []) mountNode(child, ctx, parent, before);
        return;
      case "widget":
        return mountWidget(node, ctx, parent, before);
      default:
        warn(`unknown node type '${String((node as { type?: unknown }).type)}'`);
        parent.insertBefore(
          inlineError(doc, `unknown node type '${String((node as { type?: unknown }).type)}'`),
          before,
        );
    }
  } catch (err) {
    warn("could not render node:", err);
    parent.insertBefore(inlineError(doc, describeError(err)), before);
  }
}

function mountText(node: TextNode, ctx: Ctx, parent: Node, before: Node | null): void {
  const doc = ctx.rt.doc;
  const text = doc.createTextNode("");
  parent.insertBefore(text, before);
  let errEl: HTMLElement | null = null;
  watch(ctx, [node.expr], () => {
    try {
      const s = pyStr(evaluate(node.expr, envOf(ctx)));
      if (text.data !== s) text.data = s;
      if (errEl) {
        errEl.remove();
        errEl = null;
      }
    } catch (err) {
      const msg = describeError(err);
      warn("text binding failed:", msg);
      if (text.data !== "") text.data = "";
      if (errEl) errEl.textContent = "\u26a0 " + msg;
      else {
        errEl = inlineError(doc, msg);
        text.parentNode?.insertBefore(errEl, text.nextSibling);
      }
    }
  });
}

function mountCond(node: CondNode, ctx: Ctx, parent: Node, before: Node | null): void {
  const region = new Region(ctx, "nbstate:cond", parent, before);
  let last: boolean | string | undefined;
  watch(ctx, [node.c], () => {
    let state: boolean | string;
    try {
      state = truthy(evaluate(node.c, envOf(ctx)));
    } catch (err) {
      state = "error: " + describeError(err);
      warn("cond condition failed:", describeError(err));
    }
    if (state === last) return; // only a flip of truthiness swaps the subtree
    last = state;
    if (typeof state === "string") {
      const msg = state.slice("error: ".length);
      region.replace((c, into) => into.appendChild(inlineError(c.rt.doc, msg)));
      return;
    }
    const branch = state ? node.a : node.b;
    region.replace(branch ? (c, into) => c.rt.mount(branch, c, into, null) : null);
  });
}

interface Row {
  owner: Owner;
  start: Comment;
  end: Comment;
  item: Cell;
  index: Cell;
}

/**
 * Above this many (old x new) pairs in the changed middle, rows are matched by an O(n) in-order
 * greedy match on each item's JSON instead of the quadratic longest common subsequence.
 */
const LCS_LIMIT = 250_000;

function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  if (typeof v === "string") return Array.from(v);
  if (typeof v === "object") return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, x]);
  throw new Error(`foreach needs a list, got ${pyStr(v)}`);
}

// JSON turns Infinity, -Infinity and NaN into null: keep them apart (and apart from null).
const keyReplacer = (_k: string, x: unknown): unknown =>
  typeof x === "number" && !Number.isFinite(x) ? `\u0000${String(x)}` : x;

function jsonKey(v: unknown): string {
  try {
    return JSON.stringify(v, keyReplacer) ?? "null";
  } catch {
    return String(Math.random());
  }
}

/**
 * Pairs (oldIndex, newIndex) of equal items, in order, in O(n + m): each new item takes the
 * first unused equal old item after the last one taken. Edits at both ends of a long list
 * (append + pop(0) of a capped log) keep every untouched row; only a moved item costs more.
 */
function greedyPairs(a: readonly unknown[], b: readonly unknown[]): [number, number][] {
  const where = new Map<string, number[]>();
  a.forEach((v, i) => {
    const k = jsonKey(v);
    const at = where.get(k);
    if (at) at.push(i);
    else where.set(k, [i]);
  });
  const next = new Map<string, number>();
  const out: [number, number][] = [];
  let last = -1;
  b.forEach((v, j) => {
    const k = jsonKey(v);
    const at = where.get(k);
    if (!at) return;
    let p = next.get(k) ?? 0;
    while (p < at.length && at[p] <= last) p++;
    if (p < at.length) {
      out.push([at[p], j]);
      last = at[p];
      p++;
    }
    next.set(k, p);
  });
  return out;
}

/** Pairs (oldIndex, newIndex) of a longest common subsequence of equal items. */
function lcsPairs(a: readonly unknown[], b: readonly unknown[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [];
  if (n * m > LCS_LIMIT) return greedyPairs(a, b);
  const ka = a.map(jsonKey);
  const kb = b.map(jsonKey);
  const w = m + 1;
  const t = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      t[i * w + j] = ka[i] === kb[j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
    }
  }
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ka[i] === kb[j]) {
      out.push([i, j]);
      i++;
      j++;
    } else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) i++;
    else j++;
  }
  return out;
}

function mountForeach(node: ForeachNode, ctx: Ctx, parent: Node, before: Node | null): void {
  const doc = ctx.rt.doc;
  const start = doc.createComment("nbstate:foreach");
  const end = doc.createComment("/nbstate:foreach");
  parent.insertBefore(start, before);
  parent.insertBefore(end, before);
  let rows: Row[] = [];
  let errEl: HTMLElement | null = null;
  ctx.owner.add(() => {
    for (const r of rows) r.owner.dispose();
    rows = [];
  });

  const createRow = (item: unknown, index: number, anchor: Node): Row => {
    const owner = ctx.owner.child();
    const row: Row = {
      owner,
      start: doc.createComment("nbstate:row"),
      end: doc.createComment("/nbstate:row"),
      item: new Cell(item),
      index: new Cell(index),
    };
    const vars = new Map<string, Cell>([[node.item, row.item]]);
    if (node.index) vars.set(node.index, row.index);
    const frag = doc.createDocumentFragment();
    frag.appendChild(row.start);
    ctx.rt.mount(node.body, withScope(ctx, ctx.scope.with(vars), owner), frag, null);
    frag.appendChild(row.end);
    anchor.parentNode?.insertBefore(frag, anchor);
    return row;
  };

  const removeRow = (row: Row): void => {
    row.owner.dispose();
    const p = row.start.parentNode;
    if (!p) return;
    let n: Node | null = row.start;
    while (n) {
      const next: Node | null = n === row.end ? null : n.nextSibling;
      p.removeChild(n);
      n = next;
    }
  };

  const reconcile = (items: unknown[]): void => {
    const old = rows;
    const m = old.length;
    const n = items.length;
    let p = 0;
    while (p < m && p < n && deepEqual(old[p].item.value, items[p])) p++;
    let oe = m;
    let ne = n;
    while (oe > p && ne > p && deepEqual(old[oe - 1].item.value, items[ne - 1])) {
      oe--;
      ne--;
    }
    const next: Row[] = old.slice(0, p);
    let oi = p;
    let ni = p;
    // Unmatched rows between two kept rows: reuse in place (changed rows), then remove the
    // extra old ones or insert the extra new ones just before the next kept row.
    const gap = (oEnd: number, nEnd: number, anchor: Node): void => {
      const k = Math.min(oEnd - oi, nEnd - ni);
      for (let j = 0; j < k; j++) {
        const row = old[oi + j];
        row.item.set(items[ni + j]);
        next.push(row);
      }
      for (let j = oi + k; j < oEnd; j++) removeRow(old[j]);
      for (let j = ni + k; j < nEnd; j++) next.push(createRow(items[j], next.length, anchor));
      oi = oEnd;
      ni = nEnd;
    };
    const pairs = lcsPairs(
      old.slice(p, oe).map((r) => r.item.value),
      items.slice(p, ne),
    );
    for (const [po, pn] of pairs) {
      const kept = old[p + po];
      gap(p + po, p + pn, kept.start);
      next.push(kept);
      oi++;
      ni++;
    }
    gap(oe, ne, oe < m ? old[oe].start : end);
    for (let j = oe; j < m; j++) next.push(old[j]);
    rows = next;
    rows.forEach((r, i) => r.index.set(i));
  };

  watch(ctx, [node.list], () => {
    let items: unknown[];
    try {
      items = toList(evaluate(node.list, envOf(ctx)));
    } catch (err) {
      const msg = describeError(err);
      warn("foreach list failed:", msg);
      for (const r of rows) removeRow(r);
      rows = [];
      if (errEl) errEl.textContent = "\u26a0 " + msg;
      else {
        errEl = inlineError(doc, msg);
        end.parentNode?.insertBefore(errEl, end);
      }
      return;
    }
    if (errEl) {
      errEl.remove();
      errEl = null;
    }
    reconcile(items);
  });
}

function mountWidget(node: WidgetNode, ctx: Ctx, parent: Node, before: Node | null): void {
  const doc = ctx.rt.doc;
  const holder = doc.createElement("div");
  holder.className = "nbstate-widget";
  holder.setAttribute("data-nbstate", "widget");
  parent.insertBefore(holder, before);
  const model = ctx.rt.widgets[node.index];
  if (!model) {
    holder.appendChild(inlineError(doc, `no embedded widget at index ${node.index}`));
    return;
  }
  const owner = ctx.owner;
  Promise.resolve()
    .then(() => ctx.rt.widgetManager.create_view(model))
    .then((view) => {
      if (owner.disposed) {
        view.remove();
        return;
      }
      holder.appendChild(view.el);
      owner.add(() => view.remove());
      view.trigger?.("displayed");
    })
    .catch((err) => {
      warn("could not display embedded widget:", err);
      if (!owner.disposed) holder.appendChild(inlineError(doc, "could not display widget: " + describeError(err)));
    });
}
