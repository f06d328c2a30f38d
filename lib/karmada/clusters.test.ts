import { describe, expect, it } from "vitest";
import clusterList from "./testdata/karmada-cluster-list.json";
import { parseCarbonIntensity, readyPlacementClusters, toClusterState } from "./clusters";
import { findGoverningPolicy, matchesLabelSelector } from "./policies";
import { formatIssues, KarmadaClusterListSchema } from "./schemas";
import type { PropagationPolicyState } from "./types";

// Expected figures written out from the fixture's quantity strings, without lib/quantity.
const Ki = 1024;
const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

describe("toClusterState on the Karmada ClusterList fixture", () => {
  const clusters = KarmadaClusterListSchema.parse(clusterList).items.map(toClusterState);
  const [member1, member2, member3] = clusters;

  it("subtracts allocated and allocating from allocatable (member1: GPU and allocating)", () => {
    expect(member1).toMatchObject({ name: "member1", ready: true, stale: false, readyReason: "ClusterReady", region: "eu-west" });
    expect(member1!.cpu).toEqual({ allocatable: 48, allocated: 21.35, allocating: 4, available: 22.65 });
    expect(member1!.memory.available).toBe(395890588 * Ki - 87194 * Mi - 16 * Gi);
    expect(member1!.gpus).toEqual({ allocatable: 8, available: 8 - 5 - 2 });
    expect(member1!.pods).toEqual({ allocatable: 330, available: 330 - 64 - 2 });
    expect(member1!.kubernetesVersion).toBe("v1.31.2");
    expect(member1!.carbonIntensity).toBeUndefined();
  });

  it("counts a missing allocating map and a missing GPU key as zero (member2)", () => {
    expect(member2!.cpu).toEqual({ allocatable: 16, allocated: 5.75, allocating: 0, available: 10.25 });
    expect(member2!.memory.available).toBe(64944520 * Ki - 10496 * Mi);
    expect(member2!.gpus).toEqual({ allocatable: 0, available: 0 });
  });

  it("marks a NotReady cluster stale and keeps its taint (member3)", () => {
    expect(member3).toMatchObject({ ready: false, stale: true, readyReason: "ClusterNotReachable", readyMessage: "cluster is not reachable" });
    expect(member3!.cpu.available).toBe(8 - 1.2);
    expect(member3!.taints).toEqual([{ key: "cluster.karmada.io/not-ready", effect: "NoSchedule" }]);
  });

  it("never reports negative availability and treats a missing Ready condition as not ready", () => {
    const [state] = KarmadaClusterListSchema.parse({
      items: [
        {
          metadata: { name: "over", labels: { "smo.eu/carbon-intensity": "310.5" } },
          status: { resourceSummary: { allocatable: { cpu: "2" }, allocated: { cpu: "1500m" }, allocating: { cpu: "1" } } },
        },
      ],
    }).items.map(toClusterState);
    expect(state!.cpu.available).toBe(0);
    expect(state).toMatchObject({ ready: false, stale: true, readyReason: "NoReadyCondition", carbonIntensity: 310.5 });
  });

  it("converts to placement clusters: NotReady and tainted clusters are no candidates, carbon 0 when unknown", () => {
    const placement = readyPlacementClusters(clusters);
    expect(placement).toEqual([
      { name: "member1", cpu: 22.65, memory: 395890588 * Ki - 87194 * Mi - 16 * Gi, gpu: true, ready: true, carbon: 0 },
      { name: "member2", cpu: 10.25, memory: 64944520 * Ki - 10496 * Mi, gpu: false, ready: true, carbon: 0 },
      { name: "member3", cpu: 0, memory: 0, gpu: false, ready: false, carbon: 0 },
    ]);
  });
});

describe("cluster schema", () => {
  it("names the malformed field", () => {
    const result = KarmadaClusterListSchema.safeParse({
      items: [{ metadata: { name: "a" } }, { metadata: { name: "b" }, status: { resourceSummary: { allocatable: { cpu: "lots" } } } }],
    });
    expect(result.success).toBe(false);
    expect(formatIssues(result.error!.issues, "")).toEqual([
      { path: "items[1].status.resourceSummary.allocatable.cpu", message: "is not a Kubernetes quantity" },
    ]);
  });
});

describe("parseCarbonIntensity", () => {
  it.each([
    ["120", 120],
    ["87.5", 87.5],
    ["0", 0],
    ["-3", undefined],
    ["high", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("%s → %s", (label, expected) => {
    expect(parseCarbonIntensity(label)).toBe(expected);
  });
});

describe("findGoverningPolicy", () => {
  const policy = (name: string, selector: PropagationPolicyState["resourceSelectors"][number], priority = 0): PropagationPolicyState => ({
    namespace: "shop",
    name,
    priority,
    resourceSelectors: [selector],
    clusterNames: [name],
  });
  const all = policy("all", { apiVersion: "apps/v1", kind: "Deployment" });
  const byLabel = policy("by-label", { apiVersion: "apps/v1", kind: "Deployment", labelSelector: { matchLabels: { app: "web" } } });
  const byName = policy("by-name", { apiVersion: "apps/v1", kind: "Deployment", name: "web" });
  const service = policy("service", { apiVersion: "v1", kind: "Service", name: "web" });
  const deployment = { labels: { app: "web" } };

  it("prefers a name selector over a label selector over a namespace-wide one", () => {
    expect(findGoverningPolicy([all, byLabel, byName, service], { namespace: "shop", name: "web", deployment })?.name).toBe("by-name");
    expect(findGoverningPolicy([all, byLabel, service], { namespace: "shop", name: "web", deployment })?.name).toBe("by-label");
    expect(findGoverningPolicy([all, service], { namespace: "shop", name: "web", deployment })?.name).toBe("all");
    expect(findGoverningPolicy([service], { namespace: "shop", name: "web", deployment })).toBeUndefined();
  });

  it("lets explicit priority win, and the claiming policy win over all", () => {
    const urgent = { ...all, name: "urgent", priority: 5 };
    expect(findGoverningPolicy([byName, urgent], { namespace: "shop", name: "web", deployment })?.name).toBe("urgent");
    const claimed = { ...deployment, propagationPolicy: { namespace: "shop", name: "all" } };
    expect(findGoverningPolicy([byName, urgent, all], { namespace: "shop", name: "web", deployment: claimed })?.name).toBe("all");
  });

  it("matches label selector expressions", () => {
    const labels = { app: "web", tier: "front" };
    expect(matchesLabelSelector({ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: "gpu", operator: "DoesNotExist" }] }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: "gpu", operator: "Exists" }] }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchLabels: { app: "api" } }, labels)).toBe(false);
    expect(matchesLabelSelector({}, labels)).toBe(true);
  });
});
