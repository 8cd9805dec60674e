/** Layout and typography components: stacks, grid, box, spacer, divider, heading, text, code, markdown, link. */
import { envOf, warn } from "./context";
import { evaluate, pyStr, truthy } from "./expr";
import { watch } from "./reactive";
import { safeHref } from "./sanitize";
import type { ComponentSpec } from "./spec";
import { cssSpace, flexAlign, flexJustify, fontSize, setStyle } from "./style";

function stack(direction: "row" | "column"): ComponentSpec {
  return {
    build(c) {
      const el = c.el("div", `nbstate-stack nbstate-${direction === "row" ? "hstack" : "vstack"}`);
      c.bind("spacing", (v) => setStyle(el, "gap", cssSpace(v)));
      c.bind("align", (v) => setStyle(el, "align-items", flexAlign(v)));
      c.bind("justify", (v) => setStyle(el, "justify-content", flexJustify(v)));
      c.bind("wrap", (v) => setStyle(el, "flex-wrap", v === true ? "wrap" : typeof v === "string" ? v : null));
      c.children(el);
      return el;
    },
  };
}

const TEXT_TAGS = new Set([
  "p", "span", "div", "strong", "em", "b", "i", "small", "label", "abbr", "cite", "kbd", "mark",
  "s", "u", "sub", "sup", "del", "ins", "q", "blockquote", "pre", "code", "samp", "var", "time",
]);

function simple(tag: keyof HTMLElementTagNameMap, className: string, withChildren = true): ComponentSpec {
  return {
    build(c) {
      const el = c.el(tag, className);
      if (withChildren) c.children(el);
      return el;
    },
  };
}

export const LAYOUT_COMPONENTS: Record<string, ComponentSpec> = {
  hstack: stack("row"),
  vstack: stack("column"),
  box: simple("div", "nbstate-box"),
  spacer: simple("div", "nbstate-spacer", false),
  divider: {
    build(c) {
      const el = c.el("hr", "nbstate-divider");
      c.bind("orientation", (v) => {
        el.classList.toggle("nbstate-divider-vertical", v === "vertical");
        if (v === "vertical") el.setAttribute("aria-orientation", "vertical");
        else el.removeAttribute("aria-orientation");
      });
      return el;
    },
  },
  grid: {
    build(c) {
      const el = c.el("div", "nbstate-grid");
      c.bind("columns", (v) => {
        let cols: string | null = null;
        if (typeof v === "number" || (typeof v === "string" && /^\d+$/.test(v.trim()))) {
          const n = Math.max(1, Math.floor(Number(v)));
          cols = `repeat(${n}, minmax(0, 1fr))`;
        } else if (typeof v === "string" && v.trim() !== "") cols = v;
        setStyle(el, "grid-template-columns", cols);
      });
      c.bind("spacing", (v) => setStyle(el, "gap", cssSpace(v)));
      c.children(el);
      return el;
    },
  },
  heading: {
    structural: ["level", "as"],
    build(c) {
      // `as` ("h1".."h6") names the element directly; otherwise `level` picks it.
      const as = c.value("as", null);
      const asLevel = typeof as === "string" && /^h[1-6]$/i.test(as) ? Number(as.slice(1)) : null;
      if (as !== null && asLevel === null) c.setError("as", new Error(`'${pyStr(as)}' is not h1..h6`));
      const raw = asLevel ?? Number(c.value("level", 2));
      const level = Number.isFinite(raw) ? Math.min(6, Math.max(1, Math.round(raw))) : 2;
      const el = c.doc.createElement(`h${level}`);
      el.className = "nbstate-heading";
      c.bind("size", (v) => setStyle(el, "font-size", fontSize(v)));
      c.children(el);
      return el;
    },
  },
  text: {
    structural: ["as"],
    build(c) {
      const as = c.value("as", "p");
      let tag = "p";
      if (typeof as === "string" && TEXT_TAGS.has(as.toLowerCase())) tag = as.toLowerCase();
      else if (as !== "p") c.setError("as", new Error(`'${pyStr(as)}' is not a text element; using <p>`));
      const el = c.doc.createElement(tag);
      el.className = "nbstate-text";
      c.bind("size", (v) => setStyle(el, "font-size", fontSize(v)));
      c.children(el);
      return el;
    },
  },
  code: simple("code", "nbstate-code"),
  markdown: {
    build(c) {
      const el = c.el("div", "nbstate-markdown");
      // The source is the text of the children (text nodes), or a `content` prop.
      const parts = (c.node.children ?? []).map((ch) => (ch && ch.type === "text" ? ch.expr : null));
      const exprs = [c.expr("content"), ...parts].filter((e) => !!e);
      let last: string | null = null;
      watch(c.ctx, exprs, () => {
        let src: string;
        try {
          src = exprs.map((e) => pyStr(evaluate(e!, envOf(c.ctx)))).join("");
          c.clearError("source");
        } catch (err) {
          c.setError("source", err);
          return;
        }
        if (src === last) return;
        last = src;
        const owner = c.ctx.owner;
        c.ctx.rt.markdown().then(
          (md) => {
            if (!owner.disposed && last === src) el.replaceChildren(md.renderMarkdown(src, c.doc));
          },
          (err) => {
            if (owner.disposed) return;
            warn("could not load the Markdown renderer, showing the source:", err);
            const pre = c.el("pre", "nbstate-markdown-source");
            pre.textContent = src;
            el.replaceChildren(pre);
          },
        );
      });
      const unsupported = (c.node.children ?? []).filter((ch) => !ch || ch.type !== "text");
      if (unsupported.length) c.setError("children", new Error("markdown children must be text"));
      return el;
    },
  },
  link: {
    build(c) {
      const el = c.el("a", "nbstate-link");
      c.bind("href", (v) => {
        const href = v === null ? null : safeHref(v);
        if (href === null) {
          if (v !== null) warn(`link href dropped (only http, https, mailto, # and relative URLs): ${pyStr(v)}`);
          el.removeAttribute("href");
        } else el.setAttribute("href", href);
      });
      c.bind(
        "is_external",
        (v) => {
          if (truthy(v)) {
            el.setAttribute("target", "_blank");
            el.setAttribute("rel", "noopener noreferrer");
          } else {
            el.removeAttribute("target");
            el.removeAttribute("rel");
          }
        },
        false,
      );
      c.children(el);
      return el;
    },
  },
};
