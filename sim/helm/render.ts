/**
 * What every chart of the sandbox registry renders (SPEC §10): a Deployment and a Service
 * named after the release, a Karmada PropagationPolicy placing them on `clustersAffinity`, and,
 * when `serviceImportClusters` is set, a multi-cluster ServiceExport/ServiceImport pair with a
 * second PropagationPolicy sending the ServiceImport to the consuming clusters.
 *
 * WOT charts (values with `voChartOverwrite`) read their chart values from there.
 * An empty `clustersAffinity` renders a policy without clusterAffinity, which Karmada reads as
 * "any cluster".
 */

export type ChartInfo = { name: string; version: string };

export type RenderInput = {
  release: string;
  namespace: string;
  chart: ChartInfo;
  values: Record<string, unknown>;
};

/** A rendered Kubernetes object, with where it came from (helm's `# Source:` line). */
export type RenderedObject = {
  source: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } } & Record<
    string,
    unknown
  >;
};

export class RenderError extends Error {}

type ResourceList = Record<string, string>;
type Resources = { requests?: ResourceList; limits?: ResourceList };

const LIGHT: Resources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

/** Modest per-chart defaults when the values give no `resources`; the sample descriptors' charts. */
const DEFAULT_RESOURCES: Record<string, Resources> = {
  "noise-reduction": { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  "image-detection": { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
  "ml-inference": { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "2", memory: "4Gi", "nvidia.com/gpu": "1" } },
  "critical-service": { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
};

const DEFAULT_PORT = 8080;

export function selectChartValues(values: Record<string, unknown>): Record<string, unknown> {
  return isRecord(values.voChartOverwrite) ? values.voChartOverwrite : values;
}

export function renderChart(input: RenderInput): RenderedObject[] {
  const { release, namespace, chart } = input;
  const values = selectChartValues(input.values);
  const clustersAffinity = readStringList(values.clustersAffinity, "clustersAffinity");
  const serviceImportClusters = readStringList(values.serviceImportClusters, "serviceImportClusters");
  const replicas = readReplicas(values);
  const resources = readResources(values.resources) ?? DEFAULT_RESOURCES[chart.name] ?? LIGHT;
  const service = isRecord(values.service) ? values.service : {};
  const port = readPort(service.port, "service.port") ?? DEFAULT_PORT;
  const targetPort = readPort(service.targetPort, "service.targetPort") ?? port;
  const image = readImage(values.image) ?? `127.0.0.1:5000/${chart.name}:${chart.version}`;

  const selectorLabels = { "app.kubernetes.io/name": chart.name, "app.kubernetes.io/instance": release };
  const labels = { ...selectorLabels, "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": `${chart.name}-${chart.version}`.replace(/\+/g, "_") };
  const metadata = (name: string) => ({
    name,
    namespace,
    labels: { ...labels },
    annotations: { "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace },
  });
  const source = (file: string) => `${chart.name}/templates/${file}`;
  const hasImports = serviceImportClusters.length > 0;

  const objects: RenderedObject[] = [
    {
      source: source("service.yaml"),
      object: {
        apiVersion: "v1",
        kind: "Service",
        metadata: metadata(release),
        spec: {
          type: typeof service.type === "string" ? service.type : "ClusterIP",
          selector: selectorLabels,
          ports: [{ name: "http", port, targetPort, protocol: "TCP" }],
        },
      },
    },
    {
      source: source("deployment.yaml"),
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: metadata(release),
        spec: {
          replicas,
          selector: { matchLabels: selectorLabels },
          template: {
            metadata: { labels: { ...selectorLabels } },
            spec: {
              containers: [{ name: chart.name, image, ports: [{ name: "http", containerPort: targetPort, protocol: "TCP" }], resources }],
            },
          },
        },
      },
    },
    {
      source: source("propagationpolicy.yaml"),
      object: {
        apiVersion: "policy.karmada.io/v1alpha1",
        kind: "PropagationPolicy",
        metadata: metadata(release),
        spec: {
          resourceSelectors: [
            { apiVersion: "apps/v1", kind: "Deployment", name: release },
            { apiVersion: "v1", kind: "Service", name: release },
            ...(hasImports ? [{ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceExport", name: release }] : []),
          ],
          placement: {
            ...(clustersAffinity.length > 0 ? { clusterAffinity: { clusterNames: clustersAffinity } } : {}),
            replicaScheduling: { replicaSchedulingType: "Divided", replicaDivisionPreference: "Weighted" },
          },
        },
      },
    },
  ];

  if (hasImports) {
    objects.push(
      {
        source: source("serviceimport-policy.yaml"),
        object: {
          apiVersion: "policy.karmada.io/v1alpha1",
          kind: "PropagationPolicy",
          metadata: metadata(`${release}-import`),
          spec: {
            resourceSelectors: [{ apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceImport", name: release }],
            placement: { clusterAffinity: { clusterNames: serviceImportClusters } },
          },
        },
      },
      {
        source: source("serviceexport.yaml"),
        object: { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceExport", metadata: metadata(release) },
      },
      {
        source: source("serviceimport.yaml"),
        object: {
          apiVersion: "multicluster.x-k8s.io/v1alpha1",
          kind: "ServiceImport",
          metadata: metadata(release),
          spec: { type: "ClusterSetIP", ports: [{ name: "http", port, protocol: "TCP" }] },
        },
      },
    );
  }
  return objects;
}

function readStringList(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new RenderError(`template: ${path}: expected a list of cluster names, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readReplicas(values: Record<string, unknown>): number {
  const raw = values.replicas ?? values.replicaCount ?? 1;
  const replicas = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw new RenderError(
      `failed to create resource: Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal ${typeof raw} into Go struct field DeploymentSpec.spec.replicas of type int32`,
    );
  }
  return replicas;
}

function readResources(value: unknown): Resources | undefined {
  if (!isRecord(value)) return undefined;
  const read = (list: unknown): ResourceList | undefined =>
    isRecord(list) ? Object.fromEntries(Object.entries(list).map(([key, quantity]) => [key, String(quantity)])) : undefined;
  const resources: Resources = {};
  const requests = read(value.requests);
  const limits = read(value.limits);
  if (requests) resources.requests = requests;
  if (limits) resources.limits = limits;
  return requests || limits ? resources : undefined;
}

function readPort(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const port = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RenderError(`template: ${path}: ${JSON.stringify(value)} is not a port number`);
  }
  return port;
}

function readImage(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.repository !== "string") return undefined;
  return `${value.repository}:${typeof value.tag === "string" || typeof value.tag === "number" ? value.tag : "latest"}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
