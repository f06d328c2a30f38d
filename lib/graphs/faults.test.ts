/**
 * Faults during the lifecycle, in the sandbox: Grafana down during a deploy (the deployment
 * completes, the dashboards are deferred and published later, once each), helm failing on one
 * service (the operation fails at that step with helm's message, a retry completes it), and two
 * simultaneous deploys of one graph (exactly one wins; one set of releases).
 */
import { createServer } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphs, operationSteps, services } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import type { CoreContext } from "../context";
import { ConflictError } from "../errors";
import { createGrafanaClient, dashboardUid } from "../grafana";
import { createHelmClient } from "../helm";
import { reconcileDeferredSteps } from "../operations";
import { deployGraph, getGraph, graphDeferredStepHandlers, retryGraphOperation } from ".";
import { generateGraphDescriptor, sampleDescriptorText } from "./testdata/descriptors";

const LONG = 240_000;

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("Grafana down during a deploy", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore({ config: { reconciler: { initialBackoffMs: 60_000, maxBackoffMs: 120_000 } } });
  });
  afterAll(async () => core?.close());

  it("completes the deployment, defers the dashboards, and publishes each exactly once when Grafana is back", { timeout: LONG }, async () => {
    const grafanaDown: CoreContext = {
      ...core.ctx,
      clients: { ...core.ctx.clients, grafana: createGrafanaClient({ url: `http://127.0.0.1:${await deadPort()}`, auth: core.sandbox.grafanaAuth, timeoutMs: 2_000 }) },
    };
    const result = await deployGraph(grafanaDown, { project: "demo", descriptor: { text: sampleDescriptorText("gpu-offloading-graph") } });
    expect(result.operation.status).toBe("succeeded");
    expect(result.graph.graph.status).toBe("Running");
    expect(result.graph.services.map((service) => service.status)).toEqual(["Deployed", "Deployed"]);
    const steps = await core.ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, result.operation.id));
    const dashboardSteps = steps.filter((step) => step.action === "grafana-dashboard");
    expect(dashboardSteps).toHaveLength(3);
    expect(dashboardSteps.every((step) => step.status === "deferred" && step.nextAttemptAt !== null)).toBe(true);
    expect(dashboardSteps[0]!.error).toMatch(/grafana/i);
    expect(core.sandbox.grafana.listDashboards()).toEqual([]);

    // Not yet due: nothing is retried.
    expect(await reconcileDeferredSteps(core.ctx, graphDeferredStepHandlers)).toMatchObject({ retried: 0 });
    const later: CoreContext = { ...core.ctx, clock: () => new Date(Date.now() + 10 * 60_000) };
    expect(await reconcileDeferredSteps(later, graphDeferredStepHandlers)).toMatchObject({ retried: 3, succeeded: 3, stillDeferred: 0 });
    expect(await reconcileDeferredSteps(later, graphDeferredStepHandlers)).toMatchObject({ retried: 0 });

    const uids = core.sandbox.grafana.listDashboards().map((dashboard) => dashboard.uid).sort();
    expect(uids).toEqual(
      [dashboardUid("graph", "demo", "gpu-offloading-graph"), dashboardUid("service", "demo", "gpu-offloading-graph", "web-frontend"), dashboardUid("service", "demo", "gpu-offloading-graph", "ml-inference")].sort(),
    );
    const detail = await getGraph(core.ctx, "gpu-offloading-graph");
    expect(detail.graph.grafanaUrl).toContain(`/d/${dashboardUid("graph", "demo", "gpu-offloading-graph")}/`);
    expect(detail.services.every((service) => service.grafanaUrl?.includes("/d/smo-service-"))).toBe(true);
    const after = await core.ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, result.operation.id));
    expect(after.filter((step) => step.action === "grafana-dashboard").every((step) => step.status === "succeeded")).toBe(true);
  });
});

describe("helm failing on one service", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore({ helmEnv: { SMO_SIM_HELM_FAIL_RELEASES: "noise-reduction" } });
  });
  afterAll(async () => core?.close());

  it("fails the operation at that step with helm's message; retrying completes it without redoing what succeeded", { timeout: LONG }, async () => {
    const result = await deployGraph(core.ctx, { project: "demo", descriptor: { text: sampleDescriptorText("image-detection-graph") } });
    expect(result.operation.status).toBe("failed");
    expect(result.operation.error).toContain("executing \"noise-reduction/templates/deployment.yaml\"");
    const steps = await core.ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, result.operation.id));
    const failed = steps.filter((step) => step.status === "failed");
    expect(failed.map((step) => [step.action, step.target])).toEqual([["helm-install", "noise-reduction"]]);
    expect(failed[0]!.error).toMatch(/^helm: INSTALLATION FAILED: template: noise-reduction\/templates\/deployment\.yaml/);
    expect(failed[0]!.log).toContain("Error: INSTALLATION FAILED: template:");
    expect(result.graph.graph.status).toBe("Failed");
    expect(Object.fromEntries(result.graph.services.map((service) => [service.name, service.status]))).toEqual({
      "image-compression-vo": "Pending",
      "noise-reduction": "Failed",
      "image-detection": "Deployed",
    });
    expect((await core.ctx.clients.helm.list({ namespace: "demo" })).map((release) => release.release)).toEqual(["image-detection"]);

    // The same database and sandbox, with a helm that no longer fails (the fault is gone).
    const healed: CoreContext = {
      ...core.ctx,
      clients: { ...core.ctx.clients, helm: createHelmClient({ helmBin: core.sandbox.endpoints.helmBin, kubeconfigPath: core.sandbox.endpoints.kubeconfig, plainHttp: true }) },
    };
    const retried = await retryGraphOperation(healed, result.operation.id);
    expect(retried).toMatchObject({ id: result.operation.id, status: "succeeded", attempt: 2, error: null });
    const detail = await getGraph(core.ctx, "image-detection-graph");
    expect(detail.graph.status).toBe("Running");
    expect(detail.services.map((service) => service.status)).toEqual(["Pending", "Deployed", "Deployed"]);
    const releases = Object.fromEntries((await core.ctx.clients.helm.list({ namespace: "demo" })).map((release) => [release.release, release.revision]));
    // image-detection's install succeeded on the first attempt and was not run again.
    expect(releases).toEqual({ "image-detection": 1, "noise-reduction": 1 });
    const afterRetry = await core.ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, result.operation.id));
    expect(afterRetry.find((step) => step.target === "image-detection" && step.action === "helm-install")!.attempts).toBe(1);
    expect(afterRetry.find((step) => step.target === "noise-reduction" && step.action === "helm-install")).toMatchObject({ status: "succeeded", attempts: 2 });
  });
});

describe.each(databaseTargets())("two simultaneous deploys of one graph on $name", (target) => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore({ database: await target.open(), config: { instanceId: "console-a" } });
  });
  afterAll(async () => {
    await core?.close();
    await core?.database.close();
  });

  it("lets exactly one succeed; the other gets a ConflictError; one graph and one set of releases", { timeout: LONG }, async () => {
    const descriptor = { text: generateGraphDescriptor({ name: "twin", services: 2, chain: true }) };
    // Two consoles (two instance ids) on one database, as two processes would be.
    const second: CoreContext = { ...core.ctx, config: { ...core.ctx.config, instanceId: "console-b" } };
    const outcomes = await Promise.allSettled([deployGraph(core.ctx, { project: "demo", descriptor }), deployGraph(second, { project: "demo", descriptor })]);
    const fulfilled = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(ConflictError);
    expect((rejected[0]!.reason as Error).message).toContain('graph "twin" already exists');
    expect(await core.ctx.db.select().from(graphs)).toHaveLength(1);
    expect(await core.ctx.db.select().from(services)).toHaveLength(2);
    const releases = await core.ctx.clients.helm.list({ namespace: "demo" });
    expect(releases.map((release) => [release.release, release.revision]).sort()).toEqual([
      ["svc-0", 1],
      ["svc-1", 1],
    ]);
  });
});
