/**
 * The Karmada client against the sandbox's Kubernetes/Karmada API emulator over real HTTP, plus
 * tiny node:http servers for what the emulator does not do on purpose (malformed bodies,
 * silence, forced conflicts). Expected figures are computed here from the raw quantity strings.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX_CLUSTERS, renderKubeconfig, startKubeEmulator, type KubeEmulator, type SimClusterSpec } from "../../sim/kube";
import { ConflictError, NotFoundError, UpstreamError, ValidationError } from "../errors";
import { createKarmadaClient } from "./client";
import { readyPlacementClusters } from "./clusters";
import type { KarmadaClient, PrometheusRule } from "./types";

// ---------------------------------------------------------------------------------------------
// Helpers

/** An independent reading of the quantity forms Karmada writes (exact for millicores and binary suffixes). */
function quantity(text: string): number {
  const match = /^(\d+)(m|Ki|Mi|Gi|Ti)?$/.exec(text);
  if (!match) throw new Error(`test oracle cannot read quantity "${text}"`);
  const digits = Number(match[1]);
  const unit = match[2];
  if (unit === "m") return digits / 1000;
  const factor = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[unit ?? ""] ?? 1;
  return digits * factor;
}

type RawList = Record<string, string> | undefined;
type RawCluster = {
  metadata: { name: string };
  status: { resourceSummary: { allocatable?: RawList; allocated?: RawList; allocating?: RawList } };
};

/** allocatable − allocated − allocating of one resource, from the raw Cluster object. */
function expectedAvailable(cluster: RawCluster, resource: string): number {
  const read = (list: RawList) => (list?.[resource] === undefined ? 0 : quantity(list[resource]!));
  const summary = cluster.status.resourceSummary;
  return Math.max(0, read(summary.allocatable) - read(summary.allocated) - read(summary.allocating));
}

function kubeClients(emulator: KubeEmulator) {
  const config = new KubeConfig();
  config.loadFromFile(emulator.kubeconfigPath);
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api), custom: config.makeApiClient(CustomObjectsApi) };
}

async function rawClusters(emulator: KubeEmulator): Promise<RawCluster[]> {
  const list = (await kubeClients(emulator).custom.listClusterCustomObject({
    group: "cluster.karmada.io",
    version: "v1alpha1",
    plural: "clusters",
  })) as { items: RawCluster[] };
  return list.items;
}

async function waitFor<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await read();
  }
  return last;
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

/** A loopback HTTP server that records every request it receives. */
async function startHttpServer(handler: Handler) {
  const requests: { method: string; url: string }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", url: request.url ?? "" });
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

function clientFor(url: string, token = "test-token", extra: Partial<Parameters<typeof createKarmadaClient>[0]> = {}): KarmadaClient {
  return createKarmadaClient({ kubeconfig: renderKubeconfig({ url, token }), ...extra });
}

function deploymentBody(name: string, replicas: number) {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: "web", image: "nginx:1.27", resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "250m", memory: "128Mi" } } },
            { name: "sidecar", image: "busybox:1.36", resources: { requests: { cpu: "100m", memory: "64Mi" } } },
          ],
        },
      },
    },
  };
}

function policyBody(name: string, deployment: string, clusters: string[]) {
  return {
    apiVersion: "policy.karmada.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name },
    spec: {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: deployment }],
      placement: {
        clusterAffinity: { clusterNames: clusters },
        replicaScheduling: {
          replicaSchedulingType: "Divided",
          replicaDivisionPreference: "Weighted",
          weightPreference: { staticWeightList: clusters.map((cluster) => ({ targetCluster: { clusterNames: [cluster] }, weight: 1 })) },
        },
      },
    },
  };
}

async function deployWithPolicy(emulator: KubeEmulator, namespace: string, name: string, replicas: number, clusters: string[]) {
  const { core, apps, custom } = kubeClients(emulator);
  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch((error: { code?: number }) => {
    if (error.code !== 409) throw error;
  });
  await apps.createNamespacedDeployment({ namespace, body: deploymentBody(name, replicas) });
  await custom.createNamespacedCustomObject({
    group: "policy.karmada.io",
    version: "v1alpha1",
    namespace,
    plural: "propagationpolicies",
    body: policyBody(`${name}-propagation`, name, clusters),
  });
}

// ---------------------------------------------------------------------------------------------

describe("listClusters", () => {
  it("reports the default sandbox clusters with exact available figures", async () => {
    const emulator = await startKubeEmulator({ schedulerDelayMs: 20 });
    try {
      const client = createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath });
      const [clusters, raw] = [await client.listClusters(), await rawClusters(emulator)];
      expect(clusters.map((cluster) => cluster.name)).toEqual(DEFAULT_SANDBOX_CLUSTERS.map((spec) => spec.name));
      for (const spec of DEFAULT_SANDBOX_CLUSTERS) {
        const state = clusters.find((cluster) => cluster.name === spec.name)!;
        const object = raw.find((cluster) => cluster.metadata.name === spec.name)!;
        expect(state).toMatchObject({
          ready: true,
          stale: false,
          region: spec.region,
          zone: spec.zone,
          provider: spec.provider,
          carbonIntensity: spec.carbonIntensity,
          taints: [],
        });
        expect(state.cpu.allocatable).toBe(quantity(spec.cpu));
        expect(state.memory.allocatable).toBe(quantity(spec.memory));
        expect(state.gpus.allocatable).toBe(spec.gpus ?? 0);
        expect(state.cpu.available).toBeCloseTo(expectedAvailable(object, "cpu"), 9);
        expect(state.memory.available).toBe(expectedAvailable(object, "memory"));
        expect(state.gpus.available).toBe(expectedAvailable(object, "nvidia.com/gpu"));
      }
    } finally {
      await emulator.close();
    }
  });

  describe("on a federation mirroring the fixture", () => {
    const fixtureClusters: SimClusterSpec[] = [
      { name: "member1", cpu: "48", memory: "395890588Ki", gpus: 8, region: "eu-west", carbonIntensity: 120 },
      { name: "member2", cpu: "16", memory: "64944520Ki", region: "us-east" },
      { name: "member3", cpu: "8", memory: "32472260Ki", region: "ap-south", ready: false },
    ];
    let emulator: KubeEmulator;
    let client: KarmadaClient;
    beforeAll(async () => {
      emulator = await startKubeEmulator({ clusters: fixtureClusters, schedulerDelayMs: 20 });
      client = createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath });
      // More replicas than member1 can run: the pods that do not fit are Pending, which Karmada reports as `allocating`.
      await deployWithPolicy(emulator, "gpu-jobs", "trainer", 150, ["member1"]);
      await waitFor(() => rawClusters(emulator), (items) => items[0]?.status.resourceSummary.allocating !== undefined, "member1 allocating");
    });
    afterAll(() => emulator.close());

    it("computes allocatable − allocated − allocating, GPUs from nvidia.com/gpu, missing as zero", async () => {
      const [clusters, raw] = [await client.listClusters(), await rawClusters(emulator)];
      const [member1, member2, member3] = clusters;
      const byName = (name: string) => raw.find((cluster) => cluster.metadata.name === name)!;
      expect(byName("member1").status.resourceSummary.allocating).toBeDefined();
      expect(byName("member2").status.resourceSummary.allocating).toBeUndefined();
      for (const state of [member1!, member2!, member3!]) {
        const object = byName(state.name);
        expect(state.cpu.available).toBeCloseTo(expectedAvailable(object, "cpu"), 9);
        expect(state.memory.available).toBe(expectedAvailable(object, "memory"));
        expect(state.gpus.available).toBe(expectedAvailable(object, "nvidia.com/gpu"));
        expect(state.pods.available).toBe(expectedAvailable(object, "pods"));
      }
      expect(member1!.cpu.allocating).toBeGreaterThan(0);
      expect(member1!.gpus.allocatable).toBe(8);
      expect(member1!.memory.allocatable).toBe(395890588 * 1024);
      expect(member1!.carbonIntensity).toBe(120);
      expect(member2!.gpus).toEqual({ allocatable: 0, available: 0 });
      expect(member2!.cpu.allocating).toBe(0);
      expect(member2!.carbonIntensity).toBeUndefined();
      expect(member3).toMatchObject({ ready: false, stale: true, readyReason: "ClusterNotReachable", region: "ap-south" });
      expect(member3!.taints.map((taint) => taint.key)).toEqual(["cluster.karmada.io/not-ready"]);
    });

    it("converts to placement clusters: carbon 0 when the label is absent, NotReady not a candidate", async () => {
      const placement = readyPlacementClusters(await client.listClusters());
      expect(placement.map(({ name, ready, gpu, carbon }) => ({ name, ready, gpu, carbon }))).toEqual([
        { name: "member1", ready: true, gpu: true, carbon: 120 },
        { name: "member2", ready: true, gpu: false, carbon: 0 },
        { name: "member3", ready: false, gpu: false, carbon: 0 },
      ]);
      expect(placement[2]).toMatchObject({ cpu: 0, memory: 0 });
    });
  });
});

describe("fault: a member cluster becomes NotReady", () => {
  let emulator: KubeEmulator;
  let client: KarmadaClient;
  beforeAll(async () => {
    emulator = await startKubeEmulator({
      clusters: [
        { name: "alpha", cpu: "16", memory: "64Gi", carbonIntensity: 100 },
        { name: "beta", cpu: "16", memory: "64Gi", carbonIntensity: 50 },
      ],
      schedulerDelayMs: 20,
    });
    client = createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath });
  });
  afterAll(() => emulator.close());

  it("shows ready=false/stale on the next list, fewer available replicas, and drops the cluster from placement candidates", async () => {
    await deployWithPolicy(emulator, "shop", "web", 4, ["alpha", "beta"]);
    const healthy = await waitFor(() => client.getDeployment("shop", "web"), (state) => state?.availableReplicas === 4, "4 available replicas");
    expect(healthy).toMatchObject({ replicas: 4, readyReplicas: 4, propagationPolicy: { namespace: "shop", name: "web-propagation" } });
    expect((await client.getReleasePlacement("shop", "web")).sort()).toEqual(["alpha", "beta"]);
    const before = (await client.listClusters()).find((cluster) => cluster.name === "beta")!;
    expect(readyPlacementClusters([before])[0]!.ready).toBe(true);

    emulator.setClusterReady("beta", false);

    const beta = (await client.listClusters()).find((cluster) => cluster.name === "beta")!;
    expect(beta).toMatchObject({ ready: false, stale: true, readyReason: "ClusterNotReachable" });
    // Karmada keeps the last summary of an unreachable member: the figures are the old ones.
    expect(beta.cpu).toEqual(before.cpu);
    expect(readyPlacementClusters([beta])[0]).toMatchObject({ name: "beta", ready: false, cpu: 0, memory: 0, carbon: 50 });

    const degraded = await waitFor(() => client.getDeployment("shop", "web"), (state) => (state?.availableReplicas ?? 4) < 4, "fewer available replicas");
    expect(degraded!.availableReplicas).toBe(2);
    expect(degraded!.replicas).toBe(4);

    emulator.setClusterReady("beta", true);
    await waitFor(() => client.getDeployment("shop", "web"), (state) => state?.availableReplicas === 4, "recovery to 4 available replicas");
    expect((await client.listClusters()).find((cluster) => cluster.name === "beta")).toMatchObject({ ready: true, stale: false, taints: [] });
  });
});

describe("deployments and placement", () => {
  let emulator: KubeEmulator;
  let client: KarmadaClient;
  beforeAll(async () => {
    emulator = await startKubeEmulator({
      clusters: [
        { name: "alpha", cpu: "16", memory: "64Gi" },
        { name: "beta", cpu: "16", memory: "64Gi" },
        { name: "gamma", cpu: "16", memory: "64Gi", ready: false },
      ],
      schedulerDelayMs: 20,
    });
    client = createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath });
    await deployWithPolicy(emulator, "shop", "web", 2, ["alpha", "beta", "gamma"]);
    await waitFor(() => client.getDeployment("shop", "web"), (state) => state?.availableReplicas === 2, "2 available replicas");
  });
  afterAll(() => emulator.close());

  it("reads per-replica resources: limits where set, else requests, summed over containers", async () => {
    const state = await client.getDeployment("shop", "web");
    expect(state).toMatchObject({ namespace: "shop", name: "web", replicas: 2, updatedReplicas: 2, labels: { app: "web" } });
    expect(state!.cpuLimit).toBe(0.5 + 0.1);
    expect(state!.memoryLimit).toBe(256 * 2 ** 20 + 64 * 2 ** 20);
  });

  it("returns undefined for a missing deployment", async () => {
    expect(await client.getDeployment("shop", "nothing-here")).toBeUndefined();
    expect(await client.getDeployment("no-such-namespace", "web")).toBeUndefined();
  });

  it("scales through the scale subresource and reads the new replicas back", async () => {
    expect(await client.scaleDeployment("shop", "web", 6)).toBe(6);
    expect((await client.getDeployment("shop", "web"))!.replicas).toBe(6);
    await waitFor(() => client.getDeployment("shop", "web"), (state) => state?.availableReplicas === 6, "6 available replicas");
    expect(await client.scaleDeployment("shop", "web", 2)).toBe(2);
  });

  it("scaling a missing deployment is a NotFoundError", async () => {
    await expect(client.scaleDeployment("shop", "nothing-here", 3)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists policies and narrows the release placement to the clusters Karmada bound", async () => {
    const policies = await client.listPropagationPolicies("shop");
    expect(policies).toEqual([
      {
        namespace: "shop",
        name: "web-propagation",
        priority: 0,
        resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }],
        clusterNames: ["alpha", "beta", "gamma"],
        replicaSchedulingType: "Divided",
      },
    ]);
    // gamma is allowed by the policy but NotReady, so the scheduler bound only alpha and beta.
    expect((await client.getReleasePlacement("shop", "web")).sort()).toEqual(["alpha", "beta"]);
    expect(await client.getReleasePlacement("shop", "unplaced")).toEqual([]);
    expect(await client.listPropagationPolicies("empty-namespace")).toEqual([]);
  });
});

describe("PrometheusRule read-modify-write", () => {
  let emulator: KubeEmulator;
  let client: KarmadaClient;
  beforeAll(async () => {
    emulator = await startKubeEmulator({ clusters: [{ name: "alpha", cpu: "8", memory: "32Gi" }], schedulerDelayMs: 20 });
    client = createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath });
  });
  afterAll(() => emulator.close());

  const recordingRule = (name: string): PrometheusRule => ({
    metadata: { name, annotations: { owner: "someone-else" } },
    spec: {
      groups: [
        {
          name: "theirs",
          interval: "30s",
          rules: [{ alert: "GPUSaturated", expr: "avg(gpu_util) > 90", for: "10m", keep_firing_for: "5m", labels: { severity: "warning" } }],
        },
      ],
    },
  });

  it("creates when missing (if the mutation asks), leaves alone on undefined, and keeps unknown fields on update", async () => {
    expect(await client.getPrometheusRule("monitoring", "team-rules")).toBeUndefined();
    const untouched = await client.updatePrometheusRule("monitoring", "team-rules", () => undefined);
    expect(untouched).toEqual({ rule: undefined, written: false, created: false, conflicts: 0 });
    expect(await client.getPrometheusRule("monitoring", "team-rules")).toBeUndefined();

    const created = await client.updatePrometheusRule("monitoring", "team-rules", (current) => current ?? recordingRule("team-rules"));
    expect(created).toMatchObject({ written: true, created: true, conflicts: 0 });
    const createdVersion = created.rule!.metadata.resourceVersion;

    const unchanged = await client.updatePrometheusRule("monitoring", "team-rules", (current) => current);
    expect(unchanged.written).toBe(false);
    expect((await client.getPrometheusRule("monitoring", "team-rules"))!.metadata.resourceVersion).toBe(createdVersion);

    const updated = await client.updatePrometheusRule("monitoring", "team-rules", (current) => {
      current!.spec.groups!.push({ name: "ours", rules: [{ record: "job:up:sum", expr: "sum by (job) (up)" }] });
      return current;
    });
    expect(updated).toMatchObject({ written: true, created: false });
    expect(updated.rule!.metadata.resourceVersion).not.toBe(createdVersion);
    const stored = await client.getPrometheusRule("monitoring", "team-rules");
    expect(stored!.metadata.annotations).toEqual({ owner: "someone-else" });
    expect(stored!.spec.groups![0]).toEqual(recordingRule("x").spec.groups![0]);
    expect(stored!.spec.groups!.map((group) => group.name)).toEqual(["theirs", "ours"]);
  });

  it("retries on 409 so that concurrent writers all land", async () => {
    const rounds = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        client.updatePrometheusRule("monitoring", "busy-rules", (current) => {
          const rule = current ?? { metadata: { name: "busy-rules" }, spec: { groups: [] } };
          rule.spec.groups = [...(rule.spec.groups ?? []), { name: `writer-${index}`, rules: [{ record: `writer_${index}`, expr: String(index) }] }];
          return rule;
        }),
      ),
    );
    const stored = await client.getPrometheusRule("monitoring", "busy-rules");
    expect(stored!.spec.groups!.map((group) => group.name).sort()).toEqual(["writer-0", "writer-1", "writer-2", "writer-3", "writer-4"]);
    // One create and four replaces, none lost: the CR's generation counts spec writes.
    expect(stored!.metadata.generation).toBe(5);
    expect(rounds.filter((round) => round.created)).toHaveLength(1);
    expect(rounds.reduce((sum, round) => sum + round.conflicts, 0)).toBeGreaterThan(0);
  });

  it("refuses an invalid rule before writing", async () => {
    const before = (await client.getPrometheusRule("monitoring", "team-rules"))!.metadata.resourceVersion;
    await expect(
      client.updatePrometheusRule("monitoring", "team-rules", (current) => {
        current!.spec.groups!.push({ name: "theirs", rules: [] });
        return current;
      }),
    ).rejects.toThrow(/rule\.spec\.groups\[2\]\.name: group name "theirs" is used twice/);
    await expect(
      client.createPrometheusRule("monitoring", { metadata: { name: "bad" }, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up", for: "soon" }] }] } }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await client.getPrometheusRule("monitoring", "team-rules"))!.metadata.resourceVersion).toBe(before);
    expect(await client.getPrometheusRule("monitoring", "bad")).toBeUndefined();
  });

  it("createPrometheusRule reports a taken name as a ConflictError", async () => {
    await client.createPrometheusRule("monitoring", recordingRule("created-once"));
    await expect(client.createPrometheusRule("monitoring", recordingRule("created-once"))).rejects.toBeInstanceOf(ConflictError);
  });

  it("gives up with a ConflictError after the configured attempts", async () => {
    const stored = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "r", namespace: "monitoring", resourceVersion: "7" }, spec: { groups: [] } };
    const server = await startHttpServer((request, response) => {
      if (request.method === "GET") return sendJson(response, 200, stored);
      sendJson(response, 409, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Conflict", code: 409, message: "the object has been modified" });
    });
    try {
      const contested = clientFor(server.url, "t", { maxUpdateAttempts: 3, conflictBackoffMs: 1 });
      const attempt = contested.updatePrometheusRule("monitoring", "r", (current) => ({ ...current!, spec: { groups: [{ name: "g", rules: [] }] } }));
      await expect(attempt).rejects.toThrow(/still conflicting after 3 attempts/);
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      expect(server.requests.filter((request) => request.method === "PUT")).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});

describe("input validation: nothing reaches the server", () => {
  const badNames = ["../x", "a/b", "$(id)", "--set=x", "Web", "a".repeat(64), "", "web;rm", "a b", "x%2f"];

  it("rejects every bad namespace and name in every method with a ValidationError naming the argument", async () => {
    const server = await startHttpServer((_request, response) => sendJson(response, 500, {}));
    try {
      const client = clientFor(server.url);
      const rule: PrometheusRule = { metadata: { name: "ok" }, spec: { groups: [] } };
      const calls: [string, (bad: string) => Promise<unknown>][] = [
        ["namespace", (bad) => client.getDeployment(bad, "web")],
        ["deployment name", (bad) => client.getDeployment("shop", bad)],
        ["namespace", (bad) => client.scaleDeployment(bad, "web", 1)],
        ["deployment name", (bad) => client.scaleDeployment("shop", bad, 1)],
        ["namespace", (bad) => client.getPrometheusRule(bad, "r")],
        ["PrometheusRule name", (bad) => client.getPrometheusRule("monitoring", bad)],
        ["namespace", (bad) => client.createPrometheusRule(bad, rule)],
        ["rule.metadata.name", (bad) => client.createPrometheusRule("monitoring", { ...rule, metadata: { name: bad } })],
        ["namespace", (bad) => client.updatePrometheusRule(bad, "r", () => rule)],
        ["PrometheusRule name", (bad) => client.updatePrometheusRule("monitoring", bad, () => rule)],
        ["namespace", (bad) => client.listPropagationPolicies(bad)],
        ["namespace", (bad) => client.getReleasePlacement(bad, "web")],
        ["deployment name", (bad) => client.getReleasePlacement("shop", bad)],
      ];
      for (const [argument, call] of calls) {
        for (const bad of badNames) {
          const error = await call(bad).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error, `${argument} = ${JSON.stringify(bad)}`).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues[0]!.path).toBe(argument);
        }
      }
      for (const replicas of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
        await expect(client.scaleDeployment("shop", "web", replicas)).rejects.toThrow(/replicas: must be a whole number/);
      }
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("a negative scale leaves the emulator's deployment untouched", async () => {
    const emulator = await startKubeEmulator({ clusters: [{ name: "alpha", cpu: "8", memory: "32Gi" }], schedulerDelayMs: 20 });
    try {
      const { core, apps } = kubeClients(emulator);
      await core.createNamespace({ body: { metadata: { name: "shop" } } });
      await apps.createNamespacedDeployment({ namespace: "shop", body: deploymentBody("web", 1) });
      const before = await apps.readNamespacedDeployment({ namespace: "shop", name: "web" });
      const client = createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath });
      await expect(client.scaleDeployment("shop", "web", -1)).rejects.toBeInstanceOf(ValidationError);
      const after = await apps.readNamespacedDeployment({ namespace: "shop", name: "web" });
      expect(after.spec!.replicas).toBe(1);
      expect(after.metadata!.generation).toBe(before.metadata!.generation);
    } finally {
      await emulator.close();
    }
  });
});

describe("error mapping", () => {
  it("a wrong token is an UpstreamError with status 401 and no token in the message", async () => {
    const emulator = await startKubeEmulator({ clusters: [{ name: "alpha", cpu: "8", memory: "32Gi" }] });
    try {
      const client = clientFor(emulator.url, "wrong-token-123");
      const error = await client.listClusters().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).details).toMatchObject({ status: 401, reason: "Unauthorized" });
      expect((error as UpstreamError).system).toBe("karmada");
      expect((error as Error).message).toContain(emulator.url);
      expect((error as Error).message).not.toContain("wrong-token-123");
      expect((error as Error).message).not.toContain(emulator.token);
      // A 401 on a read that maps 404 to undefined is still an error.
      await expect(client.getDeployment("default", "web")).rejects.toMatchObject({ details: { status: 401 } });
      expect(await client.ping()).toMatchObject({ ok: false });
      expect(await createKarmadaClient({ kubeconfigPath: emulator.kubeconfigPath }).ping()).toMatchObject({ ok: true });
    } finally {
      await emulator.close();
    }
  });

  it("a server that is down is an UpstreamError naming its URL", async () => {
    const server = await startHttpServer(() => undefined);
    const url = server.url;
    await server.close();
    const client = clientFor(url);
    const error = await client.listClusters().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toBe(`karmada: list clusters: cannot reach the API server at ${url} (connection refused, ECONNREFUSED)`);
    expect(await client.ping()).toEqual({ ok: false, message: (error as Error).message });
  });

  it("a server that does not answer is an UpstreamError after the request timeout", async () => {
    const server = await startHttpServer(() => undefined);
    try {
      const client = clientFor(server.url, "t", { requestTimeoutMs: 150 });
      await expect(client.getDeployment("shop", "web")).rejects.toThrow(`get deployment shop/web: the API server at ${server.url} did not answer within 150 ms`);
    } finally {
      await server.close();
    }
  });

  it("carries the Status message and reason of other errors (403)", async () => {
    const forbidden = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'deployments.apps "web" is forbidden: User "system:serviceaccount:console:orchestrator" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"',
      reason: "Forbidden",
      details: { name: "web", group: "apps", kind: "deployments" },
      code: 403,
    };
    const server = await startHttpServer((_request, response) => sendJson(response, 403, forbidden));
    try {
      const error = await clientFor(server.url).scaleDeployment("default", "web", 2).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).details).toMatchObject({ status: 403, reason: "Forbidden" });
      expect((error as Error).message).toBe(`karmada: scale deployment default/web to 2: ${forbidden.message}`);
    } finally {
      await server.close();
    }
  });

  it("a malformed response is an UpstreamError naming the field", async () => {
    const server = await startHttpServer((_request, response) =>
      sendJson(response, 200, {
        kind: "ClusterList",
        apiVersion: "cluster.karmada.io/v1alpha1",
        metadata: {},
        items: [{ metadata: { name: "a" }, status: { resourceSummary: { allocatable: { cpu: "a lot" } } } }],
      }),
    );
    try {
      const error = await clientFor(server.url).listClusters().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as Error).message).toContain("items[0].status.resourceSummary.allocatable.cpu: is not a Kubernetes quantity");
    } finally {
      await server.close();
    }
  });

  it("rejects unusable kubeconfigs with a ValidationError", () => {
    expect(() => createKarmadaClient({})).toThrow(ValidationError);
    expect(() => createKarmadaClient({ kubeconfigPath: "/nonexistent/kubeconfig" })).toThrow(/cannot load \/nonexistent\/kubeconfig/);
    const plainHttp = renderKubeconfig({ url: "http://127.0.0.1:1", token: "secret-token" }).replace("insecure-skip-tls-verify: true", "insecure-skip-tls-verify: false");
    expect(() => createKarmadaClient({ kubeconfig: plainHttp })).toThrow(/uses plain http .*set insecure-skip-tls-verify: true/);
    const broken = "clusters: [\n  token: secret-token-xyz";
    const error = (() => {
      try {
        createKarmadaClient({ kubeconfig: broken });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).not.toContain("secret-token-xyz");
  });
});
