/**
 * SMO's Grafana dashboards, built with the typed builders of @grafana/grafana-foundation-sdk:
 * per cluster (CPU and memory use), per graph (the service panels repeated over a `service`
 * variable) and per service (CPU %, RAM, CPU throttling, request rate, as in the original SMO).
 * Every query comes from lib/prometheus/queries.ts; panel ids are fixed so that single panels
 * can be embedded by id.
 */

import {
  LegendDisplayMode,
  LegendPlacement,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import { CustomVariableBuilder, DashboardBuilder, type Dashboard, type DataSourceRef } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { ValidationError } from "../errors";
import {
  clusterCpuCapacityQuery,
  clusterCpuPercentQuery,
  clusterCpuUsageQuery,
  clusterMemoryCapacityQuery,
  clusterMemoryPercentQuery,
  clusterMemoryUsageQuery,
  GRAFANA_RATE_INTERVAL,
  serviceCpuPercentQuery,
  serviceCpuThrottlingQuery,
  serviceMemoryQuery,
  serviceRequestRateQuery,
  type ServiceScope,
} from "../prometheus/queries";
import { dashboardUid } from "./names";
import { CLUSTER_PANEL_IDS, SERVICE_PANEL_IDS, SERVICE_VARIABLE } from "./panels";

export type { Dashboard };

// Panel ids live with the embed URLs (browser-safe), so the console can import them without the SDK.
export { CLUSTER_PANEL_IDS, SERVICE_PANEL_IDS, SERVICE_VARIABLE };
export const DEFAULT_PROMETHEUS_DATASOURCE_UID = "prometheus";

export type DashboardOptions = {
  /** uid of the Grafana Prometheus datasource the panels query. Default "prometheus" (as in the original SMO). */
  datasourceUid?: string;
  /** Auto-refresh interval. Default 30s. */
  refresh?: string;
};

export type GraphRef = { name: string; project: string; services: string[] };

export function buildClusterDashboard(cluster: string, options: DashboardOptions = {}): Dashboard {
  requireName(cluster, "cluster");
  const datasource = prometheusDatasource(options);
  const window = GRAFANA_RATE_INTERVAL;
  const dashboard = baseDashboard(`SMO cluster ${cluster}`, dashboardUid("cluster", cluster), ["smo", "cluster"], options)
    .withPanel(
      timeseriesPanel(CLUSTER_PANEL_IDS.cpuPercent, "CPU usage", datasource, { x: 0, y: 0 })
        .unit("percent")
        .min(0)
        .max(100)
        .withTarget(target("A", clusterCpuPercentQuery(cluster, window), "CPU used")),
    )
    .withPanel(
      timeseriesPanel(CLUSTER_PANEL_IDS.memoryPercent, "Memory usage", datasource, { x: 12, y: 0 })
        .unit("percent")
        .min(0)
        .max(100)
        .withTarget(target("A", clusterMemoryPercentQuery(cluster), "memory used")),
    )
    .withPanel(
      timeseriesPanel(CLUSTER_PANEL_IDS.cpuCores, "CPU cores", datasource, { x: 0, y: 8 })
        .unit("short")
        .min(0)
        .withTarget(target("A", clusterCpuUsageQuery(cluster, window), "used"))
        .withTarget(target("B", clusterCpuCapacityQuery(cluster), "allocatable")),
    )
    .withPanel(
      timeseriesPanel(CLUSTER_PANEL_IDS.memoryBytes, "Memory", datasource, { x: 12, y: 8 })
        .unit("bytes")
        .min(0)
        .withTarget(target("A", clusterMemoryUsageQuery(cluster), "used"))
        .withTarget(target("B", clusterMemoryCapacityQuery(cluster), "allocatable")),
    )
    .build();
  return plainJson(dashboard);
}

/** A graph's dashboard: the service panels, repeated for each value of the `service` variable. */
export function buildGraphDashboard(graph: GraphRef, options: DashboardOptions = {}): Dashboard {
  requireName(graph.name, "graph.name");
  requireName(graph.project, "graph.project");
  if (graph.services.length === 0) throw new ValidationError([{ path: "graph.services", message: "a graph dashboard needs at least one service" }]);
  graph.services.forEach((service, index) => requireName(service, `graph.services[${index}]`));
  const variable = new CustomVariableBuilder(SERVICE_VARIABLE)
    .label("Service")
    .values(graph.services.join(","))
    .multi(true)
    .includeAll(true)
    .current({ text: "All", value: "$__all" })
    .options([
      { selected: true, text: "All", value: "$__all" },
      ...graph.services.map((service) => ({ selected: false, text: service, value: service })),
    ]);
  const scope: ServiceScope = { service: { variable: SERVICE_VARIABLE }, namespace: graph.project, window: GRAFANA_RATE_INTERVAL };
  const builder = baseDashboard(`SMO graph ${graph.project}/${graph.name}`, dashboardUid("graph", graph.project, graph.name), ["smo", "graph"], options)
    .withVariable(variable);
  for (const panel of servicePanels(scope, prometheusDatasource(options), `$${SERVICE_VARIABLE} `)) {
    builder.withPanel(panel.repeat(SERVICE_VARIABLE).repeatDirection("h"));
  }
  return plainJson(builder.build());
}

export type ServiceDashboardInput = { graph: string; project: string; service: string };

export function buildServiceDashboard(input: ServiceDashboardInput, options: DashboardOptions = {}): Dashboard {
  requireName(input.graph, "graph");
  requireName(input.project, "project");
  requireName(input.service, "service");
  const scope: ServiceScope = { service: input.service, namespace: input.project, window: GRAFANA_RATE_INTERVAL };
  const builder = baseDashboard(
    `SMO service ${input.project}/${input.graph}/${input.service}`,
    dashboardUid("service", input.project, input.graph, input.service),
    ["smo", "service"],
    options,
  );
  for (const panel of servicePanels(scope, prometheusDatasource(options), "")) builder.withPanel(panel);
  return plainJson(builder.build());
}

function servicePanels(scope: ServiceScope, datasource: DataSourceRef, titlePrefix: string): TimeseriesPanelBuilder[] {
  return [
    timeseriesPanel(SERVICE_PANEL_IDS.cpu, `${titlePrefix}CPU utilization`, datasource, { x: 0, y: 0 })
      .unit("percent")
      .min(0)
      .axisSoftMax(100)
      .withTarget(target("A", serviceCpuPercentQuery(scope), "CPU % of limit")),
    timeseriesPanel(SERVICE_PANEL_IDS.memory, `${titlePrefix}RAM usage`, datasource, { x: 12, y: 0 })
      .unit("bytes")
      .min(0)
      .withTarget(target("A", serviceMemoryQuery(scope), "working set")),
    timeseriesPanel(SERVICE_PANEL_IDS.throttling, `${titlePrefix}CPU throttling`, datasource, { x: 0, y: 8 })
      .unit("percentunit")
      .min(0)
      .max(1)
      .withTarget(target("A", serviceCpuThrottlingQuery(scope), "throttled periods")),
    timeseriesPanel(SERVICE_PANEL_IDS.requestRate, `${titlePrefix}request rate`, datasource, { x: 12, y: 8 })
      .unit("reqps")
      .min(0)
      .withTarget(target("A", serviceRequestRateQuery(scope), "{{service}}")),
  ];
}

function baseDashboard(title: string, uid: string, tags: string[], options: DashboardOptions): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(tags)
    .editable()
    .timezone("browser")
    .refresh(options.refresh ?? "30s")
    .time({ from: "now-1h", to: "now" });
}

function timeseriesPanel(id: number, title: string, datasource: DataSourceRef, position: { x: number; y: number }): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .id(id)
    .title(title)
    .datasource(datasource)
    .gridPos({ h: 8, w: 12, ...position })
    .lineWidth(2)
    .fillOpacity(10)
    .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).showLegend(true))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi));
}

function target(refId: string, expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).expr(expr).legendFormat(legend).range();
}

function prometheusDatasource(options: DashboardOptions): DataSourceRef {
  const uid = options.datasourceUid ?? DEFAULT_PROMETHEUS_DATASOURCE_UID;
  if (uid === "") throw new ValidationError([{ path: "datasourceUid", message: "must not be empty" }]);
  return { type: "prometheus", uid };
}

/** The SDK's objects carry marker methods (`_implementsDataqueryVariant`); dashboards leave here as plain JSON. */
function plainJson(dashboard: Dashboard): Dashboard {
  return JSON.parse(JSON.stringify(dashboard)) as Dashboard;
}

function requireName(value: string, path: string): void {
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError([{ path, message: "must be a non-empty name" }]);
}
