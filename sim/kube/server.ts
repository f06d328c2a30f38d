/**
 * HTTP routing of the emulated Karmada API server: bearer-token auth, discovery, the resource
 * paths (`/api/v1/...`, `/apis/<group>/<version>/...`) with their verbs and subresources,
 * watches, Table output for kubectl, and the sandbox control paths under `/sim/v1/`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { Logger } from "../../lib/logger";
import type { KubeApi, WriteOptions } from "./api";
import { apiGroupDocument, apiGroupListDocument, apiResourceListDocument, apiVersionsDocument, SERVER_VERSION, tableOf } from "./discovery";
import { openApiGroupVersionDocument, openApiIndexDocument } from "./openapi";
import { acceptedPatchTypes, patchKindOf } from "./patch";
import { apiVersionOf, findResourceType, type KubeObject, type ResourceType } from "./resources";
import { matchesFields, matchesRequirements, parseFieldSelector, parseLabelSelector } from "./selectors";
import {
  badRequest,
  genericNotFound,
  internalError,
  KubeStatusError,
  methodNotAllowed,
  unauthorized,
  unsupportedMediaType,
} from "./status";
import type { ObjectStore, StoreEvent } from "./store";

/** A sandbox control request (`/sim/v1/...`), answered by the emulator itself. */
export type ControlResponse = { status: number; body: unknown };
export type ControlHandler = (method: string, segments: string[], body: unknown) => ControlResponse;

export type KubeServerOptions = { api: KubeApi; store: ObjectStore; token: string; control: ControlHandler; logger?: Logger };

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_WATCH_SECONDS = 1800;

type ResourceRoute = { type: ResourceType; namespace?: string; name?: string; subresource?: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

/** Typed objects print kind first, CRs apiVersion first, as the real servers serialize them. */
function present(type: ResourceType, object: KubeObject): KubeObject {
  const { kind, apiVersion, ...rest } = object;
  return type.isCustomResource ? ({ apiVersion, kind, ...rest } as KubeObject) : ({ kind, apiVersion, ...rest } as KubeObject);
}

function listOf(type: ResourceType, items: KubeObject[], resourceVersion: string, continueToken?: string, remaining?: number): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (type.isCustomResource) metadata.continue = continueToken ?? "";
  else if (continueToken) metadata.continue = continueToken;
  metadata.resourceVersion = resourceVersion;
  if (remaining !== undefined) metadata.remainingItemCount = remaining;
  if (type.isCustomResource) return { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata, items: items.map((item) => present(type, item)) };
  // Items of typed lists carry no kind/apiVersion.
  const bare = items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  return { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata, items: bare };
}

function wantsTable(request: IncomingMessage): boolean {
  const accept = request.headers.accept ?? "";
  return accept
    .split(",")
    .map((part) => part.trim())
    .some((part) => /(^|;)\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part) && /v=v1(;|$)/.test(part));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new KubeStatusError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the request body is too large", reason: "RequestEntityTooLarge", code: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function mediaTypeOf(request: IncomingMessage): string {
  return (request.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
}

/** Decodes a create/update body (JSON or YAML). */
function decodeObjectBody(request: IncomingMessage, text: string): unknown {
  const media = mediaTypeOf(request);
  if (text.trim() === "") return undefined;
  if (media === "application/yaml") {
    try {
      return parseYaml(text) as unknown;
    } catch (error) {
      throw badRequest(`the body of the request could not be decoded as YAML: ${(error as Error).message}`);
    }
  }
  if (media !== "application/json" && media !== "*/*") throw unsupportedMediaType(["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

function decodePatchBody(kind: string, text: string): unknown {
  try {
    return kind === "apply" ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

function writeOptionsOf(query: URLSearchParams): WriteOptions {
  const dryRun = query.getAll("dryRun");
  for (const value of dryRun) if (value !== "All") throw badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  return { dryRun: dryRun.length > 0 };
}

/** Resolves `/api/v1/...` or `/apis/<g>/<v>/...` into a resource route; undefined for unknown paths. */
function resolveResourceRoute(group: string, version: string, rest: string[]): ResourceRoute | undefined {
  if (rest.length === 0) return undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const type = findResourceType(group, version, rest[2]!);
    if (type?.namespaced) {
      if (rest.length > 5) return undefined;
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
  }
  const type = findResourceType(group, version, rest[0]!);
  if (!type || rest.length > 3) return undefined;
  if (type.namespaced && rest.length > 1) return undefined;
  return { type, name: rest[1], subresource: rest[2] };
}

export type KubeRequestHandler = {
  handle: (request: IncomingMessage, response: ServerResponse) => void;
  /** Ends open watch streams (so that closing the server does not wait for them). */
  endWatches: () => void;
};

export function createKubeRequestHandler(options: KubeServerOptions): KubeRequestHandler {
  const { api, store, token } = options;
  const watches = new Set<ServerResponse>();

  const handleWatch = (request: IncomingMessage, response: ServerResponse, route: ResourceRoute, query: URLSearchParams): void => {
    const labels = parseLabelSelector(query.get("labelSelector") ?? "");
    const supported = ["metadata.name", ...(route.type.namespaced ? ["metadata.namespace"] : [])];
    const fields = parseFieldSelector(query.get("fieldSelector") ?? "", supported);
    const asTable = wantsTable(request);
    const matches = (object: KubeObject) =>
      (route.namespace === undefined || object.metadata.namespace === route.namespace) &&
      matchesRequirements(object.metadata.labels, labels) &&
      matchesFields({ "metadata.name": object.metadata.name ?? "", "metadata.namespace": object.metadata.namespace ?? "" }, fields);
    const render = (object: KubeObject) =>
      asTable ? tableOf(route.type, [object], object.metadata.resourceVersion ?? "") : present(route.type, object);
    response.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    // Clients wait for the headers before they read events.
    response.flushHeaders();
    const send = (type: string, object: unknown) => response.write(`${JSON.stringify({ type, object })}\n`);
    const resourceVersion = query.get("resourceVersion") ?? "";
    const sendInitial = query.get("sendInitialEvents") === "true" || resourceVersion === "" || resourceVersion === "0";
    if (!sendInitial) {
      const since = Number(resourceVersion);
      const replay = Number.isInteger(since) && since >= 0 ? store.eventsSince(since) : "expired";
      if (replay === "expired") {
        // The client must list again: what a real API server says when the watch cache moved on.
        send("ERROR", {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: `too old resource version: ${resourceVersion} (${store.currentResourceVersion()})`,
          reason: "Expired",
          code: 410,
        });
        response.end();
        return;
      }
      for (const event of replay) if (event.resource === route.type && matches(event.object)) send(event.type, render(event.object));
    }
    if (sendInitial) {
      for (const object of store.list(route.type, route.namespace)) if (matches(object)) send("ADDED", render(object));
      if (query.get("sendInitialEvents") === "true") {
        send("BOOKMARK", {
          kind: route.type.kind,
          apiVersion: apiVersionOf(route.type),
          metadata: { resourceVersion: store.currentResourceVersion(), annotations: { "k8s.io/initial-events-end": "true" } },
        });
      }
    }
    const listener = (event: StoreEvent) => {
      if (event.resource === route.type && matches(event.object)) send(event.type, render(event.object));
    };
    const unsubscribe = store.subscribe(listener);
    const requested = Number(query.get("timeoutSeconds") ?? MAX_WATCH_SECONDS);
    const timeout = setTimeout(() => response.end(), Math.min(Number.isFinite(requested) && requested > 0 ? requested : MAX_WATCH_SECONDS, MAX_WATCH_SECONDS) * 1000);
    watches.add(response);
    const finish = () => {
      clearTimeout(timeout);
      unsubscribe();
      watches.delete(response);
    };
    response.on("close", finish);
  };

  const handleResource = async (request: IncomingMessage, response: ServerResponse, route: ResourceRoute, query: URLSearchParams): Promise<void> => {
    const method = request.method ?? "GET";
    const { type, namespace, name, subresource } = route;
    if (subresource !== undefined && !type.subresources.includes(subresource as "status" | "scale")) throw genericNotFound();
    if (name === undefined) {
      // Collection paths.
      const isWatch = query.get("watch") === "true" || query.get("watch") === "1";
      if (method === "GET" && isWatch) return handleWatch(request, response, route, query);
      if (method === "GET") {
        const limit = query.get("limit");
        const result = api.list(type, namespace, {
          labelSelector: query.get("labelSelector") ?? undefined,
          fieldSelector: query.get("fieldSelector") ?? undefined,
          limit: limit ? Number(limit) : undefined,
          continueToken: query.get("continue") ?? undefined,
        });
        if (wantsTable(request)) return sendJson(response, 200, tableOf(type, result.items, result.resourceVersion, result.continueToken));
        return sendJson(response, 200, listOf(type, result.items, result.resourceVersion, result.continueToken, result.remainingItemCount));
      }
      if (type.namespaced && namespace === undefined) throw methodNotAllowed();
      if (method === "POST") {
        const body = decodeObjectBody(request, await readBody(request));
        return sendJson(response, 201, present(type, api.create(type, namespace, body, writeOptionsOf(query))));
      }
      if (method === "DELETE") {
        const options = writeOptionsOf(query);
        const { items } = api.list(type, namespace, { labelSelector: query.get("labelSelector") ?? undefined, fieldSelector: query.get("fieldSelector") ?? undefined });
        const deleted: KubeObject[] = [];
        for (const item of items) {
          api.delete(type, item.metadata.namespace, item.metadata.name!, undefined, options);
          deleted.push(item);
        }
        return sendJson(response, 200, listOf(type, deleted, store.currentResourceVersion()));
      }
      throw methodNotAllowed();
    }
    const options = () => writeOptionsOf(query);
    if (subresource === "scale") {
      if (method === "GET") return sendJson(response, 200, api.getScale(type, namespace!, name));
      if (method === "PUT") return sendJson(response, 200, api.updateScale(type, namespace!, name, decodeObjectBody(request, await readBody(request)), options()));
      if (method === "PATCH") {
        const kind = patchKindFor(request, type, query);
        const patch = decodePatchBody(kind, await readBody(request));
        return sendJson(response, 200, api.patchScale(type, namespace!, name, kind, patch, options()));
      }
      throw methodNotAllowed();
    }
    const status = subresource === "status" ? "status" : undefined;
    switch (method) {
      case "GET": {
        const object = api.get(type, namespace, name);
        if (wantsTable(request) && !status) return sendJson(response, 200, tableOf(type, [object], object.metadata.resourceVersion ?? ""));
        return sendJson(response, 200, present(type, object));
      }
      case "PUT": {
        const body = decodeObjectBody(request, await readBody(request));
        return sendJson(response, 200, present(type, api.update(type, namespace, name, body, options(), status)));
      }
      case "PATCH": {
        const kind = patchKindFor(request, type, query);
        const patch = decodePatchBody(kind, await readBody(request));
        const result = api.patch(type, namespace, name, kind, patch, options(), status);
        return sendJson(response, result.created ? 201 : 200, present(type, result.object));
      }
      case "DELETE": {
        if (status) throw methodNotAllowed();
        const text = await readBody(request);
        const body = text.trim() ? decodeObjectBody(request, text) : undefined;
        const result = api.delete(type, namespace, name, body, options());
        return sendJson(response, 200, result.kind === "Status" ? result : present(type, result as KubeObject));
      }
      default:
        throw methodNotAllowed();
    }
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const segments = url.pathname.split("/").filter((segment) => segment !== "").map(decodeURIComponent);
    const path = `/${segments.join("/")}`;
    if (["/healthz", "/livez", "/readyz"].includes(path)) {
      response.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      response.end("ok");
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) throw unauthorized();
    const method = request.method ?? "GET";
    if (segments[0] === "sim" && segments[1] === "v1") {
      let body: unknown;
      if (method === "POST" || method === "PUT" || method === "PATCH") {
        const text = await readBody(request);
        try {
          body = text.trim() ? (JSON.parse(text) as unknown) : {};
        } catch (error) {
          throw new HttpError(400, { error: `the body is not valid JSON: ${(error as Error).message}` });
        }
      }
      const result = options.control(method, segments.slice(2), body);
      return sendJson(response, result.status, result.body);
    }
    if (path === "/version") return sendJson(response, 200, SERVER_VERSION);
    if (path === "/openapi/v3") return sendJson(response, 200, openApiIndexDocument());
    if (segments[0] === "openapi" && segments[1] === "v3") {
      const [root, group, version] = segments[2] === "api" ? ["api", "", segments[3]] : [segments[2], segments[3], segments[4]];
      const expectedLength = root === "api" ? 4 : 5;
      const document = segments.length === expectedLength && version ? openApiGroupVersionDocument(group ?? "", version) : undefined;
      if (!document) throw genericNotFound();
      return sendJson(response, 200, document);
    }
    if (segments[0] === "api") {
      if (segments.length === 1) return sendJson(response, 200, apiVersionsDocument(request.headers.host ?? "127.0.0.1"));
      const version = segments[1]!;
      if (segments.length === 2) {
        const document = apiResourceListDocument("", version);
        if (!document) throw genericNotFound();
        return sendJson(response, 200, document);
      }
      const resourceRoute = resolveResourceRoute("", version, stripWatch(segments.slice(2), url.searchParams));
      if (!resourceRoute) throw genericNotFound();
      return handleResource(request, response, resourceRoute, url.searchParams);
    }
    if (segments[0] === "apis") {
      if (segments.length === 1) return sendJson(response, 200, apiGroupListDocument());
      if (segments.length === 2) {
        const document = apiGroupDocument(segments[1]!);
        if (!document) throw genericNotFound();
        return sendJson(response, 200, document);
      }
      if (segments.length === 3) {
        const document = apiResourceListDocument(segments[1]!, segments[2]!);
        if (!document) throw genericNotFound();
        return sendJson(response, 200, document);
      }
      const resourceRoute = resolveResourceRoute(segments[1]!, segments[2]!, stripWatch(segments.slice(3), url.searchParams));
      if (!resourceRoute) throw genericNotFound();
      return handleResource(request, response, resourceRoute, url.searchParams);
    }
    throw genericNotFound();
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.end();
        return;
      }
      if (error instanceof KubeStatusError) return sendJson(response, error.code, error.body);
      if (error instanceof HttpError) return sendJson(response, error.status, error.body);
      options.logger?.error({ err: error, method: request.method, url: request.url }, "kube emulator request failed");
      const failure = internalError(error instanceof Error ? error.message : String(error));
      sendJson(response, failure.code, failure.body);
    });
  };
  const endWatches = () => {
    for (const watch of watches) watch.end();
  };
  return { handle, endWatches };
}

/** Legacy `/watch/` path prefix → `?watch=true`. */
function stripWatch(rest: string[], query: URLSearchParams): string[] {
  if (rest[0] !== "watch") return rest;
  query.set("watch", "true");
  return rest.slice(1);
}

function patchKindFor(request: IncomingMessage, type: ResourceType, query: URLSearchParams) {
  const contentType = request.headers["content-type"] ?? "";
  const kind = patchKindOf(contentType);
  const accepted = acceptedPatchTypes(type.isCustomResource);
  if (!kind || (kind === "strategic" && type.isCustomResource)) throw unsupportedMediaType(accepted);
  if (kind === "apply" && !query.get("fieldManager")) {
    throw new KubeStatusError({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: "Invalid",
      details: { group: "meta.k8s.io", kind: "PatchOptions", causes: [{ reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }] },
      code: 422,
    });
  }
  return kind;
}
