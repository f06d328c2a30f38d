import { and, desc, eq, gt, lt, type SQL } from "drizzle-orm";
import { events } from "../../db/schema";
import type { CoreContext } from "../context";
import type { EventRecord, EventSeverity } from "./record";

export type ListEventsInput = {
  graphName?: string;
  clusterName?: string;
  serviceName?: string;
  kind?: string;
  severity?: EventSeverity;
  /** Only events newer than this id (for live tails). */
  afterId?: number;
  /** Only events older than this id (for paging back). */
  beforeId?: number;
  limit?: number;
};

/** Newest first, at most `limit` (default 100, at most 1,000). */
export async function listEvents(ctx: Pick<CoreContext, "db">, input: ListEventsInput = {}): Promise<EventRecord[]> {
  const filters: SQL[] = [];
  if (input.graphName) filters.push(eq(events.graphName, input.graphName));
  if (input.clusterName) filters.push(eq(events.clusterName, input.clusterName));
  if (input.serviceName) filters.push(eq(events.serviceName, input.serviceName));
  if (input.kind) filters.push(eq(events.kind, input.kind));
  if (input.severity) filters.push(eq(events.severity, input.severity));
  if (input.afterId !== undefined) filters.push(gt(events.id, input.afterId));
  if (input.beforeId !== undefined) filters.push(lt(events.id, input.beforeId));
  const limit = Math.min(Math.max(input.limit ?? 100, 1), 1000);
  return ctx.db
    .select()
    .from(events)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(desc(events.id))
    .limit(limit);
}
