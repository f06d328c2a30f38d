import { createSeededRandom as createRandom } from "../lib/random";
/**
 * `npm run bench -- scaling`: the replica model (lib/scaling/replicas.ts) at 10 to 10,000
 * services, phase by phase, against HiGHS' LP-text path; the cold first solve in a fresh
 * process; and WASM/RSS memory over 2,000 consecutive small solves.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadHighs } from "../lib/solver/highs";
import {
  REPLICA_SOLVER_OPTIONS,
  buildReplicaModel,
  checkReplicaBounds,
  extractReplicas,
  minimumReplicas,
  replicaObjective,
  solveReplicas,
  utilisationDenominator,
  type ReplicaProblem,
  type ReplicaService,
} from "../lib/scaling/replicas";
import { printTable, type Benchmark } from "./table";

const SIZES = [10, 100, 1_000, 10_000];
const REPETITIONS: Record<number, number> = { 10: 200, 100: 100, 1_000: 30, 10_000: 5 };
const MEMORY_SOLVES = 2_000;


/**
 * Services whose request rates moved since the last decision. With `binding`, the cluster's CPU
 * lies between the minimum replicas' need and what keeping every previous count would use, so
 * the CPU row binds and HiGHS has to trade replicas between services; without it, the cluster
 * has room and the model's optimum is found without a search.
 */
function createProblem(count: number, seed: number, binding = true): ReplicaProblem {
  // A small instance may have no room between the two CPU figures: try the next seed.
  for (let attempt = 0; ; attempt++) {
    const problem = generateProblem(count, seed * 7919 + attempt, binding);
    const bounds = checkReplicaBounds(problem);
    if (bounds.feasible && bounds.isCpuBinding === binding) return problem;
  }
}

function generateProblem(count: number, seed: number, binding: boolean): ReplicaProblem {
  const random = createRandom(seed);
  const services = Array.from({ length: count }, (_, index): ReplicaService => {
    const maxReplicas = 4 + Math.floor(random() * 12);
    const alpha = 5 + Math.floor(random() * 40);
    const beta = Math.floor(random() * 20) - 10;
    return {
      id: `service-${index}`,
      cpu: 0.1 * (1 + Math.floor(random() * 20)),
      alpha,
      beta,
      requestRate: Math.floor(random() * (alpha * (maxReplicas - 1) + beta)),
      previous: 1 + Math.floor(random() * maxReplicas),
      maxReplicas,
      gpu: false,
    };
  });
  const minimum = services.reduce((sum, s) => sum + s.cpu * minimumReplicas(s), 0);
  const keep = services.reduce((sum, s) => sum + s.cpu * Math.max(s.previous, minimumReplicas(s)), 0);
  return { cluster: { cpu: binding ? Math.round(10 * (minimum + 0.5 * (keep - minimum))) / 10 : Math.ceil(keep * 1.2), gpu: false }, services };
}

/** The same model as CPLEX LP text with names, solved through highs.solve(): the path the persistent API avoids. */
function toLpText(problem: ReplicaProblem, upper: Float64Array): string {
  const maxUtil = utilisationDenominator(problem.services);
  const lines: string[] = ["Minimize", " obj:"];
  problem.services.forEach((s, i) => lines.push(` + ${(0.4 * s.cpu) / maxUtil} r${i} + ${0.4 / s.maxReplicas} d${i}`));
  lines.push("Subject To", ` cpu: ${problem.services.map((s, i) => `+ ${s.cpu} r${i}`).join(" ")} <= ${problem.cluster.cpu}`);
  problem.services.forEach((s, i) => {
    lines.push(` up${i}: r${i} - d${i} <= ${s.previous}`, ` down${i}: r${i} + d${i} >= ${s.previous}`);
  });
  lines.push("Bounds");
  problem.services.forEach((s, i) => lines.push(` ${minimumReplicas(s)} <= r${i} <= ${upper[i]}`));
  lines.push("Generals", ` ${problem.services.map((_, i) => `r${i}`).join(" ")}`, "End");
  return lines.join("\n");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

type Phases = { check: number; build: number; load: number; run: number; extract: number };

/** Milliseconds of CPU this process spent in `work`: less sensitive than wall time to other processes on the machine. */
async function timeCpu<T>(work: () => T | Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** One HiGHS solve split into phases, doing what solveReplicas does when the CPU row binds. */
async function solveInPhases(problem: ReplicaProblem): Promise<Phases> {
  const highs = await loadHighs();
  const t0 = performance.now();
  const bounds = checkReplicaBounds(problem);
  if (!bounds.feasible || !bounds.isCpuBinding) throw new Error("benchmark instance must be feasible with a binding CPU row");
  const t1 = performance.now();
  const data = buildReplicaModel(problem, bounds);
  const t2 = performance.now();
  const model = highs.createModel();
  try {
    model.options.set(REPLICA_SOLVER_OPTIONS);
    model.passModel(data);
    const t3 = performance.now();
    const { modelStatus } = model.run();
    if (modelStatus !== highs.constants.modelStatus.optimal) throw new Error(`HiGHS status ${modelStatus}`);
    const t4 = performance.now();
    const replicas = extractReplicas(problem, bounds, model.getSolution().colValue);
    replicaObjective(problem, replicas);
    const t5 = performance.now();
    return { check: t1 - t0, build: t2 - t1, load: t3 - t2, run: t4 - t3, extract: t5 - t4 };
  } finally {
    model.dispose();
  }
}

async function measureSizes(): Promise<void> {
  const highs = await loadHighs();
  // Warm the WASM out of V8's baseline tier (STACK.md: ~50 solves) before timing anything.
  for (let round = 0; round < 100; round++) await solveReplicas(createProblem(20, round));

  const bindingRows: (string | number)[][] = [];
  const roomyRows: (string | number)[][] = [];
  for (const size of SIZES) {
    const repetitions = REPETITIONS[size]!;
    const phases: Phases[] = [];
    const totals: number[] = [];
    const cpuTotals: number[] = [];
    const textTotals: number[] = [];
    for (let round = 0; round < repetitions; round++) {
      const problem = createProblem(size, 1000 + round);
      phases.push(await solveInPhases(problem));
      const timed = await timeCpu(() => solveReplicas(problem));
      const result = timed.value;
      totals.push(timed.wallMs);
      cpuTotals.push(timed.cpuMs);
      const bounds = checkReplicaBounds(problem);
      if (!bounds.feasible) throw new Error("infeasible benchmark instance");
      const lpText = await timeCpu(() => highs.solve(toLpText(problem, bounds.upper), { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0 }));
      textTotals.push(lpText.wallMs);
      if (Math.abs(lpText.value.ObjectiveValue - result.objective) > 1e-6 * Math.max(1, result.objective)) {
        throw new Error(`LP text and persistent API disagree at ${size} services: ${lpText.value.ObjectiveValue} vs ${result.objective}`);
      }
    }
    const pick = (key: keyof Phases) => median(phases.map((phase) => phase[key]));
    bindingRows.push([size, repetitions, pick("check"), pick("build"), pick("load"), pick("run"), pick("extract"), median(totals), median(cpuTotals), Math.max(...totals), median(textTotals)]);

    const roomyTotals: number[] = [];
    const roomyCpu: number[] = [];
    for (let round = 0; round < repetitions; round++) {
      const problem = createProblem(size, 2000 + round, false);
      const timed = await timeCpu(() => solveReplicas(problem));
      const result = timed.value;
      if (result.status !== "optimal") throw new Error("roomy benchmark instance must be feasible");
      roomyTotals.push(timed.wallMs);
      roomyCpu.push(timed.cpuMs);
    }
    roomyRows.push([size, repetitions, median(roomyTotals), median(roomyCpu), Math.max(...roomyTotals)]);
  }
  printTable(
    "CPU row binding (HiGHS solves): median ms per solve, warm",
    ["services", "solves", "checks", "build arrays", "createModel+options+passModel", "run", "extract", "solveReplicas wall", "solveReplicas CPU", "wall max", "same model via LP text"],
    bindingRows,
  );
  printTable("Cluster with room (optimum without search): median ms per solve, warm", ["services", "solves", "solveReplicas wall", "solveReplicas CPU", "wall max"], roomyRows);
}

type ColdTimings = { loadHighs: number; first10: number; second10: number; first1000: number };

/** Runs in a fresh process: the WASM has not been compiled past V8's baseline tier yet. */
async function measureColdInThisProcess(): Promise<ColdTimings> {
  let started = performance.now();
  await loadHighs();
  const loadTime = performance.now() - started;
  started = performance.now();
  await solveReplicas(createProblem(10, 1));
  const first10 = performance.now() - started;
  started = performance.now();
  await solveReplicas(createProblem(10, 2));
  const second10 = performance.now() - started;
  started = performance.now();
  await solveReplicas(createProblem(1_000, 3));
  return { loadHighs: loadTime, first10, second10, first1000: performance.now() - started };
}

async function measureCold(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, "--cold"], { cwd: process.cwd() });
  const cold = JSON.parse(stdout) as ColdTimings;
  printTable(
    "Cold start in a fresh process (ms)",
    ["loadHighs()", "first solve, 10 services", "second solve, 10 services", "next solve, 1,000 services"],
    [[cold.loadHighs, cold.first10, cold.second10, cold.first1000]],
  );
}

async function measureMemory(): Promise<void> {
  const highs = await loadHighs();
  const rows: (string | number)[][] = [];
  let highsSolves = 0;
  const sample = (label: string, solves: number, msPerSolve: number | string) => {
    rows.push([label, solves, highsSolves, (process.memoryUsage().rss / 2 ** 20).toFixed(1), (highs.memoryBytes / 2 ** 20).toFixed(1), msPerSolve]);
  };
  sample("before", 0, "");
  let done = 0;
  for (const checkpoint of [500, 1_000, 2_000]) {
    const started = performance.now();
    const batch = checkpoint - done;
    for (let round = 0; round < batch; round++) {
      const problem = createProblem(5, 50_000 + done + round);
      const bounds = checkReplicaBounds(problem);
      if (bounds.feasible && bounds.isCpuBinding) highsSolves++;
      await solveReplicas(problem);
    }
    done = checkpoint;
    sample(`after ${checkpoint}`, done, (performance.now() - started) / batch);
  }
  printTable(
    `Memory over ${MEMORY_SOLVES.toLocaleString("en")} consecutive 5-service solves`,
    ["when", "solves", "of which HiGHS models", "RSS (MiB)", "HiGHS memoryBytes (MiB)", "ms per solve"],
    rows,
  );
}

export const scalingBenchmark: Benchmark = {
  name: "scaling",
  summary: "replica model solve time (10–10,000 services, by phase), cold start, memory over 2,000 solves",
  run: async () => {
    await measureCold();
    await measureSizes();
    await measureMemory();
  },
};

const isColdChild = process.argv.includes("--cold") && process.argv[1] === fileURLToPath(import.meta.url);
if (isColdChild) {
  process.stdout.write(JSON.stringify(await measureColdInThisProcess()));
}
