/**
 * The view loader (loader.js, every view model's ESM): the renderer comes from the kernel's hub
 * model, is imported once per page and version, and a view whose hub is missing says so.
 */
import { buildSync } from "esbuild";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import hubModule from "../src/hub-model";
import { HUB_WAIT_MS } from "../src/import-source";
import loader from "../src/loader";
import { FakeModel, FakeWidgetManager, comp, state, text, v } from "./helpers";

const here = dirname(fileURLToPath(import.meta.url));

/** The renderer as the kernel sends it (nbstate/static/view.js), with a marker of its own. */
function runtimeSource(marker: string): string {
  const built = buildSync({
    entryPoints: [resolve(here, "../src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
  }).outputFiles[0].text;
  return `globalThis.__nbstateLoads = (globalThis.__nbstateLoads ?? 0) + 1; globalThis.__nbstateMarker = ${JSON.stringify(marker)};\n${built}`;
}

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

/** The kernel's hub model as the page gets it: the renderer (with `marker`) under runtime `id`. */
function hubWith(manager: FakeWidgetManager, marker: string, id: string): FakeModel {
  return new FakeModel({ _nbstate_hub: "kernel", _nbstate_runtime: runtimeSource(marker), _nbstate_runtime_id: id }, manager);
}

function viewOf(manager: FakeWidgetManager, hubRef: string, n: number): FakeModel {
  const s = state({ n }, manager);
  return new FakeModel(
    { tree: comp("heading", {}, [text(v("n"))]), states: ["IPY_MODEL_" + s.model_id], widgets: [], _nbstate_hub: hubRef },
    manager,
  );
}

/** Renders a view whose hub's module never registers its renderer (it failed to load, say):
 * after HUB_WAIT_MS the loader imports the copy the hub carries. */
async function renderWithoutHubModule(model: FakeModel, el: HTMLElement): Promise<unknown> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    const rendered = loader.render({ model: model as never, el });
    await vi.advanceTimersByTimeAsync(HUB_WAIT_MS);
    return await rendered;
  } finally {
    vi.useRealTimers();
  }
}

describe("the view loader", () => {
  it("renders with the hub's renderer, imported once for many views", async () => {
    const manager = new FakeWidgetManager();
    const hub = hubWith(manager, "a", "rt-a");
    const g = globalThis as { __nbstateLoads?: number };
    const before = g.__nbstateLoads ?? 0;
    const els: HTMLElement[] = [];
    const cleanups = [];
    for (let i = 0; i < 5; i++) {
      const el = document.createElement("div");
      document.body.appendChild(el);
      cleanups.push(await renderWithoutHubModule(viewOf(manager, "IPY_MODEL_" + hub.model_id, i), el));
      els.push(el);
    }
    expect(els.map((el) => el.querySelector("h2")?.textContent)).toEqual(["0", "1", "2", "3", "4"]);
    expect((g.__nbstateLoads ?? 0) - before).toBe(1);
    for (const c of cleanups) (c as () => void)();
    expect(els.every((el) => el.querySelector(".nbstate-view") === null)).toBe(true);
  });

  it("a new renderer version (another kernel, an upgrade) is imported beside the old one", async () => {
    const manager = new FakeWidgetManager();
    const hub = hubWith(manager, "b", "rt-b");
    const el = document.createElement("div");
    await renderWithoutHubModule(viewOf(manager, "IPY_MODEL_" + hub.model_id, 7), el);
    expect(el.querySelector("h2")!.textContent).toBe("7");
    expect((globalThis as { __nbstateMarker?: string }).__nbstateMarker).toBe("b");
  });

  it("the hub registers the renderer it bundles when it is created; views import nothing", async () => {
    const manager = new FakeWidgetManager();
    const g = globalThis as { __nbstateLoads?: number };
    const hub = hubWith(manager, "c", "rt-c");
    const before = g.__nbstateLoads ?? 0;
    const release = hubModule.initialize({ model: hub as never }) as () => void;
    const el = document.createElement("div");
    await loader.render({ model: viewOf(manager, "IPY_MODEL_" + hub.model_id, 3) as never, el });
    expect(el.querySelector("h2")!.textContent).toBe("3");
    expect((g.__nbstateLoads ?? 0) - before).toBe(0); // _nbstate_runtime was never imported
    release();
  });

  it("a view that loads before the hub's module waits for it, and imports nothing", async () => {
    const manager = new FakeWidgetManager();
    const g = globalThis as { __nbstateLoads?: number };
    const hub = hubWith(manager, "w", "rt-w");
    const before = g.__nbstateLoads ?? 0;
    const el = document.createElement("div");
    const rendered = loader.render({ model: viewOf(manager, "IPY_MODEL_" + hub.model_id, 5) as never, el });
    await new Promise((r) => setTimeout(r, 20));
    expect(el.querySelector("h2")).toBeNull(); // waiting for the hub's module
    const release = hubModule.initialize({ model: hub as never }) as () => void;
    await rendered;
    expect(el.querySelector("h2")!.textContent).toBe("5");
    expect((g.__nbstateLoads ?? 0) - before).toBe(0);
    release();
  });

  it("a page that already holds a runtime keeps it when a hub of the same version loads", async () => {
    const manager = new FakeWidgetManager();
    const g = globalThis as { __nbstateLoads?: number; __nbstateMarker?: string };
    const first = hubWith(manager, "d", "rt-d");
    const el = document.createElement("div");
    await renderWithoutHubModule(viewOf(manager, "IPY_MODEL_" + first.model_id, 1), el);
    expect(g.__nbstateMarker).toBe("d");
    const before = g.__nbstateLoads ?? 0;
    const second = hubWith(manager, "e", "rt-d");
    const release = hubModule.initialize({ model: second as never }) as () => void;
    const el2 = document.createElement("div");
    await loader.render({ model: viewOf(manager, "IPY_MODEL_" + second.model_id, 2) as never, el: el2 });
    expect(el2.querySelector("h2")!.textContent).toBe("2");
    expect((g.__nbstateLoads ?? 0) - before).toBe(0);
    expect(g.__nbstateMarker).toBe("d");
    release();
  });

  it("a hub without a runtime id imports the renderer it carries", async () => {
    const manager = new FakeWidgetManager();
    const g = globalThis as { __nbstateLoads?: number };
    const hub = hubWith(manager, "f", "");
    const before = g.__nbstateLoads ?? 0;
    const release = hubModule.initialize({ model: hub as never }) as () => void;
    await vi.waitFor(() => expect((g.__nbstateLoads ?? 0) - before).toBe(1));
    release();
  });

  it("a view whose hub is missing or empty shows why, and what to do", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const manager = new FakeWidgetManager();
    const el = document.createElement("div");
    await loader.render({ model: viewOf(manager, "IPY_MODEL_gone", 1) as never, el });
    expect(el.textContent).toMatch(/could not load the renderer: no model gone\. Re-run the cell/);
    const empty = new FakeModel({ _nbstate_hub: "kernel", _nbstate_runtime: "", _nbstate_runtime_id: "" }, manager);
    const el2 = document.createElement("div");
    await loader.render({ model: viewOf(manager, "IPY_MODEL_" + empty.model_id, 1) as never, el: el2 });
    expect(el2.textContent).toContain("carries no renderer");
    const el3 = document.createElement("div");
    await loader.render({ model: viewOf(manager, "", 1) as never, el: el3 });
    expect(el3.textContent).toContain("names no hub model");
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it("draws nothing for a state model, which names the loader's URL once the page checked it", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const el = document.createElement("div");
    const result = await loader.render({ model: state({ n: 1 }, new FakeWidgetManager()) as never, el });
    expect(result).toBeUndefined();
    expect(el.childNodes.length).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });
});
