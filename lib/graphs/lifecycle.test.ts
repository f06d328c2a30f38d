/**
 * The lifecycle of the three sample graphs against the sandbox federation, through the real
 * clients: deploy, stop, start, re-place and remove. Each step is checked on the emulators
 * themselves: Deployments and where Karmada scheduled them, PropagationPolicies and the SMO
 * alert rules read with client-node, helm's releases, Grafana's dashboards.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphs, operations, projects } from "../../db/schema";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import { NotFoundError, PreconditionFailedError, ValidationError } from "../errors";
import { listEvents } from "../events";
import { dashboardUid } from "../grafana";
import { deployGraph, getGraph, listGraphs, listProjects, previewReplacement, removeGraph, replaceGraph, startGraph, stopGraph, type GraphDetail } from ".";
import { generateGraphDescriptor, sampleDescriptorPath, sampleDescriptorText, type SampleGraph } from "./testdata/descriptors";
import { readPropagationPolicies, readSmoAlertRules, sorted, waitFor } from "./testdata/observe";

const PROJECT = "demo";
const LONG = 240_000;

type SampleCase = {
  graph: SampleGraph;
  /** Event-triggered services: Pending with an alert rule, never installed by deploy or start. */
  pending: string[];
  gpu?: string;
  /** Services that must run on this many distinct clusters (high availability). */
  spread?: Record<string, number>;
};

const CASES: SampleCase[] = [
  { graph: "image-detection-graph", pending: ["image-compression-vo"] },
  { graph: "gpu-offloading-graph", pending: [], gpu: "ml-inference" },
  { graph: "resilience-critical-graph", pending: [], spread: { "critical-service": 2 } },
];

/** Where the emulated Karmada scheduled each Deployment of the namespace (clusters with replicas). */
function scheduledClusters(core: SandboxCore, namespace: string): Record<string, string[]> {
  return Object.fromEntries(
    core.sandbox.kube
      .listWorkloads()
      .filter((workload) => workload.namespace === namespace)
      .map((workload) => [workload.name, sorted(workload.placements.filter((placement) => placement.replicas > 0).map((placement) => placement.cluster))]),
  );
}

/** Checks a running graph on the emulators: every installed service where the database places it, Pending ones absent but alerted. */
async function expectRunningOnEmulators(core: SandboxCore, detail: GraphDetail, testCase: SampleCase): Promise<void> {
  const installed = detail.services.filter((service) => service.status === "Deployed");
  const expected = Object.fromEntries(installed.map((service) => [service.name, sorted(service.clusters)]));
  const scheduled = await waitFor(
    () => scheduledClusters(core, PROJECT),
    (current) => installed.every((service) => JSON.stringify(current[service.name]) === JSON.stringify(expected[service.name])),
    `the Deployments of ${detail.graph.name} to be scheduled on their clusters`,
  );
  for (const name of testCase.pending) expect(scheduled[name], `${name} is Pending: no Deployment`).toBeUndefined();

  const policies = await readPropagationPolicies(core.sandbox.endpoints.kubeconfig, PROJECT);
  for (const service of installed) {
    const policy = policies.find((candidate) => candidate.name === service.name);
    expect(policy?.clusterNames, `PropagationPolicy of ${service.name}`).toEqual(sorted(service.clusters));
    expect(policy?.selects).toContain(`Deployment/${service.name}`);
  }
  const releases = await core.ctx.clients.helm.list({ namespace: PROJECT });
  expect(sorted(releases.map((release) => release.release))).toEqual(sorted(installed.map((service) => service.name)));
  expect(releases.every((release) => release.status === "deployed")).toBe(true);

  const rules = await readSmoAlertRules(core.sandbox.endpoints.kubeconfig);
  for (const name of testCase.pending) {
    const rule = rules.find((entry) => entry.labels.service === name);
    expect(rule, `alert rule of ${name}`).toMatchObject({ alert: "main-event", for: "2m", labels: { severity: "critical", service: name } });
  }
}

describe.each(CASES)("lifecycle of $graph", (testCase) => {
  let core: SandboxCore;
  let deployed: GraphDetail;
  beforeAll(async () => {
    core = await startSandboxCore();
  });
  afterAll(async () => core?.close());

  it("deploys: places over the Ready clusters, installs, alerts the event-triggered services, publishes dashboards", { timeout: LONG }, async () => {
    const result = await deployGraph(core.ctx, { project: PROJECT, descriptor: { file: sampleDescriptorPath(testCase.graph) } });
    expect(result.operation).toMatchObject({ kind: "deploy", status: "succeeded", graphName: testCase.graph });
    deployed = result.graph;
    expect(deployed.graph.status).toBe("Running");
    for (const service of deployed.services) {
      expect(service.status).toBe(testCase.pending.includes(service.name) ? "Pending" : "Deployed");
      expect(service.clusters.length).toBeGreaterThan(0);
    }
    if (testCase.gpu) expect(deployed.services.find((service) => service.name === testCase.gpu)!.clusters).toEqual(["frankfurt"]);
    for (const [service, count] of Object.entries(testCase.spread ?? {})) {
      expect(new Set(deployed.services.find((candidate) => candidate.name === service)!.clusters).size).toBe(count);
    }
    expect(deployed.placement).toMatchObject({ algorithm: "first-fit", status: "feasible" });
    expect(deployed.placement!.explanations.length).toBe(deployed.services.length);
    await expectRunningOnEmulators(core, deployed, testCase);

    // The samples are static graphs without clustersAffinity: the event says they were placed anyway.
    const [placed] = await listEvents(core.ctx, { graphName: testCase.graph, kind: "graph.placed" });
    expect(placed!.message).toContain("placed by first-fit because the descriptor gives no clustersAffinity");

    const dashboards = core.sandbox.grafana.listDashboards();
    const graphUid = dashboardUid("graph", PROJECT, testCase.graph);
    const graphDashboard = dashboards.find((dashboard) => dashboard.uid === graphUid)!;
    const variable = (graphDashboard.dashboard.templating as { list: { name: string; query?: string }[] }).list.find((entry) => entry.name === "service");
    expect(variable?.query?.split(",").sort()).toEqual(sorted(deployed.services.map((service) => service.name)));
    for (const service of deployed.services) {
      expect(dashboards.filter((dashboard) => dashboard.uid === dashboardUid("service", PROJECT, testCase.graph, service.name))).toHaveLength(1);
      expect(service.grafanaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/d\//);
    }
  });

  it("refuses a second graph of the same name and changes nothing", { timeout: LONG }, async () => {
    await expect(deployGraph(core.ctx, { project: "other", descriptor: { text: sampleDescriptorText(testCase.graph) } })).rejects.toThrow(/already exists/);
    expect(await core.ctx.db.select().from(graphs)).toHaveLength(1);
    expect((await core.ctx.db.select().from(projects)).map((project) => project.name)).toEqual([PROJECT]);
  });

  it("stops: uninstalls everything, removes the alert rules; stopping again is refused", { timeout: LONG }, async () => {
    const result = await stopGraph(core.ctx, { graphName: testCase.graph });
    expect(result.operation.status).toBe("succeeded");
    expect(result.graph!.graph.status).toBe("Stopped");
    expect(result.graph!.services.map((service) => service.status)).toEqual(deployed.services.map(() => "Not deployed"));
    expect(await core.ctx.clients.helm.list({ namespace: PROJECT })).toEqual([]);
    await waitFor(() => scheduledClusters(core, PROJECT), (current) => Object.keys(current).length === 0, "the Deployments to be deleted");
    expect(await readPropagationPolicies(core.sandbox.endpoints.kubeconfig, PROJECT)).toEqual([]);
    expect((await readSmoAlertRules(core.sandbox.endpoints.kubeconfig)).filter((rule) => testCase.pending.includes(rule.labels.service!))).toEqual([]);

    const operationsBefore = await core.ctx.db.select().from(operations);
    await expect(stopGraph(core.ctx, { graphName: testCase.graph })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await core.ctx.db.select().from(operations)).toHaveLength(operationsBefore.length);
    expect((await getGraph(core.ctx, testCase.graph)).graph.status).toBe("Stopped");
  });

  it("starts: installs again on the recorded clusters, Pending services get their rules back; starting again is refused", { timeout: LONG }, async () => {
    const result = await startGraph(core.ctx, { graphName: testCase.graph });
    expect(result.operation.status).toBe("succeeded");
    const detail = result.graph!;
    expect(detail.graph.status).toBe("Running");
    expect(detail.services.map((service) => [service.name, service.status, service.clusters])).toEqual(
      deployed.services.map((service) => [service.name, testCase.pending.includes(service.name) ? "Pending" : "Deployed", service.clusters]),
    );
    await expectRunningOnEmulators(core, detail, testCase);
    await expect(startGraph(core.ctx, { graphName: testCase.graph })).rejects.toThrow(/already running/);
  });

  it("is re-placed when a cluster it uses goes NotReady (or refuses, saying why, when nothing else can host it)", { timeout: LONG }, async () => {
    const before = await getGraph(core.ctx, testCase.graph);
    const victim = before.services.find((service) => service.status === "Deployed")!.clusters[0]!;
    const revisions = Object.fromEntries((await core.ctx.clients.helm.list({ namespace: PROJECT })).map((release) => [release.release, release.revision]));
    core.sandbox.kube.setClusterReady(victim, false);
    try {
      await waitFor(() => core.ctx.clients.karmada.listClusters(), (clusters) => clusters.some((cluster) => cluster.name === victim && !cluster.ready), `${victim} to be NotReady`);
      const preview = await previewReplacement(core.ctx, { graphName: testCase.graph });
      expect(preview.before.feasible).toBe(false);
      expect(preview.before.violations.join(" ")).toContain(`"${victim}", which is not Ready`);

      if (testCase.gpu && victim === "frankfurt") {
        // The only GPU cluster is gone: no placement exists, and nothing is changed.
        expect(preview.infeasibility).toMatch(/GPU|gpu/);
        await expect(replaceGraph(core.ctx, { graphName: testCase.graph, placementId: preview.placementId })).rejects.toBeInstanceOf(PreconditionFailedError);
        expect((await getGraph(core.ctx, testCase.graph)).services.map((service) => service.clusters)).toEqual(before.services.map((service) => service.clusters));
        return;
      }
      expect(preview.after?.feasible).toBe(true);
      // A preview is a dry run: the applied placement is still the deploy's.
      expect((await getGraph(core.ctx, testCase.graph)).placement!.id).toBe(before.placement!.id);
      const competing = await previewReplacement(core.ctx, { graphName: testCase.graph });
      const onVictim = before.services.filter((service) => service.clusters.includes(victim)).map((service) => service.name);
      expect(sorted(preview.moves.map((move) => move.service))).toEqual(sorted(onVictim));

      const result = await replaceGraph(core.ctx, { graphName: testCase.graph, placementId: preview.placementId });
      expect(result.operation).toMatchObject({ kind: "replace", status: "succeeded" });
      const after = result.graph!;
      for (const service of after.services) {
        expect(service.clusters, service.name).not.toContain(victim);
        expect(service.clusters).toEqual(preview.proposed[service.name]);
      }
      await expectRunningOnEmulators(core, after, testCase);
      // Only the moved services (and those whose ServiceImport clusters changed) were upgraded.
      const upgraded = new Set([...preview.moves.map((move) => move.service), ...preview.importChanges]);
      for (const release of await core.ctx.clients.helm.list({ namespace: PROJECT })) {
        expect(release.revision, release.release).toBe(upgraded.has(release.release) ? revisions[release.release]! + 1 : revisions[release.release]);
      }
      expect(after.placement).toMatchObject({ id: preview.placementId, algorithm: "optimal" });
      expect(after.placement!.terms).toEqual(preview.after!.terms);
      await expect(replaceGraph(core.ctx, { graphName: testCase.graph, placementId: preview.placementId })).rejects.toThrow(/already been applied/);
      // A preview made before the services moved no longer describes them.
      await expect(replaceGraph(core.ctx, { graphName: testCase.graph, placementId: competing.placementId })).rejects.toThrow(/out of date/);
    } finally {
      core.sandbox.kube.setClusterReady(victim, true);
    }
  });

  it.runIf(testCase.gpu !== undefined)("is re-placed by the optimal model when its weights favour balance: the moved service and the one whose imports follow it are upgraded", { timeout: LONG }, async () => {
    await waitFor(() => core.ctx.clients.karmada.listClusters(), (clusters) => clusters.every((cluster) => cluster.ready), "every cluster to be Ready again");
    const before = await getGraph(core.ctx, testCase.graph);
    expect(before.services.map((service) => service.clusters)).toEqual([["frankfurt"], ["frankfurt"]]);
    const revisions = Object.fromEntries((await core.ctx.clients.helm.list({ namespace: PROJECT })).map((release) => [release.release, release.revision]));
    // Balance is the busiest cluster's CPU share: moving the small web-frontend off frankfurt lowers it by more than a migration and a split link cost.
    const result = await replaceGraph(core.ctx, { graphName: testCase.graph, algorithm: "optimal", weights: { balance: 400 } });
    expect(result.preview.moves).toEqual([{ service: "web-frontend", from: ["frankfurt"], to: result.preview.proposed["web-frontend"] }]);
    expect(result.preview.after!.objective).toBeLessThan(result.preview.before.objective);
    const after = result.graph!;
    expect(after.services.find((service) => service.name === testCase.gpu)!.clusters).toEqual(["frankfurt"]);
    expect(after.services.find((service) => service.name === "web-frontend")!.clusters).not.toContain("frankfurt");
    await expectRunningOnEmulators(core, after, testCase);
    // web-frontend connects to ml-inference: ml-inference's ServiceImport must follow it to its new cluster.
    const webCluster = result.preview.proposed["web-frontend"]!;
    expect(result.preview.importChanges).toEqual([testCase.gpu]);
    const policies = await readPropagationPolicies(core.sandbox.endpoints.kubeconfig, PROJECT);
    expect(policies.find((policy) => policy.name === `${testCase.gpu}-import`)?.clusterNames).toEqual(webCluster);
    const releases = Object.fromEntries((await core.ctx.clients.helm.list({ namespace: PROJECT })).map((release) => [release.release, release.revision]));
    expect(releases).toEqual({ "web-frontend": revisions["web-frontend"]! + 1, [testCase.gpu!]: revisions[testCase.gpu!]! + 1 });
  });

  it("removes: uninstalls, deletes the dashboards and the graph; the operation keeps the graph's name", { timeout: LONG }, async () => {
    const detail = await getGraph(core.ctx, testCase.graph);
    const result = await removeGraph(core.ctx, { graphName: testCase.graph });
    expect(result.operation).toMatchObject({ kind: "remove", status: "succeeded", graphName: testCase.graph, graphId: null });
    expect(result.graph).toBeUndefined();
    await expect(getGraph(core.ctx, testCase.graph)).rejects.toBeInstanceOf(NotFoundError);
    expect(await core.ctx.clients.helm.list({ namespace: PROJECT })).toEqual([]);
    await waitFor(() => scheduledClusters(core, PROJECT), (current) => Object.keys(current).length === 0, "the Deployments to be deleted");
    const uids = new Set(core.sandbox.grafana.listDashboards().map((dashboard) => dashboard.uid));
    expect(uids.has(dashboardUid("graph", PROJECT, testCase.graph))).toBe(false);
    for (const service of detail.services) expect(uids.has(dashboardUid("service", PROJECT, testCase.graph, service.name))).toBe(false);
    expect((await readSmoAlertRules(core.sandbox.endpoints.kubeconfig)).filter((rule) => testCase.pending.includes(rule.labels.service!))).toEqual([]);
    const history = await core.ctx.db.select().from(operations).where(eq(operations.graphName, testCase.graph));
    // The refused re-placement (GPU graph, frankfurt down) began no operation.
    const kinds = ["deploy", "remove", "replace", "start", "stop"];
    expect(history.map((operation) => operation.kind).sort()).toEqual(kinds);
    expect(history.every((operation) => operation.status === "succeeded")).toBe(true);
  });
});

describe("deploy input and queries", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore();
  });
  afterAll(async () => core?.close());

  it("rejects an invalid descriptor with paths and writes nothing", async () => {
    const broken = sampleDescriptorText("image-detection-graph").replace('cpu: "small"', 'cpu: "enormous"').replace("ociImage: \"oci://127.0.0.1:5000/test/noise-reduction\"", "ociImage: 42");
    const error = await deployGraph(core.ctx, { project: PROJECT, descriptor: { text: broken } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((issue) => issue.path);
    expect(paths.some((path) => path.includes("services[1]") && path.includes("cpu"))).toBe(true);
    expect(paths.some((path) => path.includes("ociImage"))).toBe(true);
    await expect(deployGraph(core.ctx, { project: "Not A Name", descriptor: { text: sampleDescriptorText("gpu-offloading-graph") } })).rejects.toBeInstanceOf(ValidationError);
    await expect(deployGraph(core.ctx, { project: PROJECT, descriptor: { text: sampleDescriptorText("gpu-offloading-graph") }, algorithm: "random" as never })).rejects.toThrow(/algorithm/);
    await expect(deployGraph(core.ctx, { project: PROJECT, descriptor: { file: "/nonexistent/graph.yaml" } })).rejects.toBeInstanceOf(NotFoundError);
    expect(await core.ctx.db.select().from(graphs)).toEqual([]);
    expect(await core.ctx.db.select().from(projects)).toEqual([]);
    expect(await core.ctx.db.select().from(operations)).toEqual([]);
  });

  it("can return as soon as the deploy operation is recorded", { timeout: LONG }, async () => {
    const result = await deployGraph(core.ctx, { project: "later", descriptor: { text: generateGraphDescriptor({ name: "quick", services: 1, servicePrefix: "quick" }) }, wait: false });
    expect(result.operation).toMatchObject({ kind: "deploy", status: "running" });
    expect(result.graph.graph.status).toBe("Deploying");
    expect(await result.done).toMatchObject({ id: result.operation.id, status: "succeeded" });
    expect((await getGraph(core.ctx, "quick")).services.map((service) => service.status)).toEqual(["Deployed"]);
  });

  it("static placement: keeps the clusters a descriptor gives, places the other services, and says so", { timeout: LONG }, async () => {
    const text = generateGraphDescriptor({ name: "pinned", services: 2, servicePrefix: "pin", useStaticPlacement: true, staticClusters: { 0: ["warsaw"] } });
    const result = await deployGraph(core.ctx, { project: "static", descriptor: { text } });
    expect(result.operation.status).toBe("succeeded");
    expect(result.graph.services.map((service) => [service.name, service.clusters])).toEqual([
      ["pin-0", ["warsaw"]],
      ["pin-1", ["frankfurt"]],
    ]);
    // The pinned service has no explanation: the descriptor chose, and the console says so.
    expect(result.graph.placement).toMatchObject({ pinned: { "pin-0": ["warsaw"] } });
    expect(result.graph.placement!.explanations.map((explanation) => explanation.service)).toEqual(["pin-1"]);
    const [placed] = await listEvents(core.ctx, { graphName: "pinned", kind: "graph.placed" });
    expect(placed!.message).toContain("clusters given by the descriptor for pin-0; pin-1 placed by first-fit");
    const policies = await readPropagationPolicies(core.sandbox.endpoints.kubeconfig, "static");
    expect(policies.find((policy) => policy.name === "pin-0")?.clusterNames).toEqual(["warsaw"]);
    // The same descriptor without useStaticPlacement: SMO places every service, ignoring the given clusters.
    const dynamic = await deployGraph(core.ctx, { project: "dynamic", descriptor: { text: text.replace("id: pinned", "id: unpinned").replace(/pin-/g, "dyn-").replace("useStaticPlacement: True", "useStaticPlacement: False") } });
    expect(dynamic.graph.services.map((service) => service.clusters)).toEqual([["frankfurt"], ["frankfurt"]]);
  });

  it("lists graphs and projects with their counts", { timeout: LONG }, async () => {
    await deployGraph(core.ctx, { project: PROJECT, descriptor: { text: sampleDescriptorText("image-detection-graph") } });
    expect(await listGraphs(core.ctx, { project: PROJECT })).toMatchObject({ items: [{ name: "image-detection-graph", project: PROJECT, status: "Running", services: 3, deployed: 2, pending: 1 }], nextCursor: null, total: 1 });
    expect((await listGraphs(core.ctx)).items.map((graph) => graph.name)).toEqual(["image-detection-graph", "unpinned", "quick", "pinned"]);
    expect(await listGraphs(core.ctx, { project: "elsewhere" })).toEqual({ items: [], nextCursor: null, total: 0 });
    expect(await listProjects(core.ctx)).toMatchObject([
      { name: PROJECT, graphs: 1, running: 1, services: 3 },
      { name: "dynamic", graphs: 1, running: 1, services: 2 },
      { name: "later", graphs: 1, running: 1, services: 1 },
      { name: "static", graphs: 1, running: 1, services: 2 },
    ]);
    const detail = await getGraph(core.ctx, "image-detection-graph");
    expect(detail.operations.map((operation) => operation.kind)).toEqual(["deploy"]);
    expect(detail.services.find((service) => service.name === "image-compression-vo")).toMatchObject({ eventTriggered: true, artifact: { implementer: "WOT" } });
    // WOT: the placement goes under voChartOverwrite once the service is installed; the others at the top level.
    expect(detail.services.find((service) => service.name === "noise-reduction")!.appliedValues).toMatchObject({ clustersAffinity: detail.services[1]!.clusters });
    // The descriptor's links, for the console's topology: connection points with their latency QoS.
    expect(detail.services.map((service) => [service.name, service.connectionPoints, service.latencies, service.coLocation])).toEqual([
      ["image-compression-vo", ["noise-reduction"], { "noise-reduction": "best-effort" }, []],
      ["noise-reduction", ["image-detection"], {}, []],
      ["image-detection", [], {}, []],
    ]);
    expect(detail.placement).toMatchObject({ algorithm: "first-fit", pinned: {} });
    expect(detail.placement!.explanations.map((explanation) => explanation.service)).toEqual(["image-compression-vo", "noise-reduction", "image-detection"]);
    expect(Object.keys(detail.placement!.terms!).sort()).toEqual(["balance", "carbon", "communication", "migration"]);
  });
});
