import { afterEach, describe, expect, it, vi } from "vitest";
import { applyPatch as rawApplyPatch } from "../src/patch";
import type { PatchOp } from "../src/types";

// Tests index into the result freely.
const applyPatch = (root: unknown, ops: PatchOp[]): any => rawApplyPatch(root, ops);
import type { TreeNode } from "../src/types";
import { FakeWidgetManager, arg, byData, comp, hubOf, lit, mount, mutationsAfter, op, sendPatch, state, text } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

describe("applyPatch", () => {
  const base = { rows: [{ name: "a" }, { name: "b" }], meta: { n: 1 } };

  it("set replaces a key or index at a nested path", () => {
    expect(applyPatch(base, [{ op: "set", path: ["rows", 1, "name"], value: "B" }])).toEqual({
      rows: [{ name: "a" }, { name: "B" }],
      meta: { n: 1 },
    });
    expect(applyPatch([1, 2, 3], [{ op: "set", path: [-1], value: 9 }])).toEqual([1, 2, 9]);
    expect(applyPatch({}, [{ op: "set", path: ["new"], value: 1 }])).toEqual({ new: 1 });
  });

  it("insert puts a value at a list index", () => {
    expect(applyPatch(base, [{ op: "insert", path: ["rows", 1], value: { name: "mid" } }]).rows).toEqual([
      { name: "a" },
      { name: "mid" },
      { name: "b" },
    ]);
    expect(applyPatch([1], [{ op: "insert", path: [0], value: 0 }])).toEqual([0, 1]);
  });

  it("append adds to the end of the list at the path", () => {
    expect(applyPatch(base, [{ op: "append", path: ["rows"], value: { name: "c" } }]).rows).toHaveLength(3);
    expect(applyPatch([1], [{ op: "append", path: [], value: 2 }])).toEqual([1, 2]);
  });

  it("delete removes a list index or a dict key", () => {
    expect(applyPatch(base, [{ op: "delete", path: ["rows", 0] }]).rows).toEqual([{ name: "b" }]);
    expect(applyPatch(base, [{ op: "delete", path: ["meta", "n"] }]).meta).toEqual({});
  });

  it("replace swaps the value at a path, or the whole value for []", () => {
    expect(applyPatch(base, [{ op: "replace", path: ["meta"], value: [1] }]).meta).toEqual([1]);
    expect(applyPatch(base, [{ op: "replace", path: [], value: 42 }])).toBe(42);
  });

  it("applies ops in order", () => {
    expect(
      applyPatch([], [
        { op: "append", path: [], value: "a" },
        { op: "append", path: [], value: "b" },
        { op: "insert", path: [0], value: "z" },
        { op: "delete", path: [1] },
      ]),
    ).toEqual(["z", "b"]);
  });

  it("is copy-on-write: the input is untouched and untouched branches keep identity", () => {
    const input = JSON.parse(JSON.stringify(base));
    const snapshot = JSON.stringify(input);
    const out = applyPatch(input, [{ op: "set", path: ["rows", 1, "name"], value: "B" }]) as typeof base;
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(out).not.toBe(input);
    expect(out.rows).not.toBe(input.rows);
    expect(out.rows[0]).toBe(input.rows[0]);
    expect(out.meta).toBe(input.meta);
  });

  it("a path that does not fit the value throws", () => {
    expect(() => applyPatch(base, [{ op: "set", path: ["rows", 5, "x"], value: 1 }])).toThrow(/out of range/);
    expect(() => applyPatch(base, [{ op: "append", path: ["meta"], value: 1 }])).toThrow(/not a list/);
  });
});

describe("patches in hub batches", () => {
  it("a patch from the kernel sets the var with a new value and fires change", async () => {
    const m = await mount(comp("text", {}, [text(op("length", { a: { op: "var", s: 0, name: "items" } }))]), [{ items: [1, 2] }]);
    const before = m.states[0].get("v_items");
    await sendPatch(m.states[0], "items", [{ op: "append", path: [], value: 3 }]);
    expect(m.states[0].get("v_items")).toEqual([1, 2, 3]);
    expect(before).toEqual([1, 2]);
    expect(m.tree.textContent).toBe("3");
  });

  it("a patch to one row re-renders only that row of a foreach", async () => {
    const tree: TreeNode = {
      type: "foreach",
      list: { op: "var", s: 0, name: "rows" },
      item: "r",
      body: comp("text", {}, [text(op("item", { a: arg("r"), key: lit("name") }))]),
    };
    const rows = Array.from({ length: 50 }, (_, i) => ({ name: `row${i}` }));
    const m = await mount(tree, [{ rows }]);
    const target = byData(m.tree, "text")[30];
    const recs = await mutationsAfter(m.tree, () =>
      sendPatch(m.states[0], "rows", [{ op: "set", path: [30, "name"], value: "changed" }]),
    );
    expect(recs).toHaveLength(1);
    expect(recs[0].target.parentElement).toBe(target);
    expect(target.textContent).toBe("changed");
  });

  it("several views of one state see each patch applied exactly once", async () => {
    const manager = new FakeWidgetManager();
    const s = state({ items: [] }, manager);
    const tree = comp("text", {}, [text(op("length", { a: { op: "var", s: 0, name: "items" } }))]);
    const a = await mount(tree, [], { manager, states: [s] });
    const b = await mount(tree, [], { manager, states: [s] });
    await sendPatch(s, "items", [{ op: "append", path: [], value: "x" }]);
    expect(s.get("v_items")).toEqual(["x"]);
    expect(a.tree.textContent).toBe("1");
    expect(b.tree.textContent).toBe("1");
    expect(s.count("msg:custom")).toBe(2); // one event-reply listener per view, no patch handler
  });

  it("a patch that does not fit leaves the value alone, warns with [nbstate] and asks for everything", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const s = state({ n: [1] }, new FakeWidgetManager());
    const hub = hubOf(s.widget_manager);
    hub.sent = [];
    await sendPatch(s, "n", [{ op: "delete", path: [4] }]);
    expect(s.get("v_n")).toEqual([1]);
    expect(String(warn.mock.calls[0][0])).toMatch(/^\[nbstate\]/);
    expect(hub.sent).toEqual([{ kind: "hello" }]);
  });
});
