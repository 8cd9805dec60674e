import { describe, expect, it } from "vitest";
import { decodeWire, encodeWire } from "../src/wire-values";
import { arg, comp, events, handler, lit, mount, op, text, v } from "./helpers";

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

describe("the redefinition notice", () => {
  it("shows the notice and makes the tree inert, and clears both", async () => {
    const m = await mount(comp("button", {}, ["go"], { events: { on_click: [handler("go")] } }), [{}]);
    const notice = m.el.querySelector(".nbstate-notice") as HTMLElement;
    expect(notice.hidden).toBe(true);
    m.view.set("_nbstate_notice", "S was redefined in cell [7]. Re-run the cell [3] that shows it.");
    expect(notice.hidden).toBe(false);
    expect(notice.getAttribute("role")).toBe("status");
    expect(notice.textContent).toContain("redefined");
    expect(m.tree.hasAttribute("inert")).toBe(true);
    m.view.set("_nbstate_notice", "");
    expect(notice.hidden).toBe(true);
    expect(m.tree.hasAttribute("inert")).toBe(false);
    m.cleanup();
  });
});
