/**
 * `npm run bench -- helm`: what one helm call costs in the sandbox. Start-up of the sandbox helm
 * (cached esbuild bundle, and tsx for comparison), and the lib/helm client's install, upgrade,
 * status and uninstall against the Kubernetes emulator. Wall time, and child CPU time when
 * /usr/bin/time is there.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createHelmClient } from "../lib/helm/client";
import { buildPlacementValues } from "../lib/helm/values";
import { startKubeEmulator } from "../sim/kube/index";
import { printTable, type Benchmark } from "./table";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HELM_BIN = `${ROOT}sim/helm/helm`;
const REPETITIONS = 7;

type Sample = { wallMs: number; cpuMs?: number };

/** Runs a command, returning wall time and (with GNU time) the child's user+system CPU time. */
function measure(file: string, args: string[]): Promise<Sample> {
  const hasGnuTime = existsSync("/usr/bin/time");
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const [command, argv] = hasGnuTime ? ["/usr/bin/time", ["-f", "CPU %U %S", file, ...args]] : [file, args];
    execFile(command, argv, { encoding: "utf8" }, (error, _stdout, stderr) => {
      const wallMs = performance.now() - startedAt;
      if (error && !/CPU/.test(stderr)) return reject(error);
      const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      resolve({ wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined });
    });
  });
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function row(name: string, samples: Sample[]): (string | number)[] {
  const cpu = samples.map((sample) => sample.cpuMs).filter((value): value is number => value !== undefined);
  return [name, samples.length, percentile(samples.map((s) => s.wallMs), 0.5), percentile(samples.map((s) => s.wallMs), 0.9), cpu.length ? percentile(cpu, 0.5) : "-"];
}

async function repeat(times: number, run: () => Promise<Sample>): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let index = 0; index < times; index++) samples.push(await run());
  return samples;
}

async function runHelmBenchmark(): Promise<void> {
  // Warm the bundle cache (a rebuild happens only when a source changed).
  await measure(HELM_BIN, ["version"]);
  const startup: (string | number)[][] = [
    row("sim/helm/helm version (bundle)", await repeat(REPETITIONS, () => measure(HELM_BIN, ["version"]))),
    row("node --import tsx sim/helm/main.ts version", await repeat(REPETITIONS, () => measure("node", ["--import", `${ROOT}node_modules/tsx/dist/loader.mjs`, `${ROOT}sim/helm/main.ts`, "version"]))),
    row("node -e 0 (floor)", await repeat(REPETITIONS, () => measure("node", ["-e", "0"]))),
  ];

  const emulator = await startKubeEmulator({ schedulerDelayMs: 20 });
  try {
    const status = ["status", "missing", "--kubeconfig", emulator.kubeconfigPath];
    startup.push(
      row("sim/helm/helm status (bundle; client-node + 2 requests)", await repeat(REPETITIONS, () => measure(HELM_BIN, status))),
      row("node --import tsx sim/helm/main.ts status", await repeat(REPETITIONS, () => measure("node", ["--import", `${ROOT}node_modules/tsx/dist/loader.mjs`, `${ROOT}sim/helm/main.ts`, ...status]))),
    );
    printTable("Sandbox helm start-up (ms)", ["command", "runs", "wall p50", "wall p90", "child CPU p50"], startup);

    const client = createHelmClient({ helmBin: HELM_BIN, kubeconfigPath: emulator.kubeconfigPath });
    const timings: Record<string, number[]> = { install: [], "upgrade --reuse-values": [], status: [], uninstall: [] };
    const time = async (operation: string, run: () => Promise<unknown>) => {
      const startedAt = performance.now();
      await run();
      timings[operation]!.push(performance.now() - startedAt);
    };
    for (let index = 0; index < REPETITIONS; index++) {
      const release = `bench-${index}`;
      const values = buildPlacementValues({ implementer: "HELM", valuesOverwrite: {}, clustersAffinity: ["paris"], serviceImportClusters: ["frankfurt"] });
      await time("install", () => client.install({ release, chart: "oci://127.0.0.1:5000/bench/web", namespace: "bench", values }));
      const moved = buildPlacementValues({ implementer: "HELM", valuesOverwrite: {}, clustersAffinity: ["stockholm"], serviceImportClusters: [] });
      await time("upgrade --reuse-values", () => client.upgrade({ release, chart: "oci://127.0.0.1:5000/bench/web", namespace: "bench", values: moved, reuseValues: true }));
      await time("status", () => client.status({ release, namespace: "bench" }));
      await time("uninstall", () => client.uninstall({ release, namespace: "bench" }));
    }
    printTable(
      "lib/helm client → sandbox helm → Kubernetes emulator (ms, wall)",
      ["operation", "runs", "p50", "p90"],
      Object.entries(timings).map(([operation, values]) => [operation, values.length, percentile(values, 0.5), percentile(values, 0.9)]),
    );
  } finally {
    await emulator.close();
  }
}

export const helmBenchmark: Benchmark = {
  name: "helm",
  summary: "sandbox helm start-up and the helm client's operations against the Kubernetes emulator",
  run: runHelmBenchmark,
};
