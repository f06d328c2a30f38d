/**
 * Rows the scaling tests start from: a project, a running graph and its deployed services, and
 * the cluster rows as a cluster sync would store them from Karmada. No deployment verb is used,
 * so the tests depend only on the tables the scaling loop reads.
 */
import { clusters, graphs, projects, services } from "../../../db/schema";
import type { Database } from "../../../db";
import type { KarmadaClient } from "../../karmada";

export type SeedService = { name: string; cpu?: number; clusters?: string[]; status?: "Pending" | "Deployed" | "Not deployed" | "Failed"; gpu?: boolean };

export async function seedGraph(db: Database, input: { project: string; graph: string; services: SeedService[] }): Promise<{ graphId: number }> {
  await db.insert(projects).values({ name: input.project }).onConflictDoNothing();
  const [graph] = await db
    .insert(graphs)
    .values({ name: input.graph, project: input.project, status: "Running", descriptor: {}, descriptorText: "" })
    .returning({ id: graphs.id });
  await db.insert(services).values(
    input.services.map((service) => ({
      graphId: graph!.id,
      name: service.name,
      status: service.status ?? "Deployed",
      clusters: service.clusters ?? ["paris"],
      cpu: service.cpu ?? 0.5,
      memory: 512 * 2 ** 20,
      gpu: service.gpu ?? false,
      artifactRef: `oci://127.0.0.1:5000/test/${service.name}`,
    })),
  );
  return { graphId: graph!.id };
}

/** Stores Karmada's clusters with their available CPU, as `cluster sync` would. */
export async function seedClusters(db: Database, karmada: Pick<KarmadaClient, "listClusters">): Promise<void> {
  for (const cluster of await karmada.listClusters()) {
    const figures = {
      availableCpu: cluster.cpu.available,
      allocatableCpu: cluster.cpu.allocatable,
      availableMemory: Math.round(cluster.memory.available),
      allocatableMemory: Math.round(cluster.memory.allocatable),
      gpus: cluster.gpus.allocatable,
      availableGpus: cluster.gpus.available,
      ready: cluster.ready,
    };
    await db.insert(clusters).values({ name: cluster.name, ...figures }).onConflictDoUpdate({ target: clusters.name, set: figures });
  }
}
