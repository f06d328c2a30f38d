/**
 * The HTTP entry points, as plain fetch handlers (Request → Response): the Next.js route files
 * only export them, and tests serve them with node:http.
 */
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { checkHealth, type HealthReport } from "../lib/system";
import type { ServerDeps } from "./deps";
import { appRouter } from "./routers/_app";
import { createContext } from "./trpc";

export const TRPC_ENDPOINT = "/api/trpc";
/** Calls per batch; larger batches get a 400 before any context or procedure runs. Keep the client's link at or below it. */
export const MAX_BATCH_SIZE = 20;

/**
 * Request bodies above this are refused (413 PAYLOAD_TOO_LARGE) while they are read, before any
 * parsing: a batch carrying two descriptors at the core's 1 MiB limit each still fits.
 */
export const MAX_TRPC_BODY_BYTES = 4 * 1024 * 1024;

export function handleTrpcRequest(req: Request, deps: ServerDeps): Promise<Response> {
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: withBodyLimit(req, MAX_TRPC_BODY_BYTES),
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    // The console sends queries whose input is a whole descriptor (validate, compare) as POST; they stay reads.
    allowMethodOverride: true,
    createContext: ({ req, resHeaders }) => createContext({ req, resHeaders, deps }),
    onError({ error, path, type }) {
      // Errors inside procedures are logged by the mapping middleware; this catches the rest (context creation, parsing).
      if (error.code === "INTERNAL_SERVER_ERROR" && !path) deps.logger.error({ err: error.cause ?? error, type }, "tRPC request failed");
    },
  });
}

/** The request with a body that fails with PAYLOAD_TOO_LARGE past `limit` bytes (or at once when Content-Length says so). */
function withBodyLimit(req: Request, limit: number): Request {
  if (!req.body) return req;
  const tooLarge = () => new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `request body is larger than ${limit} bytes` });
  const declared = Number(req.headers.get("content-length"));
  let body: ReadableStream<Uint8Array>;
  if (Number.isFinite(declared) && declared > limit) {
    void req.body.cancel().catch(() => undefined);
    body = new ReadableStream({ start: (controller) => controller.error(tooLarge()) });
  } else {
    let size = 0;
    body = req.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > limit) controller.error(tooLarge());
          else controller.enqueue(chunk);
        },
      }),
    );
  }
  // duplex is required by undici for a streamed body; lib.dom's RequestInit does not know it yet.
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal, duplex: "half" } as RequestInit);
}

/**
 * GET /api/health, without authentication: 200 with each connection's state, 503 when the
 * database does not answer or the console could not start at all.
 */
export async function handleHealthRequest(loadDeps: () => Promise<ServerDeps>): Promise<Response> {
  let report: HealthReport;
  try {
    const deps = await loadDeps();
    report = await checkHealth({ db: deps.database.db, clients: deps.clients }, { databaseLocation: deps.database.location });
  } catch (error) {
    const notChecked = { ok: false, message: "not checked: the console did not start" };
    report = { status: "down", database: { ok: false, message: `the console did not start: ${describeStartFailure(error)}` }, karmada: notChecked, prometheus: notChecked, grafana: notChecked };
  }
  return Response.json(report, { status: report.database.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}

/** Configuration and database-open errors are written for operators and carry no secrets (URLs are redacted by createDb). */
function describeStartFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
