/**
 * Core errors (lib/errors.ts) to tRPC codes, in one place. Unknown errors become a bare
 * "internal error": their message, stack, SQL or paths stay in the server log.
 */
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { isSmoError, type SmoError } from "../lib/errors";

export const INTERNAL_ERROR_MESSAGE = "internal error";
/** Upstream messages are ours (built by the clients) but may quote a remote body: keep them short. */
const MAX_UPSTREAM_MESSAGE = 500;

const CODE_OF_KIND: Record<SmoError["kind"], TRPC_ERROR_CODE_KEY> = {
  "not-found": "NOT_FOUND",
  conflict: "CONFLICT",
  validation: "BAD_REQUEST",
  precondition: "PRECONDITION_FAILED",
  // An external system failed: 502, the message names which one (tRPC 11.22 has BAD_GATEWAY).
  upstream: "BAD_GATEWAY",
  unauthenticated: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  "rate-limited": "TOO_MANY_REQUESTS",
};

export type ErrorMapping = { error: TRPCError; isUnexpected: boolean };

/** The error a client sees for what a procedure threw (tRPC already wrapped it in a TRPCError). */
export function mapProcedureError(error: TRPCError): ErrorMapping {
  const cause = error.cause;
  if (isSmoError(cause)) {
    const message = cause.kind === "upstream" ? cause.message.slice(0, MAX_UPSTREAM_MESSAGE) : cause.message;
    return { error: new TRPCError({ code: CODE_OF_KIND[cause.kind], message, cause }), isUnexpected: false };
  }
  // Deliberate TRPCErrors (guards, input validation) keep their code and message.
  if (error.code !== "INTERNAL_SERVER_ERROR") return { error, isUnexpected: false };
  return { error: new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: INTERNAL_ERROR_MESSAGE, cause: error.cause ?? error }), isUnexpected: true };
}
