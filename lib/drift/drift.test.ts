/**
 * Drift against the sandbox: changes made behind SMO's back with helm and the Karmada API are
 * found (each reported once as an event), and reapplyGraph brings the federation back to what
 * the database records.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import { listEvents } from "../events";
import { deployGraph, getGraph, stopGraph } from "../graphs";
import { generateGraphDescriptor } from "../graphs/testdata/descriptors";
import { readPropagationPolicies, sorted, waitFor } from "../graphs/testdata/observe";
import { detectDrift, reapplyGraph } from ".";

const LONG = 240_000;
const PROJECT = "demo";

describe("drift", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore();
    await deployGraph(core.ctx, { project: PROJECT, descriptor: { text: generateGraphDescriptor({ name: "chain", services: 3, chain: true }) } });
    await deployGraph(core.ctx, { project: PROJECT, descriptor: { text: generateGraphDescriptor({ name: "solo", services: 1, servicePrefix: "solo" }) } });
    await stopGraph(core.ctx, { graphName: "solo" });
  }, LONG);
  afterAll(async () => core?.close());

  it("finds a missing release, changed replicas, moved clusters and an orphan release, reporting each once", { timeout: LONG }, async () => {
    expect((await detectDrift(core.ctx)).items).toEqual([]);
    const helm = core.ctx.clients.helm;
    const recorded = await getGraph(core.ctx, "chain");
    const svc2Clusters = recorded.services.find((service) => service.name === "svc-2")!.clusters;
    const elsewhere = ["paris", "stockholm"].find((cluster) => !svc2Clusters.includes(cluster))!;
    await helm.uninstall({ release: "svc-0", namespace: PROJECT });
    await core.ctx.clients.karmada.scaleDeployment(PROJECT, "svc-1", 3);
    await helm.upgrade({ release: "svc-2", namespace: PROJECT, chart: "oci://127.0.0.1:5000/generated/svc-2", values: { clustersAffinity: [elsewhere] }, reuseValues: true });
    await helm.install({ release: "solo-0", namespace: PROJECT, chart: "oci://127.0.0.1:5000/generated/solo-0", values: {} });

    const report = await detectDrift(core.ctx);
    expect(report.checked).toEqual(["chain", "solo"]);
    expect(report.items.map((item) => [item.graph, item.service, item.kind, item.isNew]).sort()).toEqual(
      [
        ["chain", "svc-0", "release-missing", true],
        ["chain", "svc-1", "replicas-changed", true],
        ["chain", "svc-2", "clusters-differ", true],
        ["solo", "solo-0", "orphan-release", true],
      ].sort(),
    );
    expect(report.items.find((item) => item.kind === "replicas-changed")).toMatchObject({ expected: 1, actual: 3 });
    expect(report.items.find((item) => item.kind === "clusters-differ")).toMatchObject({ expected: sorted(svc2Clusters), actual: [elsewhere] });
    const events = (await listEvents(core.ctx)).filter((event) => event.kind.startsWith("drift."));
    expect(events.map((event) => event.kind).sort()).toEqual(["drift.clusters-differ", "drift.orphan-release", "drift.release-missing", "drift.replicas-changed"]);

    // Found again: the same findings, no longer new, no new events.
    const again = await detectDrift(core.ctx, { graphName: "chain" });
    expect(again.items.map((item) => item.isNew)).toEqual([false, false, false]);
    expect((await listEvents(core.ctx)).filter((event) => event.kind.startsWith("drift."))).toHaveLength(4);
  });

  it("re-applies the recorded state: reinstalls, scales back, moves back, uninstalls the orphan", { timeout: LONG }, async () => {
    const chain = await reapplyGraph(core.ctx, { graphName: "chain" });
    expect(chain.operation).toMatchObject({ kind: "reapply", status: "succeeded" });
    const solo = await reapplyGraph(core.ctx, { graphName: "solo" });
    expect(solo.operation.status).toBe("succeeded");

    expect((await detectDrift(core.ctx)).items).toEqual([]);
    const detail = await getGraph(core.ctx, "chain");
    const releases = await core.ctx.clients.helm.list({ namespace: PROJECT });
    expect(sorted(releases.map((release) => release.release))).toEqual(["svc-0", "svc-1", "svc-2"]);
    expect((await core.ctx.clients.karmada.getDeployment(PROJECT, "svc-1"))!.replicas).toBe(1);
    const policies = await readPropagationPolicies(core.sandbox.endpoints.kubeconfig, PROJECT);
    for (const service of detail.services) expect(policies.find((policy) => policy.name === service.name)?.clusterNames).toEqual(sorted(service.clusters));
    await waitFor(
      () => core.sandbox.kube.listWorkloads().filter((workload) => workload.namespace === PROJECT),
      (workloads) =>
        workloads.length === 3 &&
        detail.services.every((service) => {
          const workload = workloads.find((candidate) => candidate.name === service.name);
          return workload !== undefined && workload.placements.length > 0 && workload.placements.every((placement) => service.clusters.includes(placement.cluster));
        }),
      "the chain's Deployments back on their recorded clusters, and the orphan gone",
    );
    expect((await getGraph(core.ctx, "solo")).services.map((service) => service.status)).toEqual(["Not deployed"]);
  });
});
