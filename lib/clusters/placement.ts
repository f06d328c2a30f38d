import type { CoreContext } from "../context";
import type { PlacementCluster } from "../placement/types";
import { listClusters } from "./list";
import type { ClusterRecord } from "./types";

/**
 * Placement input from the stored clusters. Every cluster keeps its place in the list, but only
 * a Ready cluster with fresh figures is a candidate: NotReady, stale or removed ones get
 * `ready: false` and zero capacity, because their figures must not be planned on.
 */
export async function placementClusters(ctx: Pick<CoreContext, "db">): Promise<PlacementCluster[]> {
  return (await listClusters(ctx)).map(toPlacementCluster);
}

export function toPlacementCluster(row: ClusterRecord): PlacementCluster {
  const candidate = row.ready && !row.stale;
  return {
    name: row.name,
    cpu: candidate ? row.availableCpu : 0,
    memory: candidate ? row.availableMemory : 0,
    gpu: row.gpus > 0,
    ready: candidate,
    carbon: row.carbonIntensity ?? 0,
  };
}
