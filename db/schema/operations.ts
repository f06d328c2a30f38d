import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex } from "drizzle-orm/pg-core";
import { operationKindEnum, operationStatusEnum, stepStatusEnum } from "./enums";
import { graphs } from "./graphs";

/**
 * One durable lifecycle action. Its steps are written before and after each external call,
 * so a crash or a failed step leaves a record that can be resumed or retried.
 */
export const operations = pgTable(
  "operations",
  {
    id: text().primaryKey(),
    kind: operationKindEnum().notNull(),
    status: operationStatusEnum().notNull().default("pending"),
    graphId: bigint({ mode: "number" }).references(() => graphs.id, { onDelete: "set null" }),
    /** Kept after the graph is removed, so the history stays readable. */
    graphName: text(),
    project: text(),
    actor: text().notNull(),
    tokenId: bigint({ mode: "number" }),
    input: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    error: text(),
    attempt: integer().notNull().default(1),
    /** The process running it and until when; an expired lease means the process died. */
    leaseOwner: text(),
    leaseExpiresAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (table) => [
    index().on(table.graphId, table.createdAt),
    index().on(table.status),
    // One active operation per graph across every process: a second one is refused by the database.
    uniqueIndex("operations_one_active_per_graph").on(table.graphName).where(sql`${table.status} in ('pending', 'running')`),
  ],
);

export const operationSteps = pgTable(
  "operation_steps",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    operationId: text()
      .notNull()
      .references(() => operations.id, { onDelete: "cascade" }),
    seq: integer().notNull(),
    /** e.g. "helm-install", "alert-rule", "grafana-dashboard". */
    action: text().notNull(),
    /** The service, cluster or dashboard the step acts on. */
    target: text(),
    status: stepStatusEnum().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    /** The upstream message (helm's, Grafana's, Kubernetes') of the last failure. */
    error: text(),
    log: text().notNull().default(""),
    detail: jsonb().$type<Record<string, unknown>>(),
    /** For deferred steps (Grafana/Prometheus down): when the reconciler tries again. */
    nextAttemptAt: timestamp({ withTimezone: true }),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (table) => [unique().on(table.operationId, table.seq), index().on(table.status, table.nextAttemptAt)],
);
