/**
 * Karmada member clusters: the simulated members themselves (capacity, reachability) and the
 * `cluster.karmada.io/v1alpha1` Cluster objects that Karmada's cluster status controller
 * writes for them (shape of shared/fixtures/karmada-cluster.json).
 */
import { randomUUID } from "node:crypto";
import { formatBytes, formatCpu, tryParseQuantity } from "../../lib/quantity";
import type { SimClusterInfo } from "../types";
import type { KubeObject } from "./resources";

export type SimClusterSpec = {
  name: string;
  /** Allocatable CPU, a quantity ("64", "31500m"). */
  cpu: string;
  /** Allocatable memory, a quantity ("256Gi"). */
  memory: string;
  gpus?: number;
  region?: string;
  zone?: string;
  provider?: string;
  /** gCO2/kWh, published as the label `smo.eu/carbon-intensity`. */
  carbonIntensity?: number;
  ready?: boolean;
  /** Allocatable pod slots; default 110 per node. */
  pods?: number;
};

export const CARBON_INTENSITY_LABEL = "smo.eu/carbon-intensity";
export const NOT_READY_TAINT = "cluster.karmada.io/not-ready";
export const GPU_RESOURCE = "nvidia.com/gpu";

/** Four European members of different sizes; one has GPUs. Carbon intensities follow each grid's typical mix. */
export const DEFAULT_SANDBOX_CLUSTERS: SimClusterSpec[] = [
  { name: "frankfurt", cpu: "64", memory: "256Gi", gpus: 4, region: "eu-central", zone: "eu-central-1a", provider: "sandbox", carbonIntensity: 380 },
  { name: "paris", cpu: "32", memory: "128Gi", region: "eu-west", zone: "eu-west-3a", provider: "sandbox", carbonIntensity: 60 },
  { name: "stockholm", cpu: "16", memory: "64Gi", region: "eu-north", zone: "eu-north-1a", provider: "sandbox", carbonIntensity: 50 },
  { name: "warsaw", cpu: "8", memory: "32Gi", region: "eu-east", zone: "eu-east-1a", provider: "sandbox", carbonIntensity: 450 },
];

/** Resources as plain numbers: CPU in cores, memory in bytes. */
export type ResourceAmounts = { cpu: number; memory: number; gpus: number; pods: number };

export const ZERO_AMOUNTS: ResourceAmounts = { cpu: 0, memory: 0, gpus: 0, pods: 0 };

/** The simulated member behind a Cluster object: its true capacity and whether Karmada can reach it. */
export type Member = { name: string; capacity: ResourceAmounts; nodes: number; ready: boolean };

const CORES_PER_NODE = 16;
const PODS_PER_NODE = 110;
const EPHEMERAL_STORAGE_PER_NODE = 100 * 2 ** 30;

/** The kube-system and agent pods every node runs, counted in `allocated` like real clusters. */
export const SYSTEM_PODS_PER_NODE: ResourceAmounts = { cpu: 0.35, memory: 600 * 2 ** 20, gpus: 0, pods: 5 };

function nodeCountFor(cpu: number): number {
  return Math.max(1, Math.ceil(cpu / CORES_PER_NODE));
}

export function addAmounts(a: ResourceAmounts, b: ResourceAmounts, times = 1): ResourceAmounts {
  return { cpu: a.cpu + b.cpu * times, memory: a.memory + b.memory * times, gpus: a.gpus + b.gpus * times, pods: a.pods + b.pods * times };
}

export function systemUsageOf(member: Member): ResourceAmounts {
  return addAmounts(ZERO_AMOUNTS, SYSTEM_PODS_PER_NODE, member.nodes);
}

/** Validates a cluster spec; throws naming the bad field. */
export function memberFromSpec(spec: SimClusterSpec): Member {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.name)) throw new Error(`cluster name "${spec.name}" is not a DNS-1123 label`);
  const cpu = tryParseQuantity(spec.cpu);
  if (cpu === undefined || cpu <= 0) throw new Error(`cluster "${spec.name}": cpu "${spec.cpu}" is not a positive quantity`);
  const memory = tryParseQuantity(spec.memory);
  if (memory === undefined || memory <= 0) throw new Error(`cluster "${spec.name}": memory "${spec.memory}" is not a positive quantity`);
  const gpus = spec.gpus ?? 0;
  if (!Number.isInteger(gpus) || gpus < 0) throw new Error(`cluster "${spec.name}": gpus ${gpus} is not a non-negative integer`);
  const nodes = nodeCountFor(cpu);
  const pods = spec.pods ?? nodes * PODS_PER_NODE;
  if (!Number.isInteger(pods) || pods <= 0) throw new Error(`cluster "${spec.name}": pods ${pods} is not a positive integer`);
  return { name: spec.name, capacity: { cpu, memory, gpus, pods }, nodes, ready: spec.ready ?? true };
}

/** A ResourceList of quantity strings with zero-valued keys omitted (Karmada `util.ResourceList`). */
export function formatResourceList(amounts: ResourceAmounts, extra: Record<string, string> = {}): Record<string, string> {
  const list: Record<string, string> = {};
  if (amounts.cpu > 0) list.cpu = formatCpu(amounts.cpu);
  Object.assign(list, extra);
  if (amounts.memory > 0) list.memory = formatBytes(amounts.memory);
  if (amounts.gpus > 0) list[GPU_RESOURCE] = String(amounts.gpus);
  if (amounts.pods > 0) list.pods = String(amounts.pods);
  return list;
}

export function parseResourceList(list: unknown): ResourceAmounts {
  if (list === null || typeof list !== "object") return { ...ZERO_AMOUNTS };
  const entries = list as Record<string, unknown>;
  const read = (key: string) => (typeof entries[key] === "string" || typeof entries[key] === "number" ? (tryParseQuantity(entries[key] as string) ?? 0) : 0);
  return { cpu: read("cpu"), memory: read("memory"), gpus: read(GPU_RESOURCE), pods: read("pods") };
}

function allocatableOf(member: Member): Record<string, string> {
  return formatResourceList(member.capacity, { "ephemeral-storage": formatBytes(member.nodes * EPHEMERAL_STORAGE_PER_NODE) });
}

type ClusterCondition = { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string };

function readyCondition(ready: boolean, time: string): ClusterCondition {
  return ready
    ? { type: "Ready", status: "True", lastTransitionTime: time, reason: "ClusterReady", message: "cluster is healthy and ready to accept workloads" }
    : { type: "Ready", status: "False", lastTransitionTime: time, reason: "ClusterNotReachable", message: "cluster is not reachable" };
}

const API_ENABLEMENTS = [
  {
    groupVersion: "apps/v1",
    resources: [
      { name: "deployments", kind: "Deployment" },
      { name: "deployments/scale", kind: "Scale" },
    ],
  },
  {
    groupVersion: "v1",
    resources: [
      { name: "configmaps", kind: "ConfigMap" },
      { name: "pods", kind: "Pod" },
      { name: "secrets", kind: "Secret" },
      { name: "services", kind: "Service" },
    ],
  },
];

/** The Cluster object of a freshly joined member (status as the cluster status controller first writes it). */
export function buildClusterObject(spec: SimClusterSpec, member: Member, index: number, time: string): KubeObject {
  const labels: Record<string, string> = {};
  if (spec.carbonIntensity !== undefined) labels[CARBON_INTENSITY_LABEL] = String(spec.carbonIntensity);
  if (spec.region) labels.region = spec.region;
  if (member.capacity.gpus > 0) labels.accelerator = "nvidia";
  const clusterSpec: Record<string, unknown> = {
    id: randomUUID(),
    syncMode: "Push",
    apiEndpoint: `https://172.18.0.${index + 3}:6443`,
    secretRef: { namespace: "karmada-cluster", name: spec.name },
    impersonatorSecretRef: { namespace: "karmada-cluster", name: `${spec.name}-impersonator` },
  };
  if (spec.provider) clusterSpec.provider = spec.provider;
  if (spec.region) clusterSpec.region = spec.region;
  if (spec.zone) clusterSpec.zone = spec.zone;
  const object: KubeObject = {
    apiVersion: "cluster.karmada.io/v1alpha1",
    kind: "Cluster",
    metadata: { name: spec.name, labels, finalizers: ["karmada.io/cluster-controller"] },
    spec: clusterSpec,
    status: {
      kubernetesVersion: "v1.31.2",
      apiEnablements: API_ENABLEMENTS,
      conditions: [
        { type: "CompleteAPIEnablements", status: "True", lastTransitionTime: time, reason: "Complete", message: "collected complete APIEnablements from the cluster" },
        readyCondition(true, time),
      ],
      nodeSummary: { totalNum: member.nodes, readyNum: member.nodes },
      resourceSummary: { allocatable: allocatableOf(member), allocated: formatResourceList(systemUsageOf(member)) },
    },
  };
  return member.ready ? object : withReadiness(object, false, time);
}

type ClusterStatus = {
  conditions?: ClusterCondition[];
  resourceSummary?: { allocatable?: unknown; allocated?: unknown; allocating?: unknown };
  nodeSummary?: { totalNum?: number; readyNum?: number };
};

type Taint = { key: string; value?: string; effect: string; timeAdded?: string };

export function isClusterReady(cluster: KubeObject): boolean {
  const conditions = (cluster.status as ClusterStatus | undefined)?.conditions ?? [];
  return conditions.some((condition) => condition.type === "Ready" && condition.status === "True");
}

/**
 * The Cluster as the cluster controllers leave it after a change of reachability: only the
 * Ready condition changes (the resourceSummary stays stale while unreachable) and the
 * not-ready NoSchedule taint is added or removed.
 */
export function withReadiness(cluster: KubeObject, ready: boolean, time: string): KubeObject {
  const next = structuredClone(cluster);
  const status = (next.status ?? {}) as ClusterStatus;
  next.status = status;
  const conditions = (status.conditions ?? []).filter((condition) => condition.type !== "Ready");
  const previous = (status.conditions ?? []).find((condition) => condition.type === "Ready");
  const wasReady = previous?.status === "True";
  const condition = readyCondition(ready, previous && wasReady === ready ? (previous.lastTransitionTime ?? time) : time);
  status.conditions = [...conditions, condition];
  const spec = (next.spec ?? {}) as { taints?: Taint[] };
  next.spec = spec;
  const taints = (spec.taints ?? []).filter((taint) => !(taint.key === NOT_READY_TAINT && taint.effect === "NoSchedule"));
  if (!ready) {
    const kept = (spec.taints ?? []).find((taint) => taint.key === NOT_READY_TAINT && taint.effect === "NoSchedule");
    taints.push(kept ?? { key: NOT_READY_TAINT, effect: "NoSchedule", timeAdded: time });
  }
  if (taints.length > 0) spec.taints = taints;
  else delete spec.taints;
  return next;
}

/** The Cluster with a freshly collected resourceSummary (only meaningful while the member is reachable). */
export function withResourceSummary(cluster: KubeObject, member: Member, allocated: ResourceAmounts, allocating: ResourceAmounts): KubeObject {
  const next = structuredClone(cluster);
  const status = (next.status ?? {}) as ClusterStatus;
  next.status = status;
  const summary: Record<string, unknown> = { allocatable: allocatableOf(member) };
  const allocatingList = formatResourceList(allocating);
  if (Object.keys(allocatingList).length > 0) summary.allocating = allocatingList;
  const allocatedList = formatResourceList(allocated);
  if (Object.keys(allocatedList).length > 0) summary.allocated = allocatedList;
  status.resourceSummary = summary;
  status.nodeSummary = { totalNum: member.nodes, readyNum: member.nodes };
  return next;
}

/** A member recovered from a stored Cluster object (state file, or a Cluster created through the API). */
export function memberFromCluster(cluster: KubeObject): Member {
  const status = (cluster.status ?? {}) as ClusterStatus;
  const capacity = parseResourceList(status.resourceSummary?.allocatable);
  const nodes = status.nodeSummary?.totalNum ?? nodeCountFor(capacity.cpu);
  return { name: cluster.metadata.name!, capacity, nodes: Math.max(1, nodes), ready: isClusterReady(cluster) };
}

/** Applies a capacity change to a member; throws naming the bad field. */
export function withCapacity(member: Member, change: { cpu?: string; memory?: string; gpus?: number }): Member {
  const capacity = { ...member.capacity };
  if (change.cpu !== undefined) {
    const cpu = tryParseQuantity(change.cpu);
    if (cpu === undefined || cpu < 0) throw new Error(`cpu: "${change.cpu}" is not a non-negative quantity`);
    capacity.cpu = cpu;
  }
  if (change.memory !== undefined) {
    const memory = tryParseQuantity(change.memory);
    if (memory === undefined || memory < 0) throw new Error(`memory: "${change.memory}" is not a non-negative quantity`);
    capacity.memory = memory;
  }
  if (change.gpus !== undefined) {
    if (!Number.isInteger(change.gpus) || change.gpus < 0) throw new Error(`gpus: ${String(change.gpus)} is not a non-negative integer`);
    capacity.gpus = change.gpus;
  }
  return { ...member, capacity };
}

/** What the metrics emulators see of a Cluster object. */
export function clusterInfoOf(cluster: KubeObject): SimClusterInfo {
  const summary = ((cluster.status ?? {}) as ClusterStatus).resourceSummary ?? {};
  const allocatable = parseResourceList(summary.allocatable);
  const allocated = parseResourceList(summary.allocated);
  return {
    name: cluster.metadata.name!,
    ready: isClusterReady(cluster),
    cpu: allocatable.cpu,
    memory: allocatable.memory,
    allocatedCpu: allocated.cpu,
    allocatedMemory: allocated.memory,
    gpus: allocatable.gpus,
  };
}
