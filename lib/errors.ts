/**
 * Typed core errors. The core throws only these (or lets a bug surface as a plain Error);
 * the tRPC middleware and the REST layer each map them once to their own codes.
 */

/** One problem in an input, located by a path such as `services[2].deployment.intent.compute.cpu`. */
export type ValidationIssue = { path: string; message: string };

export abstract class SmoError extends Error {
  abstract readonly kind: "not-found" | "conflict" | "validation" | "precondition" | "upstream" | "unauthenticated" | "forbidden" | "rate-limited";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class NotFoundError extends SmoError {
  readonly kind = "not-found";
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" not found`);
  }
}

export class ConflictError extends SmoError {
  readonly kind = "conflict";
}

export class ValidationError extends SmoError {
  readonly kind = "validation";
  constructor(
    readonly issues: ValidationIssue[],
    summary?: string,
  ) {
    super(summary ?? issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; "));
  }
}

export class PreconditionFailedError extends SmoError {
  readonly kind = "precondition";
}

/** The external systems SMO talks to; an UpstreamError says which one failed. */
export type UpstreamSystem = "karmada" | "prometheus" | "grafana" | "helm" | "oci" | "http";

export class UpstreamError extends SmoError {
  readonly kind = "upstream";
  constructor(
    readonly system: UpstreamSystem,
    message: string,
    readonly details: { status?: number; reason?: string; cause?: unknown } = {},
  ) {
    super(`${system}: ${message}`, { cause: details.cause });
  }
}

/** Missing or wrong credentials; the message never says which part was wrong. */
export class AuthenticationError extends SmoError {
  readonly kind = "unauthenticated";
}

/** The caller is known but its role does not allow the action. */
export class ForbiddenError extends SmoError {
  readonly kind = "forbidden";
}

/** Too many attempts; `retryAfterSeconds` says when trying again makes sense. */
export class RateLimitedError extends SmoError {
  readonly kind = "rate-limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export function isSmoError(error: unknown): error is SmoError {
  return error instanceof SmoError;
}
