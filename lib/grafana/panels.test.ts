/**
 * Single-panel URLs built from the dashboard URL publishing stores, checked on their form and
 * against the Grafana emulator: the page they open is the panel asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGrafanaEmulator, type GrafanaEmulator } from "../../sim/grafana/emulator";
import { startPrometheusEmulator, type PrometheusEmulator } from "../../sim/prometheus/emulator";
import { cluster, createFakeFederation, workload } from "../../sim/prometheus/testdata/fake-federation";
import { createPrometheusClient } from "../prometheus/client";
import { createGrafanaClient } from "./client";
import { buildGraphDashboard, buildServiceDashboard } from "./dashboards";
import { ALL_VALUES, SERVICE_PANEL_IDS, SERVICE_VARIABLE, soloPanelUrl } from "./panels";

const T0 = 1_800_000_000_000;

describe("soloPanelUrl", () => {
  it("turns a dashboard URL into its panel's d-solo page, keeping a sub-path and the organisation", () => {
    expect(soloPanelUrl("http://grafana.example:3000/d/smo-graph-demo_vision/smo-graph-demo-vision", { panelId: 4, from: "now-1h", to: "now", theme: "dark", vars: { service: "web" } })).toBe(
      "http://grafana.example:3000/d-solo/smo-graph-demo_vision/smo-graph-demo-vision?orgId=1&panelId=4&from=now-1h&to=now&theme=dark&var-service=web",
    );
    expect(soloPanelUrl("https://example.org/grafana/d/abc/title?orgId=3", { panelId: 1, from: 1000, to: 2000, theme: "light", refresh: "30s" })).toBe(
      "https://example.org/grafana/d-solo/abc/title?orgId=3&panelId=1&from=1000&to=2000&theme=light&refresh=30s",
    );
    expect(soloPanelUrl("http://g/d/abc", { panelId: 1, from: "now-6h", to: "now", theme: "light", vars: { service: ALL_VALUES } })).toBe(
      "http://g/d-solo/abc/abc?orgId=1&panelId=1&from=now-6h&to=now&theme=light&var-service=%24__all",
    );
  });

  it("refuses what is not a dashboard URL or not a time and panel Grafana reads", () => {
    const options = { panelId: 1, from: "now-1h", to: "now", theme: "dark" } as const;
    expect(soloPanelUrl("/d/abc/title", options)).toBeUndefined();
    expect(soloPanelUrl("http://g/dashboards/abc", options)).toBeUndefined();
    expect(soloPanelUrl("javascript:alert(1)//d/abc/x", options)).toBeUndefined();
    expect(soloPanelUrl("http://g/d/abc/x", { ...options, panelId: 0 })).toBeUndefined();
    expect(soloPanelUrl("http://g/d/abc/x", { ...options, from: "yesterday" })).toBeUndefined();
    expect(soloPanelUrl("http://g/d/abc/x", { ...options, to: Number.NaN })).toBeUndefined();
  });
});

describe("soloPanelUrl against the Grafana emulator", () => {
  let prometheus: PrometheusEmulator;
  let grafana: GrafanaEmulator;

  beforeAll(async () => {
    const federation = createFakeFederation([cluster("member1")], [workload("web", { member1: 2 }), workload("db", { member1: 1 })]);
    prometheus = await startPrometheusEmulator({ federation, now: () => T0 });
    grafana = await startGrafanaEmulator({ prometheus: createPrometheusClient({ url: prometheus.url }), now: () => T0 });
  });
  afterAll(async () => {
    await grafana?.close();
    await prometheus?.close();
  });

  it("opens the published dashboard's panel, with the service variable substituted", async () => {
    const client = createGrafanaClient({ url: grafana.url, auth: { kind: "basic", user: "admin", password: "admin" } });
    const graph = await client.publishDashboard(buildGraphDashboard({ name: "vision", project: "demo", services: ["web", "db"] }));
    const service = await client.publishDashboard(buildServiceDashboard({ graph: "vision", project: "demo", service: "web" }));
    const open = async (url: string | undefined) => {
      expect(url).toBeDefined();
      const response = await fetch(url!);
      return { status: response.status, html: await response.text() };
    };
    const one = await open(soloPanelUrl(`${grafana.url}${graph.url}`, { panelId: SERVICE_PANEL_IDS.memory, from: T0 - 3_600_000, to: T0, theme: "light", vars: { [SERVICE_VARIABLE]: "db" } }));
    expect(one.status).toBe(200);
    expect(one.html).toContain("<h1>db RAM usage</h1>");
    expect(one.html).toContain('class="theme-light"');
    const all = await open(soloPanelUrl(`${grafana.url}${graph.url}`, { panelId: SERVICE_PANEL_IDS.requestRate, from: T0 - 3_600_000, to: T0, theme: "dark", vars: { [SERVICE_VARIABLE]: ALL_VALUES } }));
    expect(all.status).toBe(200);
    expect(all.html).toContain("request rate</h1>");
    const own = await open(soloPanelUrl(`${grafana.url}${service.url}`, { panelId: SERVICE_PANEL_IDS.cpu, from: "now-1h", to: "now", theme: "dark" }));
    expect(own.html).toContain("<h1>CPU utilization</h1>");
  });
});
