/**
 * A graph's placement as the lifecycle uses it: the federation's clusters as placement input,
 * static placements taken from the descriptor, the solver for the rest, and the helm values
 * each service gets from the result (SPEC §3, §4).
 */
import { isNotNull } from "drizzle-orm";
import { clusters as clusterRows } from "../../db/schema";
import type { CoreContext } from "../context";
import type { Hdag, HdagService } from "../hdag/types";
import { buildPlacementValues, isWotImplementer, mergeValues, type HelmValues } from "../helm/values";
import { readyPlacementClusters } from "../karmada/clusters";
import type { ClusterState } from "../karmada/types";
import { evaluatePlacement } from "../placement/evaluate";
import { placementInputFromHdag } from "../placement/from-hdag";
import { planPlacement } from "../placement/plan";
import type {
  PlacementAlgorithm,
  PlacementCluster,
  PlacementEvaluation,
  PlacementInput,
  PlacementResult,
  PlacementWeights,
} from "../placement/types";

export type FederationView = { states: ClusterState[]; clusters: PlacementCluster[] };

/**
 * Every Karmada member cluster as placement input (NotReady/tainted ones as non-candidates). A
 * carbon intensity an operator set on the cluster's row wins over the cluster's label.
 */
export async function readFederation(ctx: Pick<CoreContext, "clients" | "db">): Promise<FederationView> {
  const states = await ctx.clients.karmada.listClusters();
  const rows = await ctx.db
    .select({ name: clusterRows.name, carbonIntensity: clusterRows.carbonIntensity })
    .from(clusterRows)
    .where(isNotNull(clusterRows.carbonIntensity));
  const carbon = new Map(rows.map((row) => [row.name, row.carbonIntensity as number]));
  const clusters = readyPlacementClusters(states).map((cluster) => (carbon.has(cluster.name) ? { ...cluster, carbon: carbon.get(cluster.name)! } : cluster));
  return { states, clusters };
}

/**
 * The clusters' available capacity with the graph's own running services given back: Karmada's
 * figures already count them, and a re-placement that left them counted would see a service's
 * own cluster as fuller than it is. Capped at what the cluster can allocate.
 */
export function releaseOwnUsage(
  federation: FederationView,
  hdag: Hdag,
  running: Record<string, readonly string[]>,
  replicas: Record<string, number>,
): PlacementCluster[] {
  const clusters = federation.clusters.map((cluster) => ({ ...cluster }));
  for (const service of hdag.services) {
    for (const name of running[service.id] ?? []) {
      const cluster = clusters.find((candidate) => candidate.name === name);
      const state = federation.states.find((candidate) => candidate.name === name);
      if (!cluster || !state || !cluster.ready) continue;
      const count = replicas[service.id] ?? 1;
      cluster.cpu = Math.min(state.cpu.allocatable, cluster.cpu + service.compute.cpu * count);
      cluster.memory = Math.min(state.memory.allocatable, cluster.memory + service.compute.memory * count);
    }
  }
  return clusters;
}

/**
 * Clusters a static graph's descriptor gives a service: `clustersAffinity` of its valuesOverwrite,
 * under `voChartOverwrite` for the WOT implementer. undefined when none are given.
 */
export function staticClustersOf(service: HdagService): string[] | undefined {
  const overwrite = service.artifact.valuesOverwrite;
  const scope = isWotImplementer(service.artifact.implementer) ? overwrite.voChartOverwrite : overwrite;
  if (typeof scope !== "object" || scope === null || Array.isArray(scope)) return undefined;
  const given = (scope as Record<string, unknown>).clustersAffinity;
  if (!Array.isArray(given) || given.length === 0 || !given.every((cluster) => typeof cluster === "string" && cluster.length > 0)) return undefined;
  return [...new Set(given as string[])];
}

/** The weights of a placement: configuration, then the graph's, then the request's. */
export function resolveWeights(
  ctx: Pick<CoreContext, "config">,
  hdag: Hdag,
  ...overrides: (Partial<PlacementWeights> | null | undefined)[]
): Partial<PlacementWeights> {
  const base: Partial<PlacementWeights> = { ...ctx.config.placement.weights };
  // energyEfficiency raises the carbon weight (placementInputFromHdag) unless someone set it explicitly.
  if (hdag.intent.energyEfficiency) delete base.carbon;
  return Object.assign(base, ...overrides.map((override) => override ?? {}));
}

export type GraphPlacementPlan = {
  /** Input over every service of the graph (for evaluation and display). */
  input: PlacementInput;
  /** The solver's result over the services it placed (pinned ones excluded). */
  result: PlacementResult;
  /** Service → clusters for every service: pinned ones and the solver's. Empty when infeasible. */
  placement: Record<string, string[]>;
  /** Services whose clusters the descriptor fixed (static placement). */
  pinned: Record<string, string[]>;
  /** The full placement measured on the full input. undefined when infeasible. */
  evaluation?: PlacementEvaluation;
};

export type PlanGraphPlacementOptions = {
  algorithm: PlacementAlgorithm;
  weights: Partial<PlacementWeights>;
  clusters: PlacementCluster[];
  current?: Record<string, string[]>;
  replicas?: Record<string, number>;
  /** Honour clustersAffinity given in the descriptor (graphs with useStaticPlacement). */
  usePinned: boolean;
  timeLimitSeconds: number;
};

/**
 * Places a graph. Services with static clusters keep them; the others are placed by the chosen
 * algorithm on the capacity the pinned ones leave. Links and co-location with pinned services are
 * left out of the solver's model (they are fixed anyway) but counted in the evaluation.
 */
export async function planGraphPlacement(hdag: Hdag, options: PlanGraphPlacementOptions): Promise<GraphPlacementPlan> {
  const pinned: Record<string, string[]> = {};
  if (options.usePinned) {
    for (const service of hdag.services) {
      const given = staticClustersOf(service);
      if (given) pinned[service.id] = given;
    }
  }
  const replicasOf = (id: string) => options.replicas?.[id] ?? 1;
  const input = placementInputFromHdag(hdag, options.clusters, { current: options.current, replicas: options.replicas, weights: options.weights });

  const remainingClusters = options.clusters.map((cluster) => ({ ...cluster }));
  for (const service of hdag.services) {
    for (const name of pinned[service.id] ?? []) {
      const cluster = remainingClusters.find((candidate) => candidate.name === name);
      if (!cluster) continue;
      cluster.cpu = Math.max(0, cluster.cpu - service.compute.cpu * replicasOf(service.id));
      cluster.memory = Math.max(0, cluster.memory - service.compute.memory * replicasOf(service.id));
    }
  }
  const free = new Set(hdag.services.filter((service) => !pinned[service.id]).map((service) => service.id));
  const reduced: Hdag = {
    ...hdag,
    services: hdag.services
      .filter((service) => free.has(service.id))
      .map((service) => ({
        ...service,
        connectionPoints: service.connectionPoints.filter((id) => free.has(id)),
        latencies: Object.fromEntries(Object.entries(service.latencies).filter(([id]) => free.has(id))),
        coLocation: service.coLocation.filter((id) => free.has(id)),
      })),
  };
  const reducedInput = placementInputFromHdag(reduced, remainingClusters, { current: options.current, replicas: options.replicas, weights: input.weights });
  const result = await planPlacement(reducedInput, { algorithm: options.algorithm, timeLimitSeconds: options.timeLimitSeconds });
  const solved = result.status === "infeasible" || result.status === "unknown" ? undefined : result.placement;
  if (!solved) return { input, result, placement: {}, pinned };
  const placement: Record<string, string[]> = {};
  for (const service of hdag.services) placement[service.id] = pinned[service.id] ?? solved[service.id] ?? [];
  return { input, result, placement, pinned, evaluation: evaluatePlacement(input, placement) };
}

/** For each service, the clusters of the services that list it as a connection point (where its ServiceImport goes). */
export function serviceImportClusters(hdag: Hdag, placement: Record<string, readonly string[]>): Record<string, string[]> {
  const imports: Record<string, Set<string>> = Object.fromEntries(hdag.services.map((service) => [service.id, new Set<string>()]));
  for (const consumer of hdag.services) {
    for (const target of consumer.connectionPoints) {
      const set = imports[target];
      if (!set) continue;
      for (const cluster of placement[consumer.id] ?? []) set.add(cluster);
    }
  }
  return Object.fromEntries(Object.entries(imports).map(([id, clusters]) => [id, [...clusters].sort()]));
}

/**
 * The full values of a service's release: its valuesOverwrite with the placement merged in, and
 * `replicas` when more than one is recorded (a highly available service runs one replica per
 * cluster it is spread over: Karmada divides the replicas among the policy's clusters).
 */
export function serviceValues(
  service: { artifactImplementer: string | null; valuesOverwrite: Record<string, unknown>; replicas: number },
  clusters: string[],
  imports: string[],
): HelmValues {
  const values = buildPlacementValues({
    implementer: service.artifactImplementer ?? "",
    valuesOverwrite: service.valuesOverwrite,
    clustersAffinity: clusters,
    serviceImportClusters: imports,
  });
  if (service.replicas <= 1) return values;
  const replicas = { replicas: service.replicas };
  return mergeValues(values, isWotImplementer(service.artifactImplementer ?? "") ? { voChartOverwrite: replicas } : replicas);
}

/** Only the placement part of a service's values, for `helm upgrade --reuse-values`. */
export function placementOverlay(service: { artifactImplementer: string | null }, clusters: string[], imports: string[]): HelmValues {
  return buildPlacementValues({ implementer: service.artifactImplementer ?? "", valuesOverwrite: undefined, clustersAffinity: clusters, serviceImportClusters: imports });
}
