/**
 * Input components. They are controlled: a change of the bound var shows in the element,
 * except that an element the user is editing is not overwritten by an echo of a value it sent
 * itself (typing "12" sends 1 then 12; the late echo of 1 must not clobber "12"), nor while a
 * change it holds back (`debounce`, `throttle`: see pacing.ts) waits to be sent.
 */
import type { ComponentContext } from "./component-context";
import { pyEq, pyStr, truthy } from "./expr";
import { Pacer, delayOf, register } from "./pacing";
import type { ComponentSpec } from "./spec";

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function isEditing(el: Element): boolean {
  const root = el.getRootNode() as Document | ShadowRoot;
  return (root as Document).activeElement === el;
}

/** Values an element sent while the user was editing it. */
class EchoGuard {
  private sent: unknown[] = [];

  constructor(c: ComponentContext, el: Element) {
    c.listen(el, "blur", () => (this.sent = []));
  }

  note(v: unknown): void {
    this.sent.push(v);
    if (this.sent.length > 32) this.sent.shift();
  }

  /** True when `v` is an echo of what this element sent and the user is still editing. */
  isEcho(el: Element, v: unknown): boolean {
    return isEditing(el) && this.sent.some((x) => pyEq(x, v));
  }
}

/** Parses the text of a number field; null while it is not a number. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function fieldText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : pyStr(v);
}

/**
 * The field's `on_change` sender, paced by its `debounce` and `throttle` props (read once). A
 * pending value is dropped when the component is removed.
 */
function changeSender<T>(c: ComponentContext, el: Element, send: (v: T) => void): Pacer<T> {
  const delay = (prop: string): number => {
    const d = delayOf(c.value(prop, null));
    if (typeof d === "number") return d;
    c.setError(prop, new Error(d));
    return 0;
  };
  const pacer = new Pacer<T>(delay("debounce"), delay("throttle"), send);
  const unregister = register(el, pacer);
  c.ctx.owner.add(() => {
    pacer.drop();
    unregister();
  });
  return pacer;
}

function commonField(c: ComponentContext, el: Field): void {
  c.bind("disabled", (v) => (el.disabled = truthy(v)), false);
  c.bindAttr("name", el);
  c.bindAttr("required", el);
  if (el.tagName !== "SELECT") {
    c.bind("read_only", (v) => ((el as HTMLInputElement).readOnly = truthy(v)));
  }
  c.bindClass("size", el, "size", "md");
  c.bind("auto_focus", (v) => {
    if (truthy(v)) queueMicrotask(() => el.isConnected && el.focus());
  });
}

function bindTextValue(
  c: ComponentContext,
  el: HTMLInputElement | HTMLTextAreaElement,
  guard: EchoGuard,
  pacer: Pacer<string>,
): void {
  c.bind("value", (v) => {
    const text = fieldText(v);
    if (el.value === text) return;
    if (guard.isEcho(el, v) || pacer.hasPending) return;
    el.value = text;
  });
  if (!c.has("value")) c.bind("default_value", (v) => (el.value = fieldText(v)));
}

function submitOnEnter(
  c: ComponentContext,
  el: HTMLElement,
  value: () => unknown,
  multiline: boolean,
  pacer: { flush(): void },
): void {
  c.handled.add("on_submit");
  c.handled.add("on_key_down");
  c.listen(el, "keydown", (ev) => {
    const e = ev as KeyboardEvent;
    const enter = e.key === "Enter" && !e.isComposing;
    if (enter) pacer.flush(); // a held-back change goes before the key and the submit
    if (c.hasEvent("on_key_down")) c.fire("on_key_down", [e.key]);
    if (!enter) return;
    if (multiline && (e.shiftKey || !c.hasEvent("on_submit"))) return; // Shift+Enter: newline
    if (multiline) e.preventDefault();
    const v = value();
    if (v !== undefined) c.fire("on_submit", [v]);
  });
}

const TEXT_TYPES = new Set([
  "text", "password", "email", "search", "url", "tel", "number", "date", "time", "datetime-local",
  "month", "week", "color",
]);

const numberInput: ComponentSpec = {
  build(c) {
    const el = c.el("input", "nbstate-input nbstate-number-input");
    el.type = "number";
    el.setAttribute("inputmode", "decimal");
    const guard = new EchoGuard(c, el);
    commonField(c, el);
    c.bindAttr("min", el);
    c.bindAttr("max", el);
    c.bindAttr("step", el);
    c.bindAttr("placeholder", el);
    if (!c.has("value")) c.bind("default_value", (v) => (el.value = typeof v === "number" ? String(v) : fieldText(v)));
    const pacer = changeSender<number>(c, el, (n) => {
      guard.note(n);
      c.fire("on_change", [n]);
    });
    c.bind("value", (v) => {
      const current = parseNumber(el.value);
      if (typeof v === "number" && current === v) return; // "1.0" already shows 1
      if (v === null && el.value === "") return;
      if (guard.isEcho(el, v) || pacer.hasPending) return;
      el.value = typeof v === "number" ? String(v) : fieldText(v);
    });
    c.handled.add("on_change").add("on_blur");
    c.listen(el, "input", () => {
      const n = parseNumber(el.value);
      if (n === null) return; // not a number yet ("", "-", "1e"): nothing is sent
      pacer.push(n);
    });
    c.listen(el, "blur", () => {
      pacer.flush();
      const n = parseNumber(el.value);
      if (n !== null) c.fire("on_blur", [n]);
    });
    submitOnEnter(c, el, () => parseNumber(el.value) ?? undefined, false, pacer);
    return el;
  },
};

/**
 * The value binding and events shared by text inputs and text areas: `on_change` on each input
 * event, `on_blur`, and `on_submit` on Enter (Shift+Enter inserts a newline when `multiline`).
 */
function textEvents(
  c: Parameters<ComponentSpec["build"]>[0],
  el: HTMLInputElement | HTMLTextAreaElement,
  guard: EchoGuard,
  multiline: boolean,
): void {
  const pacer = changeSender<string>(c, el, (text) => {
    guard.note(text);
    c.fire("on_change", [text]);
  });
  bindTextValue(c, el, guard, pacer);
  c.handled.add("on_change").add("on_blur");
  c.listen(el, "input", () => pacer.push(el.value));
  c.listen(el, "blur", () => {
    pacer.flush();
    c.fire("on_blur", [el.value]);
  });
  submitOnEnter(c, el, () => el.value, multiline, pacer);
}

const textInput: ComponentSpec = {
  build(c) {
    const el = c.el("input", "nbstate-input");
    const guard = new EchoGuard(c, el);
    c.bind("type", (v) => (el.type = typeof v === "string" && TEXT_TYPES.has(v) ? v : "text"), "text");
    commonField(c, el);
    c.bindAttr("placeholder", el);
    c.bindAttr("max_length", el, "maxlength");
    c.bindAttr("min", el);
    c.bindAttr("max", el);
    c.bindAttr("step", el);
    textEvents(c, el, guard, false);
    return el;
  },
};

const textArea: ComponentSpec = {
  build(c) {
    const el = c.el("textarea", "nbstate-input nbstate-text-area");
    const guard = new EchoGuard(c, el);
    commonField(c, el);
    c.bindAttr("placeholder", el);
    c.bindAttr("rows", el);
    c.bindAttr("max_length", el, "maxlength");
    textEvents(c, el, guard, true);
    return el;
  },
};

const slider: ComponentSpec = {
  build(c) {
    const el = c.el("input", "nbstate-slider");
    el.type = "range";
    const guard = new EchoGuard(c, el);
    commonField(c, el);
    let shown: number | null = null;
    const revert = (): void => {
      if (shown !== null) el.value = String(shown);
    };
    const pacer = changeSender<number>(c, el, (n) => {
      guard.note(n);
      c.fire("on_change", [n], revert);
    });
    // min/max/step go with the value: a range input clamps its value to the current bounds.
    c.bindMany(["value", "min", "max", "step"], ([value, min, max, step]) => {
      const attr = (name: string, v: unknown): void => {
        if (typeof v === "number") el.setAttribute(name, String(v));
        else el.removeAttribute(name);
      };
      attr("min", min);
      attr("max", max);
      attr("step", step);
      const v = Array.isArray(value) ? value[0] : value;
      if (typeof v === "number") shown = v;
      if (typeof v === "number" && Number(el.value) !== v && !guard.isEcho(el, v) && !pacer.hasPending) {
        el.value = String(v);
      }
    });
    c.handled.add("on_change").add("on_blur");
    c.listen(el, "input", () => {
      const n = parseNumber(el.value);
      if (n !== null) pacer.push(n);
    });
    c.listen(el, "blur", () => {
      pacer.flush();
      const n = parseNumber(el.value);
      if (n !== null) c.fire("on_blur", [n]);
    });
    return el;
  },
};

function toggle(kind: "checkbox" | "switch"): ComponentSpec {
  return {
    build(c) {
      const label = c.el("label", `nbstate-toggle nbstate-${kind}`);
      const input = c.el("input", `nbstate-${kind}-input`);
      input.type = "checkbox";
      if (kind === "switch") input.setAttribute("role", "switch");
      label.appendChild(input);
      if (kind === "switch") {
        const track = c.el("span", "nbstate-switch-track");
        track.setAttribute("aria-hidden", "true");
        track.appendChild(c.el("span", "nbstate-switch-thumb"));
        label.appendChild(track);
      }
      const text = c.el("span", "nbstate-toggle-label");
      label.appendChild(text);
      commonField(c, input);
      c.bind("disabled", (v) => label.classList.toggle("nbstate-disabled", truthy(v)));
      const prop = c.has("checked") ? "checked" : "value";
      let shown: boolean | null = null;
      const setChecked = (checked: boolean): void => {
        if (input.checked !== checked) input.checked = checked;
        if (kind === "switch") input.setAttribute("aria-checked", String(checked));
      };
      // A refused change shows the var's value again (only when a var controls the box).
      const revert = (): void => {
        if (shown !== null) setChecked(shown);
      };
      c.bind(prop, (v) => {
        const checked = truthy(v);
        shown = checked;
        setChecked(checked);
      });
      if (!c.has(prop) && c.has("default_checked")) c.bind("default_checked", (v) => (input.checked = truthy(v)));
      c.bind("text", (v) => {
        let t = text.querySelector(":scope > .nbstate-toggle-text");
        if (!t) {
          t = c.el("span", "nbstate-toggle-text");
          text.insertBefore(t, text.firstChild);
        }
        t.textContent = v === null ? "" : pyStr(v);
      });
      c.children(text);
      c.handled.add("on_change").add("on_blur");
      c.listen(input, "change", () => {
        if (kind === "switch") input.setAttribute("aria-checked", String(input.checked));
        c.fire("on_change", [input.checked], revert);
      });
      c.listen(input, "blur", () => c.fire("on_blur", [input.checked]));
      return label;
    },
  };
}

interface Choice {
  label: string;
  value: string;
}

function choices(items: unknown): Choice[] {
  if (!Array.isArray(items)) return [];
  return items.map((it) => {
    if (it && typeof it === "object" && !Array.isArray(it)) {
      const o = it as Record<string, unknown>;
      const value = o.value ?? o.label ?? null;
      return { label: pyStr(o.label ?? o.value ?? ""), value: fieldText(value) };
    }
    if (Array.isArray(it) && it.length === 2) return { label: pyStr(it[0]), value: fieldText(it[1]) };
    return { label: fieldText(it), value: fieldText(it) };
  });
}

const select: ComponentSpec = {
  build(c) {
    const el = c.el("select", "nbstate-select");
    commonField(c, el);
    let lastKey = "";
    let shownIndex = -1;
    const revert = (): void => {
      el.selectedIndex = shownIndex;
    };
    c.bindMany(["items", "placeholder", "value"], ([items, placeholder, value]) => {
      const list = choices(items);
      const key = JSON.stringify([list, placeholder]);
      if (key !== lastKey) {
        lastKey = key;
        const opts: HTMLOptionElement[] = [];
        if (placeholder !== null && placeholder !== undefined) {
          const p = c.el("option", "nbstate-placeholder");
          p.value = "";
          p.disabled = true;
          p.textContent = pyStr(placeholder);
          opts.push(p);
        }
        for (const ch of list) {
          const o = c.el("option");
          o.value = ch.value;
          o.textContent = ch.label;
          opts.push(o);
        }
        el.replaceChildren(...opts);
      }
      const want = value === null || value === undefined ? null : fieldText(value);
      const idx = want === null ? -1 : Array.from(el.options).findIndex((o) => !o.disabled && o.value === want);
      if (idx >= 0) el.selectedIndex = idx;
      else if (placeholder !== null && placeholder !== undefined) el.selectedIndex = 0;
      else el.selectedIndex = -1;
      shownIndex = el.selectedIndex;
      el.classList.toggle("nbstate-empty", idx < 0);
    });
    c.handled.add("on_change").add("on_blur");
    c.listen(el, "change", () => {
      el.classList.remove("nbstate-empty");
      c.fire("on_change", [el.value], c.has("value") ? revert : undefined);
    });
    c.listen(el, "blur", () => c.fire("on_blur", [el.value]));
    return el;
  },
};

let radioGroupCounter = 0;

const radioGroup: ComponentSpec = {
  build(c) {
    const el = c.el("fieldset", "nbstate-radio-group");
    el.setAttribute("role", "radiogroup");
    const fallbackName = `nbstate-radio-${++radioGroupCounter}`;
    let groupName = fallbackName;
    c.bind("direction", (v) => el.classList.toggle("nbstate-row", v === "row" || v === "horizontal"));
    c.bind("disabled", (v) => (el.disabled = truthy(v)), false);
    let lastKey = "";
    let inputs: HTMLInputElement[] = [];
    let shown: string | null = null;
    const revert = (): void => {
      for (const input of inputs) input.checked = input.value === shown;
    };
    c.bindMany(["items", "value", "name"], ([items, value, name]) => {
      const list = choices(items);
      groupName = typeof name === "string" && name ? name : fallbackName;
      const key = JSON.stringify([list, groupName]);
      if (key !== lastKey) {
        lastKey = key;
        inputs = [];
        const labels = list.map((ch) => {
          const label = c.el("label", "nbstate-radio");
          const input = c.el("input", "nbstate-radio-input");
          input.type = "radio";
          input.name = groupName;
          input.value = ch.value;
          const span = c.el("span", "nbstate-radio-label");
          span.textContent = ch.label;
          label.append(input, span);
          inputs.push(input);
          return label;
        });
        el.replaceChildren(...labels);
      }
      const want = value === null || value === undefined ? null : fieldText(value);
      shown = want;
      for (const input of inputs) input.checked = input.value === want;
    });
    c.handled.add("on_change");
    c.listen(el, "change", (ev) => {
      const t = ev.target as HTMLInputElement | null;
      if (t && t.type === "radio" && t.checked) c.fire("on_change", [t.value], c.has("value") ? revert : undefined);
    });
    return el;
  },
};

export const INPUT_COMPONENTS: Record<string, ComponentSpec> = {
  number_input: numberInput,
  input: textInput,
  text_area: textArea,
  slider,
  checkbox: toggle("checkbox"),
  switch: toggle("switch"),
  select,
  radio_group: radioGroup,
};
