import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import {
  serviceCpuPercentQuery,
  serviceCpuThrottlingQuery,
  serviceMemoryQuery,
  serviceRequestRateQuery,
  clusterCpuPercentQuery,
  GRAFANA_RATE_INTERVAL,
} from "../prometheus/queries";
import { buildClusterDashboard, buildGraphDashboard, buildServiceDashboard, CLUSTER_PANEL_IDS, SERVICE_PANEL_IDS } from "./dashboards";
import { dashboardUid } from "./names";

type PanelJson = {
  id: number;
  type: string;
  title: string;
  repeat?: string;
  datasource?: { type?: string; uid?: string };
  targets: { expr: string; refId: string }[];
  fieldConfig?: { defaults?: { unit?: string } };
};

const panelsOf = (dashboard: { panels?: unknown[] }) => (dashboard.panels ?? []) as PanelJson[];

describe("buildServiceDashboard", () => {
  const dashboard = buildServiceDashboard({ graph: "vision", project: "demo", service: "image-detection" }, { datasourceUid: "prom-main" });

  it("has the original SMO's service panels with fixed ids, queries from lib/prometheus/queries", () => {
    const scope = { service: "image-detection", namespace: "demo", window: GRAFANA_RATE_INTERVAL };
    const panels = panelsOf(dashboard);
    expect(panels.map((p) => [p.id, p.title, p.type])).toEqual([
      [SERVICE_PANEL_IDS.cpu, "CPU utilization", "timeseries"],
      [SERVICE_PANEL_IDS.memory, "RAM usage", "timeseries"],
      [SERVICE_PANEL_IDS.throttling, "CPU throttling", "timeseries"],
      [SERVICE_PANEL_IDS.requestRate, "request rate", "timeseries"],
    ]);
    expect(panels.map((p) => p.targets[0]!.expr)).toEqual([
      serviceCpuPercentQuery(scope),
      serviceMemoryQuery(scope),
      serviceCpuThrottlingQuery(scope),
      serviceRequestRateQuery(scope),
    ]);
    expect(panels.map((p) => p.fieldConfig?.defaults?.unit)).toEqual(["percent", "bytes", "percentunit", "reqps"]);
  });

  it("references the given Prometheus datasource on every panel", () => {
    for (const panel of panelsOf(dashboard)) expect(panel.datasource).toEqual({ type: "prometheus", uid: "prom-main" });
  });

  it("carries its stable uid and a title naming the service", () => {
    expect(dashboard.uid).toBe(dashboardUid("service", "demo", "vision", "image-detection"));
    expect(dashboard.title).toBe("SMO service demo/vision/image-detection");
    expect(dashboard.tags).toEqual(["smo", "service"]);
  });
});

describe("buildGraphDashboard", () => {
  const services = ["image-compression-vo", "noise-reduction", "image-detection"];
  const dashboard = buildGraphDashboard({ name: "vision", project: "demo", services });

  it("has a multi-value `service` variable over all services, All selected", () => {
    const variables = dashboard.templating?.list ?? [];
    expect(variables).toHaveLength(1);
    const variable = variables[0]!;
    expect(variable).toMatchObject({ type: "custom", name: "service", multi: true, includeAll: true, query: services.join(",") });
    expect(variable.current).toEqual({ text: "All", value: "$__all" });
    expect(variable.options?.map((o) => o.value)).toEqual(["$__all", ...services]);
  });

  it("repeats the four service panels per service, querying through $service", () => {
    const panels = panelsOf(dashboard);
    expect(panels).toHaveLength(4);
    for (const panel of panels) {
      expect(panel.repeat).toBe("service");
      expect(panel.title.startsWith("$service ")).toBe(true);
      expect(panel.targets[0]!.expr).toMatch(/\$service/);
      expect(panel.targets[0]!.expr).toContain('namespace="demo"');
      expect(panel.datasource).toEqual({ type: "prometheus", uid: "prometheus" });
    }
  });

  it("refuses a graph without services or with blank names", () => {
    expect(() => buildGraphDashboard({ name: "g", project: "p", services: [] })).toThrow(ValidationError);
    expect(() => buildGraphDashboard({ name: "g", project: "p", services: ["a", " "] })).toThrow(/services\[1\]/);
  });
});

describe("buildClusterDashboard", () => {
  it("shows CPU and memory usage of the cluster", () => {
    const dashboard = buildClusterDashboard("member2");
    const panels = panelsOf(dashboard);
    expect(panels.map((p) => p.id)).toEqual(Object.values(CLUSTER_PANEL_IDS));
    expect(panels[0]!.targets[0]!.expr).toBe(clusterCpuPercentQuery("member2", GRAFANA_RATE_INTERVAL));
    for (const panel of panels) expect(panel.targets.every((t) => t.expr.includes('cluster="member2"'))).toBe(true);
    expect(dashboard.uid).toBe("smo-cluster-member2");
  });
});
