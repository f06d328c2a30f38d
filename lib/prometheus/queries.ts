/**
 * The PromQL SMO itself generates, in one place: the console's charts, the Grafana panels and
 * the scaler use these builders. Modelled on the original SMO's Grafana templates (CPU %, RAM,
 * CPU throttling per service; CPU and memory per cluster) with cAdvisor / kube-state-metrics
 * names, plus the scaler's `flask_http_request_total` request rate.
 *
 * Workloads are found by namespace (= project) and pod name (`<service>-<replicaset>-<id>`,
 * the Helm release being named after the service); clusters by the `cluster` label that a
 * federated Prometheus adds to every series.
 */

import { ValidationError } from "../errors";
import { assertPrometheusWindow, escapeRegex, matchRegex, notEqual, selector, type LabelMatchers } from "./promql";

/** The label a federated Prometheus puts on every series to say which member cluster it came from. */
export const CLUSTER_LABEL = "cluster";
export const DEFAULT_RATE_WINDOW = "5m";
/** Grafana's built-in rate window variable, accepted wherever a window is. */
export const GRAFANA_RATE_INTERVAL = "$__rate_interval";

/** A service by name, or a Grafana template variable standing for service names (`$service`). */
export type ServiceRef = string | { variable: string };
export type ServiceScope = {
  service: ServiceRef;
  /** The project's namespace; omitted, the query spans every namespace. */
  namespace?: string;
  /** Rate window (`5m`) or `$__rate_interval`; default 5m. */
  window?: string;
};

export type RequestRateQueryOptions = {
  service: ServiceRef;
  namespace?: string;
  window?: string;
  /** Metric counting requests; the original SMO scaler's Flask exporter default. */
  metric?: string;
};

/**
 * Requests per second of a service: `sum(rate(flask_http_request_total{service="<id>"}[<window>])) by (service)`,
 * the original SMO scaler's query.
 */
export function requestRateQuery(options: RequestRateQueryOptions): string {
  const window = checkWindow(options.window);
  const labels: LabelMatchers = {};
  if (options.namespace !== undefined) labels.namespace = options.namespace;
  labels.service = typeof options.service === "string" ? options.service : matchRegex(variableText(options.service));
  return `sum(rate(${selector(options.metric ?? "flask_http_request_total", labels)}[${window}])) by (service)`;
}

/** CPU used by a service's containers, in cores. */
export function serviceCpuUsageQuery(scope: ServiceScope): string {
  return `sum(rate(${selector("container_cpu_usage_seconds_total", containerLabels(scope))}[${checkWindow(scope.window)}]))`;
}

/** CPU used as a percentage of the containers' CPU limits (the original "CPU utilization" panel). */
export function serviceCpuPercentQuery(scope: ServiceScope): string {
  const limits = selector("kube_pod_container_resource_limits", { ...podLabels(scope), resource: "cpu" });
  return `100 * ${serviceCpuUsageQuery(scope)} / sum(${limits})`;
}

/** Memory working set of a service's containers, in bytes. */
export function serviceMemoryQuery(scope: ServiceScope): string {
  return `sum(${selector("container_memory_working_set_bytes", containerLabels(scope))})`;
}

/** Fraction (0–1) of CFS periods in which the service's containers were throttled. */
export function serviceCpuThrottlingQuery(scope: ServiceScope): string {
  const window = checkWindow(scope.window);
  const labels = containerLabels(scope);
  const throttled = selector("container_cpu_cfs_throttled_periods_total", labels);
  const periods = selector("container_cpu_cfs_periods_total", labels);
  return `sum(increase(${throttled}[${window}])) / sum(increase(${periods}[${window}]))`;
}

/** Requests per second of a service within its project. */
export function serviceRequestRateQuery(scope: ServiceScope): string {
  return requestRateQuery({ service: scope.service, namespace: scope.namespace, window: scope.window });
}

/** Ready replicas of a service's Deployment, summed over member clusters. */
export function serviceReadyReplicasQuery(scope: Omit<ServiceScope, "window">): string {
  const labels: LabelMatchers = {};
  if (scope.namespace !== undefined) labels.namespace = scope.namespace;
  labels.deployment = typeof scope.service === "string" ? scope.service : matchRegex(variableText(scope.service));
  return `sum(${selector("kube_deployment_status_replicas_ready", labels)})`;
}

/** CPU used by all containers of a member cluster, in cores. */
export function clusterCpuUsageQuery(cluster: string, window?: string): string {
  const labels = { [CLUSTER_LABEL]: cluster, container: notEqual("") };
  return `sum(rate(${selector("container_cpu_usage_seconds_total", labels)}[${checkWindow(window)}]))`;
}

/** Allocatable CPU of a member cluster's nodes, in cores. */
export function clusterCpuCapacityQuery(cluster: string): string {
  return `sum(${selector("kube_node_status_allocatable", { [CLUSTER_LABEL]: cluster, resource: "cpu" })})`;
}

/** CPU used as a percentage of the cluster's allocatable CPU. */
export function clusterCpuPercentQuery(cluster: string, window?: string): string {
  return `100 * ${clusterCpuUsageQuery(cluster, window)} / ${clusterCpuCapacityQuery(cluster)}`;
}

/** Memory working set of all containers of a member cluster, in bytes. */
export function clusterMemoryUsageQuery(cluster: string): string {
  return `sum(${selector("container_memory_working_set_bytes", { [CLUSTER_LABEL]: cluster, container: notEqual("") })})`;
}

/** Allocatable memory of a member cluster's nodes, in bytes. */
export function clusterMemoryCapacityQuery(cluster: string): string {
  return `sum(${selector("kube_node_status_allocatable", { [CLUSTER_LABEL]: cluster, resource: "memory" })})`;
}

/** Memory used as a percentage of the cluster's allocatable memory. */
export function clusterMemoryPercentQuery(cluster: string): string {
  return `100 * ${clusterMemoryUsageQuery(cluster)} / ${clusterMemoryCapacityQuery(cluster)}`;
}

/** Pods `<service>-…` of the scope: literal names are regex-escaped, template variables kept for Grafana to expand. */
function podLabels(scope: Omit<ServiceScope, "window">): LabelMatchers {
  const labels: LabelMatchers = {};
  if (scope.namespace !== undefined) labels.namespace = scope.namespace;
  const servicePattern = typeof scope.service === "string" ? escapeRegex(scope.service) : variableText(scope.service);
  labels.pod = matchRegex(`${servicePattern}-.*`);
  return labels;
}

/** cAdvisor also reports pod-level cgroups with an empty `container`; only real containers count. */
function containerLabels(scope: Omit<ServiceScope, "window">): LabelMatchers {
  return { ...podLabels(scope), container: notEqual("") };
}

function checkWindow(window: string | undefined): string {
  if (window === undefined) return DEFAULT_RATE_WINDOW;
  if (window === GRAFANA_RATE_INTERVAL) return window;
  assertPrometheusWindow(window, "window");
  return window;
}

function variableText(ref: { variable: string }): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(ref.variable)) {
    throw new ValidationError([{ path: "service.variable", message: `"${ref.variable}" is not a valid Grafana variable name` }]);
  }
  return `$${ref.variable}`;
}
