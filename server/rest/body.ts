/** Reading request bodies with a size cap, and parsing JSON without prototype-named keys. */
import { PROTOTYPE_KEYS } from "../../lib/hdag/yaml";
import { HttpProblem } from "./problem";

/** Request bodies above this are refused (413) before any parsing. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** The Alertmanager webhook's cap: its payloads are a few kilobytes. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** The body as text; 413 as soon as the declared length or the bytes read pass `limit`. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(413, `request body is larger than ${limit} bytes`);
}

/** JSON.parse, with 400 naming the position of a syntax error and the path of any `__proto__`-like key. */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(400, `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { errors: [{ path: "", message: "invalid JSON" }] });
  }
  const hostile = findPrototypeKey(value, "");
  if (hostile !== undefined) throw new HttpProblem(400, `body has a forbidden key at ${hostile}`, { errors: [{ path: hostile, message: "keys named __proto__, constructor or prototype are not allowed" }] });
  return value;
}

/** The path of the first key named __proto__, constructor or prototype in parsed JSON, if any. */
export function findPrototypeKey(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findPrototypeKey(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) return keyPath;
    const found = findPrototypeKey((value as Record<string, unknown>)[key], keyPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

export type BodyFormat = "json" | "yaml";

/** JSON or YAML by Content-Type; without one (or text/plain), by the first character. 415 for anything else. */
export function bodyFormatOf(contentType: string | null, text: string): BodyFormat {
  const media = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (media === "application/json" || media.endsWith("+json")) return "json";
  if (["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"].includes(media)) return "yaml";
  if (media === "" || media === "text/plain" || media === "application/octet-stream") return /^\s*[{[]/.test(text) ? "json" : "yaml";
  throw new HttpProblem(415, `Content-Type ${media} is not supported: send application/json or application/yaml`);
}
