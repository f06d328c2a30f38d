import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Console settings editable by admins (never secrets from the environment). */
export const settings = pgTable("settings", {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedBy: text(),
});
