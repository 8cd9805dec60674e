/**
 * The shared expression cases (js/tests/fixtures/expr/cases.json) through the browser's evaluator.
 * tests/unit/test_expr_cases.py runs the same file through nbstate/_ui/evaluate.py, so a static
 * snapshot computes what the live view shows.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import catalog from "../src/catalog.json";
import { ExprError, evaluate } from "../src/expr";
import type { EvalEnv } from "../src/expr";
import type { Expr } from "../src/types";
import { decodeWire, encodeWire } from "../src/wire-values";

interface Case {
  name: string;
  expr: Expr;
  env?: Record<string, unknown>;
  expect?: unknown;
  error?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const data = JSON.parse(readFileSync(resolve(here, "fixtures", "expr", "cases.json"), "utf8")) as {
  env: Record<string, unknown>;
  cases: Case[];
};

function envOf(c: Case): EvalEnv {
  const raw = { ...data.env, ...(c.env ?? {}) } as { states?: unknown[]; args?: Record<string, unknown>; event?: unknown[] };
  const states = (raw.states ?? []).map((s) => decodeWire(s) as Record<string, unknown>);
  const args = decodeWire(raw.args ?? {}) as Record<string, unknown>;
  return {
    readVar: (s, name) => (Object.prototype.hasOwnProperty.call(states[s] ?? {}, name) ? states[s][name] : undefined),
    readArg: (name) => {
      if (!Object.prototype.hasOwnProperty.call(args, name)) throw new ExprError(`'${name}' is not a foreach variable in scope`);
      return args[name];
    },
    event: raw.event === undefined ? undefined : (decodeWire(raw.event) as unknown[]),
  };
}

describe("shared expression cases", () => {
  it.each(data.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const env = envOf(c);
    if (c.error !== undefined) {
      expect(() => evaluate(c.expr, env)).toThrow(ExprError);
      expect(() => evaluate(c.expr, env)).toThrow(c.error);
      try {
        evaluate(c.expr, env);
      } catch (err) {
        expect((err as Error).message).toBe(c.error);
      }
    } else {
      expect(encodeWire(evaluate(c.expr, env))).toEqual(c.expect);
    }
  });

  it("covers every op of the catalogue", () => {
    const tops = new Set(data.cases.map((c) => (typeof c.expr === "object" && c.expr ? c.expr.op : null)));
    expect(Object.keys(catalog.ops).filter((op) => !tops.has(op))).toEqual([]);
  });
});
