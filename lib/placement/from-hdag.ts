/**
 * From a normalised HDAG (lib/hdag) and the federation's clusters to a PlacementInput.
 */
import type { Hdag } from "../hdag/types";
import { DEFAULT_PLACEMENT_WEIGHTS, type PlacementCluster, type PlacementInput, type PlacementWeights } from "./types";

export type PlacementInputFromHdagOptions = {
  /** Clusters each service runs on now (re-placement); absent services have none. */
  current?: Record<string, string[]>;
  /** Replicas per service (e.g. read from Karmada); 1 when absent. */
  replicas?: Record<string, number>;
  /** Overrides of the weights, applied last. */
  weights?: Partial<PlacementWeights>;
};

/**
 * The carbon weight of a graph with `energyEfficiency` enabled: 1 / the highest carbon intensity
 * among the clusters, so that one core on the dirtiest cluster costs as much as one migration
 * (moving a 4-core service from intensity 500 to 100 on a federation whose dirtiest cluster is 500
 * saves 4 × 400 / 500 = 3.2, worth more than the one migration it costs). 0 when no cluster
 * reports an intensity. Without the intent the carbon weight keeps its default, 0.
 */
export function energyEfficientCarbonWeight(clusters: readonly PlacementCluster[]): number {
  const highest = Math.max(0, ...clusters.map((cluster) => cluster.carbon));
  return highest > 0 ? 1 / highest : 0;
}

export function placementInputFromHdag(hdag: Hdag, clusters: PlacementCluster[], options: PlacementInputFromHdagOptions = {}): PlacementInput {
  const weights: PlacementWeights = {
    ...DEFAULT_PLACEMENT_WEIGHTS,
    ...(hdag.intent.energyEfficiency ? { carbon: energyEfficientCarbonWeight(clusters) } : {}),
    ...options.weights,
  };
  return {
    clusters,
    services: hdag.services.map((service) => ({
      id: service.id,
      cpu: service.compute.cpu,
      memory: service.compute.memory,
      replicas: options.replicas && Object.hasOwn(options.replicas, service.id) ? options.replicas[service.id]! : 1,
      gpu: service.compute.gpu,
      connectionPoints: [...service.connectionPoints],
      latencies: { ...service.latencies },
      coLocation: [...service.coLocation],
      spread: service.spread,
      current: options.current && Object.hasOwn(options.current, service.id) ? [...options.current[service.id]!] : [],
    })),
    weights,
  };
}
