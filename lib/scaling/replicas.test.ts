import { createSeededRandom as createRandom } from "../random";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { loadHighs } from "../solver/highs";
import { checkReplicaBounds, minimumReplicas, replicaObjective, solveReplicas, type ReplicaProblem, type ReplicaService } from "./replicas";

/** mulberry32: a small seeded PRNG so every run sees the same instances. */

function service(id: string, fields: Partial<ReplicaService>): ReplicaService {
  return { id, cpu: 1, alpha: 10, beta: 0, requestRate: 0, previous: 1, maxReplicas: 5, gpu: false, ...fields };
}

// ---- The oracle: written from SPEC §5's formula, independently of replicas.ts. ----

const CPU_TOLERANCE = 1e-9;

function oracleObjective(problem: ReplicaProblem, replicas: number[]): number {
  const maxUtil = Math.max(...problem.services.map((s) => s.maxReplicas * s.cpu));
  let total = 0;
  problem.services.forEach((s, i) => {
    total += (0.4 * replicas[i]! * s.cpu) / maxUtil + (0.4 * Math.abs(replicas[i]! - s.previous)) / s.maxReplicas;
  });
  return total;
}

function oracleFeasible(problem: ReplicaProblem, replicas: number[]): boolean {
  let cpu = 0;
  for (const [i, s] of problem.services.entries()) {
    const r = replicas[i]!;
    if (!Number.isInteger(r) || r < 1 || r > s.maxReplicas) return false;
    if (s.alpha * r + s.beta < s.requestRate) return false;
    if (s.gpu && !problem.cluster.gpu) return false;
    cpu += s.cpu * r;
  }
  return cpu <= problem.cluster.cpu + CPU_TOLERANCE * Math.max(1, problem.cluster.cpu);
}

/** Every vector in Π [1, maxReplicas[s]]: the best objective, or undefined when none is feasible. */
function enumerateBest(problem: ReplicaProblem): number | undefined {
  let best: number | undefined;
  const current = problem.services.map(() => 1);
  const visit = (index: number): void => {
    if (index === problem.services.length) {
      if (oracleFeasible(problem, current)) {
        const value = oracleObjective(problem, current);
        if (best === undefined || value < best) best = value;
      }
      return;
    }
    for (let r = 1; r <= problem.services[index]!.maxReplicas; r++) {
      current[index] = r;
      visit(index + 1);
    }
  };
  visit(0);
  return best;
}

/** Values on a 0.05 grid so that sums such as 0.1 + 0.2 reach the rounding edge of the CPU row. */
function randomInstance(random: () => number): ReplicaProblem {
  const pick = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const count = pick(1, 4);
  const services = Array.from({ length: count }, (_, index): ReplicaService => {
    const maxReplicas = pick(1, 6);
    const alpha = pick(1, 60) / 2;
    return {
      id: `svc-${index}`,
      cpu: pick(1, 40) * 0.05,
      alpha,
      beta: pick(-20, 20) / 2,
      // Now and then beyond what maxReplicas can serve, so some instances need too many replicas.
      requestRate: random() < 0.1 ? 0 : pick(0, Math.ceil(alpha * (maxReplicas + (random() < 0.15 ? 2 : 0)))) + (random() < 0.5 ? 0.5 : 0),
      previous: pick(0, 7),
      maxReplicas,
      gpu: random() < 0.05,
    };
  });
  const largest = services.reduce((sum, s) => sum + s.cpu * s.maxReplicas, 0);
  // Between 20% and 120% of what every service at maxReplicas would use: often binding, sometimes too small.
  return { cluster: { cpu: Math.round((0.2 + random()) * largest * 20) * 0.05, gpu: random() < 0.8 }, services };
}

describe("solveReplicas against exhaustive enumeration", () => {
  it("finds the enumerated optimum on 500 random small instances and agrees on infeasibility", async () => {
    const random = createRandom(20240517);
    let optimal = 0;
    let infeasible = 0;
    let solvedByHighs = 0;
    for (let round = 0; round < 500; round++) {
      const problem = randomInstance(random);
      const best = enumerateBest(problem);
      const bounds = checkReplicaBounds(problem);
      if (bounds.feasible && bounds.isCpuBinding) solvedByHighs++;
      const result = await solveReplicas(problem);
      const context = JSON.stringify(problem);
      if (best === undefined) {
        infeasible++;
        expect(result.status, context).toBe("infeasible");
        expect(result.reason, context).toBeTruthy();
        expect(result.replicas).toEqual({});
        continue;
      }
      optimal++;
      expect(result.status, context).toBe("optimal");
      const vector = problem.services.map((s) => result.replicas[s.id]!);
      expect(oracleFeasible(problem, vector), context).toBe(true);
      const attained = oracleObjective(problem, vector);
      expect(Math.abs(attained - best), context).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(best)));
      expect(Math.abs(result.objective - attained), context).toBeLessThanOrEqual(1e-9 * Math.max(1, attained));
    }
    // The generator must exercise every outcome and both ways to optimal, or the comparison proves little.
    expect(optimal).toBeGreaterThan(150);
    expect(infeasible).toBeGreaterThan(50);
    expect(solvedByHighs).toBeGreaterThan(50);
    expect(optimal - solvedByHighs).toBeGreaterThan(50);
  });
});

describe("solveReplicas at medium scale against the original's formulation in LP text", () => {
  /**
   * The original writes the capacity constraint and |r − previous| as explicit rows; HiGHS'
   * LP-text path solves that formulation independently of our CSR build with folded bounds.
   */
  function originalLpText(problem: ReplicaProblem): string {
    const maxUtil = Math.max(...problem.services.map((s) => s.maxReplicas * s.cpu));
    const n = problem.services.length;
    const objective = problem.services
      .map((s, i) => `+ ${(0.4 * s.cpu) / maxUtil} r${i} + ${0.4 / s.maxReplicas} d${i}`)
      .join(" ");
    const rows = [`cpu: ${problem.services.map((s, i) => `+ ${s.cpu} r${i}`).join(" ")} <= ${problem.cluster.cpu}`];
    problem.services.forEach((s, i) => {
      rows.push(`cap${i}: ${s.alpha} r${i} >= ${s.requestRate - s.beta}`);
      rows.push(`up${i}: r${i} - d${i} <= ${s.previous}`);
      rows.push(`down${i}: r${i} + d${i} >= ${s.previous}`);
    });
    const bounds = problem.services.map((s, i) => `1 <= r${i} <= ${s.maxReplicas}`);
    return `Minimize\n obj: ${objective}\nSubject To\n ${rows.join("\n ")}\nBounds\n ${bounds.join("\n ")}\nGenerals\n ${Array.from({ length: n }, (_, i) => `r${i}`).join(" ")}\nEnd\n`;
  }

  it("reaches the same optimum on 24 instances of 40 services, the CPU row binding in 20", async () => {
    const highs = await loadHighs();
    const random = createRandom(7);
    for (let round = 0; round < 24; round++) {
      const services = Array.from({ length: 40 }, (_, i): ReplicaService => ({
        id: `s${i}`,
        cpu: 0.25 * (1 + Math.floor(random() * 8)),
        alpha: 5 + Math.floor(random() * 20),
        beta: Math.floor(random() * 10) - 5,
        requestRate: Math.floor(random() * 60),
        previous: Math.floor(random() * 12),
        maxReplicas: 12 + Math.floor(random() * 8),
        gpu: false,
      }));
      const minimumCpu = services.reduce((sum, s) => sum + s.cpu * minimumReplicas(s), 0);
      const problem: ReplicaProblem = { cluster: { cpu: round < 20 ? Math.ceil(minimumCpu * 1.15) : 1000, gpu: false }, services };
      const bounds = checkReplicaBounds(problem);
      expect(bounds.feasible && bounds.isCpuBinding).toBe(round < 20);
      const result = await solveReplicas(problem);
      const reference = highs.solve(originalLpText(problem), { mip_rel_gap: 0, mip_abs_gap: 0, output_flag: false });
      expect(reference.Status).toBe("Optimal");
      expect(result.status).toBe("optimal");
      expect(result.objective).toBeCloseTo(reference.ObjectiveValue, 9);
    }
  });
});

describe("solveReplicas on the original SMO's unit-test cases", () => {
  it("scales two services to the fewest replicas that serve their rates", async () => {
    const result = await solveReplicas({
      cluster: { cpu: 10, gpu: false },
      services: [
        service("a", { cpu: 0.5, alpha: 30, beta: 10, requestRate: 50, previous: 1, maxReplicas: 10 }),
        service("b", { cpu: 1, alpha: 25, beta: 5, requestRate: 80, previous: 1, maxReplicas: 10 }),
      ],
    });
    expect(result).toMatchObject({ status: "optimal", replicas: { a: 2, b: 3 } });
    // 0.4·(2·0.5 + 3·1)/10 + 0.4·(1/10 + 2/10)
    expect(result.objective).toBeCloseTo(0.28, 12);
  });

  it("keeps at least one replica when nothing is requested (the tie 1 vs 2 costs 0.16 either way)", async () => {
    const problem = { cluster: { cpu: 10, gpu: false }, services: [service("a", { cpu: 1, alpha: 1, beta: 0, requestRate: 0, previous: 2, maxReplicas: 5 })] };
    const result = await solveReplicas(problem);
    expect([1, 2]).toContain(result.replicas.a);
    expect(result.objective).toBeCloseTo(0.16, 12);
  });

  it("keeps idle replicas when the cluster has room: a step costs more than the CPU it saves", async () => {
    // maxUtil = max(20·1, 20·0.25) = 20: a replica of "idle" costs 0.4·0.25/20 = 0.005, a step 0.4/20 = 0.02.
    const problem = {
      cluster: { cpu: 10, gpu: false },
      services: [service("large", { cpu: 1, maxReplicas: 20, previous: 1 }), service("idle", { requestRate: 0, previous: 4, maxReplicas: 20, cpu: 0.25 })],
    };
    expect((await solveReplicas(problem)).replicas).toEqual({ large: 1, idle: 4 });
  });

  it("scales idle replicas down when the cluster CPU requires it", async () => {
    const problem = {
      cluster: { cpu: 2.5, gpu: false },
      services: [service("busy", { cpu: 1, alpha: 10, requestRate: 20, previous: 1, maxReplicas: 20 }), service("idle", { requestRate: 0, previous: 4, maxReplicas: 20, cpu: 0.25 })],
    };
    expect((await solveReplicas(problem)).replicas).toEqual({ busy: 2, idle: 2 });
  });
});

describe("infeasible problems name the services", () => {
  it("reports the service whose request rate needs more than maxReplicas", async () => {
    const result = await solveReplicas({
      cluster: { cpu: 100, gpu: false },
      services: [service("front", { alpha: 10, requestRate: 35, maxReplicas: 5 }), service("detector", { alpha: 10, beta: -5, requestRate: 60, maxReplicas: 5 })],
    });
    expect(result.status).toBe("infeasible");
    expect(Number.isNaN(result.objective)).toBe(true);
    expect(result.reason).toBe('service "detector" needs 7 replicas for 60 req/s (10·r - 5 ≥ 60) but maxReplicas is 5');
  });

  it("reports every GPU service on a cluster without GPU", async () => {
    const result = await solveReplicas({
      cluster: { cpu: 100, gpu: false },
      services: [service("a", { gpu: true }), service("b", {}), service("c", { gpu: true })],
    });
    expect(result).toMatchObject({ status: "infeasible", reason: 'services "a", "c" need a GPU but the cluster has none' });
  });

  it("accepts GPU services on a GPU cluster", async () => {
    const result = await solveReplicas({ cluster: { cpu: 100, gpu: true }, services: [service("a", { gpu: true, previous: 3 })] });
    expect(result).toMatchObject({ status: "optimal", replicas: { a: 3 } });
  });

  it("reports the cluster CPU shortfall with the largest consumers first", async () => {
    const result = await solveReplicas({
      cluster: { cpu: 4, gpu: false },
      services: [service("small", { cpu: 0.5, alpha: 10, requestRate: 10 }), service("big", { cpu: 1.5, alpha: 10, requestRate: 25 })],
    });
    expect(result.status).toBe("infeasible");
    expect(result.reason).toBe('the cluster has 4 cores but the fewest replicas that serve the request rates need 5 cores: "big" 3 × 1.5 = 4.5, "small" 1 × 0.5 = 0.5');
  });

  it("treats a cluster with no CPU as too small, not as an error", async () => {
    const result = await solveReplicas({ cluster: { cpu: 0, gpu: false }, services: [service("a", {})] });
    expect(result.status).toBe("infeasible");
    expect(result.reason).toContain('"a" 1 × 1 = 1');
  });
});

describe("minimumReplicas", () => {
  it.each([
    { alpha: 0.1, beta: 0, requestRate: 0.3, expected: 3 }, // 0.3/0.1 = 2.9999999999999996
    { alpha: 0.1, beta: 0, requestRate: 1.1, expected: 11 }, // 1.1/0.1 = 11.000000000000002
    { alpha: 30, beta: 10, requestRate: 50, expected: 2 },
    { alpha: 33.33, beta: -16.66, requestRate: 50, expected: 2 }, // the original demo's line: 66.66 − 16.66 = 50 exactly
    { alpha: 33.33, beta: -16.66, requestRate: 50.01, expected: 3 },
    { alpha: 5, beta: 100, requestRate: 20, expected: 1 },
    { alpha: 5, beta: 0, requestRate: 0, expected: 1 },
  ])("alpha $alpha, beta $beta, rate $requestRate → $expected", ({ alpha, beta, requestRate, expected }) => {
    const replicas = minimumReplicas({ alpha, beta, requestRate, maxReplicas: 100 });
    expect(replicas).toBe(expected);
    expect(alpha * replicas + beta >= requestRate).toBe(true);
    if (replicas > 1) expect(alpha * (replicas - 1) + beta >= requestRate).toBe(false);
  });
});

describe("solveReplicas input validation", () => {
  it("names every bad field by path and solves nothing", async () => {
    const problem = {
      cluster: { cpu: -1, gpu: "yes" },
      services: [
        service("ok", {}),
        { ...service("bad", {}), alpha: 0, cpu: Number.NaN, maxReplicas: 2.5, previous: -1, requestRate: -3 },
        service("ok", {}),
      ],
    } as unknown as ReplicaProblem;
    const error = await solveReplicas(problem).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((issue) => issue.path);
    expect(paths).toEqual([
      "cluster.cpu",
      "cluster.gpu",
      "services[1].cpu",
      "services[1].alpha",
      "services[1].requestRate",
      "services[1].previous",
      "services[1].maxReplicas",
      "services[2].id",
    ]);
    expect((error as ValidationError).message).toContain('services[2].id: "ok" is already the id of services[0]');
  });

  it("rejects a missing services array", async () => {
    await expect(solveReplicas({ cluster: { cpu: 1, gpu: false } } as unknown as ReplicaProblem)).rejects.toThrow("services: must be an array");
  });

  it("solves an empty graph to no replicas", async () => {
    expect(await solveReplicas({ cluster: { cpu: 1, gpu: false }, services: [] })).toMatchObject({ status: "optimal", replicas: {}, objective: 0 });
  });
});

describe("replicaObjective", () => {
  it("computes 0.4·Σ r·cpu/max(maxReplicas·cpu) + 0.4·Σ |r − previous|/maxReplicas", () => {
    const problem: ReplicaProblem = {
      cluster: { cpu: 10, gpu: false },
      services: [service("a", { cpu: 0.5, previous: 3, maxReplicas: 4 }), service("b", { cpu: 2, previous: 0, maxReplicas: 2 })],
    };
    // maxUtil = max(4·0.5, 2·2) = 4
    const expected = 0.4 * ((1 * 0.5 + 2 * 2) / 4) + 0.4 * (2 / 4 + 2 / 2);
    expect(replicaObjective(problem, { a: 1, b: 2 })).toBeCloseTo(expected, 12);
  });

  it("refuses replicas missing a service", () => {
    const problem: ReplicaProblem = { cluster: { cpu: 10, gpu: false }, services: [service("a", {})] };
    expect(() => replicaObjective(problem, {})).toThrow("replicas.a: must be a number of replicas, got undefined");
  });
});
