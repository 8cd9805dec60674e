// Bundles src/ into the single ESM file (and its CSS) that the Python package ships.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../nbstate/static");
mkdirSync(outdir, { recursive: true });

const esm = {
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  // marked's and other dependencies' license notices stay in the bundle (at its end).
  legalComments: "eof",
  logLevel: "info",
};

// view.js is the renderer: the kernel sends it once, on its hub model, and each view's tiny
// loader.js imports it once per page. hub.js is the hub model's own ESM (it applies batches);
// markdown.js (markdown-it) is sent only once a view shows Markdown.
for (const [entry, out] of [
  ["src/index.ts", "view.js"],
  ["src/loader.ts", "loader.js"],
  ["src/hub-model.ts", "hub.js"],
  ["src/markdown.ts", "markdown.js"],
]) {
  await build({ ...esm, entryPoints: [resolve(here, entry)], outfile: resolve(outdir, out) });
}

await build({
  entryPoints: [resolve(here, "src/style.css")],
  outfile: resolve(outdir, "view.css"),
  bundle: true,
  target: "chrome90",
  minify: true,
  logLevel: "info",
});
