/**
 * The contract with the kernel: the catalogue (written from nbstate/_ui/catalog.py) against what
 * the builders and the evaluator actually do, and trees built by Python (tests/contract.py)
 * mounted with the real renderer.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CATALOG } from "../src/catalog";
import { ComponentContext } from "../src/component-context";
import { componentNames } from "../src/components";
import { evaluate } from "../src/expr";
import { installHub } from "../src/hub";
import type { TreeNode } from "../src/types";
import { FakeModel, FakeWidgetManager, comp, handler, lit, mount, v } from "./helpers";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): any => JSON.parse(readFileSync(resolve(here, "fixtures", name), "utf8"));

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

const SAMPLE: Record<string, unknown> = {
  items: ["a", "b"],
  data: { columns: ["a"], rows: [[1]] },
  columns: ["a"],
  level: 3,
  min: 0,
  max: 10,
  step: 1,
  rows: 3,
  max_length: 20,
  value: 2,
  checked: true,
  custom_attrs: { data_kind: "x" },
  href: "https://example.org",
  src: "img/x.png",
  debounce: 300, // held back until the blur the test sends, which must flush it
  throttle: 200,
};

function allProps(name: string, omit: string[] = []): Record<string, ReturnType<typeof lit>> {
  const spec = CATALOG.components[name];
  const out: Record<string, ReturnType<typeof lit>> = {};
  for (const p of [...spec.props, ...CATALOG.common_props]) if (!omit.includes(p)) out[p] = lit(SAMPLE[p] ?? `${p}-value`);
  return out;
}

describe("the catalogue", () => {
  it("names exactly the components the renderer has", () => {
    expect(componentNames().sort()).toEqual(Object.keys(CATALOG.components).sort());
  });

  it("each component reads every prop the catalogue lists for it (and no other)", async () => {
    const read = new Map<string, Set<string>>();
    const has = ComponentContext.prototype.has;
    vi.spyOn(ComponentContext.prototype, "has").mockImplementation(function (this: ComponentContext, p: string) {
      const set = read.get(this.name) ?? new Set<string>();
      set.add(p);
      read.set(this.name, set);
      return has.call(this, p); // throws for a prop the catalogue does not list
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const name of componentNames()) {
      // With every prop, then without the controlling value (its default_* is read instead).
      for (const omit of [[], ["value", "checked"]]) {
        const m = await mount(comp(name, allProps(name, omit), [], { events: { on_submit: [handler("on_submit")] } }), [{}]);
        m.tree.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
        m.cleanup();
      }
    }
    expect(warn.mock.calls.filter((c) => String(c[0]).includes("could not render"))).toEqual([]);
    for (const name of componentNames()) {
      const expected = [...CATALOG.components[name].props, ...CATALOG.common_props].sort();
      expect([...(read.get(name) ?? [])].sort(), name).toEqual(expected);
    }
  });

  it("each component fires the events the catalogue lists for it", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const name of componentNames()) {
      const own = CATALOG.components[name].events;
      const events: Record<string, unknown> = {};
      for (const e of [...own, ...Object.keys(CATALOG.generic_events)]) events[e] = [handler(e)];
      const props = allProps(name, ["disabled", "read_only", "hidden"]);
      if (name === "radio_group") props.value = lit("a");
      const m = await mount(comp(name, props, [], { events }), [{}]);
      const targets = [m.tree.firstElementChild!, ...Array.from(m.tree.querySelectorAll("input, textarea, select, button, form"))];
      for (const el of targets) {
        if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) el.checked = !el.checked;
        else if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.value = "7";
        else if (el instanceof HTMLSelectElement) el.value = "b";
        for (const type of ["click", "dblclick", "mouseenter", "mouseleave", "focus", "input", "change", "blur"]) {
          el.dispatchEvent(new Event(type, { bubbles: type !== "mouseenter" && type !== "mouseleave" }));
        }
        el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
        if (el instanceof HTMLFormElement) el.dispatchEvent(new Event("submit", { cancelable: true }));
      }
      const fired = new Set(m.states[0].sent.filter((x: any) => x.kind === "event").map((x: any) => x.handler));
      for (const e of own) expect(fired.has(e), `${name} ${e}`).toBe(true);
      m.cleanup();
    }
    expect(warn.mock.calls.filter((c) => String(c[0]).includes("catalogue"))).toEqual([]);
  });

  it("the evaluator knows exactly the catalogue's ops", () => {
    const source = readFileSync(resolve(here, "../src/expr.ts"), "utf8");
    const body = source.slice(source.indexOf("export function evaluate"), source.indexOf("export function collectDeps"));
    const cases = new Set(Array.from(body.matchAll(/case "([a-z_]+)":/g), (m) => m[1]));
    expect([...cases].sort()).toEqual(Object.keys(CATALOG.ops).sort());
    const env = { readVar: () => 1, readArg: () => 1, event: [1] };
    const sample: Record<string, unknown> = {
      lit: { op: "lit", v: 1 },
      var: { op: "var", s: 0, name: "x" },
      arg: { op: "arg", name: "x" },
      event: { op: "event", i: 0 },
      concat: { op: "concat", parts: [{ op: "lit", v: "a" }] },
      item: { op: "item", a: { op: "lit", v: [1] }, key: { op: "lit", v: 0 } },
      length: { op: "length", a: { op: "lit", v: "abc" } },
      str: { op: "str", a: { op: "lit", v: 2 } },
      cond: { op: "cond", c: { op: "lit", v: true }, a: { op: "lit", v: 1 }, b: { op: "lit", v: 2 } },
    };
    for (const [op, fields] of Object.entries(CATALOG.ops)) {
      const e = sample[op] ?? Object.fromEntries([["op", op], ...fields.map((f) => [f, { op: "lit", v: 2 }])]);
      expect(() => evaluate(e as never, env), op).not.toThrow();
    }
    expect(() => evaluate({ op: "exec" }, env)).toThrow();
  });
});

describe("common props", () => {
  it("hidden and custom_attrs follow their vars; unsafe attribute names are refused visibly", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("box", { hidden: v("off"), custom_attrs: v("attrs") }, ["x"]), [
      { off: true, attrs: { data_row: 3, aria_label: "Row", aria_busy: false } },
    ]);
    const box = m.tree.querySelector('[data-nbstate="box"]') as HTMLElement;
    expect(box.hidden).toBe(true);
    expect(box.getAttribute("data-row")).toBe("3");
    expect(box.getAttribute("aria-label")).toBe("Row");
    expect(box.hasAttribute("aria-busy")).toBe(false);
    m.states[0].set({ v_off: false, v_attrs: { onclick: "alert(1)", data_row: 4 } });
    expect(box.hidden).toBe(false);
    expect(box.hasAttribute("onclick")).toBe(false);
    expect(box.hasAttribute("aria-label")).toBe(false); // removed with the dict it came from
    expect(box.getAttribute("data-row")).toBe("4");
    expect(m.tree.querySelector("[data-nbstate=error]")!.textContent).toContain("not 'onclick'");
    expect(warn).toHaveBeenCalled();
    m.states[0].set("v_attrs", { data_row: 5 });
    expect(m.tree.querySelector("[data-nbstate=error]")).toBeNull();
    m.states[0].set("v_attrs", ["data-x"]);
    expect(m.tree.querySelector("[data-nbstate=error]")!.textContent).toContain("takes a dict");
    m.cleanup();
  });
});

describe("trees built by Python", () => {
  it("every component with every prop mounts without an error", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const f = fixture("all_components.json");
    const m = await mount(f.tree as TreeNode, [{ n: 0 }]);
    for (const name of componentNames()) expect(m.tree.querySelector(`[data-nbstate="${name}"]`), name).not.toBeNull();
    expect(m.tree.querySelectorAll("[data-nbstate=error]")).toHaveLength(0);
    expect(warn).not.toHaveBeenCalled();
    m.cleanup();
  });

  it("the DESIGN example renders, and follows the batches a real session sent", async () => {
    const f = fixture("design_example.json");
    const manager = new FakeWidgetManager();
    const attrs: Record<string, unknown> = { _nbstate_class: "MyTaskState", _nbstate_errors: [], ...f.states[0] };
    const state = new FakeModel(attrs, manager, "state-0");
    const hub = new FakeModel({ _nbstate_hub: "kernel" }, manager, "hub");
    installHub(hub as never);
    const m = await mount(f.tree as TreeNode, [], { manager, states: [state] });
    const heading = m.tree.querySelector("h2")!;
    expect(heading.textContent).toBe("0 /");
    expect(m.tree.querySelector("button")!.textContent).toBe("Start");
    const seen: string[] = [];
    for (const batch of f.batches) {
      hub.receive(batch);
      await vi.waitFor(() => expect(state.get("v_counter")).toBe(batch.models["state-0"].state?.v_counter ?? state.get("v_counter")));
      seen.push(heading.textContent!);
    }
    expect(seen).toEqual(["0 /", "1 /", "2 /", "3 /", "0 /"]);
    for (const [k, v] of Object.entries(f.final)) expect(state.get(k), k).toEqual(v);
    expect((m.tree.querySelector("input") as HTMLInputElement).value).toBe("3");
    m.cleanup();
  });
});
