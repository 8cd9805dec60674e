import { afterEach, describe, expect, it, vi } from "vitest";
import type { TreeNode } from "../src/types";
import { FakeModel, arg, byData, comp, lit, mount, mutations, op, text, touchedElements, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

const addedElements = (recs: MutationRecord[]): Node[] =>
  recs.flatMap((r) => Array.from(r.addedNodes)).filter((n) => n.nodeType === 1);

const list = (tree: TreeNode): TreeNode => ({ type: "foreach", list: v("rows"), item: "row", index: "i", body: tree });

describe("text nodes", () => {
  it("shows str() of the value and follows the var", async () => {
    const m = await mount(comp("text", {}, [text(v("ok")), " / ", text(v("n"))]), [{ ok: true, n: null }]);
    expect(m.tree.textContent).toBe("True / None");
    m.states[0].set("v_n", 3);
    expect(m.tree.textContent).toBe("True / 3");
  });

  it("a var change rewrites only the text node that reads it", async () => {
    const m = await mount(
      comp("vstack", {}, [comp("heading", {}, [text(v("a"))]), comp("text", {}, [text(v("b"))])]),
      [{ a: "A", b: "B" }],
    );
    const p = m.tree.querySelector("p")!;
    const recs = mutations(m.tree, () => m.states[0].set("v_a", "A2"));
    expect(recs).toHaveLength(1);
    expect(recs[0].type).toBe("characterData");
    expect(touchedElements(recs)[0].tagName).toBe("H2");
    expect(p.textContent).toBe("B");
  });

  it("a change of a var that nothing reads touches no DOM at all", async () => {
    const m = await mount(comp("text", {}, [text(v("a"))]), [{ a: 1, other: 1 }]);
    const recs = mutations(m.tree, () => m.states[0].set("v_other", 2));
    expect(recs).toHaveLength(0);
  });

  it("reads vars of several states by index", async () => {
    const m = await mount(comp("text", {}, [text(v("x", 0)), "-", text(v("x", 1))]), [{ x: "first" }, { x: "second" }]);
    expect(m.tree.textContent).toBe("first-second");
    m.states[1].set("v_x", "2nd");
    expect(m.tree.textContent).toBe("first-2nd");
  });

  it("an updating prop (style) of one component leaves its siblings untouched", async () => {
    const m = await mount(
      comp("hstack", {}, [
        comp("box", {}, ["one"], { style: { width: v("w") } }),
        comp("box", {}, ["two"], { style: { width: lit("3em") } }),
      ]),
      [{ w: "1em" }],
    );
    const [one, two] = byData(m.tree, "box");
    const recs = mutations(m.tree, () => m.states[0].set("v_w", "2em"));
    expect(one.style.width).toBe("2em");
    expect(touchedElements(recs).every((e) => e === one)).toBe(true);
    expect(two.style.width).toBe("3em");
  });
});

describe("cond", () => {
  it("cond op with value branches switches text", async () => {
    const m = await mount(
      comp("button", {}, [text(op("cond", { c: op("not", { a: v("running") }), a: lit("Start"), b: lit("Stop") }))]),
      [{ running: false }],
    );
    const button = m.tree.querySelector("button")!;
    expect(button.textContent).toBe("Start");
    m.states[0].set("v_running", true);
    expect(button.textContent).toBe("Stop");
  });

  it("cond node renders the component branch matching the condition", async () => {
    const m = await mount(
      { type: "cond", c: v("show"), a: comp("badge", {}, ["on"]), b: comp("spinner") },
      [{ show: true }],
    );
    expect(byData(m.tree, "badge")).toHaveLength(1);
    expect(byData(m.tree, "spinner")).toHaveLength(0);
    m.states[0].set("v_show", false);
    expect(byData(m.tree, "badge")).toHaveLength(0);
    expect(byData(m.tree, "spinner")).toHaveLength(1);
  });

  it("cond node with a null branch renders nothing for it", async () => {
    const m = await mount({ type: "cond", c: v("show"), a: comp("badge", {}, ["x"]), b: null }, [{ show: 0 }]);
    expect(m.tree.querySelectorAll("[data-nbstate]")).toHaveLength(0);
    m.states[0].set("v_show", 5);
    expect(byData(m.tree, "badge")).toHaveLength(1);
  });

  it("cond keeps its subtree when the condition changes but its truthiness does not", async () => {
    const m = await mount(
      { type: "cond", c: v("n"), a: comp("badge", {}, [text(v("label"))]), b: null },
      [{ n: 1, label: "L" }],
    );
    const badge = byData(m.tree, "badge")[0];
    const recs = mutations(m.tree, () => m.states[0].set("v_n", 2));
    expect(recs).toHaveLength(0);
    expect(byData(m.tree, "badge")[0]).toBe(badge);
  });

  it("a swapped-out branch stops listening: its bindings no longer run", async () => {
    const m = await mount(
      { type: "cond", c: v("show"), a: comp("text", {}, [text(v("label"))]), b: null },
      [{ show: true, label: "a" }],
    );
    m.states[0].set("v_show", false);
    const recs = mutations(m.tree, () => m.states[0].set("v_label", "b"));
    expect(recs).toHaveLength(0);
  });

  it("a cond inside a component places its branch between its siblings", async () => {
    const m = await mount(
      comp("hstack", {}, [comp("text", {}, ["before"]), { type: "cond", c: v("x"), a: comp("code", {}, ["mid"]), b: null }, comp("text", {}, ["after"])]),
      [{ x: false }],
    );
    m.states[0].set("v_x", true);
    const names = Array.from(m.tree.querySelector(".nbstate-hstack")!.children).map((e) => e.textContent);
    expect(names).toEqual(["before", "mid", "after"]);
  });
});

describe("foreach", () => {
  const rowTree = list(comp("text", {}, [text(op("item", { a: arg("row"), key: lit("name") })), ":", text(arg("i"))]));
  const rowsOf = (m: { tree: HTMLElement }): string[] => byData(m.tree, "text").map((e) => e.textContent ?? "");

  it("renders one row per item with item and index in scope", async () => {
    const m = await mount(rowTree, [{ rows: [{ name: "a" }, { name: "b" }] }]);
    expect(rowsOf(m)).toEqual(["a:0", "b:1"]);
  });

  it("changing one row touches only that row's nodes", async () => {
    const m = await mount(rowTree, [{ rows: [{ name: "a" }, { name: "b" }, { name: "c" }] }]);
    const before = byData(m.tree, "text");
    const recs = mutations(m.tree, () => m.states[0].set("v_rows", [{ name: "a" }, { name: "B" }, { name: "c" }]));
    expect(rowsOf(m)).toEqual(["a:0", "B:1", "c:2"]);
    const after = byData(m.tree, "text");
    expect(after).toEqual(before); // same elements: rows are updated in place
    expect(recs).toHaveLength(1);
    expect(touchedElements(recs)[0]).toBe(before[1]);
  });

  it("appending a row inserts only the new row", async () => {
    const m = await mount(rowTree, [{ rows: [{ name: "a" }, { name: "b" }] }]);
    const before = byData(m.tree, "text");
    const recs = mutations(m.tree, () => m.states[0].set("v_rows", [{ name: "a" }, { name: "b" }, { name: "c" }]));
    expect(rowsOf(m)).toEqual(["a:0", "b:1", "c:2"]);
    expect(byData(m.tree, "text").slice(0, 2)).toEqual(before);
    // Only insertions (happy-dom reports a fragment's nodes one record each), one new element.
    expect(recs.every((r) => r.type === "childList" && r.removedNodes.length === 0)).toBe(true);
    expect(addedElements(recs)).toEqual([byData(m.tree, "text")[2]]);
  });

  it("inserting a row in the middle keeps the other rows' DOM and updates shifted indices only", async () => {
    const m = await mount(rowTree, [{ rows: [{ name: "a" }, { name: "c" }] }]);
    const [a, c] = byData(m.tree, "text");
    const recs = mutations(m.tree, () => m.states[0].set("v_rows", [{ name: "a" }, { name: "b" }, { name: "c" }]));
    expect(rowsOf(m)).toEqual(["a:0", "b:1", "c:2"]);
    const after = byData(m.tree, "text");
    expect(after[0]).toBe(a);
    expect(after[2]).toBe(c);
    // One inserted row, plus the index text of row "c" (1 -> 2); row "a" is not touched.
    expect(addedElements(recs)).toEqual([after[1]]);
    expect(recs.filter((r) => r.type === "characterData").map((r) => r.target.parentElement)).toEqual([c]);
    expect(touchedElements(recs).includes(a)).toBe(false);
  });

  it("removing a row removes only that row", async () => {
    const body = list(comp("text", {}, [text(op("item", { a: arg("row"), key: lit("name") }))]));
    const m = await mount(body, [{ rows: [{ name: "a" }, { name: "b" }, { name: "c" }] }]);
    const [a, , c] = byData(m.tree, "text");
    const recs = mutations(m.tree, () => m.states[0].set("v_rows", [{ name: "a" }, { name: "c" }]));
    expect(rowsOf(m)).toEqual(["a", "c"]);
    expect(byData(m.tree, "text")).toEqual([a, c]);
    expect(recs.every((r) => r.type === "childList" && r.addedNodes.length === 0)).toBe(true);
    expect(recs.some((r) => Array.from(r.removedNodes).some((n) => n.textContent === "b"))).toBe(true);
  });

  it("rows whose item is deep-equal keep their DOM even when the list is a new array of new objects", async () => {
    const m = await mount(rowTree, [{ rows: [{ name: "a" }, { name: "b" }] }]);
    const recs = mutations(m.tree, () => m.states[0].set("v_rows", [{ name: "a" }, { name: "b" }, { name: "z" }]));
    expect(recs.filter((r) => r.type !== "childList")).toHaveLength(0);
  });

  it("a var read inside rows updates every row that reads it, and nothing else", async () => {
    const tree = list(comp("text", {}, [text(v("prefix")), text(op("item", { a: arg("row"), key: lit("name") }))]));
    const m = await mount(tree, [{ rows: [{ name: "a" }, { name: "b" }], prefix: "-" }]);
    const recs = mutations(m.tree, () => m.states[0].set("v_prefix", "+"));
    expect(rowsOf(m)).toEqual(["+a", "+b"]);
    expect(recs).toHaveLength(2);
  });

  it("edits at both ends of a long list (capped log) add one row, remove one, touch no other", async () => {
    const body = list(comp("text", {}, [text(op("item", { a: arg("row"), key: lit("name") }))]));
    const start = Array.from({ length: 2000 }, (_, i) => ({ name: `r${i}` }));
    const m = await mount(body, [{ rows: start }]);
    const before = byData(m.tree, "text");
    const next = [...start.slice(1), { name: "new" }];
    const recs = mutations(m.tree, () => m.states[0].set("v_rows", next));
    const after = byData(m.tree, "text");
    expect(after).toHaveLength(2000);
    expect(after.slice(0, 1999)).toEqual(before.slice(1));
    expect(after[1999].textContent).toBe("new");
    expect(recs.filter((r) => r.type === "characterData")).toHaveLength(0);
    expect(addedElements(recs)).toEqual([after[1999]]);
  });

  it("emptying the list removes every row, and refilling it renders them again", async () => {
    const m = await mount(rowTree, [{ rows: [{ name: "a" }] }]);
    m.states[0].set("v_rows", []);
    expect(rowsOf(m)).toEqual([]);
    m.states[0].set("v_rows", [{ name: "x" }, { name: "y" }]);
    expect(rowsOf(m)).toEqual(["x:0", "y:1"]);
  });

  it("nested foreach reads the outer item by name", async () => {
    const tree: TreeNode = {
      type: "foreach",
      list: v("groups"),
      item: "g",
      body: {
        type: "foreach",
        list: op("item", { a: arg("g"), key: lit("xs") }),
        item: "x",
        body: comp("text", {}, [text(op("item", { a: arg("g"), key: lit("k") })), text(arg("x"))]),
      },
    };
    const m = await mount(tree, [{ groups: [{ k: "a", xs: [1, 2] }, { k: "b", xs: [3] }] }]);
    expect(rowsOf(m)).toEqual(["a1", "a2", "b3"]);
    m.states[0].set("v_groups", [{ k: "a", xs: [1, 2, 5] }, { k: "b", xs: [3] }]);
    expect(rowsOf(m)).toEqual(["a1", "a2", "a5", "b3"]);
  });

  it("iterates over a dict as [key, value] pairs", async () => {
    const tree: TreeNode = {
      type: "foreach",
      list: v("d"),
      item: "kv",
      body: comp("text", {}, [text(op("item", { a: arg("kv"), key: lit(0) })), "=", text(op("item", { a: arg("kv"), key: lit(1) }))]),
    };
    const m = await mount(tree, [{ d: { a: 1, b: 2 } }]);
    expect(rowsOf(m)).toEqual(["a=1", "b=2"]);
  });

  it("reversing the list keeps all values right", async () => {
    const m = await mount(rowTree, [{ rows: [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "d" }] }]);
    m.states[0].set("v_rows", [{ name: "d" }, { name: "c" }, { name: "b" }, { name: "a" }]);
    expect(rowsOf(m)).toEqual(["d:0", "c:1", "b:2", "a:3"]);
    m.states[0].set("v_rows", [{ name: "b" }, { name: "x" }, { name: "d" }]);
    expect(rowsOf(m)).toEqual(["b:0", "x:1", "d:2"]);
  });

  it("a list that is not iterable shows an inline error instead of rows", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(rowTree, [{ rows: 5 }]);
    expect(byData(m.tree, "error")).toHaveLength(1);
    m.states[0].set("v_rows", [{ name: "ok" }]);
    expect(byData(m.tree, "error")).toHaveLength(0);
    expect(rowsOf(m)).toEqual(["ok:0"]);
    expect(warn.mock.calls[0][0]).toBe("[nbstate]");
  });
});

describe("errors in the tree", () => {
  it("an unknown op shows an inline error in place, the rest of the view still renders", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("vstack", {}, [comp("text", {}, [text(op("frobnicate"))]), comp("button", {}, ["Fine"])]), [{}]);
    const err = byData(m.tree, "error");
    expect(err).toHaveLength(1);
    expect(err[0].textContent).toContain("frobnicate");
    expect(m.tree.querySelector("button")!.textContent).toBe("Fine");
    expect(String(warn.mock.calls[0][0])).toMatch(/^\[nbstate\]/);
  });

  it("an unknown component renders an inline error box", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("hstack", {}, [comp("fancy_widget"), comp("text", {}, ["ok"])]), [{}]);
    const err = byData(m.tree, "error");
    expect(err).toHaveLength(1);
    expect(err[0].textContent).toContain("unknown component 'fancy_widget'");
    expect(byData(m.tree, "text")[0].textContent).toBe("ok");
  });

  it("a failing prop marks the component and shows the error next to it, then recovers", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("button", { disabled: op("div", { a: lit(1), b: v("d") }) }, ["x"]), [{ d: 0 }]);
    const button = m.tree.querySelector("button")!;
    expect(button.classList.contains("nbstate-has-error")).toBe(true);
    expect(byData(m.tree, "error")[0].textContent).toContain("division by zero");
    m.states[0].set("v_d", 1);
    expect(button.classList.contains("nbstate-has-error")).toBe(false);
    expect(byData(m.tree, "error")).toHaveLength(0);
    expect(button.disabled).toBe(true);
  });

  it("a text binding that starts failing shows an error, and clears it when it works again", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("text", {}, [text(op("add", { a: v("a"), b: lit(1) }))]), [{ a: 1 }]);
    expect(m.tree.textContent).toBe("2");
    m.states[0].set("v_a", "str");
    expect(byData(m.tree, "error")).toHaveLength(1);
    m.states[0].set("v_a", 5);
    expect(byData(m.tree, "error")).toHaveLength(0);
    expect(byData(m.tree, "text")[0].textContent).toBe("6");
  });

  it("an unknown node type is an inline error", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount({ type: "portal" } as unknown as TreeNode, [{}]);
    expect(byData(m.tree, "error")[0].textContent).toContain("portal");
  });
});

describe("fragments and embedded widgets", () => {
  it("a fragment mounts its children in place without a wrapper", async () => {
    const m = await mount(comp("hstack", {}, [{ type: "fragment", children: [comp("code", {}, ["a"]), comp("code", {}, ["b"])] }]), [{}]);
    expect(m.tree.querySelector(".nbstate-hstack")!.children).toHaveLength(2);
  });

  it("a widget node embeds the ipywidget's view and removes it on cleanup", async () => {
    const slider = new FakeModel({ description: "embedded!" });
    const m = await mount(comp("box", {}, [{ type: "widget", index: 0 }]), [{}], { widgets: [slider], manager: slider.widget_manager });
    await new Promise((r) => setTimeout(r, 0));
    const holder = byData(m.tree, "widget")[0];
    expect(holder.textContent).toBe("embedded!");
    m.cleanup();
    expect(m.manager.views[0].removed).toBe(true);
  });
});
