import { bigint, boolean, doublePrecision, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A Karmada member cluster as last synced. Capacity columns are overwritten by each sync;
 * location and carbon intensity are operator-edited attributes that syncs keep.
 */
export const clusters = pgTable("clusters", {
  name: text().primaryKey(),
  /** Available = allocatable − allocated − allocating, in cores and bytes. */
  availableCpu: doublePrecision().notNull().default(0),
  availableMemory: bigint({ mode: "number" }).notNull().default(0),
  allocatableCpu: doublePrecision().notNull().default(0),
  allocatableMemory: bigint({ mode: "number" }).notNull().default(0),
  gpus: integer().notNull().default(0),
  availableGpus: integer().notNull().default(0),
  ready: boolean().notNull().default(false),
  readyReason: text(),
  /** True when the figures are from before the cluster became NotReady. */
  stale: boolean().notNull().default(false),
  region: text(),
  location: text(),
  carbonIntensity: doublePrecision(),
  labels: jsonb().$type<Record<string, string>>().notNull().default({}),
  grafanaUrl: text(),
  lastSyncedAt: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** Optimistic concurrency for operator edits: a stale write is refused. */
  version: integer().notNull().default(1),
});
