/** `debounce` and `throttle` on inputs: when `on_change` goes out, and what the field shows. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Pacer, delayOf } from "../src/pacing";
import type { TreeNode } from "../src/types";
import { comp, ev, events, handler, lit, mount, v } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

function typeInto(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

/** The values of the `on_change` events (handler set_x) a state received. */
const changes = (m: { states: { sent: any[] }[] }): unknown[] =>
  events(m.states[0] as never)
    .filter((e) => e.handler === "set_x")
    .map((e) => e.args[0]);

const handlers = (m: { states: { sent: any[] }[] }): string[] => events(m.states[0] as never).map((e) => e.handler);

const onChange = { on_change: [handler("set_x", [ev(0)])] };

async function field(name: string, props: Record<string, unknown>, x: unknown = "", extra: Record<string, unknown> = {}) {
  const p: Record<string, ReturnType<typeof lit>> = { value: v("x") };
  for (const [k, val] of Object.entries(props)) p[k] = lit(val);
  const m = await mount(comp(name, p, [], { events: { ...onChange, ...extra } }), [{ x }]);
  const el = m.tree.querySelector(name === "text_area" ? "textarea" : "input") as HTMLInputElement;
  el.focus();
  vi.useFakeTimers(); // after mounting, which awaits real timers
  return { m, el };
}

describe("the pacer", () => {
  it("debounce sends the last value once the pushes pause", () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const p = new Pacer<number>(300, 0, (x) => sent.push(x));
    for (let i = 1; i <= 5; i++) {
      p.push(i);
      vi.advanceTimersByTime(100);
    }
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(199);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([5]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([5]);
  });

  it("throttle sends the first at once, then at most one per window, and always the last", () => {
    vi.useFakeTimers();
    const sent: [number, number][] = [];
    const start = Date.now();
    const p = new Pacer<number>(0, 200, (x) => sent.push([x, Date.now() - start]));
    for (let i = 1; i <= 10; i++) {
      p.push(i); // one push every 50 ms, from 0 to 450 ms
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([
      [1, 0],
      [4, 200],
      [8, 400],
      [10, 600],
    ]);
    const gaps = sent.slice(1).map(([, t], i) => t - sent[i][1]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
  });

  it("throttle after a quiet spell sends at once again", () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const p = new Pacer<number>(0, 200, (x) => sent.push(x));
    p.push(1);
    vi.advanceTimersByTime(500);
    p.push(2);
    expect(sent).toEqual([1, 2]);
  });

  it("debounce with throttle still sends every throttle ms while pushes go on", () => {
    vi.useFakeTimers();
    const sent: [number, number][] = [];
    const start = Date.now();
    const p = new Pacer<number>(300, 1000, (x) => sent.push([x, Date.now() - start]));
    for (let i = 1; i <= 25; i++) {
      p.push(i); // at 0, 100, ... 2400 ms: never a 300 ms pause
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(300);
    expect(sent.map(([, t]) => t)).toEqual([1000, 2000, 2700]);
    expect(sent.at(-1)![0]).toBe(25);
  });

  it("flush sends what is pending at once; drop forgets it", () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const p = new Pacer<number>(300, 0, (x) => sent.push(x));
    p.flush();
    expect(sent).toEqual([]);
    p.push(1);
    expect(p.hasPending).toBe(true);
    p.flush();
    expect(sent).toEqual([1]);
    expect(p.hasPending).toBe(false);
    p.push(2);
    p.drop();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([1]);
  });

  it("with neither, every value goes at once", () => {
    const sent: number[] = [];
    const p = new Pacer<number>(0, 0, (x) => sent.push(x));
    p.push(1);
    p.push(2);
    expect(sent).toEqual([1, 2]);
  });

  it("delays are numbers of milliseconds that setTimeout keeps", () => {
    expect(delayOf(300)).toBe(300);
    expect(delayOf(0)).toBe(0);
    expect(delayOf(null)).toBe(0);
    for (const bad of [-1, "300", Number.NaN, Infinity, 2 ** 31, true]) expect(typeof delayOf(bad)).toBe("string");
  });
});

describe("debounce on a text input", () => {
  it("typing sends one on_change with the last value after typing stops", async () => {
    const { m, el } = await field("input", { debounce: 300 });
    for (const text of ["h", "he", "hel", "hell", "hello"]) {
      typeInto(el, text);
      vi.advanceTimersByTime(100);
    }
    expect(changes(m)).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(changes(m)).toEqual(["hello"]);
    vi.advanceTimersByTime(1000);
    expect(changes(m)).toEqual(["hello"]);
    m.cleanup();
  });

  it("blur sends the pending value first, then on_blur", async () => {
    const { m, el } = await field("input", { debounce: 300 }, "", { on_blur: [handler("left", [ev(0)])] });
    typeInto(el, "ab");
    el.blur();
    expect(events(m.states[0]).map((e) => [e.handler, e.args[0]])).toEqual([
      ["set_x", "ab"],
      ["left", "ab"],
    ]);
    vi.advanceTimersByTime(1000);
    expect(changes(m)).toEqual(["ab"]); // not sent twice
    m.cleanup();
  });

  it("Enter sends the pending value before on_key_down and on_submit", async () => {
    const { m, el } = await field("input", { debounce: 300 }, "", {
      on_submit: [handler("go", [ev(0)])],
      on_key_down: [handler("key", [ev(0)])],
    });
    typeInto(el, "query");
    el.dispatchEvent(new KeyboardEvent("keydown", { key: "a", bubbles: true }));
    expect(handlers(m)).toEqual(["key"]); // other keys leave it pending
    el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(handlers(m)).toEqual(["key", "set_x", "key", "go"]);
    vi.advanceTimersByTime(1000);
    expect(changes(m)).toEqual(["query"]);
    m.cleanup();
  });

  it("a form's submit sends its fields' pending values before on_submit", async () => {
    const tree = comp(
      "form",
      {},
      [
        comp("input", { value: v("x"), name: lit("q"), debounce: lit(300) }, [], { events: onChange }),
        comp("text_area", { value: v("y"), throttle: lit(500) }, [], { events: { on_change: [handler("set_y", [ev(0)])] } }),
      ],
      { events: { on_submit: [handler("save", [ev(0)])] } },
    );
    const m = await mount(tree, [{ x: "", y: "" }]);
    vi.useFakeTimers();
    const [input, area] = [m.tree.querySelector("input")!, m.tree.querySelector("textarea")!];
    typeInto(area, "n"); // throttle: sent at once
    typeInto(area, "no");
    typeInto(input, "abc");
    m.tree.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    const sent = events(m.states[0]).map((e) => [e.handler, e.args[0]]);
    expect(sent).toEqual([
      ["set_y", "n"],
      ["set_x", "abc"],
      ["set_y", "no"],
      ["save", { q: "abc" }],
    ]);
    vi.advanceTimersByTime(1000);
    expect(events(m.states[0])).toHaveLength(4);
    m.cleanup();
  });

  it("the field keeps what is typed while a change is pending, and takes later kernel values", async () => {
    const { m, el } = await field("input", { debounce: 300 }, "start");
    typeInto(el, "mine");
    m.states[0].set("v_x", "from a task"); // not an echo, but the user's change is pending
    expect(el.value).toBe("mine");
    vi.advanceTimersByTime(300);
    expect(changes(m)).toEqual(["mine"]);
    m.states[0].set("v_x", "mine"); // the kernel applied it
    expect(el.value).toBe("mine");
    m.states[0].set("v_x", "changed later"); // nothing pending: shown
    expect(el.value).toBe("changed later");
    m.cleanup();
  });

  it("the late echo of a sent value does not clobber what was typed since", async () => {
    const { m, el } = await field("input", { debounce: 300 });
    typeInto(el, "one");
    vi.advanceTimersByTime(300);
    typeInto(el, "one two");
    vi.advanceTimersByTime(300);
    m.states[0].set("v_x", "one"); // arrives after "one two" was sent
    expect(el.value).toBe("one two");
    expect(changes(m)).toEqual(["one", "one two"]);
    m.cleanup();
  });

  it("removing the component drops a pending value", async () => {
    const tree: TreeNode = {
      type: "cond",
      c: v("show"),
      a: comp("input", { value: v("x"), debounce: lit(300) }, [], { events: onChange }),
      b: null,
    };
    const m = await mount(tree, [{ show: true, x: "" }]);
    vi.useFakeTimers();
    typeInto(m.tree.querySelector("input")!, "lost");
    m.states[0].set("v_show", false);
    expect(m.tree.querySelector("input")).toBeNull();
    vi.advanceTimersByTime(1000);
    expect(changes(m)).toEqual([]);
    m.cleanup();
  });
});

describe("throttle on inputs", () => {
  it("a text area sends at most one on_change per window, the last value always", async () => {
    const { m, el } = await field("text_area", { throttle: 200 });
    const text = "abcdefghij";
    for (let i = 1; i <= text.length; i++) {
      typeInto(el, text.slice(0, i)); // a key every 50 ms
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(500);
    expect(changes(m)).toEqual(["a", "abcd", "abcdefgh", "abcdefghij"]);
    m.cleanup();
  });

  it("a slider sends numbers, the last one on release", async () => {
    const { m, el } = await field("slider", { throttle: 200, min: 0, max: 100 }, 0);
    for (const n of [10, 20, 30, 40]) {
      el.value = String(n);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }
    expect(changes(m)).toEqual([10]);
    m.states[0].set("v_x", 10); // the echo of 10 while 40 is pending: the thumb stays
    expect(el.value).toBe("40");
    el.blur();
    expect(changes(m)).toEqual([10, 40]);
    m.cleanup();
  });

  it("a number input paces numbers and sends nothing for text that is not one yet", async () => {
    const { m, el } = await field("number_input", { debounce: 250 }, 0);
    typeInto(el, "1");
    typeInto(el, "12");
    typeInto(el, "12e");
    vi.advanceTimersByTime(250);
    expect(changes(m)).toEqual([12]);
    m.cleanup();
  });
});

describe("bad delays", () => {
  it("are shown next to the field, which then sends at once", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { m, el } = await field("input", { debounce: -5, throttle: "fast" });
    const error = m.tree.querySelector("[data-nbstate=error]")!;
    expect(error.textContent).toContain("input.debounce: takes a number of milliseconds");
    expect(error.textContent).toContain("input.throttle");
    typeInto(el, "x");
    expect(changes(m)).toEqual(["x"]);
    expect(warn).toHaveBeenCalled();
    m.cleanup();
  });
});
