/**
 * Grafana HTTP API client for what SMO needs: publish (create or overwrite) dashboards, read
 * and delete them by uid, and check the connection. Failures become UpstreamError("grafana")
 * with Grafana's own message and status (`version-mismatch`, `empty-name`, …) as the reason.
 */

import { describeNetworkError, previewBody } from "../http";
import { z } from "zod";
import { UpstreamError, ValidationError } from "../errors";
import { explainInvalidUid } from "./names";

export type GrafanaAuth = { kind: "basic"; user: string; password: string } | { kind: "token"; token: string };

export type GrafanaClientOptions = {
  url: string;
  auth: GrafanaAuth;
  fetch?: typeof fetch;
  /** Per-request deadline. Default 10 s. */
  timeoutMs?: number;
};

/** Any dashboard model: an SDK-built `Dashboard` or plain JSON with at least a title. */
export type DashboardModel = { title?: string; uid?: string; id?: number | null; version?: number };

export type PublishOptions = { folderUid?: string; message?: string };
export type PublishedDashboard = { id: number; uid: string; url: string; slug: string; version: number };
export type StoredDashboard = {
  dashboard: Record<string, unknown> & { uid: string; title: string; version: number };
  meta: { slug: string; url: string; version: number; folderUid?: string; folderTitle?: string; created?: string; updated?: string };
};
export type GrafanaHealth = { version: string | undefined; database: string | undefined };

export type GrafanaClient = {
  readonly url: string;
  /** POST /api/dashboards/db with overwrite: creates the dashboard or replaces it, whatever its version. */
  publishDashboard(dashboard: DashboardModel, options?: PublishOptions): Promise<PublishedDashboard>;
  /** The dashboard with its meta, or undefined when Grafana has none with this uid. */
  getDashboard(uid: string): Promise<StoredDashboard | undefined>;
  /** Deletes the dashboard; deleting one that does not exist succeeds. */
  deleteDashboard(uid: string): Promise<void>;
  /** Checks that Grafana answers (/api/health) and accepts the credentials. */
  ping(): Promise<GrafanaHealth>;
};

const PublishResponseSchema = z.object({ id: z.number(), uid: z.string(), url: z.string(), slug: z.string(), version: z.number() });
const StoredDashboardSchema = z.object({
  dashboard: z.object({ uid: z.string(), title: z.string(), version: z.number() }).loose(),
  meta: z
    .object({
      slug: z.string(),
      url: z.string(),
      version: z.number(),
      folderUid: z.string().optional(),
      folderTitle: z.string().optional(),
      created: z.string().optional(),
      updated: z.string().optional(),
    })
    .loose(),
});
const ErrorBodySchema = z.object({ message: z.string().optional(), status: z.string().optional(), messageId: z.string().optional() }).loose();
const HealthSchema = z.object({ version: z.string().optional(), database: z.string().optional() }).loose();

export function createGrafanaClient(options: GrafanaClientOptions): GrafanaClient {
  const baseUrl = normaliseUrl(options.url);
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const authorization = authorizationHeader(options.auth);

  async function request(action: string, method: string, path: string, body?: unknown, authenticated = true): Promise<{ status: number; json: unknown; text: string }> {
    const url = `${baseUrl}${path}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (authenticated) headers.authorization = authorization;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new UpstreamError("grafana", `${action}: ${method} ${url} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkError(error)}`, {
        reason: timedOut ? "timeout" : "unreachable",
        cause: error,
      });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }

  function fail(action: string, answer: { status: number; json: unknown; text: string }): never {
    const body = ErrorBodySchema.safeParse(answer.json);
    const grafanaMessage = body.success && body.data.message ? body.data.message : previewBody(answer.text);
    const reason = body.success ? (body.data.status ?? body.data.messageId) : undefined;
    const hint = answer.status === 401 ? " (check the Grafana user/password or service-account token)" : answer.status === 403 ? " (the Grafana account lacks the permission)" : "";
    throw new UpstreamError("grafana", `${action}: HTTP ${answer.status}: ${grafanaMessage}${hint}`, { status: answer.status, reason });
  }

  function parse<T>(action: string, schema: z.ZodType<T>, answer: { status: number; json: unknown; text: string }): T {
    const parsed = schema.safeParse(answer.json);
    if (!parsed.success) {
      throw new UpstreamError("grafana", `${action}: unexpected answer (HTTP ${answer.status}): ${previewBody(answer.text)}`, {
        status: answer.status,
        reason: "invalid_response",
      });
    }
    return parsed.data;
  }

  return {
    url: baseUrl,

    async publishDashboard(dashboard, publishOptions = {}) {
      const title = dashboard.title;
      if (typeof title !== "string" || title.trim() === "") {
        throw new ValidationError([{ path: "dashboard.title", message: "a dashboard needs a title" }]);
      }
      if (dashboard.uid !== undefined) assertUid(dashboard.uid);
      const action = `publish dashboard "${dashboard.uid ?? title}"`;
      // id null: Grafana resolves the dashboard by uid; overwrite replaces whatever version it holds.
      const body = {
        dashboard: { ...dashboard, id: null },
        folderUid: publishOptions.folderUid ?? "",
        message: publishOptions.message ?? "published by SMO Console",
        overwrite: true,
      };
      const answer = await request(action, "POST", "/api/dashboards/db", body);
      if (answer.status !== 200) fail(action, answer);
      const published = parse(action, PublishResponseSchema, answer);
      return { id: published.id, uid: published.uid, url: published.url, slug: published.slug, version: published.version };
    },

    async getDashboard(uid) {
      assertUid(uid);
      const action = `read dashboard "${uid}"`;
      const answer = await request(action, "GET", `/api/dashboards/uid/${encodeURIComponent(uid)}`);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) fail(action, answer);
      return parse(action, StoredDashboardSchema, answer) as StoredDashboard;
    },

    async deleteDashboard(uid) {
      assertUid(uid);
      const action = `delete dashboard "${uid}"`;
      const answer = await request(action, "DELETE", `/api/dashboards/uid/${encodeURIComponent(uid)}`);
      if (answer.status === 200 || answer.status === 404) return;
      fail(action, answer);
    },

    async ping() {
      const health = await request("check Grafana health", "GET", "/api/health", undefined, false);
      if (health.status !== 200) fail("check Grafana health", health);
      const info = HealthSchema.safeParse(health.json);
      // /api/health needs no credentials; a search does, so bad credentials show here and not at the first publish.
      const search = await request("check Grafana credentials", "GET", "/api/search?limit=1");
      if (search.status !== 200) fail("check Grafana credentials", search);
      return { version: info.success ? info.data.version : undefined, database: info.success ? info.data.database : undefined };
    },
  };
}

function assertUid(uid: string): void {
  const problem = typeof uid === "string" && uid !== "" ? explainInvalidUid(uid) : "a dashboard uid must be a non-empty string";
  if (problem) throw new ValidationError([{ path: "uid", message: problem }]);
}

function authorizationHeader(auth: GrafanaAuth): string {
  if (auth.kind === "token") {
    if (!auth.token) throw new ValidationError([{ path: "auth.token", message: "must not be empty" }]);
    return `Bearer ${auth.token}`;
  }
  if (!auth.user) throw new ValidationError([{ path: "auth.user", message: "must not be empty" }]);
  if (auth.user.includes(":")) throw new ValidationError([{ path: "auth.user", message: "must not contain ':' (HTTP basic auth)" }]);
  return `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}`;
}

function normaliseUrl(rawUrl: string): string {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ValidationError([{ path: "url", message: `"${rawUrl}" is not a valid URL` }]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ValidationError([{ path: "url", message: `"${rawUrl}" must use http or https` }]);
  if (url.username || url.password) throw new ValidationError([{ path: "url", message: "put Grafana credentials in auth, not in the URL" }]);
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "");
}
