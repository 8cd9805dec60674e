import { afterEach, describe, expect, it, vi } from "vitest";
import { componentNames } from "../src/components";
import type { TreeNode } from "../src/types";
import { byData, comp, ev, events, handler, lit, mount, op, text, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

const PROTOCOL_COMPONENTS = [
  "hstack", "vstack", "box", "spacer", "divider", "grid", "heading", "text", "code", "markdown", "link",
  "button", "number_input", "input", "text_area", "slider", "checkbox", "switch", "select", "radio_group",
  "progress", "badge", "spinner", "image", "data_table", "callout", "form",
];

describe("component registry", () => {
  it("implements every component of the protocol table plus form", () => {
    expect(componentNames().sort()).toEqual([...PROTOCOL_COMPONENTS].sort());
  });

  it("every component renders without error and marks its root with data-nbstate", async () => {
    const error = vi.spyOn(console, "warn");
    const m = await mount(comp("box", {}, PROTOCOL_COMPONENTS.filter((n) => n !== "box").map((name) => comp(name))), [{}]);
    for (const name of PROTOCOL_COMPONENTS) expect(byData(m.tree, name), name).toHaveLength(1);
    expect(byData(m.tree, "error")).toHaveLength(0);
    expect(error).not.toHaveBeenCalled();
  });
});

describe("the DESIGN.md example", () => {
  it("renders the counter UI and wires its events", async () => {
    const S = (name: string) => v(name);
    const tree: TreeNode = comp("hstack", {}, [
      comp("heading", {}, [text(S("counter")), " /"]),
      comp("number_input", { value: S("max_counter") }, [], {
        style: { width: lit("8em") },
        events: { on_change: [handler("set_max_counter", [ev(0)])] },
      }),
      comp("button", {}, [text(op("cond", { c: op("not", { a: S("running") }), a: lit("Start"), b: lit("Stop") }))], {
        events: { on_click: [handler("toggle_running")] },
      }),
      comp("button", {}, ["Reset"], { events: { on_click: [handler("clear_counter")] } }),
    ]);
    const m = await mount(tree, [{ counter: 0, max_counter: 10, running: false }]);
    const h = m.tree.querySelector("h2")!;
    const [start, reset] = Array.from(m.tree.querySelectorAll("button"));
    const input = m.tree.querySelector("input")!;
    expect(h.textContent).toBe("0 /");
    expect(start.textContent).toBe("Start");
    expect(reset.textContent).toBe("Reset");
    expect(input.style.width).toBe("8em");
    start.click();
    expect(events(m.states[0])[0].handler).toBe("toggle_running");
    m.states[0].set({ v_running: true, v_counter: 1 });
    expect(start.textContent).toBe("Stop");
    expect(h.textContent).toBe("1 /");
  });
});

describe("layout", () => {
  it("hstack and vstack are flex containers taking spacing, align and justify", async () => {
    const m = await mount(
      comp("hstack", { spacing: lit("4"), align: lit("start"), justify: lit("between") }, [comp("vstack", { spacing: lit("2em") })]),
      [{}],
    );
    const h = byData(m.tree, "hstack")[0];
    expect(h.classList.contains("nbstate-hstack")).toBe(true);
    expect(h.style.gap).toBe("1rem");
    expect(h.style.alignItems).toBe("flex-start");
    expect(h.style.justifyContent).toBe("space-between");
    expect(byData(m.tree, "vstack")[0].style.gap).toBe("2em");
  });

  it("grid turns an int into equal columns and passes CSS strings through", async () => {
    const m = await mount(comp("vstack", {}, [comp("grid", { columns: v("n") }), comp("grid", { columns: lit("1fr 2fr") })]), [{ n: 3 }]);
    const [a, b] = byData(m.tree, "grid");
    expect(a.style.gridTemplateColumns).toBe("repeat(3, minmax(0, 1fr))");
    expect(b.style.gridTemplateColumns).toBe("1fr 2fr");
  });

  it("spacer, divider and box have their elements", async () => {
    const m = await mount(comp("vstack", {}, [comp("spacer"), comp("divider"), comp("box", {}, ["in box"])]), [{}]);
    expect(byData(m.tree, "spacer")[0].classList.contains("nbstate-spacer")).toBe(true);
    expect(byData(m.tree, "divider")[0].tagName).toBe("HR");
    expect(byData(m.tree, "box")[0].tagName).toBe("DIV");
  });

  it("style values bind to CSS properties; numbers get px and null removes", async () => {
    const m = await mount(comp("box", {}, [], { style: { width: v("w"), opacity: lit(0.5), "background-color": lit("red") } }), [{ w: 120 }]);
    const box = byData(m.tree, "box")[0];
    expect(box.style.width).toBe("120px");
    expect(box.style.opacity).toBe("0.5");
    expect(box.style.backgroundColor).toBe("red");
    m.states[0].set("v_w", null);
    expect(box.style.width).toBe("");
  });

  it("id and class_name props land on the root", async () => {
    const m = await mount(comp("box", { id: lit("main"), class_name: lit("a b") }), [{}]);
    const box = byData(m.tree, "box")[0];
    expect(box.id).toBe("main");
    expect(box.classList.contains("a") && box.classList.contains("b")).toBe(true);
  });
});

describe("typography", () => {
  it("heading is an h2 by default, takes level 1-6 and a size", async () => {
    const m = await mount(comp("vstack", {}, [comp("heading", {}, ["a"]), comp("heading", { level: lit(4), size: lit("xl") }, ["b"])]), [{}]);
    const [a, b] = byData(m.tree, "heading");
    expect(a.tagName).toBe("H2");
    expect(b.tagName).toBe("H4");
    expect(b.style.fontSize).toBe("1.25rem");
  });

  it("a heading whose level is a var is rebuilt with the new element when it changes", async () => {
    const m = await mount(comp("heading", { level: v("lvl") }, [text(v("t"))]), [{ lvl: 1, t: "x" }]);
    expect(byData(m.tree, "heading")[0].tagName).toBe("H1");
    m.states[0].set("v_lvl", 3);
    expect(byData(m.tree, "heading")).toHaveLength(1);
    expect(byData(m.tree, "heading")[0].tagName).toBe("H3");
    m.states[0].set("v_t", "y");
    expect(byData(m.tree, "heading")[0].textContent).toBe("y");
  });

  it("text is a <p> unless `as` names another text element", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("vstack", {}, [comp("text", {}, ["p"]), comp("text", { as: lit("strong") }, ["s"]), comp("text", { as: lit("script") }, ["x"])]), [{}]);
    expect(byData(m.tree, "text").map((e) => e.tagName)).toEqual(["P", "STRONG", "P"]);
  });

  it("code is a <code> and link an <a> that can open externally", async () => {
    const m = await mount(comp("vstack", {}, [comp("code", {}, ["x = 1"]), comp("link", { href: lit("https://a.b"), is_external: lit(true) }, ["ext"])]), [{}]);
    expect(byData(m.tree, "code")[0].tagName).toBe("CODE");
    const a = byData(m.tree, "link")[0] as HTMLAnchorElement;
    expect(a.getAttribute("target")).toBe("_blank");
    expect(a.getAttribute("rel")).toContain("noopener");
    expect(a.textContent).toBe("ext");
  });
});

describe("buttons and display", () => {
  it("button takes variant, color_scheme and size as classes, and disabled", async () => {
    const m = await mount(comp("button", { variant: lit("outline"), color_scheme: v("c"), size: lit("lg"), disabled: lit(true) }, ["B"]), [{ c: "red" }]);
    const b = m.tree.querySelector("button")!;
    expect([...b.classList]).toEqual(expect.arrayContaining(["nbstate-button", "nbstate-variant-outline", "nbstate-scheme-red", "nbstate-size-lg"]));
    expect(b.disabled).toBe(true);
    m.states[0].set("v_c", "green");
    expect(b.classList.contains("nbstate-scheme-red")).toBe(false);
    expect(b.classList.contains("nbstate-scheme-green")).toBe(true);
  });

  it("a color_scheme that is not a plain token adds no class", async () => {
    const m = await mount(comp("button", { color_scheme: lit("red onclick=x") }, ["B"]), [{}]);
    expect([...m.tree.querySelector("button")!.classList].some((c) => c.includes("onclick"))).toBe(false);
  });

  it("progress shows a value of max, and is indeterminate without a value", async () => {
    const m = await mount(comp("progress", { value: v("p"), max: lit(50) }), [{ p: 25 }]);
    const p = byData(m.tree, "progress")[0];
    expect(p.getAttribute("role")).toBe("progressbar");
    expect(p.getAttribute("aria-valuenow")).toBe("25");
    expect((p.firstChild as HTMLElement).style.width).toBe("50%");
    m.states[0].set("v_p", null);
    expect(p.classList.contains("nbstate-progress-indeterminate")).toBe(true);
    expect(p.hasAttribute("aria-valuenow")).toBe(false);
  });

  it("badge, spinner, image and callout render their elements", async () => {
    const m = await mount(
      comp("vstack", {}, [
        comp("badge", { color_scheme: lit("green") }, ["new"]),
        comp("spinner", { size: lit("lg") }),
        comp("image", { src: lit("data:image/png;base64,AA=="), alt: lit("dot"), width: lit(16) }),
        comp("callout", { status: lit("warning") }, ["Careful"]),
      ]),
      [{}],
    );
    expect(byData(m.tree, "badge")[0].textContent).toBe("new");
    expect(byData(m.tree, "spinner")[0].getAttribute("role")).toBe("status");
    const img = m.tree.querySelector("img")!;
    expect(img.getAttribute("alt")).toBe("dot");
    expect(img.getAttribute("width")).toBe("16");
    const callout = byData(m.tree, "callout")[0];
    expect(callout.getAttribute("role")).toBe("note");
    expect(callout.classList.contains("nbstate-scheme-orange")).toBe(true);
    expect(callout.textContent).toContain("Careful");
  });

  it("data_table renders columns and rows and rewrites only changed rows", async () => {
    const m = await mount(comp("data_table", { data: v("t") }), [{ t: { columns: ["a", "b"], rows: [[1, "x"], [2, "y"]] } }]);
    const table = m.tree.querySelector("table")!;
    expect(Array.from(table.querySelectorAll("th")).map((t) => t.textContent)).toEqual(["a", "b"]);
    const rows = Array.from(table.querySelectorAll("tbody tr"));
    expect(rows.map((r) => r.textContent)).toEqual(["1x", "2y"]);
    const firstCell = rows[0].firstChild;
    m.states[0].set("v_t", { columns: ["a", "b"], rows: [[1, "x"], [3, "z"], [4, null]] });
    const after = Array.from(table.querySelectorAll("tbody tr"));
    expect(after.map((r) => r.textContent)).toEqual(["1x", "3z", "4"]);
    expect(after[0].firstChild).toBe(firstCell);
  });
});

describe("inputs render", () => {
  it("inputs are real form elements with their props", async () => {
    const m = await mount(
      comp("vstack", {}, [
        comp("input", { placeholder: lit("Name"), type: lit("password"), disabled: v("off") }),
        comp("text_area", { rows: lit(4), value: lit("multi\nline") }),
        comp("number_input", { min: lit(0), max: lit(9), step: lit(1) }),
        comp("select", { items: lit([{ label: "One", value: "1" }, { label: "Two", value: "2" }]), placeholder: lit("Pick") }),
        comp("radio_group", { items: lit(["a", "b"]), direction: lit("row") }),
      ]),
      [{ off: true }],
    );
    const input = m.tree.querySelector<HTMLInputElement>('[data-nbstate="input"]')!;
    expect(input.tagName).toBe("INPUT");
    expect(input.type).toBe("password");
    expect(input.placeholder).toBe("Name");
    expect(input.disabled).toBe(true);
    m.states[0].set("v_off", false);
    expect(input.disabled).toBe(false);
    const ta = m.tree.querySelector("textarea")!;
    expect(ta.value).toBe("multi\nline");
    expect(ta.getAttribute("rows")).toBe("4");
    const num = m.tree.querySelector<HTMLInputElement>('[data-nbstate="number_input"]')!;
    expect([num.min, num.max, num.step]).toEqual(["0", "9", "1"]);
    const select = m.tree.querySelector("select")!;
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual(["Pick", "One", "Two"]);
    expect(select.selectedIndex).toBe(0);
    const rg = byData(m.tree, "radio_group")[0];
    expect(rg.tagName).toBe("FIELDSET");
    expect(rg.classList.contains("nbstate-row")).toBe(true);
  });

  it("an unknown input type falls back to text", async () => {
    const m = await mount(comp("input", { type: lit("file") }), [{}]);
    expect(m.tree.querySelector("input")!.type).toBe("text");
  });

  it("select items can change and the selection follows the var", async () => {
    const m = await mount(comp("select", { items: v("items"), value: v("val") }), [{ items: ["a", "b"], val: "b" }]);
    const select = m.tree.querySelector("select")!;
    expect(select.value).toBe("b");
    m.states[0].set("v_items", ["a", "b", "c"]);
    expect(select.options).toHaveLength(3);
    expect(select.value).toBe("b");
    m.states[0].set("v_val", "c");
    expect(select.value).toBe("c");
  });

  it("a checkbox label shows its children next to a real checkbox", async () => {
    const m = await mount(comp("checkbox", { checked: lit(true) }, ["Agree"]), [{}]);
    const label = byData(m.tree, "checkbox")[0];
    expect(label.tagName).toBe("LABEL");
    expect(label.textContent).toBe("Agree");
    expect((label.querySelector("input") as HTMLInputElement).checked).toBe(true);
  });

  it("an event name a component does not have is reported inline", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("box", {}, [], { events: { on_launch: [handler("x")] } }), [{}]);
    expect(byData(m.tree, "error")[0].textContent).toContain("on_launch");
  });
});

describe("props the Python side sends", () => {
  it("heading `as` h1..h6 names the element", async () => {
    const m = await mount(comp("heading", { as: lit("h5") }, ["x"]), [{}]);
    expect(byData(m.tree, "heading")[0].tagName).toBe("H5");
  });

  it("read_only makes a text field read-only but still focusable", async () => {
    const m = await mount(comp("input", { read_only: v("ro"), value: lit("fixed") }), [{ ro: true }]);
    const input = m.tree.querySelector("input")!;
    expect(input.readOnly).toBe(true);
    expect(input.disabled).toBe(false);
    m.states[0].set("v_ro", false);
    expect(input.readOnly).toBe(false);
  });

  it("size on inputs and progress becomes a size class", async () => {
    const m = await mount(comp("vstack", {}, [comp("input", { size: lit("sm") }), comp("progress", { size: lit("lg"), value: lit(3) })]), [{}]);
    expect(m.tree.querySelector("input")!.classList.contains("nbstate-size-sm")).toBe(true);
    expect(byData(m.tree, "progress")[0].classList.contains("nbstate-size-lg")).toBe(true);
  });

  it("data_table takes a list of dicts from a var, ordered by the columns prop", async () => {
    const m = await mount(comp("data_table", { data: v("rows"), columns: lit(["b", "a"]) }), [{ rows: [{ a: 1, b: "x" }, { a: 2, b: "y" }] }]);
    const table = m.tree.querySelector("table")!;
    expect(Array.from(table.querySelectorAll("th")).map((t) => t.textContent)).toEqual(["b", "a"]);
    expect(Array.from(table.querySelectorAll("tbody tr")).map((r) => r.textContent)).toEqual(["x1", "y2"]);
  });
});
