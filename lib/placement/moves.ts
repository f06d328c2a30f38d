import type { PlacementState } from "./evaluate";

export type MoveTarget = { cluster: number; objective: number; feasible: boolean };

/**
 * The objective after moving a co-location group from cluster `from` to each candidate cluster it
 * does not already use (the rest of the placement unchanged). A move that overloads the target
 * is reported with `feasible: false` and objective NaN. The state is left as it was.
 */
export function evaluateMoveTargets(state: PlacementState, group: number, from: number, candidates: readonly number[]): MoveTarget[] {
  const targets: MoveTarget[] = [];
  const using = state.clustersOfGroup(group);
  state.removeGroup(group, from);
  try {
    for (const cluster of candidates) {
      if (cluster === from || using.includes(cluster)) continue;
      if (!state.hasRoomFor(group, cluster)) {
        targets.push({ cluster, objective: Number.NaN, feasible: false });
        continue;
      }
      state.addGroup(group, cluster);
      targets.push({ cluster, objective: state.objective(), feasible: true });
      state.removeGroup(group, cluster);
    }
  } finally {
    state.addGroup(group, from);
  }
  return targets;
}
