/**
 * User-supplied values as helm merges them: `--values` files in order, then `--set` pairs
 * (simple `a.b=c` paths, comma-separated; true/false/null/integers typed like strvals does).
 */

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { isPlainObject, mergeValues } from "../../lib/helm/values";

export class ValuesError extends Error {}

export function readUserValues(valueFiles: string[], setPairs: string[]): Record<string, unknown> {
  let values: Record<string, unknown> = {};
  for (const file of valueFiles) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ValuesError(code === "ENOENT" ? `open ${file}: no such file or directory` : `open ${file}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      // helm reads values as YAML 1.1 (sigs.k8s.io/yaml).
      parsed = parse(text, { version: "1.1", maxAliasCount: 100 });
    } catch (error) {
      throw new ValuesError(`failed to parse ${file}: error converting YAML to JSON: yaml: ${(error as Error).message.split("\n")[0]}`);
    }
    if (parsed === null || parsed === undefined) continue;
    if (!isPlainObject(parsed)) throw new ValuesError(`failed to parse ${file}: error unmarshaling JSON: json: cannot unmarshal ${Array.isArray(parsed) ? "array" : typeof parsed} into Go value of type map[string]interface {}`);
    values = mergeValues(values, parsed);
  }
  for (const pairs of setPairs) values = mergeValues(values, parseSetPairs(pairs));
  return values;
}

export function parseSetPairs(text: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pair of text.split(",")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new ValuesError(`failed parsing --set data: key "${pair}" has no value`);
    const path = pair.slice(0, equals).split(".");
    if (path.some((key) => key === "" || key === "__proto__" || key === "constructor" || key === "prototype")) {
      throw new ValuesError(`failed parsing --set data: key "${pair.slice(0, equals)}" is not allowed`);
    }
    let target = result;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      target = (target[key] = isPlainObject(next) ? next : {}) as Record<string, unknown>;
    }
    target[path[path.length - 1]] = typeSetValue(pair.slice(equals + 1));
  }
  return result;
}

function typeSetValue(raw: string): unknown {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (/^-?(0|[1-9]\d{0,17})$/.test(raw)) return Number(raw);
  return raw;
}
