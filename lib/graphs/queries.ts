/** Reading graphs, their services, placements and operations, and projects, for the console and the CLI. */
import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import { graphs, operations, projects, services } from "../../db/schema";
import type { CoreContext } from "../context";
import type { OperationRecord } from "../operations";
import type { Hdag, LatencyQos } from "../hdag/types";
import type { PlacementTerms, ServiceExplanation } from "../placement/types";
import { hdagOfGraph, latestAppliedPlacement, listGraphServices, requireGraph, type GraphRow, type GraphStatus, type ServiceStatus } from "./records";

export type ServiceDetail = {
  name: string;
  status: ServiceStatus;
  clusters: string[];
  replicas: number;
  cpu: number;
  memory: number;
  gpu: boolean;
  artifact: { ref: string; type: string | null; implementer: string | null };
  eventTriggered: boolean;
  grafanaUrl: string | null;
  appliedValues: Record<string, unknown> | null;
  /** From the descriptor, for drawing the graph: the services this one connects to, with their latency QoS, and its co-location. */
  connectionPoints: string[];
  latencies: Record<string, LatencyQos>;
  coLocation: string[];
};

export type PlacementSummary = {
  id: number;
  algorithm: string;
  status: string;
  objective: number | null;
  placement: Record<string, string[]>;
  explanations: ServiceExplanation[];
  /** Services whose clusters the descriptor fixed (static placement): they have no explanation. */
  pinned: Record<string, string[]>;
  /** The placement's cost terms, when it was measured (deploys and applied re-placements). */
  terms?: PlacementTerms;
  createdAt: Date;
  operationId: string | null;
};

export type GraphSummary = Pick<GraphRow, "id" | "name" | "project" | "status" | "placementAlgorithm" | "grafanaUrl" | "createdAt" | "updatedAt"> & {
  services: number;
  deployed: number;
  pending: number;
};

export type GraphDetail = {
  graph: Omit<GraphRow, "descriptor">;
  services: ServiceDetail[];
  placement?: PlacementSummary;
  operations: OperationRecord[];
};

export async function getGraph(ctx: Pick<CoreContext, "db">, name: string, options: { operations?: number } = {}): Promise<GraphDetail> {
  const graph = await requireGraph(ctx.db, name);
  const rows = await listGraphServices(ctx.db, graph.id);
  const placementRow = await latestAppliedPlacement(ctx.db, graph.id);
  const recent = await ctx.db
    .select()
    .from(operations)
    .where(or(eq(operations.graphId, graph.id), and(sql`${operations.graphId} is null`, eq(operations.graphName, graph.name))))
    .orderBy(desc(operations.createdAt), desc(operations.id))
    .limit(Math.min(Math.max(options.operations ?? 10, 1), 100));
  const { descriptor: _descriptor, ...graphFields } = graph;
  const result = placementRow?.result as StoredPlacementResult | undefined;
  const described = new Map(descriptorServices(graph).map((service) => [service.id, service]));
  return {
    graph: graphFields,
    services: rows.map((row) => ({
      name: row.name,
      status: row.status,
      clusters: row.clusters,
      replicas: row.replicas,
      cpu: row.cpu,
      memory: row.memory,
      gpu: row.gpu,
      artifact: { ref: row.artifactRef, type: row.artifactType, implementer: row.artifactImplementer },
      eventTriggered: row.trigger !== null,
      grafanaUrl: row.grafanaUrl,
      appliedValues: row.appliedValues ?? null,
      connectionPoints: described.get(row.name)?.connectionPoints ?? [],
      latencies: described.get(row.name)?.latencies ?? {},
      coLocation: described.get(row.name)?.coLocation ?? [],
    })),
    placement: placementRow
      ? {
          id: placementRow.id,
          algorithm: placementRow.algorithm,
          status: placementRow.status,
          objective: placementRow.objective,
          placement: result?.placement ?? {},
          explanations: result?.explanations ?? [],
          pinned: result?.pinned ?? {},
          terms: result?.evaluation?.terms ?? result?.preview?.after?.terms,
          createdAt: placementRow.createdAt,
          operationId: placementRow.operationId,
        }
      : undefined,
    operations: recent,
  };
}

/** What deploys and re-placements store as a placement row's result (see deploy.ts and replace.ts). */
type StoredPlacementResult = {
  placement?: Record<string, string[]>;
  explanations?: ServiceExplanation[];
  pinned?: Record<string, string[]>;
  evaluation?: { terms?: PlacementTerms };
  preview?: { after?: { terms?: PlacementTerms } };
};

/**
 * The stored descriptor's services. It was valid when deployed; should a newer parser refuse it,
 * the graph still reads, only without its links.
 */
function descriptorServices(graph: GraphRow): Hdag["services"] {
  try {
    return hdagOfGraph(graph).services;
  } catch {
    return [];
  }
}

export async function listGraphs(ctx: Pick<CoreContext, "db">, input: { project?: string; status?: GraphStatus } = {}): Promise<GraphSummary[]> {
  const filters = [];
  if (input.project) filters.push(eq(graphs.project, input.project));
  if (input.status) filters.push(eq(graphs.status, input.status));
  return ctx.db
    .select({
      id: graphs.id,
      name: graphs.name,
      project: graphs.project,
      status: graphs.status,
      placementAlgorithm: graphs.placementAlgorithm,
      grafanaUrl: graphs.grafanaUrl,
      createdAt: graphs.createdAt,
      updatedAt: graphs.updatedAt,
      services: sql<number>`count(${services.id})::int`,
      deployed: sql<number>`(count(${services.id}) filter (where ${services.status} = 'Deployed'))::int`,
      pending: sql<number>`(count(${services.id}) filter (where ${services.status} = 'Pending'))::int`,
    })
    .from(graphs)
    .leftJoin(services, eq(services.graphId, graphs.id))
    .where(filters.length ? and(...filters) : undefined)
    .groupBy(graphs.id)
    .orderBy(asc(graphs.project), asc(graphs.name));
}

export type ProjectSummary = {
  name: string;
  description: string;
  createdAt: Date;
  createdBy: string | null;
  graphs: number;
  running: number;
  services: number;
};

export async function listProjects(ctx: Pick<CoreContext, "db">): Promise<ProjectSummary[]> {
  const rows = await ctx.db.select().from(projects).orderBy(asc(projects.name));
  const graphRows = await listGraphs(ctx);
  return rows.map((project) => {
    const own = graphRows.filter((graph) => graph.project === project.name);
    return {
      name: project.name,
      description: project.description,
      createdAt: project.createdAt,
      createdBy: project.createdBy,
      graphs: own.length,
      running: own.filter((graph) => graph.status === "Running").length,
      services: own.reduce((total, graph) => total + graph.services, 0),
    };
  });
}
