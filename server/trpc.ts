/**
 * tRPC for the console: context, init, and the base procedures every router builds on.
 * Roles are enforced here, in every procedure, never only at the edge. Every mutation, allowed
 * or denied, lands in the audit log. Core errors are mapped once (server/errors.ts).
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import { actorOf, authenticateRequest, hasRole, recordAudit, serializeSessionCookie, type Caller, type Role } from "../lib/auth";
import type { Actor } from "../lib/context";
import { RateLimitedError, ValidationError } from "../lib/errors";
import { createCoreContext, type ServerDeps } from "./deps";
import { INTERNAL_ERROR_MESSAGE, mapProcedureError } from "./errors";
import { explainCrossSite, IN_PROCESS_REQUEST, readRequestMeta, type RequestMeta } from "./request";
import { wireTransformer } from "./wire";

export type ContextInnerOptions = {
  deps: ServerDeps;
  caller?: Caller;
  /** How credentials came: cookie-borne mutations get the cross-site checks. Default: cookie when a user caller is given. */
  via?: "bearer" | "cookie" | "none";
  request?: RequestMeta;
  /** Headers added to the HTTP response (Set-Cookie); tests pass their own to inspect. */
  responseHeaders?: Headers;
};

/** Everything a procedure may use that needs no HTTP request; tests call it directly. */
export function createContextInner(options: ContextInnerOptions) {
  const { deps, caller } = options;
  return {
    deps,
    caller,
    via: options.via ?? (caller ? (caller.kind === "token" ? "bearer" : "cookie") : "none"),
    request: options.request ?? IN_PROCESS_REQUEST,
    responseHeaders: options.responseHeaders ?? new Headers(),
    /** The core context acting as this caller (or as `actor`), with admin settings applied. */
    core: (actor?: Actor) => createCoreContext(deps, actor ?? (caller ? actorOf(caller) : ANONYMOUS)),
  };
}
export type Context = ReturnType<typeof createContextInner>;

const ANONYMOUS: Actor = { kind: "system", name: "anonymous" };

/** Per HTTP request: reads the bearer token or session cookie and renews a sliding session. */
export async function createContext({ req, resHeaders, deps }: { req: Request; resHeaders: Headers; deps: ServerDeps }): Promise<Context> {
  const request = readRequestMeta(req);
  const authCtx = { db: deps.database.db, clock: deps.clock, logger: deps.logger };
  const auth = await authenticateRequest(authCtx, { cookieHeader: req.headers.get("cookie"), authorizationHeader: req.headers.get("authorization") }, deps.sessionPolicy);
  if (auth.renewedSession) resHeaders.append("set-cookie", serializeSessionCookie(auth.renewedSession.token, auth.renewedSession.expiresAt, request, deps.clock()));
  return createContextInner({ deps, caller: auth.caller, via: auth.via, request, responseHeaders: resHeaders });
}

/** Procedure meta: the minimum role, set by the base procedure (tests read it to derive the denied cases). */
export type ProcedureMeta = { role: Role | "public" };

/** Ping interval of subscription streams. */
export const SSE_PING_MS = 10_000;
/** Longest life of one subscription stream before the client reconnects (and is authenticated again). */
export const SSE_MAX_DURATION_MS = 10 * 60_000;

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // superjson on the wire (the clients use superjson), written by a fast path for plain data.
    transformer: wireTransformer,
    // Subscriptions (events.live, operations.live) are Server-Sent Events on the same endpoint.
    sse: {
      // A comment-like ping keeps proxies from closing a quiet stream; a client that hears nothing
      // for three pings reconnects (resuming from the last tracked id).
      ping: { enabled: true, intervalMs: SSE_PING_MS },
      client: { reconnectAfterInactivityMs: 3 * SSE_PING_MS },
      // Credentials are checked when a stream opens: ending streams after a while makes every
      // client reconnect, and so a revoked session or token stops receiving within this time.
      maxDurationMs: SSE_MAX_DURATION_MS,
    },
    errorFormatter({ shape, error }) {
      // Never a stack; internal errors say nothing more than "internal error".
      const { stack: _stack, ...data } = shape.data;
      const cause = error.cause;
      return {
        ...shape,
        message: error.code === "INTERNAL_SERVER_ERROR" ? INTERNAL_ERROR_MESSAGE : shape.message,
        data: {
          ...data,
          zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
          issues: cause instanceof ValidationError ? cause.issues : null,
          retryAfterSeconds: cause instanceof RateLimitedError ? cause.retryAfterSeconds : null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Outermost: records every mutation with its outcome — allowed, denied (401/403/429) or failed. */
const audited = t.middleware(async ({ ctx, type, path, getRawInput, next }) => {
  if (type !== "mutation") return next();
  const result = await next();
  const code = result.ok ? undefined : result.error.code;
  const outcome = code === undefined ? "allowed" : code === "UNAUTHORIZED" || code === "FORBIDDEN" || code === "TOO_MANY_REQUESTS" ? "denied" : "failed";
  const entry = {
    actor: ctx.caller?.username ?? ANONYMOUS.name,
    tokenId: ctx.caller?.kind === "token" ? ctx.caller.tokenId : undefined,
    action: path,
    target: targetOf(await getRawInput().catch(() => undefined)),
    result: outcome,
    detail: code ? { code } : undefined,
  } as const;
  try {
    await recordAudit({ db: ctx.deps.database.db, clock: ctx.deps.clock }, entry);
  } catch (error) {
    // The action already happened (or was refused); losing its audit line must be loud, not change the answer.
    ctx.deps.logger.error({ err: error, audit: entry }, "writing the audit log failed");
  }
  return result;
});

/** Maps core errors to tRPC codes; unknown errors are logged here and leave as "internal error". */
const mappedErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (result.ok) return result;
  const { error, isUnexpected } = mapProcedureError(result.error);
  if (isUnexpected) ctx.deps.logger.error({ err: result.error.cause ?? result.error, path }, "procedure failed unexpectedly");
  throw error;
});

/** Cookie-authenticated mutations must come from this console's own pages (bearer calls carry no ambient credential). */
const sameOriginMutations = t.middleware(({ ctx, type, next }) => {
  if (type === "mutation" && ctx.via !== "bearer") {
    const problem = explainCrossSite(ctx.request);
    if (problem) throw new TRPCError({ code: "FORBIDDEN", message: `cross-site request refused: ${problem}` });
  }
  return next();
});

const base = t.procedure.use(audited).use(mappedErrors).use(sameOriginMutations);

/** The role a call needs: the base's, or a stricter one from the procedure's own meta. */
function requiredRole(minimum: Role | "public", meta: ProcedureMeta | undefined): Role | "public" {
  const declared = meta?.role ?? "public";
  if (minimum === "public") return declared;
  return declared === "public" || hasRole(minimum, declared) ? minimum : declared;
}

function authorize(caller: Caller | undefined, required: Role | "public"): void {
  if (required === "public") return;
  if (!caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in, or send an API token as 'Authorization: Bearer smo_…'" });
  if (!hasRole(caller.role, required)) throw new TRPCError({ code: "FORBIDDEN", message: `this action needs the ${required} role; you are ${caller.role}` });
}

function procedureFor(minimum: Role) {
  return base.meta({ role: minimum }).use(({ ctx, meta, next }) => {
    authorize(ctx.caller, requiredRole(minimum, meta));
    return next({ ctx: { caller: ctx.caller as Caller } });
  });
}

/** Anyone, signed in or not (sign-in, health). */
export const publicProcedure = base.meta({ role: "public" }).use(({ ctx, meta, next }) => {
  authorize(ctx.caller, requiredRole("public", meta));
  return next();
});
/** Signed-in users and tokens of any role: reads. */
export const viewerProcedure = procedureFor("viewer");
/** Operators and admins: lifecycle actions. */
export const operatorProcedure = procedureFor("operator");
/** Admins only: users, everyone's tokens, settings. */
export const adminProcedure = procedureFor("admin");

/** The audit target of a call: the first name-like field of its input. */
function targetOf(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const record = input as Record<string, unknown>;
  for (const key of ["name", "username", "graph", "cluster", "key", "id"]) {
    const value = record[key];
    if (typeof value === "string" || typeof value === "number") return String(value);
  }
  return undefined;
}

