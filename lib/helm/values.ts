/**
 * Helm values SMO sends: the descriptor's `valuesOverwrite` with the placement merged in
 * (SPEC §3): `clustersAffinity` and `serviceImportClusters`, inside `voChartOverwrite` for
 * the `WOT` implementer and at the top level otherwise.
 */

import { ValidationError } from "../errors";

export type HelmValues = Record<string, unknown>;

export type PlacementValuesInput = {
  implementer: string;
  valuesOverwrite: HelmValues | undefined;
  clustersAffinity: string[];
  serviceImportClusters: string[];
};

/** Keys that would reach an object's prototype when assigned; never accepted in values. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Deep merge like helm's value coalescing: maps merge key by key, anything else (arrays
 * included) is replaced by the overlay. Inputs are not modified.
 */
export function mergeValues(base: HelmValues, overlay: HelmValues, path = ""): HelmValues {
  const result: HelmValues = {};
  for (const [key, value] of Object.entries(base)) {
    assertSafeKey(key, path);
    result[key] = cloneValue(value, joinPath(path, key));
  }
  for (const [key, value] of Object.entries(overlay)) {
    assertSafeKey(key, path);
    const current = result[key];
    result[key] =
      isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value, joinPath(path, key)) : cloneValue(value, joinPath(path, key));
  }
  return result;
}

export function buildPlacementValues(input: PlacementValuesInput): HelmValues {
  const placement = { clustersAffinity: [...input.clustersAffinity], serviceImportClusters: [...input.serviceImportClusters] };
  const overlay: HelmValues = isWotImplementer(input.implementer) ? { voChartOverwrite: placement } : placement;
  return mergeValues(input.valuesOverwrite ?? {}, overlay, "valuesOverwrite");
}

/** The original compares `implementer == "WOT"`; descriptors are loose about case, so we are too. */
export function isWotImplementer(implementer: string): boolean {
  return implementer.trim().toUpperCase() === "WOT";
}

function cloneValue(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item, index) => cloneValue(item, `${path}[${index}]`));
  if (isPlainObject(value)) return mergeValues({}, value, path);
  return value;
}

function assertSafeKey(key: string, path: string): void {
  if (FORBIDDEN_KEYS.has(key)) throw new ValidationError([{ path: joinPath(path, key), message: `"${key}" is not allowed as a values key` }]);
}

function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
