import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { createLeaderElector, SCALER_LOCK_KEY, type LeaderElector } from "./leader";
import { createThrowawayDatabase, postgresTestUrl, type ThrowawayDatabase } from "./testdata/postgres";

const postgresTarget = postgresTestUrl();
if ("skipReason" in postgresTarget) console.warn(postgresTarget.skipReason);

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("leader election on PGlite", () => {
  it("makes the one process of the embedded database the leader while it runs", async () => {
    const elector = createLeaderElector({ kind: "pglite" });
    expect(await elector.isLeader()).toBe(false);
    await elector.start();
    expect(await elector.isLeader()).toBe(true);
    await elector.stop();
    expect(await elector.isLeader()).toBe(false);
  });

  it("refuses a PostgreSQL elector without a URL", () => {
    expect(() => createLeaderElector({ kind: "postgres" })).toThrow(ValidationError);
  });
});

describe.skipIf("skipReason" in postgresTarget)("leader election on PostgreSQL (advisory lock)", () => {
  let database: ThrowawayDatabase;
  let observer: postgres.Sql;
  const electors: LeaderElector[] = [];
  const elector = () => {
    const created = createLeaderElector({ kind: "postgres", url: database.url, retryMs: 100 });
    electors.push(created);
    return created;
  };
  /** Backend pids holding the scaler lock, seen from an independent session. */
  const holders = async () =>
    (await observer`select pid from pg_locks where locktype = 'advisory' and objid = ${SCALER_LOCK_KEY} and granted`).map((row) => Number(row.pid));

  beforeAll(async () => {
    database = await createThrowawayDatabase((postgresTarget as { url: string }).url);
    observer = postgres(database.url, { max: 1, onnotice: () => undefined });
  });
  afterAll(async () => {
    await Promise.all(electors.map((entry) => entry.stop()));
    await observer?.end({ timeout: 5 });
    await database?.drop();
  });

  it("elects exactly one of two processes, and hands over when the leader stops", async () => {
    const first = elector();
    const second = elector();
    await first.start();
    await second.start();
    expect(await first.isLeader()).toBe(true);
    expect(await second.isLeader()).toBe(false);
    expect(await holders()).toHaveLength(1);

    await first.stop();
    expect(await first.isLeader()).toBe(false);
    await waitFor(() => second.isLeader(), "the second elector to take over");
    expect(await holders()).toHaveLength(1);
    await second.stop();
    expect(await holders()).toEqual([]);
  });

  it("notices at once when its session is killed, and takes the lock again on a new one", async () => {
    const leader = elector();
    await leader.start();
    expect(await leader.isLeader()).toBe(true);
    const [pid] = await holders();
    await observer`select pg_terminate_backend(${pid!})`;
    // No waiting for a timer: the very next check asks the server, which no longer lists the lock.
    expect(await leader.isLeader()).toBe(false);
    await waitFor(() => leader.isLeader(), "the elector to reacquire the lock");
    const [newPid] = await holders();
    expect(newPid).not.toBe(pid);
    await leader.stop();
  });

  it("loses to a session that took the lock first, and wins once that session ends", async () => {
    const squatter = postgres(database.url, { max: 1, onnotice: () => undefined });
    const [row] = await squatter`select pg_try_advisory_lock(${SCALER_LOCK_KEY}::bigint) as acquired`;
    expect(row!.acquired).toBe(true);
    const contender = elector();
    await contender.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await contender.isLeader()).toBe(false);
    await squatter.end({ timeout: 1 });
    await waitFor(() => contender.isLeader(), "the contender to win after the holder's session ended");
    await contender.stop();
  });
});
