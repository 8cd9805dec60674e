/**
 * Markdown as DOM nodes. markdown-it (CommonMark plus GFM tables, strikethrough and autolinks)
 * turns the source into tokens; this file walks the tokens and builds elements with
 * createElement, textContent and setAttribute only. No HTML string is produced or parsed: raw
 * HTML in the source is shown as text, link targets go through safeHref (an unsafe link keeps
 * its text, without the link) and image sources through safeSrc. markdown-it's parser is
 * linear on inputs that made other parsers quadratic (long runs of `_`, `[`, backticks).
 */
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import { warn } from "./context";
import { safeHref, safeSrc } from "./sanitize";

const MAX_NESTING = 48; // deeper blocks and spans show as text

const parser = new MarkdownIt("default", { html: false, linkify: true, breaks: false });
(parser.options as { maxNesting?: number }).maxNesting = MAX_NESTING;
parser.validateLink = () => true; // every link is parsed; safeHref / safeSrc decide what stays

export function renderMarkdown(source: string, doc: Document): DocumentFragment {
  const frag = doc.createDocumentFragment();
  try {
    const tokens = parser.parse(source, {});
    if (tokens.some((t) => t.level >= MAX_NESTING - 1)) {
      // markdown-it stops nesting there and drops the rest: show all of the source instead.
      throw new Error(`blocks nested deeper than ${MAX_NESTING} levels`);
    }
    build(tokens, frag, doc);
  } catch (err) {
    warn("could not render markdown, showing its source:", err);
    frag.replaceChildren(text(doc, "pre", source));
  }
  frag.normalize();
  return frag;
}

/** Appends the inline content of `source` (emphasis, code, links, ...; no blocks). */
export function appendInline(parent: Node, source: string, doc: Document): void {
  const frag = doc.createDocumentFragment();
  build(parser.parseInline(source, {}), frag, doc);
  frag.normalize();
  parent.appendChild(frag);
}

function text(doc: Document, tag: string, content: string): HTMLElement {
  const e = doc.createElement(tag);
  e.textContent = content;
  return e;
}

const TAGS: Record<string, string> = {
  paragraph: "p", blockquote: "blockquote", bullet_list: "ul", ordered_list: "ol", list_item: "li",
  em: "em", strong: "strong", s: "del", table: "table", thead: "thead", tbody: "tbody", tr: "tr",
  th: "th", td: "td",
};

/** Builds the elements of a token stream (opening tokens push, closing tokens pop). */
function build(tokens: readonly Token[], root: Node, doc: Document): void {
  const stack: Node[] = [root];
  const top = (): Node => stack[stack.length - 1];
  for (const t of tokens) {
    if (t.hidden && t.nesting !== 0) continue; // a tight list's paragraphs: no <p>
    if (t.nesting === -1) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const node = leaf(t, doc) ?? open(t, doc);
    if (!node) continue;
    top().appendChild(node);
    if (t.nesting === 1) stack.push(node);
  }
}

function open(t: Token, doc: Document): Node | null {
  const kind = t.type.replace(/_open$/, "");
  if (kind === "heading") return doc.createElement(t.tag); // h1 ... h6
  if (kind === "link") {
    const href = safeHref(t.attrGet("href") ?? "");
    if (href === null) return doc.createElement("span"); // the text stays, the link goes
    const a = doc.createElement("a");
    a.setAttribute("href", href);
    if (/^(https?:)?\/\//i.test(href)) {
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    }
    const title = t.attrGet("title");
    if (title) a.setAttribute("title", title);
    return a;
  }
  const tag = TAGS[kind];
  if (!tag) return t.nesting === 1 ? doc.createElement("span") : null;
  const el = doc.createElement(tag);
  if (kind === "ordered_list") {
    const start = t.attrGet("start");
    if (start !== null && start !== "1") el.setAttribute("start", start);
  }
  const align = /text-align:(left|center|right)/.exec(t.attrGet("style") ?? "");
  if (align) el.className = "nbstate-md-" + align[1];
  if (kind === "list_item" && t.attrGet("class") === "nbstate-md-task") el.className = "nbstate-md-task";
  return el;
}

function leaf(t: Token, doc: Document): Node | null {
  switch (t.type) {
    case "inline": {
      const frag = doc.createDocumentFragment();
      build(taskItem(t, frag, doc), frag, doc);
      return frag;
    }
    case "text":
    case "html_inline":
      return doc.createTextNode(t.content);
    case "html_block":
      return text(doc, "p", t.content.replace(/\n+$/, ""));
    case "code_inline":
      return text(doc, "code", t.content);
    case "fence":
    case "code_block": {
      const pre = doc.createElement("pre");
      const code = pre.appendChild(text(doc, "code", t.content.replace(/\n$/, "")));
      const lang = t.info.split(/\s/)[0].replace(/[^\w-]/g, "");
      if (lang) code.className = "nbstate-md-lang-" + lang;
      return pre;
    }
    case "hardbreak":
      return doc.createElement("br");
    case "softbreak":
      return doc.createTextNode("\n");
    case "hr":
      return doc.createElement("hr");
    case "image": {
      const src = safeSrc(t.attrGet("src") ?? "");
      const alt = t.children?.map((c) => c.content).join("") ?? t.content;
      if (src === null) return doc.createTextNode(alt);
      const img = doc.createElement("img");
      img.setAttribute("src", src);
      img.setAttribute("alt", alt);
      const title = t.attrGet("title");
      if (title) img.setAttribute("title", title);
      return img;
    }
    default:
      return null;
  }
}

/** The first paragraph of a task list item starts with its checkbox (disabled). */
function taskItem(t: Token, into: Node, doc: Document): readonly Token[] {
  const children = t.children ?? [];
  const mark = TASKS.get(t);
  if (mark === undefined) return children;
  into.appendChild(Object.assign(doc.createElement("input"), { type: "checkbox", checked: mark, disabled: true }));
  return children;
}

// The inline tokens that open a GFM task list item ("- [x] done"), and whether it is checked;
// the "[x] " is cut from their text while parsing.
const TASKS = new WeakMap<Token, boolean>();
parser.core.ruler.after("inline", "nbstate_tasks", (state) => {
  const tokens = state.tokens;
  for (let i = 2; i < tokens.length; i++) {
    const [item, para, inline] = [tokens[i - 2], tokens[i - 1], tokens[i]];
    const first = inline.children?.[0];
    if (item.type !== "list_item_open" || para.type !== "paragraph_open" || inline.type !== "inline") continue;
    const match = first?.type === "text" ? /^\[([ xX])\] /.exec(first.content) : null;
    if (!match || !first) continue;
    first.content = first.content.slice(4);
    TASKS.set(inline, match[1] !== " ");
    item.attrSet("class", "nbstate-md-task");
  }
});
