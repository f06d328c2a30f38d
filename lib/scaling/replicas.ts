/**
 * The replica model of the original SMO (SPEC §5), solved per graph and per cluster.
 *
 * What the original does (abilian/smo-monorepo `smo-core/src/smo_core/utils/scaling.py`,
 * `decide_replicas`, solved with cvxpy + HiGHS):
 * - `alpha`, `beta`: the service's measured capacity line `y = alpha·x + beta`, where x is the
 *   number of replicas and y the most requests per second they can handle. beta may be
 *   negative (the original Brussels demo uses alpha 33.33, beta −16.66).
 * - constraints: integer `r[s] ≥ 1`; `alpha[s]·r[s] + beta[s] ≥ requestRate[s]`;
 *   `Σ cpu[s]·r[s] ≤ cluster_capacity` (the cluster's available CPU in cores); and
 *   `acceleration[s] ≤ cluster_acceleration`, a constant constraint that makes the whole
 *   problem infeasible when a GPU service sits on a cluster without GPU.
 * - objective: `0.4·Σ r[s]·cpu[s]/max_util_cost + 0.4·Σ |r[s] − previous[s]|/maximum_replicas[s]`
 *   with `max_util_cost = max_s(maximum_replicas[s]·cpu[s])` — the largest CPU one service may
 *   use, NOT the cluster CPU. We follow the original: `maxUtil` is that maximum.
 * - the original uses `maximum_replicas` only to normalise; SPEC §5 also bounds
 *   `r[s] ≤ maxReplicas[s]`, which we add.
 * - when cvxpy reports anything but optimal the original returns None and triggers a
 *   re-placement of the graph; we return `status: "infeasible"` with the reason.
 *
 * Formulation here: the capacity row of an integer r is exactly `r ≥ minimumReplicas(s)`, so it
 * becomes the column's lower bound (what HiGHS presolve would do with a singleton row); this
 * also lets the cheap checks below decide feasibility exactly, before any solve. |r − previous|
 * is linearised with a continuous d[s] ≥ 0: `r − d ≤ previous` and `r + d ≥ previous`.
 * Columns: r[0..n), d[0..n). Rows: CPU, then for each service its two |·| rows.
 *
 * A property of the original's normalisation cuts most of the work: since
 * `cpu[s]·maxReplicas[s] ≤ maxUtil`, one replica's utilisation cost 0.4·cpu/maxUtil never
 * exceeds one step's transition cost 0.4/maxReplicas. Above `previous`, more replicas cost more
 * and use more CPU; below it, fewer replicas never cost less. So no optimum exceeds
 * `upper[s] = clamp(previous, minimum, maxReplicas)`, which becomes the column's upper bound,
 * and when the `upper` counts fit the cluster CPU they are optimal without a search. HiGHS
 * solves only when the CPU row binds. (A consequence of the original model: it never scales a
 * service below `previous` unless the cluster CPU requires it; the service with the largest
 * maxReplicas·cpu is indifferent between previous and fewer.)
 */
import type { ModelData } from "highs";
import { ValidationError, type ValidationIssue } from "../errors";
import { loadHighs } from "../solver/highs";

export type ReplicaCluster = {
  /** Available CPU cores on the cluster. */
  cpu: number;
  gpu: boolean;
};

export type ReplicaService = {
  id: string;
  /** CPU cores per replica (the container's CPU limit in the original). */
  cpu: number;
  /** Requests per second each replica adds to the capacity line alpha·r + beta. */
  alpha: number;
  /** Intercept of the capacity line; may be negative. */
  beta: number;
  /** Measured requests per second. */
  requestRate: number;
  /** Replicas running now (0 when stopped). */
  previous: number;
  maxReplicas: number;
  gpu: boolean;
};

export type ReplicaProblem = { cluster: ReplicaCluster; services: ReplicaService[] };

export type ReplicaResult = {
  status: "optimal" | "infeasible";
  /** service id → replicas; empty when infeasible. */
  replicas: Record<string, number>;
  /** `replicaObjective` of the replicas; NaN when infeasible. */
  objective: number;
  /** Wall time of the call once the HiGHS runtime is loaded: checks, model build, solve, extraction. */
  solveMs: number;
  /** Why no replica vector fits, naming the services; set when infeasible. */
  reason?: string;
};

export const UTILISATION_WEIGHT = 0.4;
export const TRANSITION_WEIGHT = 0.4;

/** How many services a reason names before summarising the rest. */
const MAX_NAMED_IN_REASON = 10;

/** Relative slack on the cluster CPU row so that sums like 0.1 + 0.2 = 0.30000000000000004 fit in 0.3. */
const CPU_RELATIVE_TOLERANCE = 1e-9;

/** The largest CPU sum the cluster accepts: its CPU plus a rounding tolerance. */
export function cpuCapacityLimit(clusterCpu: number): number {
  return clusterCpu + CPU_RELATIVE_TOLERANCE * Math.max(1, Math.abs(clusterCpu));
}

/** Throws a ValidationError listing every bad field (`services[3].alpha`); changes nothing. */
export function validateReplicaProblem(problem: ReplicaProblem): void {
  const issues: ValidationIssue[] = [];
  if (typeof problem !== "object" || problem === null) throw new ValidationError([{ path: "", message: "must be an object with cluster and services" }]);
  const cluster: unknown = problem.cluster;
  if (typeof cluster !== "object" || cluster === null) {
    issues.push({ path: "cluster", message: "must be an object with cpu and gpu" });
  } else {
    const { cpu, gpu } = cluster as Record<string, unknown>;
    if (!isFiniteNumber(cpu) || cpu < 0) issues.push({ path: "cluster.cpu", message: `must be a finite number of cores ≥ 0, got ${describe(cpu)}` });
    if (typeof gpu !== "boolean") issues.push({ path: "cluster.gpu", message: `must be a boolean, got ${describe(gpu)}` });
  }
  if (!Array.isArray(problem.services)) {
    issues.push({ path: "services", message: `must be an array, got ${describe(problem.services)}` });
    throw new ValidationError(issues);
  }
  const seen = new Map<string, number>();
  problem.services.forEach((service: unknown, index) => {
    const path = `services[${index}]`;
    if (typeof service !== "object" || service === null) {
      issues.push({ path, message: "must be an object" });
      return;
    }
    const { id, cpu, alpha, beta, requestRate, previous, maxReplicas, gpu } = service as Record<string, unknown>;
    if (typeof id !== "string" || id.length === 0) {
      issues.push({ path: `${path}.id`, message: `must be a non-empty string, got ${describe(id)}` });
    } else if (seen.has(id)) {
      issues.push({ path: `${path}.id`, message: `"${id}" is already the id of services[${seen.get(id)}]` });
    } else {
      seen.set(id, index);
    }
    if (!isFiniteNumber(cpu) || cpu <= 0) issues.push({ path: `${path}.cpu`, message: `must be a finite number of cores > 0, got ${describe(cpu)}` });
    if (!isFiniteNumber(alpha) || alpha <= 0) issues.push({ path: `${path}.alpha`, message: `must be a finite number > 0 (requests/s per replica), got ${describe(alpha)}` });
    if (!isFiniteNumber(beta)) issues.push({ path: `${path}.beta`, message: `must be a finite number, got ${describe(beta)}` });
    if (!isFiniteNumber(requestRate) || requestRate < 0) issues.push({ path: `${path}.requestRate`, message: `must be a finite number ≥ 0, got ${describe(requestRate)}` });
    if (!Number.isSafeInteger(previous) || (previous as number) < 0) issues.push({ path: `${path}.previous`, message: `must be an integer ≥ 0, got ${describe(previous)}` });
    if (!Number.isSafeInteger(maxReplicas) || (maxReplicas as number) < 1) issues.push({ path: `${path}.maxReplicas`, message: `must be an integer ≥ 1, got ${describe(maxReplicas)}` });
    if (typeof gpu !== "boolean") issues.push({ path: `${path}.gpu`, message: `must be a boolean, got ${describe(gpu)}` });
  });
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * The smallest integer r ≥ 1 with `alpha·r + beta ≥ requestRate`, evaluated exactly as written
 * (the quotient's rounding is corrected by testing the formula at the neighbouring integers).
 * Anything above `maxReplicas` means the service cannot be served.
 */
export function minimumReplicas(service: Pick<ReplicaService, "alpha" | "beta" | "requestRate" | "maxReplicas">): number {
  const { alpha, beta, requestRate, maxReplicas } = service;
  let replicas = Math.max(1, Math.ceil((requestRate - beta) / alpha));
  if (replicas > maxReplicas + 1) return replicas;
  if (replicas > 1 && alpha * (replicas - 1) + beta >= requestRate) replicas -= 1;
  if (alpha * replicas + beta < requestRate) replicas += 1;
  return replicas;
}

/** The original's `max_util_cost`: the most CPU any one service may use, max(maxReplicas·cpu). */
export function utilisationDenominator(services: readonly ReplicaService[]): number {
  let largest = 0;
  for (const service of services) largest = Math.max(largest, service.maxReplicas * service.cpu);
  return largest;
}

/** The model's objective for given replicas: the one place it is computed. */
export function replicaObjective(problem: ReplicaProblem, replicas: Record<string, number>): number {
  const maxUtil = utilisationDenominator(problem.services);
  let utilisation = 0;
  let transition = 0;
  for (const service of problem.services) {
    const value = replicas[service.id];
    if (value === undefined || !Number.isFinite(value)) {
      throw new ValidationError([{ path: `replicas.${service.id}`, message: `must be a number of replicas, got ${describe(value)}` }]);
    }
    utilisation += (value * service.cpu) / maxUtil;
    transition += Math.abs(value - service.previous) / service.maxReplicas;
  }
  return UTILISATION_WEIGHT * utilisation + TRANSITION_WEIGHT * transition;
}

export type ReplicaBounds =
  | {
      feasible: true;
      /** Per service, the fewest replicas that serve its request rate. */
      minimum: Float64Array;
      /** Per service, the most replicas an optimum can have: clamp(previous, minimum, maxReplicas). */
      upper: Float64Array;
      /** Whether the `upper` counts exceed the cluster CPU, so that HiGHS must trade replicas between services. */
      isCpuBinding: boolean;
    }
  | { feasible: false; reason: string };

/**
 * Decides feasibility without a solver: GPU and per-service replica needs first, then the
 * cluster CPU at every service's minimum. These checks are exact for this model: when they
 * pass, the minimum replicas are a feasible point. Also bounds every optimum from above.
 */
export function checkReplicaBounds(problem: ReplicaProblem): ReplicaBounds {
  const { cluster, services } = problem;
  const minimum = new Float64Array(services.length);
  const problems: string[] = [];
  const gpuWithoutGpu: string[] = [];
  for (let index = 0; index < services.length; index++) {
    const service = services[index]!;
    if (service.gpu && !cluster.gpu) gpuWithoutGpu.push(service.id);
    const needed = minimumReplicas(service);
    minimum[index] = needed;
    if (needed > service.maxReplicas) {
      problems.push(
        `service "${service.id}" needs ${Number.isFinite(needed) ? needed : "unboundedly many"} replicas for ${service.requestRate} req/s ` +
          `(${service.alpha}·r ${service.beta < 0 ? "-" : "+"} ${Math.abs(service.beta)} ≥ ${service.requestRate}) but maxReplicas is ${service.maxReplicas}`,
      );
    }
  }
  if (gpuWithoutGpu.length > 0) {
    const names = listNames(gpuWithoutGpu);
    problems.unshift(`${gpuWithoutGpu.length === 1 ? "service" : "services"} ${names} ${gpuWithoutGpu.length === 1 ? "needs" : "need"} a GPU but the cluster has none`);
  }
  if (problems.length > 0) return { feasible: false, reason: summarise(problems) };

  const limit = cpuCapacityLimit(cluster.cpu);
  const upper = new Float64Array(services.length);
  let neededCpu = 0;
  let upperCpu = 0;
  for (let index = 0; index < services.length; index++) {
    const service = services[index]!;
    upper[index] = Math.min(service.maxReplicas, Math.max(minimum[index]!, service.previous));
    neededCpu += service.cpu * minimum[index]!;
    upperCpu += service.cpu * upper[index]!;
  }
  if (neededCpu > limit) {
    const largest = services
      .map((service, index) => ({ service, replicas: minimum[index]!, cpu: service.cpu * minimum[index]! }))
      .sort((a, b) => b.cpu - a.cpu)
      .slice(0, MAX_NAMED_IN_REASON)
      .map(({ service, replicas, cpu }) => `"${service.id}" ${replicas} × ${formatCores(service.cpu)} = ${formatCores(cpu)}`);
    const rest = services.length > largest.length ? `, and ${services.length - largest.length} more` : "";
    return {
      feasible: false,
      reason: `the cluster has ${formatCores(cluster.cpu)} cores but the fewest replicas that serve the request rates need ${formatCores(neededCpu)} cores: ${largest.join(", ")}${rest}`,
    };
  }
  return { feasible: true, minimum, upper, isCpuBinding: upperCpu > limit };
}

/** The MILP as HiGHS column/row arrays (CSR), the replicas bounded by `minimum` and `upper`. */
export function buildReplicaModel(problem: ReplicaProblem, bounds: { minimum: Float64Array; upper: Float64Array }): ModelData {
  const { minimum, upper } = bounds;
  const { services } = problem;
  const count = services.length;
  const numCols = 2 * count;
  const numRows = 1 + 2 * count;
  const maxUtil = utilisationDenominator(services);
  const colCost = new Float64Array(numCols);
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols);
  const integrality = new Int32Array(numCols);
  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  const nonZeros = count + 4 * count;
  const starts = new Int32Array(numRows + 1);
  const indices = new Int32Array(nonZeros);
  const values = new Float64Array(nonZeros);

  // Row 0: Σ cpu·r ≤ cluster CPU.
  rowLower[0] = -Infinity;
  rowUpper[0] = cpuCapacityLimit(problem.cluster.cpu);
  for (let s = 0; s < count; s++) {
    indices[s] = s;
    values[s] = services[s]!.cpu;
  }
  starts[1] = count;
  let cursor = count;
  for (let s = 0; s < count; s++) {
    const service = services[s]!;
    const replicas = s;
    const deviation = count + s;
    colCost[replicas] = (UTILISATION_WEIGHT * service.cpu) / maxUtil;
    colLower[replicas] = minimum[s]!;
    colUpper[replicas] = upper[s]!;
    integrality[replicas] = 1;
    colCost[deviation] = TRANSITION_WEIGHT / service.maxReplicas;
    colLower[deviation] = 0;
    colUpper[deviation] = Infinity;

    // r − d ≤ previous  (d ≥ r − previous)
    const above = 1 + 2 * s;
    rowLower[above] = -Infinity;
    rowUpper[above] = service.previous;
    indices[cursor] = replicas;
    values[cursor++] = 1;
    indices[cursor] = deviation;
    values[cursor++] = -1;
    starts[above + 1] = cursor;
    // r + d ≥ previous  (d ≥ previous − r)
    const below = above + 1;
    rowLower[below] = service.previous;
    rowUpper[below] = Infinity;
    indices[cursor] = replicas;
    values[cursor++] = 1;
    indices[cursor] = deviation;
    values[cursor++] = 1;
    starts[below + 1] = cursor;
  }
  return {
    numCols,
    numRows,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    integrality,
    matrix: { format: "csr", numRows, numCols, starts, indices, values },
  };
}

/**
 * Reads replicas out of HiGHS' column values, rounding away integrality tolerance, and checks
 * them against the model: a violation is a solver bug, so it throws rather than being returned.
 */
export function extractReplicas(problem: ReplicaProblem, bounds: { minimum: Float64Array; upper: Float64Array }, columnValues: Float64Array): Record<string, number> {
  const { minimum, upper } = bounds;
  const replicas: Record<string, number> = {};
  let cpu = 0;
  for (let s = 0; s < problem.services.length; s++) {
    const service = problem.services[s]!;
    const value = Math.round(columnValues[s]!);
    if (value < minimum[s]! || value > upper[s]!) {
      throw new Error(`HiGHS returned ${value} replicas for "${service.id}", outside [${minimum[s]}, ${upper[s]}]`);
    }
    replicas[service.id] = value;
    cpu += value * service.cpu;
  }
  // HiGHS may exceed the row bound by its own primal tolerance (set to the same size).
  const limit = cpuCapacityLimit(problem.cluster.cpu);
  if (cpu > limit + (limit - problem.cluster.cpu)) {
    throw new Error(`HiGHS returned replicas using ${cpu} cores on a cluster with ${problem.cluster.cpu}`);
  }
  return replicas;
}

/** HiGHS settings: silent, and a proven optimum (the default 1e-4 relative gap would stop early). */
export const REPLICA_SOLVER_OPTIONS = {
  output_flag: false,
  mip_rel_gap: 0,
  mip_abs_gap: 0,
  primal_feasibility_tolerance: 1e-9,
} as const;

/**
 * Chooses replicas for the services of one graph on one cluster. Synchronous inside (HiGHS
 * blocks the event loop): at thousands of services, call it from a worker thread.
 */
export async function solveReplicas(input: ReplicaProblem): Promise<ReplicaResult> {
  validateReplicaProblem(input);
  const highs = await loadHighs();
  const started = performance.now();
  const bounds = checkReplicaBounds(input);
  if (!bounds.feasible) {
    return { status: "infeasible", replicas: {}, objective: Number.NaN, solveMs: performance.now() - started, reason: bounds.reason };
  }
  if (!bounds.isCpuBinding) {
    // Every service at its unconstrained best fits the cluster: that is the optimum (see the header).
    const replicas: Record<string, number> = {};
    input.services.forEach((service, index) => (replicas[service.id] = bounds.upper[index]!));
    return { status: "optimal", replicas, objective: replicaObjective(input, replicas), solveMs: performance.now() - started };
  }

  const model = highs.createModel();
  try {
    model.options.set(REPLICA_SOLVER_OPTIONS);
    model.passModel(buildReplicaModel(input, bounds));
    const { modelStatus } = model.run();
    if (modelStatus === highs.constants.modelStatus.infeasible) {
      // The bound checks are exact, so this means the checks and the model disagree.
      throw new Error("HiGHS proved the replica model infeasible although every service's minimum replicas fit the cluster");
    }
    if (modelStatus !== highs.constants.modelStatus.optimal) {
      throw new Error(`HiGHS stopped with model status ${modelStatus} on the replica model (${input.services.length} services)`);
    }
    const replicas = extractReplicas(input, bounds, model.getSolution().colValue);
    return { status: "optimal", replicas, objective: replicaObjective(input, replicas), solveMs: performance.now() - started };
  } finally {
    model.dispose();
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) return String(value);
  return Array.isArray(value) ? "an array" : typeof value;
}

function listNames(ids: string[]): string {
  const named = ids.slice(0, MAX_NAMED_IN_REASON).map((id) => `"${id}"`);
  return ids.length > named.length ? `${named.join(", ")} and ${ids.length - named.length} more` : named.join(", ");
}

function summarise(problems: string[]): string {
  const shown = problems.slice(0, MAX_NAMED_IN_REASON);
  return problems.length > shown.length ? `${shown.join("; ")}; and ${problems.length - shown.length} more services cannot be served` : shown.join("; ");
}

function formatCores(cores: number): string {
  return String(Number(cores.toFixed(3)));
}
