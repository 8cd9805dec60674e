// Markdown render times under happy-dom: `npm run bench` (or `node bench/markdown.bench.mjs`).
//
//   --runs N        runs per input (default 5); the table shows the median
//   --all           also inputs that are still slow in marked's lexer (the last takes seconds)
//   --entry FILE    benchmark another renderer module exporting renderMarkdown(source, doc),
//                   e.g. an older src/markdown.ts saved next to its sanitize.ts
//
// The module is bundled in memory with esbuild, so the bench runs the TypeScript sources as is.
import { build } from "esbuild";
import { Window } from "happy-dom";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    all: { type: "boolean", default: false },
    entry: { type: "string", default: resolve(here, "../src/markdown.ts") },
  },
});

const bundle = await build({
  entryPoints: [resolve(opts.entry)],
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  write: false,
  logLevel: "error",
});
const code = bundle.outputFiles[0].text;
const { renderMarkdown } = await import("data:text/javascript;base64," + Buffer.from(code).toString("base64"));

/** About 10 KB of ordinary notebook prose: headings, lists, code, a table, links. */
function normalDocument() {
  const section = (i) => `## Section ${i}

Some *emphasis*, some **strong text**, \`inline code\` and a [link](https://example.org/${i}).
A second line of the same paragraph, with snake_case_names and 2*3 = 6.

- first item
- second item with **bold**
  - nested item
1. one
2. two

\`\`\`python
def f(x):
    return x * ${i}
\`\`\`

| name | value |
| :--- | ----: |
| a    | ${i}  |

> A quote with _emphasis_.
`;
  let s = "# Report\n\n";
  for (let i = 1; s.length < 10_000; i++) s += section(i) + "\n";
  return s;
}

const inputs = [
  ["[a]( x 16,000", "[a](".repeat(16_000)],
  ["`a  x 8,000", "`a ".repeat(8_000)],
  ["normal document", normalDocument()],
];
/** `n` characters of base64url (letters, digits, `-`, `_`) from a fixed seed: one long word. */
function base64urlRun(n) {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let seed = 12345;
  let s = "";
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    s += abc[seed >> 25];
  }
  return s;
}

if (opts.all) {
  // Inputs that made marked 18.3 (tried before markdown-it) quadratic: long space-free runs with
  // many `_`, `*` or `~` (its e-mail autolink lookahead rescans the run at each), and words
  // that open `_` emphasis without closing it (80 KB of "_a_b " took it about 60 s).
  inputs.push(
    ["base64url, one word", base64urlRun(64_000)],
    ["snake_case, one word", Array.from({ length: 4_000 }, (_, i) => "var_" + i).join("_")],
    ["a*b x 5,300", "a*b".repeat(5_300)],
    ["_a_b x 16,000", "_a_b".repeat(16_000)],
    ["'_a_b ' x 16,000", "_a_b ".repeat(16_000)],
  );
}

const window = new Window();
const document = window.document;
const runs = Math.max(1, Number(opts.runs) || 5);
const rows = [];
for (const [name, source] of inputs) {
  const times = [];
  let nodes = 0;
  for (let i = 0; i < runs; i++) {
    const div = document.createElement("div");
    const t0 = performance.now();
    div.appendChild(renderMarkdown(source, document));
    times.push(performance.now() - t0);
    nodes = div.querySelectorAll("*").length;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  rows.push([name, `${(source.length / 1024).toFixed(1)} KB`, `${median.toFixed(1)} ms`, String(nodes)]);
}

const head = ["input", "size", `render (median of ${runs})`, "elements"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => "| " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
console.log(line(head));
console.log("| " + widths.map((w, i) => (i === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ") + " |");
for (const r of rows) console.log(line(r));
await window.happyDOM.close();
