/**
 * Per-service explanations: which clusters were ruled out and why, what moving elsewhere would
 * cost, and one sentence on why the service sits where it does.
 */
import type { PlacementState } from "./evaluate";
import { serviceExclusion } from "./exclusions";
import { evaluateMoveTargets } from "./moves";
import type { ClusterExclusion, PlacementAlgorithm, PlacementStatus, ServiceExplanation } from "./types";

export type ExplainOptions = {
  algorithm: PlacementAlgorithm;
  status: PlacementStatus;
  /** Per co-location group: how a heuristic chose its clusters. */
  notes?: string[];
};

export function explainPlacement(state: PlacementState, options: ExplainOptions): ServiceExplanation[] {
  const problem = state.problem;
  const objective = state.objective();
  const names = (clusters: readonly number[]) => clusters.map((cluster) => problem.clusters[cluster]!.name);
  // Move costs are shared by the members of a co-location group: they move together.
  const movesOfGroup = problem.groups.map((group) => {
    const best = new Map<number, { objectiveDelta: number; feasible: boolean }>();
    const candidates = problem.clusters.map((_, index) => index);
    for (const from of [...state.clustersOfGroup(group.index)]) {
      for (const move of evaluateMoveTargets(state, group.index, from, candidates)) {
        const delta = move.feasible ? move.objective - objective : Number.NaN;
        const known = best.get(move.cluster);
        if (!known || (move.feasible && (!known.feasible || delta < known.objectiveDelta))) best.set(move.cluster, { objectiveDelta: delta, feasible: move.feasible });
      }
    }
    return best;
  });

  return problem.services.map((service, index) => {
    const group = problem.groups[problem.groupOfService[index]!]!;
    const clusters = state.clustersOf[index]!;
    const excluded: ClusterExclusion[] = [];
    const moveCosts: ServiceExplanation["moveCosts"] = [];
    problem.clusters.forEach((cluster, clusterIndex) => {
      const exclusion = serviceExclusion(problem, index, clusterIndex);
      if (exclusion) excluded.push(exclusion);
      else if (!clusters.includes(clusterIndex)) {
        const move = movesOfGroup[group.index]!.get(clusterIndex);
        if (move) moveCosts.push({ cluster: cluster.name, objectiveDelta: roundDelta(move.objectiveDelta), feasible: move.feasible });
      }
    });

    const parts: string[] = [];
    if (options.algorithm === "optimal") {
      parts.push(options.status === "optimal" ? "placed by the optimizer: no placement has a lower objective" : "placed by the optimizer: the best placement found within the time limit");
    } else {
      parts.push(options.notes?.[group.index] ?? options.algorithm);
    }
    if (group.members.length > 1) {
      const partners = group.members.filter((member) => member !== index).map((member) => `"${problem.services[member]!.id}"`);
      parts.push(`shares its cluster(s) with ${partners.join(", ")} (co-location)`);
    }
    const current = problem.services[index]!.current;
    if (current.length > 0) {
      const kept = current.filter((name) => names(clusters).includes(name));
      parts.push(kept.length === current.length ? `stays where it runs now (${kept.join(", ")})` : `leaves ${current.filter((name) => !kept.includes(name)).join(", ")}`);
    }
    const feasibleMoves = moveCosts.filter((move) => move.feasible);
    if (feasibleMoves.length > 0) {
      const cheapest = feasibleMoves.reduce((best, move) => (move.objectiveDelta < best.objectiveDelta ? move : best));
      const sign = cheapest.objectiveDelta >= 0 ? "+" : "";
      parts.push(`the cheapest move, to "${cheapest.cluster}", would change the objective by ${sign}${cheapest.objectiveDelta}`);
    } else if (moveCosts.length > 0) {
      parts.push("no other cluster has room left for it");
    } else {
      parts.push("no other cluster can take it");
    }
    if (excluded.length > 0) parts.push(`ruled out: ${excluded.map((exclusion) => `${exclusion.cluster} (${exclusion.reason})`).join(", ")}`);
    return { service: service.id, clusters: names(clusters), summary: parts.join("; "), excluded, moveCosts };
  });
}

function roundDelta(delta: number): number {
  return Number.isNaN(delta) ? delta : Math.round(delta * 1e9) / 1e9;
}
