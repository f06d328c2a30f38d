/** Graphs and clusters in the original smo-web's JSON shapes (its models' `to_dict`), plus a few extra fields. */
import { asc, eq } from "drizzle-orm";
import { graphs, services } from "../../db/schema";
import type { ClusterRecord } from "../../lib/clusters";
import type { CoreContext } from "../../lib/context";
import { NotFoundError } from "../../lib/errors";
import { getGraph } from "../../lib/graphs";
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
  const detail = await getGraph(ctx, name, { operations: 1 });
  const [row] = await ctx.db.select({ descriptor: graphs.descriptor }).from(graphs).where(eq(graphs.id, detail.graph.id)).limit(1);
  if (!row) throw new NotFoundError("graph", name);
  const serviceRows = await ctx.db.select().from(services).where(eq(services.graphId, detail.graph.id)).orderBy(asc(services.id));
  return {
    name: detail.graph.name,
    status: detail.graph.status,
    project: detail.graph.project,
    grafana: detail.graph.grafanaUrl,
    hdaGraph: row.descriptor,
    placement: detail.placement?.placement ?? Object.fromEntries(serviceRows.map((service) => [service.name, service.clusters])),
    placement_algorithm: detail.graph.placementAlgorithm,
    services: serviceRows.map((service) => ({
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
    ...(operation ? { operation: { id: operation.id, kind: operation.kind, status: operation.status } } : {}),
  };
}
