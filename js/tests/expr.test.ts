import { describe, expect, it } from "vitest";
import type { EvalEnv } from "../src/expr";
import { ExprError, collectDeps, evaluate, pyStr, truthy } from "../src/expr";
import type { Expr } from "../src/types";
import { arg, ev, lit, op, v } from "./helpers";

const vars: Record<string, unknown> = { n: 7, name: "Ada", items: [10, 20, 30], obj: { a: 1, b: 2 }, flag: false };

function env(extra: Partial<EvalEnv> = {}): EvalEnv {
  return {
    readVar: (s, name) => (s === 0 ? vars[name] : s === 1 ? { n: 100 }[name] : undefined),
    readArg: (name) => {
      if (name === "row") return { title: "r" };
      if (name === "i") return 2;
      throw new ExprError(`no arg ${name}`);
    },
    ...extra,
  };
}

const run = (e: Expr, extra?: Partial<EvalEnv>): unknown => evaluate(e, env(extra));
const bin = (name: string, a: unknown, b: unknown): unknown => run(op(name, { a: lit(a), b: lit(b) }));

describe("leaf ops", () => {
  it("lit returns its value, and null for a missing v", () => {
    expect(run(lit({ x: [1] }))).toEqual({ x: [1] });
    expect(run({ op: "lit" })).toBeNull();
  });

  it("var reads v_<name> of the indexed state; missing vars are null", () => {
    expect(run(v("n"))).toBe(7);
    expect(run(v("n", 1))).toBe(100);
    expect(run(v("nope"))).toBeNull();
  });

  it("arg reads a foreach variable from scope and fails for unknown names", () => {
    expect(run(arg("row"))).toEqual({ title: "r" });
    expect(() => run(arg("zzz"))).toThrow(/zzz/);
  });

  it("event reads the i-th DOM event value and fails outside an event", () => {
    expect(run(ev(1), { event: ["a", "b"] })).toBe("b");
    expect(run(ev(5), { event: ["a"] })).toBeNull();
    expect(() => run(ev(0))).toThrow(ExprError);
  });
});

describe("truthiness and logic", () => {
  it("follows Python truthiness for [], {}, '', 0, None, False", () => {
    for (const f of [[], {}, "", 0, null, false]) expect(truthy(f)).toBe(false);
    for (const t of [[0], { a: 0 }, " ", -1, 0.5, true, "False"]) expect(truthy(t)).toBe(true);
  });

  it("not negates truthiness", () => {
    expect(run(op("not", { a: lit([]) }))).toBe(true);
    expect(run(op("not", { a: lit("x") }))).toBe(false);
  });

  it("and returns the first operand if falsy, else the second", () => {
    expect(bin("and", 0, "x")).toBe(0);
    expect(bin("and", [], 5)).toEqual([]);
    expect(bin("and", "a", "b")).toBe("b");
  });

  it("or returns the first operand if truthy, else the second", () => {
    expect(bin("or", "a", "b")).toBe("a");
    expect(bin("or", "", "fallback")).toBe("fallback");
    expect(bin("or", null, 0)).toBe(0);
  });

  it("and/or do not evaluate the right side when short-circuiting", () => {
    const boom = op("nonexistent_op");
    expect(run(op("and", { a: lit(false), b: boom }))).toBe(false);
    expect(run(op("or", { a: lit(1), b: boom }))).toBe(1);
  });

  it("cond picks a branch by the condition's truthiness and evaluates only that branch", () => {
    expect(run(op("cond", { c: lit([1]), a: lit("yes"), b: op("boom") }))).toBe("yes");
    expect(run(op("cond", { c: lit({}), a: op("boom"), b: lit("no") }))).toBe("no");
  });
});

describe("comparison", () => {
  it("eq/ne compare arrays and objects deeply", () => {
    expect(bin("eq", [1, { a: [2] }], [1, { a: [2] }])).toBe(true);
    expect(bin("eq", { a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(bin("eq", [1, 2], [2, 1])).toBe(false);
    expect(bin("ne", { a: 1 }, { a: 2 })).toBe(true);
    expect(bin("ne", [], [])).toBe(false);
  });

  it("eq follows Python for numbers and booleans (True == 1) and None", () => {
    expect(bin("eq", true, 1)).toBe(true);
    expect(bin("eq", 1, 1.0)).toBe(true);
    expect(bin("eq", null, null)).toBe(true);
    expect(bin("eq", null, 0)).toBe(false);
    expect(bin("eq", "1", 1)).toBe(false);
  });

  it("lt/le/gt/ge compare numbers, strings and lists", () => {
    expect(bin("lt", 1, 2)).toBe(true);
    expect(bin("le", 2, 2)).toBe(true);
    expect(bin("gt", 2, 2)).toBe(false);
    expect(bin("ge", 3, 2)).toBe(true);
    expect(bin("lt", "apple", "banana")).toBe(true);
    expect(bin("lt", [1, 2], [1, 3])).toBe(true);
    expect(bin("gt", [1, 2, 0], [1, 2])).toBe(true);
  });

  it("ordering a string against a number is a TypeError as in Python", () => {
    expect(() => bin("lt", "a", 1)).toThrow(/not supported/);
  });
});

describe("arithmetic", () => {
  it("add adds numbers, concatenates strings and arrays", () => {
    expect(bin("add", 2, 3)).toBe(5);
    expect(bin("add", "ab", "cd")).toBe("abcd");
    expect(bin("add", [1], [2, 3])).toEqual([1, 2, 3]);
  });

  it("add of a string and a number is an error, not JS coercion", () => {
    expect(() => bin("add", "a", 1)).toThrow(ExprError);
  });

  it("sub, mul, div do arithmetic; div is true division", () => {
    expect(bin("sub", 10, 4)).toBe(6);
    expect(bin("mul", 6, 7)).toBe(42);
    expect(bin("div", 7, 2)).toBe(3.5);
  });

  it("mul of a string (or list) and an int repeats it", () => {
    expect(bin("mul", "ab", 3)).toBe("ababab");
    expect(bin("mul", 2, "xy")).toBe("xyxy");
    expect(bin("mul", "ab", -1)).toBe("");
    expect(bin("mul", [0], 3)).toEqual([0, 0, 0]);
  });

  it("division by zero raises instead of returning Infinity", () => {
    expect(() => bin("div", 1, 0)).toThrow(/division by zero/);
    expect(() => bin("floordiv", 1, 0)).toThrow(/zero/);
    expect(() => bin("mod", 1, 0)).toThrow(/zero/);
  });

  it("floordiv floors towards negative infinity (Python //)", () => {
    expect(bin("floordiv", 7, 2)).toBe(3);
    expect(bin("floordiv", -7, 2)).toBe(-4);
    expect(bin("floordiv", 7, -2)).toBe(-4);
    expect(bin("floordiv", -7, -2)).toBe(3);
    expect(bin("floordiv", 7.5, 2)).toBe(3);
  });

  it("floordiv and mod with floats, inf and nan give what Python gives", () => {
    expect(bin("floordiv", 1, 0.1)).toBe(9); // not Math.floor(1 / 0.1) = 10
    expect(bin("floordiv", -1, Infinity)).toBe(-1);
    expect(bin("floordiv", 1, Infinity)).toBe(0);
    expect(bin("floordiv", 5, -Infinity)).toBe(-1);
    expect(bin("floordiv", Infinity, 1)).toBeNaN();
    expect(bin("floordiv", NaN, 2)).toBeNaN();
    expect(bin("mod", -1, Infinity)).toBe(Infinity);
    expect(bin("mod", 1, -Infinity)).toBe(-Infinity);
    expect(bin("mod", 5, Infinity)).toBe(5);
    expect(bin("mod", Infinity, 2)).toBeNaN();
  });

  it("non-finite floats compare and compute as in Python", () => {
    const nan = { $nbf: "nan" };
    const inf = { $nbf: "inf" };
    for (const cmp of ["lt", "le", "gt", "ge", "eq"]) expect(bin(cmp, nan, 1), cmp).toBe(false);
    expect(bin("ne", nan, nan)).toBe(true);
    expect(bin("gt", inf, 1e308)).toBe(true);
    expect(bin("eq", inf, inf)).toBe(true);
    expect(bin("sub", inf, inf)).toBeNaN();
    expect(bin("mul", inf, 0)).toBeNaN();
    expect(bin("div", 1, inf)).toBe(0);
    expect(() => bin("div", inf, 0)).toThrow(/division by zero/);
    expect(run(op("not", { a: lit(nan) }))).toBe(false); // nan is truthy
    expect(() => bin("mul", "ab", inf)).toThrow(ExprError);
  });

  it("mod takes the sign of the divisor (Python %)", () => {
    expect(bin("mod", 7, 3)).toBe(1);
    expect(bin("mod", -7, 3)).toBe(2);
    expect(bin("mod", 7, -3)).toBe(-2);
    expect(bin("mod", -7, -3)).toBe(-1);
    expect(bin("mod", 6, -3)).toBe(0);
    expect(bin("mod", -1.5, 1)).toBe(0.5);
  });

  it("neg negates numbers (and booleans, like Python)", () => {
    expect(run(op("neg", { a: lit(5) }))).toBe(-5);
    expect(run(op("neg", { a: lit(true) }))).toBe(-1);
    expect(() => run(op("neg", { a: lit("x") }))).toThrow(ExprError);
  });
});

describe("strings and containers", () => {
  it("str formats booleans as True/False, null as None, numbers as JS prints them", () => {
    expect(run(op("str", { a: lit(true) }))).toBe("True");
    expect(run(op("str", { a: lit(false) }))).toBe("False");
    expect(run(op("str", { a: lit(null) }))).toBe("None");
    expect(run(op("str", { a: lit(2.5) }))).toBe("2.5");
    expect(run(op("str", { a: lit(3) }))).toBe("3");
    expect(run(op("str", { a: lit("as is") }))).toBe("as is");
  });

  it("str formats arrays and objects as JSON", () => {
    expect(run(op("str", { a: lit([1, "a"]) }))).toBe('[1,"a"]');
    expect(run(op("str", { a: lit({ k: null }) }))).toBe('{"k":null}');
    expect(pyStr(undefined)).toBe("None");
  });

  it("str shows inf, -inf and nan as Python does, also inside lists and dicts", () => {
    expect(pyStr(Infinity)).toBe("inf");
    expect(pyStr(-Infinity)).toBe("-inf");
    expect(pyStr(NaN)).toBe("nan");
    expect(run(op("str", { a: lit({ $nbf: "-inf" }) }))).toBe("-inf"); // literals carry tags too
    expect(pyStr([1.5, Infinity, { a: NaN, b: [-Infinity, null, "x"] }])).toBe('[1.5,inf,{"a":nan,"b":[-inf,null,"x"]}]');
    expect(run(op("concat", { parts: [lit("x="), lit({ $nbf: "nan" })] }))).toBe("x=nan");
  });

  it("concat joins the str() of every part", () => {
    expect(run(op("concat", { parts: [lit("n="), v("n"), lit(", ok="), lit(true), lit(" "), lit(null)] }))).toBe(
      "n=7, ok=True None",
    );
  });

  it("length counts string characters, array items and object keys", () => {
    expect(run(op("length", { a: lit("héllo") }))).toBe(5);
    expect(run(op("length", { a: lit("😀a") }))).toBe(2);
    expect(run(op("length", { a: v("items") }))).toBe(3);
    expect(run(op("length", { a: v("obj") }))).toBe(2);
    expect(() => run(op("length", { a: lit(5) }))).toThrow(/has no len/);
  });

  it("item indexes lists, counting negative indices from the end", () => {
    const item = (a: Expr, key: unknown): unknown => run(op("item", { a, key: lit(key) }));
    expect(item(v("items"), 0)).toBe(10);
    expect(item(v("items"), -1)).toBe(30);
    expect(item(v("items"), -3)).toBe(10);
  });

  it("item returns null for anything missing", () => {
    const item = (a: Expr, key: unknown): unknown => run(op("item", { a, key: lit(key) }));
    expect(item(v("items"), 3)).toBeNull();
    expect(item(v("items"), -4)).toBeNull();
    expect(item(v("obj"), "zz")).toBeNull();
    expect(item(lit(null), "k")).toBeNull();
  });

  it("item reads object keys and string characters, with expression keys", () => {
    expect(run(op("item", { a: v("obj"), key: lit("b") }))).toBe(2);
    expect(run(op("item", { a: lit("hey"), key: lit(-1) }))).toBe("y");
    expect(run(op("item", { a: v("items"), key: arg("i") }))).toBe(30);
  });
});

describe("errors and dependencies", () => {
  it("an unknown op throws an ExprError naming the op", () => {
    expect(() => run(op("exec", { code: "1" }))).toThrow(/unknown expression op 'exec'/);
  });

  it("a malformed expression (missing field) throws instead of returning undefined", () => {
    expect(() => run({ op: "not" })).toThrow(/malformed/);
    expect(() => run({ op: "var", name: "n" })).toThrow(/malformed/);
  });

  it("collectDeps lists every var and arg read, including both cond branches, once each", () => {
    const e = op("cond", {
      c: v("flag"),
      a: op("add", { a: v("n"), b: v("n") }),
      b: op("concat", { parts: [arg("row"), v("name", 1)] }),
    });
    expect(collectDeps(e)).toEqual([
      { kind: "var", s: 0, name: "flag" },
      { kind: "var", s: 0, name: "n" },
      { kind: "arg", name: "row" },
      { kind: "var", s: 1, name: "name" },
    ]);
  });

  it("collectDeps ignores lit values that merely look like expressions", () => {
    expect(collectDeps(lit({ op: "var", s: 0, name: "x" }))).toEqual([]);
  });
});
