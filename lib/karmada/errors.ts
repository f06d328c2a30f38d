/**
 * Turns what client-node throws into lib/errors. client-node v1 throws `ApiException` with the
 * raw response text in `body` (undefined for 401) and node-fetch's `FetchError` for network
 * failures (FIDELITY §2). Messages name the action and the server, never a token or a stack.
 */

import { ApiException } from "@kubernetes/client-node";
import { isSmoError, UpstreamError } from "../errors";

/** A Kubernetes `Status` object, as far as SMO reads it. */
export type KubeStatus = { message?: string; reason?: string; code?: number; details?: { name?: string; kind?: string } };

/** The HTTP status and parsed Status body of an ApiException, or undefined for any other error. */
export function readApiException(error: unknown): { code: number; status: KubeStatus | undefined } | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const code = typeof error.code === "number" ? error.code : Number(error.code);
  return { code, status: parseStatus(error.body) };
}

function parseStatus(body: unknown): KubeStatus | undefined {
  if (typeof body === "object" && body !== null) return body as KubeStatus;
  if (typeof body !== "string" || body.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? (parsed as KubeStatus) : undefined;
  } catch {
    // Not JSON (a proxy's HTML page, say): the caller falls back to the HTTP code and a snippet.
    return { message: body.length > 200 ? `${body.slice(0, 197)}...` : body };
  }
}

export function isNotFound(error: unknown): boolean {
  return readApiException(error)?.code === 404;
}

export function isConflict(error: unknown): boolean {
  return readApiException(error)?.code === 409;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/**
 * Maps an error thrown during `action` (e.g. `get deployment default/web`) to an SmoError.
 * SmoErrors raised by our own code pass through unchanged.
 */
export function toKarmadaError(error: unknown, action: string, server: string): Error {
  if (isSmoError(error)) return error;
  const api = readApiException(error);
  if (api) {
    if (api.code === 401) {
      return new UpstreamError("karmada", `${action}: Unauthorized (the API server at ${server} rejected the credentials)`, {
        status: 401,
        reason: "Unauthorized",
      });
    }
    const message = api.status?.message ?? `HTTP ${api.code}`;
    return new UpstreamError("karmada", `${action}: ${message}`, { status: api.code, reason: api.status?.reason });
  }
  const code = networkCode(error);
  if (code) {
    const meaning = NETWORK_CODES[code] ?? code;
    return new UpstreamError("karmada", `${action}: cannot reach the API server at ${server} (${meaning}, ${code})`, {
      reason: code,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError("karmada", `${action}: ${message}`, { cause: error });
}

/** node-fetch's FetchError (and Node's system errors) carry a string code such as ECONNREFUSED. */
function networkCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? networkCode(cause) : undefined;
}
