import { bigint, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Every mutation, allowed or denied: who (user or token), what, on which target, and how it ended. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actor: text().notNull(),
    tokenId: bigint({ mode: "number" }),
    action: text().notNull(),
    target: text(),
    result: text({ enum: ["allowed", "denied", "failed"] }).notNull(),
    detail: jsonb().$type<Record<string, unknown>>(),
  },
  (table) => [index().on(table.at), index().on(table.actor)],
);
