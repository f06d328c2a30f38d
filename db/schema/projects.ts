import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** A tenant: its graphs deploy into the Kubernetes namespace of the same name. */
export const projects = pgTable("projects", {
  name: text().primaryKey(),
  description: text().notNull().default(""),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  createdBy: text(),
});
