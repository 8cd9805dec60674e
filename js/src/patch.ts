/**
 * Patch messages: small in-place changes to a var's value, sent by the kernel instead of the
 * whole value. Applied copy-on-write along the path, so every container on the path is a new
 * object (change events fire) while untouched rows keep their identity.
 */
import type { PatchOp } from "./types";

type Key = string | number;
type Container = unknown[] | Record<string, unknown>;

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

function isContainer(v: unknown): v is Container {
  return typeof v === "object" && v !== null;
}

function shallowCopy(v: Container): Container {
  return Array.isArray(v) ? v.slice() : { ...v };
}

function listIndex(list: unknown[], key: Key, forInsert: boolean): number {
  if (typeof key !== "number" || !Number.isInteger(key)) {
    throw new PatchError(`list index must be an integer, got ${JSON.stringify(key)}`);
  }
  let i = key < 0 ? key + list.length : key;
  if (forInsert) return Math.max(0, Math.min(i, list.length)); // like Python list.insert
  if (i < 0 || i >= list.length) throw new PatchError(`list index ${key} out of range`);
  return i;
}

function getChild(c: Container, key: Key): unknown {
  if (Array.isArray(c)) return c[listIndex(c, key, false)];
  const k = String(key);
  if (!Object.prototype.hasOwnProperty.call(c, k)) throw new PatchError(`missing key ${JSON.stringify(k)}`);
  return c[k];
}

/** Returns a copy of `root` where `fn` replaced the container found at `path`. */
function updateAt(root: unknown, path: readonly Key[], fn: (target: unknown) => unknown): unknown {
  if (path.length === 0) return fn(root);
  if (!isContainer(root)) throw new PatchError(`cannot descend into ${JSON.stringify(root)}`);
  const [head, ...rest] = path;
  const copy = shallowCopy(root);
  const child = getChild(root, head);
  const next = updateAt(child, rest, fn);
  if (Array.isArray(copy)) copy[listIndex(copy, head, false)] = next;
  else copy[String(head)] = next;
  return copy;
}

function parentAndKey(op: PatchOp): [Key[], Key] {
  if (!Array.isArray(op.path) || op.path.length === 0) {
    throw new PatchError(`'${op.op}' needs a non-empty path`);
  }
  return [op.path.slice(0, -1), op.path[op.path.length - 1]];
}

/** Applies one op and returns the new root value (the input is never mutated). */
export function applyOp(root: unknown, op: PatchOp): unknown {
  switch (op.op) {
    case "replace":
      return updateAt(root, op.path ?? [], () => op.value);
    case "append":
      return updateAt(root, op.path ?? [], (list) => {
        if (!Array.isArray(list)) throw new PatchError("'append' target is not a list");
        return [...list, op.value];
      });
    case "set": {
      const [parent, key] = parentAndKey(op);
      return updateAt(root, parent, (c) => {
        if (!isContainer(c)) throw new PatchError("'set' target is not a list or dict");
        const copy = shallowCopy(c);
        if (Array.isArray(copy)) copy[listIndex(copy, key, false)] = op.value;
        else copy[String(key)] = op.value;
        return copy;
      });
    }
    case "insert": {
      const [parent, key] = parentAndKey(op);
      return updateAt(root, parent, (list) => {
        if (!Array.isArray(list)) throw new PatchError("'insert' target is not a list");
        const copy = list.slice();
        copy.splice(listIndex(copy, key, true), 0, op.value);
        return copy;
      });
    }
    case "delete": {
      const [parent, key] = parentAndKey(op);
      return updateAt(root, parent, (c) => {
        if (Array.isArray(c)) {
          const copy = c.slice();
          copy.splice(listIndex(copy, key, false), 1);
          return copy;
        }
        if (!isContainer(c)) throw new PatchError("'delete' target is not a list or dict");
        const k = String(key);
        if (!Object.prototype.hasOwnProperty.call(c, k)) throw new PatchError(`missing key ${JSON.stringify(k)}`);
        const copy: Record<string, unknown> = { ...(c as Record<string, unknown>) };
        delete copy[k];
        return copy;
      });
    }
    default:
      throw new PatchError(`unknown patch op '${String((op as { op: unknown }).op)}'`);
  }
}

/** Applies all ops in order. Throws PatchError if any op does not fit the value. */
export function applyPatch(root: unknown, ops: readonly PatchOp[]): unknown {
  let value = root;
  for (const op of ops) value = applyOp(value, op);
  return value;
}
