import { afterEach, describe, expect, it } from "vitest";
import { inertHtml, savedSnapshot } from "../src/saved-snapshot";
import { FakeWidgetManager, comp, lit, mount, settle, text, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
});

describe("inertHtml", () => {
  it("copies what the view shows, with the controls' current values and disabled", async () => {
    const m = await mount(
      comp("vstack", {}, [
        comp("heading", {}, ["Count: ", text(v("n"))]),
        comp("input", { value: v("name"), placeholder: lit("Name") }),
        comp("input", { value: lit("hunter2"), type: lit("password") }),
        comp("checkbox", { checked: v("gift") }, ["Gift"]),
        comp("select", { items: lit(["a", "b"]), value: lit("b") }),
        comp("text_area", { value: lit("line <1>\nline 2") }),
      ]),
      [{ n: 3, name: "Ada & <Bob>", gift: true }],
    );
    const field = m.el.querySelector<HTMLInputElement>('input[placeholder="Name"]')!;
    field.value = "typed, not sent yet"; // what the box shows is what is copied
    const html = inertHtml(m.el.querySelector(".nbstate-view")!);
    expect(html).toContain("Count: 3");
    expect(html).toContain('value="typed, not sent yet"');
    expect(html).not.toContain("hunter2");
    expect(html).toMatch(/type="checkbox" checked disabled/);
    expect(html).toMatch(/<option value="b" selected>/);
    expect(html).toContain("line &#60;1&#62;\nline 2</textarea>");
    expect(html.match(/ disabled/g)?.length).toBe(5);
    m.cleanup();
  });

  it("keeps no script, handler, frame, unsafe URL or fetching style", () => {
    const el = (tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string)[]) => {
      const e = document.createElement(tag);
      for (const [k, val] of Object.entries(attrs)) e.setAttribute(k, val);
      e.append(...kids);
      return e;
    };
    const hidden = el("div", {}, "gone");
    hidden.hidden = true;
    const root = el(
      "div",
      {},
      el("p", { onclick: "alert(1)", class: "a", id: "x", "data-k": "1" }, "hi", el("script", {}, "alert(2)")),
      el("a", { href: "javascript:alert(3)" }, "bad"),
      el("a", { href: "https://example.org/?a=1&b=2" }, "good"),
      el("img", { src: "jav\tascript:alert(4)", alt: "pic" }),
      el("iframe", { src: "https://example.org" }),
      el("svg", {}, el("script", {}, "alert(5)")),
      el("style", {}, "p{}"),
      el("span", { style: "color: red; background-image: url(https://t.example/x.png)" }, "s"),
      el("custom-el", {}, "inner ", el("b", {}, "kept")),
      hidden,
      document.createComment("note"),
    );
    const html = inertHtml(root);
    expect(html).toBe(
      '<div><p class="a">hi</p><a>bad</a>' +
        '<a href="https://example.org/?a=1&#38;b=2" rel="noopener noreferrer">good</a><img alt="pic">' +
        '<span style="color:red">s</span>inner <b>kept</b></div>',
    );
  });

  it("leaves transient toasts out and shows an embedded widget as a note", async () => {
    const m = await mount(comp("vstack", {}, [text(lit("body"))]));
    m.states[0].receive({ kind: "toast", message: "Saved!", level: "info", duration: 5000 });
    const html = inertHtml(m.el.querySelector(".nbstate-view")!);
    expect(html).toContain("body");
    expect(html).not.toContain("Saved!");
    m.cleanup();
    const holder = document.createElement("div");
    holder.innerHTML = '<div class="nbstate-widget"><div class="fake-widget">slider internals</div></div>';
    expect(inertHtml(holder)).toBe(
      '<div><div class="nbstate-widget"><em>(an ipywidget, shown in the live view)</em></div></div>',
    );
  });
});

describe("savedSnapshot", () => {
  it("carries the page's nbstate rules that apply to the view, and no others", async () => {
    const style = document.createElement("style");
    style.textContent =
      ".nbstate-view .nbstate-heading { font-weight: 700; }\n" +
      ".nbstate-view .nbstate-never-used { color: red; }\n" +
      ".other-lib h2 { color: blue; }\n" +
      "@media (max-width: 10px) { .nbstate-view .nbstate-heading { font-size: 1px; } }\n" +
      ".nbstate-view .nbstate-button:hover { color: green; }\n" +
      ".nbstate-view .nbstate-button:disabled { opacity: 0.25; }";
    document.head.appendChild(style);
    const m = await mount(
      comp("vstack", {}, [
        comp("heading", {}, ["Hi"]),
        comp("button", {}, ["Live"]),
        comp("button", { disabled: lit(true) }, ["Off"]),
      ]),
    );
    const html = savedSnapshot(m.el.querySelector(".nbstate-view")!);
    expect(html.startsWith('<div class="nbstate-saved"><style>')).toBe(true);
    expect(html).toContain("font-weight: 700");
    expect(html).toMatch(/@media \(max-width: 10px\)\s*\{.*font-size: 1px/s);
    expect(html).not.toContain("nbstate-never-used");
    expect(html).not.toContain("other-lib");
    expect(html).not.toContain("green"); // interaction states are not part of a picture
    // Every copied control is disabled; only the one disabled in the live view looks it.
    expect(html).toContain(".nbstate-button[data-nbstate-disabled] { opacity: 0.25; }");
    expect(html).toMatch(/<button[^>]*disabled>Live</);
    expect(html).toMatch(/<button[^>]*disabled data-nbstate-disabled>Off</);
    m.cleanup();
    style.remove();
  });
});

/** An output of a saved notebook's shared model: a key/value map, as Yjs' Y.Map is. */
class OutputMap {
  constructor(readonly values: Map<string, unknown>) {}
  get(key: string): unknown {
    return this.values.get(key);
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }
}

function notebookContext(outputs: OutputMap[]) {
  const listeners = new Set<(s: unknown, v: string) => void>();
  const transactions: { undoable?: boolean; origin?: unknown }[] = [];
  const cell = {
    youtputs: { get length() { return outputs.length; }, get: (i: number) => outputs[i] },
    transact(fn: () => void, undoable?: boolean, origin?: unknown) {
      transactions.push({ undoable, origin });
      fn();
    },
  };
  return {
    listeners,
    transactions,
    saveState: {
      connect: (cb: (s: unknown, v: string) => void) => listeners.add(cb),
      disconnect: (cb: (s: unknown, v: string) => void) => listeners.delete(cb),
    },
    model: { sharedModel: { cells: [cell] } },
    emit(state: string) {
      for (const cb of Array.from(listeners)) cb(this, state);
    },
  };
}

const widgetOutput = (modelId: string, html = "<p>at display</p>") =>
  new OutputMap(
    new Map<string, unknown>([
      ["output_type", "display_data"],
      ["data", { "application/vnd.jupyter.widget-view+json": { model_id: modelId }, "text/html": html, "text/plain": "View" }],
    ]),
  );

describe("the save hook", () => {
  it("writes the picture at save time into the outputs that show the view, silently", async () => {
    const manager = new FakeWidgetManager() as FakeWidgetManager & { context?: unknown };
    const m0 = await mount(comp("heading", {}, [text(v("n"))]), [{ n: 1 }], { manager });
    m0.cleanup(); // views mounted before a context exists ignore saves
    const other = widgetOutput("someone-else");
    const outputs: OutputMap[] = [];
    const ctx = notebookContext(outputs);
    manager.context = ctx;
    const m = await mount(comp("heading", {}, [text(v("n"))]), [{ n: 1 }], { manager });
    outputs.push(widgetOutput(m.view.model_id), other);
    m.states[0].set("v_n", 42);
    await settle();

    ctx.emit("completed"); // only the start of a save writes
    expect((outputs[0].get("data") as Record<string, string>)["text/html"]).toBe("<p>at display</p>");
    ctx.emit("started");
    const data = outputs[0].get("data") as Record<string, unknown>;
    expect(data["text/html"]).toMatch(/^<div class="nbstate-saved">.*<h\d[^>]*>42<\/h\d>/s);
    expect(data["text/plain"]).toBe("View");
    expect((other.get("data") as Record<string, string>)["text/html"]).toBe("<p>at display</p>");
    expect(ctx.transactions).toEqual([{ undoable: false, origin: "silent-change" }]);

    ctx.emit("started"); // nothing changed: nothing written
    expect(ctx.transactions).toHaveLength(1);
    m.cleanup();
    expect(ctx.listeners.size).toBe(0);
  });
});
