/**
 * The graph's topology as plain data, shared by the drawing (loaded lazily) and the text list of
 * connections: which services run on which cluster, and each connection point as a link, with
 * whether it crosses clusters and the latency QoS the descriptor asks for.
 */
import type { ServiceDetail } from "@/lib/graphs";
import type { LatencyQos } from "@/lib/hdag/types";

export type TopologyService = Pick<ServiceDetail, "name" | "status" | "clusters" | "replicas" | "cpu" | "memory" | "gpu" | "eventTriggered" | "connectionPoints" | "latencies">;

export type TopologyLink = {
  id: string;
  from: string;
  to: string;
  fromClusters: string[];
  toClusters: string[];
  /** True when the two services share no cluster: their traffic leaves the cluster. */
  crossCluster: boolean;
  /** The QoS the descriptor gives this connection point; undefined means best effort by default. */
  latency?: LatencyQos;
};

/** The group of services with no cluster yet. */
export const UNPLACED = "(not placed)";

export function topologyLinks(services: readonly TopologyService[]): TopologyLink[] {
  const byName = new Map(services.map((service) => [service.name, service]));
  const links: TopologyLink[] = [];
  for (const service of services) {
    for (const target of service.connectionPoints) {
      const other = byName.get(target);
      if (!other || other.name === service.name) continue;
      const placed = service.clusters.length > 0 && other.clusters.length > 0;
      links.push({
        id: `${service.name}->${other.name}`,
        from: service.name,
        to: other.name,
        fromClusters: service.clusters,
        toClusters: other.clusters,
        crossCluster: placed && !service.clusters.some((cluster) => other.clusters.includes(cluster)),
        latency: service.latencies[other.name],
      });
    }
  }
  return links;
}

/** Cluster → the services placed on it, clusters in name order, unplaced services last. */
export function servicesByCluster(services: readonly TopologyService[]): [string, TopologyService[]][] {
  const groups = new Map<string, TopologyService[]>();
  for (const service of services) {
    for (const cluster of service.clusters.length > 0 ? service.clusters : [UNPLACED]) {
      groups.set(cluster, [...(groups.get(cluster) ?? []), service]);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => (a === UNPLACED ? 1 : b === UNPLACED ? -1 : a.localeCompare(b)));
}

/** "best effort" for display. */
export function describeLatency(latency: LatencyQos | undefined): string {
  if (latency === "ultralow") return "ultra-low latency";
  if (latency === "low") return "low latency";
  return "best effort";
}
