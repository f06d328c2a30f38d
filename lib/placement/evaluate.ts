/**
 * The objective of SPEC §4, computed from a placement. This module is the one definition of the
 * terms: `evaluatePlacement` measures a whole placement, `PlacementState` keeps the same terms up
 * to date while heuristics and explanations move services one group at a time.
 *
 * - migration: over services with current clusters, how many of those clusters they leave
 *   (a current cluster missing from the input is always left);
 * - carbon: Σ cpu × replicas × carbon intensity of each cluster the service runs on;
 * - communication: Σ over links (s lists t as a connection point) of the QoS weight
 *   (ultralow 10, low 3, best-effort 1) when some cluster hosts s but not t;
 * - balance: the highest CPU utilisation (load / available cpu) over Ready clusters;
 * - objective = Σ weight × term.
 */
import { buildPlacementProblem, fitsWithin, type PlacementProblem } from "./problem";
import type { PlacementEvaluation, PlacementInput, PlacementTerms, PlacementViolation, PlacementWeights } from "./types";

export function weightedObjective(weights: PlacementWeights, terms: PlacementTerms): number {
  return (
    weights.migration * terms.migration +
    weights.carbon * terms.carbon +
    weights.communication * terms.communication +
    weights.balance * terms.balance
  );
}

/** How many of the service's current clusters it does not run on. */
export function migrationOfService(problem: PlacementProblem, service: number, clusters: readonly number[]): number {
  let left = problem.vanishedCurrent[service]!;
  for (const current of problem.currentClusters[service]!) if (!clusters.includes(current)) left += 1;
  return left;
}

export function carbonOfService(problem: PlacementProblem, service: number, clusters: readonly number[]): number {
  let carbon = 0;
  for (const cluster of clusters) carbon += problem.serviceCpu[service]! * problem.clusters[cluster]!.carbon;
  return carbon;
}

/** d_st of the model: 1 when some cluster hosts `from` but not `to`. */
export function isLinkSplit(fromClusters: readonly number[], toClusters: readonly number[]): boolean {
  return fromClusters.some((cluster) => !toClusters.includes(cluster));
}

/** load / capacity; a cluster without capacity has utilisation 0 when empty (and is overloaded otherwise). */
export function utilisationOf(load: number, capacity: number): number {
  if (capacity > 0) return load / capacity;
  return load > 0 ? Number.POSITIVE_INFINITY : 0;
}

export function balanceOf(problem: PlacementProblem, cpuLoad: Float64Array): number {
  let highest = 0;
  problem.clusters.forEach((cluster, index) => {
    if (cluster.ready) highest = Math.max(highest, utilisationOf(cpuLoad[index]!, cluster.cpu));
  });
  return highest;
}

/** Terms of a placement given as cluster indexes per service (invalid entries are the caller's business). */
export function termsOfAssignment(problem: PlacementProblem, clustersOf: readonly (readonly number[])[]): PlacementTerms {
  let migration = 0;
  let carbon = 0;
  const cpuLoad = new Float64Array(problem.clusters.length);
  problem.services.forEach((_, service) => {
    const clusters = clustersOf[service]!;
    migration += migrationOfService(problem, service, clusters);
    carbon += carbonOfService(problem, service, clusters);
    for (const cluster of clusters) cpuLoad[cluster]! += problem.serviceCpu[service]!;
  });
  let communication = 0;
  for (const link of problem.links) {
    if (isLinkSplit(clustersOf[link.from]!, clustersOf[link.to]!)) communication += link.weight;
  }
  return { migration, carbon, communication, balance: balanceOf(problem, cpuLoad) };
}

/** Checks a placement against every constraint and computes its terms and objective. Throws ValidationError on an invalid input. */
export function evaluatePlacement(input: PlacementInput, placement: Record<string, string[]>): PlacementEvaluation {
  const problem = buildPlacementProblem(input);
  const violations: PlacementViolation[] = [];
  for (const id of Object.keys(placement)) {
    if (!problem.serviceIndex.has(id)) violations.push({ kind: "unknown-service", service: id, message: `"${id}" is not a service of the input` });
  }
  const clustersOf = problem.services.map((service) => {
    const clusters: number[] = [];
    const listed = Object.hasOwn(placement, service.id) ? placement[service.id]! : [];
    for (const name of listed) {
      const cluster = problem.clusterIndex.get(name);
      if (cluster === undefined) {
        violations.push({ kind: "unknown-cluster", service: service.id, cluster: name, message: `"${service.id}" is placed on "${name}", which is not a cluster of the input` });
      } else if (clusters.includes(cluster)) {
        violations.push({ kind: "duplicate-cluster", service: service.id, cluster: name, message: `"${service.id}" lists "${name}" twice` });
      } else {
        clusters.push(cluster);
      }
    }
    return clusters;
  });
  violations.push(...constraintViolations(problem, clustersOf));
  const terms = termsOfAssignment(problem, clustersOf);
  return { feasible: violations.length === 0, violations, terms, objective: weightedObjective(problem.weights, terms) };
}

/** Spread, Ready, GPU, capacity and co-location violations of an indexed placement. */
export function constraintViolations(problem: PlacementProblem, clustersOf: readonly (readonly number[])[]): PlacementViolation[] {
  const violations: PlacementViolation[] = [];
  const cpuLoad = new Float64Array(problem.clusters.length);
  const memoryLoad = new Float64Array(problem.clusters.length);
  problem.services.forEach((service, index) => {
    const clusters = clustersOf[index]!;
    if (clusters.length !== service.spread) {
      violations.push({ kind: "spread", service: service.id, message: `"${service.id}" runs on ${clusters.length} cluster(s) but needs exactly ${service.spread}` });
    }
    for (const cluster of clusters) {
      const target = problem.clusters[cluster]!;
      if (!target.ready) violations.push({ kind: "not-ready", service: service.id, cluster: target.name, message: `"${service.id}" is placed on "${target.name}", which is not Ready` });
      if (service.gpu && !target.gpu) violations.push({ kind: "no-gpu", service: service.id, cluster: target.name, message: `"${service.id}" needs a GPU and "${target.name}" has none` });
      cpuLoad[cluster]! += problem.serviceCpu[index]!;
      memoryLoad[cluster]! += problem.serviceMemory[index]!;
    }
    for (const partner of service.coLocation) {
      const other = problem.serviceIndex.get(partner)!;
      if (other <= index && problem.services[other]!.coLocation.includes(service.id)) continue; // reported from the other side
      const otherClusters = clustersOf[other]!;
      if (clusters.length !== otherClusters.length || isLinkSplit(clusters, otherClusters)) {
        violations.push({ kind: "co-location", service: service.id, message: `"${service.id}" and "${partner}" must share their clusters` });
      }
    }
  });
  problem.clusters.forEach((cluster, index) => {
    if (!fitsWithin(cpuLoad[index]!, cluster.cpu)) {
      violations.push({ kind: "cpu", cluster: cluster.name, message: `"${cluster.name}" is given ${round(cpuLoad[index]!)} cores but has ${round(cluster.cpu)}` });
    }
    if (!fitsWithin(memoryLoad[index]!, cluster.memory)) {
      violations.push({ kind: "memory", cluster: cluster.name, message: `"${cluster.name}" is given ${round(memoryLoad[index]! / 2 ** 30)} GiB but has ${round(cluster.memory / 2 ** 30)} GiB` });
    }
  });
  return violations;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * A placement under construction or improvement: the x matrix (clusters per service), the loads
 * and the running terms, updated by adding or removing one co-location group on one cluster at a
 * time. Unplaced services simply have no cluster, exactly as x = 0 in the model.
 */
export class PlacementState {
  readonly clustersOf: number[][];
  readonly cpuLoad: Float64Array;
  readonly memoryLoad: Float64Array;
  migration = 0;
  carbon = 0;
  communication = 0;
  private readonly linkStamp: Int32Array;
  private stamp = 0;
  private readonly touchedLinks: number[] = [];

  constructor(readonly problem: PlacementProblem) {
    this.clustersOf = problem.services.map(() => []);
    this.cpuLoad = new Float64Array(problem.clusters.length);
    this.memoryLoad = new Float64Array(problem.clusters.length);
    this.linkStamp = new Int32Array(problem.links.length);
    problem.services.forEach((_, service) => (this.migration += migrationOfService(problem, service, [])));
  }

  clustersOfGroup(group: number): readonly number[] {
    return this.clustersOf[this.problem.groups[group]!.members[0]!]!;
  }

  /** Whether the group's CPU and memory still fit on the cluster (Ready/GPU are static, see eligibility). */
  hasRoomFor(group: number, cluster: number): boolean {
    const demand = this.problem.groups[group]!;
    const target = this.problem.clusters[cluster]!;
    return fitsWithin(this.cpuLoad[cluster]! + demand.cpu, target.cpu) && fitsWithin(this.memoryLoad[cluster]! + demand.memory, target.memory);
  }

  balance(): number {
    return balanceOf(this.problem, this.cpuLoad);
  }

  terms(): PlacementTerms {
    return { migration: this.migration, carbon: this.carbon, communication: this.communication, balance: this.balance() };
  }

  objective(): number {
    const weights = this.problem.weights;
    return (
      weights.migration * this.migration +
      weights.carbon * this.carbon +
      weights.communication * this.communication +
      (weights.balance > 0 ? weights.balance * this.balance() : 0)
    );
  }

  addGroup(group: number, cluster: number): void {
    this.changeGroup(group, cluster, +1);
  }

  removeGroup(group: number, cluster: number): void {
    this.changeGroup(group, cluster, -1);
  }

  /** Replaces cluster `from` by cluster `to` in the group's clusters. */
  moveGroup(group: number, from: number, to: number): void {
    this.changeGroup(group, from, -1);
    this.changeGroup(group, to, +1);
  }

  /** The cluster sets of every service, copied. */
  snapshot(): number[][] {
    return this.clustersOf.map((clusters) => [...clusters]);
  }

  private changeGroup(group: number, cluster: number, sign: 1 | -1): void {
    const problem = this.problem;
    const members = problem.groups[group]!.members;
    const links = this.collectLinks(members);
    let before = 0;
    for (const link of links) before += this.linkCost(link);
    for (const member of members) {
      const clusters = this.clustersOf[member]!;
      const migrationBefore = migrationOfService(problem, member, clusters);
      if (sign > 0) clusters.push(cluster);
      else clusters.splice(clusters.indexOf(cluster), 1);
      this.migration += migrationOfService(problem, member, clusters) - migrationBefore;
      this.carbon += sign * problem.serviceCpu[member]! * problem.clusters[cluster]!.carbon;
    }
    const demand = problem.groups[group]!;
    this.cpuLoad[cluster]! += sign * demand.cpu;
    this.memoryLoad[cluster]! += sign * demand.memory;
    let after = 0;
    for (const link of links) after += this.linkCost(link);
    this.communication += after - before;
  }

  private linkCost(linkIndex: number): number {
    const link = this.problem.links[linkIndex]!;
    return isLinkSplit(this.clustersOf[link.from]!, this.clustersOf[link.to]!) ? link.weight : 0;
  }

  private collectLinks(members: readonly number[]): number[] {
    this.stamp += 1;
    this.touchedLinks.length = 0;
    for (const member of members) {
      for (const link of this.problem.linksOfService[member]!) {
        if (this.linkStamp[link] !== this.stamp) {
          this.linkStamp[link] = this.stamp;
          this.touchedLinks.push(link);
        }
      }
    }
    return this.touchedLinks;
  }
}
