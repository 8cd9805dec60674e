import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(__dirname, "..", "src");
const sources = readdirSync(SRC)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => ({ file: f, text: readFileSync(join(SRC, f), "utf8") }));

// Comments may mention these words; code may not.
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

describe("source guards", () => {
  it("the frontend never compiles code: no eval, no new Function, no string timers", () => {
    for (const { file, text } of sources) {
      expect(code(text), file).not.toMatch(/\beval\s*\(|new\s+Function\b|setTimeout\s*\(\s*["'`]/);
    }
  });

  it("the frontend never parses HTML: no innerHTML, outerHTML, insertAdjacentHTML or document.write", () => {
    for (const { file, text } of sources) {
      expect(code(text), file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/);
    }
  });

  it("every console call in the sources is a warning whose message starts with [nbstate]", () => {
    for (const { file, text } of sources) {
      const calls = code(text).match(/console\.\w+\([^)]*/g) ?? [];
      for (const call of calls) expect(call, file).toMatch(/console\.warn\(["`]\[nbstate\]/);
    }
  });
});
