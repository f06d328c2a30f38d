import { events } from "../../db/schema";
import type { CoreContext } from "../context";

export type EventSeverity = "info" | "warning" | "error";

export type NewEvent = {
  /** Dotted kind, e.g. "graph.deployed", "service.install-failed", "cluster.not-ready", "drift.release-missing". */
  kind: string;
  message: string;
  severity?: EventSeverity;
  project?: string;
  graphName?: string;
  serviceName?: string;
  clusterName?: string;
  operationId?: string;
  detail?: Record<string, unknown>;
};

export type EventRecord = typeof events.$inferSelect;

/** Appends one line to the activity log, attributed to the context's actor, and logs it. */
export async function recordEvent(ctx: Pick<CoreContext, "db" | "actor" | "logger" | "clock">, event: NewEvent): Promise<EventRecord> {
  const [row] = await ctx.db
    .insert(events)
    .values({ ...event, severity: event.severity ?? "info", actor: ctx.actor.name, at: ctx.clock() })
    .returning();
  const level = event.severity === "error" ? "error" : event.severity === "warning" ? "warn" : "info";
  ctx.logger[level]({ event: event.kind, graph: event.graphName, service: event.serviceName, cluster: event.clusterName, operation: event.operationId, actor: ctx.actor.name }, event.message);
  return row!;
}
