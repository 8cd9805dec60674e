import { describe, expect, it } from "vitest";
import { installHub } from "../src/hub";
import { initialize } from "../src/widget-state";
import { FakeModel, FakeWidgetManager } from "./helpers";

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe("the hub", () => {
  it("skips values that cross the page's own unanswered update, as ipywidgets echoes do", async () => {
    const manager = new FakeWidgetManager();
    const a = new FakeModel({ _nbstate_class: "A", v_level: 0 }, manager, "a");
    const hub = new FakeModel({ _nbstate_hub: "kernel" }, manager, "hub");
    installHub(hub as never);
    // The page set v_level to 3 and sent update "m3"; the kernel still answers "m1" and "m2".
    (a as unknown as { _expectedEchoMsgIds: Map<string, string> })._expectedEchoMsgIds = new Map([
      ["v_level", "m3"],
    ]);
    a.set("v_level", 3);
    hub.receive({ kind: "batch", seq: 1, models: { a: { state: { v_level: 1 }, echo: { v_level: "m1" } } } });
    hub.receive({ kind: "batch", seq: 2, models: { a: { state: { v_level: 2 } } } });
    await settle();
    expect(a.get("v_level")).toBe(3);
    hub.receive({ kind: "batch", seq: 3, models: { a: { state: { v_level: 3 }, echo: { v_level: "m3" } } } });
    hub.receive({ kind: "batch", seq: 4, models: { a: { state: { v_level: 7 } } } });
    await settle();
    expect(a.get("v_level")).toBe(7);
  });

  it("says hello on start and applies batches to the models they name, in order", async () => {
    const manager = new FakeWidgetManager();
    const a = new FakeModel({ _nbstate_class: "A", v_n: 0, v_items: [1] }, manager, "a");
    const b = new FakeModel({ _nbstate_class: "B", v_label: "" }, manager, "b");
    const hub = new FakeModel({ _nbstate_hub: "kernel" }, manager, "hub");
    const seen: unknown[] = [];
    a.on("change:v_n", () => seen.push(a.get("v_n")));
    initialize({ model: hub as never });
    expect(hub.sent).toEqual([{ kind: "hello" }]);
    hub.receive({
      kind: "batch",
      seq: 1,
      models: {
        a: { state: { v_n: 1 }, patches: { items: [{ op: "append", path: [], value: 2 }] } },
        b: { state: { v_label: "x" } },
      },
    });
    hub.receive({ kind: "batch", seq: 2, models: { a: { state: { v_n: 2 } } } });
    await settle();
    expect(a.get("v_n")).toBe(2);
    expect(a.get("v_items")).toEqual([1, 2]);
    expect(b.get("v_label")).toBe("x");
    expect(seen).toEqual([1, 2]);
    expect(hub.sent).toEqual([{ kind: "hello" }]);
  });

  it("asks for everything again when a batch number is skipped", async () => {
    const manager = new FakeWidgetManager();
    const a = new FakeModel({ v_n: 0 }, manager, "a");
    const hub = new FakeModel({ _nbstate_hub: "kernel" }, manager, "hub");
    installHub(hub as never);
    hub.receive({ kind: "batch", seq: 1, models: { a: { state: { v_n: 1 } } } });
    hub.receive({ kind: "batch", seq: 3, models: { a: { state: { v_n: 3 } } } });
    await settle();
    expect(hub.sent).toEqual([{ kind: "hello" }, { kind: "hello" }]);
    hub.receive({ kind: "batch", seq: 4, full: true, models: { a: { state: { v_n: 4 } } } });
    await settle();
    expect(a.get("v_n")).toBe(4);
  });

  it("ignores models the page does not have and messages that are not batches", async () => {
    const manager = new FakeWidgetManager();
    const hub = new FakeModel({ _nbstate_hub: "kernel" }, manager, "hub");
    const cleanup = installHub(hub as never);
    hub.receive({ kind: "batch", seq: 1, models: { nowhere: { state: { v_n: 1 } } } });
    hub.receive({ kind: "other" });
    await settle();
    cleanup();
    expect(hub.count("msg:custom")).toBe(0);
  });
});
