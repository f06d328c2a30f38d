/**
 * Why a cluster cannot host a service, and why no placement exists: the facts behind every
 * explanation and infeasibility message.
 */
import { describeGroup, fitsWithin, type PlacementProblem, type ServiceGroup } from "./problem";
import type { ClusterExclusion } from "./types";

export function formatCores(cores: number): string {
  const rounded = Math.round(cores * 1000) / 1000;
  return `${rounded} core${rounded === 1 ? "" : "s"}`;
}

export function formatMemory(bytes: number): string {
  const units: [string, number][] = [["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]];
  for (const [unit, size] of units) if (bytes >= size) return `${Math.round((bytes / size) * 100) / 100} ${unit}`;
  return `${Math.round(bytes)} B`;
}

type Demand = { label: string; cpu: number; memory: number; gpu: boolean };

/** The first reason (Ready, GPU, CPU, memory) a cluster cannot take a demand even when empty. */
function exclusionFor(problem: PlacementProblem, demand: Demand, cluster: number): ClusterExclusion | undefined {
  const target = problem.clusters[cluster]!;
  const name = target.name;
  if (!target.ready) return { cluster: name, reason: "not-ready", message: `"${name}" is not Ready` };
  if (demand.gpu && !target.gpu) return { cluster: name, reason: "no-gpu", message: `${demand.label} needs a GPU and "${name}" has none` };
  if (!fitsWithin(demand.cpu, target.cpu)) {
    return { cluster: name, reason: "cpu", message: `${demand.label} needs ${formatCores(demand.cpu)} and "${name}" has ${formatCores(target.cpu)}` };
  }
  if (!fitsWithin(demand.memory, target.memory)) {
    return { cluster: name, reason: "memory", message: `${demand.label} needs ${formatMemory(demand.memory)} of memory and "${name}" has ${formatMemory(target.memory)}` };
  }
  return undefined;
}

function groupDemand(problem: PlacementProblem, group: ServiceGroup): Demand {
  const label = group.members.length === 1 ? `"${problem.services[group.members[0]!]!.id}"` : `the co-located group ${describeGroup(problem, group)}`;
  return { label, cpu: group.cpu, memory: group.memory, gpu: group.gpu };
}

/** Why the whole co-location group cannot go on the cluster, even empty; undefined when it can. */
export function groupExclusion(problem: PlacementProblem, group: number, cluster: number): ClusterExclusion | undefined {
  return exclusionFor(problem, groupDemand(problem, problem.groups[group]!), cluster);
}

/** Why a service cannot go on a cluster: its own needs first, then its co-location group's. */
export function serviceExclusion(problem: PlacementProblem, service: number, cluster: number): ClusterExclusion | undefined {
  const own = exclusionFor(
    problem,
    { label: `"${problem.services[service]!.id}"`, cpu: problem.serviceCpu[service]!, memory: problem.serviceMemory[service]!, gpu: problem.services[service]!.gpu },
    cluster,
  );
  if (own) return own;
  const group = problem.groups[problem.groupOfService[service]!]!;
  if (group.members.length === 1) return undefined;
  const together = groupExclusion(problem, group.index, cluster);
  return together && { cluster: together.cluster, reason: "co-location", message: together.message };
}

/** Clusters that can take the group on their own (Ready, GPU when needed, enough CPU and memory). */
export function eligibleClusters(problem: PlacementProblem, group: number): number[] {
  const eligible: number[] = [];
  problem.clusters.forEach((_, cluster) => {
    if (!groupExclusion(problem, group, cluster)) eligible.push(cluster);
  });
  return eligible;
}

export type Infeasibility = { service?: string; message: string; excluded: ClusterExclusion[] };

/**
 * The per-service check: a co-location group whose members disagree on spread, or that fits on
 * fewer clusters than it needs, each of those clusters considered alone. Undefined when every group passes.
 */
export function findUnplaceableGroup(problem: PlacementProblem): Infeasibility | undefined {
  for (const group of problem.groups) {
    const first = problem.services[group.members[0]!]!;
    const label = describeGroup(problem, group);
    if (Number.isNaN(group.spread)) {
      const spreads = group.members.map((member) => `"${problem.services[member]!.id}" ${problem.services[member]!.spread}`).join(", ");
      return { service: first.id, message: `${label} must share clusters but ask for different numbers of clusters (${spreads})`, excluded: [] };
    }
    const excluded: ClusterExclusion[] = [];
    let fitting = 0;
    problem.clusters.forEach((_, cluster) => {
      const exclusion = group.members.length === 1 ? serviceExclusion(problem, group.members[0]!, cluster) : groupExclusion(problem, group.index, cluster);
      if (exclusion) excluded.push(exclusion);
      else fitting += 1;
    });
    if (fitting >= group.spread) continue;
    const reasons = excluded.map((exclusion) => exclusion.message).join("; ");
    const message =
      fitting === 0
        ? `${label} fits on no cluster${problem.clusters.length === 0 ? " (there are no clusters)" : `: ${reasons}`}`
        : `${label} needs ${group.spread} distinct clusters but only ${fitting} can take it: ${reasons}`;
    return { service: first.id, message, excluded };
  }
  return undefined;
}

/**
 * Why no placement exists when every service fits somewhere on its own: total CPU or memory
 * demand above what the Ready clusters offer (overall or among GPU clusters), else the packing itself.
 */
export function explainAggregateInfeasibility(problem: PlacementProblem): Infeasibility {
  let cpuDemand = 0;
  let memoryDemand = 0;
  let gpuCpuDemand = 0;
  let gpuMemoryDemand = 0;
  for (const group of problem.groups) {
    cpuDemand += group.cpu * group.spread;
    memoryDemand += group.memory * group.spread;
    if (group.gpu) {
      gpuCpuDemand += group.cpu * group.spread;
      gpuMemoryDemand += group.memory * group.spread;
    }
  }
  let cpuSupply = 0;
  let memorySupply = 0;
  let gpuCpuSupply = 0;
  let gpuMemorySupply = 0;
  const excluded: ClusterExclusion[] = [];
  for (const cluster of problem.clusters) {
    if (!cluster.ready) {
      excluded.push({ cluster: cluster.name, reason: "not-ready", message: `"${cluster.name}" is not Ready` });
      continue;
    }
    cpuSupply += cluster.cpu;
    memorySupply += cluster.memory;
    if (cluster.gpu) {
      gpuCpuSupply += cluster.cpu;
      gpuMemorySupply += cluster.memory;
    }
  }
  const capacityList = (reason: "cpu" | "memory", onlyGpu: boolean) => {
    for (const cluster of problem.clusters) {
      if (!cluster.ready || (onlyGpu && !cluster.gpu)) continue;
      const amount = reason === "cpu" ? formatCores(cluster.cpu) : formatMemory(cluster.memory);
      excluded.push({ cluster: cluster.name, reason, message: `"${cluster.name}" offers ${amount}` });
    }
  };
  if (!fitsWithin(cpuDemand, cpuSupply)) {
    capacityList("cpu", false);
    return { message: `the services need ${formatCores(cpuDemand)} in total and the Ready clusters offer ${formatCores(cpuSupply)}`, excluded };
  }
  if (!fitsWithin(memoryDemand, memorySupply)) {
    capacityList("memory", false);
    return { message: `the services need ${formatMemory(memoryDemand)} of memory in total and the Ready clusters offer ${formatMemory(memorySupply)}`, excluded };
  }
  if (!fitsWithin(gpuCpuDemand, gpuCpuSupply)) {
    capacityList("cpu", true);
    return { message: `the GPU services need ${formatCores(gpuCpuDemand)} in total and the Ready GPU clusters offer ${formatCores(gpuCpuSupply)}`, excluded };
  }
  if (!fitsWithin(gpuMemoryDemand, gpuMemorySupply)) {
    capacityList("memory", true);
    return { message: `the GPU services need ${formatMemory(gpuMemoryDemand)} of memory in total and the Ready GPU clusters offer ${formatMemory(gpuMemorySupply)}`, excluded };
  }
  capacityList("cpu", false);
  return {
    message:
      `every service fits on some cluster on its own and the totals fit (${formatCores(cpuDemand)} of ${formatCores(cpuSupply)}, ` +
      `${formatMemory(memoryDemand)} of ${formatMemory(memorySupply)}), but no assignment respects every cluster's capacity at once`,
    excluded,
  };
}
