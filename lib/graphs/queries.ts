/** Reading graphs, their services, placements and operations, and projects, for the console and the CLI. */
import { and, asc, count, desc, eq, or, sql, type SQL } from "drizzle-orm";
import { graphs, operations, projects, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { ValidationError } from "../errors";
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

/** Graphs per page of `listGraphs`: the default, and the most one call may ask for. */
export const GRAPH_PAGE_SIZE = { default: 100, max: 500 } as const;

export type ListGraphsInput = {
  project?: string;
  status?: GraphStatus;
  /** Graphs per page, 1 to GRAPH_PAGE_SIZE.max (default GRAPH_PAGE_SIZE.default). */
  limit?: number;
  /** The `nextCursor` of the previous page; absent for the first page. */
  cursor?: string | null;
};

/** One page of graphs ordered by project then name; `total` counts every graph the filters match. */
export type GraphPage = { items: GraphSummary[]; nextCursor: string | null; total: number };

/**
 * A page of graphs. Paged by key (project, name) after the cursor, so a page costs the same at any
 * depth and graphs added or removed meanwhile neither repeat nor shift other graphs out of view.
 */
export async function listGraphs(ctx: Pick<CoreContext, "db">, input: ListGraphsInput = {}): Promise<GraphPage> {
  const limit = input.limit ?? GRAPH_PAGE_SIZE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > GRAPH_PAGE_SIZE.max) throw new ValidationError([{ path: "limit", message: `must be a whole number from 1 to ${GRAPH_PAGE_SIZE.max}` }]);
  const after = input.cursor ? decodeGraphCursor(input.cursor) : undefined;
  const filters: SQL[] = [];
  if (input.project) filters.push(eq(graphs.project, input.project));
  if (input.status) filters.push(eq(graphs.status, input.status));
  const where = filters.length ? and(...filters) : undefined;
  const pageWhere = after ? and(where, sql`(${graphs.project}, ${graphs.name}) > (${after.project}, ${after.name})`) : where;
  // The page first (one more row tells whether another follows), then each page graph's service
  // counts through the (graph_id, name) index: the cost follows the page size, not the table's.
  const page = ctx.db
    .select({
      id: graphs.id,
      name: graphs.name,
      project: graphs.project,
      status: graphs.status,
      placementAlgorithm: graphs.placementAlgorithm,
      grafanaUrl: graphs.grafanaUrl,
      createdAt: graphs.createdAt,
      updatedAt: graphs.updatedAt,
    })
    .from(graphs)
    .where(pageWhere)
    .orderBy(asc(graphs.project), asc(graphs.name))
    .limit(limit + 1)
    .as("page");
  const counts = ctx.db
    .select({
      services: sql<number>`count(*)::int`.as("services"),
      deployed: sql<number>`(count(*) filter (where ${services.status} = 'Deployed'))::int`.as("deployed"),
      pending: sql<number>`(count(*) filter (where ${services.status} = 'Pending'))::int`.as("pending"),
    })
    .from(services)
    .where(eq(services.graphId, page.id))
    .as("counts");
  const rows = await ctx.db
    .select({
      id: page.id,
      name: page.name,
      project: page.project,
      status: page.status,
      placementAlgorithm: page.placementAlgorithm,
      grafanaUrl: page.grafanaUrl,
      createdAt: page.createdAt,
      updatedAt: page.updatedAt,
      services: counts.services,
      deployed: counts.deployed,
      pending: counts.pending,
      total: sql<number>`(select count(*) from ${graphs} where ${where ?? sql`true`})::int`,
    })
    .from(page)
    .leftJoinLateral(counts, sql`true`)
    .orderBy(asc(page.project), asc(page.name));
  const items = rows.slice(0, limit).map(({ total: _total, ...graph }) => graph);
  const last = items.at(-1);
  const total = rows[0]?.total ?? (await countGraphs(ctx, where));
  return { items, nextCursor: rows.length > limit && last ? encodeGraphCursor(last) : null, total };
}

async function countGraphs(ctx: Pick<CoreContext, "db">, where: SQL | undefined): Promise<number> {
  const [row] = await ctx.db.select({ total: count() }).from(graphs).where(where);
  return row?.total ?? 0;
}

/** The cursor is opaque to callers: the last graph's key, base64url-encoded JSON. */
function encodeGraphCursor(graph: Pick<GraphSummary, "project" | "name">): string {
  return Buffer.from(JSON.stringify([graph.project, graph.name]), "utf8").toString("base64url");
}

function decodeGraphCursor(cursor: string): { project: string; name: string } {
  let key: unknown;
  try {
    key = cursor.length <= 1024 ? JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) : undefined;
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== "string" || typeof key[1] !== "string") {
    throw new ValidationError([{ path: "cursor", message: "is not a cursor this console returned; start again without one" }]);
  }
  return { project: key[0], name: key[1] };
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
  const serviceCounts = ctx.db
    .select({ graphId: services.graphId, services: sql<number>`count(*)::int`.as("service_count") })
    .from(services)
    .groupBy(services.graphId)
    .as("service_counts");
  return ctx.db
    .select({
      name: projects.name,
      description: projects.description,
      createdAt: projects.createdAt,
      createdBy: projects.createdBy,
      graphs: sql<number>`count(${graphs.id})::int`,
      running: sql<number>`(count(${graphs.id}) filter (where ${graphs.status} = 'Running'))::int`,
      services: sql<number>`coalesce(sum(${serviceCounts.services}), 0)::int`,
    })
    .from(projects)
    .leftJoin(graphs, eq(graphs.project, projects.name))
    .leftJoin(serviceCounts, eq(serviceCounts.graphId, graphs.id))
    .groupBy(projects.name)
    .orderBy(asc(projects.name));
}
