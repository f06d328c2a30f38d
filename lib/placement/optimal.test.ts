import { createSeededRandom as createRandom } from "../random";
/**
 * The optimal placement against exhaustive enumeration. The oracle below is written from the model
 * definition (SPEC §4) alone and shares no code with lib/placement: it enumerates every choice of
 * `spread` distinct clusters per service, keeps the feasible ones and computes the objective itself.
 */
import { describe, expect, it } from "vitest";
import { evaluatePlacement, planPlacement } from "./index";
import { eligibilityOf, improveLocally, placeFirstFit, placeFromCurrent } from "./heuristics";
import { solvePlacementMilp } from "./optimal";
import { buildPlacementProblem } from "./problem";
import type { LatencyQos } from "../hdag/types";
import type { PlacementCluster, PlacementInput, PlacementService } from "./types";


const GI = 2 ** 30;

/** Small random instances: tight capacities, GPUs, NotReady clusters, spread, co-location, links, current clusters, identical clusters. */
function randomSmallInstance(seed: number): PlacementInput {
  const random = createRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const serviceCount = 2 + Math.floor(random() * 4);
  const clusterCount = 2 + Math.floor(random() * 3);
  const services: PlacementService[] = Array.from({ length: serviceCount }, (_, index) => ({
    id: `s${index}`,
    cpu: pick([0.25, 0.5, 0.75, 1, 1.5, 2]),
    memory: pick([0.25, 0.5, 1, 2]) * GI,
    replicas: random() < 0.75 ? 1 : 2,
    gpu: random() < 0.15,
    connectionPoints: [],
    latencies: {},
    coLocation: [],
    spread: random() < 0.85 ? 1 : 2,
    current: [],
  }));
  const demand = services.reduce((total, service) => total + service.cpu * service.replicas, 0);
  const clusters: PlacementCluster[] = Array.from({ length: clusterCount }, (_, index) => ({
    name: `c${index}`,
    // Multiples of 0.25 so that "exactly full" is exact in floating point.
    cpu: Math.round(demand * (0.4 + 0.9 * random()) * 4) / 4,
    memory: pick([1, 1.5, 2, 3, 4, 6]) * GI,
    gpu: random() < 0.5,
    ready: random() < 0.9,
    carbon: pick([0, 50, 100, 300, 600]),
  }));
  if (random() < 0.3 && clusterCount >= 3) clusters[2] = { ...clusters[1]!, name: "c2" }; // identical clusters
  if (random() < 0.2) clusters[0]!.cpu = services[0]!.cpu * services[0]!.replicas; // exactly full
  for (const service of services) {
    for (const other of services) {
      if (other === service || random() > 0.35) continue;
      service.connectionPoints.push(other.id);
      const qos = pick<LatencyQos | undefined>(["ultralow", "low", "best-effort", undefined]);
      if (qos) service.latencies[other.id] = qos;
    }
    const currentCount = Math.floor(random() * 3);
    for (let index = 0; index < currentCount; index += 1) {
      const name = random() < 0.1 ? "gone" : pick(clusters).name;
      if (!service.current.includes(name)) service.current.push(name);
    }
  }
  if (random() < 0.35) {
    const a = pick(services);
    const b = pick(services);
    if (a !== b) {
      a.coLocation.push(b.id);
      if (random() < 0.85) b.spread = a.spread;
    }
  }
  return {
    clusters,
    services,
    weights: {
      migration: pick([0, 1, 1, 2]),
      carbon: pick([0, 0, 0.001, 0.01]),
      communication: pick([0, 1, 1, 0.5]),
      balance: pick([0, 0, 1, 5]),
    },
  };
}

/** The same instance over 6–8 clusters (extra ones derived from the first), at most one service on two clusters: many columns, still enumerable. */
function withMoreClusters(input: PlacementInput, seed: number): PlacementInput {
  const random = createRandom(seed * 104729);
  const clusters = [...input.clusters];
  const target = 6 + Math.floor(random() * 3);
  for (let index = clusters.length; index < target; index += 1) {
    const model = clusters[Math.floor(random() * clusters.length)]!;
    clusters.push({ ...model, name: `c${index}`, cpu: Math.round(model.cpu * (0.5 + random()) * 4) / 4, carbon: [0, 50, 100, 300, 600][Math.floor(random() * 5)]!, ready: random() < 0.9 });
  }
  let spreadTwo = 0;
  const services = input.services.map((service) => {
    const spread = service.spread === 2 && spreadTwo++ === 0 ? 2 : 1;
    return { ...service, spread };
  });
  for (const service of services) {
    for (const partner of service.coLocation) services.find((other) => other.id === partner)!.spread = service.spread;
  }
  return { ...input, clusters, services };
}

type OracleResult = { feasible: boolean; objective: number };

/** Feasibility and objective of one placement, straight from the model definition. */
function oracleEvaluate(input: PlacementInput, placement: Record<string, string[]>): OracleResult {
  const clusterByName = new Map(input.clusters.map((cluster) => [cluster.name, cluster]));
  let feasible = true;
  const cpuLoad = new Map<string, number>();
  const memoryLoad = new Map<string, number>();
  for (const service of input.services) {
    const chosen = placement[service.id] ?? [];
    if (new Set(chosen).size !== chosen.length || chosen.length !== service.spread) feasible = false;
    for (const name of chosen) {
      const cluster = clusterByName.get(name);
      if (!cluster || !cluster.ready || (service.gpu && !cluster.gpu)) feasible = false;
      cpuLoad.set(name, (cpuLoad.get(name) ?? 0) + service.cpu * service.replicas);
      memoryLoad.set(name, (memoryLoad.get(name) ?? 0) + service.memory * service.replicas);
    }
    for (const partner of service.coLocation) {
      const mine = [...chosen].sort().join();
      const theirs = [...(placement[partner] ?? [])].sort().join();
      if (mine !== theirs) feasible = false;
    }
  }
  for (const cluster of input.clusters) {
    const slack = 1e-9 * Math.max(1, cluster.cpu);
    if ((cpuLoad.get(cluster.name) ?? 0) > cluster.cpu + slack) feasible = false;
    if ((memoryLoad.get(cluster.name) ?? 0) > cluster.memory + 1e-9 * Math.max(1, cluster.memory)) feasible = false;
  }

  let migration = 0;
  let carbon = 0;
  let communication = 0;
  const qosWeight = { ultralow: 10, low: 3, "best-effort": 1 };
  for (const service of input.services) {
    const chosen = placement[service.id] ?? [];
    for (const name of service.current) if (!chosen.includes(name)) migration += 1;
    for (const name of chosen) carbon += service.cpu * service.replicas * (clusterByName.get(name)?.carbon ?? 0);
    for (const target of new Set(service.connectionPoints)) {
      const targetClusters = placement[target] ?? [];
      if (chosen.some((name) => !targetClusters.includes(name))) communication += qosWeight[service.latencies[target] ?? "best-effort"];
    }
  }
  let balance = 0;
  for (const cluster of input.clusters) {
    if (!cluster.ready) continue;
    const load = cpuLoad.get(cluster.name) ?? 0;
    balance = Math.max(balance, cluster.cpu > 0 ? load / cluster.cpu : load > 0 ? Infinity : 0);
  }
  const { weights } = input;
  return { feasible, objective: weights.migration * migration + weights.carbon * carbon + weights.communication * communication + weights.balance * balance };
}

function combinations(names: string[], size: number): string[][] {
  if (size === 0) return [[]];
  const result: string[][] = [];
  names.forEach((name, index) => {
    for (const rest of combinations(names.slice(index + 1), size - 1)) result.push([name, ...rest]);
  });
  return result;
}

/** The best objective over every placement (undefined when none is feasible). */
function bruteForce(input: PlacementInput): number | undefined {
  const names = input.clusters.map((cluster) => cluster.name);
  const options = input.services.map((service) => combinations(names, service.spread));
  let best: number | undefined;
  const placement: Record<string, string[]> = {};
  const visit = (index: number) => {
    if (index === input.services.length) {
      const result = oracleEvaluate(input, placement);
      if (result.feasible && (best === undefined || result.objective < best)) best = result.objective;
      return;
    }
    for (const option of options[index]!) {
      placement[input.services[index]!.id] = option;
      visit(index + 1);
    }
  };
  visit(0);
  return best;
}

describe("optimal placement", () => {
  it("matches exhaustive enumeration on 400 random small instances", async () => {
    let feasibleCount = 0;
    let infeasibleCount = 0;
    for (let seed = 1; seed <= 400; seed += 1) {
      const input = randomSmallInstance(seed);
      const expected = bruteForce(input);
      const result = await planPlacement(input, { algorithm: "optimal", timeLimitSeconds: 60 });
      const context = `seed ${seed}: ${JSON.stringify(input)}`;
      if (expected === undefined) {
        infeasibleCount += 1;
        expect(result.status, context).toBe("infeasible");
        expect(result.infeasibility?.message, context).toBeTruthy();
        continue;
      }
      feasibleCount += 1;
      expect(result.status, context).toBe("optimal");
      expect(Math.abs(result.objective - expected), context).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
      const attained = oracleEvaluate(input, result.placement);
      expect(attained.feasible, context).toBe(true);
      expect(Math.abs(attained.objective - result.objective), context).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
    }
    // The generator must exercise both outcomes.
    expect(feasibleCount).toBeGreaterThan(200);
    expect(infeasibleCount).toBeGreaterThan(30);
  }, 120_000);

  it("keeps the optimum when columns are priced, fixed by reduced cost and searched by neighbourhoods (forced on small instances)", async () => {
    let checked = 0;
    let pricedMoreThanOnce = 0;
    let fixedByReducedCost = 0;
    for (let seed = 1; seed <= 600 && checked < 100; seed += 1) {
      const input = withMoreClusters(randomSmallInstance(seed), seed);
      const expected = bruteForce(input);
      if (expected === undefined) continue;
      const problem = buildPlacementProblem(input);
      const eligible = eligibilityOf(problem);
      // Pricing needs a start: a deliberately poor one (first-fit, or the current placement repaired), sometimes improved.
      const firstFit = placeFirstFit(problem);
      const state = firstFit.placed ? firstFit.state : placeFromCurrent(problem, eligible);
      if (!state) continue;
      if (seed % 2 === 0) improveLocally(state, eligible, performance.now() + 1000);
      const start = problem.groups.map((group) => [...state.clustersOfGroup(group.index)]);
      const lines: string[] = [];
      const outcome = await solvePlacementMilp(problem, eligible, { timeLimitSeconds: 60, start, pricingThreshold: 0, log: (line) => lines.push(line) });
      if (lines.some((line) => /^pricing round [1-9]/.test(line))) pricedMoreThanOnce += 1;
      const kept = lines.map((line) => /^columns for the MIP: (\d+) of (\d+)/.exec(line)).find((match) => match);
      if (kept && Number(kept[1]) < Number(kept[2])) fixedByReducedCost += 1;
      const placement: Record<string, string[]> = {};
      problem.services.forEach((service, index) => {
        placement[service.id] = outcome.clustersOfGroup![problem.groupOfService[index]!]!.map((cluster) => input.clusters[cluster]!.name);
      });
      const attained = oracleEvaluate(input, placement);
      const context = `seed ${seed}`;
      expect(outcome.status, context).toBe("optimal");
      expect(attained.feasible, context).toBe(true);
      expect(Math.abs(attained.objective - expected), context).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
      checked += 1;
    }
    expect(checked).toBe(100);
    // Columns must actually have entered after the first round in a good share of the runs.
    expect(pricedMoreThanOnce).toBeGreaterThan(15);
    expect(fixedByReducedCost).toBeGreaterThan(15);
  }, 180_000);

  it("evaluatePlacement agrees with the oracle on random placements, feasible or not", () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const input = randomSmallInstance(seed);
      const random = createRandom(seed * 7919);
      const placement: Record<string, string[]> = {};
      for (const service of input.services) {
        const shuffled = [...input.clusters].sort(() => random() - 0.5);
        placement[service.id] = shuffled.slice(0, service.spread).map((cluster) => cluster.name);
      }
      const evaluation = evaluatePlacement(input, placement);
      const oracle = oracleEvaluate(input, placement);
      expect(evaluation.feasible, `seed ${seed}`).toBe(oracle.feasible);
      if (Number.isFinite(oracle.objective)) expect(evaluation.objective, `seed ${seed}`).toBeCloseTo(oracle.objective, 9);
      else expect(evaluation.objective).toBe(oracle.objective);
    }
  });

  it("returns an empty optimal placement when there is nothing to place", async () => {
    const empty = await planPlacement({ clusters: [], services: [], weights: { migration: 1, carbon: 0, communication: 1, balance: 0 } }, { algorithm: "optimal" });
    expect(empty.status).toBe("optimal");
    expect(empty.placement).toEqual({});
    expect(empty.objective).toBe(0);
  });

  it("reports HiGHS's infeasibility with the aggregate reason when each service fits alone", async () => {
    const input: PlacementInput = {
      clusters: [
        { name: "a", cpu: 3, memory: 8 * GI, gpu: false, ready: true, carbon: 0 },
        { name: "b", cpu: 3, memory: 8 * GI, gpu: false, ready: true, carbon: 0 },
      ],
      services: ["x", "y", "z"].map((id) => ({ id, cpu: 2, memory: GI, replicas: 1, gpu: false, connectionPoints: [], latencies: {}, coLocation: [], spread: 1, current: [] })),
      weights: { migration: 1, carbon: 0, communication: 1, balance: 0 },
    };
    const result = await planPlacement(input, { algorithm: "optimal" });
    expect(result.status).toBe("infeasible");
    // 6 of 6 cores fit in total: the message must say the packing is the problem.
    expect(result.infeasibility?.message).toContain("6 cores of 6 cores");
    expect(result.infeasibility?.message).toMatch(/no assignment respects every cluster's capacity at once/);

    input.services.push({ ...input.services[0]!, id: "w" });
    const overloaded = await planPlacement(input, { algorithm: "optimal" });
    expect(overloaded.status).toBe("infeasible");
    expect(overloaded.infeasibility?.message).toBe("the services need 8 cores in total and the Ready clusters offer 6 cores");
    expect(overloaded.infeasibility?.excluded.map((exclusion) => exclusion.cluster)).toEqual(["a", "b"]);
  });
});
