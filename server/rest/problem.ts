/**
 * RFC 9457 problem responses, and the one mapping from core errors (lib/errors.ts) to HTTP
 * statuses for the REST API. Unknown errors leave as a bare "internal error"; the log keeps the rest.
 */
import { isSmoError, RateLimitedError, ValidationError, type SmoError, type ValidationIssue } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { INTERNAL_ERROR_MESSAGE } from "../errors";
import type { Problem } from "./schemas";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
/** Upstream messages may quote a remote body: keep them short. */
const MAX_UPSTREAM_DETAIL = 500;

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export const STATUS_OF_KIND: Record<SmoError["kind"], number> = {
  "not-found": 404,
  conflict: 409,
  validation: 400,
  // The graph is not in a state that allows the action: a conflict with its current state.
  precondition: 409,
  upstream: 502,
  unauthenticated: 401,
  forbidden: 403,
  "rate-limited": 429,
};

/** The webhook's statuses: a conflict (another console runs an operation on the graph) is 503, because Alertmanager retries only 5xx. */
export function webhookStatusOf(error: SmoError): number {
  return error.kind === "conflict" ? 503 : STATUS_OF_KIND[error.kind];
}

/** A thrown problem: handlers throw it for request-level refusals (size, media type, auth). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly options: { errors?: ValidationIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

export function problemResponse(status: number, detail: string, instance: string, options: HttpProblem["options"] = {}): Response {
  const body: Problem = { type: "about:blank", title: TITLES[status] ?? "Error", status, detail, instance };
  if (options.errors?.length) body.errors = options.errors;
  return new Response(JSON.stringify(body), { status, headers: { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store", ...options.headers } });
}

/** The response for anything a handler threw; `statusOf` lets a route override a kind's status (the webhook's conflict → 503). */
export function errorResponse(error: unknown, instance: string, logger: Logger, statusOf: (error: SmoError) => number = (smo) => STATUS_OF_KIND[smo.kind]): Response {
  if (error instanceof HttpProblem) return problemResponse(error.status, error.detail, instance, error.options);
  if (isSmoError(error)) {
    const status = statusOf(error);
    const detail = error.kind === "upstream" ? error.message.slice(0, MAX_UPSTREAM_DETAIL) : error.message;
    const headers: Record<string, string> = {};
    if (error instanceof RateLimitedError) headers["retry-after"] = String(error.retryAfterSeconds);
    if (status === 503) headers["retry-after"] = "5";
    if (status === 401) headers["www-authenticate"] = 'Bearer realm="smo"';
    return problemResponse(status, detail, instance, { errors: error instanceof ValidationError ? error.issues : undefined, headers });
  }
  logger.error({ err: error, instance }, "REST request failed unexpectedly");
  return problemResponse(500, INTERNAL_ERROR_MESSAGE, instance);
}
