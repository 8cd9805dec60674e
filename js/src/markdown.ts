/**
 * Markdown as DOM nodes. marked's lexer (GFM) turns the source into tokens; this file walks the
 * tokens and builds elements with createElement, textContent and setAttribute only. No HTML
 * string is produced or parsed: raw HTML in the source is shown as text, link targets go through
 * safeHref (an unsafe link keeps its text, without the link) and image sources through safeSrc.
 */
import { Lexer, type MarkedOptions, type MarkedToken, type Token, type Tokens } from "marked";
import { warn } from "./context";
import { decodeCharRefs, safeHref, safeSrc } from "./sanitize";

// A fresh object per lexer: marked stores its tokenizer on the options object it is given.
const options = (): MarkedOptions => ({ gfm: true, breaks: false, pedantic: false });
const MAX_DEPTH = 48; // deeper tokens show as their source text

export function renderMarkdown(source: string, doc: Document): DocumentFragment {
  const frag = doc.createDocumentFragment();
  try {
    walk(new Lexer(options()).lex(source), frag, doc, 0);
  } catch (err) {
    // marked recurses once per nesting level: thousands of nested quotes overflow the stack.
    warn("could not render markdown, showing its source:", err);
    frag.replaceChildren(make(doc, "pre", source));
  }
  return frag;
}

/** Appends the inline content of `text` (emphasis, code, links, ...; no blocks). */
export function appendInline(parent: Node, text: string, doc: Document): void {
  walk(Lexer.lexInline(text, options()), parent, doc, 0);
}

/** An element holding `content`: text as is, or tokens rendered at nesting `depth`. */
function make(doc: Document, tag: string, content: string | readonly Token[] | null = null, depth = 0): HTMLElement {
  const e = doc.createElement(tag);
  if (typeof content === "string") e.textContent = content;
  else if (content) walk(content, e, doc, depth);
  return e;
}

function walk(tokens: readonly Token[], parent: Node, doc: Document, depth: number): Node {
  for (const t of tokens) {
    const n = depth > MAX_DEPTH ? doc.createTextNode(t.raw) : build(t as MarkedToken, doc, depth + 1);
    if (n) parent.appendChild(n);
  }
  return parent;
}

function build(t: MarkedToken, doc: Document, depth: number): Node | null {
  const el = (tag: string, tokens: readonly Token[]): HTMLElement => make(doc, tag, tokens, depth);
  switch (t.type) {
    case "space":
    case "def": // reference definitions are resolved by the lexer
      return null;
    case "paragraph":
      return el("p", t.tokens);
    case "blockquote":
    case "strong":
    case "em":
    case "del":
      return el(t.type, t.tokens);
    case "heading":
      return el("h" + t.depth, t.tokens);
    case "text": // with tokens: the text of a tight list item
      if (t.tokens) return walk(t.tokens, doc.createDocumentFragment(), doc, depth);
      return doc.createTextNode(t.escaped ? t.text : decodeCharRefs(t.text));
    case "escape":
      return doc.createTextNode(t.text);
    case "html": // raw HTML is text; a block of it is a paragraph
      return t.block ? make(doc, "p", t.text.replace(/\n+$/, "")) : doc.createTextNode(t.text);
    case "codespan":
      return make(doc, "code", t.text);
    case "code": {
      const pre = make(doc, "pre");
      const code = pre.appendChild(make(doc, "code", t.text));
      const lang = (t.lang ?? "").split(/\s/)[0].replace(/[^\w-]/g, "");
      if (lang) code.className = "nbstate-md-lang-" + lang;
      return pre;
    }
    case "br":
    case "hr":
      return doc.createElement(t.type);
    case "checkbox":
      return Object.assign(doc.createElement("input"), { type: "checkbox", checked: t.checked, disabled: true });
    case "list": {
      const list = make(doc, t.ordered ? "ol" : "ul");
      if (t.ordered && t.start !== "" && t.start !== 1) list.setAttribute("start", String(t.start));
      for (const item of t.items) {
        const li = list.appendChild(el("li", item.tokens));
        if (item.task) li.className = "nbstate-md-task";
      }
      return list;
    }
    case "table": {
      const row = (cells: Tokens.TableCell[], tag: string): HTMLElement => {
        const tr = make(doc, "tr");
        cells.forEach((c, i) => {
          const cell = tr.appendChild(el(tag, c.tokens));
          if (t.align[i]) cell.className = "nbstate-md-" + t.align[i]; // left, center or right
        });
        return tr;
      };
      const table = make(doc, "table");
      table.appendChild(make(doc, "thead")).appendChild(row(t.header, "th"));
      const body = table.appendChild(make(doc, "tbody"));
      for (const r of t.rows) body.appendChild(row(r, "td"));
      return table;
    }
    case "link": {
      // An autolink is literal (no character references); other destinations are decoded first.
      const href = safeHref(t.autolink ? t.href : decodeCharRefs(t.href));
      if (href === null) return el("span", t.tokens);
      const a = t.autolink ? make(doc, "a", t.text) : el("a", t.tokens);
      a.setAttribute("href", href);
      if (/^(https?:)?\/\//i.test(href)) {
        a.setAttribute("target", "_blank");
        a.setAttribute("rel", "noopener noreferrer");
      }
      if (t.title) a.setAttribute("title", decodeCharRefs(t.title));
      return a;
    }
    case "image": {
      const src = safeSrc(decodeCharRefs(t.href));
      const alt = el("span", t.tokens).textContent ?? "";
      if (src === null) return doc.createTextNode(alt);
      const img = doc.createElement("img");
      img.setAttribute("src", src);
      img.setAttribute("alt", alt);
      if (t.title) img.setAttribute("title", decodeCharRefs(t.title));
      return img;
    }
    default:
      return doc.createTextNode((t as Token).raw);
  }
}
