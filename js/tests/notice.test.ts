import { afterEach, describe, expect, it, vi } from "vitest";
import { render } from "../src/widget";
import { FakeModel, FakeWidgetManager, comp, events, handler, mount, state } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

const NOTICE = "S was redefined in cell [7]. Re-run the cell that shows this view.";

describe("the redefinition notice (_nbstate_notice)", () => {
  it("setting the trait shows the banner and makes the tree inert; clearing it removes both", async () => {
    const m = await mount(comp("button", {}, ["go"], { events: { on_click: [handler("go")] } }), [{}]);
    const notice = m.el.querySelector(".nbstate-notice") as HTMLElement;
    expect(notice.hidden).toBe(true); // no trait (an older kernel): no notice
    expect(m.el.querySelector(".nbstate-view")!.firstElementChild).toBe(notice); // above errors and tree

    m.view.set("_nbstate_notice", NOTICE);
    expect(notice.hidden).toBe(false);
    expect(notice.getAttribute("role")).toBe("status");
    expect(notice.textContent).toBe(NOTICE);
    expect(m.tree.hasAttribute("inert")).toBe(true);
    expect(m.tree.getAttribute("aria-disabled")).toBe("true");

    m.view.set("_nbstate_notice", "");
    expect(notice.hidden).toBe(true);
    expect(notice.textContent).toBe("");
    expect(m.tree.hasAttribute("inert")).toBe(false);
    expect(m.tree.hasAttribute("aria-disabled")).toBe(false);
    m.cleanup();
  });

  it("a dead view sends no events, even where inert is not honoured", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("button", {}, ["go"], { events: { on_click: [handler("go")] } }), [{}]);
    const button = m.tree.querySelector("button") as HTMLButtonElement;
    m.view.set("_nbstate_notice", NOTICE);
    button.click(); // happy-dom does not implement inert
    expect(events(m.states[0])).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[nbstate\]/), expect.stringContaining("'go' not sent"));
    m.view.set("_nbstate_notice", "");
    button.click();
    expect(events(m.states[0])).toHaveLength(1);
    m.cleanup();
  });

  it("a view displayed after the redefinition shows the notice from the start, and cleanup stops listening", async () => {
    const manager = new FakeWidgetManager();
    const s = state({}, manager);
    const view = new FakeModel(
      { tree: comp("button", {}, ["go"]), states: ["IPY_MODEL_" + s.model_id], widgets: [], _nbstate_notice: NOTICE },
      manager,
    );
    const el = document.createElement("div");
    document.body.appendChild(el);
    const cleanup = await render({ model: view as never, el });
    expect((el.querySelector(".nbstate-notice") as HTMLElement).hidden).toBe(false);
    expect(el.querySelector(".nbstate-tree")!.hasAttribute("inert")).toBe(true);
    cleanup();
    expect(view.count("change:_nbstate_notice")).toBe(0);
  });
});
