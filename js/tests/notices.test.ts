import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeWidgetManager, comp, events, handler, lit, mount, settle, state, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const toasts = (el: HTMLElement) => Array.from(el.querySelectorAll<HTMLElement>('[data-nbstate="toast"]'));

describe("toasts", () => {
  it("show as plain text in every view of the state, and go after their duration", async () => {
    const manager = new FakeWidgetManager();
    const s = state({}, manager);
    const a = await mount(comp("text", {}, ["a"]), [], { manager, states: [s] });
    const b = await mount(comp("text", {}, ["b"]), [], { manager, states: [s] });
    vi.useFakeTimers();
    s.receive({ kind: "toast", message: "<b>saved</b> 3 rows", level: "success", duration: 2000 });
    for (const m of [a, b]) {
      const [t] = toasts(m.el);
      expect(t.textContent).toContain("<b>saved</b> 3 rows");
      expect(t.querySelector("b")).toBeNull();
      expect(t.getAttribute("role")).toBe("status");
      expect(t.classList.contains("nbstate-toast-success")).toBe(true);
    }
    vi.advanceTimersByTime(1999);
    expect(toasts(a.el)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(toasts(a.el)).toHaveLength(0);
    expect(toasts(b.el)).toHaveLength(0);
    expect((a.el.querySelector(".nbstate-toasts") as HTMLElement).hidden).toBe(true);
    a.cleanup();
    b.cleanup();
  });

  it("errors are alerts; the close button removes one at once; null duration stays", async () => {
    const m = await mount(comp("text", {}, ["a"]));
    vi.useFakeTimers();
    m.states[0].receive({ kind: "toast", message: "failed", level: "error", duration: null });
    m.states[0].receive({ kind: "toast", message: "odd level", level: "<script>", duration: 100 });
    const [err, other] = toasts(m.el);
    expect(err.getAttribute("role")).toBe("alert");
    expect(other.getAttribute("data-level")).toBe("info");
    vi.advanceTimersByTime(60_000);
    expect(toasts(m.el)).toEqual([err]);
    (err.querySelector("button") as HTMLButtonElement).click();
    expect(toasts(m.el)).toHaveLength(0);
    m.cleanup();
  });

  it("a closed view keeps no timers and shows nothing", async () => {
    const m = await mount(comp("text", {}, ["a"]));
    vi.useFakeTimers();
    m.states[0].receive({ kind: "toast", message: "x", level: "info", duration: 1000 });
    m.cleanup();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("downloads", () => {
  function spyDownloads() {
    const clicks: { href: string; download: string }[] = [];
    const blobs: Blob[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((b: Blob | MediaSource) => {
      blobs.push(b as Blob);
      return `blob:fake/${blobs.length}`;
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download });
    });
    return { clicks, blobs };
  }

  it("one anchor click per page, from the view the event came from", async () => {
    const { clicks, blobs } = spyDownloads();
    const manager = new FakeWidgetManager();
    const s = state({}, manager);
    const a = await mount(comp("text", {}, ["a"]), [], { manager, states: [s] });
    const b = await mount(comp("text", {}, ["b"]), [], { manager, states: [s] });
    const data = new TextEncoder().encode("a,b\n1,2\n");
    const msg = { kind: "download", filename: "rows.csv", mime: "text/csv", size: 8, view: b.view.model_id };
    s.trigger("msg:custom", msg, [new DataView(data.buffer)]);
    expect(clicks).toEqual([{ href: "blob:fake/1", download: "rows.csv" }]);
    expect(blobs[0].type).toBe("text/csv");
    expect(await blobs[0].text()).toBe("a,b\n1,2\n");
    expect(document.querySelector("a[download]")).toBeNull(); // the anchor is gone again

    // The named view is not on this page: the first view saves it, still once.
    const other = { ...msg, view: "not-here" };
    s.trigger("msg:custom", other, [data.buffer]);
    expect(clicks).toHaveLength(2);
    // No view named: once too.
    s.trigger("msg:custom", { ...msg, view: null }, [data.buffer]);
    expect(clicks).toHaveLength(3);
    a.cleanup();
    b.cleanup();
  });

  it("a download without data saves nothing", async () => {
    const { clicks } = spyDownloads();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(comp("text", {}, ["a"]));
    m.states[0].trigger("msg:custom", { kind: "download", filename: "x", mime: "text/plain", view: null }, []);
    expect(clicks).toEqual([]);
    expect(warn).toHaveBeenCalled();
    m.cleanup();
  });
});

describe("on_mount and on_unmount", () => {
  const lifecycle = { on_mount: [handler("mounted")], on_unmount: [handler("unmounted")] };
  const names = (m: { states: any[] }) => events(m.states[0]).map((e: any) => e.handler);

  it("fire once per mount, not when values change, and again when a cond switches back", async () => {
    const tree = comp("box", {}, [
      { type: "cond", c: v("show"), a: comp("text", { as: lit("span") }, [{ type: "text", expr: v("label") }], { events: lifecycle }), b: null },
    ]);
    const m = await mount(tree, [{ show: true, label: "x" }]);
    await settle();
    expect(names(m)).toEqual(["mounted"]);
    expect(events(m.states[0])[0].args).toEqual([]);
    m.states[0].set("v_label", "y");
    m.states[0].set("v_show", 1); // still truthy: nothing rebuilt
    await settle();
    expect(names(m)).toEqual(["mounted"]);
    m.states[0].set("v_show", false);
    await settle();
    expect(names(m)).toEqual(["mounted", "unmounted"]);
    m.states[0].set("v_show", true);
    await settle();
    expect(names(m)).toEqual(["mounted", "unmounted", "mounted"]);
    m.cleanup(); // the view closes
    expect(names(m)).toEqual(["mounted", "unmounted", "mounted", "unmounted"]);
  });

  it("each view mounts its own copy; a structural rebuild fires neither", async () => {
    const manager = new FakeWidgetManager();
    const s = state({ level: 2 }, manager);
    const tree = comp("heading", { level: v("level") }, ["h"], { events: lifecycle });
    const a = await mount(tree, [], { manager, states: [s] });
    const b = await mount(tree, [], { manager, states: [s] });
    await settle();
    expect(events(s).map((e: any) => e.handler)).toEqual(["mounted", "mounted"]);
    s.set("v_level", 3);
    await settle();
    expect(a.el.querySelector("h3")).not.toBeNull();
    expect(events(s).map((e: any) => e.handler)).toEqual(["mounted", "mounted"]);
    a.cleanup();
    b.cleanup();
    expect(events(s).map((e: any) => e.handler)).toEqual(["mounted", "mounted", "unmounted", "unmounted"]);
  });

  it("a component removed before it was shown fires neither", async () => {
    const tree = { type: "cond", c: v("show"), a: comp("box", {}, [], { events: lifecycle }), b: null } as const;
    const m = await mount(tree as never, [{ show: false }]);
    m.states[0].set("v_show", true);
    m.states[0].set("v_show", false);
    await settle();
    expect(names(m)).toEqual([]);
    m.cleanup();
  });
});
