/**
 * Karmada Cluster objects → ClusterState, and ClusterState → placement input.
 * Semantics from karmada's cluster_status_controller: zero-valued resources are omitted from
 * resourceSummary, and an unreachable cluster keeps its last summary while `Ready` turns False.
 */

import { tryParseQuantity } from "../quantity";
import type { PlacementCluster } from "../placement/types";
import type { KarmadaCluster } from "./schemas";
import type { ClusterState, ResourceFigures } from "./types";

export const CARBON_INTENSITY_LABEL = "smo.eu/carbon-intensity";
export const GPU_RESOURCE = "nvidia.com/gpu";

type ResourceList = Record<string, string | number> | undefined;

/** Converts a validated Cluster object. Quantities were checked by the schema, so parsing cannot fail here. */
export function toClusterState(cluster: KarmadaCluster): ClusterState {
  const summary = cluster.status?.resourceSummary;
  const figures = (resource: string): ResourceFigures => {
    const allocatable = readQuantity(summary?.allocatable, resource);
    const allocated = readQuantity(summary?.allocated, resource);
    const allocating = readQuantity(summary?.allocating, resource);
    const available = Math.max(0, roundToNano(allocatable - allocated - allocating));
    return { allocatable, allocated, allocating, available };
  };
  const readyCondition = cluster.status?.conditions?.find((condition) => condition.type === "Ready");
  const ready = readyCondition?.status === "True";
  const labels = cluster.metadata.labels ?? {};
  const gpus = figures(GPU_RESOURCE);
  const pods = figures("pods");
  return {
    name: cluster.metadata.name,
    ready,
    readyReason: readyCondition?.reason ?? (readyCondition ? readyCondition.status : "NoReadyCondition"),
    readyMessage: readyCondition?.message ?? (readyCondition ? "" : "the cluster reports no Ready condition"),
    stale: !ready,
    cpu: figures("cpu"),
    memory: figures("memory"),
    gpus: { allocatable: gpus.allocatable, available: gpus.available },
    pods: { allocatable: pods.allocatable, available: pods.available },
    region: cluster.spec?.region,
    zone: cluster.spec?.zone ?? cluster.spec?.zones?.[0],
    provider: cluster.spec?.provider,
    carbonIntensity: parseCarbonIntensity(labels[CARBON_INTENSITY_LABEL]),
    kubernetesVersion: cluster.status?.kubernetesVersion,
    taints: (cluster.spec?.taints ?? []).map(({ key, value, effect }) => (value === undefined ? { key, effect } : { key, value, effect })),
    labels,
  };
}

function readQuantity(list: ResourceList, resource: string): number {
  const raw = list?.[resource];
  return raw === undefined ? 0 : roundToNano(tryParseQuantity(raw) ?? 0);
}

/** Quantities are exact to the nano-unit; rounding there turns 1400m into 1.4 and 48 − 21.35 − 4 into 22.65, not binary-float neighbours. */
export function roundToNano(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toFixed(9));
}

/** A label value such as "120" or "87.5"; anything else (including negatives) counts as unknown. */
export function parseCarbonIntensity(label: string | undefined): number | undefined {
  if (label === undefined || label.trim() === "") return undefined;
  const value = Number(label);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Taints that keep Karmada's scheduler away unless tolerated (SMO's policies tolerate none). */
function isUnschedulable(cluster: ClusterState): boolean {
  return cluster.taints.some((taint) => taint.effect === "NoSchedule" || taint.effect === "NoExecute");
}

/**
 * Placement input for every cluster. A cluster is a candidate (`ready: true`) only when Ready and
 * not tainted NoSchedule/NoExecute; the others keep their place in the list with zero capacity,
 * because their figures are stale and must not be planned on.
 */
export function readyPlacementClusters(clusters: ClusterState[]): PlacementCluster[] {
  return clusters.map((cluster) => {
    const candidate = cluster.ready && !isUnschedulable(cluster);
    return {
      name: cluster.name,
      cpu: candidate ? cluster.cpu.available : 0,
      memory: candidate ? cluster.memory.available : 0,
      gpu: cluster.gpus.allocatable > 0,
      ready: candidate,
      carbon: cluster.carbonIntensity ?? 0,
    };
  });
}
