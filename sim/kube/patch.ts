/**
 * The four PATCH flavours of the API server: JSON Patch (RFC 6902, via fast-json-patch),
 * JSON merge patch (RFC 7386), strategic merge patch (built-in types only; lists merged by
 * their patch merge key) and server-side apply (acts here as a merge of the applied config).
 */
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import { badRequest, KubeStatusError } from "./status";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const JSON_PATCH = "application/json-patch+json";
export const MERGE_PATCH = "application/merge-patch+json";
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
export const APPLY_PATCH = "application/apply-patch+yaml";

export type PatchKind = "json" | "merge" | "strategic" | "apply";

/** Media types accepted for a target, in the order the API server lists them in its 415 message. */
export function acceptedPatchTypes(isCustomResource: boolean): string[] {
  return isCustomResource ? [JSON_PATCH, MERGE_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH];
}

/** Maps a Content-Type (parameters such as `;charset=` stripped) to a patch kind; undefined when unknown. */
export function patchKindOf(contentType: string): PatchKind | undefined {
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  if (media === JSON_PATCH) return "json";
  if (media === MERGE_PATCH) return "merge";
  if (media === STRATEGIC_MERGE_PATCH) return "strategic";
  if (media === APPLY_PATCH) return "apply";
  return undefined;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function describeJsonPatchFailure(error: InstanceType<typeof jsonpatch.JsonPatchError>): string {
  const operation = error.operation as Operation | undefined;
  const op = operation?.op ?? "unknown";
  const path = operation?.path ?? "";
  switch (error.name) {
    case "TEST_OPERATION_FAILED":
      return `testing value ${path} failed: test failed`;
    case "OPERATION_PATH_UNRESOLVABLE":
    case "OPERATION_PATH_CANNOT_ADD":
      return `${op} operation does not apply: doc is missing path: "${path}": missing value`;
    case "OPERATION_FROM_UNRESOLVABLE":
      return `${op} operation does not apply: doc is missing from path: "${(operation as { from?: string } | undefined)?.from ?? ""}": missing value`;
    case "OPERATION_VALUE_OUT_OF_BOUNDS":
    case "OPERATION_PATH_ILLEGAL_ARRAY_INDEX":
      return `${op} operation does not apply: index out of bounds at path "${path}"`;
    default:
      return `${op} operation does not apply: ${error.message.split("\n")[0]}`;
  }
}

/** Applies an RFC 6902 patch. A malformed patch is a 400; an op that cannot apply is a 422. */
export function applyJsonPatch(target: JsonObject, patch: unknown): JsonObject {
  if (!Array.isArray(patch)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  const validOps = ["add", "remove", "replace", "move", "copy", "test"];
  for (const [index, operation] of patch.entries()) {
    if (!isJsonObject(operation) || typeof operation.op !== "string" || typeof operation.path !== "string") {
      throw badRequest(`json patch operation ${index} must be an object with string "op" and "path"`);
    }
    if (!validOps.includes(operation.op)) throw unprocessable(`Unexpected kind: ${operation.op}`);
  }
  try {
    const result = jsonpatch.applyPatch(clone(target), patch as Operation[], true, true);
    const document = result.newDocument as unknown;
    if (!isJsonObject(document)) throw unprocessable("the patched document is not a JSON object");
    return document;
  } catch (error) {
    if (error instanceof jsonpatch.JsonPatchError) throw unprocessable(describeJsonPatchFailure(error));
    throw error;
  }
}

/** 422 as the API server answers a JSON Patch that fails to apply (`NewGenericServerResponse`). */
function unprocessable(detail: string): KubeStatusError {
  return new KubeStatusError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: detail,
    reason: "Invalid",
    details: { causes: [{ reason: "UnexpectedServerResponse", message: detail, field: "" }] },
    code: 422,
  });
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else (arrays included) replaces. */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return clone(patch);
  const result: JsonObject = isJsonObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** Patch merge keys of the built-in types, by list field name. */
const MERGE_KEYS: Record<string, string | ((items: JsonValue[]) => string)> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  conditions: "type",
  hostAliases: "ip",
  ownerReferences: "uid",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
  // Container ports merge on containerPort, Service ports on port.
  ports: (items) => (items.some((item) => isJsonObject(item) && "containerPort" in item) ? "containerPort" : "port"),
};

/** Primitive lists whose patch strategy is "merge" (set union). */
const MERGED_PRIMITIVE_LISTS = new Set(["finalizers"]);

function mergeKeyFor(field: string, items: JsonValue[]): string | undefined {
  const key = MERGE_KEYS[field];
  return typeof key === "function" ? key(items) : key;
}

function mergeList(field: string, original: JsonValue[], patch: JsonValue[], order: JsonValue[] | undefined): JsonValue[] {
  const replaceDirective = patch.find((item) => isJsonObject(item) && item.$patch === "replace");
  if (replaceDirective) return patch.filter((item) => item !== replaceDirective).map(clone);
  const key = mergeKeyFor(field, [...original, ...patch]);
  if (!key) {
    if (MERGED_PRIMITIVE_LISTS.has(field)) return [...original, ...patch.filter((item) => !original.includes(item))];
    return patch.map(clone);
  }
  const result = original.map(clone);
  for (const item of patch) {
    if (!isJsonObject(item) || !(key in item)) {
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    }
    const index = result.findIndex((existing) => isJsonObject(existing) && existing[key] === item[key]);
    if (item.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index] as JsonObject, item);
    } else {
      result.push(strategicMerge({}, item));
    }
  }
  if (order) {
    const position = (item: JsonValue) => {
      const found = order.findIndex((entry) => isJsonObject(entry) && isJsonObject(item) && entry[key] === item[key]);
      return found < 0 ? order.length : found;
    };
    result.sort((a, b) => position(a) - position(b));
  }
  return result;
}

/** Strategic merge patch over a built-in object (patch directives `$patch`, `$retainKeys`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…`). */
export function strategicMerge(original: JsonObject, patch: JsonObject): JsonObject {
  if (patch.$patch === "replace") {
    const replaced = clone(patch);
    delete replaced.$patch;
    return replaced;
  }
  const result = clone(original);
  const retainKeys = Array.isArray(patch.$retainKeys) ? patch.$retainKeys.filter((key): key is string => typeof key === "string") : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith("$setElementOrder/")) continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = current.filter((item) => !value.includes(item));
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value) && value.$patch === "delete") {
      delete result[key];
    } else if (isJsonObject(value)) {
      result[key] = strategicMerge(isJsonObject(result[key]) ? result[key] : {}, value);
    } else if (Array.isArray(value)) {
      const order = patch[`$setElementOrder/${key}`];
      result[key] = mergeList(key, Array.isArray(result[key]) ? result[key] : [], value, Array.isArray(order) ? order : undefined);
    } else {
      result[key] = value;
    }
  }
  if (retainKeys) {
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}
