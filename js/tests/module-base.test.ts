import { afterEach, describe, expect, it, vi } from "vitest";
import { checkedBase, labextensionsBase, unloadableStates } from "../src/module-base";
import { FakeWidgetManager, comp, mount, state, text, v } from "./helpers";

function pageWith(config: unknown): Document {
  const doc = document.implementation.createHTMLDocument("page");
  const script = doc.createElement("script");
  script.id = "jupyter-config-data";
  script.type = "application/json";
  script.textContent = typeof config === "string" ? config : JSON.stringify(config);
  doc.head.appendChild(script);
  return doc;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("labextensionsBase", () => {
  it("is the page config's labextensions URL, absolute, with a final slash", () => {
    const doc = pageWith({ fullLabextensionsUrl: "/user/ada/lab/extensions" });
    expect(labextensionsBase(doc)).toBe(new URL("/user/ada/lab/extensions/", doc.baseURI).href);
    expect(labextensionsBase(pageWith({ fullLabextensionsUrl: "https://hub.example/x/ext/?a=1#h" }))).toBe(
      "https://hub.example/x/ext/",
    );
  });

  it("is null without a usable page config", () => {
    expect(labextensionsBase(document.implementation.createHTMLDocument("bare"))).toBeNull();
    expect(labextensionsBase(pageWith("{not json"))).toBeNull();
    expect(labextensionsBase(pageWith({ baseUrl: "/" }))).toBeNull();
    expect(labextensionsBase(pageWith({ fullLabextensionsUrl: "javascript:alert(1)" }))).toBeNull();
  });
});

describe("checkedBase", () => {
  it("is null when the served text is not exactly the kernel's loader, or cannot be fetched", async () => {
    const served = (body: string, ok = true) => vi.fn(async () => ({ ok, text: async () => body }));
    vi.stubGlobal("fetch", served("other version"));
    expect(await checkedBase("http://h/ext/", "nbstate/static/loader.js?v=1", "export default {}")).toBeNull();
    vi.stubGlobal("fetch", served("export default {}", false));
    expect(await checkedBase("http://h/ext/", "nbstate/static/loader.js?v=1", "export default {}")).toBeNull();
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("offline"))));
    expect(await checkedBase("http://h/ext/", "nbstate/static/loader.js?v=1", "export default {}")).toBeNull();
  });
});

describe("unloadableStates", () => {
  it("lists the state models whose module URL this page cannot import, and only those", async () => {
    const manager = new FakeWidgetManager();
    const inline = state({ n: 0 }, manager, { _esm: "export default {};\n" });
    const served = state({ n: 0 }, manager, { _esm: "http://here/ext/nbstate/static/loader.js?v=1" });
    const foreign = state({ n: 0 }, manager, { _esm: "https://elsewhere/ext/nbstate/static/loader.js?v=1" });
    const imported: string[] = [];
    const importer = async (url: string) => {
      imported.push(url);
      if (url.includes("elsewhere")) throw new TypeError("Failed to fetch dynamically imported module");
      return {};
    };
    const bad = await unloadableStates([inline, served, foreign, served] as never[], importer);
    expect(bad.map((b) => [b.model, b.url, b.error])).toEqual([
      [foreign, "https://elsewhere/ext/nbstate/static/loader.js?v=1", "Failed to fetch dynamically imported module"],
    ]);
    expect(imported).toEqual([served.get("_esm"), foreign.get("_esm")]); // once per model, text never
  });

  it("makes a view say which state cannot load its module, and keep rendering", async () => {
    const manager = new FakeWidgetManager();
    // Nothing listens on port 9 of this machine: the page's import of this URL fails.
    const broken = state({ n: 3 }, manager, { _esm: "http://127.0.0.1:9/nbstate/static/loader.js?v=1", _nbstate_class: "Shelf" });
    const m = await mount(comp("heading", {}, [text(v("n"))]), [], { manager, states: [broken] });
    await vi.waitFor(() => expect(m.el.querySelector("[data-nbstate=error-entry]")).not.toBeNull(), { timeout: 5000 });
    const entry = m.el.querySelector("[data-nbstate=error-entry]")!;
    expect(entry.textContent).toContain("ModuleError");
    expect(entry.textContent).toContain("the model of Shelf cannot load its module in this page");
    expect(entry.textContent).toContain("Re-run the cell that defines the state's class.");
    expect(m.tree.textContent).toBe("3");
    // The view's references change (the same state listed twice): it loads again, and the
    // state it cannot load is still reported once, not once per load.
    m.view.set("states", ["IPY_MODEL_" + broken.model_id, "IPY_MODEL_" + broken.model_id]);
    await new Promise((r) => setTimeout(r, 200));
    expect(m.el.querySelectorAll("[data-nbstate=error-entry]").length).toBe(1);
    m.cleanup();
  });
});
