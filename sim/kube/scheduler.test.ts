/**
 * The emulated Karmada control loop observed through the API, as a client sees it: policies
 * place Deployments, member capacity is accounted, unreachable members keep stale summaries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1Deployment } from "@kubernetes/client-node";
import { parseQuantity } from "../../lib/quantity";
import { startKubeEmulator, type KubeEmulator, type SimClusterSpec } from "./index";

const CLUSTERS: SimClusterSpec[] = [
  { name: "big", cpu: "16", memory: "64Gi", gpus: 2, region: "eu-central", carbonIntensity: 300 },
  { name: "mid", cpu: "8", memory: "32Gi", region: "eu-west", carbonIntensity: 60 },
  { name: "small", cpu: "4", memory: "16Gi", region: "eu-north", carbonIntensity: 40 },
];

const DELAY_MS = 100;

type ClusterObject = {
  metadata: { name: string; resourceVersion: string };
  spec: { taints?: { key: string; effect: string }[] };
  status: {
    conditions: { type: string; status: string; reason: string; message: string }[];
    resourceSummary: { allocatable: Record<string, string>; allocated?: Record<string, string>; allocating?: Record<string, string> };
  };
};

function deploymentManifest(name: string, replicas: number, cpu = "500m", memory = "256Mi"): V1Deployment {
  return {
    metadata: { name, labels: { app: name, "app.kubernetes.io/instance": `${name}-release` } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: "nginx:1.27", resources: { requests: { cpu, memory }, limits: { cpu: "1" } } }] },
      },
    },
  };
}

function policyManifest(name: string, deployment: string, placement: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "policy.karmada.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name },
    spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: deployment }], placement },
  };
}

/** Polls until `check` passes (the controllers run after their delay). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe("emulated Karmada scheduling", () => {
  let emulator: KubeEmulator;
  let apps: AppsV1Api;
  let custom: CustomObjectsApi;

  const readCluster = async (name: string) =>
    (await custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name })) as ClusterObject;
  const allocatedCpu = (cluster: ClusterObject) => parseQuantity(cluster.status.resourceSummary.allocated?.cpu ?? "0");
  const createPolicy = (namespace: string, body: Record<string, unknown>) =>
    custom.createNamespacedCustomObject({ group: "policy.karmada.io", version: "v1alpha1", namespace, plural: "propagationpolicies", body });
  const readDeployment = (name: string, namespace = "shop") => apps.readNamespacedDeployment({ name, namespace });

  beforeAll(async () => {
    emulator = await startKubeEmulator({ clusters: CLUSTERS, schedulerDelayMs: DELAY_MS });
    const config = new KubeConfig();
    config.loadFromFile(emulator.kubeconfigPath);
    apps = config.makeApiClient(AppsV1Api);
    custom = config.makeApiClient(CustomObjectsApi);
    await config.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "shop" } } });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it("leaves a Deployment without a policy unscheduled", async () => {
    await apps.createNamespacedDeployment({ namespace: "shop", body: deploymentManifest("orphan", 1) });
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 3));
    const orphan = await readDeployment("orphan");
    expect(orphan.status?.availableReplicas).toBeUndefined();
    expect(orphan.metadata?.annotations?.["propagationpolicy.karmada.io/name"]).toBeUndefined();
    expect(emulator.listWorkloads().find((workload) => workload.name === "orphan")?.placements).toEqual([]);
    await apps.deleteNamespacedDeployment({ name: "orphan", namespace: "shop" });
  });

  it("divides replicas by static weight after the delay, marks the Deployment and grows allocated", async () => {
    const bigBefore = allocatedCpu(await readCluster("big"));
    const midBefore = allocatedCpu(await readCluster("mid"));
    await apps.createNamespacedDeployment({ namespace: "shop", body: deploymentManifest("web", 3) });
    await createPolicy(
      "shop",
      policyManifest("web-propagation", "web", {
        clusterAffinity: { clusterNames: ["big", "mid"] },
        replicaScheduling: {
          replicaSchedulingType: "Divided",
          replicaDivisionPreference: "Weighted",
          weightPreference: {
            staticWeightList: [
              { targetCluster: { clusterNames: ["big"] }, weight: 2 },
              { targetCluster: { clusterNames: ["mid"] }, weight: 1 },
            ],
          },
        },
      }),
    );
    const web = await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.availableReplicas).toBe(3),
    );
    expect(web.status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3, observedGeneration: web.metadata?.generation });
    expect(web.status?.conditions?.find((condition) => condition.type === "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    expect(web.metadata?.annotations).toMatchObject({ "propagationpolicy.karmada.io/name": "web-propagation", "propagationpolicy.karmada.io/namespace": "shop" });
    expect(web.metadata?.labels?.["propagationpolicy.karmada.io/permanent-id"]).toMatch(/^[0-9a-f-]{36}$/);

    expect(allocatedCpu(await readCluster("big"))).toBeCloseTo(bigBefore + 2 * 0.5);
    expect(allocatedCpu(await readCluster("mid"))).toBeCloseTo(midBefore + 1 * 0.5);
    const workload = emulator.listWorkloads().find((entry) => entry.name === "web")!;
    expect(workload).toMatchObject({
      namespace: "shop",
      service: "web-release",
      replicas: 3,
      availableReplicas: 3,
      placements: [
        { cluster: "big", replicas: 2 },
        { cluster: "mid", replicas: 1 },
      ],
    });
    expect(workload.cpuRequest).toBeCloseTo(0.5);
    expect(workload.cpuLimit).toBeCloseTo(1);
    expect(workload.memoryRequest).toBe(256 * 2 ** 20);
    const info = emulator.listClusters().find((cluster) => cluster.name === "big")!;
    expect(info).toMatchObject({ ready: true, cpu: 16, memory: 64 * 2 ** 30, gpus: 2 });
    expect(info.allocatedCpu).toBeCloseTo(bigBefore + 1);
  });

  it("re-divides after a scale and reports the new placement", async () => {
    await apps.patchNamespacedDeploymentScale({ name: "web", namespace: "shop", body: [{ op: "replace", path: "/spec/replicas", value: 6 }] });
    await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.availableReplicas).toBe(6),
    );
    expect(emulator.listWorkloads().find((entry) => entry.name === "web")!.placements).toEqual([
      { cluster: "big", replicas: 4 },
      { cluster: "mid", replicas: 2 },
    ]);
  });

  it("duplicates replicas on every selected cluster by default", async () => {
    await apps.createNamespacedDeployment({ namespace: "shop", body: deploymentManifest("cache", 2, "100m", "64Mi") });
    await createPolicy("shop", policyManifest("cache-propagation", "cache", { clusterAffinity: { clusterNames: ["mid", "small"] } }));
    const cache = await eventually(
      () => readDeployment("cache"),
      (deployment) => expect(deployment.status?.availableReplicas).toBe(4),
    );
    expect(cache.status?.replicas).toBe(4);
    expect(emulator.listWorkloads().find((entry) => entry.name === "cache")!.placements).toEqual([
      { cluster: "mid", replicas: 2 },
      { cluster: "small", replicas: 2 },
    ]);
  });

  it("reports a policy whose clusters cannot be used as unschedulable", async () => {
    await apps.createNamespacedDeployment({ namespace: "shop", body: deploymentManifest("lost", 2) });
    await createPolicy("shop", policyManifest("lost-propagation", "lost", { clusterAffinity: { clusterNames: ["nowhere"] } }));
    const lost = await eventually(
      () => readDeployment("lost"),
      (deployment) => expect(deployment.status?.conditions?.some((condition) => condition.type === "ReplicaFailure")).toBe(true),
    );
    expect(lost.status?.availableReplicas).toBeUndefined();
    expect(lost.status?.conditions?.find((condition) => condition.type === "Available")?.status).toBe("False");
    expect(lost.status?.conditions?.find((condition) => condition.type === "ReplicaFailure")?.message).toBe(
      "0/3 clusters are available: 3 cluster(s) did not match the placement cluster affinity constraint.",
    );
  });

  it("keeps replicas that do not fit a member Pending (allocating), not available", async () => {
    // 3 cores on "small" minus system pods: five 1-core replicas cannot all run.
    await apps.createNamespacedDeployment({ namespace: "shop", body: deploymentManifest("heavy", 5, "1", "512Mi") });
    await createPolicy("shop", policyManifest("heavy-propagation", "heavy", { clusterAffinity: { clusterNames: ["small"] } }));
    const heavy = await eventually(
      () => readDeployment("heavy"),
      (deployment) => expect(deployment.status?.replicas).toBe(5),
    );
    const small = await readCluster("small");
    const running = heavy.status?.availableReplicas ?? 0;
    expect(running).toBeLessThan(5);
    expect(running).toBeGreaterThan(0);
    expect(heavy.status?.unavailableReplicas).toBe(5 - running);
    expect(parseQuantity(small.status.resourceSummary.allocating?.cpu ?? "0")).toBeCloseTo(5 - running);
    expect(allocatedCpu(small)).toBeLessThanOrEqual(4);
  });

  it("on setClusterReady(false) changes only Ready, keeps the summary stale, taints the cluster and drops its replicas", async () => {
    const before = await readCluster("mid");
    emulator.setClusterReady("mid", false);
    const after = await readCluster("mid");
    expect(after.status.conditions.find((condition) => condition.type === "Ready")).toMatchObject({
      status: "False",
      reason: "ClusterNotReachable",
      message: "cluster is not reachable",
    });
    expect(after.status.resourceSummary).toEqual(before.status.resourceSummary);
    expect(after.spec.taints).toEqual([expect.objectContaining({ key: "cluster.karmada.io/not-ready", effect: "NoSchedule" })]);
    expect(after.status.conditions.find((condition) => condition.type === "CompleteAPIEnablements")).toEqual(
      before.status.conditions.find((condition) => condition.type === "CompleteAPIEnablements"),
    );

    const web = await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.availableReplicas).toBe(4),
    );
    expect(web.status?.replicas).toBe(6);
    expect(web.status?.unavailableReplicas).toBe(2);
    expect(emulator.listClusters().find((cluster) => cluster.name === "mid")?.ready).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 2));
    expect((await readCluster("mid")).status.resourceSummary).toEqual(before.status.resourceSummary);

    emulator.setClusterReady("mid", true);
    const back = await readCluster("mid");
    expect(back.spec.taints).toBeUndefined();
    await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.availableReplicas).toBe(6),
    );
  });

  it("takes faults and capacity changes through the control endpoint", async () => {
    const post = (name: string, body: unknown) =>
      fetch(`${emulator.url}/sim/v1/clusters/${name}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${emulator.token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const unauthorized = await fetch(`${emulator.url}/sim/v1/clusters/big`, { method: "POST", body: "{}" });
    expect(unauthorized.status).toBe(401);
    const unknown = await post("nowhere", { ready: false });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toBe('cluster "nowhere" not found');
    const bad = await post("big", { ready: "no" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("ready");
    const badCpu = await post("big", { cpu: "lots" });
    expect(badCpu.status).toBe(400);
    expect(((await badCpu.json()) as { error: string }).error).toContain("cpu");
    expect((await readCluster("big")).status.resourceSummary.allocatable.cpu).toBe("16");

    const grown = await post("big", { cpu: "32", gpus: 4 });
    expect(grown.status).toBe(200);
    const grownCluster = (await grown.json()) as ClusterObject;
    expect(grownCluster.status.resourceSummary.allocatable).toMatchObject({ cpu: "32", "nvidia.com/gpu": "4" });

    const down = await post("big", { ready: false });
    const downCluster = (await down.json()) as ClusterObject;
    expect(downCluster.status.conditions.find((condition) => condition.type === "Ready")?.status).toBe("False");
    expect(downCluster.status.resourceSummary).toEqual(grownCluster.status.resourceSummary);
    await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.availableReplicas).toBe(2),
    );
    const state = (await (await fetch(`${emulator.url}/sim/v1/state`, { headers: { Authorization: `Bearer ${emulator.token}` } })).json()) as {
      clusters: { name: string; ready: boolean }[];
      workloads: { name: string; availableReplicas: number }[];
    };
    expect(state.clusters.find((cluster) => cluster.name === "big")?.ready).toBe(false);
    expect(state.workloads.find((workload) => workload.name === "web")?.availableReplicas).toBe(2);
    await post("big", { ready: true });
    await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.availableReplicas).toBe(6),
    );
  });

  it("keeps the previous placement running when a policy change cannot be scheduled", async () => {
    const policies = { group: "policy.karmada.io", version: "v1alpha1", namespace: "shop", plural: "propagationpolicies", name: "web-propagation" };
    const original = (await custom.getNamespacedCustomObject(policies)) as { spec: { placement: { clusterAffinity: { clusterNames: string[] } } } };
    await custom.patchNamespacedCustomObject({ ...policies, body: [{ op: "replace", path: "/spec/placement/clusterAffinity/clusterNames", value: ["nowhere"] }] });
    const web = await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.conditions?.find((condition) => condition.type === "ReplicaFailure")?.status).toBe("True"),
    );
    expect(web.status?.availableReplicas).toBe(6);
    expect(emulator.listWorkloads().find((workload) => workload.name === "web")!.placements).toEqual([
      { cluster: "big", replicas: 4 },
      { cluster: "mid", replicas: 2 },
    ]);
    await custom.patchNamespacedCustomObject({
      ...policies,
      body: [{ op: "replace", path: "/spec/placement/clusterAffinity/clusterNames", value: original.spec.placement.clusterAffinity.clusterNames }],
    });
    await eventually(
      () => readDeployment("web"),
      (deployment) => expect(deployment.status?.conditions?.some((condition) => condition.type === "ReplicaFailure")).toBe(false),
    );
  });

  it("frees capacity when the Deployment or its policy is deleted", async () => {
    const before = allocatedCpu(await readCluster("small"));
    await apps.deleteNamespacedDeployment({ name: "cache", namespace: "shop" });
    await eventually(
      () => readCluster("mid"),
      () => expect(emulator.listWorkloads().some((workload) => workload.name === "cache")).toBe(false),
    );
    await eventually(
      () => readCluster("small"),
      (small) => expect(allocatedCpu(small)).toBeLessThanOrEqual(before),
    );
    const bigWithWeb = allocatedCpu(await readCluster("big"));
    await custom.deleteNamespacedCustomObject({ group: "policy.karmada.io", version: "v1alpha1", namespace: "shop", plural: "propagationpolicies", name: "web-propagation" });
    await eventually(
      () => readCluster("big"),
      (big) => expect(allocatedCpu(big)).toBeCloseTo(bigWithWeb - 4 * 0.5),
    );
    const web = await readDeployment("web");
    expect(web.metadata?.annotations?.["propagationpolicy.karmada.io/name"]).toBeUndefined();
    expect(emulator.listWorkloads().find((workload) => workload.name === "web")?.placements).toEqual([]);
  });
});
