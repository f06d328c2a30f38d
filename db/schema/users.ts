import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { roleEnum } from "./enums";

/** People who sign in to the console. Passwords are stored only as memory-hard hashes. */
export const users = pgTable("users", {
  id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  username: text().notNull().unique(),
  passwordHash: text().notNull(),
  role: roleEnum().notNull().default("viewer"),
  disabled: boolean().notNull().default(false),
  failedLogins: integer().notNull().default(0),
  lockedUntil: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  version: integer().notNull().default(1),
});

/** Browser sessions; the cookie carries a random secret, the table only its hash. */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    secretHash: text().notNull(),
    userId: bigint({ mode: "number" })
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index().on(table.userId)],
);

/** API tokens for tools and the CLI: shown once, stored hashed, revocable. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    /** The first characters of the token, shown to tell tokens apart. */
    prefix: text().notNull(),
    tokenHash: text().notNull().unique(),
    role: roleEnum().notNull(),
    userId: bigint({ mode: "number" }).references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index().on(table.userId), index("api_tokens_active_idx").on(table.revokedAt).where(sql`${table.revokedAt} is null`)],
);
