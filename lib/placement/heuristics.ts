/**
 * The original SMO placement heuristics, extended to co-location and spread, plus the greedy
 * construction and local improvement that give the optimal algorithm its starting placement.
 *
 * Both original heuristics take the co-location groups in input order (a group comes up with its
 * first service and is placed as one unit: CPU and memory of all members, a GPU if any member needs
 * one) and give each group `spread` distinct clusters:
 * - first-fit (SMO's naive placement): the first `spread` clusters in input order that are Ready,
 *   have a GPU when needed, and still have room for the group's CPU (cpu × replicas) and memory;
 * - green-best-fit (SMO's green consolidation): the same fitting clusters ordered by lowest carbon
 *   intensity, then fullest (least remaining CPU), then input order; the first `spread` of them.
 */
import { evaluateMoveTargets } from "./moves";
import { PlacementState } from "./evaluate";
import { eligibleClusters, formatCores, formatMemory, groupExclusion, type Infeasibility } from "./exclusions";
import { describeGroup, fitsWithin, type PlacementProblem } from "./problem";
import type { ClusterExclusion } from "./types";

export type HeuristicOutcome =
  | { placed: true; state: PlacementState; notes: string[] }
  | { placed: false; infeasibility: Infeasibility };

type ClusterOrder = (problem: PlacementProblem, state: PlacementState, candidates: number[]) => number[];

const inputOrder: ClusterOrder = (_problem, _state, candidates) => candidates;

const greenOrder: ClusterOrder = (problem, state, candidates) =>
  [...candidates].sort((a, b) => {
    const carbon = problem.clusters[a]!.carbon - problem.clusters[b]!.carbon;
    if (carbon !== 0) return carbon;
    const remaining = problem.clusters[a]!.cpu - state.cpuLoad[a]! - (problem.clusters[b]!.cpu - state.cpuLoad[b]!);
    return remaining !== 0 ? remaining : a - b;
  });

export function placeFirstFit(problem: PlacementProblem): HeuristicOutcome {
  return placeInOrder(problem, "first-fit", inputOrder, "the first cluster(s) in input order that are Ready, have a GPU if needed and have room");
}

export function placeGreenBestFit(problem: PlacementProblem): HeuristicOutcome {
  return placeInOrder(problem, "green-best-fit", greenOrder, "the lowest-carbon cluster(s) with room (the fullest among equal carbon)");
}

function placeInOrder(problem: PlacementProblem, algorithm: string, order: ClusterOrder, rule: string): HeuristicOutcome {
  const state = new PlacementState(problem);
  const notes: string[] = [];
  for (const group of problem.groups) {
    const skipped: ClusterExclusion[] = [];
    const full: ClusterExclusion[] = [];
    const fitting: number[] = [];
    problem.clusters.forEach((_, index) => {
      const exclusion = groupExclusion(problem, group.index, index);
      if (exclusion) skipped.push(exclusion);
      else if (!state.hasRoomFor(group.index, index)) {
        const noRoom = fullClusterExclusion(problem, state, group.index, index);
        skipped.push(noRoom);
        full.push(noRoom);
      } else fitting.push(index);
    });
    const label = describeGroup(problem, group);
    if (Number.isNaN(group.spread)) {
      return { placed: false, infeasibility: { service: problem.services[group.members[0]!]!.id, message: `${algorithm} could not place ${label}: its services ask for different numbers of clusters`, excluded: [] } };
    }
    if (fitting.length < group.spread) {
      const reasons = skipped.map((exclusion) => exclusion.message).join("; ");
      const needMore = fitting.length > 0 ? ` (it needs ${group.spread} distinct clusters and only ${fitting.map((index) => `"${problem.clusters[index]!.name}"`).join(", ")} can take it)` : "";
      return {
        placed: false,
        infeasibility: { service: problem.services[group.members[0]!]!.id, message: `${algorithm} could not place ${label}${needMore}: ${reasons}`, excluded: skipped },
      };
    }
    const chosen = order(problem, state, fitting).slice(0, group.spread);
    for (const cluster of chosen) state.addGroup(group.index, cluster);
    const fullText = full.length > 0 ? ` (full when it came up: ${full.map((exclusion) => exclusion.message).join("; ")})` : "";
    notes.push(`${algorithm}: ${rule}${fullText}`);
  }
  return { placed: true, state, notes };
}

function fullClusterExclusion(problem: PlacementProblem, state: PlacementState, group: number, cluster: number): ClusterExclusion {
  const demand = problem.groups[group]!;
  const target = problem.clusters[cluster]!;
  const cpuLeft = target.cpu - state.cpuLoad[cluster]!;
  const label = describeGroup(problem, demand);
  if (demand.cpu > cpuLeft + 1e-9 * Math.max(1, target.cpu)) {
    return { cluster: target.name, reason: "cpu", message: `"${target.name}" has ${formatCores(Math.max(0, cpuLeft))} left and ${label} needs ${formatCores(demand.cpu)}` };
  }
  const memoryLeft = target.memory - state.memoryLoad[cluster]!;
  return { cluster: target.name, reason: "memory", message: `"${target.name}" has ${formatMemory(Math.max(0, memoryLeft))} of memory left and ${label} needs ${formatMemory(demand.memory)}` };
}

/** Groups linked by at least one connection (either direction), without duplicates. */
export function groupNeighbours(problem: PlacementProblem): number[][] {
  const neighbours = problem.groups.map(() => new Set<number>());
  for (const link of problem.links) {
    const a = problem.groupOfService[link.from]!;
    const b = problem.groupOfService[link.to]!;
    if (a !== b) {
      neighbours[a]!.add(b);
      neighbours[b]!.add(a);
    }
  }
  return neighbours.map((set) => [...set]);
}

/**
 * Objective-driven construction: the groups not yet placed in `initial`, in breadth-first order
 * over the connection graph (largest CPU demand first among the seeds), each on the cluster(s)
 * that raise the objective least, ties to the cluster with the most CPU left. Undefined when stuck.
 */
export function placeGreedily(problem: PlacementProblem, eligible: number[][], initial?: PlacementState): PlacementState | undefined {
  const state = initial ?? new PlacementState(problem);
  const neighbours = groupNeighbours(problem);
  const seeds = problem.groups.map((group) => group.index).sort((a, b) => problem.groups[b]!.cpu - problem.groups[a]!.cpu || a - b);
  const visited = new Uint8Array(problem.groups.length);
  const order: number[] = [];
  for (const seed of seeds) {
    if (visited[seed]) continue;
    visited[seed] = 1;
    const queue = [seed];
    for (let head = 0; head < queue.length; head += 1) {
      const group = queue[head]!;
      if (state.clustersOfGroup(group).length === 0) order.push(group);
      for (const next of neighbours[group]!) {
        if (!visited[next]) {
          visited[next] = 1;
          queue.push(next);
        }
      }
    }
  }
  for (const group of order) {
    const spread = problem.groups[group]!.spread;
    if (Number.isNaN(spread)) return undefined;
    for (let copy = 0; copy < spread; copy += 1) {
      let best = -1;
      let bestObjective = Number.POSITIVE_INFINITY;
      let bestRoom = Number.NEGATIVE_INFINITY;
      const placed = state.clustersOfGroup(group);
      for (const cluster of eligible[group]!) {
        if (placed.includes(cluster) || !state.hasRoomFor(group, cluster)) continue;
        state.addGroup(group, cluster);
        const objective = state.objective();
        state.removeGroup(group, cluster);
        const room = problem.clusters[cluster]!.cpu - state.cpuLoad[cluster]!;
        if (objective < bestObjective - 1e-9 || (objective <= bestObjective + 1e-9 && room > bestRoom)) {
          best = cluster;
          bestObjective = objective;
          bestRoom = room;
        }
      }
      if (best < 0) return undefined;
      state.addGroup(group, best);
    }
  }
  return state;
}

/**
 * Re-placement construction: every group stays where it runs now when it still can (its members
 * agree on their current clusters, which can all take it); overloaded clusters shed their largest
 * groups until they fit; then the rest is placed greedily.
 */
export function placeFromCurrent(problem: PlacementProblem, eligible: number[][]): PlacementState | undefined {
  const state = new PlacementState(problem);
  for (const group of problem.groups) {
    const current = problem.currentClusters[group.members[0]!]!;
    const agreed = group.members.every((member) => {
      const clusters = problem.currentClusters[member]!;
      return clusters.length === current.length && clusters.every((cluster) => current.includes(cluster));
    });
    if (agreed && current.length === group.spread && current.every((cluster) => eligible[group.index]!.includes(cluster))) {
      for (const cluster of current) state.addGroup(group.index, cluster);
    }
  }
  problem.clusters.forEach((cluster, index) => {
    const hosted = problem.groups.filter((group) => state.clustersOfGroup(group.index).includes(index)).sort((a, b) => b.cpu - a.cpu || a.index - b.index);
    for (const group of hosted) {
      if (fitsWithin(state.cpuLoad[index]!, cluster.cpu) && fitsWithin(state.memoryLoad[index]!, cluster.memory)) break;
      for (const other of [...state.clustersOfGroup(group.index)]) state.removeGroup(group.index, other);
    }
  });
  return placeGreedily(problem, eligible, state);
}

const improvementOf = (objective: number) => objective - 1e-9 * Math.max(1, Math.abs(objective));

/**
 * Local improvement until no move helps or the deadline (performance.now() milliseconds) passes:
 * - move one group from one of its clusters to another;
 * - move a connected set of single-cluster groups sharing a cluster to another cluster together;
 * - move a group to a full cluster after moving one single-cluster group out of it (ejection).
 */
export function improveLocally(state: PlacementState, eligible: number[][], deadline: number): void {
  const problem = state.problem;
  const neighbours = groupNeighbours(problem);
  let current = state.objective();
  for (let pass = 0; pass < 50; pass += 1) {
    let improved = false;
    for (const group of problem.groups) {
      if (performance.now() > deadline) return;
      for (const from of [...state.clustersOfGroup(group.index)]) {
        const best = evaluateMoveTargets(state, group.index, from, eligible[group.index]!).reduce(
          (winner, move) => (move.feasible && move.objective < winner.objective ? move : winner),
          { cluster: -1, objective: improvementOf(current), feasible: true },
        );
        if (best.cluster >= 0) {
          state.moveGroup(group.index, from, best.cluster);
          current = best.objective;
          improved = true;
        }
      }
    }
    if (performance.now() > deadline) return;
    const afterComponents = moveComponents(state, eligible, neighbours, current, deadline);
    if (afterComponents < current) {
      current = afterComponents;
      improved = true;
    }
    if (!improved) {
      const afterEjections = ejectAndMove(state, eligible, current, deadline);
      if (afterEjections < current) {
        current = afterEjections;
        improved = true;
      }
    }
    if (!improved) return;
  }
}

/** Moves maximal linked sets of single-cluster groups that share a cluster, when that lowers the objective. */
function moveComponents(state: PlacementState, eligible: number[][], neighbours: number[][], objective: number, deadline: number): number {
  const problem = state.problem;
  const seen = new Uint8Array(problem.groups.length);
  for (const seed of problem.groups) {
    if (seen[seed.index] || seed.spread !== 1 || performance.now() > deadline) continue;
    const [from] = state.clustersOfGroup(seed.index);
    if (from === undefined) continue;
    const component = [seed.index];
    seen[seed.index] = 1;
    for (let head = 0; head < component.length; head += 1) {
      for (const next of neighbours[component[head]!]!) {
        if (!seen[next] && problem.groups[next]!.spread === 1 && state.clustersOfGroup(next)[0] === from) {
          seen[next] = 1;
          component.push(next);
        }
      }
    }
    if (component.length < 2) continue;
    let cpu = 0;
    let memory = 0;
    for (const group of component) {
      cpu += problem.groups[group]!.cpu;
      memory += problem.groups[group]!.memory;
    }
    const targets = problem.clusters
      .map((_, cluster) => cluster)
      .filter((cluster) => cluster !== from && component.every((group) => eligible[group]!.includes(cluster)))
      .filter((cluster) => fitsWithin(state.cpuLoad[cluster]! + cpu, problem.clusters[cluster]!.cpu) && fitsWithin(state.memoryLoad[cluster]! + memory, problem.clusters[cluster]!.memory));
    let best = -1;
    let bestObjective = improvementOf(objective);
    for (const target of targets) {
      for (const group of component) state.moveGroup(group, from, target);
      const after = state.objective();
      for (const group of component) state.moveGroup(group, target, from);
      if (after < bestObjective) {
        best = target;
        bestObjective = after;
      }
    }
    if (best >= 0) {
      for (const group of component) state.moveGroup(group, from, best);
      objective = bestObjective;
    }
  }
  return objective;
}

/** For a single-cluster group and a cluster without room for it: move one group out of that cluster first, then the group in. */
function ejectAndMove(state: PlacementState, eligible: number[][], objective: number, deadline: number): number {
  const problem = state.problem;
  const groupsOn: number[][] = problem.clusters.map(() => []);
  for (const group of problem.groups) if (group.spread === 1) for (const cluster of state.clustersOfGroup(group.index)) groupsOn[cluster]!.push(group.index);
  for (const group of problem.groups) {
    if (group.spread !== 1) continue;
    if (performance.now() > deadline) return objective;
    for (const target of eligible[group.index]!) {
      const from = state.clustersOfGroup(group.index)[0]!;
      if (target === from || state.hasRoomFor(group.index, target)) continue;
      // Worth trying only if the move itself (ignoring capacity) would lower the objective.
      state.moveGroup(group.index, from, target);
      const gain = state.objective();
      state.moveGroup(group.index, target, from);
      if (gain >= improvementOf(objective)) continue;
      const capacity = problem.clusters[target]!;
      let best: { evicted: number; destination: number; objective: number } | undefined;
      for (const evicted of groupsOn[target]!) {
        const out = problem.groups[evicted]!;
        if (!fitsWithin(state.cpuLoad[target]! + group.cpu - out.cpu, capacity.cpu) || !fitsWithin(state.memoryLoad[target]! + group.memory - out.memory, capacity.memory)) continue;
        state.moveGroup(group.index, from, target);
        state.removeGroup(evicted, target);
        for (const destination of eligible[evicted]!) {
          if (destination === target || !state.hasRoomFor(evicted, destination)) continue;
          state.addGroup(evicted, destination);
          const after = state.objective();
          state.removeGroup(evicted, destination);
          if (after < (best?.objective ?? improvementOf(objective))) best = { evicted, destination, objective: after };
        }
        state.addGroup(evicted, target);
        state.moveGroup(group.index, target, from);
      }
      if (best) {
        state.moveGroup(group.index, from, target);
        state.moveGroup(best.evicted, target, best.destination);
        objective = best.objective;
        groupsOn[from]!.splice(groupsOn[from]!.indexOf(group.index), 1);
        groupsOn[target]!.push(group.index);
        groupsOn[target]!.splice(groupsOn[target]!.indexOf(best.evicted), 1);
        groupsOn[best.destination]!.push(best.evicted);
      }
    }
  }
  return objective;
}

/** Eligible clusters of every group (static checks only: Ready, GPU, capacity when empty). */
export function eligibilityOf(problem: PlacementProblem): number[][] {
  return problem.groups.map((group) => eligibleClusters(problem, group.index));
}
