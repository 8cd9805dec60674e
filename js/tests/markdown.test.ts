import { afterEach, describe, expect, it, vi } from "vitest";
import { appendInline, renderMarkdown } from "../src/markdown";
import { safeHref, safeSrc } from "../src/sanitize";
import { FakeModel, FakeWidgetManager, MARKDOWN_ESM, byData, comp, lit, mount, text, v } from "./helpers";

afterEach(() => {
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

function md(src: string): HTMLDivElement {
  const div = document.createElement("div");
  div.appendChild(renderMarkdown(src, document));
  return div;
}

describe("markdown", () => {
  it("renders headings, paragraphs, emphasis, strong and inline code", () => {
    const d = md("# Title\n\nSome *em*, **strong** and `code`.\n\n### Sub");
    expect(d.querySelector("h1")!.textContent).toBe("Title");
    expect(d.querySelector("h3")!.textContent).toBe("Sub");
    expect(d.querySelector("p em")!.textContent).toBe("em");
    expect(d.querySelector("p strong")!.textContent).toBe("strong");
    expect(d.querySelector("p code")!.textContent).toBe("code");
  });

  it("renders fenced code verbatim, without inline formatting", () => {
    const d = md("```python\nx = **1**\n<b>y</b>\n```");
    const code = d.querySelector("pre > code")!;
    expect(code.textContent).toBe("x = **1**\n<b>y</b>");
    expect(code.querySelector("*")).toBeNull();
  });

  it("renders unordered, ordered and nested lists", () => {
    const d = md("- one\n- two\n  - two.a\n\n1. first\n2. second");
    const ul = d.querySelector("ul")!;
    expect(ul.children).toHaveLength(2);
    expect(ul.querySelector(":scope > li > ul > li")!.textContent).toBe("two.a");
    expect(ul.children[1].firstChild!.textContent).toBe("two");
    expect(Array.from(d.querySelectorAll("ol > li")).map((l) => l.textContent)).toEqual(["first", "second"]);
  });

  it("raw HTML in the source shows as text and creates no elements", () => {
    const d = md('Hello <img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<b>bold?</b>');
    expect(d.querySelector("img, script, b")).toBeNull();
    expect(d.textContent).toContain("<script>alert(2)</script>");
    expect(d.textContent).toContain("<b>bold?</b>");
  });

  it("keeps http/https/mailto/relative links and drops javascript: links (text stays)", () => {
    const d = md(
      "[ok](https://example.org) [mail](mailto:a@b.c) [rel](docs/page.html) [bad](javascript:alert(1)) [bad2](JaVa\tScRiPt:alert(1)) [data](data:text/html,hi)",
    );
    const hrefs = Array.from(d.querySelectorAll("a")).map((a) => a.getAttribute("href"));
    expect(hrefs).toEqual(["https://example.org", "mailto:a@b.c", "docs/page.html"]);
    expect(d.textContent).toContain("bad");
    expect(d.innerHTML).not.toMatch(/javascript|data:text/i);
  });

  it("external links open in a new tab without an opener", () => {
    const a = md("[x](https://example.org)").querySelector("a")!;
    expect(a.getAttribute("target")).toBe("_blank");
    expect(a.getAttribute("rel")).toContain("noopener");
  });

  it("block quotes and rules", () => {
    const d = md("> quoted *text*\n\n---\n\nafter");
    expect(d.querySelector("blockquote em")!.textContent).toBe("text");
    expect(d.querySelector("hr")).not.toBeNull();
  });

  it("renders GFM tables with their column alignment", () => {
    const d = md("| name | n | note |\n| :--- | ---: | :---: |\n| a *b* | 1 | x |\n| c | 22 | |");
    const table = d.querySelector("table")!;
    expect(Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent)).toEqual(["name", "n", "note"]);
    const rows = Array.from(table.querySelectorAll("tbody tr"));
    expect(rows.map((r) => Array.from(r.children).map((c) => c.textContent))).toEqual([
      ["a b", "1", "x"],
      ["c", "22", ""],
    ]);
    expect(rows[0].querySelector("td em")!.textContent).toBe("b");
    const aligns = Array.from(rows[1].children).map((c) => c.className);
    expect(aligns).toEqual(["nbstate-md-left", "nbstate-md-right", "nbstate-md-center"]);
    expect(md("| a |\n| - |\n| 1 |").querySelector("td")!.hasAttribute("class")).toBe(false);
  });

  it("nests ***x*** as emphasis and strong, with no stray asterisks", () => {
    const p = md("***x*** and ___y___").querySelector("p")!;
    expect(p.textContent).toBe("x and y");
    for (const word of ["x", "y"]) {
      const inner = Array.from(p.querySelectorAll("em > strong, strong > em")).find((e) => e.textContent === word);
      expect(inner, word).toBeDefined();
    }
  });

  it("renders setext headings", () => {
    const d = md("Title\n=====\n\nSub\n---\n\ntext");
    expect(d.querySelector("h1")!.textContent).toBe("Title");
    expect(d.querySelector("h2")!.textContent).toBe("Sub");
    expect(d.querySelector("hr")).toBeNull();
  });

  it("hard breaks: two trailing spaces and a backslash", () => {
    const p = md("one  \ntwo\\\nthree\nfour").querySelector("p")!;
    expect(p.querySelectorAll("br")).toHaveLength(2);
    expect(Array.from(p.childNodes).map((n) => n.nodeName)).toEqual(["#text", "BR", "#text", "BR", "#text"]);
    expect(p.textContent).toBe("onetwothree\nfour");
  });

  it("raw HTML blocks and inline tags are text, including inside links and tables", () => {
    const d = md('<div onclick="x()">\n<b>hi</b>\n</div>\n\n[a <i>b</i>](/x)\n\n| h |\n| - |\n| <u>c</u> |');
    expect(d.querySelector("div, b, i, u")).toBeNull();
    expect(d.querySelector("p")!.textContent).toBe('<div onclick="x()">\n<b>hi</b>\n</div>');
    expect(d.querySelector("a")!.textContent).toBe("a <i>b</i>");
    expect(d.querySelector("td")!.textContent).toBe("<u>c</u>");
  });

  it("neutralises javascript: in every kind of link and image", () => {
    const d = md(
      "[a](javascript:alert(1)) [b](&#106;avascript:alert(1)) [c][r] <javascript:alert(2)> ![d](javascript:x)\n\n[r]: javascript:alert(3)",
    );
    expect(d.querySelector("a, img")).toBeNull();
    expect(d.textContent).toContain("a b c");
    expect(d.textContent).toContain("d");
    expect(d.querySelectorAll("[href], [src]")).toHaveLength(0);
  });

  it("reference links, bare URLs and e-mail addresses become links", () => {
    const d = md('See [docs][1], https://example.org/x, www.example.com and me@example.org.\n\n[1]: https://docs.example.org "Docs"');
    const links = Array.from(d.querySelectorAll("a")).map((a) => [a.textContent, a.getAttribute("href")]);
    expect(links).toEqual([
      ["docs", "https://docs.example.org"],
      ["https://example.org/x", "https://example.org/x"],
      ["www.example.com", "http://www.example.com"],
      ["me@example.org", "mailto:me@example.org"],
    ]);
    expect(d.querySelector("a")!.getAttribute("title")).toBe("Docs");
  });

  it("task lists, strikethrough, indented code, nested quotes and ordered starts", () => {
    const d = md("- [x] done\n- [ ] todo\n\n~~gone~~\n\n    indented <code>\n\n> a\n> > b\n\n3. three\n4. four");
    const boxes = Array.from(d.querySelectorAll("li.nbstate-md-task > input")) as HTMLInputElement[];
    expect(boxes.map((b) => [b.type, b.checked, b.disabled])).toEqual([
      ["checkbox", true, true],
      ["checkbox", false, true],
    ]);
    expect(d.querySelector("del")!.textContent).toBe("gone");
    expect(d.querySelector("pre > code")!.textContent).toBe("indented <code>");
    expect(d.querySelector("blockquote > blockquote")!.textContent).toBe("b");
    expect(d.querySelector("ol")!.getAttribute("start")).toBe("3");
  });

  it("character references show as the characters they name", () => {
    const d = md("AT&T &amp; &lt;b&gt; &#169; &#x41; &bogus; `&amp;` [x](/a?b=1&amp;c=2)");
    expect(d.querySelector("p")!.firstChild!.textContent).toBe("AT&T & <b> \u00a9 A &bogus; ");
    expect(d.querySelector("code")!.textContent).toBe("&amp;");
    expect(d.querySelector("a")!.getAttribute("href")).toBe("/a?b=1&c=2");
  });

  it("images keep safe sources and alt text", () => {
    const img = md('![a *cat*](img/cat.png "Cat")').querySelector("img")!;
    expect([img.getAttribute("src"), img.getAttribute("alt"), img.getAttribute("title")]).toEqual(["img/cat.png", "a cat", "Cat"]);
  });

  it("64 KB of '[a](' is one paragraph of plain text", () => {
    const src = "[a](".repeat(16_000);
    const d = md(src);
    expect(d.children).toHaveLength(1);
    expect(d.querySelector("p")!.textContent).toBe(src);
    expect(d.querySelector("a")).toBeNull();
  });

  it("24 KB of '`a ' pairs the backticks into 4,000 code spans", () => {
    const src = "`a ".repeat(8_000);
    const p = md(src).querySelector("p")!;
    const codes = Array.from(p.querySelectorAll("code"));
    expect(codes).toHaveLength(4_000);
    expect(codes.every((c) => c.textContent === "a ")).toBe(true);
    expect(p.textContent!.trimEnd()).toBe(src.replaceAll("`", "").trimEnd());
  });

  it("64 KB of underscore-joined words is plain text (intraword _ never emphasises)", () => {
    for (const src of ["_a_b".repeat(16_000), "_a_b ".repeat(16_000).trimEnd(), "a_b_c ".repeat(12_000).trimEnd()]) {
      const p = md(src).querySelector("p")!;
      expect(p.querySelector("em, strong")).toBeNull();
      expect(p.textContent).toBe(src);
    }
  });

  it("input nested too deeply for the lexer shows as its source text", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const src = ">".repeat(20_000) + " deep";
    const d = md(src);
    expect(d.querySelector("pre")!.textContent).toBe(src);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[nbstate\]/), expect.anything(), expect.anything());
  });

  it("appendInline renders inline Markdown only", () => {
    const span = document.createElement("span");
    appendInline(span, "**b** and `c` # not a heading", document);
    expect(span.querySelector("strong")!.textContent).toBe("b");
    expect(span.querySelector("code")!.textContent).toBe("c");
    expect(span.textContent).toBe("b and c # not a heading");
  });

  it("the markdown component renders its text children and re-renders when a var changes", async () => {
    const m = await mount(comp("markdown", {}, [text(v("src"))]), [{ src: "# One" }]);
    const root = byData(m.tree, "markdown")[0];
    await vi.waitFor(() => expect(root.querySelector("h1")!.textContent).toBe("One"));
    m.states[0].set("v_src", "## Two <i>x</i>");
    await vi.waitFor(() => expect(root.querySelector("h2")!.textContent).toBe("Two <i>x</i>"));
    expect(root.querySelector("h1")).toBeNull();
    expect(root.querySelector("i")).toBeNull();
  });

  it("a renderer that cannot be loaded leaves the Markdown source showing, with a warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const manager = new FakeWidgetManager();
    manager.hub = new FakeModel({ _nbstate_hub: "kernel", _nbstate_markdown: "export const = ;" }, manager);
    const m = await mount(comp("markdown", {}, ["# raw"]), [{}], { manager });
    const root = byData(m.tree, "markdown")[0];
    await vi.waitFor(() => expect(root.querySelector("pre")!.textContent).toBe("# raw"));
    expect(warn.mock.calls.flat().map(String).join(" ")).toContain("could not load the Markdown renderer");
    m.cleanup();
  });

  it("renders once the hub receives the renderer, when the view opened first", async () => {
    const manager = new FakeWidgetManager();
    manager.hub = new FakeModel({ _nbstate_hub: "kernel", _nbstate_markdown: "" }, manager);
    const m = await mount(comp("markdown", {}, ["# late"]), [{}], { manager });
    const root = byData(m.tree, "markdown")[0];
    expect(root.querySelector("h1")).toBeNull();
    manager.hub.set("_nbstate_markdown", MARKDOWN_ESM);
    await vi.waitFor(() => expect(root.querySelector("h1")!.textContent).toBe("late"));
    m.cleanup();
  });
});

describe("sanitizing URLs", () => {
  it("safeHref allows http, https, mailto, # and relative URLs only", () => {
    for (const ok of ["http://a.b", "HTTPS://a.b/c?d", "mailto:x@y.z", "#top", "page.html", "/abs/path", "../up", "?q=1"]) {
      expect(safeHref(ok)).not.toBeNull();
    }
    for (const bad of ["javascript:alert(1)", " javascript:x", "java\nscript:x", "vbscript:x", "data:text/html,x", "file:///etc/passwd", "blob:x"]) {
      expect(safeHref(bad)).toBeNull();
    }
    expect(safeHref(5)).toBeNull();
  });

  it("safeSrc allows http, https, relative and data:image URLs only", () => {
    expect(safeSrc("https://x/y.png")).toBe("https://x/y.png");
    expect(safeSrc("img/a.png")).toBe("img/a.png");
    expect(safeSrc("data:image/png;base64,AAAA")).toBe("data:image/png;base64,AAAA");
    expect(safeSrc("data:text/html;base64,AAAA")).toBeNull();
    expect(safeSrc("javascript:alert(1)")).toBeNull();
  });

  it("link and image components drop unsafe URLs", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await mount(
      comp("vstack", {}, [
        comp("link", { href: v("href") }, ["go"]),
        comp("image", { src: lit("javascript:alert(1)"), alt: lit("pic") }),
      ]),
      [{ href: "javascript:alert(1)" }],
    );
    const a = m.tree.querySelector("a")!;
    expect(a.hasAttribute("href")).toBe(false);
    expect(m.tree.querySelector("img")!.hasAttribute("src")).toBe(false);
    m.states[0].set("v_href", "https://example.org");
    expect(a.getAttribute("href")).toBe("https://example.org");
  });
});
