import type { CoreContext } from "../context";
import { listClusters } from "./list";
import { REMOVED_FROM_KARMADA } from "./store";
import type { FederationSummary } from "./types";

/** Counts and capacity totals for the dashboard; a NotReady (or stale) member's capacity counts as unavailable, a removed one's not at all. */
export async function federationSummary(ctx: Pick<CoreContext, "db">): Promise<FederationSummary> {
  const rows = await listClusters(ctx);
  const summary: FederationSummary = {
    clusters: { total: rows.length, ready: 0, notReady: 0 },
    cpu: { available: 0, allocatable: 0 },
    memory: { available: 0, allocatable: 0 },
    gpus: { available: 0, allocatable: 0 },
    unavailable: { cpu: 0, memory: 0, gpus: 0 },
    lastSyncedAt: null,
  };
  for (const row of rows) {
    if (row.lastSyncedAt && (!summary.lastSyncedAt || row.lastSyncedAt > summary.lastSyncedAt)) summary.lastSyncedAt = row.lastSyncedAt;
    if (row.ready && !row.stale) {
      summary.clusters.ready += 1;
      summary.cpu.available += row.availableCpu;
      summary.cpu.allocatable += row.allocatableCpu;
      summary.memory.available += row.availableMemory;
      summary.memory.allocatable += row.allocatableMemory;
      summary.gpus.available += row.availableGpus;
      summary.gpus.allocatable += row.gpus;
    } else {
      summary.clusters.notReady += 1;
      // A cluster gone from Karmada is not capacity the federation is missing for now.
      if (row.readyReason === REMOVED_FROM_KARMADA) continue;
      summary.unavailable.cpu += row.allocatableCpu;
      summary.unavailable.memory += row.allocatableMemory;
      summary.unavailable.gpus += row.gpus;
    }
  }
  // Sums of nano-exact core figures: round away binary-float residue.
  summary.cpu.available = Number(summary.cpu.available.toFixed(9));
  summary.cpu.allocatable = Number(summary.cpu.allocatable.toFixed(9));
  summary.unavailable.cpu = Number(summary.unavailable.cpu.toFixed(9));
  return summary;
}
