/**
 * `npm run bench -- hdag`: the descriptor reader (lib/hdag) on the shared samples, on large
 * valid graphs in YAML and JSON, and on hostile inputs that must be refused early: alias bombs,
 * deep nesting, oversized text, a huge mapping with a duplicate key.
 */
import { readFileSync } from "node:fs";
import { stringify as stringifyYaml } from "yaml";
import { ValidationError } from "../lib/errors";
import { parseHdag } from "../lib/hdag";
import { printTable, type Benchmark } from "./table";

const MAX_RUNS = 20;
const TIME_BUDGET_MS = 3_000;

function graphWith(count: number): Record<string, unknown> {
  const services = Array.from({ length: count }, (_, index) => ({
    id: `service-${index}`,
    deployment: {
      trigger: { auto: { dependencies: [] } },
      intent: {
        compute: { cpu: "small", ram: "small", storage: "small", gpu: { enabled: false } },
        connectionPoints: index > 0 ? [`service-${index - 1}`] : [],
        network: { latencies: [{ connectionPoint: "", qos: "best-effort" }] },
      },
    },
    artifact: { ociImage: `oci://127.0.0.1:5000/bench/service-${index}`, valuesOverwrite: { image: { tag: "1.0.0" }, replicas: 1 } },
  }));
  return { hdaGraph: { id: "bench", services } };
}

function billionLaughs(): string {
  const lines = ["hdaGraph:", "  lol:", '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 10; level++) {
    const previous = String.fromCharCode(96 + level);
    const current = String.fromCharCode(97 + level);
    lines.push(`    ${current}: &${current} [${Array(9).fill(`*${previous}`).join(",")}]`);
  }
  return lines.join("\n");
}

function outcomeOf(text: string): string {
  try {
    const graph = parseHdag(text);
    return `valid, ${graph.services.length} services`;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const first = error.issues[0]?.message ?? "";
    return `refused: ${first.length > 60 ? `${first.slice(0, 57)}...` : first}`;
  }
}

function measure(text: string): { runs: number; median: number; max: number } {
  const times: number[] = [];
  const started = performance.now();
  while (times.length < MAX_RUNS && (times.length < 3 || performance.now() - started < TIME_BUDGET_MS)) {
    const start = performance.now();
    outcomeOf(text);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { runs: times.length, median: times[Math.floor(times.length / 2)]!, max: times.at(-1)! };
}

export const hdagBenchmark: Benchmark = {
  name: "hdag",
  summary: "parseHdag: samples, 100 and 1,000 services in YAML and JSON, hostile inputs refused",
  run: async () => {
    const cases: [string, string][] = [
      ["sample image-detection (YAML)", readFileSync(new URL("../examples/hdag/image-detection-graph.yaml", import.meta.url), "utf8")],
      ["100 services (YAML)", stringifyYaml(graphWith(100))],
      ["1,000 services (YAML)", stringifyYaml(graphWith(1_000))],
      ["1,000 services (JSON)", JSON.stringify(graphWith(1_000))],
      ["billion laughs", billionLaughs()],
      ["1,000,000 '[' (deep flow nesting)", "[".repeat(1_000_000)],
      ["1,001 aliases", `x: &x 1\nlist: [${Array(1_001).fill("*x").join(", ")}]\n`],
      ["1.1 MiB of text", `hdaGraph: {description: "${"x".repeat(1_150_000)}"}`],
      ["20,000-key mapping + duplicate", `${Array.from({ length: 20_000 }, (_, index) => `k${index}: v`).join("\n")}\nk1: again\n`],
    ];
    const rows = cases.map(([name, text]) => {
      const { runs, median, max } = measure(text);
      return [name, Math.round(Buffer.byteLength(text) / 1024), outcomeOf(text), runs, median, max];
    });
    printTable("parseHdag (ms per call)", ["input", "KiB", "outcome", "runs", "median ms", "max ms"], rows);
  },
};
