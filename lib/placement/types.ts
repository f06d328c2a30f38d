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

/**
 * `optimal`: proven optimal; `feasible`: a placement, not proven optimal (time limit; `gap` says how far
 * at most); `infeasible`: no placement exists (or, for a heuristic, the heuristic found none);
 * `unknown`: the time limit ran out before any placement was found, and infeasibility is not proven.
 */
export type PlacementStatus = "optimal" | "feasible" | "infeasible" | "unknown";

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
  /** How the time was spent (all in milliseconds) and the size of the integer program, for benchmarks and logs. */
  stats?: PlacementStats;
};

export type PlacementStats = {
  /** Validation, the heuristic placements and their local improvement. */
  heuristicMs: number;
  /** Building the integer program and its root tree-cut rounds; on large models also column pricing and neighbourhood search. */
  buildMs: number;
  /** The final HiGHS branch-and-bound run (0 when a large model's search ended without it). */
  highsMs: number;
  /** x, y, d and u columns of the final integer program (x columns kept, when no final run happened). */
  columns: number;
  rows: number;
  /** Objective of the best heuristic placement handed to HiGHS as its start (NaN when none). */
  startObjective: number;
};

export type PlanPlacementOptions = {
  algorithm: PlacementAlgorithm;
  /** Time limit of the optimal algorithm in seconds (default 10); the best placement found so far is returned when it runs out. */
  timeLimitSeconds?: number;
  /** Receives the optimal algorithm's diagnostics (HiGHS's log, pricing and cut rounds), line by line. */
  log?: (line: string) => void;
};

/** One constraint a placement breaks. */
export type PlacementViolation = {
  kind: "unknown-service" | "unknown-cluster" | "duplicate-cluster" | "spread" | "not-ready" | "no-gpu" | "cpu" | "memory" | "co-location";
  service?: string;
  cluster?: string;
  message: string;
};

/** A placement measured against the model of SPEC §4: feasibility, each term and the weighted objective. */
export type PlacementEvaluation = {
  feasible: boolean;
  violations: PlacementViolation[];
  terms: PlacementTerms;
  objective: number;
};
