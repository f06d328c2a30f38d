/**
 * The sandbox's scenario controls end to end: each knob changes the simulated federation the way
 * the real one would change, and the console's own code paths see it (a cluster sync, the
 * Alertmanager webhook handler deploying a Pending service, the load Prometheus reports).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../db";
import { databaseTargets } from "../db/testing";
import { alertFingerprint } from "../lib/alerts";
import type { Caller } from "../lib/auth";
import { listEvents } from "../lib/events";
import { deployGraph, getGraph } from "../lib/graphs";
import { sampleDescriptorText } from "../lib/graphs/testdata/descriptors";
import { waitFor } from "../lib/graphs/testdata/observe";
import { getOperation } from "../lib/operations";
import { appRouter } from "./routers/_app";
import { addUser, createTestDeps, type TestDeps } from "./testing";
import { createCallerFactory, createContextInner } from "./trpc";

const LONG = 240_000;
const GRAPH = "image-detection-graph";
const PENDING_SERVICE = "image-compression-vo";

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe("the alert fingerprint", () => {
  it("is Prometheus's label-set fingerprint (its own test vector)", () => {
    expect(BigInt(`0x${alertFingerprint({ name: "garland, briggs", fear: "love is not enough" })}`)).toBe(5799056148416392346n);
    expect(alertFingerprint({})).toBe("cbf29ce484222325");
  });
});

describe.each(databaseTargets())("sandbox scenario controls on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let operator: Caller;
  let viewer: Caller;
  const createCaller = createCallerFactory(appRouter);
  const as = (caller: Caller, deps = test.deps) => createCaller(createContextInner({ deps, caller, via: "bearer" }));

  beforeAll(async () => {
    handle = await target.open();
    test = await createTestDeps({ database: handle });
    const olga = await addUser(test.deps, "olga", "operator");
    const vic = await addUser(test.deps, "vic", "viewer");
    operator = { kind: "user", userId: olga.id, username: olga.username, role: "operator", sessionId: "session-olga" };
    viewer = { kind: "user", userId: vic.id, username: vic.username, role: "viewer", sessionId: "session-vic" };
  }, LONG);
  afterAll(async () => {
    await test?.close();
    await handle?.close();
  });

  it("reports the sandbox's clusters; a cluster set NotReady is NotReady after a sync, and Ready again after the next", async () => {
    const status = await as(viewer).sandbox.status();
    expect(status.enabled).toBe(true);
    expect(status.clusters.length).toBeGreaterThan(1);
    expect(status.clusters.every((cluster) => cluster.ready)).toBe(true);
    const victim = status.clusters[0]!.name;

    await as(operator).clusters.sync();
    expect((await as(viewer).clusters.get({ name: victim })).ready).toBe(true);

    await as(operator).sandbox.setClusterReady({ name: victim, ready: false });
    expect((await as(viewer).sandbox.status()).clusters.find((cluster) => cluster.name === victim)!.ready).toBe(false);
    await as(operator).clusters.sync();
    expect((await as(viewer).clusters.get({ name: victim })).ready).toBe(false);
    expect((await listEvents({ db: handle.db }, { clusterName: victim, kind: "cluster.not-ready" })).length).toBeGreaterThan(0);

    await as(operator).sandbox.setClusterReady({ name: victim, ready: true });
    await as(operator).clusters.sync();
    expect((await as(viewer).clusters.get({ name: victim })).ready).toBe(true);

    await expect(as(operator).sandbox.setClusterReady({ name: "atlantis", ready: false })).rejects.toMatchObject({ code: "NOT_FOUND", message: 'cluster "atlantis" not found' });
  });

  it("sets a service's request load, which the status reports as the Prometheus emulator now serves it", async () => {
    await as(operator).sandbox.setLoad({ service: "checkout", requestsPerSecond: 42.5 });
    expect((await as(viewer).sandbox.status()).loads).toContainEqual({ service: "checkout", requestsPerSecond: 42.5 });
    await expect(as(operator).sandbox.setLoad({ service: "checkout", requestsPerSecond: -1 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("fires a Pending service's alert as Alertmanager would: the service gets deployed; a service without an event trigger is refused", { timeout: LONG }, async () => {
    const deployed = await deployGraph(await createContextInner({ deps: test.deps, caller: operator }).core(), {
      project: "brussels",
      descriptor: { text: sampleDescriptorText(GRAPH) },
    });
    expect(deployed.operation.status).toBe("succeeded");
    const services = (await getGraph({ db: handle.db }, GRAPH)).services;
    expect(services.find((service) => service.name === PENDING_SERVICE)!.status).toBe("Pending");

    const fired = await as(operator).sandbox.fireAlert({ graphName: GRAPH, service: PENDING_SERVICE });
    expect(fired).toMatchObject({ status: "firing", alertName: "main-event", service: PENDING_SERVICE, graph: GRAPH, outcome: "deploying" });
    expect(fired.fingerprint).toBe(alertFingerprint({ alertname: "main-event", severity: "critical", service: PENDING_SERVICE }));
    const operation = await waitFor(
      () => getOperation({ db: handle.db }, fired.operationId!),
      (candidate) => candidate?.status === "succeeded" || candidate?.status === "failed",
      "the alert's deploy operation",
      LONG / 2,
    );
    expect(operation).toMatchObject({ kind: "deploy", status: "succeeded", input: { service: PENDING_SERVICE } });
    expect((await getGraph({ db: handle.db }, GRAPH)).services.find((service) => service.name === PENDING_SERVICE)!.status).toBe("Deployed");

    // Firing again: Alertmanager's next firing of a deployed service changes nothing.
    expect(await as(operator).sandbox.fireAlert({ graphName: GRAPH, service: PENDING_SERVICE })).toMatchObject({ outcome: "already-deployed" });

    const always = services.find((service) => !service.eventTriggered)!.name;
    await expect(as(operator).sandbox.fireAlert({ graphName: GRAPH, service: always })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `service "${always}" of graph "${GRAPH}" has no event trigger: it is deployed with its graph, never by an alert`,
    });
    await expect(as(operator).sandbox.fireAlert({ graphName: GRAPH, service: PENDING_SERVICE, alertName: "other-event" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(as(operator).sandbox.fireAlert({ graphName: "no-such-graph", service: PENDING_SERVICE })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("outside sandbox mode: status says so and every control is refused as not a sandbox", async () => {
    const production = { ...test.deps, sandbox: undefined, sandboxControls: undefined };
    expect(await as(viewer, production).sandbox.status()).toEqual({ enabled: false, clusters: [], loads: [] });
    const refused = [
      () => as(operator, production).sandbox.setLoad({ service: "checkout", requestsPerSecond: 1 }),
      () => as(operator, production).sandbox.setClusterReady({ name: "paris", ready: false }),
      () => as(operator, production).sandbox.fireAlert({ graphName: GRAPH, service: PENDING_SERVICE }),
    ];
    for (const call of refused) await expect(call()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/^not a sandbox: /) });
    expect(await codeOf(as(viewer).sandbox.setLoad({ service: "checkout", requestsPerSecond: 1 }))).toBe("FORBIDDEN");
  });
});
