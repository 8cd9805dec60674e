import { afterEach, describe, expect, it, vi } from "vitest";
import { renderMarkdown } from "../src/markdown";
import { safeHref, safeSrc } from "../src/sanitize";
import { byData, comp, lit, mount, text, v } from "./helpers";

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

  it("the markdown component renders its text children and re-renders when a var changes", async () => {
    const m = await mount(comp("markdown", {}, [text(v("src"))]), [{ src: "# One" }]);
    const root = byData(m.tree, "markdown")[0];
    expect(root.querySelector("h1")!.textContent).toBe("One");
    m.states[0].set("v_src", "## Two <i>x</i>");
    expect(root.querySelector("h1")).toBeNull();
    expect(root.querySelector("h2")!.textContent).toBe("Two <i>x</i>");
    expect(root.querySelector("i")).toBeNull();
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
