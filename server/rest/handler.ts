/**
 * The SMO-compatible REST API (SPEC §8), base /api/v1, as one framework-free fetch handler:
 * route table → authentication (bearer token or session, the tRPC layer's; the Alertmanager
 * webhook by its own token) → role → body (capped) → core verb → JSON or problem+json.
 * Lifecycle requests answer 202 once their durable operation is recorded; it runs in the background.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { actorOf, authenticateRequest, hasRole, recordAudit, serializeSessionCookie, type Authentication, type Caller } from "../../lib/auth";
import { handleAlertmanagerNotification } from "../../lib/alerts/webhook";
import { listClusters } from "../../lib/clusters";
import type { Actor, CoreContext } from "../../lib/context";
import { ValidationError } from "../../lib/errors";
import { deployGraph, GRAPH_PAGE_SIZE, listGraphs, removeGraph, replaceGraph, startGraph, stopGraph, type DescriptorSource, type GraphPage } from "../../lib/graphs";
import type { OperationRecord } from "../../lib/operations";
import { createCoreContext, type ServerDeps } from "../deps";
import { explainCrossSite, readRequestMeta, type RequestMeta } from "../request";
import { bodyFormatOf, MAX_BODY_BYTES, MAX_WEBHOOK_BODY_BYTES, parseJsonBody, readBodyText } from "./body";
import { clusterJson, readGraphJson, readGraphsJson } from "./graph-json";
import { buildOpenApiDocument, renderDocsPage, REST_BASE_PATH, type RouteSpec } from "./openapi";
import { errorResponse, HttpProblem, problemResponse, webhookStatusOf } from "./problem";
import {
  AlertmanagerBodySchema,
  AlertsResultSchema,
  ClusterSchema,
  DescriptorBodySchema,
  GraphParamsSchema,
  GraphSchema,
  PlacementBodySchema,
  ProjectParamsSchema,
  type GraphJson,
} from "./schemas";

type Call = {
  request: Request;
  deps: ServerDeps;
  params: Record<string, string>;
  caller?: Caller;
  /** The core context acting as the caller (or as Alertmanager for the webhook). */
  core: () => Promise<CoreContext>;
  /** The audit target, set by mutating handlers once they know it. */
  audit: { target?: string };
};

type Route = RouteSpec & { handle: (call: Call) => Promise<Response> };

const GRAPH_MEDIA_TYPES = ["application/json", "application/yaml", "text/yaml"];
const ALERTMANAGER_ACTOR: Actor = { kind: "system", name: "alertmanager" };
const ANONYMOUS = "anonymous";

const lifecycleResponses = {
  202: { description: "Accepted: the operation is recorded and runs in the background; read the graph to follow it", schema: GraphSchema },
} as const;

export const REST_ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/clusters",
    operationId: "listClusters",
    summary: "Member clusters with their available capacity",
    access: "viewer",
    responses: { 200: { description: "The clusters", schema: z.array(ClusterSchema) } },
    handle: async ({ core }) => json(200, (await listClusters(await core())).map(clusterJson)),
  },
  {
    method: "GET",
    path: "/project/{project}/graphs",
    operationId: "listProjectGraphs",
    summary: "The graphs of a project",
    access: "viewer",
    params: ProjectParamsSchema,
    responses: { 200: { description: "The project's graphs", schema: z.array(GraphSchema) } },
    handle: async ({ core, params }) => {
      // The original answers the whole list; it is read a page at a time, three queries a page.
      const ctx = await core();
      const all: GraphJson[] = [];
      let cursor: string | null = null;
      do {
        const page: GraphPage = await listGraphs(ctx, { project: params.project, limit: GRAPH_PAGE_SIZE.max, cursor });
        all.push(...(await readGraphsJson(ctx, page.items.map((graph) => graph.name))));
        cursor = page.nextCursor;
      } while (cursor);
      return json(200, all);
    },
  },
  {
    method: "POST",
    path: "/project/{project}/graphs",
    operationId: "deployGraph",
    summary: "Deploy a graph from a descriptor (JSON or YAML) or an OCI artifact",
    access: "operator",
    params: ProjectParamsSchema,
    body: { schema: DescriptorBodySchema, mediaTypes: GRAPH_MEDIA_TYPES, required: true },
    responses: { 202: { description: "Accepted: the graph is recorded and deploying; Location names it", schema: GraphSchema } },
    handle: async ({ request, core, params, audit }) => {
      audit.target = params.project;
      const descriptor = await readDescriptorBody(request);
      const ctx = await core();
      const result = await deployGraph(ctx, { project: params.project!, descriptor, wait: false });
      watchOperation(ctx, result.done, result.graph.graph.name);
      audit.target = result.graph.graph.name;
      return accepted(await readGraphJson(ctx, result.graph.graph.name, result.operation));
    },
  },
  {
    method: "GET",
    path: "/graphs/{name}",
    operationId: "getGraph",
    summary: "A graph with its services and placement",
    access: "viewer",
    params: GraphParamsSchema,
    responses: { 200: { description: "The graph", schema: GraphSchema } },
    handle: async ({ core, params }) => json(200, await readGraphJson(await core(), params.name!)),
  },
  {
    method: "DELETE",
    path: "/graphs/{name}",
    operationId: "removeGraph",
    summary: "Remove a graph: uninstall its services, delete its dashboards, forget it",
    access: "operator",
    params: GraphParamsSchema,
    responses: { 202: { description: "Accepted: the graph is Removing; GET answers 404 once it is gone", schema: GraphSchema } },
    handle: (call) => runLifecycle(call, removeGraph),
  },
  ...(
    [
      ["start", "startGraph", "Start a stopped graph: install its services again", startGraph],
      ["stop", "stopGraph", "Stop a graph: uninstall its services, keep the graph", stopGraph],
    ] as const
  ).map(
    ([action, operationId, summary, verb]): Route => ({
      method: "POST",
      path: `/graphs/{name}/${action}`,
      operationId,
      summary,
      access: "operator",
      params: GraphParamsSchema,
      responses: lifecycleResponses,
      handle: (call) => runLifecycle(call, verb),
    }),
  ),
  {
    method: "POST",
    path: "/graphs/{name}/placement",
    operationId: "replaceGraph",
    summary: "Place the graph's services again on the current federation and move those that change",
    access: "operator",
    params: GraphParamsSchema,
    body: { schema: PlacementBodySchema, mediaTypes: ["application/json"], required: false },
    responses: lifecycleResponses,
    handle: async (call) => {
      const text = await readBodyText(call.request, MAX_BODY_BYTES);
      const options = text.trim() === "" ? {} : parseWith(PlacementBodySchema, parseJsonBody(text));
      return runLifecycle(call, (ctx, input) => replaceGraph(ctx, { ...input, ...options }));
    },
  },
  {
    method: "POST",
    path: "/alerts",
    operationId: "receiveAlerts",
    summary: "Alertmanager webhook: deploys event-triggered services whose alerts fire",
    access: "webhook",
    body: { schema: AlertmanagerBodySchema, mediaTypes: ["application/json"], required: true },
    responses: { 200: { description: "What was done for each alert (repeated notifications change nothing)", schema: AlertsResultSchema } },
    handle: async ({ request, core, audit }) => {
      const payload = parseJsonBody(await readBodyText(request, MAX_WEBHOOK_BODY_BYTES));
      audit.target = typeof (payload as { groupKey?: unknown }).groupKey === "string" ? (payload as { groupKey: string }).groupKey : undefined;
      // Alertmanager waits 10 s by default: answer once the deployments are recorded, not done.
      const alerts = await handleAlertmanagerNotification(await core(), payload, { wait: false });
      return json(200, { alerts });
    },
  },
  {
    method: "GET",
    path: "/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This API's OpenAPI 3.1 document",
    access: "public",
    responses: { 200: { description: "The document" } },
    handle: async () => json(200, openApiDocument()),
  },
  {
    method: "GET",
    path: "/docs",
    operationId: "getApiDocs",
    summary: "A page listing this API's operations",
    access: "public",
    responses: { 200: { description: "HTML", mediaType: "text/html" } },
    handle: async () => new Response(renderDocsPage(openApiDocument()), { status: 200, headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'" } }),
  },
];

let cachedDocument: Record<string, unknown> | undefined;
/** The document is a pure function of the route table: built once per process. */
export function openApiDocument(): Record<string, unknown> {
  cachedDocument ??= buildOpenApiDocument(REST_ROUTES);
  return cachedDocument;
}

/** Handles one request under /api/v1 (the Next.js catch-all route and tests call it). */
export async function handleRestRequest(request: Request, deps: ServerDeps): Promise<Response> {
  const url = new URL(request.url);
  const instance = url.pathname;
  const match = matchRoute(request.method, url.pathname);
  if (match.kind === "not-found") return problemResponse(404, `no resource at ${url.pathname}`, instance);
  if (match.kind === "method-not-allowed") {
    return problemResponse(405, `${request.method} is not allowed on ${url.pathname}; allowed: ${match.allow.join(", ")}`, instance, { headers: { allow: match.allow.join(", ") } });
  }
  const { route, params } = match;
  const isMutation = route.method !== "GET";
  const audit: Call["audit"] = { target: params.name ?? params.project };
  const responseHeaders = new Headers();
  let caller: Caller | undefined;
  let response: Response;
  try {
    if (route.params) {
      const parsed = route.params.safeParse(params);
      if (!parsed.success) throw new ValidationError(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })));
    }
    let actor: Actor | undefined;
    if (route.access === "webhook") {
      authorizeWebhook(request, deps);
      actor = ALERTMANAGER_ACTOR;
    } else if (route.access !== "public") {
      const auth = await authenticate(request, deps, responseHeaders);
      caller = auth.caller;
      authorize(caller, auth.via, route.access, isMutation ? readRequestMeta(request) : undefined);
      actor = actorOf(caller);
    }
    const call: Call = { request, deps, params, caller, audit, core: () => createCoreContext(deps, actor ?? { kind: "system", name: ANONYMOUS }) };
    response = await route.handle(call);
  } catch (error) {
    response = errorResponse(error, instance, deps.logger, route.access === "webhook" ? webhookStatusOf : undefined);
  }
  responseHeaders.forEach((value, name) => response.headers.append(name, value));
  if (isMutation) await auditRequest(deps, route, caller, audit.target, response.status);
  return response;
}

type RouteMatch = { kind: "found"; route: Route; params: Record<string, string> } | { kind: "not-found" } | { kind: "method-not-allowed"; allow: string[] };

function matchRoute(method: string, pathname: string): RouteMatch {
  if (pathname !== REST_BASE_PATH && !pathname.startsWith(`${REST_BASE_PATH}/`)) return { kind: "not-found" };
  const segments = pathname.slice(REST_BASE_PATH.length).split("/").filter(Boolean);
  const allow = new Set<string>();
  for (const route of REST_ROUTES) {
    const params = matchPath(route.path, segments);
    if (!params) continue;
    if (route.method === method || (method === "HEAD" && route.method === "GET")) return { kind: "found", route, params };
    allow.add(route.method);
  }
  return allow.size ? { kind: "method-not-allowed", allow: [...allow].sort() } : { kind: "not-found" };
}

function matchPath(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split("/").filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index]!;
    if (part.startsWith("{")) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        decoded = segment;
      }
      params[part.slice(1, -1)] = decoded;
    } else if (part !== segment) return undefined;
  }
  return params;
}

/** The tRPC layer's authentication: bearer token or session cookie, with the sliding session renewed. */
async function authenticate(request: Request, deps: ServerDeps, responseHeaders: Headers): Promise<{ caller: Caller; via: Authentication["via"] }> {
  const auth = await authenticateRequest(
    { db: deps.database.db, clock: deps.clock, logger: deps.logger },
    { cookieHeader: request.headers.get("cookie"), authorizationHeader: request.headers.get("authorization") },
    deps.sessionPolicy,
  );
  if (auth.renewedSession) responseHeaders.append("set-cookie", serializeSessionCookie(auth.renewedSession.token, auth.renewedSession.expiresAt, readRequestMeta(request), deps.clock()));
  if (!auth.caller) throw new HttpProblem(401, "sign in, or send an API token as 'Authorization: Bearer smo_…'", { headers: { "www-authenticate": 'Bearer realm="smo"' } });
  return { caller: auth.caller, via: auth.via };
}

function authorize(caller: Caller, via: Authentication["via"], required: "viewer" | "operator", mutation: RequestMeta | undefined): void {
  if (!hasRole(caller.role, required)) throw new HttpProblem(403, `this action needs the ${required} role; you are ${caller.role}`);
  // Cookie-borne mutations must come from the console's own pages; bearer calls carry no ambient credential.
  if (mutation && via !== "bearer") {
    const problem = explainCrossSite(mutation);
    if (problem) throw new HttpProblem(403, `cross-site request refused: ${problem}`);
  }
}

/** Alertmanager's own bearer token, compared in constant time (digests, so lengths leak nothing either). */
function authorizeWebhook(request: Request, deps: ServerDeps): void {
  const expected = deps.config.alertWebhookToken;
  if (!expected) throw new HttpProblem(503, "webhook not configured: set SMO_ALERT_WEBHOOK_TOKEN");
  const presented = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]?.trim() ?? "";
  const digest = (value: string) => createHash("sha256").update(value).digest();
  if (!presented || !timingSafeEqual(digest(presented), digest(expected))) {
    throw new HttpProblem(401, "the webhook needs 'Authorization: Bearer <SMO_ALERT_WEBHOOK_TOKEN>'", { headers: { "www-authenticate": 'Bearer realm="smo-alerts"' } });
  }
}

async function readDescriptorBody(request: Request): Promise<DescriptorSource> {
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (text.trim() === "") throw new HttpProblem(400, "the body must be a graph descriptor (JSON or YAML) or {\"artifact\": \"oci://…\"}", { errors: [{ path: "", message: "empty body" }] });
  if (bodyFormatOf(request.headers.get("content-type"), text) === "yaml") return { text };
  const value = parseJsonBody(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ValidationError([{ path: "", message: "must be a JSON object" }]);
  if ("artifact" in value) return parseWith(DescriptorBodySchema.options[0], value);
  // JSON is YAML: the core parses the text itself, so positions in its messages match what was sent.
  return { text };
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })));
  return parsed.data;
}

type LifecycleVerb = (ctx: CoreContext, input: { graphName: string; wait?: boolean }) => Promise<{ operation: OperationRecord; done: Promise<unknown> }>;

async function runLifecycle(call: Call, verb: LifecycleVerb): Promise<Response> {
  const name = call.params.name!;
  const ctx = await call.core();
  const result = await verb(ctx, { graphName: name, wait: false });
  watchOperation(ctx, result.done, name);
  return accepted(await readGraphJson(ctx, name, result.operation));
}

/** The operation records its own failure; this only keeps a rejected `done` from going unhandled. */
function watchOperation(ctx: CoreContext, done: Promise<unknown>, graph: string): void {
  done.catch((error: unknown) => ctx.logger.warn({ err: error, graph }, "graph operation started over REST failed"));
}

function accepted(graph: GraphJson): Response {
  return json(202, graph, { location: `${REST_BASE_PATH}/graphs/${encodeURIComponent(graph.name)}` });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });
}

/** Every mutation, allowed or not, gets the tRPC layer's audit line. */
async function auditRequest(deps: ServerDeps, route: Route, caller: Caller | undefined, target: string | undefined, status: number): Promise<void> {
  const outcome = status < 400 ? "allowed" : status === 401 || status === 403 || status === 429 ? "denied" : "failed";
  const entry = {
    actor: route.access === "webhook" ? ALERTMANAGER_ACTOR.name : (caller?.username ?? ANONYMOUS),
    tokenId: caller?.kind === "token" ? caller.tokenId : undefined,
    action: `rest.${route.operationId}`,
    target,
    result: outcome,
    detail: outcome === "allowed" ? undefined : { status },
  } as const;
  try {
    await recordAudit({ db: deps.database.db, clock: deps.clock }, entry);
  } catch (error) {
    deps.logger.error({ err: error, audit: entry }, "writing the audit log failed");
  }
}
