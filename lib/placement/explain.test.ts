/**
 * Explanations and infeasibility reasons: what ruled each cluster out, what a move would cost
 * (checked against evaluatePlacement of the moved placement), and which service cannot be placed.
 */
import { describe, expect, it } from "vitest";
import { evaluatePlacement, planPlacement } from "./index";
import type { PlacementCluster, PlacementInput, PlacementService } from "./types";

const GI = 2 ** 30;

function service(id: string, cpu: number, extra: Partial<PlacementService> = {}): PlacementService {
  return { id, cpu, memory: GI, replicas: 1, gpu: false, connectionPoints: [], latencies: {}, coLocation: [], spread: 1, current: [], ...extra };
}

function cluster(name: string, cpu: number, extra: Partial<PlacementCluster> = {}): PlacementCluster {
  return { name, cpu, memory: 16 * GI, gpu: true, ready: true, carbon: 0, ...extra };
}

describe("placement explanations", () => {
  const input: PlacementInput = {
    clusters: [
      cluster("down", 32, { ready: false }),
      cluster("cpu-only", 32, { gpu: false }),
      cluster("tiny", 1),
      cluster("low-memory", 32, { memory: GI }),
      cluster("home", 8, { carbon: 100 }),
      cluster("spare", 8, { carbon: 300 }),
    ],
    services: [
      service("detector", 2, { gpu: true, memory: 4 * GI, current: ["home"], connectionPoints: ["frontend"], latencies: { frontend: "ultralow" } }),
      service("frontend", 1, { gpu: true, memory: 2 * GI, coLocation: ["cache"] }),
      service("cache", 1.5, { memory: 512 * 2 ** 20 }),
    ],
    weights: { migration: 1, carbon: 0.01, communication: 1, balance: 0 },
  };

  it("names what rules each cluster out for each service", async () => {
    for (const algorithm of ["first-fit", "green-best-fit", "optimal"] as const) {
      const result = await planPlacement(input, { algorithm });
      const detector = result.explanations.find((explanation) => explanation.service === "detector")!;
      expect(detector.excluded).toEqual([
        { cluster: "down", reason: "not-ready", message: '"down" is not Ready' },
        { cluster: "cpu-only", reason: "no-gpu", message: '"detector" needs a GPU and "cpu-only" has none' },
        { cluster: "tiny", reason: "cpu", message: '"detector" needs 2 cores and "tiny" has 1 core' },
        { cluster: "low-memory", reason: "memory", message: '"detector" needs 4 GiB of memory and "low-memory" has 1 GiB' },
      ]);
      // "cache" fits on "tiny" alone (1.5 > 1: no) — but on "cpu-only" its own needs are met; its co-located partner needs a GPU.
      const cache = result.explanations.find((explanation) => explanation.service === "cache")!;
      expect(cache.excluded.find((exclusion) => exclusion.cluster === "cpu-only")).toEqual({
        cluster: "cpu-only",
        reason: "co-location",
        message: 'the co-located group "frontend" (co-located with "cache") needs a GPU and "cpu-only" has none',
      });
      expect(result.placement.cache).toEqual(result.placement.frontend);
    }
  });

  it("prices each possible move with the objective of the moved placement", async () => {
    const result = await planPlacement(input, { algorithm: "optimal" });
    expect(result.status).toBe("optimal");
    expect(result.placement).toEqual({ detector: ["home"], frontend: ["home"], cache: ["home"] });
    const detector = result.explanations.find((explanation) => explanation.service === "detector")!;
    expect(detector.summary).toContain("no placement has a lower objective");
    expect(detector.summary).toContain("stays where it runs now (home)");
    expect(detector.moveCosts.map((move) => move.cluster)).toEqual(["spare"]);
    const moved = evaluatePlacement(input, { ...result.placement, detector: ["spare"] });
    expect(detector.moveCosts[0]!.feasible).toBe(true);
    // Moving costs one migration, splits the ultralow link (10) and runs 2 cores at 300 instead of 100.
    expect(detector.moveCosts[0]!.objectiveDelta).toBeCloseTo(moved.objective - result.objective, 9);
    expect(detector.moveCosts[0]!.objectiveDelta).toBeCloseTo(1 + 10 + 0.01 * 2 * 200, 9);
    // The co-located pair moves together: its cost is the group's move.
    const frontend = result.explanations.find((explanation) => explanation.service === "frontend")!;
    const pairMoved = evaluatePlacement(input, { ...result.placement, frontend: ["spare"], cache: ["spare"] });
    expect(frontend.moveCosts[0]!.objectiveDelta).toBeCloseTo(pairMoved.objective - result.objective, 9);
  });

  it("marks a move to a cluster without room as infeasible", async () => {
    const crowded: PlacementInput = { ...input, weights: { ...input.weights, carbon: 0 }, clusters: [...input.clusters.slice(0, 5), cluster("spare", 8, { carbon: 300 })], services: [...input.services, service("filler", 7, { gpu: true, memory: 2 * GI, current: ["spare"] })] };
    const result = await planPlacement(crowded, { algorithm: "optimal" });
    const detector = result.explanations.find((explanation) => explanation.service === "detector")!;
    expect(detector.moveCosts).toEqual([{ cluster: "spare", objectiveDelta: Number.NaN, feasible: false }]);
    expect(detector.summary).toContain("no other cluster has room left for it");
  });

  it("says which service fits nowhere and why, cluster by cluster, before solving", async () => {
    const impossible: PlacementInput = { ...input, services: [...input.services, service("giant", 64, { gpu: true })] };
    const result = await planPlacement(impossible, { algorithm: "optimal" });
    expect(result.status).toBe("infeasible");
    expect(result.infeasibility?.service).toBe("giant");
    expect(result.infeasibility?.excluded.map((exclusion) => [exclusion.cluster, exclusion.reason])).toEqual([
      ["down", "not-ready"],
      ["cpu-only", "no-gpu"],
      ["tiny", "cpu"],
      ["low-memory", "cpu"],
      ["home", "cpu"],
      ["spare", "cpu"],
    ]);
    expect(result.infeasibility?.message).toMatch(/^"giant" fits on no cluster: "down" is not Ready; "giant" needs a GPU and "cpu-only" has none; "giant" needs 64 cores and "tiny" has 1 core/);
    expect(Number.isNaN(result.objective)).toBe(true);
  });

  it("explains a spread that too few clusters can satisfy, and co-located services asking for different spreads", async () => {
    const spread: PlacementInput = { ...input, services: [service("replicated", 2, { gpu: true, memory: 2 * GI, spread: 3 })] };
    const tooFew = await planPlacement(spread, { algorithm: "optimal" });
    expect(tooFew.infeasibility?.message).toMatch(/^"replicated" needs 3 distinct clusters but only 2 can take it/);
    const conflicting: PlacementInput = { ...input, services: [service("a", 1, { spread: 2, coLocation: ["b"] }), service("b", 1)] };
    const conflict = await planPlacement(conflicting, { algorithm: "optimal" });
    expect(conflict.infeasibility?.message).toContain('must share clusters but ask for different numbers of clusters ("a" 2, "b" 1)');
  });
});
