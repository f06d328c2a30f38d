/**
 * Discovery documents (`/version`, `/api`, `/apis`, group and group-version resource lists)
 * and `meta.k8s.io/v1` Table rendering for `kubectl get`, all derived from the registry.
 */
import { apiVersionOf, listGroupVersions, RESOURCE_TYPES, verbsOf, type KubeObject, type ResourceType } from "./resources";

export const SERVER_VERSION = {
  major: "1",
  minor: "31",
  gitVersion: "v1.31.3",
  gitCommit: "c83cbee114ec00897d0eb1ef0e75e1d8e2a8e2c1",
  gitTreeState: "clean",
  buildDate: "2024-11-19T13:43:03Z",
  goVersion: "go1.22.8",
  compiler: "gc",
  platform: "linux/amd64",
};

export function apiVersionsDocument(serverAddress: string): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupDocument(group: string, versions: string[]): Record<string, unknown> {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

export function apiGroupListDocument(): Record<string, unknown> {
  const groups = listGroupVersions()
    .filter(({ group }) => group !== "")
    .map(({ group, versions }) => groupDocument(group, versions));
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

/** The APIGroup document of one group, or undefined when the group is not served. */
export function apiGroupDocument(group: string): Record<string, unknown> | undefined {
  const found = listGroupVersions().find((entry) => entry.group === group && group !== "");
  return found ? { kind: "APIGroup", apiVersion: "v1", ...groupDocument(found.group, found.versions) } : undefined;
}

/** The APIResourceList of a group/version, or undefined when it is not served. */
export function apiResourceListDocument(group: string, version: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((type) => type.group === group && type.version === version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const type of types) {
    const entry: Record<string, unknown> = {
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: verbsOf(type),
    };
    if (type.shortNames) entry.shortNames = type.shortNames;
    if (type.categories) entry.categories = type.categories;
    resources.push(entry);
    for (const subresource of type.subresources) {
      resources.push({
        name: `${type.plural}/${subresource}`,
        singularName: "",
        namespaced: type.namespaced,
        ...(subresource === "scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : { kind: type.kind }),
        verbs: ["get", "patch", "update"],
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf(types[0]!), resources };
}

/** "5s", "3m", "2h", "4d" — the short age kubectl prints. */
function describeAge(creationTimestamp: string | undefined): string {
  if (!creationTimestamp) return "<unknown>";
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(creationTimestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** A `meta.k8s.io/v1` Table of objects, as the API server answers `Accept: …;as=Table`. */
export function tableOf(type: ResourceType, objects: KubeObject[], resourceVersion: string, continueToken?: string): Record<string, unknown> {
  const columns = type.columns ?? [];
  const columnDefinitions = [
    { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0 },
    ...columns.map((column) => ({ name: column.name, type: column.type, format: "", description: column.description, priority: column.priority ?? 0 })),
    { name: "Age", type: "string", format: "", description: "CreationTimestamp is the time the object was created.", priority: 0 },
  ];
  const rows = objects.map((object) => ({
    cells: [object.metadata.name ?? "", ...columns.map((column) => column.cell(object)), describeAge(object.metadata.creationTimestamp)],
    object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata },
  }));
  const metadata: Record<string, string> = { resourceVersion };
  if (continueToken) metadata.continue = continueToken;
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata, columnDefinitions, rows };
}
