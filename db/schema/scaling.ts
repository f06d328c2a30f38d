import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { scalingModeEnum } from "./enums";
import { graphs } from "./graphs";

/** How one service is scaled; edited by operators, read by the scaling loop. */
export const scalingPolicies = pgTable(
  "scaling_policies",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    graphId: bigint({ mode: "number" })
      .notNull()
      .references(() => graphs.id, { onDelete: "cascade" }),
    serviceName: text().notNull(),
    mode: scalingModeEnum().notNull().default("milp"),
    enabled: boolean().notNull().default(false),
    /** Requests per second one replica serves (alpha) and the base capacity (beta). */
    alpha: doublePrecision().notNull().default(10),
    beta: doublePrecision().notNull().default(0),
    minReplicas: integer().notNull().default(1),
    maxReplicas: integer().notNull().default(5),
    intervalSeconds: integer().notNull().default(30),
    /** PromQL for the request rate; null → the original SMO default for the service. */
    query: text(),
    window: text().notNull().default("1m"),
    upThreshold: doublePrecision(),
    downThreshold: doublePrecision(),
    cooldownSeconds: integer().notNull().default(60),
    /** When the scaling loop last changed this service's replicas (starts the cooldown). */
    lastScaledAt: timestamp({ withTimezone: true }),
    /** When the scaling loop last evaluated this policy; with intervalSeconds, says when it is due again. */
    lastEvaluatedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    version: integer().notNull().default(1),
  },
  (table) => [unique().on(table.graphId, table.serviceName)],
);

/** Every decision of the scaling loop: its inputs, the solver's result and what was done. */
export const scalingDecisions = pgTable(
  "scaling_decisions",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    graphId: bigint({ mode: "number" }).references(() => graphs.id, { onDelete: "cascade" }),
    graphName: text().notNull(),
    cluster: text(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Which process decided (the leader), to prove one loop across replicas. */
    decidedBy: text().notNull(),
    inputs: jsonb().$type<Record<string, unknown>>().notNull(),
    result: jsonb().$type<Record<string, unknown>>().notNull(),
    action: text().notNull(),
    status: text().notNull(),
  },
  (table) => [index().on(table.graphId, table.at)],
);
