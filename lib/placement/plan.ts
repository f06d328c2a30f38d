/**
 * planPlacement: one entry point for the three algorithms of SPEC §4, one result shape.
 */
import { ValidationError } from "../errors";
import { constraintViolations, PlacementState, termsOfAssignment, weightedObjective } from "./evaluate";
import { explainAggregateInfeasibility, findUnplaceableGroup, type Infeasibility } from "./exclusions";
import { explainPlacement } from "./explain";
import { eligibilityOf, improveLocally, placeFirstFit, placeFromCurrent, placeGreedily, placeGreenBestFit } from "./heuristics";
import { relativeGap, solvePlacementMilp } from "./optimal";
import { buildPlacementProblem, type PlacementProblem } from "./problem";
import {
  PLACEMENT_ALGORITHMS,
  type PlacementAlgorithm,
  type PlacementInput,
  type PlacementResult,
  type PlacementStats,
  type PlacementStatus,
  type PlanPlacementOptions,
} from "./types";

export const DEFAULT_TIME_LIMIT_SECONDS = 10;

export async function planPlacement(input: PlacementInput, options: PlanPlacementOptions): Promise<PlacementResult> {
  const started = performance.now();
  if (!PLACEMENT_ALGORITHMS.includes(options.algorithm)) {
    throw new ValidationError([{ path: "algorithm", message: `must be one of ${PLACEMENT_ALGORITHMS.join(", ")} (got "${String(options.algorithm)}")` }]);
  }
  const timeLimitSeconds = options.timeLimitSeconds ?? DEFAULT_TIME_LIMIT_SECONDS;
  if (!Number.isFinite(timeLimitSeconds) || timeLimitSeconds <= 0) {
    throw new ValidationError([{ path: "timeLimitSeconds", message: "must be a number of seconds > 0" }]);
  }
  const problem = buildPlacementProblem(input);

  if (options.algorithm !== "optimal") {
    const outcome = options.algorithm === "first-fit" ? placeFirstFit(problem) : placeGreenBestFit(problem);
    if (!outcome.placed) return failedResult(problem, options.algorithm, "infeasible", outcome.infeasibility, started);
    return placedResult(problem, outcome.state, { algorithm: options.algorithm, status: "feasible", started, notes: outcome.notes });
  }
  return planOptimalPlacement(problem, timeLimitSeconds, started, options.log);
}

async function planOptimalPlacement(problem: PlacementProblem, timeLimitSeconds: number, started: number, log?: (line: string) => void): Promise<PlacementResult> {
  if (problem.groups.length === 0) return placedResult(problem, new PlacementState(problem), { algorithm: "optimal", status: "optimal", gap: 0, started });
  const unplaceable = findUnplaceableGroup(problem);
  if (unplaceable) return failedResult(problem, "optimal", "infeasible", unplaceable, started);

  // Heuristic incumbents: both original heuristics and the greedy construction, the best one improved locally.
  const eligible = eligibilityOf(problem);
  const incumbents: PlacementState[] = [];
  for (const outcome of [placeFirstFit(problem), placeGreenBestFit(problem)]) if (outcome.placed) incumbents.push(outcome.state);
  for (const constructed of [placeGreedily(problem, eligible), placeFromCurrent(problem, eligible)]) if (constructed) incumbents.push(constructed);
  let incumbent: PlacementState | undefined;
  for (const candidate of incumbents) if (!incumbent || candidate.objective() < incumbent.objective()) incumbent = candidate;
  if (incumbent) improveLocally(incumbent, eligible, started + 0.25 * timeLimitSeconds * 1000);
  const heuristicMs = performance.now() - started;

  // A little time is kept for explanations after the solve.
  const remainingSeconds = Math.max(0.05, 0.97 * timeLimitSeconds - heuristicMs / 1000);
  const groupClusters = (state: PlacementState) => problem.groups.map((group) => [...state.clustersOfGroup(group.index)]);
  const milp = await solvePlacementMilp(problem, eligible, { timeLimitSeconds: remainingSeconds, start: incumbent && groupClusters(incumbent), log });
  const stats: PlacementStats = {
    heuristicMs,
    buildMs: milp.buildMs,
    highsMs: milp.highsMs,
    columns: milp.columns,
    rows: milp.rows,
    startObjective: incumbent ? incumbent.objective() : Number.NaN,
  };

  let solved: PlacementState | undefined;
  if (milp.clustersOfGroup) {
    solved = new PlacementState(problem);
    milp.clustersOfGroup.forEach((clusters, group) => clusters.forEach((cluster) => solved!.addGroup(group, cluster)));
    // HiGHS accepts rows within its own tolerance; a solution our exact check rejects is not used.
    if (constraintViolations(problem, solved.clustersOf).length > 0) solved = undefined;
  }
  let chosen = solved;
  if (incumbent && (!chosen || incumbent.objective() < chosen.objective() - 1e-9 * Math.max(1, Math.abs(chosen.objective())))) chosen = incumbent;

  if (!chosen) {
    if (milp.status === "infeasible") return failedResult(problem, "optimal", "infeasible", explainAggregateInfeasibility(problem), started, stats);
    const aggregate = explainAggregateInfeasibility(problem);
    const message = `the time limit (${timeLimitSeconds} s) ran out before any placement was found; infeasibility is not proven (${aggregate.message})`;
    return failedResult(problem, "optimal", "unknown", { message, excluded: aggregate.excluded }, started, stats);
  }
  const objective = chosen.objective();
  const status: PlacementStatus = milp.status === "optimal" ? "optimal" : "feasible";
  const gap = status === "optimal" && chosen === solved ? milp.gap : relativeGap(objective, milp.dualBound);
  return placedResult(problem, chosen, { algorithm: "optimal", status, gap, started, stats });
}

type PlacedOptions = { algorithm: PlacementAlgorithm; status: PlacementStatus; started: number; gap?: number; notes?: string[]; stats?: PlacementStats };

function placedResult(problem: PlacementProblem, state: PlacementState, options: PlacedOptions): PlacementResult {
  const terms = termsOfAssignment(problem, state.clustersOf);
  const placement: Record<string, string[]> = {};
  const matrix = problem.services.map((service, index) => {
    const clusters = [...state.clustersOf[index]!].sort((a, b) => a - b);
    placement[service.id] = clusters.map((cluster) => problem.clusters[cluster]!.name);
    return problem.clusters.map((_, cluster) => (clusters.includes(cluster) ? 1 : 0));
  });
  const explanations = explainPlacement(state, { algorithm: options.algorithm, status: options.status, notes: options.notes });
  return {
    algorithm: options.algorithm,
    status: options.status,
    placement,
    matrix,
    objective: weightedObjective(problem.weights, terms),
    terms,
    ...(options.gap === undefined ? {} : { gap: options.gap }),
    solveMs: performance.now() - options.started,
    explanations,
    ...(options.stats ? { stats: options.stats } : {}),
  };
}

function failedResult(
  problem: PlacementProblem,
  algorithm: PlacementAlgorithm,
  status: "infeasible" | "unknown",
  infeasibility: Infeasibility,
  started: number,
  stats?: PlacementStats,
): PlacementResult {
  return {
    algorithm,
    status,
    placement: {},
    matrix: problem.services.map(() => problem.clusters.map(() => 0)),
    objective: Number.NaN,
    terms: { migration: Number.NaN, carbon: Number.NaN, communication: Number.NaN, balance: Number.NaN },
    solveMs: performance.now() - started,
    explanations: [],
    infeasibility,
    ...(stats ? { stats } : {}),
  };
}
