/**
 * The Grafana client (lib/grafana) against the Grafana emulator, over real HTTP, with panel
 * pages drawn from the Prometheus emulator.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError, ValidationError } from "../../lib/errors";
import { createGrafanaClient, type GrafanaClient } from "../../lib/grafana/client";
import { buildClusterDashboard, buildGraphDashboard, buildServiceDashboard, SERVICE_PANEL_IDS } from "../../lib/grafana/dashboards";
import { dashboardUid, panelEmbedUrl, slugifyTitle } from "../../lib/grafana/names";
import { createPrometheusClient } from "../../lib/prometheus/client";
import { startPrometheusEmulator, type PrometheusEmulator } from "../prometheus/emulator";
import { cluster, createFakeFederation, workload } from "../prometheus/testdata/fake-federation";
import { startGrafanaEmulator, type GrafanaEmulator } from "./emulator";

const T0 = 1_800_000_000_000;
const TOKEN = "glsa_sandbox_0123456789abcdef";

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

/** Points of every `<path d="M x,y L x,y …">` in a page, with the series name. */
function pathsOf(html: string): { series: string; points: number }[] {
  return [...html.matchAll(/<path d="([^"]*)"[^>]*data-series="([^"]*)" data-points="(\d+)"/g)].map((match) => {
    const points = match[1]!.split(" ").filter((command) => /^[ML]-?\d+(\.\d+)?,-?\d+(\.\d+)?$/.test(command)).length;
    expect(points).toBe(Number(match[3]));
    return { series: match[2]!, points };
  });
}

describe("Grafana client against the emulator", () => {
  let prometheus: PrometheusEmulator;
  let grafana: GrafanaEmulator;
  let client: GrafanaClient;

  beforeAll(async () => {
    const federation = createFakeFederation([cluster("member1"), cluster("member2")], [workload("web", { member1: 2, member2: 1 }), workload("db", { member2: 1 })]);
    prometheus = await startPrometheusEmulator({ federation, now: () => T0 });
    grafana = await startGrafanaEmulator({ prometheus: createPrometheusClient({ url: prometheus.url }), tokens: [TOKEN], now: () => T0 });
    client = createGrafanaClient({ url: grafana.url, auth: { kind: "basic", user: "admin", password: "admin" } });
  });
  afterAll(async () => {
    await grafana.close();
    await prometheus.close();
  });

  it("publishes a new dashboard at version 1 and answers Grafana's response shape", async () => {
    const dashboard = buildServiceDashboard({ graph: "vision", project: "demo", service: "web" });
    const published = await client.publishDashboard(dashboard);
    const slug = slugifyTitle(dashboard.title ?? "");
    expect(published).toEqual({ id: expect.any(Number), uid: dashboardUid("service", "demo", "vision", "web"), url: `/d/${published.uid}/${slug}`, slug, version: 1 });

    const raw = await fetch(`${grafana.url}/api/dashboards/db`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ dashboard: { id: null, uid: "orch-overview", title: "Orchestrator Overview", version: 0 }, folderUid: "", overwrite: false }),
    });
    expect(raw.status).toBe(200);
    expect(await raw.text()).toBe(
      '{"folderUid":"","id":2,"slug":"orchestrator-overview","status":"success","uid":"orch-overview","url":"/d/orch-overview/orchestrator-overview","version":1}',
    );
  });

  it("republishes with overwrite: same uid and id, version + 1", async () => {
    const dashboard = buildServiceDashboard({ graph: "vision", project: "demo", service: "web" });
    const first = await client.publishDashboard(dashboard);
    const second = await client.publishDashboard({ ...dashboard, title: "Renamed service dashboard" });
    expect(second.uid).toBe(first.uid);
    expect(second.id).toBe(first.id);
    expect(second.version).toBe(first.version + 1);
    expect(second.slug).toBe("renamed-service-dashboard");
  });

  it("reads a dashboard back by uid with Grafana's meta", async () => {
    const dashboard = buildGraphDashboard({ name: "vision", project: "demo", services: ["web", "db"] });
    const published = await client.publishDashboard(dashboard, { message: "first" });
    const stored = await client.getDashboard(published.uid);
    expect(stored?.dashboard).toMatchObject({ uid: published.uid, title: dashboard.title, version: published.version, id: published.id });
    expect(stored?.dashboard.panels).toEqual(dashboard.panels);
    expect(stored?.dashboard.templating).toEqual(dashboard.templating);
    expect(stored?.meta).toMatchObject({ slug: published.slug, url: published.url, version: published.version, folderUid: "", folderTitle: "General" });
    expect(await client.getDashboard("no-such-dashboard")).toBeUndefined();
  });

  it("refuses bad credentials with Grafana's 401, for basic auth and tokens", async () => {
    for (const auth of [
      { kind: "basic", user: "admin", password: "wrong" },
      { kind: "token", token: "glsa_not_issued" },
    ] as const) {
      const error = await rejection(createGrafanaClient({ url: grafana.url, auth }).publishDashboard({ title: "x" }));
      expect(error.details).toMatchObject({ status: 401, reason: "auth.unauthorized" });
      expect(error.message).toContain("Unauthorized");
    }
    const raw = await fetch(`${grafana.url}/api/dashboards/uid/orch-overview`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ extra: null, message: "Unauthorized", messageId: "auth.unauthorized", statusCode: 401, traceID: "" });
    await expect(createGrafanaClient({ url: grafana.url, auth: { kind: "token", token: TOKEN } }).ping()).resolves.toMatchObject({ database: "ok" });
    await expect(createGrafanaClient({ url: grafana.url, auth: { kind: "basic", user: "admin", password: "no" } }).ping()).rejects.toThrow(/401/);
  });

  it("answers 412 version-mismatch to a stale save without overwrite, and saves with the current version", async () => {
    const uid = "stale-check";
    const save = (version: number, overwrite: boolean) =>
      fetch(`${grafana.url}/api/dashboards/db`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ dashboard: { uid, title: "Stale check", version }, overwrite }),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect((await save(0, false)).body.version).toBe(1);
    expect((await save(1, false)).body.version).toBe(2);
    expect(await save(1, false)).toEqual({ status: 412, body: { message: "The dashboard has been changed by someone else", status: "version-mismatch" } });
    expect((await save(1, true)).body.version).toBe(3);
    expect((await client.getDashboard(uid))?.meta.version).toBe(3);
  });

  it("answers Grafana's 400s for empty titles, bad JSON and bad uids", async () => {
    const post = (body: string) =>
      fetch(`${grafana.url}/api/dashboards/db`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await post(JSON.stringify({ dashboard: { title: "  " } }))).toEqual({ status: 400, body: { message: "Dashboard title cannot be empty", status: "empty-name" } });
    expect(await post("{not json")).toEqual({ status: 400, body: { message: "bad request data" } });
    expect((await post(JSON.stringify({ dashboard: { title: "t", uid: "u".repeat(41) } }))).status).toBe(400);
    expect((await post(JSON.stringify({ dashboard: { title: "t", uid: "a/b" } }))).status).toBe(400);
    expect(await post(JSON.stringify({ dashboard: { id: 999, title: "t" } }))).toEqual({ status: 404, body: { message: "Dashboard not found", status: "not-found" } });
    // The client refuses what Grafana would refuse before sending anything.
    await expect(client.publishDashboard({ title: "" })).rejects.toThrow(ValidationError);
    await expect(client.publishDashboard({ title: "t", uid: "u".repeat(41) })).rejects.toThrow(/40/);
  });

  it("carries Grafana's message and status into UpstreamError", async () => {
    const error = await rejection(client.publishDashboard({ title: "t" }, { folderUid: "missing" }));
    expect(error.system).toBe("grafana");
    expect(error.details).toMatchObject({ status: 400, reason: "not-found" });
    expect(error.message).toBe('grafana: publish dashboard "t": HTTP 400: folder not found');
  });

  it("deletes idempotently", async () => {
    const published = await client.publishDashboard(buildClusterDashboard("member1"));
    await client.deleteDashboard(published.uid);
    expect(await client.getDashboard(published.uid)).toBeUndefined();
    await expect(client.deleteDashboard(published.uid)).resolves.toBeUndefined();
    expect(grafana.listDashboards().some((d) => d.uid === published.uid)).toBe(false);
  });

  it("searches dashboards by title and tag", async () => {
    await client.publishDashboard(buildClusterDashboard("member2"));
    const response = await fetch(`${grafana.url}/api/search?query=member2&tag=cluster`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const hits = (await response.json()) as { uid: string; type: string; url: string }[];
    expect(hits).toEqual([expect.objectContaining({ uid: "smo-cluster-member2", type: "dash-db", url: "/d/smo-cluster-member2/smo-cluster-member2" })]);
  });

  describe("d-solo panel pages", () => {
    const page = async (options: Partial<Parameters<typeof panelEmbedUrl>[0]> & { uid: string; panelId: number }) => {
      const url = panelEmbedUrl({ grafanaUrl: grafana.url, slug: "any", from: T0 - 3_600_000, to: T0, theme: "dark", ...options });
      const response = await fetch(url);
      return { status: response.status, headers: response.headers, html: await response.text() };
    };

    it("draws a deployed workload's series as an inline SVG under the panel title", async () => {
      const published = await client.publishDashboard(buildServiceDashboard({ graph: "vision", project: "demo", service: "web" }));
      const { status, headers, html } = await page({ uid: published.uid, panelId: SERVICE_PANEL_IDS.requestRate });
      expect(status).toBe(200);
      expect(headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(headers.get("x-frame-options")).toBeNull();
      expect(html).toContain("<h1>request rate</h1>");
      expect(html).toContain("<svg");
      expect(html).not.toMatch(/<script|src=|href=/);
      const paths = pathsOf(html);
      expect(paths).toEqual([{ series: "web", points: expect.any(Number) }]);
      // One hour at Grafana's 15 s minimum step: 241 points.
      expect(paths[0]!.points).toBe(241);
    });

    it("substitutes the service variable of a graph dashboard and follows the theme", async () => {
      const published = await client.publishDashboard(buildGraphDashboard({ name: "vision", project: "demo", services: ["web", "db"] }));
      const db = await page({ uid: published.uid, panelId: SERVICE_PANEL_IDS.memory, theme: "light", vars: { service: "db" } });
      expect(db.html).toContain("<h1>db RAM usage</h1>");
      expect(db.html).toContain('class="theme-light"');
      expect(db.html).toContain("background:#ffffff");
      expect(pathsOf(db.html)).toHaveLength(1);
      const dark = await page({ uid: published.uid, panelId: SERVICE_PANEL_IDS.memory, vars: { service: "web" } });
      expect(dark.html).toContain("<h1>web RAM usage</h1>");
      expect(dark.html).toContain("background:#181b1f");
    });

    it("escapes dashboard text and answers 404 for unknown dashboards and panels", async () => {
      const published = await client.publishDashboard({
        uid: "xss-check",
        title: "x",
        panels: [{ id: 7, type: "timeseries", title: '<script>alert("x")</script>', targets: [{ refId: "A", expr: "vector(1)", legendFormat: "<b>{{job}}</b>" }] }],
      } as { uid: string; title: string });
      const { html } = await page({ uid: published.uid, panelId: 7 });
      expect(html).not.toContain("<script>");
      expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
      expect(html).not.toContain("<b>");
      expect((await page({ uid: "missing-dashboard", panelId: 1 })).status).toBe(404);
      expect((await page({ uid: published.uid, panelId: 99 })).status).toBe(404);
    });

    it("shows a failing query's error inside the panel", async () => {
      const published = await client.publishDashboard({
        uid: "broken-query",
        title: "broken",
        panels: [{ id: 1, type: "timeseries", title: "Broken", targets: [{ refId: "A", expr: "sum(rate(x[5m])" }] }],
      } as { uid: string; title: string });
      const { status, html } = await page({ uid: published.uid, panelId: 1 });
      expect(status).toBe(200);
      expect(html).toContain('role="alert"');
      expect(html).toContain("unclosed left parenthesis");
    });
  });
});

describe("Grafana emulator embedding headers", () => {
  it("sends X-Frame-Options: deny when embedding is not allowed, and the configured frame-ancestors", async () => {
    const prometheus = await startPrometheusEmulator({ federation: createFakeFederation([], []) });
    const denying = await startGrafanaEmulator({ prometheus: createPrometheusClient({ url: prometheus.url }), allowEmbedding: false });
    const framing = await startGrafanaEmulator({ prometheus: createPrometheusClient({ url: prometheus.url }), frameAncestors: "'self' http://127.0.0.1:3000" });
    try {
      const denied = await fetch(`${denying.url}/api/health`);
      expect(denied.headers.get("x-frame-options")).toBe("deny");
      const solo = await fetch(`${framing.url}/d-solo/none/none?panelId=1`);
      expect(solo.headers.get("x-frame-options")).toBeNull();
      expect(solo.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self' http://127.0.0.1:3000");
      expect((await fetch(`${framing.url}/api/health`)).headers.get("content-security-policy")).toBe("frame-ancestors 'self' http://127.0.0.1:3000");
    } finally {
      await denying.close();
      await framing.close();
      await prometheus.close();
    }
  });
});
