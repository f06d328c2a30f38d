/**
 * The console pages' security headers: the policy itself, the Proxy that sets it with the Grafana
 * origin it learns from the running console, and the sandbox Grafana's panels being embeddable
 * from that origin without signing in to Grafana (as a Grafana with anonymous viewing is).
 */
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../db";
import { createDb } from "../db";
import { syncClusters } from "../lib/clusters";
import { panelEmbedUrl } from "../lib/grafana/names";
import { proxy } from "../proxy";
import { createCoreContext } from "./deps";
import { handleTrpcRequest } from "./http";
import { consoleSecurityHeaders, contentSecurityPolicy, createFrameOriginResolver, EMBEDDING_PATH, SANDBOX_GRAFANA_FALLBACK } from "./security-headers";
import { createTestDeps, serveFetchHandler, type ServedHandler, type TestDeps } from "./testing";

/** The directives of a policy, by name. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(policy.split(";").map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe("the console pages' policy", () => {
  it("frames only this origin and Grafana's, is framed only by itself, and allows no plugin, base or foreign script", () => {
    const policy = directives(contentSecurityPolicy({ frameOrigins: ["https://grafana.example.org"] }));
    expect(policy).toEqual({
      "default-src": ["'self'"],
      "script-src": ["'self'", "'unsafe-inline'"],
      "style-src": ["'self'", "'unsafe-inline'"],
      "img-src": ["'self'", "data:", "blob:"],
      "font-src": ["'self'", "data:"],
      "connect-src": ["'self'"],
      "frame-src": ["'self'", "https://grafana.example.org"],
      "frame-ancestors": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'self'"],
      "form-action": ["'self'"],
    });
    expect(directives(contentSecurityPolicy({ frameOrigins: [], development: true }))["script-src"]).toContain("'unsafe-eval'");
  });

  it("comes with nosniff, a same-origin referrer policy and the legacy frame guard", () => {
    expect(consoleSecurityHeaders({ frameOrigins: [] })).toMatchObject({
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
      "x-frame-options": "SAMEORIGIN",
    });
  });
});

describe("the Proxy on a sandbox console", () => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let served: ServedHandler;

  beforeAll(async () => {
    handle = await createDb({ dataDir: "memory://" });
    test = await createTestDeps({ database: handle });
    served = await serveFetchHandler((req) => handleTrpcRequest(req, test.deps));
  });
  afterAll(async () => {
    await served?.close();
    await test?.close();
    await handle?.close();
  });

  it("sets the headers on a page, with the sandbox Grafana emulator's origin as the one framed origin", async () => {
    const grafana = new URL(test.deps.sandbox!.grafanaUrl).origin;
    const response = await proxy(new NextRequest(`${served.url}/graphs/image-detection-graph`));
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(directives(response.headers.get("content-security-policy")!)["frame-src"]).toEqual(["'self'", grafana]);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
  });

  it("serves the sandbox Grafana's panels to a browser without Grafana credentials, embeddable by the console", async () => {
    const ctx = await createCoreContext(test.deps, { kind: "system", name: "test" });
    await syncClusters(ctx);
    const [cluster] = await ctx.db.query.clusters.findMany({ limit: 1 });
    const [, uid, slug] = /\/d\/([^/]+)\/([^/?]+)/.exec(cluster!.grafanaUrl!)!;
    const dashboard = await test.deps.clients.grafana!.getDashboard(uid!);
    const panelId = (dashboard!.dashboard as unknown as { panels: { id: number }[] }).panels[0]!.id;
    const url = panelEmbedUrl({ grafanaUrl: test.deps.sandbox!.grafanaUrl, uid: uid!, slug: slug!, panelId, from: "now-1h", to: "now", theme: "dark" });

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    // Grafana with allow_embedding=true sends no X-Frame-Options; the page's own policy restricts no ancestor.
    expect(page.headers.get("x-frame-options")).toBeNull();
    expect(page.headers.get("content-security-policy") ?? "").not.toContain("frame-ancestors");
    // The API stays closed without credentials: only panel pages are anonymous.
    expect((await fetch(`${test.deps.sandbox!.grafanaUrl}/api/dashboards/uid/${uid}`)).status).toBe(401);
  });

  it("in sandbox mode asks the console for the emulator's origin once, using the loopback fallback while it starts or failed", async () => {
    let answers = 0;
    let failNext = true;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const starting = await serveFetchHandler(async (req) => {
      answers++;
      expect(new URL(req.url).pathname).toBe(EMBEDDING_PATH);
      if (failNext) {
        failNext = false;
        return new Response("the runtime did not start", { status: 503 });
      }
      // The runtime is still starting: the answer comes only when the test says so.
      await released;
      return handleTrpcRequest(req, test.deps);
    });
    try {
      const errors: unknown[] = [];
      const resolve = createFrameOriginResolver({ env: {}, waitMs: 50, onError: (error) => errors.push(error) });
      expect(await resolve(`${starting.url}/`)).toEqual([SANDBOX_GRAFANA_FALLBACK]);
      while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(String(errors[0])).toContain("503");
      // Asked again; no answer within the wait: the fallback, and the question stays open.
      expect(await resolve(`${starting.url}/graphs`)).toEqual([SANDBOX_GRAFANA_FALLBACK]);
      release();
      const origin = new URL(test.deps.sandbox!.grafanaUrl).origin;
      let frames = await resolve(`${starting.url}/clusters`);
      while (frames[0] === SANDBOX_GRAFANA_FALLBACK) frames = await resolve(`${starting.url}/clusters`);
      expect(frames).toEqual([origin]);
      expect(await resolve(`${starting.url}/events`)).toEqual([origin]);
      expect(answers).toBe(2);
    } finally {
      await starting.close();
    }
  });

  it("in production frames the configured Grafana's origin, asking nothing", async () => {
    const production = { KARMADA_KUBECONFIG: "/etc/smo/karmada.kubeconfig", PROMETHEUS_URL: "http://prometheus:9090" };
    const refuse = (() => Promise.reject(new Error("no question expected"))) as typeof fetch;
    const withGrafana = createFrameOriginResolver({ env: { ...production, GRAFANA_URL: "https://grafana.example.org/monitoring/", GRAFANA_TOKEN: "glsa_x" }, fetch: refuse });
    expect(await withGrafana("https://smo.example.org/graphs")).toEqual(["https://grafana.example.org"]);
    expect(await createFrameOriginResolver({ env: production, fetch: refuse })("https://smo.example.org/")).toEqual([]);
  });
});
