import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { databaseTargets } from "../../db/testing";
import type { CoreContext } from "../context";
import { createSilentLogger } from "../logger";
import { listEvents, recordEvent } from ".";

describe.each(databaseTargets())("events on $name", (target) => {
  let handle: DatabaseHandle;
  let ctx: Pick<CoreContext, "db" | "actor" | "logger" | "clock">;
  beforeAll(async () => {
    handle = await target.open();
    ctx = { db: handle.db, actor: { kind: "user", name: "alice" }, logger: createSilentLogger(), clock: () => new Date("2026-11-26T10:00:00Z") };
  });
  afterAll(async () => handle?.close());

  it("records who did what and filters newest first", async () => {
    await recordEvent(ctx, { kind: "graph.deployed", message: "deployed demo", graphName: "demo" });
    await recordEvent(ctx, { kind: "cluster.not-ready", message: "paris is not ready", clusterName: "paris", severity: "warning" });
    const third = await recordEvent(ctx, { kind: "graph.stopped", message: "stopped demo", graphName: "demo" });
    expect(third.actor).toBe("alice");
    expect(third.at.toISOString()).toBe("2026-11-26T10:00:00.000Z");

    expect((await listEvents(ctx, { graphName: "demo" })).map((event) => event.message)).toEqual(["stopped demo", "deployed demo"]);
    expect((await listEvents(ctx, { severity: "warning" })).map((event) => event.clusterName)).toEqual(["paris"]);
    expect((await listEvents(ctx, { afterId: third.id - 1 })).map((event) => event.id)).toEqual([third.id]);
    expect(await listEvents(ctx, { limit: 1 })).toHaveLength(1);
  });
});
