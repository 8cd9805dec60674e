// Bundles src/ into the single ESM file (and its CSS) that the Python package ships.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../nbstate/static");
mkdirSync(outdir, { recursive: true });

await build({
  entryPoints: [resolve(here, "src/index.ts")],
  outfile: resolve(outdir, "view.js"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "none",
  logLevel: "info",
});

await build({
  entryPoints: [resolve(here, "src/state.ts")],
  outfile: resolve(outdir, "state.js"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "none",
  logLevel: "info",
});

await build({
  entryPoints: [resolve(here, "src/style.css")],
  outfile: resolve(outdir, "view.css"),
  bundle: true,
  target: "chrome90",
  minify: true,
  logLevel: "info",
});
