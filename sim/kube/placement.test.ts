import { describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX_CLUSTERS, buildClusterObject, memberFromSpec, systemUsageOf, withReadiness, type Member, type ResourceAmounts } from "./clusters";
import { availableReplicas, divideByWeight, scheduleBinding, type Placement } from "./placement";

const NOW = "2025-01-01T00:00:00Z";
const members = new Map<string, Member>(DEFAULT_SANDBOX_CLUSTERS.map((spec) => [spec.name, memberFromSpec(spec)]));
const clusters = DEFAULT_SANDBOX_CLUSTERS.map((spec, index) => {
  const object = buildClusterObject(spec, members.get(spec.name)!, index, NOW);
  object.metadata.uid = `uid-${index}`;
  return object;
});
const usage = new Map<string, ResourceAmounts>([...members.values()].map((member) => [member.name, systemUsageOf(member)]));
const request: ResourceAmounts = { cpu: 1, memory: 2 * 2 ** 30, gpus: 0, pods: 1 };

function schedule(placement: Placement, replicas: number, targets = clusters, scheduledClusters: string[] = []) {
  return scheduleBinding({ placement, replicas, request, scheduledClusters }, targets, members, usage);
}

describe("replica division", () => {
  it.each([
    [7, [3, 2, 1]],
    [1, [1, 1]],
    [10, [1, 1, 1]],
    [0, [2, 1]],
    [5, [0, 1]],
  ])("divides %i replicas by weights %j: total preserved, shares proportional within one", (replicas, weights) => {
    const named = weights.map((weight, index) => ({ name: `c${index}`, weight }));
    const shares = divideByWeight(replicas, named);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    expect(shares.reduce((sum, share) => sum + share.replicas, 0)).toBe(replicas);
    for (const share of shares) {
      const weight = named.find((entry) => entry.name === share.name)!.weight;
      expect(weight).toBeGreaterThan(0);
      expect(Math.abs(share.replicas - (replicas * weight) / total)).toBeLessThan(1);
    }
  });
});

describe("scheduling a binding", () => {
  it("duplicates by default onto every cluster of the affinity", () => {
    expect(schedule({ clusterAffinity: { clusterNames: ["paris", "warsaw"] } }, 3)).toEqual({
      ok: true,
      clusters: [
        { name: "paris", replicas: 3 },
        { name: "warsaw", replicas: 3 },
      ],
    });
  });

  it("divides by static weights as in the PropagationPolicy fixture", () => {
    const placement: Placement = {
      clusterAffinity: { clusterNames: ["frankfurt", "paris"] },
      replicaScheduling: {
        replicaSchedulingType: "Divided",
        replicaDivisionPreference: "Weighted",
        weightPreference: {
          staticWeightList: [
            { targetCluster: { clusterNames: ["frankfurt"] }, weight: 2 },
            { targetCluster: { clusterNames: ["paris"] }, weight: 1 },
          ],
        },
      },
    };
    expect(schedule(placement, 4)).toEqual({ ok: true, clusters: [{ name: "frankfurt", replicas: 3 }, { name: "paris", replicas: 1 }] });
  });

  it("selects clusters by label and field selectors and excludes by name", () => {
    expect(schedule({ clusterAffinity: { labelSelector: { matchLabels: { accelerator: "nvidia" } } } }, 1)).toMatchObject({ clusters: [{ name: "frankfurt" }] });
    expect(schedule({ clusterAffinity: { fieldSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["eu-west", "eu-north"] }] } } }, 1)).toMatchObject({
      clusters: [{ name: "paris" }, { name: "stockholm" }],
    });
    expect(schedule({ clusterAffinity: { exclude: ["frankfurt", "paris", "stockholm"] } }, 1)).toMatchObject({ clusters: [{ name: "warsaw" }] });
  });

  it("skips not-ready (tainted) clusters unless already scheduled there, and explains a failure", () => {
    const withDown = clusters.map((cluster) => (cluster.metadata.name === "paris" ? withReadiness(cluster, false, NOW) : cluster));
    const downMembers = new Map(members);
    downMembers.set("paris", { ...members.get("paris")!, ready: false });
    const run = (scheduled: string[]) =>
      scheduleBinding({ placement: { clusterAffinity: { clusterNames: ["paris"] } }, replicas: 1, request, scheduledClusters: scheduled }, withDown, downMembers, usage);
    expect(run([])).toEqual({
      ok: false,
      reason: "NoClusterFit",
      message: "0/4 clusters are available: 1 cluster(s) had untolerated taint {cluster.karmada.io/not-ready: }, 3 cluster(s) did not match the placement cluster affinity constraint.",
    });
    expect(run(["paris"])).toEqual({ ok: true, clusters: [{ name: "paris", replicas: 1 }] });
  });

  it("divides by available replicas with dynamic weights and refuses when they are not enough", () => {
    const placement: Placement = {
      clusterAffinity: { clusterNames: ["stockholm", "warsaw"] },
      replicaScheduling: { replicaSchedulingType: "Divided", replicaDivisionPreference: "Weighted", weightPreference: { dynamicWeight: "AvailableReplicas" } },
    };
    const stockholm = availableReplicas(members.get("stockholm"), usage.get("stockholm")!, request);
    const warsaw = availableReplicas(members.get("warsaw"), usage.get("warsaw")!, request);
    expect(stockholm).toBe(15);
    expect(warsaw).toBe(7);
    const result = schedule(placement, 11);
    expect(result).toEqual({ ok: true, clusters: [{ name: "stockholm", replicas: 8 }, { name: "warsaw", replicas: 3 }] });
    expect(schedule(placement, 23)).toEqual({ ok: false, reason: "Unschedulable", message: "clusters available replicas 22 are not enough to schedule." });
  });

  it("aggregates onto as few clusters as possible", () => {
    const placement: Placement = { replicaScheduling: { replicaSchedulingType: "Divided", replicaDivisionPreference: "Aggregated" } };
    expect(schedule(placement, 20)).toEqual({ ok: true, clusters: [{ name: "frankfurt", replicas: 20 }] });
  });

  it("limits the number of clusters with a cluster spread constraint", () => {
    const result = schedule({ spreadConstraints: [{ spreadByField: "cluster", maxGroups: 2 }] }, 1);
    expect(result).toEqual({ ok: true, clusters: [{ name: "frankfurt", replicas: 1 }, { name: "paris", replicas: 1 }] });
  });
});
