/**
 * Placement benchmark: the original re-optimization model and the full model at 10×3 … 1,000×50
 * (services × clusters), first solve versus warm WASM, and memory over 2,000 consecutive solves.
 */
import { loadHighs } from "../lib/solver/highs";
import { planPlacement } from "../lib/placement";
import { generatePlacementInstance, type InstanceKind } from "./placement-instances";
import { printTable, type Benchmark } from "./table";

/** services, clusters, instances (seeds 1…n) of each size; more instances where times vary most. */
const SIZES: Record<InstanceKind, [number, number, number][]> = {
  original: [
    [10, 3, 3],
    [50, 10, 3],
    [200, 20, 1],
    [1000, 50, 1],
  ],
  full: [
    [10, 3, 3],
    [50, 10, 5],
    [200, 20, 1],
    [1000, 50, 1],
  ],
};
const TIME_LIMIT_SECONDS = 10;

async function runModel(kind: InstanceKind): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const [services, clusters, instances] of SIZES[kind]) {
    for (let seed = 1; seed <= instances; seed += 1) {
      const input = generatePlacementInstance(seed, services, clusters, kind);
      const firstFit = await planPlacement(input, { algorithm: "first-fit" });
      const result = await planPlacement(input, { algorithm: "optimal", timeLimitSeconds: TIME_LIMIT_SECONDS });
      const stats = result.stats;
      rows.push([
        `${services}×${clusters}`,
        seed,
        stats ? `${stats.columns}×${stats.rows}` : "-",
        stats ? stats.heuristicMs : 0,
        stats ? stats.buildMs : 0,
        stats ? stats.highsMs : 0,
        result.solveMs,
        result.status,
        result.gap === undefined ? "-" : Number.isFinite(result.gap) ? `${(result.gap * 100).toFixed(2)}%` : "∞",
        result.objective,
        stats ? stats.startObjective : Number.NaN,
        firstFit.status === "feasible" ? firstFit.objective : firstFit.status,
      ]);
    }
  }
  return rows;
}

const HEADERS = ["size", "seed", "columns×rows", "heuristics ms", "build ms", "HiGHS ms", "total ms", "status", "gap", "objective", "start objective", "first-fit objective"];

export const placementBenchmark: Benchmark = {
  name: "placement",
  summary: "optimal placement (HiGHS MILP) against first-fit: build and solve times, gaps, warm-up, memory over 2,000 solves",
  async run() {
    const highs = await loadHighs();
    const small = generatePlacementInstance(7, 10, 3, "full");

    // The first solve runs WASM in V8's baseline tier; later ones are optimised.
    const cold = await planPlacement(small, { algorithm: "optimal" });
    for (let seed = 100; seed < 150; seed += 1) await planPlacement(generatePlacementInstance(seed, 12, 4, "full"), { algorithm: "optimal" });
    const warm = await planPlacement(small, { algorithm: "optimal" });
    printTable("First solve in the process vs after 50 warm-up solves (full model, 10×3)", ["solve", "total ms", "HiGHS ms", "status"], [
      ["first", cold.solveMs, cold.stats?.highsMs ?? 0, cold.status],
      ["warm", warm.solveMs, warm.stats?.highsMs ?? 0, warm.status],
    ]);

    printTable(
      `Original re-optimization model (x, assignment, capacity, migration only; every service has a current cluster; limit ${TIME_LIMIT_SECONDS} s)`,
      HEADERS,
      await runModel("original"),
    );
    printTable(
      `Full model (migration 1, carbon 1/max intensity, communication 1, balance 5; spread, co-location, GPUs, a NotReady cluster; limit ${TIME_LIMIT_SECONDS} s)`,
      HEADERS,
      await runModel("full"),
    );

    // Memory: every model is disposed, so neither the WASM heap nor the process may grow with the number of solves.
    const instances = Array.from({ length: 20 }, (_, index) => generatePlacementInstance(200 + index, 10, 3, index % 2 === 0 ? "original" : "full"));
    const measure = () => ({ rss: process.memoryUsage().rss, wasm: highs.memoryBytes });
    const before = measure();
    const started = performance.now();
    for (let solve = 0; solve < 2000; solve += 1) await planPlacement(instances[solve % instances.length]!, { algorithm: "optimal" });
    const elapsed = performance.now() - started;
    const after = measure();
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    printTable("Memory over 2,000 consecutive optimal solves (10×3, original and full models alternately)", ["", "RSS MiB", "HiGHS WASM heap MiB", "ms per solve"], [
      ["before", mib(before.rss), mib(before.wasm), "-"],
      ["after", mib(after.rss), mib(after.wasm), elapsed / 2000],
    ]);
  },
};
