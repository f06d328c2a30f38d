import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { graphStatusEnum, serviceStatusEnum } from "./enums";
import { projects } from "./projects";

/** An application graph (HDAG). The descriptor is kept verbatim, as text and as parsed JSON. */
export const graphs = pgTable(
  "graphs",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull().unique(),
    project: text()
      .notNull()
      .references(() => projects.name, { onDelete: "restrict" }),
    status: graphStatusEnum().notNull().default("Deploying"),
    descriptor: jsonb().$type<Record<string, unknown>>().notNull(),
    descriptorText: text().notNull(),
    /** Where the descriptor came from: "text", a file name, a URL or an oci:// reference. */
    source: text().notNull().default("text"),
    placementAlgorithm: text().notNull().default("first-fit"),
    placementWeights: jsonb().$type<Record<string, number>>(),
    grafanaUrl: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdBy: text(),
    version: integer().notNull().default(1),
  },
  (table) => [index().on(table.project)],
);

/** One service of a graph: one Helm release from an OCI chart. */
export const services = pgTable(
  "services",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    graphId: bigint({ mode: "number" })
      .notNull()
      .references(() => graphs.id, { onDelete: "cascade" }),
    name: text().notNull(),
    status: serviceStatusEnum().notNull().default("Not deployed"),
    /** Clusters the service is placed on (its `clustersAffinity`). */
    clusters: jsonb().$type<string[]>().notNull().default([]),
    cpu: doublePrecision().notNull(),
    memory: bigint({ mode: "number" }).notNull(),
    storage: bigint({ mode: "number" }).notNull().default(0),
    gpu: boolean().notNull().default(false),
    replicas: integer().notNull().default(1),
    artifactRef: text().notNull(),
    artifactType: text(),
    artifactImplementer: text(),
    valuesOverwrite: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The values last given to helm, for display and drift checks. */
    appliedValues: jsonb().$type<Record<string, unknown>>(),
    /** The event trigger (alert rule definitions) of an event-triggered service. */
    trigger: jsonb().$type<Record<string, unknown>>(),
    grafanaUrl: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique().on(table.graphId, table.name)],
);

/** Each placement decision with its inputs and outputs, for display, preview and audit. */
export const placements = pgTable(
  "placements",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    graphId: bigint({ mode: "number" }).references(() => graphs.id, { onDelete: "cascade" }),
    graphName: text().notNull(),
    algorithm: text().notNull(),
    status: text().notNull(),
    input: jsonb().$type<Record<string, unknown>>().notNull(),
    result: jsonb().$type<Record<string, unknown>>().notNull(),
    objective: doublePrecision(),
    /** False for previews (dry runs); true once applied. */
    applied: boolean().notNull().default(false),
    operationId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdBy: text(),
  },
  (table) => [index().on(table.graphId, table.createdAt)],
);
