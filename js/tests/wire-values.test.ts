import { afterEach, describe, expect, it, vi } from "vitest";
import { applyPatch } from "../src/patch";
import { VarHub } from "../src/reactive";
import { decodeWire, encodeWire } from "../src/wire-values";
import { FakeModel, FakeWidgetManager, arg, comp, events, handler, lit, mount, mutationsAfter, op, sendPatch, text, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

describe("non-finite floats", () => {
  it("decodes tags anywhere and keeps untagged containers as they are", () => {
    expect(decodeWire({ $nbf: "inf" })).toBe(Infinity);
    expect(decodeWire({ $nbf: "-inf" })).toBe(-Infinity);
    expect(Number.isNaN(decodeWire({ $nbf: "nan" }) as number)).toBe(true);
    const plain = [{ a: 1 }, { b: [2, 3] }];
    expect(decodeWire(plain)).toBe(plain);
    const row = { x: 1 };
    const mixed = [row, { y: { $nbf: "inf" } }];
    const decoded = decodeWire(mixed) as unknown[];
    expect(decoded).not.toBe(mixed);
    expect(decoded[0]).toBe(row);
    expect(decoded[1]).toEqual({ y: Infinity });
    expect(decodeWire(mixed)).toBe(decoded); // memoized by identity
  });

  it("shows a scalar var and list items as Python does", async () => {
    const m = await mount(
      comp("box", {}, [
        text(op("str", { a: v("x") })),
        { type: "foreach", list: v("xs"), item: "it", body: text(op("str", { a: arg("it") })) },
      ]),
      [{ x: { $nbf: "inf" }, xs: [{ $nbf: "nan" }, { $nbf: "-inf" }, 1.5] }],
    );
    expect(m.tree.textContent).toBe("infnan-inf1.5");
    m.states[0].set("v_x", { $nbf: "-inf" });
    expect(m.tree.textContent).toBe("-infnan-inf1.5");
    m.cleanup();
  });

  it("leaves a dict that only looks like a tag alone, and keeps a __proto__ key a key", () => {
    const odd = { $nbf: "huge" };
    expect(decodeWire(odd)).toBe(odd);
    const withProto = JSON.parse('{"__proto__": {"$nbf": "inf"}, "b": 1}');
    const d = decodeWire(withProto) as Record<string, unknown>;
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
    expect(Object.keys(d)).toEqual(["__proto__", "b"]);
    expect(d["__proto__"]).toBe(Infinity);
  });

  it("patch ops whose value carries a tag, in hub batches", async () => {
    const m = await mount(
      comp("box", {}, [{ type: "foreach", list: v("xs"), item: "it", body: text(op("concat", { parts: [arg("it"), lit(";")] })) }]),
      [{ xs: [1.5] }],
    );
    await sendPatch(m.states[0], "xs", [{ op: "append", path: [], value: { $nbf: "nan" } }]);
    expect(m.tree.textContent).toBe("1.5;nan;");
    await sendPatch(m.states[0], "xs", [{ op: "set", path: [0], value: { $nbf: "-inf" } }]);
    expect(m.tree.textContent).toBe("-inf;nan;");
    // The model keeps the wire form (what jslink and a saved notebook see); views decode it.
    expect(m.states[0].get("v_xs")).toEqual([{ $nbf: "-inf" }, { $nbf: "nan" }]);
    m.cleanup();
  });

  it("memoizes by identity: a patch re-decodes only the changed row, untouched rows keep identity", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, x: i % 100 === 0 ? { $nbf: "inf" } : i }));
    const manager = new FakeWidgetManager();
    const model = new FakeModel({ v_rows: rows }, manager);
    const hub = new VarHub([model]);
    const first = hub.read(0, "rows") as { id: number; x: number }[];
    expect(first).not.toBe(rows);
    expect(first[0].x).toBe(Infinity);
    expect(first[1]).toBe(rows[1]); // a row without tags is the raw row itself
    expect(hub.read(0, "rows")).toBe(first); // no second walk

    model.set("v_rows", applyPatch(rows, [{ op: "set", path: [500, "x"], value: { $nbf: "nan" } }]));
    const second = hub.read(0, "rows") as { id: number; x: number }[];
    expect(Number.isNaN(second[500].x)).toBe(true);
    expect(second.filter((row, i) => row !== first[i]).map((r) => r.id)).toEqual([500]);

    // A list without any tag is returned as itself, so foreach diffs the raw rows.
    const plain = [{ id: 1 }, { id: 2 }];
    model.set("v_rows", plain);
    expect(hub.read(0, "rows")).toBe(plain);
    hub.dispose();
  });

  it("a foreach row whose value becomes inf is the only row the DOM changes in", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => i);
    const m = await mount(comp("box", {}, [{ type: "foreach", list: v("xs"), item: "it", body: comp("text", {}, [text(arg("it"))]) }]), [
      { xs: rows },
    ]);
    const ps = Array.from(m.tree.querySelectorAll("p"));
    const records = await mutationsAfter(m.tree, () => sendPatch(m.states[0], "xs", [{ op: "set", path: [7], value: { $nbf: "inf" } }]));
    expect(ps[7].textContent).toBe("inf");
    const touched = new Set(records.map((r) => (r.target.nodeType === 1 ? r.target : r.target.parentNode)));
    expect([...touched]).toEqual([ps[7]]);
    m.cleanup();
  });

  it("encodes what a view sends", async () => {
    expect(encodeWire([1, Infinity, { a: -Infinity, b: NaN }])).toEqual([
      1,
      { $nbf: "inf" },
      { a: { $nbf: "-inf" }, b: { $nbf: "nan" } },
    ]);
    const m = await mount(comp("button", {}, ["x"], { events: { on_click: [handler("set_x", [lit(1e400)])] } }), [
      { x: 0 },
    ]);
    (m.tree.querySelector("button") as HTMLButtonElement).click();
    expect(events(m.states[0])).toEqual([{ kind: "event", handler: "set_x", args: [{ $nbf: "inf" }], view: m.view.model_id }]);
    m.cleanup();
  });
});

describe("foreach over non-finite values", () => {
  it("tells inf, -inf, nan and null apart when rows change", async () => {
    const m = await mount(
      comp("box", {}, [{ type: "foreach", list: v("xs"), item: "it", body: text(op("str", { a: arg("it") })) }]),
      [{ xs: [1, { $nbf: "inf" }, 2] }],
    );
    expect(m.tree.textContent).toBe("1inf2");
    m.states[0].set("v_xs", [1, { $nbf: "nan" }, 2]);
    expect(m.tree.textContent).toBe("1nan2");
    m.states[0].set("v_xs", [1, null, 2]);
    expect(m.tree.textContent).toBe("1None2");
    m.cleanup();
  });
});
