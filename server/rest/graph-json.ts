/** Graphs and clusters in the original smo-web's JSON shapes (its models' `to_dict`), plus a few extra fields. */
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { graphs, placements, services } from "../../db/schema";
import type { ClusterRecord } from "../../lib/clusters";
import type { CoreContext } from "../../lib/context";
import { NotFoundError } from "../../lib/errors";
import type { OperationRecord } from "../../lib/operations";
import type { ClusterJson, GraphJson } from "./schemas";

export function clusterJson(cluster: ClusterRecord): ClusterJson {
  return {
    id: cluster.name,
    name: cluster.name,
    location: cluster.location,
    available_cpu: cluster.availableCpu,
    available_ram: cluster.availableMemory,
    availability: cluster.ready,
    acceleration: cluster.gpus > 0,
    grafana: cluster.grafanaUrl,
    gpus: cluster.gpus,
    available_gpus: cluster.availableGpus,
    region: cluster.region,
    carbon_intensity: cluster.carbonIntensity,
  };
}

/** The graph as the original returns it; `operation` names the operation a request started. */
export async function readGraphJson(ctx: Pick<CoreContext, "db">, name: string, operation?: OperationRecord): Promise<GraphJson> {
  const [graph] = await readGraphsJson(ctx, [name]);
  if (!graph) throw new NotFoundError("graph", name);
  return operation ? { ...graph, operation: { id: operation.id, kind: operation.kind, status: operation.status } } : graph;
}

/**
 * Several graphs in the original's shape, in the order of `names` (unknown names are left out):
 * three queries whatever the number of graphs — the graphs, their services, their applied placements.
 */
export async function readGraphsJson(ctx: Pick<CoreContext, "db">, names: readonly string[]): Promise<GraphJson[]> {
  if (names.length === 0) return [];
  const graphRows = await ctx.db.select().from(graphs).where(inArray(graphs.name, [...names]));
  const ids = graphRows.map((graph) => graph.id);
  if (ids.length === 0) return [];
  const serviceRows = await ctx.db.select().from(services).where(inArray(services.graphId, ids)).orderBy(asc(services.id));
  // The latest applied placement of each graph.
  const placementRows = await ctx.db
    .selectDistinctOn([placements.graphId], { graphId: placements.graphId, result: placements.result })
    .from(placements)
    .where(and(inArray(placements.graphId, ids), eq(placements.applied, true)))
    .orderBy(placements.graphId, desc(placements.createdAt), desc(placements.id));
  const byName = new Map(graphRows.map((graph) => [graph.name, graph]));
  return names.flatMap((name) => {
    const graph = byName.get(name);
    if (!graph) return [];
    const own = serviceRows.filter((service) => service.graphId === graph.id);
    const applied = placementRows.find((placement) => placement.graphId === graph.id)?.result as { placement?: Record<string, string[]> } | undefined;
    return [
      {
        name: graph.name,
        status: graph.status,
        project: graph.project,
        grafana: graph.grafanaUrl,
        hdaGraph: graph.descriptor,
        placement: applied ? (applied.placement ?? {}) : Object.fromEntries(own.map((service) => [service.name, service.clusters])),
        placement_algorithm: graph.placementAlgorithm,
        services: own.map((service) => ({
          name: service.name,
          status: service.status,
          grafana: service.grafanaUrl,
          cluster_affinity: service.clusters[0] ?? null,
          clusters: service.clusters,
          cpu: service.cpu,
          memory: service.memory,
          storage: service.storage,
          gpu: service.gpu,
          replicas: service.replicas,
          values_overwrite: service.valuesOverwrite,
          alert: service.trigger ?? null,
          artifact_ref: service.artifactRef,
          artifact_type: service.artifactType,
          artifact_implementer: service.artifactImplementer,
        })),
      },
    ];
  });
}
