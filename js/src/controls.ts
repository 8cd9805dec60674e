/** Controls that are not fields: button and form. */
import { truthy } from "./expr";
import type { ComponentSpec } from "./spec";
import { scheme } from "./display";
import { flushWithin } from "./pacing";

export const CONTROL_COMPONENTS: Record<string, ComponentSpec> = {
  button: {
    build(c) {
      const el = c.el("button", "nbstate-button");
      c.bind("type", (v) => {
        if (v === "submit" || v === "reset" || v === "button") el.type = v;
      });
      c.bind("disabled", (v) => (el.disabled = truthy(v)), false);
      c.bindClass("variant", el, "variant", "solid");
      scheme(c, el);
      c.bindClass("size", el, "size", "md");
      c.bind("loading", (v) => {
        el.classList.toggle("nbstate-loading", truthy(v));
        if (truthy(v)) el.setAttribute("aria-busy", "true");
        else el.removeAttribute("aria-busy");
      });
      c.children(el);
      return el;
    },
  },
  form: {
    build(c) {
      const el = c.el("form", "nbstate-form");
      el.noValidate = false;
      c.handled.add("on_submit");
      c.listen(el, "submit", (ev) => {
        ev.preventDefault();
        flushWithin(el); // changes its fields hold back (debounce, throttle) go first
        c.fire("on_submit", [formValues(el)]);
        if (truthy(c.value("reset_on_submit", false))) el.reset();
      });
      c.children(el);
      return el;
    },
  },
};

/** The named values of a form, as `on_submit` sends them. */
export function formValues(form: HTMLFormElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
    "input[name], select[name], textarea[name]",
  );
  for (const f of Array.from(fields)) {
    const name = f.getAttribute("name");
    if (!name) continue;
    if (f.tagName === "INPUT") {
      const type = (f as HTMLInputElement).type;
      if (type === "checkbox") out[name] = (f as HTMLInputElement).checked;
      else if (type === "radio") {
        if ((f as HTMLInputElement).checked) out[name] = f.value;
        else if (!(name in out)) out[name] = null;
      } else if (type === "number" || type === "range") {
        const n = f.value.trim() === "" ? NaN : Number(f.value);
        out[name] = Number.isFinite(n) ? n : null;
      } else if (type === "submit" || type === "button" || type === "reset") continue;
      else out[name] = f.value;
    } else out[name] = f.value;
  }
  return out;
}

