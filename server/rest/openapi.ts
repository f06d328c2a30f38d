/**
 * The OpenAPI 3.1 document of /api/v1, generated from the route table and its zod schemas (the
 * ones the handlers parse with), and a self-contained HTML page listing its operations.
 */
import { z } from "zod";
import { ProblemSchema } from "./schemas";

export type RouteAccess = "public" | "viewer" | "operator" | "webhook";

/** What the document needs of a route; routes.ts adds the handler. */
export type RouteSpec = {
  method: "GET" | "POST" | "DELETE";
  /** OpenAPI path template below /api/v1, e.g. `/graphs/{name}`. */
  path: string;
  operationId: string;
  summary: string;
  access: RouteAccess;
  params?: z.ZodObject;
  /** The request body's schema and the media types it is accepted as. */
  body?: { schema: z.ZodType; mediaTypes: string[]; required: boolean };
  responses: Record<number, { description: string; schema?: z.ZodType; mediaType?: string }>;
};

export const REST_BASE_PATH = "/api/v1";

const COMPONENT_PREFIX = "#/components/schemas/";
type JsonObject = Record<string, unknown>;

export function buildOpenApiDocument(routes: readonly RouteSpec[]): JsonObject {
  const components: Record<string, unknown> = {};
  const toSchema = (schema: z.ZodType): unknown => {
    const raw = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
    // Shared schemas (those with a meta id) become components: point their $defs references there.
    const generated = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', `"${COMPONENT_PREFIX}`)) as JsonObject;
    const { $defs, $schema: _dialect, id, ...rest } = generated as JsonObject & { $defs?: Record<string, unknown>; id?: string };
    if ($defs) Object.assign(components, $defs);
    // A schema with its own id becomes a component, referenced from here.
    if (typeof id === "string") {
      components[id] = rest;
      return { $ref: `${COMPONENT_PREFIX}${id}` };
    }
    return rest;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: JsonObject = { operationId: route.operationId, summary: route.summary, tags: [tagOf(route.path)] };
    if (route.params) {
      operation.parameters = Object.entries(route.params.shape).map(([name, schema]) => ({ name, in: "path", required: true, schema: toSchema(schema as z.ZodType) }));
    }
    if (route.body) {
      const schema = toSchema(route.body.schema);
      operation.requestBody = { required: route.body.required, content: Object.fromEntries(route.body.mediaTypes.map((type) => [type, { schema }])) };
    }
    operation.security = route.access === "public" ? [] : route.access === "webhook" ? [{ alertWebhookToken: [] }] : [{ bearerToken: [] }, { sessionCookie: [] }];
    if (route.access === "viewer" || route.access === "operator") operation["x-smo-role"] = route.access;
    const responses: JsonObject = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = response.schema
        ? { description: response.description, content: { [response.mediaType ?? "application/json"]: { schema: toSchema(response.schema) } } }
        : { description: response.description };
    }
    const problem = { content: { "application/problem+json": { schema: toSchema(ProblemSchema) } } };
    responses.default = { description: "An error, as RFC 9457 problem details", ...problem };
    operation.responses = responses;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: "3.1.0",
    info: { title: "SMO Console REST API", version: "1.0.0", description: "The SMO-compatible REST API (the original smo-web's contract). Errors are application/problem+json." },
    servers: [{ url: REST_BASE_PATH }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: "An API token (smo_…) created in the console" },
        sessionCookie: { type: "apiKey", in: "cookie", name: "smo_session" },
        alertWebhookToken: { type: "http", scheme: "bearer", description: "SMO_ALERT_WEBHOOK_TOKEN, for Alertmanager only" },
      },
    },
  };
}

function tagOf(path: string): string {
  return path.split("/")[1] ?? "api";
}

/** A page listing every operation of the document: no scripts, no external resources. */
export function renderDocsPage(document: JsonObject): string {
  const paths = document.paths as Record<string, Record<string, { summary?: string; operationId?: string; "x-smo-role"?: string; security?: unknown[] }>>;
  const rows: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const access = operation["x-smo-role"] ?? (operation.security?.length ? "webhook token" : "public");
      rows.push(
        `<tr><td class="method">${escapeHtml(method.toUpperCase())}</td><td><code>${escapeHtml(REST_BASE_PATH + path)}</code></td><td>${escapeHtml(operation.summary ?? "")}</td><td>${escapeHtml(access)}</td></tr>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SMO Console REST API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2937}table{border-collapse:collapse}td,th{border-bottom:1px solid #e5e7eb;padding:.4rem .8rem;text-align:left}.method{font-weight:600}</style>
</head><body>
<h1>SMO Console REST API</h1>
<p>The machine-readable document: <a href="${REST_BASE_PATH}/openapi.json">${REST_BASE_PATH}/openapi.json</a>. Authenticate with <code>Authorization: Bearer smo_…</code>. Errors are <code>application/problem+json</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Summary</th><th>Access</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
