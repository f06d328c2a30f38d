/**
 * `npm run bench -- deploy`: deploying a generated 50-service graph into the sandbox with helm
 * slowed to SMO_SIM_HELM_LATENCY_MS=500 per action, installing 1, 4 and 8 services at a time.
 * Wall time of the whole deploy operation and the speed-up over one at a time, and the CPU time
 * of this process (SMO, PGlite and the in-process emulators; helm runs in child processes). Each
 * run uses a fresh sandbox and database so runs do not share state.
 */
import { eq } from "drizzle-orm";
import { operationSteps } from "../db/schema";
import { deployGraph } from "../lib/graphs";
import { generateGraphDescriptor } from "../lib/graphs/testdata/descriptors";
import { startSandboxCore } from "../sim/testing";
import { printTable, type Benchmark } from "./table";

const SERVICES = Number(process.env.SMO_BENCH_DEPLOY_SERVICES ?? 50);
const LATENCY_MS = 500;
const CONCURRENCIES = [1, 4, 8];

type Run = { concurrency: number; wallMs: number; status: string; meanInstallMs: number; processCpuMs: number };

async function deployOnce(concurrency: number): Promise<Run> {
  const core = await startSandboxCore({ helmEnv: { SMO_SIM_HELM_LATENCY_MS: String(LATENCY_MS) }, config: { deploy: { serviceConcurrency: concurrency } } });
  try {
    const text = generateGraphDescriptor({ name: `bench-${concurrency}`, services: SERVICES, chain: true });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await deployGraph(core.ctx, { project: "bench", descriptor: { text } });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const steps = await core.ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, result.operation.id));
    const installs = steps.filter((step) => step.action === "helm-install" && step.startedAt && step.finishedAt);
    const meanInstallMs = installs.reduce((total, step) => total + (step.finishedAt!.getTime() - step.startedAt!.getTime()), 0) / Math.max(1, installs.length);
    return { concurrency, wallMs, status: result.operation.status, meanInstallMs, processCpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await core.close();
  }
}

async function runDeployBenchmark(): Promise<void> {
  const runs: Run[] = [];
  for (const concurrency of CONCURRENCIES) runs.push(await deployOnce(concurrency));
  const serial = runs.find((run) => run.concurrency === 1)!;
  printTable(
    `deploy of a ${SERVICES}-service graph, helm latency ${LATENCY_MS} ms per action`,
    ["services at a time", "operation", "wall s", "mean helm-install step s", "SMO + emulators CPU s", "speed-up vs 1"],
    runs.map((run) => [run.concurrency, run.status, run.wallMs / 1000, run.meanInstallMs / 1000, run.processCpuMs / 1000, serial.wallMs / run.wallMs]),
  );
}

export const deployBenchmark: Benchmark = {
  name: "deploy",
  summary: `a generated ${SERVICES}-service graph deployed into the sandbox (helm latency ${LATENCY_MS} ms), services installed 1, 4 and 8 at a time`,
  run: runDeployBenchmark,
};
