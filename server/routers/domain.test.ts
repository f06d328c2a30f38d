/**
 * The domain procedures end to end through tRPC callers on a sandbox federation: the workers'
 * start (cluster sync, debounced re-placement), then an operator's deploy → stop → start of the
 * GPU sample graph, followed through operations.get, with the placement checked against what the
 * Karmada emulator scheduled; the dry runs (preview, compare, validate); a viewer refused.
 */
import { readFile } from "node:fs/promises";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { count } from "drizzle-orm";
import { graphs, placements } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import type { Caller, Role } from "../../lib/auth";
import { addUser, createTestDeps, type TestDeps } from "../testing";
import { createCallerFactory, createContextInner } from "../trpc";
import { createDebouncedReplacer, REPLACE_DEBOUNCE_MS, startWorkers } from "../workers";
import { SCALER_ACTOR } from "../workers/scaler";
import { createCoreContext } from "../deps";
import { appRouter } from "./_app";

const DESCRIPTOR_PATH = new URL("../../examples/hdag/gpu-offloading-graph.yaml", import.meta.url);
const GRAPH = "gpu-offloading-graph";
const PROJECT = "gpu-demo";
const LONG = 180_000;

const createCaller = createCallerFactory(appRouter);
type AppCaller = ReturnType<typeof createCaller>;

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function finishedOperation(caller: AppCaller, id: string) {
  return waitFor(
    () => caller.operations.get({ id }),
    (operation) => operation.status !== "running" && operation.status !== "pending",
    `operation ${id}`,
  );
}

describe.each(databaseTargets())("domain procedures on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  const callers = {} as Record<Role, AppCaller>;

  beforeAll(async () => {
    handle = await target.open();
    test = await createTestDeps({ database: handle });
    for (const role of ["viewer", "operator"] as const) {
      const user = await addUser(test.deps, `${role}-user`, role);
      const caller: Caller = { kind: "user", userId: user.id, username: user.username, role, sessionId: `session-of-${role}` };
      callers[role] = createCaller(createContextInner({ deps: test.deps, caller }));
    }
  }, LONG);
  afterAll(async () => {
    await test?.close();
    await handle?.close();
  });

  it("starts the workers: the first sync brings the sandbox's clusters in, and stop ends them", async () => {
    const viewer = callers.viewer;
    expect(await viewer.clusters.list()).toEqual([]);
    const stop = await startWorkers(test.deps, { initialSync: true, reconcileIntervalMs: 200, scalingTickMs: 200 });
    try {
      const listed = await waitFor(() => viewer.clusters.list(), (clusters) => clusters.length === 4, "the initial sync");
      expect(listed.map((cluster) => cluster.name).sort()).toEqual(["frankfurt", "paris", "stockholm", "warsaw"]);
      const summary = await viewer.clusters.summary();
      expect(summary.clusters).toEqual({ total: 4, ready: 4, notReady: 0 });
      expect(summary.gpus.allocatable).toBeGreaterThan(0);
    } finally {
      await stop();
    }
    const syncs = await viewer.operations.list({ status: "succeeded" });
    expect(syncs.filter((operation) => operation.kind === "sync")).toHaveLength(1);
  }, LONG);

  it("deploys, previews, stops and starts a graph through the procedures, and refuses a viewer's deploy", async () => {
    const { operator, viewer } = callers;
    const text = await readFile(DESCRIPTOR_PATH, "utf8");

    const synced = await operator.clusters.sync();
    expect(synced.clusters).toHaveLength(4);

    // A viewer may read but not act; nothing is written by the refusal.
    const graphsBefore = await handle.db.select({ total: count() }).from(graphs);
    await expect(viewer.graphs.deploy({ project: PROJECT, descriptor: { text } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await handle.db.select({ total: count() }).from(graphs)).toEqual(graphsBefore);

    // validate: parse only, the bad field named with its place, nothing written.
    const broken = text.replace('cpu: "medium"', 'cpu: "enormous"');
    const report = await viewer.graphs.validate({ text: broken });
    expect(report.valid).toBe(false);
    const brokenLine = broken.split("\n").findIndex((line) => line.includes('"enormous"')) + 1;
    expect(report.issues).toEqual([expect.objectContaining({ path: "hdaGraph.services[1].deployment.intent.compute.cpu", line: brokenLine, message: expect.stringContaining("enormous") })]);
    expect(await viewer.graphs.validate({ text })).toEqual({ valid: true, graphId: GRAPH, issues: [] });
    expect(await handle.db.select({ total: count() }).from(graphs)).toEqual(graphsBefore);

    // placement.compare: three algorithms over the synced clusters; the GPU service lands on the GPU cluster.
    const compared = await viewer.placement.compare({ text });
    expect(compared.results.map((result) => result.algorithm)).toEqual(["first-fit", "green-best-fit", "optimal"]);
    for (const result of compared.results) {
      expect(result.status, result.algorithm).not.toBe("infeasible");
      expect(result.placement["ml-inference"]).toEqual(["frankfurt"]);
    }
    expect(await handle.db.select({ total: count() }).from(placements)).toEqual([{ total: 0 }]);

    // deploy answers at once with the running operation; operations.get follows it to its end.
    const deployed = await operator.graphs.deploy({ project: PROJECT, descriptor: { text } });
    expect(deployed.graph?.graph.name).toBe(GRAPH);
    expect(deployed.operation).toMatchObject({ kind: "deploy", status: "running", actor: "operator-user" });
    const deployOperation = await finishedOperation(operator, deployed.operation.id);
    expect(deployOperation.status, deployOperation.error ?? "").toBe("succeeded");
    expect(deployOperation.steps.map((step) => step.action)).toEqual(expect.arrayContaining(["placement", "helm-install"]));

    const detail = await viewer.graphs.get({ name: GRAPH });
    expect(detail.graph.status).toBe("Running");
    expect(detail.services.map((service) => service.status)).toEqual(detail.services.map(() => "Deployed"));
    for (const service of detail.services) {
      expect(service.clusters.length, service.name).toBeGreaterThan(0);
      // What the database says matches where Karmada scheduled the release.
      expect((await test.deps.clients.karmada.getReleasePlacement(PROJECT, service.name)).sort(), service.name).toEqual([...service.clusters].sort());
    }
    expect(detail.services.find((service) => service.name === "ml-inference")?.clusters).toEqual(["frankfurt"]);
    expect((await viewer.graphs.list({ project: PROJECT })).items.map((graph) => graph.name)).toEqual([GRAPH]);
    expect((await viewer.graphs.projects()).map((project) => project.name)).toEqual([PROJECT]);

    // previewReplacement: moves and objective terms, stored as an unapplied placement.
    const preview = await operator.graphs.previewReplacement({ name: GRAPH, algorithm: "optimal" });
    expect(preview.graphName).toBe(GRAPH);
    expect(Array.isArray(preview.moves)).toBe(true);
    expect(Object.keys(preview.before.terms).sort()).toEqual(["balance", "carbon", "communication", "migration"]);
    expect(preview.after?.feasible).toBe(true);

    // The scaler's re-placement hook is debounced: two reports in a row start one replace operation.
    const replacer = createDebouncedReplacer(await createCoreContext(test.deps, SCALER_ACTOR), REPLACE_DEBOUNCE_MS);
    await replacer(GRAPH, "replicas do not fit");
    await replacer(GRAPH, "replicas do not fit");
    const replaces = await viewer.operations.list({ graphName: GRAPH });
    const replaceOperations = replaces.filter((operation) => operation.kind === "replace");
    expect(replaceOperations).toHaveLength(1);
    expect((await finishedOperation(viewer, replaceOperations[0]!.id)).status).toBe("succeeded");

    // stop, then start: each followed to its end.
    const stopped = await operator.graphs.stop({ name: GRAPH });
    expect((await finishedOperation(operator, stopped.operation.id)).status).toBe("succeeded");
    expect((await viewer.graphs.get({ name: GRAPH })).graph.status).toBe("Stopped");
    expect(await test.deps.clients.karmada.getReleasePlacement(PROJECT, "ml-inference")).toEqual([]);
    const started = await operator.graphs.start({ name: GRAPH });
    expect((await finishedOperation(operator, started.operation.id)).status).toBe("succeeded");
    const restarted = await viewer.graphs.get({ name: GRAPH });
    expect(restarted.graph.status).toBe("Running");
    expect(restarted.services.every((service) => service.status === "Deployed")).toBe(true);

    // events.list: the graph's history, newest first, and filters that work.
    const events = await viewer.events.list({ graphName: GRAPH });
    const kinds = events.map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(["graph.deploy-requested", "graph.deployed", "graph.stopped"]));
    expect(events.every((event) => event.graphName === GRAPH)).toBe(true);
    expect(events.map((event) => event.id)).toEqual([...events.map((event) => event.id)].sort((a, b) => b - a));
    const newest = await viewer.events.list({ graphName: GRAPH, limit: 1 });
    expect(newest).toEqual([events[0]]);

    // Errors map to tRPC codes: an unknown graph is NOT_FOUND.
    await expect(viewer.graphs.get({ name: "no-such-graph" })).rejects.toSatisfy((error) => error instanceof TRPCError && error.code === "NOT_FOUND");
    await expect(viewer.operations.get({ id: "no-such-operation" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  }, LONG);
});
