import { afterEach, describe, expect, it, vi } from "vitest";
import { checkedBase, labextensionsBase } from "../src/module-base";

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
