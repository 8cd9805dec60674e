/**
 * Non-finite floats on the wire. JSON has no Infinity or NaN, so the kernel sends them, anywhere
 * a number may appear in a var's value, as `{"$nbf": "inf" | "-inf" | "nan"}` (docs/protocol.md,
 * "Non-finite floats"). Views decode values where they read them; events encode their args.
 */

const TAG = "$nbf";
const DECODED = new Map<string, number>([
  ["inf", Infinity],
  ["-inf", -Infinity],
  ["nan", NaN],
]);

function isTag(v: unknown): v is Record<string, string> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === TAG && typeof (v as Record<string, unknown>)[TAG] === "string";
}

// Decoded forms of containers, by identity: a patch keeps untouched rows' identity, so a long
// list re-decodes only its changed rows, and a container without tags is returned as itself.
const memo = new WeakMap<object, unknown>();

export function decodeWire(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  const known = memo.get(v);
  if (known !== undefined) return known;
  let out: unknown = v;
  if (isTag(v)) {
    const n = DECODED.get(v[TAG]);
    out = n === undefined ? v : n;
  } else if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const d = decodeWire(v[i]);
      if (copy === null && !Object.is(d, v[i])) copy = v.slice(0, i);
      if (copy !== null) copy.push(d);
    }
    out = copy ?? v;
  } else {
    let changed = false;
    const entries = Object.entries(v as Record<string, unknown>).map(([k, item]) => {
      const d = decodeWire(item);
      if (!Object.is(d, item)) changed = true;
      return [k, d] as const;
    });
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    if (changed) out = Object.fromEntries(entries);
  }
  memo.set(v, out);
  return out;
}

/** The wire form of a value the view sends: non-finite numbers become tags. */
export function encodeWire(v: unknown): unknown {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { [TAG]: "nan" };
    if (v === Infinity) return { [TAG]: "inf" };
    if (v === -Infinity) return { [TAG]: "-inf" };
    return v;
  }
  if (Array.isArray(v)) return v.map(encodeWire);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, encodeWire(x)]));
  }
  return v;
}
