/** The cluster verbs that only touch the database, on PGlite and on PostgreSQL. */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { clusters, events, graphs, projects, services } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import type { CoreContext } from "../context";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { listEvents } from "../events";
import type { ClusterState } from "../karmada";
import { createSilentLogger } from "../logger";
import { federationSummary, getCluster, placementClusters, REMOVED_FROM_KARMADA, updateClusterAttributes } from ".";
import { storeClusters } from "./store";

type DbContext = Pick<CoreContext, "db" | "actor" | "logger" | "clock">;

const GiB = 2 ** 30;

function clusterState(name: string, overrides: Partial<ClusterState> = {}): ClusterState {
  return {
    name,
    ready: true,
    readyReason: "ClusterReady",
    readyMessage: "cluster is healthy and ready to accept workloads",
    stale: false,
    cpu: { allocatable: 16, allocated: 0.7, allocating: 0, available: 15.3 },
    memory: { allocatable: 64 * GiB, allocated: 1200 * 2 ** 20, allocating: 0, available: 64 * GiB - 1200 * 2 ** 20 },
    gpus: { allocatable: 0, available: 0 },
    pods: { allocatable: 220, available: 210 },
    region: "eu-north",
    carbonIntensity: 50,
    taints: [],
    labels: { region: "eu-north", "smo.eu/carbon-intensity": "50" },
    ...overrides,
  };
}

type ClusterRow = typeof clusters.$inferInsert;
const baseRow = (name: string, overrides: Partial<ClusterRow> = {}): ClusterRow => ({
  name,
  availableCpu: 10,
  availableMemory: 40 * GiB,
  allocatableCpu: 16,
  allocatableMemory: 64 * GiB,
  ready: true,
  readyReason: "ClusterReady",
  lastSyncedAt: new Date("2026-11-26T09:00:00Z"),
  ...overrides,
});

describe.each(databaseTargets())("cluster records on $name", (target) => {
  let handle: DatabaseHandle;
  let ctx: DbContext;
  beforeAll(async () => {
    handle = await target.open();
    ctx = { db: handle.db, actor: { kind: "user", name: "alice" }, logger: createSilentLogger(), clock: () => new Date("2026-11-26T10:00:00Z") };
  });
  afterAll(async () => handle?.close());
  beforeEach(async () => {
    await ctx.db.delete(services);
    await ctx.db.delete(graphs);
    await ctx.db.delete(projects);
    await ctx.db.delete(clusters);
    await ctx.db.delete(events);
  });

  describe("updateClusterAttributes", () => {
    it("trims the location, accepts a carbon intensity, bumps the version and records who did it", async () => {
      await ctx.db.insert(clusters).values(baseRow("paris", { location: "eu-west", carbonIntensity: 60 }));
      const updated = await updateClusterAttributes(ctx, { name: "paris", version: 1, location: "  Paris \u00e9ast ", carbonIntensity: 0 });
      expect([updated.location, updated.carbonIntensity, updated.version]).toEqual(["Paris \u00e9ast", 0, 2]);
      const [event] = await listEvents(ctx, { clusterName: "paris" });
      expect([event!.kind, event!.actor]).toEqual(["cluster.attributes-updated", "alice"]);
      expect(event!.message).toBe('alice set location "Paris \u00e9ast" and carbon intensity 0 gCO2/kWh on cluster paris (version 2)');

      const cleared = await updateClusterAttributes(ctx, { name: "paris", version: 2, location: "   ", carbonIntensity: null });
      expect([cleared.location, cleared.carbonIntensity, cleared.version]).toEqual([null, null, 3]);
      const onlyCarbon = await updateClusterAttributes(ctx, { name: "paris", version: 3, carbonIntensity: 2000 });
      expect([onlyCarbon.location, onlyCarbon.carbonIntensity]).toEqual([null, 2000]);
    });

    it.each([
      [{ location: "x".repeat(101) }, "location", "at most 100 characters, got 101"],
      [{ location: "Paris\nLyon" }, "location", "control characters"],
      [{ location: "Paris\u0085" }, "location", "control characters"],
      [{ carbonIntensity: -1 }, "carbonIntensity", "between 0 and 2000"],
      [{ carbonIntensity: 2000.5 }, "carbonIntensity", "between 0 and 2000"],
      [{ carbonIntensity: Number.NaN }, "carbonIntensity", "finite number"],
      [{ carbonIntensity: Number.POSITIVE_INFINITY }, "carbonIntensity", "finite number"],
      [{ carbonIntensity: "120" as unknown as number }, "carbonIntensity", "finite number"],
      [{ location: 5 as unknown as string }, "location", "text or null"],
      [{}, "", "give location and/or carbonIntensity"],
      [{ version: 0, location: "Paris" }, "version", "integer ≥ 1"],
    ])("refuses %j naming %s and changes nothing", async (change, path, message) => {
      await ctx.db.insert(clusters).values(baseRow("paris", { location: "eu-west", carbonIntensity: 60 }));
      const attempt = updateClusterAttributes(ctx, { name: "paris", version: 1, ...change });
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      const error = (await attempt.catch((caught: unknown) => caught)) as ValidationError;
      expect(error.issues).toEqual([{ path, message: expect.stringContaining(message) }]);
      const [row] = await ctx.db.select().from(clusters).where(eq(clusters.name, "paris"));
      expect([row!.location, row!.carbonIntensity, row!.version]).toEqual(["eu-west", 60, 1]);
      expect(await listEvents(ctx)).toEqual([]);
    });

    it("reports every invalid field at once", async () => {
      const attempt = updateClusterAttributes(ctx, { name: "paris", version: 1, location: "a\tb", carbonIntensity: 5000 });
      const error = (await attempt.catch((caught: unknown) => caught)) as ValidationError;
      expect(error.issues.map((issue) => issue.path)).toEqual(["location", "carbonIntensity"]);
    });

    it("says NotFound for an unknown cluster and Conflict for a stale version", async () => {
      await expect(updateClusterAttributes(ctx, { name: "nowhere", version: 1, location: "x" })).rejects.toBeInstanceOf(NotFoundError);
      await ctx.db.insert(clusters).values(baseRow("paris", { version: 4 }));
      const stale = updateClusterAttributes(ctx, { name: "paris", version: 3, location: "x" });
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toThrow("cluster paris was changed by someone else (version 4 is current)");
    });

    it("lets exactly one of two editors holding the same version win", async () => {
      await ctx.db.insert(clusters).values(baseRow("paris"));
      const outcomes = await Promise.allSettled([
        updateClusterAttributes(ctx, { name: "paris", version: 1, location: "first" }),
        updateClusterAttributes(ctx, { name: "paris", version: 1, location: "second" }),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toBeInstanceOf(ConflictError);
      const [row] = await ctx.db.select().from(clusters).where(eq(clusters.name, "paris"));
      expect(row!.version).toBe(2);
    });
  });

  describe("getCluster", () => {
    it("lists the services placed there and sums what the deployed ones request", async () => {
      await ctx.db.insert(clusters).values([baseRow("paris"), baseRow("paris-2")]);
      await ctx.db.insert(projects).values({ name: "demo" });
      const [graph] = await ctx.db.insert(graphs).values({ name: "shop", project: "demo", descriptor: {}, descriptorText: "" }).returning();
      const service = (name: string, overrides: Partial<typeof services.$inferInsert>) => ({
        graphId: graph!.id,
        name,
        cpu: 0.5,
        memory: GiB,
        artifactRef: `oci://registry/${name}`,
        ...overrides,
      });
      await ctx.db.insert(services).values([
        service("web", { status: "Deployed", clusters: ["paris"], replicas: 3 }),
        service("db", { status: "Deployed", clusters: ["paris", "paris-2"], cpu: 2, memory: 4 * GiB, gpu: true }),
        service("cache", { status: "Not deployed", clusters: ["paris"] }),
        service("other", { status: "Deployed", clusters: ["paris-2"] }),
      ]);

      const paris = await getCluster(ctx, "paris");
      expect(paris.services.map((placed) => [placed.name, placed.graph, placed.project, placed.status, placed.replicas])).toEqual([
        ["cache", "shop", "demo", "Not deployed", 1],
        ["db", "shop", "demo", "Deployed", 1],
        ["web", "shop", "demo", "Deployed", 3],
      ]);
      expect(paris.used).toEqual({ cpu: 0.5 * 3 + 2, memory: 3 * GiB + 4 * GiB, gpuServices: 1 });
      expect((await getCluster(ctx, "paris-2")).services.map((placed) => placed.name)).toEqual(["db", "other"]);
      await expect(getCluster(ctx, "lyon")).rejects.toThrow(NotFoundError);
    });
  });

  describe("placementClusters and federationSummary", () => {
    it("offer only Ready, fresh clusters and count the others as unavailable", async () => {
      await ctx.db.insert(clusters).values([
        baseRow("frankfurt", { gpus: 4, availableGpus: 3, carbonIntensity: 380, allocatableCpu: 64, availableCpu: 60.5 }),
        baseRow("paris", { ready: false, stale: true, readyReason: "ClusterNotReachable", carbonIntensity: 60 }),
        baseRow("stockholm", { carbonIntensity: null, lastSyncedAt: new Date("2026-11-26T09:30:00Z") }),
        baseRow("warsaw", { ready: false, stale: true, readyReason: REMOVED_FROM_KARMADA, allocatableCpu: 8 }),
      ]);
      expect(await placementClusters(ctx)).toEqual([
        { name: "frankfurt", cpu: 60.5, memory: 40 * GiB, gpu: true, ready: true, carbon: 380 },
        { name: "paris", cpu: 0, memory: 0, gpu: false, ready: false, carbon: 60 },
        { name: "stockholm", cpu: 10, memory: 40 * GiB, gpu: false, ready: true, carbon: 0 },
        { name: "warsaw", cpu: 0, memory: 0, gpu: false, ready: false, carbon: 0 },
      ]);
      expect(await federationSummary(ctx)).toEqual({
        clusters: { total: 4, ready: 2, notReady: 2 },
        cpu: { available: 70.5, allocatable: 80 },
        memory: { available: 80 * GiB, allocatable: 128 * GiB },
        gpus: { available: 3, allocatable: 4 },
        unavailable: { cpu: 16, memory: 64 * GiB, gpus: 0 },
        lastSyncedAt: new Date("2026-11-26T09:30:00Z"),
      });
    });

    it("is empty before the first sync", async () => {
      expect(await placementClusters(ctx)).toEqual([]);
      expect((await federationSummary(ctx)).lastSyncedAt).toBeNull();
    });
  });

  describe("the store step", () => {
    it("does not let an older listing overwrite what a newer one stored", async () => {
      const newer = new Date("2026-11-26T10:00:05Z");
      const older = new Date("2026-11-26T10:00:00Z");
      await storeClusters(ctx, [clusterState("stockholm", { cpu: { allocatable: 16, allocated: 4, allocating: 0, available: 12 } })], newer, "op-newer");
      const late = await storeClusters(ctx, [clusterState("stockholm")], older, "op-older");
      expect([late.added, late.changed]).toEqual([[], []]);
      const [row] = await ctx.db.select().from(clusters).where(eq(clusters.name, "stockholm"));
      expect([row!.availableCpu, row!.lastSyncedAt]).toEqual([12, newer]);
    });

    it("adds each cluster once when several syncs store at the same time", async () => {
      const at = new Date("2026-11-26T10:00:00Z");
      const states = [clusterState("paris"), clusterState("stockholm")];
      const runs = ["a", "b", "c", "d", "e", "f"];
      // Open one pooled connection per run first (PostgreSQL), so that the stores really overlap.
      await Promise.all(runs.map(() => ctx.db.execute(sql`select pg_sleep(0.05)`)));
      const outcomes = await Promise.all(runs.map((run) => storeClusters(ctx, states, at, `op-${run}`)));
      expect(outcomes.flatMap((outcome) => outcome.added).sort()).toEqual(["paris", "stockholm"]);
      expect((await listEvents(ctx, { kind: "cluster.added" })).map((event) => event.clusterName).sort()).toEqual(["paris", "stockholm"]);
    });

    it("initialises location and carbon once, then keeps the operator's values whatever Karmada's labels say", async () => {
      const first = new Date("2026-11-26T10:00:00Z");
      await storeClusters(ctx, [clusterState("stockholm", { carbonIntensity: undefined, region: undefined, labels: {} })], first, "op-1");
      let [row] = await ctx.db.select().from(clusters).where(eq(clusters.name, "stockholm"));
      expect([row!.location, row!.carbonIntensity, row!.region]).toEqual([null, null, null]);
      await storeClusters(ctx, [clusterState("stockholm", { carbonIntensity: 999 })], new Date(first.getTime() + 1000), "op-2");
      [row] = await ctx.db.select().from(clusters).where(eq(clusters.name, "stockholm"));
      expect([row!.location, row!.carbonIntensity, row!.region]).toEqual([null, null, "eu-north"]);
    });

    it("announces a capacity change only when it is notable", async () => {
      const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, seconds));
      await storeClusters(ctx, [clusterState("paris")], at(0), "op-0");
      const small = await storeClusters(ctx, [clusterState("paris", { cpu: { allocatable: 16, allocated: 1.7, allocating: 0, available: 14.3 } })], at(1), "op-1");
      expect(small.changed).toEqual(["paris"]);
      expect(await listEvents(ctx, { kind: "cluster.capacity-changed" })).toEqual([]);
      await storeClusters(ctx, [clusterState("paris", { cpu: { allocatable: 16, allocated: 4, allocating: 0, available: 12 } })], at(2), "op-2");
      const [event] = await listEvents(ctx, { kind: "cluster.capacity-changed" });
      expect(event!.message).toBe("cluster paris capacity changed: CPU 14.3 cores → 12 cores available of 16 cores, memory 62.8 GiB → 62.8 GiB available of 64 GiB, GPUs 0 → 0");
      expect(event!.operationId).toBe("op-2");
    });
  });
});
