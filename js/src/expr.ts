/**
 * The expression evaluator: exactly the ops of docs/protocol.md, with Python semantics.
 *
 * Nothing here compiles code: an Expr is a JSON tree walked by `evaluate`. Unknown ops and
 * malformed expressions throw `ExprError`, which the renderer catches and shows inline.
 */
import type { Expr } from "./types";
import { decodeWire } from "./wire-values";

export class ExprError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExprError";
  }
}

/** Reads a var of a state by its index in the view's `states` list. */
export type VarReader = (s: number, name: string) => unknown;

export interface EvalEnv {
  readVar: VarReader;
  /** Looks up a foreach loop variable; throws if it is not in scope. */
  readArg: (name: string) => unknown;
  /** The values carried by the DOM event being handled, if any. */
  event?: readonly unknown[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Python truthiness: `[]`, `{}`, `""`, `0`, `None` and `False` are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (v === true) return true;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return true;
}

/** Strict structural equality of JSON values (what the foreach diff uses). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as Obj);
  const kb = Object.keys(b as Obj);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Obj)[k], (b as Obj)[k])) return false;
  }
  return true;
}

/** Python `==`: like deepEqual, but `True == 1` and `None == None` as in Python. */
export function pyEq(a: unknown, b: unknown): boolean {
  a = a === undefined ? null : a;
  b = b === undefined ? null : b;
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEq(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEq(a[k], b[k]));
  }
  return a === b;
}

function isNumeric(v: unknown): v is number | boolean {
  return typeof v === "number" || typeof v === "boolean";
}

function num(v: unknown, op: string): number {
  if (isNumeric(v)) return Number(v);
  throw new ExprError(`unsupported operand type for '${op}': ${pyType(v)}`);
}

function isInt(v: unknown): v is number | boolean {
  return typeof v === "boolean" || (typeof v === "number" && Number.isInteger(v));
}

export function pyType(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  return "dict";
}

/**
 * Python-like `str`: True/False, None, numbers as JS prints them (but `inf`, `-inf` and `nan` as
 * Python does), strings as is, else JSON (with the same three spellings inside).
 */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  try {
    return jsonText(v);
  } catch {
    return String(v);
  }
}

/** JSON text, except that non-finite numbers read `inf`, `-inf`, `nan` (JSON would say null). */
function jsonText(v: unknown): string {
  if (typeof v === "number" && !Number.isFinite(v)) return pyStr(v);
  if (Array.isArray(v)) return "[" + v.map((x) => (x === undefined ? "null" : jsonText(x))).join(",") + "]";
  if (isObj(v)) {
    const parts = Object.entries(v).filter(([, x]) => x !== undefined);
    return "{" + parts.map(([k, x]) => JSON.stringify(k) + ":" + jsonText(x)).join(",") + "}";
  }
  return JSON.stringify(v) ?? "null";
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Python `len`. */
export function pyLen(v: unknown): number {
  if (typeof v === "string") return codePoints(v).length;
  if (Array.isArray(v)) return v.length;
  if (isObj(v)) return Object.keys(v).length;
  throw new ExprError(`object of type '${pyType(v)}' has no len()`);
}

/** `a[key]` with negative list indices; anything missing is `null`. */
export function pyItem(a: unknown, key: unknown): unknown {
  if (a === null || a === undefined) return null;
  if (Array.isArray(a) || typeof a === "string") {
    if (!isInt(key)) {
      if (Array.isArray(a)) return null;
      throw new ExprError(`string indices must be integers, not '${pyType(key)}'`);
    }
    const seq: readonly unknown[] = Array.isArray(a) ? a : codePoints(a);
    let i = Number(key);
    if (i < 0) i += seq.length;
    if (i < 0 || i >= seq.length) return null;
    const v = seq[i];
    return v === undefined ? null : v;
  }
  if (isObj(a)) {
    const k = typeof key === "string" ? key : pyStr(key);
    if (!Object.prototype.hasOwnProperty.call(a, k)) return null;
    const v = a[k];
    return v === undefined ? null : v;
  }
  throw new ExprError(`'${pyType(a)}' object is not subscriptable`);
}

function compare(a: unknown, b: unknown, op: string): number {
  if (isNumeric(a) && isNumeric(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  }
  if (typeof a === "string" && typeof b === "string") {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!pyEq(a[i], b[i])) return compare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw new ExprError(
    `'${op}' not supported between instances of '${pyType(a)}' and '${pyType(b)}'`,
  );
}

const CMP_SYMBOL: Record<string, string> = { lt: "<", le: "<=", gt: ">", ge: ">=" };

/** The longest sequence `*` may build (items, or UTF-16 code units of a string). */
export const MAX_REPEAT = 10_000_000;

function repeat(seq: unknown, times: number): unknown {
  const n = Math.max(0, Math.trunc(times));
  const len = typeof seq === "string" ? seq.length : (seq as unknown[]).length;
  if (len === 0 || n === 0) return typeof seq === "string" ? "" : [];
  if (len * n > MAX_REPEAT) throw new ExprError(`sequence repetition too long (over ${MAX_REPEAT} items)`);
  if (typeof seq === "string") return seq.repeat(n);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...(seq as unknown[]));
  return out;
}

function isSeq(v: unknown): boolean {
  return typeof v === "string" || Array.isArray(v);
}

function add(a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) return Number(a) + Number(b);
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw new ExprError(`unsupported operand types for +: '${pyType(a)}' and '${pyType(b)}'`);
}

function mul(a: unknown, b: unknown): unknown {
  if (isSeq(a) && isInt(b)) return repeat(a, Number(b));
  if (isSeq(b) && isInt(a)) return repeat(b, Number(a));
  if (isNumeric(a) && isNumeric(b)) return Number(a) * Number(b);
  throw new ExprError(`unsupported operand types for *: '${pyType(a)}' and '${pyType(b)}'`);
}

function divisor(b: unknown, op: string): number {
  const y = num(b, op);
  if (y === 0) {
    throw new ExprError(
      op === "/" ? "division by zero" : op === "//" ? "integer division or modulo by zero" : "modulo by zero",
    );
  }
  return y;
}

/**
 * Python `//`: floors towards negative infinity. Computed from the remainder as Python does for
 * floats, so `1 // 0.1` is 9, `-1 // inf` is -1 and `inf // 1` is nan.
 */
export function floordiv(a: unknown, b: unknown): number {
  const x = num(a, "//");
  const y = divisor(b, "//");
  const r = x % y; // C fmod, the remainder Python starts from
  const q = (x - r) / y - (r !== 0 && r < 0 !== y < 0 ? 1 : 0);
  const f = Math.floor(q); // q is integral up to rounding error
  return q - f > 0.5 ? f + 1 : f === 0 ? 0 : f;
}

/** Python `%`: the result has the sign of the divisor. */
export function mod(a: unknown, b: unknown): number {
  const x = num(a, "%");
  const y = divisor(b, "%");
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}

function field(e: Expr, name: string): Expr {
  const v = e[name];
  if (typeof v !== "object" || v === null || typeof (v as Expr).op !== "string") {
    throw new ExprError(`malformed '${e.op}' expression: field '${name}' is not an expression`);
  }
  return v as Expr;
}

function isExpr(v: unknown): v is Expr {
  return typeof v === "object" && v !== null && typeof (v as Expr).op === "string";
}

/** Evaluates an expression tree. Throws ExprError for unknown ops and Python type errors. */
export function evaluate(e: Expr, env: EvalEnv): unknown {
  if (!isExpr(e)) throw new ExprError(`not an expression: ${safeJson(e)}`);
  const ev = (name: string): unknown => evaluate(field(e, name), env);
  switch (e.op) {
    case "lit": // a literal may carry non-finite floats as the var values do
      return e.v === undefined ? null : decodeWire(e.v);
    case "var": {
      if (typeof e.s !== "number" || typeof e.name !== "string") {
        throw new ExprError("malformed 'var' expression: needs a state index 's' and a 'name'");
      }
      const v = env.readVar(e.s, e.name);
      return v === undefined ? null : v;
    }
    case "arg": {
      if (typeof e.name !== "string") throw new ExprError("malformed 'arg' expression: needs a 'name'");
      return env.readArg(e.name);
    }
    case "event": {
      if (!env.event) throw new ExprError("'event' values exist only in event arguments");
      const i = typeof e.i === "number" ? e.i : 0;
      const v = env.event[i];
      return v === undefined ? null : v;
    }
    case "not":
      return !truthy(ev("a"));
    case "neg":
      return -num(ev("a"), "unary -");
    case "and": {
      const a = ev("a");
      return truthy(a) ? ev("b") : a;
    }
    case "or": {
      const a = ev("a");
      return truthy(a) ? a : ev("b");
    }
    case "eq":
      return pyEq(ev("a"), ev("b"));
    case "ne":
      return !pyEq(ev("a"), ev("b"));
    case "lt":
    case "le":
    case "gt":
    case "ge": {
      const c = compare(ev("a"), ev("b"), CMP_SYMBOL[e.op]);
      if (Number.isNaN(c)) return false;
      return e.op === "lt" ? c < 0 : e.op === "le" ? c <= 0 : e.op === "gt" ? c > 0 : c >= 0;
    }
    case "add":
      return add(ev("a"), ev("b"));
    case "sub":
      return num(ev("a"), "-") - num(ev("b"), "-");
    case "mul":
      return mul(ev("a"), ev("b"));
    case "div": {
      const a = num(ev("a"), "/");
      return a / divisor(ev("b"), "/");
    }
    case "floordiv":
      return floordiv(ev("a"), ev("b"));
    case "mod":
      return mod(ev("a"), ev("b"));
    case "concat": {
      if (!Array.isArray(e.parts)) throw new ExprError("malformed 'concat' expression: needs 'parts'");
      return e.parts.map((p) => pyStr(evaluate(p as Expr, env))).join("");
    }
    case "str":
      return pyStr(ev("a"));
    case "length":
      return pyLen(ev("a"));
    case "item":
      return pyItem(ev("a"), ev("key"));
    case "cond":
      return truthy(ev("c")) ? ev("a") : ev("b");
    default:
      throw new ExprError(`unknown expression op '${String(e.op)}'`);
  }
}

/** A value an expression reads: a state var, or a foreach loop variable by name. */
export type Dep = { kind: "var"; s: number; name: string } | { kind: "arg"; name: string };

const CHILD_FIELDS: Record<string, readonly string[]> = {
  not: ["a"],
  neg: ["a"],
  str: ["a"],
  length: ["a"],
  item: ["a", "key"],
  cond: ["c", "a", "b"],
};
const BINARY = ["a", "b"];

/**
 * Every var and loop variable an expression may read (both branches of cond/and/or), so a
 * binding can subscribe to exactly those. Unknown ops contribute nothing: evaluating them
 * throws anyway.
 */
export function collectDeps(e: unknown, out: Dep[] = []): Dep[] {
  if (!isExpr(e)) return out;
  switch (e.op) {
    case "lit":
    case "event":
      return out;
    case "var":
      if (typeof e.s === "number" && typeof e.name === "string") {
        if (!out.some((d) => d.kind === "var" && d.s === e.s && d.name === e.name)) {
          out.push({ kind: "var", s: e.s, name: e.name });
        }
      }
      return out;
    case "arg":
      if (typeof e.name === "string" && !out.some((d) => d.kind === "arg" && d.name === e.name)) {
        out.push({ kind: "arg", name: e.name });
      }
      return out;
    case "concat":
      if (Array.isArray(e.parts)) for (const p of e.parts) collectDeps(p, out);
      return out;
    default: {
      const fields = CHILD_FIELDS[e.op] ?? BINARY;
      for (const f of fields) collectDeps(e[f], out);
      return out;
    }
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 80) ?? String(v);
  } catch {
    return String(v);
  }
}
