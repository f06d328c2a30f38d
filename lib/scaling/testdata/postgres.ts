/** PostgreSQL for the leader-election tests: advisory locks are per database, so each suite gets its own. */
export { createThrowawayDatabase, type ThrowawayDatabase } from "../../../db/testing";

/** The PostgreSQL admin URL of the tests, or why the PostgreSQL-only tests are skipped (an error in CI, where it must be set). */
export function postgresTestUrl(): { url: string } | { skipReason: string } {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return { url };
  if (process.env.CI) throw new Error("TEST_DATABASE_URL is not set: in CI the PostgreSQL leader-election tests must run (run them through npm test)");
  return { skipReason: "TEST_DATABASE_URL is not set: skipping the PostgreSQL leader-election tests (npm test sets it)" };
}
