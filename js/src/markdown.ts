/**
 * A small, safe Markdown renderer that builds DOM nodes directly.
 *
 * Supported: ATX headings, paragraphs, emphasis, strong, strikethrough, inline code, fenced
 * code, block quotes, horizontal rules, (nested) ordered and unordered lists, links and
 * images. Every piece of source text becomes a Text node, so raw HTML shows as text. Link
 * targets go through safeHref (unsafe ones render as plain text), image sources through safeSrc.
 */
import { safeHref, safeSrc } from "./sanitize";

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])\s+(.*)$/;

export function renderMarkdown(source: string, doc: Document): DocumentFragment {
  const frag = doc.createDocumentFragment();
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  renderBlocks(lines, frag, doc, 0);
  return frag;
}

function indentOf(line: string): number {
  const m = /^ */.exec(line);
  return m ? m[0].length : 0;
}

function renderBlocks(lines: string[], parent: Node, doc: Document, depth: number): void {
  let i = 0;
  let para: string[] = [];
  const flush = (): void => {
    if (para.length === 0) return;
    const p = doc.createElement("p");
    appendInline(p, para.join("\n"), doc);
    parent.appendChild(p);
    para = [];
  };

  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      flush();
      i++;
      continue;
    }

    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(marker)) body.push(lines[i++]);
      i++; // closing fence (or end of input)
      const pre = doc.createElement("pre");
      const code = doc.createElement("code");
      if (fence[2]) code.className = "nbstate-md-lang-" + fence[2].replace(/[^\w-]/g, "");
      code.textContent = body.join("\n");
      pre.appendChild(code);
      parent.appendChild(pre);
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const h = doc.createElement("h" + heading[1].length);
      appendInline(h, heading[2] ?? "", doc);
      parent.appendChild(h);
      i++;
      continue;
    }

    if (HR.test(line)) {
      flush();
      parent.appendChild(doc.createElement("hr"));
      i++;
      continue;
    }

    if (QUOTE.test(line)) {
      flush();
      const inner: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(lines[i++].replace(QUOTE, ""));
      const bq = doc.createElement("blockquote");
      if (depth < 8) renderBlocks(inner, bq, doc, depth + 1);
      else bq.textContent = inner.join("\n");
      parent.appendChild(bq);
      continue;
    }

    const item = LIST_ITEM.exec(line);
    if (item && (para.length === 0 || indentOf(line) < 4)) {
      flush();
      i = renderList(lines, i, parent, doc, depth);
      continue;
    }

    para.push(line.trim());
    i++;
  }
  flush();
}

function renderList(lines: string[], start: number, parent: Node, doc: Document, depth: number): number {
  const first = LIST_ITEM.exec(lines[start]);
  if (!first) return start + 1;
  const baseIndent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const list = doc.createElement(ordered ? "ol" : "ul");
  if (ordered) {
    const n = parseInt(first[2], 10);
    if (n !== 1) list.setAttribute("start", String(n));
  }
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || m[1].length !== baseIndent || /\d/.test(m[2]) !== ordered) break;
    const body: string[] = [m[3]];
    i++;
    // Continuation: indented deeper than the marker, or blank lines followed by such lines.
    while (i < lines.length) {
      const l = lines[i];
      if (l.trim() === "") {
        const next = lines[i + 1];
        if (next !== undefined && next.trim() !== "" && indentOf(next) > baseIndent) {
          body.push("");
          i++;
          continue;
        }
        break;
      }
      if (indentOf(l) > baseIndent) {
        body.push(l.slice(Math.min(indentOf(l), baseIndent + 2)));
        i++;
        continue;
      }
      if (!LIST_ITEM.test(l) && !FENCE.test(l) && !HEADING.test(l) && !QUOTE.test(l)) {
        body.push(l.trim()); // lazy continuation of the item's paragraph
        i++;
        continue;
      }
      break;
    }
    const li = doc.createElement("li");
    if (depth >= 8) {
      li.textContent = body.join("\n");
    } else if (body.length === 1 || !body.slice(1).some((l) => l.trim() === "" || LIST_ITEM.test(l) || FENCE.test(l))) {
      // Tight item: inline content directly in the <li>.
      appendInline(li, body.map((l) => l.trim()).join("\n"), doc);
    } else {
      renderBlocks(body, li, doc, depth + 1);
      // Tight lists keep their first paragraph unwrapped.
      const p = li.firstChild;
      if (p && p.nodeName === "P") {
        while (p.firstChild) li.insertBefore(p.firstChild, p);
        li.removeChild(p);
      }
    }
    list.appendChild(li);
    // A blank line between items of the same list is allowed.
    if (i < lines.length && lines[i].trim() === "") {
      const next = lines[i + 1];
      const nm = next !== undefined ? LIST_ITEM.exec(next) : null;
      if (nm && nm[1].length === baseIndent && /\d/.test(nm[2]) === ordered) i++;
    }
  }
  parent.appendChild(list);
  return i;
}

interface InlineRule {
  re: RegExp;
  build: (m: RegExpExecArray, doc: Document) => Node;
}

const INLINE: InlineRule[] = [
  {
    re: /\\([\\`*_{}[\]()#+\-.!<>~|])/,
    build: (m, doc) => doc.createTextNode(m[1]),
  },
  {
    re: /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/,
    build: (m, doc) => {
      const code = doc.createElement("code");
      code.textContent = m[2].replace(/^ (.*) $/, "$1");
      return code;
    },
  },
  {
    re: /!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/,
    build: (m, doc) => {
      const src = safeSrc(m[2]);
      if (src === null) return doc.createTextNode(m[1]);
      const img = doc.createElement("img");
      img.setAttribute("src", src);
      img.setAttribute("alt", m[1]);
      return img;
    },
  },
  {
    re: /\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"([^"]*)")?\s*\)/,
    build: (m, doc) => link(m[1], m[2], m[3], doc),
  },
  {
    re: /<((?:https?:\/\/|mailto:)[^\s<>]+)>/,
    build: (m, doc) => link(null, m[1], undefined, doc),
  },
  { re: /\*\*(?=\S)([\s\S]*?\S)\*\*/, build: (m, doc) => wrap("strong", m[1], doc) },
  { re: /(?<![\w])__(?=\S)([\s\S]*?\S)__(?![\w])/, build: (m, doc) => wrap("strong", m[1], doc) },
  { re: /~~(?=\S)([\s\S]*?\S)~~/, build: (m, doc) => wrap("del", m[1], doc) },
  { re: /\*(?=[^\s*])([\s\S]*?[^\s*])\*/, build: (m, doc) => wrap("em", m[1], doc) },
  { re: /(?<![\w])_(?=[^\s_])([\s\S]*?[^\s_])_(?![\w])/, build: (m, doc) => wrap("em", m[1], doc) },
  { re: / {2,}\n|\\\n/, build: (_m, doc) => doc.createElement("br") },
];

function wrap(tag: string, text: string, doc: Document): Node {
  const el = doc.createElement(tag);
  appendInline(el, text, doc);
  return el;
}

function link(text: string | null, target: string, title: string | undefined, doc: Document): Node {
  const href = safeHref(target);
  if (href === null) {
    // An unsafe target is dropped; its text stays readable.
    const span = doc.createElement("span");
    appendInline(span, text ?? target, doc);
    return span;
  }
  const a = doc.createElement("a");
  a.setAttribute("href", href);
  if (/^(https?:)?\/\//i.test(href)) {
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener noreferrer");
  }
  if (title) a.setAttribute("title", title);
  if (text === null) a.textContent = target;
  else appendInline(a, text, doc);
  return a;
}

/** Appends the inline content of `text`, picking the earliest matching rule each time. */
export function appendInline(parent: Node, text: string, doc: Document): void {
  let rest = text;
  while (rest.length > 0) {
    let best: { rule: InlineRule; m: RegExpExecArray } | null = null;
    for (const rule of INLINE) {
      const m = rule.re.exec(rest);
      if (m && (best === null || m.index < best.m.index)) best = { rule, m };
    }
    if (best === null) {
      parent.appendChild(doc.createTextNode(rest));
      return;
    }
    if (best.m.index > 0) parent.appendChild(doc.createTextNode(rest.slice(0, best.m.index)));
    parent.appendChild(best.rule.build(best.m, doc));
    rest = rest.slice(best.m.index + best.m[0].length);
  }
}
