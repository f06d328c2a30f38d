/**
 * The registry of resource types the emulated Karmada API server serves. Everything else (routing,
 * discovery, storage, error texts) is driven by these entries, so adding a type is one entry.
 */

export type Subresource = "status" | "scale";

/** One printer column of `kubectl get` (a Table column); `cell` reads it from the stored object. */
export type PrinterColumn = {
  name: string;
  type: "string" | "integer" | "date";
  description: string;
  priority?: number;
  cell: (object: KubeObject) => string | number;
};

export type ResourceType = {
  /** API group; "" for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  /**
   * Served as a CustomResourceDefinition: CR lists carry kind/apiVersion on their items,
   * PUT needs a resourceVersion and strategic merge patch is refused (415).
   */
  isCustomResource: boolean;
  subresources: Subresource[];
  shortNames?: string[];
  categories?: string[];
  /** Whether the object has `metadata.generation` (bumped on spec changes). */
  hasGeneration: boolean;
  /** Extra printer columns after NAME (AGE is always last). */
  columns?: PrinterColumn[];
};

/** A stored object: any JSON object with Kubernetes metadata. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMetadata;
  [key: string]: unknown;
};

export type KubeMetadata = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: unknown[];
  [key: string]: unknown;
};

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps`, `prometheusrules.monitoring.coreos.com`, or `pods` for the core group. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** `Deployment.apps`, or `Namespace` for the core group (as in "is invalid" messages). */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

export function verbsOf(_type: ResourceType): string[] {
  return ALL_VERBS;
}

function readPath(object: unknown, path: string[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function numberAt(object: unknown, ...path: string[]): number {
  const value = readPath(object, path);
  return typeof value === "number" ? value : 0;
}

function textAt(object: unknown, ...path: string[]): string {
  const value = readPath(object, path);
  return typeof value === "string" ? value : "";
}

function readyConditionOf(object: unknown): string {
  const conditions = readPath(object, ["status", "conditions"]);
  if (!Array.isArray(conditions)) return "Unknown";
  const ready = conditions.find((condition) => (condition as { type?: string }).type === "Ready") as { status?: string } | undefined;
  return ready?.status ?? "Unknown";
}

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    singular: "namespace",
    namespaced: false,
    isCustomResource: false,
    subresources: ["status"],
    shortNames: ["ns"],
    hasGeneration: false,
    columns: [{ name: "Status", type: "string", description: "The phase of the namespace", cell: (o) => textAt(o, "status", "phase") }],
  },
  {
    group: "",
    version: "v1",
    kind: "Secret",
    plural: "secrets",
    singular: "secret",
    namespaced: true,
    isCustomResource: false,
    subresources: [],
    hasGeneration: false,
    columns: [
      { name: "Type", type: "string", description: "The type of the secret", cell: (o) => textAt(o, "type") },
      {
        name: "Data",
        type: "string",
        description: "The number of keys in the secret",
        cell: (o) => String(Object.keys((readPath(o, ["data"]) as object | undefined) ?? {}).length),
      },
    ],
  },
  {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    singular: "configmap",
    namespaced: true,
    isCustomResource: false,
    subresources: [],
    shortNames: ["cm"],
    hasGeneration: false,
    columns: [
      {
        name: "Data",
        type: "string",
        description: "The number of keys in the config map",
        cell: (o) => String(Object.keys((readPath(o, ["data"]) as object | undefined) ?? {}).length),
      },
    ],
  },
  {
    group: "",
    version: "v1",
    kind: "Service",
    plural: "services",
    singular: "service",
    namespaced: true,
    isCustomResource: false,
    subresources: ["status"],
    shortNames: ["svc"],
    categories: ["all"],
    hasGeneration: false,
    columns: [
      { name: "Type", type: "string", description: "The type of the service", cell: (o) => textAt(o, "spec", "type") },
      { name: "Cluster-IP", type: "string", description: "The cluster IP", cell: (o) => textAt(o, "spec", "clusterIP") || "<none>" },
      { name: "External-IP", type: "string", description: "External IPs", cell: () => "<none>" },
      {
        name: "Port(s)",
        type: "string",
        description: "The ports of the service",
        cell: (o) => {
          const ports = readPath(o, ["spec", "ports"]);
          if (!Array.isArray(ports) || ports.length === 0) return "<none>";
          return ports.map((port) => `${(port as { port?: number }).port}/${(port as { protocol?: string }).protocol ?? "TCP"}`).join(",");
        },
      },
    ],
  },
  {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    singular: "deployment",
    namespaced: true,
    isCustomResource: false,
    subresources: ["status", "scale"],
    shortNames: ["deploy"],
    categories: ["all"],
    hasGeneration: true,
    columns: [
      {
        name: "Ready",
        type: "string",
        description: "Ready replicas / desired replicas",
        cell: (o) => `${numberAt(o, "status", "readyReplicas")}/${numberAt(o, "spec", "replicas")}`,
      },
      { name: "Up-to-date", type: "integer", description: "Updated replicas", cell: (o) => numberAt(o, "status", "updatedReplicas") },
      { name: "Available", type: "integer", description: "Available replicas", cell: (o) => numberAt(o, "status", "availableReplicas") },
    ],
  },
  {
    group: "cluster.karmada.io",
    version: "v1alpha1",
    kind: "Cluster",
    plural: "clusters",
    singular: "cluster",
    namespaced: false,
    // Served by karmada-aggregated-apiserver from Go types: typed lists, strategic merge allowed.
    isCustomResource: false,
    subresources: ["status"],
    hasGeneration: true,
    columns: [
      { name: "Version", type: "string", description: "Kubernetes version of the member", cell: (o) => textAt(o, "status", "kubernetesVersion") },
      { name: "Mode", type: "string", description: "Push or Pull", cell: (o) => textAt(o, "spec", "syncMode") },
      { name: "Ready", type: "string", description: "The Ready condition", cell: (o) => readyConditionOf(o) },
    ],
  },
  {
    group: "policy.karmada.io",
    version: "v1alpha1",
    kind: "PropagationPolicy",
    plural: "propagationpolicies",
    singular: "propagationpolicy",
    namespaced: true,
    isCustomResource: true,
    subresources: [],
    shortNames: ["pp"],
    hasGeneration: true,
  },
  {
    group: "policy.karmada.io",
    version: "v1alpha1",
    kind: "ClusterPropagationPolicy",
    plural: "clusterpropagationpolicies",
    singular: "clusterpropagationpolicy",
    namespaced: false,
    isCustomResource: true,
    subresources: [],
    shortNames: ["cpp"],
    hasGeneration: true,
  },
  {
    group: "work.karmada.io",
    version: "v1alpha2",
    kind: "ResourceBinding",
    plural: "resourcebindings",
    singular: "resourcebinding",
    namespaced: true,
    isCustomResource: true,
    subresources: ["status"],
    shortNames: ["rb"],
    hasGeneration: true,
    columns: [
      {
        name: "Scheduled",
        type: "string",
        description: "The Scheduled condition",
        cell: (o) => {
          const conditions = readPath(o, ["status", "conditions"]);
          const scheduled = Array.isArray(conditions) ? conditions.find((c) => (c as { type?: string }).type === "Scheduled") : undefined;
          return (scheduled as { status?: string } | undefined)?.status ?? "";
        },
      },
    ],
  },
  {
    group: "monitoring.coreos.com",
    version: "v1",
    kind: "PrometheusRule",
    plural: "prometheusrules",
    singular: "prometheusrule",
    namespaced: true,
    isCustomResource: true,
    subresources: [],
    shortNames: ["promrule"],
    hasGeneration: true,
  },
  {
    group: "multicluster.x-k8s.io",
    version: "v1alpha1",
    kind: "ServiceImport",
    plural: "serviceimports",
    singular: "serviceimport",
    namespaced: true,
    isCustomResource: true,
    subresources: ["status"],
    shortNames: ["svcim"],
    hasGeneration: true,
  },
  {
    group: "multicluster.x-k8s.io",
    version: "v1alpha1",
    kind: "ServiceExport",
    plural: "serviceexports",
    singular: "serviceexport",
    namespaced: true,
    isCustomResource: true,
    subresources: ["status"],
    shortNames: ["svcex"],
    hasGeneration: true,
  },
];

/** Finds a type by group, version and plural; undefined when the server does not serve it. */
export function findResourceType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => type.group === group && type.version === version && type.plural === plural);
}

export function findResourceTypeByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => apiVersionOf(type) === apiVersion && type.kind === kind);
}

/** Group → versions, in registry order (the first version is the preferred one). */
export function listGroupVersions(): { group: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const type of RESOURCE_TYPES) {
    const versions = groups.get(type.group) ?? [];
    if (!versions.includes(type.version)) versions.push(type.version);
    groups.set(type.group, versions);
  }
  return [...groups].map(([group, versions]) => ({ group, versions }));
}
