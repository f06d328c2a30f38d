import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { events } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import type { CoreContext } from "../context";
import { createSilentLogger } from "../logger";
import { recordEvent, tailEvents, type TailEventsInput, type TailEventsOptions } from ".";

describe.each(databaseTargets())("the event tail on $name", (target) => {
  let handle: DatabaseHandle;
  let ctx: Pick<CoreContext, "db" | "actor" | "logger" | "clock">;
  const stops: AbortController[] = [];

  beforeAll(async () => {
    handle = await target.open();
    ctx = { db: handle.db, actor: { kind: "user", name: "alice" }, logger: createSilentLogger(), clock: () => new Date() };
  });
  afterAll(async () => {
    for (const stop of stops) stop.abort();
    await handle?.close();
  });

  /** A tail polling every 10 ms, stopped after the test file. */
  function tail(input: TailEventsInput, options: Partial<TailEventsOptions> = {}) {
    const stop = new AbortController();
    stops.push(stop);
    const iterator = tailEvents(ctx, input, { intervalMs: 10, ...options, signal: stop.signal });
    return { next: async () => (await iterator.next()).value!, stop };
  }

  it("follows only what is recorded after it starts, in order, with the list's filters", async () => {
    await recordEvent(ctx, { kind: "graph.deployed", message: "before the tail", graphName: "alpha" });
    const live = tail({ graphName: "alpha" });
    const first = live.next();
    await recordEvent(ctx, { kind: "graph.deployed", message: "other graph", graphName: "beta" });
    await recordEvent(ctx, { kind: "graph.stopped", message: "alpha stopped", graphName: "alpha" });
    await recordEvent(ctx, { kind: "graph.started", message: "alpha started", graphName: "alpha" });
    expect(await first).toMatchObject({ message: "alpha stopped", actor: "alice", graphName: "alpha" });
    expect(await live.next()).toMatchObject({ message: "alpha started" });
  });

  it("resumes after a given id, oldest first, across more events than one read returns", async () => {
    const recorded = [];
    for (let index = 0; index < 7; index++) recorded.push(await recordEvent(ctx, { kind: index % 2 ? "odd" : "even", message: `event ${index}`, clusterName: "paris" }));
    const live = tail({ afterId: recorded[0]!.id, clusterName: "paris", kind: "even" }, { batchSize: 2 });
    expect([await live.next(), await live.next(), await live.next()].map((event) => event.message)).toEqual(["event 2", "event 4", "event 6"]);
  });

  it("passes a hole left by a rolled-back insert once the grace period is over", async () => {
    const before = await recordEvent(ctx, { kind: "mark", message: "before the hole" });
    await expect(
      ctx.db.transaction(async (tx) => {
        await tx.insert(events).values({ kind: "mark", message: "rolled back", actor: "alice" });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const after = await recordEvent(ctx, { kind: "mark", message: "after the hole" });
    expect(after.id).toBe(before.id + 2);
    // Each look at the clock is 10 s later: the tail waits at the hole for six reads, then passes it.
    let now = 0;
    const live = tail({ afterId: before.id }, { gapGraceMs: 60_000, now: () => (now += 10_000) });
    expect(await live.next()).toMatchObject({ id: after.id, message: "after the hole" });
    expect(now).toBeGreaterThanOrEqual(70_000);
  });

  it.runIf(target.name === "postgres")("delivers an event whose transaction commits after a later id, in id order", async () => {
    const before = await recordEvent(ctx, { kind: "mark", message: "before the slow transaction" });
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    let inserted!: () => void;
    const insertedInTransaction = new Promise<void>((resolve) => (inserted = resolve));
    const slow = ctx.db.transaction(async (tx) => {
      await tx.insert(events).values({ kind: "mark", message: "slow transaction", actor: "alice" });
      inserted();
      await committed;
    });
    await insertedInTransaction;
    const later = await recordEvent(ctx, { kind: "mark", message: "committed first" });
    expect(later.id).toBe(before.id + 2);
    // The tail looks at the clock when it meets a hole: commit only once it has met this one. The
    // clock never moves, so without the hole rule it would hand out "committed first" and lose the slow one.
    let metHole!: () => void;
    const holeMet = new Promise<void>((resolve) => (metHole = resolve));
    const live = tail({ afterId: before.id }, {
      now: () => {
        metHole();
        return 0;
      },
    });
    const first = live.next();
    await holeMet;
    commit();
    await slow;
    expect(await first).toMatchObject({ id: before.id + 1, message: "slow transaction" });
    expect(await live.next()).toMatchObject({ id: later.id, message: "committed first" });
  });

  it("ends when its signal is aborted", async () => {
    const live = tail({ kind: "never-recorded" });
    const next = live.next();
    live.stop.abort();
    expect(await next).toBeUndefined();
  });
});
