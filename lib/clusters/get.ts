import { asc, eq, sql } from "drizzle-orm";
import { clusters, graphs, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { NotFoundError } from "../errors";
import type { ClusterDetail, ClusterService, UsedCapacity } from "./types";

/** The cluster with the services placed on it and what SMO's deployed services request there; NotFoundError when unknown. */
export async function getCluster(ctx: Pick<CoreContext, "db">, name: string): Promise<ClusterDetail> {
  const [row] = await ctx.db.select().from(clusters).where(eq(clusters.name, name));
  if (!row) throw new NotFoundError("cluster", name);
  const placed: ClusterService[] = await ctx.db
    .select({
      name: services.name,
      graph: graphs.name,
      project: graphs.project,
      status: services.status,
      replicas: services.replicas,
      cpu: services.cpu,
      memory: services.memory,
      gpu: services.gpu,
    })
    .from(services)
    .innerJoin(graphs, eq(services.graphId, graphs.id))
    .where(sql`${services.clusters} @> ${JSON.stringify([name])}::jsonb`)
    .orderBy(asc(graphs.name), asc(services.name));
  return { ...row, services: placed, used: usedCapacityOf(placed) };
}

/**
 * Only deployed services hold resources. A service spread over several clusters runs its full
 * replica count on each (as placement plans it), so each of its clusters carries cpu × replicas.
 */
export function usedCapacityOf(placed: ClusterService[]): UsedCapacity {
  const used: UsedCapacity = { cpu: 0, memory: 0, gpuServices: 0 };
  for (const service of placed) {
    if (service.status !== "Deployed") continue;
    used.cpu += service.cpu * service.replicas;
    used.memory += service.memory * service.replicas;
    if (service.gpu) used.gpuServices += 1;
  }
  used.cpu = Number(used.cpu.toFixed(9));
  return used;
}
