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

/** Creates a uniquely named database on the server, migrates it, and drops it on close. */
async function openThrowawayPostgres(adminUrl: string): Promise<DatabaseHandle> {
  const { default: postgres } = await import("postgres");
  const name = `smo_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ url: url.toString() });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end({ timeout: 5 });
      }
    },
  };
}
