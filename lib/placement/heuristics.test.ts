import { createSeededRandom as createRandom } from "../random";
/**
 * first-fit and green-best-fit: feasibility on random instances, and their documented order,
 * checked against an independent re-statement of the rules written in this file.
 */
import { describe, expect, it } from "vitest";
import { evaluatePlacement, planPlacement, type PlacementAlgorithm } from "./index";
import type { PlacementCluster, PlacementInput, PlacementService } from "./types";


const GI = 2 ** 30;

function service(id: string, cpu: number, extra: Partial<PlacementService> = {}): PlacementService {
  return { id, cpu, memory: GI, replicas: 1, gpu: false, connectionPoints: [], latencies: {}, coLocation: [], spread: 1, current: [], ...extra };
}

function cluster(name: string, cpu: number, extra: Partial<PlacementCluster> = {}): PlacementCluster {
  return { name, cpu, memory: 64 * GI, gpu: false, ready: true, carbon: 0, ...extra };
}

const weights = { migration: 1, carbon: 0, communication: 1, balance: 0 };

function randomInstance(seed: number): PlacementInput {
  const random = createRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const services = Array.from({ length: 3 + Math.floor(random() * 25) }, (_, index) =>
    service(`s${index}`, pick([0.25, 0.5, 1, 2, 4]), { memory: pick([0.5, 1, 2, 4]) * GI, replicas: pick([1, 1, 2, 3]), gpu: random() < 0.1, spread: random() < 0.9 ? 1 : 2 }),
  );
  for (let index = 0; index + 1 < services.length; index += 1) {
    if (random() < 0.1 && services[index]!.spread === services[index + 1]!.spread) services[index]!.coLocation.push(services[index + 1]!.id);
    if (random() < 0.5) services[index]!.connectionPoints.push(services[index + 1]!.id);
  }
  const clusters = Array.from({ length: 2 + Math.floor(random() * 8) }, (_, index) =>
    cluster(`c${index}`, pick([8, 16, 32, 64]), { memory: pick([16, 32, 64]) * GI, gpu: random() < 0.4, ready: random() < 0.9, carbon: pick([50, 100, 100, 300, 600]) }),
  );
  return { clusters, services, weights };
}

/** The documented rules, restated: groups in input order, `spread` clusters among those Ready, with GPU and room. */
function expectedHeuristicPlacement(input: PlacementInput, algorithm: "first-fit" | "green-best-fit"): Record<string, string[]> | undefined {
  const groupOf = new Map<string, Set<string>>();
  for (const entry of input.services) groupOf.set(entry.id, new Set([entry.id]));
  for (const entry of input.services) {
    for (const partner of entry.coLocation) {
      const merged = new Set([...groupOf.get(entry.id)!, ...groupOf.get(partner)!]);
      for (const member of merged) groupOf.set(member, merged);
    }
  }
  const remainingCpu = input.clusters.map((entry) => entry.cpu);
  const remainingMemory = input.clusters.map((entry) => entry.memory);
  const placement: Record<string, string[]> = {};
  for (const entry of input.services) {
    if (placement[entry.id]) continue;
    const members = input.services.filter((other) => groupOf.get(entry.id)!.has(other.id));
    const cpu = members.reduce((total, member) => total + member.cpu * member.replicas, 0);
    const memory = members.reduce((total, member) => total + member.memory * member.replicas, 0);
    const gpu = members.some((member) => member.gpu);
    if (members.some((member) => member.spread !== entry.spread)) return undefined;
    let candidates = input.clusters
      .map((candidate, index) => ({ candidate, index }))
      .filter(({ candidate, index }) => candidate.ready && (!gpu || candidate.gpu) && cpu <= remainingCpu[index]! + 1e-9 && memory <= remainingMemory[index]! + 1e-9);
    if (algorithm === "green-best-fit") {
      candidates = candidates.sort((a, b) => a.candidate.carbon - b.candidate.carbon || remainingCpu[a.index]! - remainingCpu[b.index]! || a.index - b.index);
    }
    if (candidates.length < entry.spread) return undefined;
    const chosen = candidates.slice(0, entry.spread);
    for (const { index } of chosen) {
      remainingCpu[index]! -= cpu;
      remainingMemory[index]! -= memory;
    }
    const names = chosen.map(({ candidate }) => candidate.name);
    for (const member of members) placement[member.id] = names;
  }
  return placement;
}

const sorted = (placement: Record<string, string[]>) => Object.fromEntries(Object.entries(placement).map(([id, clusters]) => [id, [...clusters].sort()]));

describe("placement heuristics", () => {
  for (const algorithm of ["first-fit", "green-best-fit"] as const) {
    it(`${algorithm} follows its documented order and is feasible on 300 random instances`, async () => {
      let placed = 0;
      for (let seed = 1; seed <= 300; seed += 1) {
        const input = randomInstance(seed);
        const expected = expectedHeuristicPlacement(input, algorithm);
        const result = await planPlacement(input, { algorithm });
        const context = `seed ${seed}`;
        if (!expected) {
          expect(result.status, context).toBe("infeasible");
          expect(result.infeasibility?.service, context).toBeTruthy();
          continue;
        }
        placed += 1;
        expect(result.status, context).toBe("feasible");
        expect(sorted(result.placement), context).toEqual(sorted(expected));
        const evaluation = evaluatePlacement(input, result.placement);
        expect(evaluation.violations, context).toEqual([]);
        expect(result.objective, context).toBeCloseTo(evaluation.objective, 9);
        expect(result.gap, context).toBeUndefined();
      }
      expect(placed).toBeGreaterThan(150);
    });
  }

  it("first-fit takes the first Ready cluster in input order with the GPU and room the service needs", async () => {
    const input: PlacementInput = {
      clusters: [cluster("down", 64, { gpu: true, ready: false }), cluster("no-gpu", 64), cluster("small", 2, { gpu: true }), cluster("fits", 8, { gpu: true }), cluster("also-fits", 64, { gpu: true })],
      services: [service("trainer", 4, { gpu: true }), service("api", 6, { gpu: true })],
      weights,
    };
    const result = await planPlacement(input, { algorithm: "first-fit" });
    // "trainer" goes to the first fitting cluster; "api" no longer fits there (4 of 8 cores left) and takes the next one.
    expect(result.placement).toEqual({ trainer: ["fits"], api: ["also-fits"] });
    expect(result.explanations[1]!.summary).toContain('"fits" has 4 cores left and "api" needs 6 cores');
  });

  it("green-best-fit takes the lowest carbon intensity, then the fullest cluster that still fits", async () => {
    const input: PlacementInput = {
      clusters: [cluster("dirty", 64, { carbon: 600 }), cluster("green-roomy", 16, { carbon: 100 }), cluster("green-tight", 6, { carbon: 100 }), cluster("greenest-tiny", 1, { carbon: 20 })],
      services: [service("a", 4), service("b", 2), service("c", 2)],
      weights,
    };
    const result = await planPlacement(input, { algorithm: "green-best-fit" });
    // a: both 100-clusters fit, the tight one has less room → green-tight (2 left). b: green-tight (2 left, fits exactly).
    // c: green-tight is full, green-roomy is next at the same carbon.
    expect(result.placement).toEqual({ a: ["green-tight"], b: ["green-tight"], c: ["green-roomy"] });
  });

  it("places co-location groups together and spread services on distinct clusters", async () => {
    const input: PlacementInput = {
      clusters: [cluster("one", 4), cluster("two", 8), cluster("three", 8)],
      services: [service("db", 2, { spread: 2 }), service("web", 3, { coLocation: ["cache"] }), service("cache", 2)],
      weights,
    };
    for (const algorithm of ["first-fit", "green-best-fit"] satisfies PlacementAlgorithm[]) {
      const result = await planPlacement(input, { algorithm });
      expect(result.placement.db).toHaveLength(2);
      expect(new Set(result.placement.db).size).toBe(2);
      expect(result.placement.web).toEqual(result.placement.cache);
      expect(evaluatePlacement(input, result.placement).feasible).toBe(true);
    }
    const firstFit = await planPlacement(input, { algorithm: "first-fit" });
    // db on one+two (2 cores left on "one"); web+cache need 5 together: not on one, yes on two (6 left).
    expect(firstFit.placement).toEqual({ db: ["one", "two"], web: ["two"], cache: ["two"] });
  });

  it("says which service a heuristic could not place and why, cluster by cluster", async () => {
    const input: PlacementInput = {
      clusters: [cluster("a", 4), cluster("b", 4, { ready: false })],
      services: [service("first", 3), service("second", 2)],
      weights,
    };
    const result = await planPlacement(input, { algorithm: "first-fit" });
    expect(result.status).toBe("infeasible");
    expect(result.placement).toEqual({});
    expect(result.infeasibility?.service).toBe("second");
    expect(result.infeasibility?.message).toContain('first-fit could not place "second"');
    expect(result.infeasibility?.excluded).toEqual([
      { cluster: "a", reason: "cpu", message: '"a" has 1 core left and "second" needs 2 cores' },
      { cluster: "b", reason: "not-ready", message: '"b" is not Ready' },
    ]);
  });
});
