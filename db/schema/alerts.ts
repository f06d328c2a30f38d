import { bigint, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";

/**
 * Alertmanager notifications as received. Alertmanager re-sends groups, so a firing alert is
 * acted on once per (fingerprint, startsAt); resolved ones are recorded too.
 */
export const alertNotifications = pgTable(
  "alert_notifications",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    fingerprint: text().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    status: text({ enum: ["firing", "resolved"] }).notNull(),
    alertName: text().notNull(),
    serviceName: text(),
    graphName: text(),
    /** What SMO did about it: "deployed", "already-deployed", "unknown-service", "recorded". */
    outcome: text().notNull(),
    labels: jsonb().$type<Record<string, string>>().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique().on(table.fingerprint, table.startsAt, table.status)],
);
