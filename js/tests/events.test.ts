import { afterEach, describe, expect, it, vi } from "vitest";
import type { TreeNode } from "../src/types";
import { arg, byData, comp, ev, events, handler, lit, mount, op, text, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

function typeInto(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("event dispatch", () => {
  it("a click sends an event message with the handler, evaluated args and the view id", async () => {
    const m = await mount(
      comp("button", {}, ["Go"], { events: { on_click: [handler("toggle_running", [lit(1), v("n")])] } }),
      [{ n: 5 }],
    );
    m.tree.querySelector("button")!.click();
    const sent = m.states[0].sent;
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: "event", handler: "toggle_running", args: [1, 5], view: m.view.model_id });
    expect(typeof sent[0].id).toBe("number");
  });

  it("each event gets a new id", async () => {
    const m = await mount(comp("button", {}, ["Go"], { events: { on_click: [handler("a"), handler("b")] } }), [{}]);
    m.tree.querySelector("button")!.click();
    m.tree.querySelector("button")!.click();
    const ids = m.states[0].sent.map((x) => x.id);
    expect(new Set(ids).size).toBe(4);
    expect(events(m.states[0]).map((e) => e.handler)).toEqual(["a", "b", "a", "b"]);
  });

  it("an EventSpec goes to the state it names", async () => {
    const m = await mount(comp("button", {}, ["Go"], { events: { on_click: [handler("on_second", [], 1)] } }), [{}, {}]);
    m.tree.querySelector("button")!.click();
    expect(m.states[0].sent).toHaveLength(0);
    expect(events(m.states[1])).toEqual([{ kind: "event", handler: "on_second", args: [], view: m.view.model_id }]);
  });

  it("a click inside a foreach row sends that row's item and index", async () => {
    const tree: TreeNode = {
      type: "foreach",
      list: v("rows"),
      item: "row",
      index: "i",
      body: comp("button", {}, [text(arg("row"))], { events: { on_click: [handler("pick", [arg("row"), arg("i")])] } }),
    };
    const m = await mount(tree, [{ rows: ["a", "b", "c"] }]);
    m.tree.querySelectorAll("button")[1].click();
    expect(events(m.states[0])[0].args).toEqual(["b", 1]);
    // After a change, the same row's button sends the new values.
    m.states[0].set("v_rows", ["a", "B", "c"]);
    m.tree.querySelectorAll("button")[1].click();
    expect(events(m.states[0])[1].args).toEqual(["B", 1]);
  });

  it("a disabled button sends nothing", async () => {
    const m = await mount(comp("button", { disabled: v("busy") }, ["Go"], { events: { on_click: [handler("go")] } }), [{ busy: true }]);
    m.tree.querySelector("button")!.click();
    expect(m.states[0].sent).toHaveLength(0);
    m.states[0].set("v_busy", false);
    m.tree.querySelector("button")!.click();
    expect(events(m.states[0])).toHaveLength(1);
  });

  it("mouse enter/leave and focus events reach their handlers", async () => {
    const m = await mount(
      comp("box", {}, ["hover me"], {
        events: { on_mouse_enter: [handler("enter")], on_mouse_leave: [handler("leave")] },
      }),
      [{}],
    );
    const box = byData(m.tree, "box")[0];
    box.dispatchEvent(new Event("mouseenter"));
    box.dispatchEvent(new Event("mouseleave"));
    expect(events(m.states[0]).map((e) => e.handler)).toEqual(["enter", "leave"]);
  });

  it("args that fail to evaluate send nothing and show a local error", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("button", {}, ["Go"], { events: { on_click: [handler("go", [op("mystery")])] } }), [{}]);
    m.tree.querySelector("button")!.click();
    expect(m.states[0].sent).toHaveLength(0);
    expect(m.el.querySelector(".nbstate-errors")!.textContent).toContain("mystery");
  });
});

describe("value events", () => {
  it("a bare handler on input on_change receives the string value", async () => {
    const m = await mount(comp("input", { value: v("name") }, [], { events: { on_change: [handler("set_name", [ev(0)])] } }), [{ name: "" }]);
    typeInto(m.tree.querySelector("input")!, "Ada");
    expect(events(m.states[0])).toEqual([{ kind: "event", handler: "set_name", args: ["Ada"], view: m.view.model_id }]);
  });

  it("number_input sends a number, not a string", async () => {
    const m = await mount(
      comp("number_input", { value: v("max_counter") }, [], { events: { on_change: [handler("set_max_counter", [ev(0)])] } }),
      [{ max_counter: 10 }],
    );
    const input = m.tree.querySelector("input")!;
    expect(input.type).toBe("number");
    expect(input.value).toBe("10");
    typeInto(input, "12");
    expect(events(m.states[0])[0].args).toEqual([12]);
    expect(typeof events(m.states[0])[0].args[0]).toBe("number");
  });

  it("number_input sends nothing while its text is not a number", async () => {
    const m = await mount(comp("number_input", { value: v("x") }, [], { events: { on_change: [handler("set_x", [ev(0)])] } }), [{ x: 1 }]);
    const input = m.tree.querySelector("input")!;
    typeInto(input, "");
    expect(m.states[0].sent).toHaveLength(0);
    typeInto(input, "2.5");
    expect(events(m.states[0]).map((e) => e.args[0])).toEqual([2.5]);
  });

  it("slider sends a number", async () => {
    const m = await mount(
      comp("slider", { value: v("x"), min: lit(0), max: lit(100) }, [], { events: { on_change: [handler("set_x", [ev(0)])] } }),
      [{ x: 20 }],
    );
    const input = m.tree.querySelector("input")!;
    expect(input.type).toBe("range");
    expect(input.value).toBe("20");
    typeInto(input, "42");
    expect(events(m.states[0])[0].args).toEqual([42]);
  });

  it("checkbox and switch send a boolean", async () => {
    const m = await mount(
      comp("vstack", {}, [
        comp("checkbox", { checked: v("a") }, ["A"], { events: { on_change: [handler("set_a", [ev(0)])] } }),
        comp("switch", { checked: v("b") }, ["B"], { events: { on_change: [handler("set_b", [ev(0)])] } }),
      ]),
      [{ a: false, b: true }],
    );
    const [cb, sw] = Array.from(m.tree.querySelectorAll("input"));
    expect(cb.checked).toBe(false);
    expect(sw.checked).toBe(true);
    expect(sw.getAttribute("role")).toBe("switch");
    cb.click();
    sw.click();
    expect(events(m.states[0]).map((e) => [e.handler, e.args])).toEqual([
      ["set_a", [true]],
      ["set_b", [false]],
    ]);
  });

  it("select and radio_group send the chosen string", async () => {
    const m = await mount(
      comp("vstack", {}, [
        comp("select", { items: lit(["red", "green"]), value: v("color") }, [], { events: { on_change: [handler("set_color", [ev(0)])] } }),
        comp("radio_group", { items: lit(["s", "m", "l"]), value: v("size") }, [], { events: { on_change: [handler("set_size", [ev(0)])] } }),
      ]),
      [{ color: "red", size: "m" }],
    );
    const select = m.tree.querySelector("select")!;
    expect(select.value).toBe("red");
    select.value = "green";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    const radios = Array.from(m.tree.querySelectorAll<HTMLInputElement>("input[type=radio]"));
    expect(radios.map((r) => r.checked)).toEqual([false, true, false]);
    radios[2].click();
    expect(events(m.states[0]).map((e) => [e.handler, e.args])).toEqual([
      ["set_color", ["green"]],
      ["set_size", ["l"]],
    ]);
  });

  it("Enter in an input sends on_submit with its value; blur sends on_blur", async () => {
    const m = await mount(
      comp("input", {}, [], { events: { on_submit: [handler("submit", [ev(0)])], on_blur: [handler("blur", [ev(0)])] } }),
      [{}],
    );
    const input = m.tree.querySelector("input")!;
    input.value = "hello";
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    input.dispatchEvent(new Event("blur"));
    expect(events(m.states[0]).map((e) => [e.handler, e.args])).toEqual([
      ["submit", ["hello"]],
      ["blur", ["hello"]],
    ]);
  });

  it("Enter in a text_area submits, Shift+Enter does not", async () => {
    const m = await mount(comp("text_area", {}, [], { events: { on_submit: [handler("submit", [ev(0)])] } }), [{}]);
    const ta = m.tree.querySelector("textarea")!;
    ta.value = "line";
    ta.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", shiftKey: true }));
    expect(m.states[0].sent).toHaveLength(0);
    ta.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(events(m.states[0])[0].args).toEqual(["line"]);
  });

  it("a form sends an object of its named values on submit", async () => {
    const m = await mount(
      comp("form", {}, [
        comp("input", { name: lit("title") }),
        comp("number_input", { name: lit("qty") }),
        comp("checkbox", { name: lit("urgent") }, ["Urgent"]),
        comp("select", { name: lit("kind"), items: lit(["a", "b"]), value: lit("b") }),
        comp("button", { type: lit("submit") }, ["Save"]),
      ], { events: { on_submit: [handler("save", [ev(0)])] } }),
      [{}],
    );
    const [title, qty, urgent] = Array.from(m.tree.querySelectorAll("input"));
    title.value = "Buy milk";
    qty.value = "3";
    urgent.checked = true;
    const form = m.tree.querySelector("form")!;
    form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    expect(events(m.states[0])[0].args).toEqual([{ title: "Buy milk", qty: 3, urgent: true, kind: "b" }]);
  });

  it("value events evaluate args with both the event value and foreach variables", async () => {
    const tree: TreeNode = {
      type: "foreach",
      list: v("rows"),
      item: "row",
      index: "i",
      body: comp("input", { value: arg("row") }, [], { events: { on_change: [handler("rename", [arg("i"), ev(0)])] } }),
    };
    const m = await mount(tree, [{ rows: ["x", "y"] }]);
    typeInto(m.tree.querySelectorAll("input")[1], "why");
    expect(events(m.states[0])[0].args).toEqual([1, "why"]);
  });
});

describe("controlled inputs", () => {
  it("an input shows the var's new value when it changes", async () => {
    const m = await mount(comp("input", { value: v("name") }), [{ name: "a" }]);
    const input = m.tree.querySelector("input")!;
    expect(input.value).toBe("a");
    m.states[0].set("v_name", "b");
    expect(input.value).toBe("b");
  });

  it("a late echo of an earlier value does not overwrite what the user is typing", async () => {
    const m = await mount(comp("input", { value: v("name") }, [], { events: { on_change: [handler("set_name", [ev(0)])] } }), [{ name: "" }]);
    const input = m.tree.querySelector("input")!;
    input.focus();
    typeInto(input, "a");
    typeInto(input, "ab");
    m.states[0].set("v_name", "a"); // echo of the first keystroke
    expect(input.value).toBe("ab");
    m.states[0].set("v_name", "ab");
    expect(input.value).toBe("ab");
    m.states[0].set("v_name", "reset by kernel"); // not an echo: shown
    expect(input.value).toBe("reset by kernel");
  });

  it("a number_input being edited ignores echoes but takes other kernel values", async () => {
    const m = await mount(comp("number_input", { value: v("n") }, [], { events: { on_change: [handler("set_n", [ev(0)])] } }), [{ n: 10 }]);
    const input = m.tree.querySelector("input")!;
    input.focus();
    typeInto(input, "1");
    typeInto(input, "15");
    m.states[0].set("v_n", 1);
    expect(input.value).toBe("15");
    m.states[0].set("v_n", 20);
    expect(input.value).toBe("20");
  });

  it("a checkbox follows its var", async () => {
    const m = await mount(comp("checkbox", { value: v("on") }, ["x"]), [{ on: false }]);
    const input = m.tree.querySelector("input")!;
    m.states[0].set("v_on", true);
    expect(input.checked).toBe(true);
  });
});

describe("refused events", () => {
  it("a checkbox whose change the kernel rejects shows its var's value again", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("checkbox", { checked: v("on") }, ["x"], { events: { on_change: [handler("set_on", [ev(0)])] } }), [{ on: false }]);
    const input = m.tree.querySelector("input")!;
    input.click();
    expect(input.checked).toBe(true);
    m.states[0].receive({ kind: "rejected", id: m.states[0].sent[0].id, error: "no" });
    expect(input.checked).toBe(false);
  });

  it("a select whose change the kernel rejects shows its var's value again", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(
      comp("select", { items: lit(["a", "b"]), value: v("val") }, [], { events: { on_change: [handler("set_val", [ev(0)])] } }),
      [{ val: "a" }],
    );
    const select = m.tree.querySelector("select")!;
    select.value = "b";
    select.dispatchEvent(new Event("change"));
    m.states[0].receive({ kind: "rejected", id: m.states[0].sent[0].id, error: "no" });
    expect(select.value).toBe("a");
  });

  it("an accepted event (done) leaves the control as the user set it", async () => {
    const m = await mount(comp("checkbox", { checked: v("on") }, ["x"], { events: { on_change: [handler("set_on", [ev(0)])] } }), [{ on: false }]);
    const input = m.tree.querySelector("input")!;
    input.click();
    m.states[0].receive({ kind: "done", id: m.states[0].sent[0].id });
    expect(input.checked).toBe(true);
  });
});
