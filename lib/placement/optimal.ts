/**
 * The optimal placement: the model of formulation.ts solved by HiGHS (persistent API, CSR arrays),
 * started from the heuristic placement (a MIP start, so a feasible answer is always at hand).
 *
 * On large models, columns are priced instead of all built: the LP relaxation is solved over a
 * subset of the x (the start, current clusters, neighbours' clusters, cheap clusters) and extended
 * with every column of negative reduced cost until none is left, which proves the LP bound for the
 * whole model; the MIP then gets only the columns whose reduced cost does not exceed (incumbent
 * objective − LP bound), since any other column lifts every solution that uses it above the
 * incumbent (reduced-cost fixing). When that MIP would still be too large to finish in time (or
 * pricing does not converge), neighbourhoods of the incumbent are re-optimized instead and the
 * answer carries its proven gap.
 */
import { loadHighs, type Highs } from "../solver/highs";
import { constraintViolations } from "./evaluate";
import {
  GIB,
  buildModel,
  canonicalizeClusters,
  markColumns,
  objectiveOfGroups,
  passBuild,
  prepareFormulation,
  startVector,
  type Formulation,
  type ModelBuild,
} from "./formulation";
import type { PlacementProblem } from "./problem";

export type MilpStatus = "optimal" | "feasible" | "infeasible" | "unknown";

export type MilpOutcome = {
  status: MilpStatus;
  /** Clusters of each co-location group in HiGHS's best solution (undefined when it has none). */
  clustersOfGroup?: number[][];
  /** Relative gap (primal − dual) / |primal| of HiGHS's own solution; Infinity when unknown. */
  gap: number;
  /** Proven lower bound on the objective (−Infinity when none). */
  dualBound: number;
  buildMs: number;
  highsMs: number;
  columns: number;
  rows: number;
};

export type MilpOptions = {
  timeLimitSeconds: number;
  /** Models with more candidate x columns than this are priced; tests lower it to exercise pricing on small models. */
  pricingThreshold?: number;
  /** Clusters per group of the best known placement (the MIP start). */
  start?: number[][];
  /** Receives HiGHS's log and the formulation's statistics, for diagnostics. */
  log?: (line: string) => void;
};

/** Models with more candidate x columns than this are priced (column generation) instead of built whole. */
export const COLUMN_PRICING_THRESHOLD = 4000;
/** Above this many x columns after pricing, the final MIP is not attempted (it could not finish in time). */
export const FINAL_MIP_COLUMN_LIMIT = 20000;

/**
 * Reduced cost of a candidate x[g,c] that the build left out, under the build's LP duals extended
 * to the rows that column would bring (dual 0 for a new row; the link weight for the row of a
 * link whose cost was folded into its source's x, which is the dual that folding implies).
 */
function reducedCostOf(formulation: Formulation, build: ModelBuild, rowDual: Float64Array, group: number, cluster: number): number {
  const { problem, clusterCount } = formulation;
  const demand = problem.groups[group]!;
  const target = problem.clusters[cluster]!;
  const dual = (row: number) => (row >= 0 ? rowDual[row]! : 0);
  let reduced = formulation.baseCost[group * clusterCount + cluster]! - rowDual[group]!;
  reduced -= demand.cpu * dual(build.cpuRow[cluster]!) + (demand.memory / GIB) * dual(build.memoryRow[cluster]!);
  if (target.cpu > 0) reduced -= (demand.cpu / target.cpu) * dual(build.balanceRow[cluster]!);
  for (const pair of formulation.splitPairsAsTarget[group]!) {
    const { a, weight } = formulation.splitPairs[pair]!;
    if (build.xColumn[a * clusterCount + cluster]! >= 0) reduced -= weight;
  }
  for (const pair of formulation.spreadPairsAsTarget[group]!) reduced -= dual(build.spreadRow[pair * clusterCount + cluster]!);
  return reduced;
}

/** The outcome of column pricing: the columns generated, the LP bound, and the reduced cost of every other candidate. */
type PricedColumns = {
  /** Whether no column has a negative reduced cost any more (then `lowerBound` is the LP bound and reduced costs are final). */
  converged: boolean;
  generated: Uint8Array;
  reducedCost: Float64Array;
  /** A proven lower bound: the LP bound once converged, else the best Lagrangian bound of the rounds (−Infinity when none). */
  lowerBound: number;
};

/** The columns a MIP needs to find every solution better than `upperBound`: the generated ones and those within the gap. */
function columnsWithin(priced: PricedColumns, upperBound: number): Uint8Array {
  const threshold = upperBound - priced.lowerBound + 1e-7 * Math.max(1, Math.abs(upperBound));
  const active = Uint8Array.from(priced.generated);
  priced.reducedCost.forEach((reduced, cell) => {
    if (reduced <= threshold) active[cell] = 1;
  });
  return active;
}

/**
 * Column pricing on the LP relaxation (see the header). Returns the columns the MIP needs and the
 * LP bound, or undefined when the pricing did not converge in time (then the MIP gets every column).
 */
function priceColumns(
  highs: Highs,
  formulation: Formulation,
  start: number[][],
  deadline: number,
  log?: (line: string) => void,
): PricedColumns {
  const { problem, clusterCount } = formulation;
  const active = new Uint8Array(formulation.candidate.length);
  const activate = (group: number, cluster: number) => {
    if (formulation.candidate[group * clusterCount + cluster]) active[group * clusterCount + cluster] = 1;
  };
  const neighbours: number[][] = problem.groups.map(() => []);
  for (const pair of formulation.splitPairs) {
    neighbours[pair.a]!.push(pair.b);
    neighbours[pair.b]!.push(pair.a);
  }
  for (const group of problem.groups) {
    for (const cluster of start[group.index]!) activate(group.index, cluster);
    for (const member of group.members) for (const cluster of problem.currentClusters[member]!) activate(group.index, cluster);
    for (const neighbour of neighbours[group.index]!) for (const cluster of start[neighbour]!) activate(group.index, cluster);
    const cheapest = [...formulation.candidatesOfGroup[group.index]!].sort(
      (a, b) => formulation.baseCost[group.index * clusterCount + a]! - formulation.baseCost[group.index * clusterCount + b]!,
    );
    for (const cluster of cheapest.slice(0, 2)) activate(group.index, cluster);
  }

  const model = highs.createModel();
  let lagrangianBound = Number.NEGATIVE_INFINITY;
  let reducedCost = new Float64Array(formulation.candidate.length).fill(Number.NaN);
  const unfinished = (): PricedColumns => ({ converged: false, generated: active, reducedCost, lowerBound: lagrangianBound });
  try {
    model.options.set({ output_flag: false, presolve: "on" });
    for (let round = 0; round < 30; round += 1) {
      if (performance.now() > deadline) return unfinished();
      const roundStarted = performance.now();
      const build = buildModel(formulation, active);
      passBuild(model, formulation, build, false);
      model.options.set({ time_limit: Math.max(0.01, (deadline - performance.now()) / 1000) });
      model.zeroAllClocks();
      model.run();
      if (model.getModelStatus() !== highs.constants.modelStatus.optimal) return unfinished();
      const lowerBound = model.getObjectiveValue();
      const rowDual = model.getSolution().rowDual;
      const entering: [number, number, number][] = [];
      reducedCost = new Float64Array(formulation.candidate.length).fill(Number.NaN);
      // Lagrangian bound: every solution costs at least the LP value plus, per group, its `spread` most negative reduced costs.
      let lagrangian = lowerBound;
      for (const group of problem.groups) {
        const negative: [number, number][] = [];
        for (const cluster of formulation.candidatesOfGroup[group.index]!) {
          const cell = group.index * clusterCount + cluster;
          if (active[cell]) continue;
          const reduced = reducedCostOf(formulation, build, rowDual, group.index, cluster);
          reducedCost[cell] = reduced;
          if (reduced < -1e-9) negative.push([cluster, reduced]);
        }
        negative.sort((a, b) => a[1] - b[1]);
        for (const [, reduced] of negative.slice(0, group.spread)) lagrangian += reduced;
        for (const [cluster, reduced] of negative.slice(0, 3)) entering.push([group.index, cluster, reduced]);
      }
      lagrangianBound = Math.max(lagrangianBound, lagrangian);
      log?.(`pricing round ${round}: ${build.columnCount} columns, LP bound ${lowerBound}, ${entering.length} entering, ${Math.round(performance.now() - roundStarted)} ms`);
      if (entering.length === 0) return { converged: true, generated: active, reducedCost, lowerBound };
      for (const [group, cluster] of entering) active[group * clusterCount + cluster] = 1;
    }
    return unfinished();
  } finally {
    model.dispose();
  }
}

export async function solvePlacementMilp(problem: PlacementProblem, eligible: number[][], options: MilpOptions): Promise<MilpOutcome> {
  const highs = await loadHighs();
  const started = performance.now();
  const deadline = started + options.timeLimitSeconds * 1000;
  const formulation = prepareFormulation(problem, eligible);
  const start = options.start && canonicalizeClusters(problem, formulation.classes, options.start);

  let active = formulation.candidate;
  let prunedBound = Number.POSITIVE_INFINITY; // solutions using a pruned column are worth at least this
  let incumbent = start;
  const candidateCount = formulation.candidate.reduce((total, flag) => total + flag, 0);
  if (incumbent && candidateCount > (options.pricingThreshold ?? COLUMN_PRICING_THRESHOLD)) {
    const limitMs = options.timeLimitSeconds * 1000;
    const startObjective = objectiveOfGroups(problem, incumbent);
    const priced = priceColumns(highs, formulation, incumbent, started + 0.2 * limitMs, options.log);
    priced.lowerBound = Math.max(priced.lowerBound, formulation.unaryLowerBound);
    let incumbentObjective = startObjective;
    if (priced.converged) {
      active = columnsWithin(priced, incumbentObjective);
      markColumns(formulation, active, incumbent);
    }
    const tooLarge = () => active.reduce((total, flag) => total + flag, 0) > FINAL_MIP_COLUMN_LIMIT;
    if (relativeGap(incumbentObjective, priced.lowerBound) > 0 && (!priced.converged || tooLarge())) {
      // The MIP would be too large to finish: improve the start by re-optimizing neighbourhoods over the columns that can beat it.
      const pool = priced.converged ? active : Uint8Array.from(priced.generated);
      markColumns(formulation, pool, incumbent);
      const improved = improveByNeighbourhoods(highs, formulation, pool, incumbent, startObjective, started + (priced.converged ? 0.75 : 0.95) * limitMs, options.log);
      incumbent = improved.clustersOfGroup;
      incumbentObjective = improved.objective;
      if (priced.converged) {
        active = columnsWithin(priced, incumbentObjective);
        markColumns(formulation, active, incumbent);
      }
    }
    if (priced.converged) prunedBound = incumbentObjective;
    const activeCount = active.reduce((total, flag) => total + flag, 0);
    options.log?.(`columns for the MIP: ${activeCount} of ${candidateCount} (bound ${priced.lowerBound}, incumbent ${incumbentObjective})`);
    if (!priced.converged || activeCount > FINAL_MIP_COLUMN_LIMIT || relativeGap(incumbentObjective, priced.lowerBound) === 0) {
      // Either the bound already proves the start optimal, or the whole MIP would not finish (or not even
      // start) in time: the (improved) start and the proven bound are the answer.
      const buildMs = performance.now() - started;
      const gap = relativeGap(incumbentObjective, priced.lowerBound);
      options.log?.(`no final MIP (${priced.converged ? `${activeCount} columns` : "pricing did not converge"}); bound ${priced.lowerBound}`);
      return { status: gap === 0 ? "optimal" : "feasible", clustersOfGroup: incumbent, gap, dualBound: priced.lowerBound, buildMs, highsMs: 0, columns: activeCount, rows: 0 };
    }
  }

  const build = buildModel(formulation, active);
  const model = highs.createModel();
  try {
    passBuild(model, formulation, build, true);
    model.options.set({ output_flag: false, presolve: "on", mip_rel_gap: 1e-7, mip_abs_gap: 1e-7 });
    if (incumbent) {
      const colValue = startVector(problem, build, incumbent);
      if (colValue) model.setSolution({ colValue });
    }
    const columns = build.columnCount;
    const rows = model.getDimensions().numRows;
    const buildMs = performance.now() - started;

    if (options.log) model.options.set({ output_flag: true, log_to_console: false });
    model.options.set({ time_limit: Math.max(0.01, (deadline - performance.now()) / 1000) });
    model.zeroAllClocks();
    const runStarted = performance.now();
    const log = options.log;
    const { modelStatus } = log ? model.run({ [highs.constants.callbackType.logging]: (event) => void log(event.message ?? "") }) : model.run();
    const highsMs = performance.now() - runStarted;
    const status = highs.constants.modelStatus;
    const outcome = { buildMs, highsMs, columns, rows };
    const offset = problem.weights.migration * formulation.migrationConstant;
    if (modelStatus === status.empty) {
      return { status: "optimal", clustersOfGroup: problem.groups.map(() => []), gap: 0, dualBound: offset, ...outcome };
    }
    if (modelStatus === status.infeasible || modelStatus === status.unboundedOrInfeasible) {
      // With pruned columns, "infeasible" only means nothing beats the start: the start is optimal.
      if (Number.isFinite(prunedBound)) return { status: "optimal", clustersOfGroup: incumbent, gap: 0, dualBound: prunedBound, ...outcome };
      return { status: "infeasible", gap: Number.POSITIVE_INFINITY, dualBound: Number.POSITIVE_INFINITY, ...outcome };
    }
    const limited: number[] = [status.timeLimit, status.iterationLimit, status.interrupted, status.solutionLimit, status.objectiveTarget, status.objectiveBound, status.unknown];
    if (modelStatus !== status.optimal && !limited.includes(modelStatus)) {
      throw new Error(`HiGHS stopped with model status ${modelStatus} on a ${columns}×${rows} placement model`);
    }
    const dualBound = Math.min(Number(model.info.get("mip_dual_bound")), prunedBound);
    const hasSolution = Number(model.info.get("primal_solution_status")) === highs.constants.solutionStatus.feasible;
    if (!hasSolution) return { status: "unknown", gap: Number.POSITIVE_INFINITY, dualBound, ...outcome };
    const values = model.getSolution().colValue;
    const clustersOfGroup = problem.groups.map((group) => {
      const clusters: number[] = [];
      for (let cluster = 0; cluster < formulation.clusterCount; cluster += 1) {
        const column = build.xColumn[group.index * formulation.clusterCount + cluster]!;
        if (column >= 0 && values[column]! > 0.5) clusters.push(cluster);
      }
      return clusters;
    });
    return { status: modelStatus === status.optimal ? "optimal" : "feasible", clustersOfGroup, gap: Number(model.info.get("mip_gap")), dualBound, ...outcome };
  } finally {
    model.dispose();
  }
}

/**
 * Large neighbourhood search: frees the groups of a neighbourhood (those on two clusters, or a
 * connected chunk of the link graph), keeps every other group where it is, and lets HiGHS
 * re-optimize the freed ones over their columns; a strictly better placement replaces the
 * incumbent. Neighbourhoods are drawn from a fixed sequence so that results are reproducible.
 */
function improveByNeighbourhoods(
  highs: Highs,
  formulation: Formulation,
  active: Uint8Array,
  start: number[][],
  startObjective: number,
  deadline: number,
  log?: (line: string) => void,
): { clustersOfGroup: number[][]; objective: number } {
  const { problem, clusterCount } = formulation;
  let incumbent = start.map((clusters) => [...clusters]);
  let objective = startObjective;
  const neighbours: number[][] = problem.groups.map(() => []);
  for (const pair of [...formulation.splitPairs.map((pair) => [pair.a, pair.b]), ...formulation.spreadPairs.map((pair) => [pair.from, pair.to])]) {
    neighbours[pair[0]!]!.push(pair[1]!);
    neighbours[pair[1]!]!.push(pair[0]!);
  }
  let seed = 0x2545f491;
  const random = (bound: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % bound;
  };
  const chunk = Math.min(problem.groups.length, 60);
  let attempts = 0;
  let improvements = 0;
  let sinceImprovement = 0;
  const model = highs.createModel();
  try {
    model.options.set({ output_flag: false, presolve: "on", mip_rel_gap: 1e-4 });
    while (performance.now() < deadline - 50 && sinceImprovement < 50) {
      attempts += 1;
      sinceImprovement += 1;
      const free = new Uint8Array(problem.groups.length);
      let freed = 0;
      if (attempts % 2 === 1) {
        const first = random(clusterCount);
        const second = random(clusterCount);
        problem.groups.forEach((group) => {
          if (freed < 2 * chunk && incumbent[group.index]!.some((cluster) => cluster === first || cluster === second)) {
            free[group.index] = 1;
            freed += 1;
          }
        });
      } else {
        const queue = [random(problem.groups.length)];
        free[queue[0]!] = 1;
        freed = 1;
        for (let head = 0; head < queue.length && freed < chunk; head += 1) {
          for (const next of neighbours[queue[head]!]!) {
            if (!free[next] && freed < chunk) {
              free[next] = 1;
              freed += 1;
              queue.push(next);
            }
          }
          if (head === queue.length - 1 && freed < chunk) {
            const jump = random(problem.groups.length);
            if (!free[jump]) {
              free[jump] = 1;
              freed += 1;
              queue.push(jump);
            }
          }
        }
      }
      const neighbourhood = new Uint8Array(active.length);
      for (const group of problem.groups) {
        if (free[group.index]) {
          for (const cluster of formulation.candidatesOfGroup[group.index]!) neighbourhood[group.index * clusterCount + cluster] = active[group.index * clusterCount + cluster]!;
        }
        for (const cluster of incumbent[group.index]!) neighbourhood[group.index * clusterCount + cluster] = 1;
      }
      const build = buildModel(formulation, neighbourhood);
      // Groups outside the neighbourhood keep their clusters: fix their columns.
      for (const group of problem.groups) {
        if (free[group.index]) continue;
        for (const cluster of incumbent[group.index]!) build.lower[build.xColumn[group.index * clusterCount + cluster]!] = 1;
      }
      passBuild(model, formulation, build, true);
      const colValue = startVector(problem, build, incumbent);
      if (colValue) model.setSolution({ colValue });
      model.options.set({ time_limit: Math.max(0.01, Math.min(1, (deadline - performance.now()) / 1000)) });
      model.zeroAllClocks();
      model.run();
      if (Number(model.info.get("primal_solution_status")) !== highs.constants.solutionStatus.feasible) continue;
      const values = model.getSolution().colValue;
      const candidate = problem.groups.map((group) => {
        const clusters: number[] = [];
        for (let cluster = 0; cluster < clusterCount; cluster += 1) {
          const column = build.xColumn[group.index * clusterCount + cluster]!;
          if (column >= 0 && values[column]! > 0.5) clusters.push(cluster);
        }
        return clusters;
      });
      const clustersOf = problem.services.map((_, service) => candidate[problem.groupOfService[service]!]!);
      if (constraintViolations(problem, clustersOf).length > 0) continue;
      const value = objectiveOfGroups(problem, candidate);
      if (value < objective - 1e-9 * Math.max(1, Math.abs(objective))) {
        incumbent = candidate;
        objective = value;
        improvements += 1;
        sinceImprovement = 0;
      }
      // A neighbourhood of every group solved to optimality leaves nothing to search.
      if (freed === problem.groups.length && model.getModelStatus() === highs.constants.modelStatus.optimal) break;
    }
  } finally {
    model.dispose();
  }
  log?.(`neighbourhood search: ${attempts} neighbourhoods, ${improvements} improvements, objective ${startObjective} → ${objective}`);
  return { clustersOfGroup: incumbent, objective };
}

/** (objective − bound) / |objective|, as HiGHS reports it: 0 when they meet, Infinity without a bound. */
export function relativeGap(objective: number, bound: number): number {
  if (!Number.isFinite(bound)) return Number.POSITIVE_INFINITY;
  const difference = objective - bound;
  if (difference <= 1e-9 * Math.max(1, Math.abs(objective))) return 0;
  return objective === 0 ? Number.POSITIVE_INFINITY : difference / Math.abs(objective);
}
