/**
 * The one database factory: embedded PGlite (a folder, or memory) when no URL is given,
 * PostgreSQL through postgres.js otherwise. Both run the same drizzle migrations at start.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Core functions accept either, so they compose inside a caller's transaction. */
export type DbExecutor = Database | Transaction;

export type DatabaseHandle = {
  db: Database;
  kind: "pglite" | "postgres";
  /** Where the data lives, without credentials: a folder, "memory", or host:port/database. */
  location: string;
  close: () => Promise<void>;
};

export type CreateDbOptions = {
  /** A postgres:// URL; when absent the embedded PGlite is used. */
  url?: string;
  /** PGlite folder, or "memory://" for a throwaway in-memory database. */
  dataDir?: string;
  /** Apply migrations before returning (default true). */
  migrate?: boolean;
  migrationsFolder?: string;
};

export async function createDb(options: CreateDbOptions = {}): Promise<DatabaseHandle> {
  const migrationsFolder = options.migrationsFolder ?? findMigrationsFolder();
  const handle = options.url ? await openPostgres(options.url) : await openPglite(options.dataDir ?? path.resolve("data", "pglite"));
  if (options.migrate ?? true) {
    try {
      await handle.applyMigrations(migrationsFolder);
    } catch (error) {
      await handle.close();
      throw new Error(`applying database migrations from ${migrationsFolder} to ${handle.location} failed: ${describe(error)}`, { cause: error });
    }
  }
  return { db: handle.db, kind: handle.kind, location: handle.location, close: handle.close };
}

type OpenedDatabase = DatabaseHandle & { applyMigrations: (folder: string) => Promise<void> };

async function openPglite(dataDir: string): Promise<OpenedDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const inMemory = dataDir === "memory://" || dataDir === "";
  // PGlite does not create missing parent folders (STACK.md pitfall 3).
  if (!inMemory) mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const client = inMemory ? new PGlite() : new PGlite(dataDir);
  await client.waitReady;
  const db = drizzle({ client, schema, casing: "snake_case" });
  return {
    db: db as unknown as Database,
    kind: "pglite",
    location: inMemory ? "memory" : path.resolve(dataDir),
    close: () => client.close(),
    applyMigrations: (migrationsFolder) => migrate(db, { migrationsFolder }),
  };
}

async function openPostgres(url: string): Promise<OpenedDatabase> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(url, { max: 10, onnotice: () => undefined, connect_timeout: 10 });
  const db = drizzle({ client, schema, casing: "snake_case" });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 });
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${describe(error)}`, { cause: error });
  }
  return {
    db: db as unknown as Database,
    kind: "postgres",
    location: redactUrl(url),
    close: () => client.end({ timeout: 5 }),
    applyMigrations: (migrationsFolder) => migrate(db, { migrationsFolder }),
  };
}

/** The migrations ship next to this file; fall back to the working directory when bundled. */
function findMigrationsFolder(): string {
  const candidates = [path.resolve("db", "migrations")];
  try {
    // path.join rather than new URL("./migrations", …): bundlers would try to turn the latter into an asset.
    candidates.unshift(path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations"));
  } catch {
    // import.meta.url is not a file: URL inside some bundles; the working-directory path remains.
  }
  const found = candidates.find((folder) => existsSync(path.join(folder, "meta", "_journal.json")));
  if (!found) throw new Error(`database migrations not found (looked in ${candidates.join(", ")})`);
  return found;
}

/** host:port/database without user or password, for messages and health output. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
  } catch {
    return "an unparseable DATABASE_URL";
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
