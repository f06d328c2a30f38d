/**
 * The placement model of SPEC §4 as HiGHS sees it: which columns and rows exist, and how a set of
 * active columns becomes CSR arrays. The meaning is exactly the model's (see evaluate.ts for the
 * terms); the formulation is strengthened without changing it:
 * - co-located services share one set of variables x[g,c] per co-location group g;
 * - x[g,c] exists only where the group can go at all (Ready, GPU, capacity when empty);
 * - identical clusters (same cpu, memory, GPU, and carbon when carbon is weighted, none hosting a
 *   service now when migration is weighted) are interchangeable: the b-th of them (0-based) only
 *   takes groups whose cumulative spread, over the eligible groups up to and including it, exceeds
 *   b (the classic "item j only in bins ≤ j" symmetry breaking);
 * - communication: for a link whose source group runs on one cluster, d = Σ_c y_c with
 *   y_c ≥ x[g,c] − x[h,c] (exact, and as tight as an LP of that link can be); both directions of a
 *   link between single-cluster groups share the same y; where h cannot go, y_c = x[g,c] folds
 *   into the cost of x[g,c]. For a source on several clusters, d ≥ x[g,c] − x[h,c]. y and d are
 *   declared binary (they are 0/1 in every optimal solution), so that HiGHS sees an integral
 *   objective when the weights make it one and stops as soon as the bound rounds up to the incumbent;
 * - balance: one continuous u ≥ load_c / cpu_c, bounded below by the average utilisation and by
 *   each group's smallest possible utilisation;
 * - migration: a constant (the current clusters) minus a reward on each x of a current cluster.
 */
import type { Model } from "highs";
import { balanceOf, isLinkSplit, termsOfAssignment, weightedObjective } from "./evaluate";
import { CAPACITY_TOLERANCE, type PlacementProblem } from "./problem";

export const GIB = 2 ** 30;

/** A link indicator d = Σ_c (x[a,c] − x[b,c])+, exact because group a runs on one cluster. */
export type SplitPair = { a: number; b: number; weight: number };
/** A link from a group on several clusters: d ≥ x[from,c] − x[to,c] for each c. */
export type SpreadPair = { from: number; to: number; weight: number };

/** Everything about the model that does not depend on which columns are built. */
export type Formulation = {
  problem: PlacementProblem;
  clusterCount: number;
  classes: number[][];
  /** 1 where x[g,c] may exist (eligible and not excluded by symmetry breaking), indexed g × clusters + c. */
  candidate: Uint8Array;
  candidatesOfGroup: number[][];
  /** Cost of x[g,c] before communication: carbon − migration reward. */
  baseCost: Float64Array;
  migrationConstant: number;
  splitPairs: SplitPair[];
  spreadPairs: SpreadPair[];
  splitPairsAsTarget: number[][];
  spreadPairsAsTarget: number[][];
  balanceLowerBound: number;
  /** A lower bound on the objective ignoring communication and capacity: each group on its cheapest clusters. */
  unaryLowerBound: number;
};

/**
 * Clusters that are interchangeable for this problem, as classes (input order) of two or more.
 * Static eligibility depends only on the compared attributes, so every group is eligible for all
 * members of a class or for none.
 */
export function identicalClusterClasses(problem: PlacementProblem): number[][] {
  const hosting = new Uint8Array(problem.clusters.length);
  for (const clusters of problem.currentClusters) for (const cluster of clusters) hosting[cluster] = 1;
  const classes = new Map<string, number[]>();
  problem.clusters.forEach((cluster, index) => {
    if (!cluster.ready) return;
    if (problem.weights.migration > 0 && hosting[index]) return;
    const carbon = problem.weights.carbon > 0 ? cluster.carbon : 0;
    const key = `${cluster.cpu}|${cluster.memory}|${cluster.gpu}|${carbon}`;
    const members = classes.get(key);
    if (members) members.push(index);
    else classes.set(key, [index]);
  });
  return [...classes.values()].filter((members) => members.length > 1);
}

/** Relabels identical clusters so that a placement satisfies the symmetry-breaking fixings (same objective). */
export function canonicalizeClusters(problem: PlacementProblem, classes: number[][], clustersOfGroup: number[][]): number[][] {
  const relabel = Int32Array.from(problem.clusters, (_, index) => index);
  for (const members of classes) {
    const firstGroup = new Map<number, number>(members.map((cluster) => [cluster, Number.POSITIVE_INFINITY]));
    clustersOfGroup.forEach((clusters, group) => {
      for (const cluster of clusters) {
        if (firstGroup.has(cluster) && group < firstGroup.get(cluster)!) firstGroup.set(cluster, group);
      }
    });
    const byFirstGroup = [...members].sort((a, b) => firstGroup.get(a)! - firstGroup.get(b)! || a - b);
    byFirstGroup.forEach((cluster, position) => (relabel[cluster] = members[position]!));
  }
  return clustersOfGroup.map((clusters) => clusters.map((cluster) => relabel[cluster]!));
}

export function prepareFormulation(problem: PlacementProblem, eligible: number[][]): Formulation {
  const groupCount = problem.groups.length;
  const clusterCount = problem.clusters.length;
  const weights = problem.weights;

  const classes = identicalClusterClasses(problem);
  const candidate = new Uint8Array(groupCount * clusterCount);
  for (const group of problem.groups) for (const cluster of eligible[group.index]!) candidate[group.index * clusterCount + cluster] = 1;
  for (const members of classes) {
    let cumulativeSpread = 0;
    for (const group of problem.groups) {
      if (!eligible[group.index]!.includes(members[0]!)) continue;
      cumulativeSpread += group.spread;
      for (let position = cumulativeSpread; position < members.length; position += 1) candidate[group.index * clusterCount + members[position]!] = 0;
    }
  }
  const candidatesOfGroup = problem.groups.map((group) => eligible[group.index]!.filter((cluster) => candidate[group.index * clusterCount + cluster]));

  const baseCost = new Float64Array(groupCount * clusterCount);
  let migrationConstant = 0;
  problem.services.forEach((_, service) => {
    migrationConstant += problem.currentClusters[service]!.length + problem.vanishedCurrent[service]!;
    const group = problem.groupOfService[service]!;
    for (const cluster of problem.currentClusters[service]!) baseCost[group * clusterCount + cluster]! -= weights.migration;
  });
  for (const group of problem.groups) {
    for (let cluster = 0; cluster < clusterCount; cluster += 1) baseCost[group.index * clusterCount + cluster]! += weights.carbon * group.cpu * problem.clusters[cluster]!.carbon;
  }

  const splitPairs: SplitPair[] = [];
  const spreadPairs: SpreadPair[] = [];
  if (weights.communication > 0) {
    const directed = new Map<number, number>();
    for (const link of problem.links) {
      const from = problem.groupOfService[link.from]!;
      const to = problem.groupOfService[link.to]!;
      if (from === to) continue; // co-located services are never split
      const key = from * groupCount + to;
      directed.set(key, (directed.get(key) ?? 0) + weights.communication * link.weight);
    }
    const split = new Map<number, number>();
    for (const [key, weight] of directed) {
      const from = Math.floor(key / groupCount);
      const to = key % groupCount;
      if (problem.groups[from]!.spread === 1 && problem.groups[to]!.spread === 1) {
        // Both directions of a link between single-cluster groups are the same indicator; y on the side with fewer columns.
        const [a, b] = candidatesOfGroup[from]!.length <= candidatesOfGroup[to]!.length ? [from, to] : [to, from];
        split.set(a * groupCount + b, (split.get(a * groupCount + b) ?? 0) + weight);
      } else if (problem.groups[from]!.spread === 1) {
        split.set(key, (split.get(key) ?? 0) + weight);
      } else {
        spreadPairs.push({ from, to, weight });
      }
    }
    for (const [key, weight] of split) splitPairs.push({ a: Math.floor(key / groupCount), b: key % groupCount, weight });
  }
  const splitPairsAsTarget: number[][] = problem.groups.map(() => []);
  splitPairs.forEach((pair, index) => splitPairsAsTarget[pair.b]!.push(index));
  const spreadPairsAsTarget: number[][] = problem.groups.map(() => []);
  spreadPairs.forEach((pair, index) => spreadPairsAsTarget[pair.to]!.push(index));

  let balanceLowerBound = 0;
  if (weights.balance > 0) {
    let demand = 0;
    let capacity = 0;
    for (const group of problem.groups) {
      demand += group.cpu * group.spread;
      const largest = Math.max(0, ...eligible[group.index]!.map((cluster) => problem.clusters[cluster]!.cpu));
      if (group.cpu > 0 && largest > 0) balanceLowerBound = Math.max(balanceLowerBound, group.cpu / largest);
    }
    for (const cluster of problem.clusters) if (cluster.ready && cluster.cpu > 0) capacity += cluster.cpu;
    if (capacity > 0) balanceLowerBound = Math.max(balanceLowerBound, demand / capacity);
    // A bound derived from data may exceed the true optimum by rounding; keep it a hair lower.
    balanceLowerBound *= 1 - 1e-9;
  }

  let unaryLowerBound = weights.migration * migrationConstant + weights.balance * balanceLowerBound;
  for (const group of problem.groups) {
    const costs = candidatesOfGroup[group.index]!.map((cluster) => baseCost[group.index * clusterCount + cluster]!).sort((a, b) => a - b);
    for (const cost of costs.slice(0, group.spread)) unaryLowerBound += cost;
  }

  return {
    unaryLowerBound,
    problem,
    clusterCount,
    classes,
    candidate,
    candidatesOfGroup,
    baseCost,
    migrationConstant,
    splitPairs,
    spreadPairs,
    splitPairsAsTarget,
    spreadPairsAsTarget,
    balanceLowerBound,
  };
}

export type ColumnKind = "x" | "y" | "d" | "u";

/** One built model: columns and CSR rows, and where each constraint of the formulation landed. */
export class ModelBuild {
  readonly cost: number[] = [];
  readonly lower: number[] = [];
  readonly upper: number[] = [];
  readonly integrality: number[] = [];
  readonly kinds: ColumnKind[] = [];
  readonly rowLower: number[] = [];
  readonly rowUpper: number[] = [];
  readonly starts: number[] = [0];
  readonly indices: number[] = [];
  readonly values: number[] = [];
  readonly xColumn: Int32Array;
  readonly cpuRow: Int32Array;
  readonly memoryRow: Int32Array;
  readonly balanceRow: Int32Array;
  /** Row of d ≥ x[from,c] − x[to,c], indexed spread pair × clusters + c. */
  readonly spreadRow: Int32Array;
  readonly linkColumns: { from: number; to: number; kind: "y" | "d"; column: number; cluster: number }[] = [];
  balanceColumn = -1;

  constructor(formulation: Formulation) {
    const clusters = formulation.clusterCount;
    this.xColumn = new Int32Array(formulation.problem.groups.length * clusters).fill(-1);
    this.cpuRow = new Int32Array(clusters).fill(-1);
    this.memoryRow = new Int32Array(clusters).fill(-1);
    this.balanceRow = new Int32Array(clusters).fill(-1);
    this.spreadRow = new Int32Array(formulation.spreadPairs.length * clusters).fill(-1);
  }

  addColumn(kind: ColumnKind, cost: number, lower: number, upper: number, integer: boolean): number {
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.integrality.push(integer ? 1 : 0);
    this.kinds.push(kind);
    return this.cost.length - 1;
  }

  addRow(lower: number, upper: number, columns: readonly number[], coefficients: readonly number[]): number {
    for (let index = 0; index < columns.length; index += 1) {
      this.indices.push(columns[index]!);
      this.values.push(coefficients[index]!);
    }
    this.starts.push(this.indices.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
    return this.rowLower.length - 1;
  }

  get columnCount(): number {
    return this.cost.length;
  }

  get rowCount(): number {
    return this.rowLower.length;
  }
}

/** Builds the model over the candidate columns marked in `active` (g × clusters + c). Row g is group g's assignment. */
export function buildModel(formulation: Formulation, active: Uint8Array): ModelBuild {
  const { problem, clusterCount } = formulation;
  const build = new ModelBuild(formulation);
  const x = (group: number, cluster: number) => build.xColumn[group * clusterCount + cluster]!;

  for (const group of problem.groups) {
    for (const cluster of formulation.candidatesOfGroup[group.index]!) {
      const cell = group.index * clusterCount + cluster;
      if (active[cell]) build.xColumn[cell] = build.addColumn("x", formulation.baseCost[cell]!, 0, 1, true);
    }
  }
  for (const group of problem.groups) {
    const columns = formulation.candidatesOfGroup[group.index]!.map((cluster) => x(group.index, cluster)).filter((column) => column >= 0);
    build.addRow(group.spread, group.spread, columns, columns.map(() => 1));
  }

  // Capacity rows, left out when every group that may go there fits together anyway.
  for (let cluster = 0; cluster < clusterCount; cluster += 1) {
    const target = problem.clusters[cluster]!;
    const columns: number[] = [];
    const cpu: number[] = [];
    const memory: number[] = [];
    for (const group of problem.groups) {
      const column = x(group.index, cluster);
      if (column < 0) continue;
      columns.push(column);
      cpu.push(group.cpu);
      memory.push(group.memory / GIB);
    }
    build.cpuRow[cluster] = addCapacityRow(build, columns, cpu, target.cpu);
    build.memoryRow[cluster] = addCapacityRow(build, columns, memory, target.memory / GIB);
  }

  formulation.splitPairs.forEach((pair) => {
    for (const cluster of formulation.candidatesOfGroup[pair.a]!) {
      const source = x(pair.a, cluster);
      if (source < 0) continue;
      const target = x(pair.b, cluster);
      if (target < 0) {
        build.cost[source]! += pair.weight; // y = x[a,c] when b cannot be there
        continue;
      }
      const y = build.addColumn("y", pair.weight, 0, 1, true);
      build.linkColumns.push({ from: pair.a, to: pair.b, kind: "y", column: y, cluster });
      build.addRow(0, Number.POSITIVE_INFINITY, [y, source, target], [1, -1, 1]);
    }
  });
  formulation.spreadPairs.forEach((pair, index) => {
    const sources = formulation.candidatesOfGroup[pair.from]!.filter((cluster) => x(pair.from, cluster) >= 0);
    if (sources.length === 0) return;
    const d = build.addColumn("d", pair.weight, 0, 1, true);
    build.linkColumns.push({ from: pair.from, to: pair.to, kind: "d", column: d, cluster: -1 });
    for (const cluster of sources) {
      const target = x(pair.to, cluster);
      const row =
        target >= 0
          ? build.addRow(0, Number.POSITIVE_INFINITY, [d, x(pair.from, cluster), target], [1, -1, 1])
          : build.addRow(0, Number.POSITIVE_INFINITY, [d, x(pair.from, cluster)], [1, -1]);
      build.spreadRow[index * clusterCount + cluster] = row;
    }
  });

  if (problem.weights.balance > 0) {
    const lowerBound = formulation.balanceLowerBound;
    build.balanceColumn = build.addColumn("u", problem.weights.balance, lowerBound, Number.POSITIVE_INFINITY, false);
    for (let cluster = 0; cluster < clusterCount; cluster += 1) {
      const target = problem.clusters[cluster]!;
      if (!target.ready || target.cpu <= 0) continue;
      const columns: number[] = [];
      const coefficients: number[] = [];
      let highest = 0;
      for (const group of problem.groups) {
        const column = x(group.index, cluster);
        if (column < 0 || group.cpu === 0) continue;
        columns.push(column);
        coefficients.push(group.cpu / target.cpu);
        highest += group.cpu / target.cpu;
      }
      if (columns.length === 0 || highest <= lowerBound) continue;
      columns.push(build.balanceColumn);
      coefficients.push(-1);
      build.balanceRow[cluster] = build.addRow(Number.NEGATIVE_INFINITY, 0, columns, coefficients);
    }
  }
  return build;
}

function addCapacityRow(build: ModelBuild, columns: number[], coefficients: number[], capacity: number): number {
  let total = 0;
  const kept: number[] = [];
  const keptCoefficients: number[] = [];
  coefficients.forEach((coefficient, index) => {
    if (coefficient === 0) return;
    total += coefficient;
    kept.push(columns[index]!);
    keptCoefficients.push(coefficient);
  });
  const limit = capacity + CAPACITY_TOLERANCE * Math.max(1, capacity);
  if (total <= limit) return -1;
  return build.addRow(Number.NEGATIVE_INFINITY, limit, kept, keptCoefficients);
}

export function passBuild(model: Model, formulation: Formulation, build: ModelBuild, integral: boolean): void {
  const columns = build.columnCount;
  const rows = build.rowCount;
  model.passModel({
    numCols: columns,
    numRows: rows,
    offset: formulation.problem.weights.migration * formulation.migrationConstant,
    colCost: Float64Array.from(build.cost),
    colLower: Float64Array.from(build.lower),
    colUpper: Float64Array.from(build.upper),
    rowLower: Float64Array.from(build.rowLower),
    rowUpper: Float64Array.from(build.rowUpper),
    matrix: { format: "csr", numRows: rows, numCols: columns, starts: Int32Array.from(build.starts), indices: Int32Array.from(build.indices), values: Float64Array.from(build.values) },
    integrality: integral ? Int32Array.from(build.integrality) : new Int32Array(columns),
  });
}

/** Makes sure the columns of a placement are active. */
export function markColumns(formulation: Formulation, active: Uint8Array, clustersOfGroup: number[][]): void {
  for (const group of formulation.problem.groups) for (const cluster of clustersOfGroup[group.index]!) active[group.index * formulation.clusterCount + cluster] = 1;
}

/** The objective of a placement given per co-location group. */
export function objectiveOfGroups(problem: PlacementProblem, clustersOfGroup: number[][]): number {
  const clustersOf = problem.services.map((_, service) => clustersOfGroup[problem.groupOfService[service]!]!);
  return weightedObjective(problem.weights, termsOfAssignment(problem, clustersOf));
}

/** The full column vector of a placement (x, then the y, d and u they imply), or undefined if it uses a missing column. */
export function startVector(problem: PlacementProblem, build: ModelBuild, clustersOfGroup: number[][]): Float64Array | undefined {
  const clusterCount = problem.clusters.length;
  const values = new Float64Array(build.columnCount);
  for (const group of problem.groups) {
    for (const cluster of clustersOfGroup[group.index]!) {
      const column = build.xColumn[group.index * clusterCount + cluster]!;
      if (column < 0) return undefined;
      values[column] = 1;
    }
  }
  for (const link of build.linkColumns) {
    const from = clustersOfGroup[link.from]!;
    const to = clustersOfGroup[link.to]!;
    values[link.column] = link.kind === "y" ? (from.includes(link.cluster) && !to.includes(link.cluster) ? 1 : 0) : isLinkSplit(from, to) ? 1 : 0;
  }
  if (build.balanceColumn >= 0) {
    const load = new Float64Array(clusterCount);
    for (const group of problem.groups) for (const cluster of clustersOfGroup[group.index]!) load[cluster]! += group.cpu;
    values[build.balanceColumn] = Math.max(build.lower[build.balanceColumn]!, balanceOf(problem, load));
  }
  return values;
}
