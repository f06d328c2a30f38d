/**
 * The validated, indexed form of a PlacementInput that every algorithm works on: services and
 * clusters by position, co-location groups (services that must share their clusters are placed
 * as one unit), and the directed connection links with their QoS weights.
 */
import { ValidationError, type ValidationIssue } from "../errors";
import { QOS_WEIGHT, type PlacementCluster, type PlacementInput, type PlacementService, type PlacementWeights } from "./types";

/** Capacity comparisons allow this relative slack, so that 0.1 + 0.2 cores fit in 0.3. */
export const CAPACITY_TOLERANCE = 1e-9;

export function fitsWithin(load: number, capacity: number): boolean {
  return load <= capacity + CAPACITY_TOLERANCE * Math.max(1, Math.abs(capacity));
}

/** Services tied together by co-location (transitively); placed as one unit on the same clusters. */
export type ServiceGroup = {
  index: number;
  /** Service indexes in input order; the first one names the group. */
  members: number[];
  /** CPU cores of all members (cpu × replicas summed). */
  cpu: number;
  /** Memory bytes of all members (memory × replicas summed). */
  memory: number;
  gpu: boolean;
  /** Clusters the group needs; NaN when its members ask for different spreads (no placement can satisfy both). */
  spread: number;
};

/** `from` lists `to` as a connection point; `weight` is the QoS weight of that link. */
export type ServiceLink = { from: number; to: number; weight: number };

export type PlacementProblem = {
  input: PlacementInput;
  services: PlacementService[];
  clusters: PlacementCluster[];
  weights: PlacementWeights;
  serviceIndex: Map<string, number>;
  clusterIndex: Map<string, number>;
  /** cpu × replicas per service. */
  serviceCpu: Float64Array;
  /** memory × replicas per service. */
  serviceMemory: Float64Array;
  groupOfService: Int32Array;
  groups: ServiceGroup[];
  /** Current clusters of each service that exist in the input (deduplicated). */
  currentClusters: number[][];
  /** Current clusters of each service that are not in the input: always left, so always counted as migration. */
  vanishedCurrent: Int32Array;
  links: ServiceLink[];
  /** Indexes into `links` of the links that touch each service (as `from` or `to`). */
  linksOfService: number[][];
};

/** Validates the input (every problem named by its path) and builds the indexed problem. */
export function buildPlacementProblem(input: PlacementInput): PlacementProblem {
  const issues: ValidationIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  const isNonNegative = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;

  const clusterIndex = new Map<string, number>();
  input.clusters.forEach((cluster, index) => {
    const path = `clusters[${index}]`;
    if (typeof cluster.name !== "string" || cluster.name === "") issue(`${path}.name`, "must be a non-empty string");
    else if (clusterIndex.has(cluster.name)) issue(`${path}.name`, `duplicate cluster name "${cluster.name}"`);
    else clusterIndex.set(cluster.name, index);
    if (!isNonNegative(cluster.cpu)) issue(`${path}.cpu`, "must be a finite number of cores ≥ 0");
    if (!isNonNegative(cluster.memory)) issue(`${path}.memory`, "must be a finite number of bytes ≥ 0");
    if (!isNonNegative(cluster.carbon)) issue(`${path}.carbon`, "must be a finite carbon intensity ≥ 0");
    if (typeof cluster.gpu !== "boolean") issue(`${path}.gpu`, "must be true or false");
    if (typeof cluster.ready !== "boolean") issue(`${path}.ready`, "must be true or false");
  });

  const serviceIndex = new Map<string, number>();
  input.services.forEach((service, index) => {
    if (typeof service.id !== "string" || service.id === "") issue(`services[${index}].id`, "must be a non-empty string");
    else if (serviceIndex.has(service.id)) issue(`services[${index}].id`, `duplicate service id "${service.id}"`);
    else serviceIndex.set(service.id, index);
  });
  input.services.forEach((service, index) => {
    const path = `services[${index}]`;
    if (!isNonNegative(service.cpu)) issue(`${path}.cpu`, "must be a finite number of cores ≥ 0");
    if (!isNonNegative(service.memory)) issue(`${path}.memory`, "must be a finite number of bytes ≥ 0");
    if (!Number.isInteger(service.replicas) || service.replicas < 0) issue(`${path}.replicas`, "must be an integer ≥ 0");
    if (!Number.isInteger(service.spread) || service.spread < 1) issue(`${path}.spread`, "must be an integer ≥ 1");
    if (typeof service.gpu !== "boolean") issue(`${path}.gpu`, "must be true or false");
    const checkServiceList = (list: unknown, field: string) => {
      if (!Array.isArray(list)) return issue(`${path}.${field}`, "must be a list of service ids");
      list.forEach((target, position) => {
        if (!serviceIndex.has(target as string)) issue(`${path}.${field}[${position}]`, `names no service of the input ("${String(target)}")`);
      });
    };
    checkServiceList(service.connectionPoints, "connectionPoints");
    checkServiceList(service.coLocation, "coLocation");
    if (!Array.isArray(service.current)) issue(`${path}.current`, "must be a list of cluster names");
    if (typeof service.latencies !== "object" || service.latencies === null) issue(`${path}.latencies`, "must map service ids to a QoS");
    else
      for (const [target, qos] of Object.entries(service.latencies)) {
        if (!serviceIndex.has(target)) issue(`${path}.latencies.${target}`, `names no service of the input ("${target}")`);
        if (typeof qos !== "string" || !Object.hasOwn(QOS_WEIGHT, qos)) issue(`${path}.latencies.${target}`, `QoS must be one of ${Object.keys(QOS_WEIGHT).join(", ")}`);
      }
  });
  for (const key of ["migration", "carbon", "communication", "balance"] as const) {
    if (!isNonNegative(input.weights?.[key])) issue(`weights.${key}`, "must be a finite number ≥ 0");
  }
  if (issues.length > 0) throw new ValidationError(issues);

  const services = input.services;
  const serviceCpu = Float64Array.from(services, (service) => service.cpu * service.replicas);
  const serviceMemory = Float64Array.from(services, (service) => service.memory * service.replicas);

  // Union-find over co-location: the relation is symmetric and transitive (x[s,c] = x[t,c] for every c).
  const parent = Int32Array.from(services, (_, index) => index);
  const find = (index: number): number => {
    while (parent[index] !== index) {
      parent[index] = parent[parent[index]!]!;
      index = parent[index]!;
    }
    return index;
  };
  services.forEach((service, index) => {
    for (const partner of service.coLocation) {
      const a = find(index);
      const b = find(serviceIndex.get(partner)!);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  });
  const groupOfRoot = new Map<number, number>();
  const groupOfService = new Int32Array(services.length);
  const groups: ServiceGroup[] = [];
  services.forEach((service, index) => {
    const root = find(index);
    let group = groupOfRoot.get(root);
    if (group === undefined) {
      group = groups.length;
      groupOfRoot.set(root, group);
      groups.push({ index: group, members: [], cpu: 0, memory: 0, gpu: false, spread: service.spread });
    }
    const entry = groups[group]!;
    entry.members.push(index);
    entry.cpu += serviceCpu[index]!;
    entry.memory += serviceMemory[index]!;
    entry.gpu ||= service.gpu;
    if (entry.spread !== service.spread) entry.spread = Number.NaN;
    groupOfService[index] = group;
  });

  const currentClusters: number[][] = [];
  const vanishedCurrent = new Int32Array(services.length);
  services.forEach((service, index) => {
    const known = new Set<number>();
    const vanished = new Set<string>();
    for (const name of service.current) {
      const cluster = clusterIndex.get(name);
      if (cluster === undefined) vanished.add(name);
      else known.add(cluster);
    }
    currentClusters.push([...known].sort((a, b) => a - b));
    vanishedCurrent[index] = vanished.size;
  });

  // A connection point listed twice is one link; a service listing itself can never be split from itself.
  const links: ServiceLink[] = [];
  const linksOfService: number[][] = services.map(() => []);
  services.forEach((service, from) => {
    for (const target of new Set(service.connectionPoints)) {
      const to = serviceIndex.get(target)!;
      if (to === from) continue;
      const weight = QOS_WEIGHT[Object.hasOwn(service.latencies, target) ? service.latencies[target]! : "best-effort"];
      linksOfService[from]!.push(links.length);
      linksOfService[to]!.push(links.length);
      links.push({ from, to, weight });
    }
  });

  return {
    input,
    services,
    clusters: input.clusters,
    weights: input.weights,
    serviceIndex,
    clusterIndex,
    serviceCpu,
    serviceMemory,
    groupOfService,
    groups,
    currentClusters,
    vanishedCurrent,
    links,
    linksOfService,
  };
}

/** Names a group for messages: "api" or "api (with db, cache co-located)". */
export function describeGroup(problem: PlacementProblem, group: ServiceGroup): string {
  const [first, ...others] = group.members.map((member) => problem.services[member]!.id);
  return others.length === 0 ? `"${first}"` : `"${first}" (co-located with ${others.map((id) => `"${id}"`).join(", ")})`;
}
