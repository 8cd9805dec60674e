/**
 * The component registry (one builder per component name of docs/protocol.md, plus form) and
 * the parts every component gets: data-nbstate, style, id/class_name/title, generic events,
 * and rebuilds for props that decide the element itself, like a heading's level.
 */
import { CATALOG } from "./catalog";
import { ComponentContext } from "./component-context";
import type { Ctx } from "./context";
import { Region, describeError, envOf, inlineError, warn } from "./context";
import { CONTROL_COMPONENTS } from "./controls";
import { DISPLAY_COMPONENTS } from "./display";
import { collectDeps, deepEqual, evaluate, truthy } from "./expr";
import { INPUT_COMPONENTS } from "./inputs";
import { LAYOUT_COMPONENTS } from "./layout";
import { watch } from "./reactive";
import type { ComponentSpec } from "./spec";
import { setStyle } from "./style";
import type { ComponentNode } from "./types";

const GENERIC_EVENTS = CATALOG.generic_events;
/** Generic events that are no DOM events: fired when the component is put in or taken out. */
const LIFECYCLE = new Set(["on_mount", "on_unmount"]);
const SAFE_ATTR = /^(data|aria)-[a-z][a-z0-9_.-]*$/;

const COMPONENTS: Record<string, ComponentSpec> = {
  ...LAYOUT_COMPONENTS,
  ...CONTROL_COMPONENTS,
  ...INPUT_COMPONENTS,
  ...DISPLAY_COMPONENTS,
};

export function componentNames(): string[] {
  return Object.keys(COMPONENTS);
}

function applyCommon(c: ComponentContext, el: HTMLElement): void {
  el.setAttribute("data-nbstate", c.node.name);
  for (const [prop, e] of Object.entries(c.node.style ?? {})) {
    if (!e) continue;
    watch(c.ctx, [e], () => {
      try {
        setStyle(el, prop, evaluate(e, envOf(c.ctx)));
        c.clearError(`style.${prop}`);
      } catch (err) {
        c.setError(`style.${prop}`, err);
      }
    });
  }
  c.bindAttr("id", el);
  c.bindAttr("title", el);
  c.bind("hidden", (v) => (el.hidden = truthy(v)));
  let attrs: string[] = [];
  c.bind("custom_attrs", (v) => {
    for (const a of attrs) el.removeAttribute(a);
    attrs = [];
    c.clearError("custom_attrs");
    if (v === null || v === undefined) return;
    if (typeof v !== "object" || Array.isArray(v)) {
      c.setError("custom_attrs", new Error("custom_attrs takes a dict of data-* and aria-* attributes"));
      return;
    }
    for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
      const attr = name.replace(/_/g, "-").toLowerCase();
      if (!SAFE_ATTR.test(attr)) {
        c.setError("custom_attrs", new Error(`only data-* and aria-* attributes may be set, not '${name}'`));
        continue;
      }
      if (value === null || value === false) continue;
      el.setAttribute(attr, value === true ? "" : String(value));
      attrs.push(attr);
    }
  });
  let extra: string[] = [];
  c.bind("class_name", (v) => {
    for (const cls of extra) el.classList.remove(cls);
    const list = Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(/\s+/) : [];
    extra = list.filter((x) => /^[A-Za-z_-][\w-]*$/.test(x));
    for (const cls of extra) el.classList.add(cls);
  });
  for (const event of Object.keys(c.node.events ?? {})) {
    if (c.handled.has(event) || LIFECYCLE.has(event)) continue;
    const domEvent = Object.prototype.hasOwnProperty.call(GENERIC_EVENTS, event) ? GENERIC_EVENTS[event] : undefined;
    if (!domEvent) {
      c.setError(event, new Error(`'${c.node.name}' has no event '${event}'`));
      continue;
    }
    c.listen(el, domEvent, () => c.fire(event, []));
  }
}

function buildComponent(node: ComponentNode, spec: ComponentSpec, ctx: Ctx, parent: Node, before: Node | null): void {
  const c = new ComponentContext(node, ctx);
  let el: HTMLElement;
  try {
    el = spec.build(c);
    c.root = el;
    applyCommon(c, el);
  } catch (err) {
    warn(`could not render '${node.name}':`, err);
    parent.insertBefore(inlineError(ctx.rt.doc, `${node.name}: ${describeError(err)}`), before);
    return;
  }
  parent.insertBefore(el, before);
  c.syncErrors();
}

/**
 * on_mount fires once the component is in the view (after the current render, so the whole
 * tree is in place), on_unmount when its owner is disposed: a cond switching away, a foreach
 * row removed, the tree replaced, the view closed. A rebuild for a structural prop keeps the
 * owner, so it fires neither; a value change never rebuilds a component.
 */
function lifecycle(node: ComponentNode, ctx: Ctx): void {
  const events = node.events ?? {};
  const onMount = Object.prototype.hasOwnProperty.call(events, "on_mount");
  const onUnmount = Object.prototype.hasOwnProperty.call(events, "on_unmount");
  if (!onMount && !onUnmount) return;
  const c = new ComponentContext(node, ctx);
  const owner = ctx.owner;
  let mounted = false;
  queueMicrotask(() => {
    if (owner.disposed) return; // gone before it was ever shown: neither event fires
    mounted = true;
    if (onMount) c.fire("on_mount");
  });
  owner.add(() => {
    if (mounted && onUnmount) c.fire("on_unmount");
  });
}

export function mountComponent(node: ComponentNode, ctx: Ctx, parent: Node, before: Node | null): void {
  const spec = Object.prototype.hasOwnProperty.call(COMPONENTS, node.name) ? COMPONENTS[node.name] : undefined;
  if (!spec) {
    warn(`unknown component '${String(node.name)}'`);
    parent.insertBefore(inlineError(ctx.rt.doc, `unknown component '${String(node.name)}'`), before);
    return;
  }
  lifecycle(node, ctx);
  const structural = (spec.structural ?? []).map((p) => node.props?.[p]).filter((e) => !!e);
  if (structural.length === 0 || structural.every((e) => collectDeps(e).length === 0)) {
    buildComponent(node, spec, ctx, parent, before);
    return;
  }
  // A prop that decides the element itself (a heading's level): rebuild when it changes.
  const region = new Region(ctx, `nbstate:${node.name}`, parent, before);
  let last: unknown[] | undefined;
  watch(ctx, structural, () => {
    const values = structural.map((e) => {
      try {
        return evaluate(e, envOf(ctx));
      } catch (err) {
        return { error: describeError(err) };
      }
    });
    if (last && deepEqual(values, last)) return;
    last = values;
    region.replace((inner, into) => buildComponent(node, spec, inner, into, null));
  });
}
