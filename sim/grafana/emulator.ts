/**
 * A Grafana-compatible HTTP API for the sandbox: dashboards saved with Grafana's versioning
 * rules (`POST /api/dashboards/db`, 412 version-mismatch, overwrite), read, deleted and
 * searched; basic auth and bearer tokens with Grafana's 401 body; `/api/health`; and
 * `/d-solo/<uid>/<slug>` single-panel pages rendered server-side from the panel's first query,
 * so that the console's embedded panels work without a real Grafana. Embedding pages are
 * served without login, like Grafana with `[auth.anonymous] enabled=true`.
 */

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { explainInvalidUid, slugifyTitle } from "../../lib/grafana/names";
import type { PrometheusClient } from "../../lib/prometheus/client";
import { renderPanelPage, type RenderedSeries } from "./render";

export type GrafanaEmulatorOptions = {
  /** Where panels get their data, e.g. a PrometheusClient pointed at the Prometheus emulator. */
  prometheus: Pick<PrometheusClient, "queryRange">;
  host?: string;
  port?: number;
  /** Basic-auth account. Default admin/admin, as a fresh Grafana. */
  user?: string;
  password?: string;
  /** Accepted bearer tokens (service-account tokens, `glsa_…`). */
  tokens?: string[];
  /** Like `[security] allow_embedding`; false sends `X-Frame-Options: deny` on every response. Default true. */
  allowEmbedding?: boolean;
  /** Value of a `Content-Security-Policy: frame-ancestors …` header on every response, e.g. `'self' http://127.0.0.1:3000`. */
  frameAncestors?: string;
  now?: () => number;
};

export type EmulatedDashboard = {
  id: number;
  uid: string;
  title: string;
  slug: string;
  url: string;
  version: number;
  folderUid: string;
  /** The saved dashboard JSON, as GET /api/dashboards/uid returns it. */
  dashboard: Record<string, unknown>;
};

export type GrafanaEmulator = {
  url: string;
  listDashboards(): EmulatedDashboard[];
  close(): Promise<void>;
};

type Stored = EmulatedDashboard & { created: string; updated: string; createdBy: string; updatedBy: string };
type Json = Record<string, unknown>;
type Panel = { id?: unknown; title?: unknown; targets?: unknown; panels?: unknown; fieldConfig?: { defaults?: { unit?: unknown } } };

const GRAFANA_VERSION = "11.6.0";
const MAX_BODY_BYTES = 10 << 20;
const UNAUTHORIZED = { extra: null, message: "Unauthorized", messageId: "auth.unauthorized", statusCode: 401, traceID: "" };
const NOT_FOUND = { message: "Dashboard not found" };
/** Points a panel asks for at most, like Grafana's maxDataPoints for a panel a few hundred pixels wide. */
const MAX_DATA_POINTS = 300;
const SCRAPE_INTERVAL_SECONDS = 15;

export async function startGrafanaEmulator(options: GrafanaEmulatorOptions): Promise<GrafanaEmulator> {
  const user = options.user ?? "admin";
  const password = options.password ?? "admin";
  const tokens = new Set(options.tokens ?? []);
  const now = options.now ?? Date.now;
  const allowEmbedding = options.allowEmbedding ?? true;
  const dashboards = new Map<string, Stored>();
  let nextId = 1;

  const server = createServer((request, response) => {
    if (!allowEmbedding) response.setHeader("x-frame-options", "deny");
    if (options.frameAncestors !== undefined) response.setHeader("content-security-policy", `frame-ancestors ${options.frameAncestors}`);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: `internal error: ${(error as Error).message}` });
      else response.destroy();
    });
  });

  function isAuthenticated(request: IncomingMessage): boolean {
    const header = request.headers.authorization ?? "";
    const [scheme, credentials] = header.split(" ", 2);
    if (scheme?.toLowerCase() === "bearer" && credentials) return tokens.has(credentials);
    if (scheme?.toLowerCase() === "basic" && credentials) {
      const decoded = Buffer.from(credentials, "base64").toString("utf8");
      const separator = decoded.indexOf(":");
      return separator >= 0 && decoded.slice(0, separator) === user && decoded.slice(separator + 1) === password;
    }
    return false;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://emulator");
    const method = request.method ?? "GET";
    const path = url.pathname;

    if (path === "/api/health" && method === "GET") {
      return sendJson(response, 200, { commit: "smo-sandbox", database: "ok", version: GRAFANA_VERSION });
    }
    const solo = /^\/d-solo\/([^/]+)(?:\/([^/]*))?$/.exec(path);
    if (solo && method === "GET") return renderSolo(decodeURIComponent(solo[1]!), url, response);

    if (!path.startsWith("/api/")) return sendJson(response, 404, { message: "Not found" });
    if (!isAuthenticated(request)) return sendJson(response, 401, UNAUTHORIZED);

    if (path === "/api/dashboards/db" && method === "POST") return saveDashboard(await readBody(request), response);
    if (path === "/api/search" && method === "GET") return sendJson(response, 200, search(url.searchParams));
    const byUid = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path);
    if (byUid) {
      const uid = decodeURIComponent(byUid[1]!);
      const stored = dashboards.get(uid);
      if (method === "GET") return stored ? sendJson(response, 200, { dashboard: stored.dashboard, meta: meta(stored) }) : sendJson(response, 404, NOT_FOUND);
      if (method === "DELETE") {
        if (!stored) return sendJson(response, 404, NOT_FOUND);
        dashboards.delete(uid);
        return sendJson(response, 200, { id: stored.id, message: `Dashboard ${stored.title} deleted`, title: stored.title });
      }
    }
    return sendJson(response, 404, { message: "Not found" });
  }

  function saveDashboard(body: string, response: ServerResponse): void {
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return sendJson(response, 400, { message: "bad request data" });
    }
    if (!isObject(payload) || !isObject(payload.dashboard)) return sendJson(response, 400, { message: "bad request data" });
    const dashboard = structuredClone(payload.dashboard);
    const overwrite = payload.overwrite === true;
    const folderUid = payload.folderUid ?? "";
    if (typeof folderUid !== "string") return sendJson(response, 400, { message: "bad request data" });
    if (folderUid !== "") return sendJson(response, 400, { message: "folder not found", status: "not-found" });

    const title = typeof dashboard.title === "string" ? dashboard.title.trim() : "";
    if (title === "") return sendJson(response, 400, { message: "Dashboard title cannot be empty", status: "empty-name" });
    const requestedUid = dashboard.uid ?? "";
    if (typeof requestedUid !== "string") return sendJson(response, 400, { message: "bad request data" });
    if (requestedUid.length > 40) return sendJson(response, 400, { message: "uid too long, max 40 characters" });
    if (explainInvalidUid(requestedUid)) return sendJson(response, 400, { message: "uid contains illegal characters" });

    const requestedId = dashboard.id ?? null;
    if (requestedId !== null && typeof requestedId !== "number") return sendJson(response, 400, { message: "bad request data" });
    let existing = requestedUid !== "" ? dashboards.get(requestedUid) : undefined;
    if (requestedId !== null) {
      const byId = [...dashboards.values()].find((d) => d.id === requestedId);
      if (!byId) return sendJson(response, 404, { message: "Dashboard not found", status: "not-found" });
      existing ??= byId;
    }
    if (existing && !overwrite && dashboard.version !== existing.version) {
      return sendJson(response, 412, { message: "The dashboard has been changed by someone else", status: "version-mismatch" });
    }

    const uid = existing?.uid ?? (requestedUid || generateUid());
    const id = existing?.id ?? nextId++;
    const version = existing ? existing.version + 1 : 1;
    const slug = slugifyTitle(title);
    const timestamp = new Date(now()).toISOString();
    const saved: Stored = {
      id,
      uid,
      title,
      slug,
      url: `/d/${uid}/${slug}`,
      version,
      folderUid: "",
      dashboard: { ...dashboard, id, uid, title, version },
      created: existing?.created ?? timestamp,
      updated: timestamp,
      createdBy: existing?.createdBy ?? "admin",
      updatedBy: "admin",
    };
    dashboards.set(uid, saved);
    sendJson(response, 200, { folderUid: "", id, slug, status: "success", uid, url: saved.url, version });
  }

  function search(params: URLSearchParams): Json[] {
    const query = (params.get("query") ?? "").toLowerCase();
    const uids = params.getAll("dashboardUIDs").flatMap((value) => value.split(","));
    const tags = params.getAll("tag");
    const type = params.get("type");
    const limit = Number(params.get("limit") ?? "1000");
    if (type !== null && type !== "dash-db") return [];
    return [...dashboards.values()]
      .filter((d) => d.title.toLowerCase().includes(query))
      .filter((d) => uids.length === 0 || uids.includes(d.uid))
      .filter((d) => tags.every((tag) => dashboardTags(d).includes(tag)))
      .sort((a, b) => a.title.localeCompare(b.title))
      .slice(0, Number.isFinite(limit) && limit > 0 ? limit : 1000)
      .map((d) => ({
        id: d.id,
        uid: d.uid,
        orgId: 1,
        title: d.title,
        uri: `db/${d.slug}`,
        url: d.url,
        slug: "",
        type: "dash-db",
        tags: dashboardTags(d),
        isStarred: false,
        sortMeta: 0,
        isDeleted: false,
      }));
  }

  function sendPage(response: ServerResponse, status: number, html: string): void {
    sendHtml(response, status, html, options.frameAncestors);
  }

  async function renderSolo(uid: string, url: URL, response: ServerResponse): Promise<void> {
    const params = url.searchParams;
    const theme = params.get("theme") === "light" ? "light" : "dark";
    const stored = dashboards.get(uid);
    if (!stored) return sendPage(response, 404, notFoundPage(`Dashboard "${uid}" not found`, theme));
    const panelParam = (params.get("panelId") ?? "").replace(/^panel-/, "");
    const panel = findPanel(stored.dashboard, Number(panelParam));
    if (!panel || panelParam === "") return sendPage(response, 404, notFoundPage(`Panel ${panelParam || "(none)"} not found in dashboard "${uid}"`, theme));

    const nowMs = now();
    const from = parseGrafanaTime(params.get("from") ?? "now-6h", nowMs);
    const to = parseGrafanaTime(params.get("to") ?? "now", nowMs);
    if (from === undefined || to === undefined || to <= from) {
      return sendPage(response, 400, notFoundPage(`Invalid time range from=${params.get("from")} to=${params.get("to")}`, theme));
    }
    const stepSeconds = Math.max(SCRAPE_INTERVAL_SECONDS, Math.ceil((to - from) / 1000 / MAX_DATA_POINTS));
    const variables = resolveVariables(stored.dashboard, params, { from, to, stepSeconds });
    const title = interpolate(typeof panel.title === "string" ? panel.title : "", variables, false);
    const unit = typeof panel.fieldConfig?.defaults?.unit === "string" ? panel.fieldConfig.defaults.unit : undefined;
    const firstTarget = Array.isArray(panel.targets) ? (panel.targets.find((t) => isObject(t) && typeof t.expr === "string") as Json | undefined) : undefined;
    const base = { title, theme, from, to, unit, panelId: Number(panelParam), dashboardUid: uid } as const;
    if (!firstTarget) return sendPage(response, 200, renderPanelPage({ ...base, series: [] }));

    const expr = interpolate(firstTarget.expr as string, variables, true);
    const legendFormat = typeof firstTarget.legendFormat === "string" ? firstTarget.legendFormat : undefined;
    try {
      const matrix = await options.prometheus.queryRange(expr, { start: from / 1000, end: to / 1000, step: stepSeconds });
      const series: RenderedSeries[] = matrix.result.map((s) => ({ name: legendName(s.metric, legendFormat), points: s.samples }));
      sendPage(response, 200, renderPanelPage({ ...base, series }));
    } catch (error) {
      sendPage(response, 200, renderPanelPage({ ...base, series: [], error: (error as Error).message }));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    listDashboards: () =>
      [...dashboards.values()].map(({ id, uid, title, slug, url, version, folderUid, dashboard }) => ({
        id,
        uid,
        title,
        slug,
        url,
        version,
        folderUid,
        dashboard: structuredClone(dashboard),
      })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function meta(stored: Stored): Json {
  return {
    type: "db",
    canSave: true,
    canEdit: true,
    canAdmin: true,
    canStar: true,
    canDelete: true,
    slug: stored.slug,
    url: stored.url,
    expires: "0001-01-01T00:00:00Z",
    created: stored.created,
    updated: stored.updated,
    updatedBy: stored.updatedBy,
    createdBy: stored.createdBy,
    version: stored.version,
    hasAcl: false,
    isFolder: false,
    folderId: 0,
    folderUid: stored.folderUid,
    folderTitle: "General",
    folderUrl: "",
    provisioned: false,
    provisionedExternalId: "",
    annotationsPermissions: {
      dashboard: { canAdd: true, canEdit: true, canDelete: true },
      organization: { canAdd: true, canEdit: true, canDelete: true },
    },
    publicDashboardEnabled: false,
  };
}

function dashboardTags(stored: Stored): string[] {
  const tags = stored.dashboard.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [];
}

/** Panels may sit at top level or inside collapsed rows. */
function findPanel(dashboard: Json, id: number): Panel | undefined {
  const visit = (panels: unknown): Panel | undefined => {
    if (!Array.isArray(panels)) return undefined;
    for (const panel of panels) {
      if (!isObject(panel)) continue;
      if (panel.id === id) return panel as Panel;
      const nested = visit(panel.panels);
      if (nested) return nested;
    }
    return undefined;
  };
  return Number.isInteger(id) ? visit(dashboard.panels) : undefined;
}

type Variable = { values: string[]; isMultiOrAll: boolean };

/** Template variable values: from `var-<name>` parameters, else the dashboard's current value; plus Grafana's built-ins. */
function resolveVariables(dashboard: Json, params: URLSearchParams, range: { from: number; to: number; stepSeconds: number }): Map<string, Variable> {
  const variables = new Map<string, Variable>();
  const templating = isObject(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : [];
  for (const variable of templating) {
    if (!isObject(variable) || typeof variable.name !== "string") continue;
    const name = variable.name;
    const options = Array.isArray(variable.options)
      ? variable.options.filter(isObject).map((o) => String(o.value)).filter((v) => v !== "$__all")
      : typeof variable.query === "string"
        ? variable.query.split(",").map((v) => v.trim()).filter(Boolean)
        : [];
    let values = params.getAll(`var-${name}`);
    if (values.length === 0) {
      const current = isObject(variable.current) ? variable.current.value : undefined;
      values = Array.isArray(current) ? current.map(String) : current === undefined ? [] : [String(current)];
    }
    if (values.includes("$__all") || values.includes("All")) values = options;
    variables.set(name, { values, isMultiOrAll: variable.multi === true || variable.includeAll === true });
  }
  const rateInterval = Math.max(range.stepSeconds + SCRAPE_INTERVAL_SECONDS, 4 * SCRAPE_INTERVAL_SECONDS);
  variables.set("__rate_interval", { values: [`${rateInterval}s`], isMultiOrAll: false });
  variables.set("__interval", { values: [`${range.stepSeconds}s`], isMultiOrAll: false });
  variables.set("__range", { values: [`${Math.round((range.to - range.from) / 1000)}s`], isMultiOrAll: false });
  return variables;
}

/**
 * Replaces `$name`, `${name}` and `[[name]]`. In queries, multi-value variables are formatted
 * as the Prometheus datasource does: regex-escaped for use inside a PromQL string, several
 * values as `(a|b)`.
 */
function interpolate(text: string, variables: Map<string, Variable>, inQuery: boolean): string {
  return text.replace(/\$\{(\w+)\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, braced?: string, bracketed?: string, plain?: string) => {
    const name = braced ?? bracketed ?? plain!;
    const variable = variables.get(name);
    if (!variable) return whole;
    if (!inQuery || name.startsWith("__")) return variable.values.join(" + ");
    const escape = (value: string) => (variable.isMultiOrAll ? prometheusRegexEscape(value) : value.replace(/\\/g, "\\\\").replace(/'/g, "\\\\'"));
    if (variable.values.length === 1) return escape(variable.values[0]!);
    return `(${variable.values.map(escape).join("|")})`;
  });
}

/** The Prometheus datasource's prometheusSpecialRegexEscape: regex metacharacters escaped for a PromQL string. */
function prometheusRegexEscape(value: string): string {
  return value.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]'+?.()|]/g, "\\\\$&");
}

function legendName(metric: Record<string, string>, legendFormat: string | undefined): string {
  if (legendFormat && legendFormat !== "__auto") {
    return legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_whole, name: string) => metric[name] ?? "");
  }
  const { __name__: name, ...rest } = metric;
  const labels = Object.entries(rest)
    .map(([key, value]) => `${key}="${value}"`)
    .join(", ");
  return labels === "" ? (name ?? "value") : `${name ?? ""}{${labels}}`;
}

/** Grafana times: epoch ms, or `now`, `now-6h`, `now-30m`, … */
function parseGrafanaTime(text: string, nowMs: number): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const relative = /^now(?:([-+])(\d+)([smhdw]))?$/.exec(text);
  if (!relative) return undefined;
  if (!relative[1]) return nowMs;
  const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[3] as "s" | "m" | "h" | "d" | "w"];
  const offset = Number(relative[2]) * unitMs;
  return relative[1] === "-" ? nowMs - offset : nowMs + offset;
}

function notFoundPage(message: string, theme: "light" | "dark"): string {
  return renderPanelPage({ title: message, theme, from: 0, to: 1, series: [], error: message, panelId: 0, dashboardUid: "" });
}

function generateUid(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(14)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

/** Panel pages have no scripts and no external resources; their CSP says so, plus the configured frame-ancestors. */
function sendHtml(response: ServerResponse, status: number, html: string, frameAncestors: string | undefined): void {
  const policy = `default-src 'none'; style-src 'unsafe-inline'${frameAncestors === undefined ? "" : `; frame-ancestors ${frameAncestors}`}`;
  response
    .writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "content-length": Buffer.byteLength(html),
      "cache-control": "no-store",
      "content-security-policy": policy,
    })
    .end(html);
}
