/**
 * Cluster sync against the sandbox federation: the real Karmada API emulator (read through
 * client-node as the oracle), the real Grafana emulator, on PGlite and on PostgreSQL.
 */
import { createServer } from "node:net";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { and, asc, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { clusters as clustersTable, operations, operationSteps } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import { renderKubeconfig } from "../../sim/kube";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import type { CoreContext } from "../context";
import { ConflictError, UpstreamError } from "../errors";
import { listEvents } from "../events";
import { createGrafanaClient } from "../grafana";
import { createKarmadaClient } from "../karmada";
import { parseQuantity } from "../quantity";
import { reconcileDeferredSteps, retryOperation } from "../operations";
import {
  CLUSTER_DASHBOARD_STEP,
  clusterDeferredStepHandlers,
  clusterOperationExecutors,
  getCluster,
  listClusters,
  placementClusters,
  REMOVED_FROM_KARMADA,
  syncClusters,
  updateClusterAttributes,
} from ".";

const CLUSTER_API = { group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters" } as const;
const SANDBOX_CLUSTERS = ["frankfurt", "paris", "stockholm", "warsaw"];

type ResourceList = Record<string, string> | undefined;
type ClusterObject = {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  spec?: { region?: string };
  status?: {
    conditions?: { type: string; status: string; reason?: string }[];
    resourceSummary?: { allocatable?: ResourceList; allocated?: ResourceList; allocating?: ResourceList };
  };
};

/** What the rows must say, computed straight from the Cluster objects the API server serves. */
type ExpectedCluster = {
  availableCpu: number;
  allocatableCpu: number;
  availableMemory: number;
  allocatableMemory: number;
  gpus: number;
  availableGpus: number;
  ready: boolean;
  readyReason: string | undefined;
  region: string | undefined;
  carbonLabel: string | undefined;
};

function readClusterApi(kubeconfigPath: string): CustomObjectsApi {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return config.makeApiClient(CustomObjectsApi);
}

async function readClusterObjects(api: CustomObjectsApi): Promise<ClusterObject[]> {
  const list = (await api.listClusterCustomObject({ ...CLUSTER_API })) as { items: ClusterObject[] };
  return list.items;
}

/** The emulated controllers lag behind a fault by a few tens of ms: wait until the Cluster objects stop changing. */
async function settledClusterObjects(api: CustomObjectsApi): Promise<ClusterObject[]> {
  let previous = await readClusterObjects(api);
  for (let attempt = 0; attempt < 50; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const current = await readClusterObjects(api);
    const versions = (objects: ClusterObject[]) => objects.map((object) => `${object.metadata.name}@${object.metadata.resourceVersion}`).join(",");
    if (versions(current) === versions(previous)) return current;
    previous = current;
  }
  throw new Error("the emulated Cluster objects kept changing");
}

function expectedFrom(object: ClusterObject): ExpectedCluster {
  const summary = object.status?.resourceSummary;
  const amount = (list: ResourceList, key: string) => (list?.[key] === undefined ? 0 : parseQuantity(list[key]!));
  const available = (key: string) => amount(summary?.allocatable, key) - amount(summary?.allocated, key) - amount(summary?.allocating, key);
  const ready = object.status?.conditions?.find((condition) => condition.type === "Ready");
  return {
    availableCpu: available("cpu"),
    allocatableCpu: amount(summary?.allocatable, "cpu"),
    availableMemory: available("memory"),
    allocatableMemory: amount(summary?.allocatable, "memory"),
    gpus: amount(summary?.allocatable, "nvidia.com/gpu"),
    availableGpus: available("nvidia.com/gpu"),
    ready: ready?.status === "True",
    readyReason: ready?.reason,
    region: object.spec?.region,
    carbonLabel: object.metadata.labels?.["smo.eu/carbon-intensity"],
  };
}

function expectRowMatches(row: typeof clustersTable.$inferSelect, expected: ExpectedCluster): void {
  expect(row.availableCpu).toBeCloseTo(expected.availableCpu, 9);
  expect(row.allocatableCpu).toBeCloseTo(expected.allocatableCpu, 9);
  expect(row.availableMemory).toBe(expected.availableMemory);
  expect(row.allocatableMemory).toBe(expected.allocatableMemory);
  expect(row.gpus).toBe(expected.gpus);
  expect(row.availableGpus).toBe(expected.availableGpus);
  expect(row.ready).toBe(expected.ready);
  expect(row.stale).toBe(!expected.ready);
  expect(row.readyReason).toBe(expected.readyReason);
  expect(row.region).toBe(expected.region ?? null);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function byTarget<T extends { target: string | null }>(steps: T[]): T[] {
  return [...steps].sort((a, b) => (a.target ?? "").localeCompare(b.target ?? ""));
}

async function stepsOf(ctx: CoreContext, operationId: string) {
  return ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, operationId)).orderBy(asc(operationSteps.seq));
}

describe.each(databaseTargets())("cluster sync against the sandbox federation on $name", (target) => {
  let core: SandboxCore;
  let database: DatabaseHandle;
  let ctx: CoreContext;
  let clusterApi: CustomObjectsApi;

  beforeAll(async () => {
    database = await target.open();
    core = await startSandboxCore({ database });
    ctx = core.ctx;
    clusterApi = readClusterApi(core.sandbox.endpoints.kubeconfig);
  });
  afterAll(async () => {
    await core?.close();
    await database?.close();
  });

  it("stores the four members with Karmada's exact figures, carbon from labels, location from region, and one dashboard each", async () => {
    const objects = await settledClusterObjects(clusterApi);
    expect(objects.map((object) => object.metadata.name).sort()).toEqual(SANDBOX_CLUSTERS);

    const result = await syncClusters(ctx);

    expect(result.operation.status).toBe("succeeded");
    expect(result.operation.kind).toBe("sync");
    expect([...result.added].sort()).toEqual(SANDBOX_CLUSTERS);
    expect(result.changed).toEqual([]);
    expect(result.removed).toEqual([]);
    expect(result.clusters.map((row) => row.name)).toEqual(SANDBOX_CLUSTERS);
    for (const object of objects) {
      const expected = expectedFrom(object);
      const row = result.clusters.find((candidate) => candidate.name === object.metadata.name)!;
      expectRowMatches(row, expected);
      expect(row.carbonIntensity).toBe(Number(expected.carbonLabel));
      expect(row.location).toBe(expected.region);
      expect(row.labels).toEqual(object.metadata.labels);
      expect(row.version).toBe(1);
    }
    // The sandbox's declared sizes, as a cross-check of the oracle itself.
    const frankfurt = result.clusters.find((row) => row.name === "frankfurt")!;
    expect([frankfurt.allocatableCpu, frankfurt.allocatableMemory, frankfurt.gpus, frankfurt.carbonIntensity]).toEqual([64, 256 * 2 ** 30, 4, 380]);
    expect(result.clusters.find((row) => row.name === "warsaw")!.allocatableCpu).toBe(8);

    const dashboards = core.sandbox.grafana.listDashboards();
    expect(dashboards.map((dashboard) => dashboard.uid).sort()).toEqual(SANDBOX_CLUSTERS.map((name) => `smo-cluster-${name}`));
    for (const row of result.clusters) {
      const dashboard = dashboards.find((candidate) => candidate.uid === `smo-cluster-${row.name}`)!;
      expect(dashboard.title).toBe(`SMO cluster ${row.name}`);
      expect(row.grafanaUrl).toBe(`${core.sandbox.endpoints.grafanaUrl}${dashboard.url}`);
      const page = await fetch(row.grafanaUrl!.replace("/d/", "/api/dashboards/uid/").replace(/\/[^/]+$/, ""), {
        headers: { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` },
      });
      expect(page.status).toBe(200);
    }

    const steps = await stepsOf(ctx, result.operation.id);
    expect(steps.slice(0, 2).map((step) => [step.action, step.target, step.status])).toEqual([
      ["karmada-list", null, "succeeded"],
      ["store", null, "succeeded"],
    ]);
    // Dashboards are published a few at a time, so their steps finish in any order.
    expect(byTarget(steps.slice(2)).map((step) => [step.action, step.target, step.status])).toEqual(SANDBOX_CLUSTERS.map((name) => [CLUSTER_DASHBOARD_STEP, name, "succeeded"]));
    const added = await listEvents(ctx, { kind: "cluster.added" });
    expect(added.map((event) => event.clusterName).sort()).toEqual(SANDBOX_CLUSTERS);
    expect(added.every((event) => event.operationId === result.operation.id)).toBe(true);
  });

  it("a second sync without changes changes nothing and publishes no dashboard again", async () => {
    const before = core.sandbox.grafana.listDashboards().map((dashboard) => [dashboard.uid, dashboard.version]);
    const result = await syncClusters(ctx);
    expect([result.added, result.changed, result.removed]).toEqual([[], [], []]);
    expect(core.sandbox.grafana.listDashboards().map((dashboard) => [dashboard.uid, dashboard.version])).toEqual(before);
    expect((await stepsOf(ctx, result.operation.id)).map((step) => step.action)).toEqual(["karmada-list", "store"]);
  });

  it("keeps the operator's location and carbon intensity across syncs and refuses a stale version", async () => {
    const [paris] = await ctx.db.select().from(clustersTable).where(eq(clustersTable.name, "paris"));
    const edited = await updateClusterAttributes(ctx, { name: "paris", version: paris!.version, location: "  Paris, Île-de-France ", carbonIntensity: 21.5 });
    expect([edited.location, edited.carbonIntensity, edited.version]).toEqual(["Paris, Île-de-France", 21.5, paris!.version + 1]);

    await syncClusters(ctx);
    await syncClusters(ctx);
    const afterSync = await getCluster(ctx, "paris");
    expect([afterSync.location, afterSync.carbonIntensity, afterSync.version]).toEqual(["Paris, Île-de-France", 21.5, edited.version]);
    expect((await placementClusters(ctx)).find((cluster) => cluster.name === "paris")!.carbon).toBe(21.5);

    const stale = updateClusterAttributes(ctx, { name: "paris", version: paris!.version, location: "Lyon", carbonIntensity: 999 });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(stale).rejects.toThrow(`cluster paris was changed by someone else (version ${edited.version} is current)`);
    const unchanged = await getCluster(ctx, "paris");
    expect([unchanged.location, unchanged.carbonIntensity, unchanged.version]).toEqual(["Paris, Île-de-France", 21.5, edited.version]);
  });

  it("a NotReady cluster stays listed but is no placement candidate, and is one again once Ready", async () => {
    const eventsBefore = (await listEvents(ctx, { limit: 1 }))[0]?.id ?? 0;
    core.sandbox.kube.setClusterReady("paris", false);
    const notReadyObjects = await settledClusterObjects(clusterApi);
    const down = await syncClusters(ctx);

    expect(down.changed).toEqual(["paris"]);
    const parisDown = down.clusters.find((row) => row.name === "paris")!;
    expectRowMatches(parisDown, expectedFrom(notReadyObjects.find((object) => object.metadata.name === "paris")!));
    expect([parisDown.ready, parisDown.stale, parisDown.readyReason]).toEqual([false, true, "ClusterNotReachable"]);
    expect(down.clusters.map((row) => row.name)).toEqual(SANDBOX_CLUSTERS);
    const candidatesDown = await placementClusters(ctx);
    expect(candidatesDown.map((cluster) => cluster.name)).toEqual(SANDBOX_CLUSTERS);
    expect(candidatesDown.find((cluster) => cluster.name === "paris")).toEqual({ name: "paris", cpu: 0, memory: 0, gpu: false, ready: false, carbon: 21.5 });
    expect(candidatesDown.filter((cluster) => cluster.ready).map((cluster) => cluster.name)).toEqual(["frankfurt", "stockholm", "warsaw"]);

    core.sandbox.kube.setClusterReady("paris", true);
    const readyObjects = await settledClusterObjects(clusterApi);
    const up = await syncClusters(ctx);
    const parisUp = up.clusters.find((row) => row.name === "paris")!;
    const expectedUp = expectedFrom(readyObjects.find((object) => object.metadata.name === "paris")!);
    expectRowMatches(parisUp, expectedUp);
    expect((await placementClusters(ctx)).find((cluster) => cluster.name === "paris")).toEqual({
      name: "paris",
      cpu: parisUp.availableCpu,
      memory: parisUp.availableMemory,
      gpu: false,
      ready: true,
      carbon: 21.5,
    });
    expect(parisUp.availableCpu).toBeGreaterThan(0);

    const transitions = (await listEvents(ctx, { clusterName: "paris", afterId: eventsBefore })).reverse();
    expect(transitions.map((event) => [event.kind, event.severity])).toEqual([
      ["cluster.not-ready", "warning"],
      ["cluster.ready", "info"],
    ]);
    expect(transitions[0]!.message).toContain("became NotReady (ClusterNotReachable");
    expect(transitions[0]!.operationId).toBe(down.operation.id);
    expect(transitions[1]!.operationId).toBe(up.operation.id);
  });

  it("shows a capacity change after the next sync, with an event", async () => {
    core.sandbox.kube.setClusterCapacity("warsaw", { cpu: "12", memory: "48Gi" });
    const objects = await settledClusterObjects(clusterApi);
    const result = await syncClusters(ctx);
    expect(result.changed).toEqual(["warsaw"]);
    const warsaw = result.clusters.find((row) => row.name === "warsaw")!;
    expectRowMatches(warsaw, expectedFrom(objects.find((object) => object.metadata.name === "warsaw")!));
    expect([warsaw.allocatableCpu, warsaw.allocatableMemory]).toEqual([12, 48 * 2 ** 30]);
    expect((await placementClusters(ctx)).find((cluster) => cluster.name === "warsaw")!.cpu).toBe(warsaw.availableCpu);
    const [event] = await listEvents(ctx, { clusterName: "warsaw", kind: "cluster.capacity-changed" });
    expect(event!.operationId).toBe(result.operation.id);
    expect(event!.message).toContain(`of 12 cores`);
  });

  it("keeps a cluster that left Karmada as not ready, says so once, and offers it no more", async () => {
    await clusterApi.deleteClusterCustomObject({ ...CLUSTER_API, name: "stockholm" });
    const result = await syncClusters(ctx);
    expect(result.removed).toEqual(["stockholm"]);
    const stockholm = result.clusters.find((row) => row.name === "stockholm")!;
    expect([stockholm.ready, stockholm.stale, stockholm.readyReason]).toEqual([false, true, REMOVED_FROM_KARMADA]);
    expect((await placementClusters(ctx)).find((cluster) => cluster.name === "stockholm")!.ready).toBe(false);
    expect((await syncClusters(ctx)).removed).toEqual([]);
    const removals = await listEvents(ctx, { clusterName: "stockholm", kind: "cluster.removed" });
    expect(removals.map((event) => event.operationId)).toEqual([result.operation.id]);
    expect((await listClusters(ctx)).map((row) => row.name)).toEqual(SANDBOX_CLUSTERS);
  });
});

describe("cluster sync when an outside system is down", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore();
  });
  afterAll(async () => core?.close());

  it("defers the dashboards while Grafana is down and the reconciler publishes exactly one per cluster later", async () => {
    const downGrafana = createGrafanaClient({ url: `http://127.0.0.1:${await closedPort()}`, auth: core.sandbox.grafanaAuth, timeoutMs: 2_000 });
    const ctx: CoreContext = { ...core.ctx, clients: { ...core.ctx.clients, grafana: downGrafana } };

    const result = await syncClusters(ctx);

    expect(result.operation.status).toBe("succeeded");
    expect(result.added.sort()).toEqual(SANDBOX_CLUSTERS);
    expect(result.clusters.every((row) => row.grafanaUrl === null)).toBe(true);
    expect(core.sandbox.grafana.listDashboards()).toEqual([]);
    const deferred = byTarget((await stepsOf(ctx, result.operation.id)).filter((step) => step.action === CLUSTER_DASHBOARD_STEP));
    expect(deferred.map((step) => [step.target, step.status])).toEqual(SANDBOX_CLUSTERS.map((name) => [name, "deferred"]));
    expect(deferred[0]!.error).toContain("grafana");
    expect(deferred.every((step) => step.nextAttemptAt !== null)).toBe(true);

    // A sync while the steps wait adds no second step for the same dashboards.
    const again = await syncClusters(ctx);
    expect((await stepsOf(ctx, again.operation.id)).map((step) => step.action)).toEqual(["karmada-list", "store"]);

    const later = new Date(Date.now() + ctx.config.reconciler.maxBackoffMs + 60_000);
    const reconcileCtx: CoreContext = { ...core.ctx, clock: () => later };
    await reconcileDeferredSteps(reconcileCtx, clusterDeferredStepHandlers);
    await reconcileDeferredSteps(reconcileCtx, clusterDeferredStepHandlers);

    const dashboards = core.sandbox.grafana.listDashboards();
    expect(dashboards.map((dashboard) => dashboard.uid).sort()).toEqual(SANDBOX_CLUSTERS.map((name) => `smo-cluster-${name}`));
    const rows = await listClusters(ctx);
    for (const row of rows) expect(row.grafanaUrl).toBe(`${core.sandbox.endpoints.grafanaUrl}${dashboards.find((dashboard) => dashboard.uid === `smo-cluster-${row.name}`)!.url}`);
    const retried = await ctx.db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, result.operation.id), eq(operationSteps.action, CLUSTER_DASHBOARD_STEP)));
    expect(retried.map((step) => step.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
  });

  it("fails the sync with Karmada's error when its API server is unreachable, changes nothing, and can be retried", async () => {
    const before = await listClusters(core.ctx);
    const karmada = createKarmadaClient({ kubeconfig: renderKubeconfig({ url: `http://127.0.0.1:${await closedPort()}`, token: "t" }), requestTimeoutMs: 2_000 });
    const ctx: CoreContext = { ...core.ctx, clients: { ...core.ctx.clients, karmada } };
    const failure = await syncClusters(ctx).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).system).toBe("karmada");
    expect(await listClusters(core.ctx)).toEqual(before);
    const [operation] = await ctx.db.select().from(operations).orderBy(desc(operations.createdAt)).limit(1);
    expect([operation!.kind, operation!.status]).toEqual(["sync", "failed"]);
    expect(operation!.error).toBe((failure as UpstreamError).message);
    expect((await stepsOf(ctx, operation!.id)).map((step) => [step.action, step.status])).toEqual([["karmada-list", "failed"]]);

    // Once Karmada answers again, the failed sync can be retried from its failed step.
    core.sandbox.kube.setClusterCapacity("warsaw", { cpu: "10" });
    await settledClusterObjects(readClusterApi(core.sandbox.endpoints.kubeconfig));
    const retried = await retryOperation(core.ctx, operation!.id, clusterOperationExecutors);
    expect([retried.status, retried.attempt]).toEqual(["succeeded", 2]);
    const retriedSteps = (await stepsOf(ctx, operation!.id)).filter((step) => step.action !== CLUSTER_DASHBOARD_STEP);
    expect(retriedSteps.map((step) => [step.action, step.status, step.attempts])).toEqual([
      ["karmada-list", "succeeded", 2],
      ["store", "succeeded", 1],
    ]);
    expect((await listClusters(core.ctx)).find((row) => row.name === "warsaw")!.allocatableCpu).toBe(10);
  });
});

describe("cluster sync without a configured Grafana", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore();
  });
  afterAll(async () => core?.close());

  it("skips the dashboards, then publishes them at the first sync that has a Grafana", async () => {
    const withoutGrafana: CoreContext = { ...core.ctx, clients: { ...core.ctx.clients, grafana: undefined } };
    const first = await syncClusters(withoutGrafana);
    expect((await stepsOf(withoutGrafana, first.operation.id)).map((step) => step.action)).toEqual(["karmada-list", "store"]);
    expect(core.sandbox.grafana.listDashboards()).toEqual([]);

    const second = await syncClusters({ ...core.ctx, config: { ...core.ctx.config, grafana: { publicUrl: "https://grafana.example.org/" } } });
    expect(second.added).toEqual([]);
    expect(core.sandbox.grafana.listDashboards()).toHaveLength(4);
    expect(second.clusters.map((row) => row.grafanaUrl)).toEqual(SANDBOX_CLUSTERS.map((name) => `https://grafana.example.org/d/smo-cluster-${name}/smo-cluster-${name}`));
  });
});

