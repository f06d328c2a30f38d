/**
 * One input type and one result type for every placement algorithm (SPEC §4).
 * Quantities are plain numbers: CPU in cores, memory in bytes.
 */

import type { LatencyQos } from "../hdag/types";

export type PlacementAlgorithm = "first-fit" | "green-best-fit" | "optimal";
export const PLACEMENT_ALGORITHMS: readonly PlacementAlgorithm[] = ["first-fit", "green-best-fit", "optimal"];

export type PlacementCluster = {
  name: string;
  /** Available CPU cores. */
  cpu: number;
  /** Available memory in bytes. */
  memory: number;
  gpu: boolean;
  ready: boolean;
  /** Carbon intensity (gCO2/kWh or any consistent unit); 0 when unknown. */
  carbon: number;
};

export type PlacementService = {
  id: string;
  /** CPU cores per replica. */
  cpu: number;
  /** Memory bytes per replica. */
  memory: number;
  replicas: number;
  gpu: boolean;
  /** Services this one connects to. */
  connectionPoints: string[];
  /** QoS of this service's link to a connection point; best-effort when absent. */
  latencies: Record<string, LatencyQos>;
  /** Services that must share this service's clusters. */
  coLocation: string[];
  /** Number of distinct clusters (1 unless high availability asks for more). */
  spread: number;
  /** Clusters the service runs on now (empty for a first placement). */
  current: string[];
};

export type PlacementWeights = { migration: number; carbon: number; communication: number; balance: number };
export const DEFAULT_PLACEMENT_WEIGHTS: PlacementWeights = { migration: 1, carbon: 0, communication: 1, balance: 0 };

export const QOS_WEIGHT: Record<LatencyQos, number> = { ultralow: 10, low: 3, "best-effort": 1 };

export type PlacementInput = {
  clusters: PlacementCluster[];
  services: PlacementService[];
  weights: PlacementWeights;
};

export type PlacementTerms = { migration: number; carbon: number; communication: number; balance: number };

/** Why one cluster cannot host one service. */
export type ClusterExclusion = {
  cluster: string;
  reason: "not-ready" | "no-gpu" | "cpu" | "memory" | "co-location" | "spread";
  message: string;
};

export type ServiceExplanation = {
  service: string;
  clusters: string[];
  /** One sentence: why these clusters. */
  summary: string;
  excluded: ClusterExclusion[];
  /** For each other feasible cluster, how the objective would change if the service moved there alone (NaN when such a move breaks a constraint). */
  moveCosts: { cluster: string; objectiveDelta: number; feasible: boolean }[];
};

export type PlacementStatus = "optimal" | "feasible" | "infeasible";

export type PlacementResult = {
  algorithm: PlacementAlgorithm;
  status: PlacementStatus;
  /** service id → clusters it runs on (empty when infeasible). */
  placement: Record<string, string[]>;
  /** services × clusters of 0/1, rows in input service order, columns in input cluster order. */
  matrix: number[][];
  objective: number;
  terms: PlacementTerms;
  /** Relative MIP gap (0 when proven optimal; undefined for heuristics). */
  gap?: number;
  solveMs: number;
  explanations: ServiceExplanation[];
  /** When infeasible: which service cannot be placed, and what ruled out each cluster. */
  infeasibility?: { service?: string; message: string; excluded: ClusterExclusion[] };
};
