import { bigint, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { severityEnum } from "./enums";

/** The activity log: one line per thing that happened, with its actor. */
export const events = pgTable(
  "events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    kind: text().notNull(),
    severity: severityEnum().notNull().default("info"),
    project: text(),
    graphName: text(),
    serviceName: text(),
    clusterName: text(),
    operationId: text(),
    actor: text().notNull().default("system"),
    message: text().notNull(),
    detail: jsonb().$type<Record<string, unknown>>(),
  },
  (table) => [index().on(table.at), index().on(table.graphName, table.at), index().on(table.clusterName, table.at)],
);
