/**
 * Member clusters as SMO keeps them: the last synced figures from Karmada plus the operator's
 * attributes (location, carbon intensity), and what SMO has placed on each.
 */
import type { clusters } from "../../db/schema";

/** One stored cluster row. CPU in cores, memory in bytes, carbon intensity in gCO2/kWh. */
export type ClusterRecord = typeof clusters.$inferSelect;

/** A service placed on a cluster (its `clusters` list names the cluster). */
export type ClusterService = {
  name: string;
  graph: string;
  project: string;
  status: "Pending" | "Deployed" | "Not deployed" | "Failed";
  replicas: number;
  /** CPU cores per replica. */
  cpu: number;
  /** Memory bytes per replica. */
  memory: number;
  gpu: boolean;
};

/** What SMO's deployed services request on a cluster: cpu × replicas and memory × replicas summed. */
export type UsedCapacity = { cpu: number; memory: number; gpuServices: number };

export type ClusterDetail = ClusterRecord & { services: ClusterService[]; used: UsedCapacity };

export type UpdateClusterAttributesInput = {
  name: string;
  /** The version the editor read; the write is refused when the row has moved on. */
  version: number;
  /** Free text (a city, a site); null or an empty string clears it. Undefined leaves it unchanged. */
  location?: string | null;
  /** gCO2/kWh, 0..2000; null clears it. Undefined leaves it unchanged. */
  carbonIntensity?: number | null;
};

/** Totals for the dashboard. Available and allocatable are over Ready clusters only; NotReady figures are stale. */
export type FederationSummary = {
  clusters: { total: number; ready: number; notReady: number };
  cpu: { available: number; allocatable: number };
  memory: { available: number; allocatable: number };
  gpus: { available: number; allocatable: number };
  /** Allocatable capacity of the NotReady clusters, which placement cannot use now. */
  unavailable: { cpu: number; memory: number; gpus: number };
  /** The most recent sync that reached any cluster; null before the first sync. */
  lastSyncedAt: Date | null;
};
