/**
 * The tRPC transformer: superjson's wire format, written by a fast path for the plain data the
 * procedures answer (objects, arrays, strings, finite numbers, booleans, null, undefined, Dates).
 * superjson checks every value against each of its rules; for a page of graphs that was as much
 * CPU as the database query. Anything the fast path does not know — Map, Set, bigint, NaN, -0,
 * errors, class instances, an object reached twice, a custom transformer registered on superjson —
 * is handed to superjson itself, so the document is superjson's in every case (wire.test.ts compares).
 */
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { SuperJSONResult } from "superjson";
import { PROTOTYPE_KEYS } from "../lib/hdag/yaml";
import { findPrototypeKey } from "./rest/body";

type Annotation = [string];
const UNDEFINED: Annotation = ["undefined"];
const DATE: Annotation = ["Date"];
/** Thrown inside the walk when the fast path does not apply. */
const NOT_PLAIN = Symbol("not plain data");

/** superjson.serialize(value), with the same result, faster for plain data. */
export function serializeForWire(value: unknown): SuperJSONResult {
  if (hasCustomTransformers()) return superjson.serialize(value);
  const annotations: Record<string, Annotation> = {};
  let rootAnnotation: Annotation | undefined;
  let annotated = false;
  const seen = new Set<object>();

  const annotate = (path: string | undefined, annotation: Annotation) => {
    annotated = true;
    if (path === undefined) rootAnnotation = annotation;
    else annotations[path] = annotation;
  };

  const walk = (item: unknown, path: string | undefined): unknown => {
    switch (typeof item) {
      case "string":
      case "boolean":
        return item;
      case "number":
        if (!Number.isFinite(item) || Object.is(item, -0)) throw NOT_PLAIN;
        return item;
      case "undefined":
        annotate(path, UNDEFINED);
        return null;
      case "object":
        break;
      default:
        throw NOT_PLAIN;
    }
    if (item === null) return null;
    if (seen.has(item)) throw NOT_PLAIN;
    seen.add(item);
    if (item instanceof Date) {
      if (Number.isNaN(item.getTime()) || Object.getPrototypeOf(item) !== Date.prototype) throw NOT_PLAIN;
      annotate(path, DATE);
      return item.toISOString();
    }
    const prefix = path === undefined ? "" : `${path}.`;
    if (Array.isArray(item)) {
      if (Object.getPrototypeOf(item) !== Array.prototype) throw NOT_PLAIN;
      const out = new Array<unknown>(item.length);
      for (let index = 0; index < item.length; index++) {
        if (!(index in item)) throw NOT_PLAIN;
        const child: unknown = item[index];
        out[index] = needsPath(child) ? walk(child, `${prefix}${index}`) : walk(child, undefined);
      }
      return out;
    }
    const prototype = Object.getPrototypeOf(item);
    if (prototype !== Object.prototype && prototype !== null) throw NOT_PLAIN;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(item)) {
      if (PROTOTYPE_KEYS.has(key)) throw NOT_PLAIN;
      const child = (item as Record<string, unknown>)[key];
      out[key] = needsPath(child) ? walk(child, prefix + escapeKey(key)) : walk(child, undefined);
    }
    return out;
  };

  let json: unknown;
  try {
    json = walk(value, undefined);
  } catch (error) {
    if (error === NOT_PLAIN) return superjson.serialize(value);
    throw error;
  }
  const result: SuperJSONResult = { json: json as SuperJSONResult["json"] };
  if (annotated) result.meta = { values: rootAnnotation ?? annotations, v: 1 } as SuperJSONResult["meta"];
  return result;
}

/** Only values that are or may hold an annotation need their path (strings and numbers never do). */
function needsPath(value: unknown): boolean {
  return value === undefined || (typeof value === "object" && value !== null);
}

/** A transformer registered with superjson.registerCustom may claim plain values too: then superjson does it all (also when its registry cannot be read). */
function hasCustomTransformers(): boolean {
  const registry = (superjson as unknown as { defaultInstance?: { customTransformerRegistry?: { transfomers?: object } } }).defaultInstance?.customTransformerRegistry?.transfomers;
  return registry === undefined || Object.keys(registry).length > 0;
}

/** superjson's escaping of one path segment. */
function escapeKey(key: string): string {
  return key.includes("\\") || key.includes(".") ? key.replace(/\\/g, "\\\\").replace(/\./g, "\\.") : key;
}

/**
 * superjson.deserialize of a call's input, refusing keys named __proto__, constructor or prototype
 * (superjson would drop some silently and throw on others) with a BAD_REQUEST naming where.
 */
export function deserializeInput(payload: unknown): unknown {
  const record = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {};
  const where = findPrototypeKey(record.json, "") ?? findPrototypeKey(record.meta, "(superjson meta)");
  if (where !== undefined) throw new TRPCError({ code: "BAD_REQUEST", message: `input has a forbidden key at ${where}: keys named __proto__, constructor or prototype are not allowed` });
  return superjson.deserialize(payload as SuperJSONResult);
}

/** The transformer of the console's tRPC API: superjson on the wire both ways. */
export const wireTransformer = {
  serialize: serializeForWire,
  deserialize: deserializeInput,
};
