/**
 * Database targets for tests: every database suite runs on a fresh in-memory PGlite and, when
 * `TEST_DATABASE_URL` points at a PostgreSQL server (npm test starts one), on a fresh database there.
 */
import { randomBytes } from "node:crypto";
import { createDb, type DatabaseHandle } from "./client";

export type DatabaseTarget = { name: "pglite" | "postgres"; open: () => Promise<DatabaseHandle> };

export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ name: "pglite", open: () => createDb({ dataDir: "memory://" }) }];
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) targets.push({ name: "postgres", open: () => openThrowawayPostgres(adminUrl) });
  else if (process.env.CI) throw new Error("TEST_DATABASE_URL is not set: in CI the database tests must also run on PostgreSQL (run them through npm test)");
  return targets;
}

export type ThrowawayDatabase = { url: string; drop: () => Promise<void> };

/** Creates a uniquely named database on the server; its URL can be handed to other connections and child processes. */
export async function createThrowawayDatabase(adminUrl: string, prefix = "smo_test"): Promise<ThrowawayDatabase> {
  const { default: postgres } = await import("postgres");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end({ timeout: 5 });
      }
    },
  };
}

/** A throwaway database, migrated, dropped on close. */
async function openThrowawayPostgres(adminUrl: string): Promise<DatabaseHandle> {
  const throwaway = await createThrowawayDatabase(adminUrl);
  const handle = await createDb({ url: throwaway.url });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await throwaway.drop();
    },
  };
}
