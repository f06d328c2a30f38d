/**
 * Reading and writing the graph, service and placement rows. Executors read everything they need
 * from here (never from closures), so that a retried or resumed operation sees what is stored.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbExecutor } from "../../db";
import { graphs, placements, services } from "../../db/schema";
import { NotFoundError } from "../errors";
import { parseHdag } from "../hdag/parse";
import type { Hdag, HdagEvent } from "../hdag/types";

export type GraphRow = typeof graphs.$inferSelect;
export type ServiceRow = typeof services.$inferSelect;
export type PlacementRow = typeof placements.$inferSelect;
export type GraphStatus = GraphRow["status"];
export type ServiceStatus = ServiceRow["status"];

/** What an event-triggered service keeps in `services.trigger`: the alert rules that deploy it. */
export type StoredTrigger = { condition: string; events: HdagEvent[] };

export async function findGraph(db: DbExecutor, name: string): Promise<GraphRow | undefined> {
  const [row] = await db.select().from(graphs).where(eq(graphs.name, name)).limit(1);
  return row;
}

export async function requireGraph(db: DbExecutor, name: string): Promise<GraphRow> {
  const graph = await findGraph(db, name);
  if (!graph) throw new NotFoundError("graph", name);
  return graph;
}

export async function findGraphById(db: DbExecutor, id: number): Promise<GraphRow | undefined> {
  const [row] = await db.select().from(graphs).where(eq(graphs.id, id)).limit(1);
  return row;
}

/** The graph's services in descriptor order (insertion order of their ids). */
export async function listGraphServices(db: DbExecutor, graphId: number): Promise<ServiceRow[]> {
  return db.select().from(services).where(eq(services.graphId, graphId)).orderBy(asc(services.id));
}

export async function findService(db: DbExecutor, graphId: number, name: string): Promise<ServiceRow | undefined> {
  const [row] = await db
    .select()
    .from(services)
    .where(and(eq(services.graphId, graphId), eq(services.name, name)))
    .limit(1);
  return row;
}

export async function updateService(
  db: DbExecutor,
  serviceId: number,
  patch: Partial<Pick<ServiceRow, "status" | "clusters" | "appliedValues" | "grafanaUrl" | "replicas">>,
): Promise<void> {
  await db
    .update(services)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(services.id, serviceId));
}

export async function setGraphStatus(db: DbExecutor, graphId: number, status: GraphStatus): Promise<void> {
  await db
    .update(graphs)
    .set({ status, updatedAt: sql`now()`, version: sql`${graphs.version} + 1` })
    .where(eq(graphs.id, graphId));
}

/**
 * Moves the graph to `next` only when its status is one of `from`, in one statement, so two
 * concurrent requests cannot both pass the check. Returns the updated row, or undefined.
 */
export async function transitionGraphStatus(db: DbExecutor, graphId: number, from: GraphStatus[], next: GraphStatus): Promise<GraphRow | undefined> {
  const [row] = await db
    .update(graphs)
    .set({ status: next, updatedAt: sql`now()`, version: sql`${graphs.version} + 1` })
    .where(and(eq(graphs.id, graphId), inArray(graphs.status, from)))
    .returning();
  return row;
}

/** The stored descriptor, parsed again: connection points and intents are not columns. */
export function hdagOfGraph(graph: GraphRow): Hdag {
  return parseHdag(graph.descriptorText, { source: `graph ${graph.name}` });
}

export function triggerOfService(service: ServiceRow): StoredTrigger | undefined {
  const trigger = service.trigger as StoredTrigger | null;
  return trigger && Array.isArray(trigger.events) ? trigger : undefined;
}

export function isEventTriggered(service: ServiceRow): boolean {
  return triggerOfService(service) !== undefined;
}

export async function latestAppliedPlacement(db: DbExecutor, graphId: number): Promise<PlacementRow | undefined> {
  const [row] = await db
    .select()
    .from(placements)
    .where(and(eq(placements.graphId, graphId), eq(placements.applied, true)))
    .orderBy(sql`${placements.createdAt} desc, ${placements.id} desc`)
    .limit(1);
  return row;
}

export async function findPlacement(db: DbExecutor, id: number): Promise<PlacementRow | undefined> {
  const [row] = await db.select().from(placements).where(eq(placements.id, id)).limit(1);
  return row;
}

export function sameClusters(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((cluster, index) => cluster === sortedB[index]);
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** PostgreSQL's unique violation (23505), from postgres.js or PGlite, possibly wrapped by drizzle. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
