import { afterEach, describe, expect, it, vi } from "vitest";
import hubModule from "../src/hub-model";
import widget from "../src/index";
import loader from "../src/loader";
import { FakeModel, FakeWidgetManager, byData, comp, handler, mount, mutations, sendPatch, state, text, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

const errorEntry = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  handler: "my_task",
  type: "ValueError",
  message: `bad value ${id}`,
  traceback: `Traceback (most recent call last):\n  line ${id}`,
  ...extra,
});

describe("error area", () => {
  it("shows each error's type, message, handler and a closed traceback above the tree", async () => {
    const m = await mount(comp("text", {}, ["body"]), [{}]);
    m.states[0].set("_nbstate_errors", [errorEntry(1)]);
    const area = m.el.querySelector(".nbstate-errors") as HTMLElement;
    expect(area.hidden).toBe(false);
    expect(area.compareDocumentPosition(m.tree) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const entry = area.querySelector(".nbstate-error")!;
    expect(entry.querySelector(".nbstate-error-type")!.textContent).toBe("ValueError");
    expect(entry.querySelector(".nbstate-error-message")!.textContent).toBe("bad value 1");
    expect(entry.querySelector(".nbstate-error-handler")!.textContent).toContain("my_task");
    const details = entry.querySelector("details")!;
    expect(details.open).toBe(false);
    expect(details.querySelector("pre")!.textContent).toContain("line 1");
  });

  it("is hidden while there are no errors", async () => {
    const m = await mount(comp("text", {}, ["body"]), [{}]);
    expect((m.el.querySelector(".nbstate-errors") as HTMLElement).hidden).toBe(true);
  });

  it("the dismiss button sends a dismiss message with the entry id and hides the entry", async () => {
    const m = await mount(comp("text", {}, ["body"]), [{}]);
    m.states[0].set("_nbstate_errors", [errorEntry(3), errorEntry(4)]);
    const buttons = m.el.querySelectorAll<HTMLButtonElement>(".nbstate-error-dismiss");
    expect(buttons[0].textContent).toBe("\u00d7");
    buttons[0].click();
    expect(m.states[0].sent).toEqual([{ kind: "dismiss", id: 3 }]);
    expect(Array.from(m.el.querySelectorAll("[data-error-id]")).map((e) => e.getAttribute("data-error-id"))).toEqual(["4"]);
  });

  it("entries are keyed by id: a new error adds one element, old ones stay untouched", async () => {
    const m = await mount(comp("text", {}, ["body"]), [{}]);
    m.states[0].set("_nbstate_errors", [errorEntry(1)]);
    const first = m.el.querySelector(".nbstate-error")!;
    const area = m.el.querySelector(".nbstate-errors")!;
    const recs = mutations(area, () => m.states[0].set("_nbstate_errors", [errorEntry(1), errorEntry(2)]));
    expect(m.el.querySelector(".nbstate-error")).toBe(first);
    expect(recs.every((r) => r.target === area && r.removedNodes.length === 0)).toBe(true);
    m.states[0].set("_nbstate_errors", [errorEntry(2)]);
    expect(m.el.querySelectorAll(".nbstate-error")).toHaveLength(1);
    expect(first.isConnected).toBe(false);
  });

  it("shows the errors of every state the view reads", async () => {
    const m = await mount(comp("text", {}, [text(v("a", 0)), text(v("b", 1))]), [{ a: 1 }, { b: 2 }]);
    m.states[1].set("_nbstate_errors", [errorEntry(9, { type: "KeyError" })]);
    m.states[0].set("_nbstate_errors", [errorEntry(9)]);
    const types = Array.from(m.el.querySelectorAll(".nbstate-error-type")).map((e) => e.textContent);
    expect(types).toEqual(["ValueError", "KeyError"]);
    m.el.querySelectorAll<HTMLButtonElement>(".nbstate-error-dismiss")[1].click();
    expect(m.states[1].sent).toEqual([{ kind: "dismiss", id: 9 }]);
    expect(m.states[0].sent).toEqual([]);
  });

  it("a rejected event of this view shows in its error area", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("button", {}, ["Go"], { events: { on_click: [handler("nope")] } }), [{}]);
    m.tree.querySelector("button")!.click();
    const id = m.states[0].sent[0].id;
    m.states[0].receive({ kind: "rejected", id, error: "nbstate: S has no event handler 'nope'" });
    expect(m.el.querySelector(".nbstate-errors")!.textContent).toContain("has no event handler 'nope'");
    m.states[0].receive({ kind: "rejected", id: id + 1000, error: "someone else's" });
    expect(m.el.querySelector(".nbstate-errors")!.textContent).not.toContain("someone else's");
  });
});

describe("lifecycle and cleanup", () => {
  it("after cleanup the state and view models have no listeners left", async () => {
    const m = await mount(
      comp("vstack", {}, [
        comp("text", {}, [text(v("a"))]),
        { type: "cond", c: v("b"), a: comp("text", {}, [text(v("c"))]), b: null },
        { type: "foreach", list: v("rows"), item: "r", body: comp("text", {}, [text(v("d"))]) },
      ]),
      [{ a: 1, b: true, c: 2, rows: [1, 2], d: 3 }, { x: 1 }],
    );
    expect(m.states[0].count()).toBeGreaterThan(0);
    expect(m.view.count()).toBeGreaterThan(0);
    m.cleanup();
    expect(m.states[0].listeners).toEqual([]);
    expect(m.states[1].listeners).toEqual([]);
    expect(m.view.listeners).toEqual([]);
    expect(m.el.querySelector(".nbstate-view")).toBeNull();
  });

  it("closing one of two views keeps the other view live and patched", async () => {
    const manager = new FakeWidgetManager();
    const s = state({ items: [1] }, manager);
    const tree = comp("text", {}, [text({ op: "length", a: v("items") })]);
    const a = await mount(tree, [], { manager, states: [s] });
    const b = await mount(tree, [], { manager, states: [s] });
    a.cleanup();
    await sendPatch(s, "items", [{ op: "append", path: [], value: 2 }]);
    expect(b.tree.textContent).toBe("2");
    b.cleanup();
    expect(s.listeners).toEqual([]);
  });

  it("change:tree rebuilds the tree with the new description", async () => {
    const m = await mount(comp("heading", {}, ["old"]), [{ n: 1 }]);
    m.view.set("tree", comp("button", {}, [text(v("n"))]));
    expect(m.tree.querySelector("h2")).toBeNull();
    expect(m.tree.querySelector("button")!.textContent).toBe("1");
    m.states[0].set("v_n", 2);
    expect(m.tree.querySelector("button")!.textContent).toBe("2");
  });

  it("a var change never rebuilds the tree: untouched elements keep their identity", async () => {
    const m = await mount(comp("hstack", {}, [comp("heading", {}, [text(v("n"))]), comp("button", {}, ["static"])]), [{ n: 1 }]);
    const button = m.tree.querySelector("button");
    m.states[0].set("v_n", 2);
    expect(m.tree.querySelector("button")).toBe(button);
  });

  it("listeners of a replaced tree are dropped: old bindings never fire again", async () => {
    const m = await mount(comp("text", {}, [text(v("a"))]), [{ a: 1, b: 1 }]);
    m.view.set("tree", comp("text", {}, [text(v("b"))]));
    expect(m.states[0].count("change:v_a")).toBe(0);
    expect(m.states[0].count("change:v_b")).toBe(1);
  });

  it("a view reads a state's var through exactly one Backbone listener, however many bindings", async () => {
    const m = await mount(comp("vstack", {}, [comp("text", {}, [text(v("n"))]), comp("text", {}, [text(v("n"))]), comp("text", {}, [text(v("n"))])]), [{ n: 0 }]);
    expect(m.states[0].count("change:v_n")).toBe(1);
  });

  it("each module has only a default export (a named render is anywidget's deprecated API)", async () => {
    for (const mod of [await import("../src/index"), await import("../src/loader"), await import("../src/hub-model")]) {
      expect(Object.keys(mod)).toEqual(["default"]);
    }
    expect(Object.keys(widget)).toEqual(["render"]);
    expect(Object.keys(loader)).toEqual(["render"]);
    expect(Object.keys(hubModule)).toEqual(["initialize"]);
  });

  it("the hub model's initialize applies batches with no view open; its cleanup removes the handler", async () => {
    const manager = new FakeWidgetManager();
    const s = state({ xs: [] }, manager);
    const hub = new FakeModel({ _nbstate_hub: "kernel" }, manager);
    const release = hubModule.initialize({ model: hub as never });
    expect(hub.sent).toEqual([{ kind: "hello" }]);
    hub.receive({ kind: "batch", seq: 1, models: { [s.model_id]: { patches: { xs: [{ op: "append", path: [], value: 1 }] } } } });
    await vi.waitFor(() => expect(s.get("v_xs")).toEqual([1]));
    (release as () => void)();
    expect(hub.listeners).toEqual([]);
  });

  it("initialize on a model that is not the hub installs nothing", () => {
    const view = new FakeModel({ tree: null, states: [] });
    expect(hubModule.initialize({ model: view as never })).toBeUndefined();
    expect(view.listeners).toEqual([]);
  });

  it("a state reference that cannot be resolved shows an inline error", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const manager = new FakeWidgetManager();
    const view = new FakeModel({ tree: comp("text", {}, ["x"]), states: ["IPY_MODEL_missing"], widgets: [] }, manager);
    const el = document.createElement("div");
    const cleanup = await widget.render({ model: view as never, el });
    expect(byData(el, "error")[0].textContent).toContain("missing");
    cleanup();
    expect(view.listeners).toEqual([]);
  });

  it("every console message starts with [nbstate]", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await mount(comp("vstack", {}, [comp("nope"), comp("text", {}, [text({ op: "bad" })])]), [{}]);
    expect(warn.mock.calls.length).toBeGreaterThan(1);
    for (const call of warn.mock.calls) expect(String(call[0]).startsWith("[nbstate]")).toBe(true);
  });
});

describe("changing the view model", () => {
  it("a new states list is resolved before the tree renders against it", async () => {
    const m = await mount(comp("text", {}, [text(v("x"))]), [{ x: "first" }]);
    const other = state({ y: "second" }, m.manager);
    const warn = vi.spyOn(console, "warn");
    const added: Node[] = [];
    const collect = (recs: MutationRecord[]): void => {
      for (const r of recs) added.push(...Array.from(r.addedNodes));
    };
    const obs = new MutationObserver(collect);
    obs.observe(m.tree, { childList: true });
    m.view.set({ tree: comp("text", {}, [text(v("y"))]), states: ["IPY_MODEL_" + other.model_id] });
    await new Promise((r) => setTimeout(r, 0));
    collect(obs.takeRecords());
    obs.disconnect();
    expect(added).toHaveLength(1); // built once, against the new state only
    expect(m.tree.textContent).toBe("second");
    expect(warn).not.toHaveBeenCalled();
    expect(m.states[0].listeners).toEqual([]);
    other.set("v_y", "updated");
    expect(m.tree.textContent).toBe("updated");
  });
});

describe("under anywidget's model proxy", () => {
  // anywidget hands render() a proxy whose on/off ignore the context argument and bind the
  // view instead, and which has no model_id.
  function anywidgetProxy(model: FakeModel, viewContext: object) {
    return {
      get: model.get.bind(model),
      set: model.set.bind(model),
      send: model.send.bind(model),
      save_changes() {},
      on(name: string, cb: (...a: unknown[]) => void) {
        model.on(name, cb, viewContext);
      },
      off(name?: string | null, cb?: ((...a: unknown[]) => void) | null) {
        model.off(name, cb, viewContext);
      },
      widget_manager: model.widget_manager,
    };
  }

  async function mountProxied(extra: Record<string, unknown> = {}) {
    const manager = new FakeWidgetManager();
    const s = state({ n: 1 }, manager);
    const viewModel = new FakeModel(
      {
        tree: comp("button", {}, [text(v("n"))], { events: { on_click: [handler("bump")] } }),
        states: ["IPY_MODEL_" + s.model_id],
        widgets: [],
        ...extra,
      },
      manager,
    );
    const el = document.createElement("div");
    const cleanup = await widget.render({ model: anywidgetProxy(viewModel, {}) as never, el });
    return { s, viewModel, el, cleanup };
  }

  it("cleanup removes the view model's listeners through the proxy", async () => {
    const { viewModel, s, cleanup } = await mountProxied();
    expect(viewModel.count()).toBeGreaterThan(0);
    cleanup();
    expect(viewModel.listeners).toEqual([]);
    expect(s.listeners).toEqual([]);
  });

  it("change:tree still rebuilds through the proxy", async () => {
    const { viewModel, el } = await mountProxied();
    viewModel.set("tree", comp("heading", {}, ["new"]));
    expect(el.querySelector("h2")!.textContent).toBe("new");
  });

  it("without model_id, events carry the id from the _nbstate_view_id trait, else null", async () => {
    const a = await mountProxied({ _nbstate_view_id: "view-42" });
    a.el.querySelector("button")!.click();
    expect(a.s.sent[0].view).toBe("view-42");
    const b = await mountProxied();
    b.el.querySelector("button")!.click();
    expect(b.s.sent[0].view).toBeNull();
  });
});
