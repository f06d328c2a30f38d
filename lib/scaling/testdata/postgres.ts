/**
 * A throwaway PostgreSQL database whose URL the test can hand to other connections and child
 * processes (advisory locks are per database, so each suite gets its own).
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";

export type ThrowawayDatabase = { url: string; drop: () => Promise<void> };

export async function createThrowawayDatabase(adminUrl: string): Promise<ThrowawayDatabase> {
  const name = `smo_scaling_${randomBytes(6).toString("hex")}`;
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

/** The PostgreSQL admin URL of the tests, or why the PostgreSQL-only tests are skipped (an error in CI, where it must be set). */
export function postgresTestUrl(): { url: string } | { skipReason: string } {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return { url };
  if (process.env.CI) throw new Error("TEST_DATABASE_URL is not set: in CI the PostgreSQL leader-election tests must run (run them through npm test)");
  return { skipReason: "TEST_DATABASE_URL is not set: skipping the PostgreSQL leader-election tests (npm test sets it)" };
}
