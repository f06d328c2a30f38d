/**
 * The Karmada scheduling algorithm for one ResourceBinding: filter member clusters by the
 * policy's cluster affinity and taint tolerations, then assign replicas Duplicated or Divided
 * (static weights, dynamic weights by available replicas, or Aggregated), as
 * karmada `pkg/scheduler/core` does. Pure functions; the controller in scheduler.ts calls them.
 */
import type { KubeObject } from "./resources";
import { matchesLabelSelector, type LabelSelectorObject } from "./selectors";
import { isClusterReady, type Member, type ResourceAmounts } from "./clusters";

export type ClusterAffinity = {
  clusterNames?: string[];
  exclude?: string[];
  labelSelector?: LabelSelectorObject;
  fieldSelector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
};

export type Toleration = { key?: string; operator?: string; value?: string; effect?: string };

export type Placement = {
  clusterAffinity?: ClusterAffinity;
  clusterAffinities?: (ClusterAffinity & { affinityName?: string })[];
  clusterTolerations?: Toleration[];
  spreadConstraints?: { spreadByField?: string; maxGroups?: number; minGroups?: number }[];
  replicaScheduling?: {
    replicaSchedulingType?: string;
    replicaDivisionPreference?: string;
    weightPreference?: {
      staticWeightList?: { targetCluster?: ClusterAffinity; weight?: number }[];
      dynamicWeight?: string;
    };
  };
};

export type TargetCluster = { name: string; replicas: number };

export type ScheduleRequest = {
  placement: Placement;
  replicas: number;
  /** Per-replica request (pods = 1). */
  request: ResourceAmounts;
  /** Clusters the binding is already scheduled to (they skip the NoSchedule taint check, as in Karmada). */
  scheduledClusters: string[];
};

export type ScheduleResult = { ok: true; clusters: TargetCluster[] } | { ok: false; reason: "NoClusterFit" | "Unschedulable"; message: string };

type Taint = { key: string; value?: string; effect: string };

function clusterSpecOf(cluster: KubeObject): { taints?: Taint[]; provider?: string; region?: string; zone?: string } {
  return (cluster.spec ?? {}) as { taints?: Taint[]; provider?: string; region?: string; zone?: string };
}

/** Whether a cluster satisfies a ClusterAffinity term (all given criteria must hold). */
export function matchesAffinity(cluster: KubeObject, affinity: ClusterAffinity | undefined): boolean {
  if (!affinity) return true;
  const name = cluster.metadata.name!;
  if (affinity.clusterNames && affinity.clusterNames.length > 0 && !affinity.clusterNames.includes(name)) return false;
  if (affinity.exclude?.includes(name)) return false;
  if (affinity.labelSelector && !matchesLabelSelector(cluster.metadata.labels, affinity.labelSelector)) return false;
  const fields = clusterSpecOf(cluster);
  for (const expression of affinity.fieldSelector?.matchExpressions ?? []) {
    const value = expression.key === "provider" ? fields.provider : expression.key === "region" ? fields.region : expression.key === "zone" ? fields.zone : undefined;
    const values = expression.values ?? [];
    if (expression.operator === "In" && (value === undefined || !values.includes(value))) return false;
    if (expression.operator === "NotIn" && value !== undefined && values.includes(value)) return false;
  }
  return true;
}

function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (!toleration.key) return toleration.operator === "Exists";
  if (toleration.key !== taint.key) return false;
  return toleration.operator === "Exists" || (toleration.value ?? "") === (taint.value ?? "");
}

function untoleratedTaint(cluster: KubeObject, tolerations: Toleration[], alreadyScheduled: boolean): Taint | undefined {
  return (clusterSpecOf(cluster).taints ?? []).find((taint) => {
    if (taint.effect === "NoSchedule" && alreadyScheduled) return false;
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") return false;
    return !tolerations.some((toleration) => tolerates(toleration, taint));
  });
}

/** How many more replicas of `request` fit in a member given its current usage (Karmada's general estimator). */
export function availableReplicas(member: Member | undefined, usage: ResourceAmounts, request: ResourceAmounts): number {
  if (!member || !member.ready) return 0;
  const limits: number[] = [member.capacity.pods - usage.pods];
  if (request.cpu > 0) limits.push((member.capacity.cpu - usage.cpu) / request.cpu);
  if (request.memory > 0) limits.push((member.capacity.memory - usage.memory) / request.memory);
  if (request.gpus > 0) limits.push((member.capacity.gpus - usage.gpus) / request.gpus);
  return Math.max(0, Math.floor(Math.min(...limits) + 1e-9));
}

/** Largest-remainder division by weight; ties go to the heavier cluster, then by name. Zero shares are dropped. */
export function divideByWeight(replicas: number, weights: { name: string; weight: number }[]): TargetCluster[] {
  const total = weights.reduce((sum, entry) => sum + entry.weight, 0);
  if (total <= 0 || replicas <= 0) return [];
  const shares = weights.map((entry) => ({ name: entry.name, weight: entry.weight, replicas: Math.floor((replicas * entry.weight) / total) }));
  let remainder = replicas - shares.reduce((sum, share) => sum + share.replicas, 0);
  const order = [...shares].sort((a, b) => b.weight - a.weight || (a.name < b.name ? -1 : 1));
  for (let index = 0; remainder > 0; index = (index + 1) % order.length) {
    if (order[index]!.weight <= 0) continue;
    order[index]!.replicas += 1;
    remainder -= 1;
  }
  return shares.filter((share) => share.replicas > 0).map(({ name, replicas: count }) => ({ name, replicas: count }));
}

function describeFitFailure(total: number, reasons: Map<string, number>): string {
  const parts = [...reasons].map(([reason, count]) => `${count} cluster(s) ${reason}`).sort();
  return `0/${total} clusters are available: ${parts.join(", ")}.`;
}

function assignReplicas(
  request: ScheduleRequest,
  candidates: KubeObject[],
  available: (name: string) => number,
): ScheduleResult {
  const scheduling = request.placement.replicaScheduling;
  const names = candidates.map((cluster) => cluster.metadata.name!);
  if ((scheduling?.replicaSchedulingType ?? "Duplicated") === "Duplicated") {
    return { ok: true, clusters: names.map((name) => ({ name, replicas: request.replicas })) };
  }
  if (request.replicas === 0) return { ok: true, clusters: [] };
  const notEnough = (sum: number): ScheduleResult => ({
    ok: false,
    reason: "Unschedulable",
    message: `clusters available replicas ${sum} are not enough to schedule.`,
  });
  if (scheduling?.replicaDivisionPreference === "Aggregated") {
    const ranked = names.map((name) => ({ name, weight: available(name) })).sort((a, b) => b.weight - a.weight || (a.name < b.name ? -1 : 1));
    const chosen: { name: string; weight: number }[] = [];
    let sum = 0;
    for (const entry of ranked) {
      if (sum >= request.replicas || entry.weight <= 0) break;
      chosen.push(entry);
      sum += entry.weight;
    }
    if (sum < request.replicas) return notEnough(ranked.reduce((total, entry) => total + entry.weight, 0));
    return { ok: true, clusters: divideByWeight(request.replicas, chosen) };
  }
  const preference = scheduling?.weightPreference;
  if (preference?.dynamicWeight === "AvailableReplicas") {
    const weights = names.map((name) => ({ name, weight: available(name) }));
    const sum = weights.reduce((total, entry) => total + entry.weight, 0);
    if (sum < request.replicas) return notEnough(sum);
    return { ok: true, clusters: divideByWeight(request.replicas, weights) };
  }
  let weights = candidates.map((cluster) => {
    let weight = 0;
    for (const rule of preference?.staticWeightList ?? []) {
      if (matchesAffinity(cluster, rule.targetCluster)) weight = Math.max(weight, rule.weight ?? 0);
    }
    return { name: cluster.metadata.name!, weight };
  });
  // Karmada: without static weights (or all zero), every candidate weighs 1.
  if (weights.every((entry) => entry.weight === 0)) weights = weights.map((entry) => ({ ...entry, weight: 1 }));
  return { ok: true, clusters: divideByWeight(request.replicas, weights) };
}

/** Schedules one binding over the federation's clusters. */
export function scheduleBinding(
  request: ScheduleRequest,
  clusters: KubeObject[],
  members: Map<string, Member>,
  usage: Map<string, ResourceAmounts>,
): ScheduleResult {
  const placement = request.placement;
  const groups: (ClusterAffinity | undefined)[] =
    placement.clusterAffinities && placement.clusterAffinities.length > 0 ? placement.clusterAffinities : [placement.clusterAffinity];
  const tolerations = placement.clusterTolerations ?? [];
  const available = (name: string) =>
    availableReplicas(members.get(name), usage.get(name) ?? { cpu: 0, memory: 0, gpus: 0, pods: 0 }, request.request);
  let failure: ScheduleResult = { ok: false, reason: "NoClusterFit", message: `0/${clusters.length} clusters are available: no cluster exists.` };
  for (const affinity of groups) {
    const reasons = new Map<string, number>();
    const count = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    let candidates = clusters.filter((cluster) => {
      if (!matchesAffinity(cluster, affinity)) {
        count("did not match the placement cluster affinity constraint");
        return false;
      }
      const taint = untoleratedTaint(cluster, tolerations, request.scheduledClusters.includes(cluster.metadata.name!));
      if (taint) {
        count(`had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
        return false;
      }
      if (!isClusterReady(cluster) && !request.scheduledClusters.includes(cluster.metadata.name!)) {
        count("were not ready");
        return false;
      }
      return true;
    });
    if (candidates.length === 0) {
      if (clusters.length > 0) failure = { ok: false, reason: "NoClusterFit", message: describeFitFailure(clusters.length, reasons) };
      continue;
    }
    const clusterSpread = placement.spreadConstraints?.find((constraint) => constraint.spreadByField === "cluster");
    if (clusterSpread?.maxGroups && candidates.length > clusterSpread.maxGroups) {
      candidates = [...candidates]
        .sort((a, b) => available(b.metadata.name!) - available(a.metadata.name!) || (a.metadata.name! < b.metadata.name! ? -1 : 1))
        .slice(0, clusterSpread.maxGroups);
    }
    if (clusterSpread?.minGroups && candidates.length < clusterSpread.minGroups) {
      failure = {
        ok: false,
        reason: "NoClusterFit",
        message: `0/${clusters.length} clusters are available: the number of feasible clusters is less than spreadConstraint.MinGroups.`,
      };
      continue;
    }
    const result = assignReplicas(request, candidates, available);
    if (result.ok) return result;
    failure = result;
  }
  return failure;
}
