import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluatePlacement, parsePlacementScenario } from "../../lib/placement";
import type { CliIo } from "../io";
import { runCli } from "../main";

const EXAMPLES = ["lib/placement/examples/image-detection.json", "lib/placement/examples/edge-federation.json"];

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "smo-placement-cli-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function scenarioFile(name: string, content: unknown): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("smo placement solve", () => {
  it("prints exactly status, placement, objective, terms, gap, solveMs and explanations with --json", async () => {
    for (const example of EXAMPLES) {
      const { code, stdout, stderr } = await run(["placement", "solve", example, "--json"]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const output = JSON.parse(stdout);
      expect(Object.keys(output)).toEqual(["status", "placement", "objective", "terms", "gap", "solveMs", "explanations"]);
      expect(output.status).toBe("optimal");
      // The placement is feasible and worth the objective printed, by the library's own measure.
      const input = parsePlacementScenario(JSON.parse(await readFile(example, "utf8")));
      const evaluation = evaluatePlacement(input, output.placement);
      expect(evaluation.violations).toEqual([]);
      expect(output.objective).toBeCloseTo(evaluation.objective, 9);
      expect(output.terms).toEqual(evaluation.terms);
      expect(output.explanations).toHaveLength(input.services.length);
    }
  });

  it("moves the GPU service off the NotReady cluster in the image-detection example", async () => {
    const { code, stdout } = await run(["placement", "solve", EXAMPLES[0]!, "--json"]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.placement["image-detection"]).toEqual(["paris-core"]);
    const detection = output.explanations.find((explanation: { service: string }) => explanation.service === "image-detection");
    expect(detection.excluded).toEqual([
      { cluster: "brussels-edge", reason: "no-gpu", message: '"image-detection" needs a GPU and "brussels-edge" has none' },
      { cluster: "athens-edge", reason: "not-ready", message: '"athens-edge" is not Ready' },
    ]);
  });

  it("prints a table with the reason per service and a status line, for each algorithm", async () => {
    for (const algorithm of ["first-fit", "green-best-fit", "optimal"]) {
      const { code, stdout, stderr } = await run(["placement", "solve", EXAMPLES[1]!, "--algorithm", algorithm, "--time-limit", "20"]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const lines = stdout.split("\n");
      expect(lines[0]).toMatch(/^SERVICE\s+CLUSTERS\s+WHY$/);
      expect(lines.find((line) => line.startsWith("recommender"))).toMatch(/^recommender\s+gpu-hub\s+.*ruled out: edge-a \(no-gpu\)/);
      expect(stdout).toMatch(new RegExp(`status: (optimal|feasible) \\(${algorithm}\\)  objective: [0-9.]+  terms: migration [0-9]+, carbon [0-9.]+, communication [0-9]+, balance [0-9.]+.*time: [0-9]+ ms`));
    }
  });

  it("rejects a bad scenario file naming each bad field by its path, with nothing on stdout", async () => {
    const file = await scenarioFile("bad.json", {
      clusters: [{ name: "a", cpu: "lots", memory: "4Gi" }, { name: "a", cpu: 2, memory: "1Gi", colour: "blue" }],
      services: [{ id: "x", cpu: "500m", memory: "1Gi", replicas: -1, latencies: { y: "fast" } }, { id: "y", cpu: 1, memory: "1Gi", connectionPoints: ["nobody"] }],
      weights: { migration: -1 },
    });
    const { code, stdout, stderr } = await run(["placement", "solve", file, "--json"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("is not a valid placement scenario");
    expect(stderr).toContain("clusters[0].cpu: must be a CPU quantity");
    expect(stderr).toContain('clusters[1]: Unrecognized key: "colour"');
    expect(stderr).toContain("services[0].replicas:");
    expect(stderr).toContain("services[0].latencies.y:");
    expect(stderr).toContain("weights.migration:");

    // Shape is fine; references are not: reported by path too.
    const dangling = await scenarioFile("dangling.json", {
      clusters: [{ name: "a", cpu: 2, memory: "1Gi" }, { name: "a", cpu: 2, memory: "1Gi" }],
      services: [{ id: "x", cpu: 1, memory: "1Gi", connectionPoints: ["nobody"], coLocation: ["ghost"] }],
    });
    const second = await run(["placement", "solve", dangling]);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain('clusters[1].name: duplicate cluster name "a"');
    expect(second.stderr).toContain('services[0].connectionPoints[0]: names no service of the input ("nobody")');
    expect(second.stderr).toContain('services[0].coLocation[0]: names no service of the input ("ghost")');
  });

  it("fails on a file that cannot be read or is not JSON, and on usage errors", async () => {
    const missing = await run(["placement", "solve", join(folder, "missing.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read");
    const notJson = await run(["placement", "solve", await scenarioFile("text.json", "clusters: []")]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain("is not valid JSON");
    expect((await run(["placement", "solve"])).code).toBe(2);
    const wrongAlgorithm = await run(["placement", "solve", EXAMPLES[0]!, "--algorithm", "random"]);
    expect(wrongAlgorithm.code).toBe(2);
    expect(wrongAlgorithm.stderr).toContain("--algorithm must be one of first-fit, green-best-fit, optimal");
    expect((await run(["placement", "solve", EXAMPLES[0]!, "--time-limit", "-3"])).code).toBe(2);
  });

  it("exits 1 with the reason on stderr when no placement exists, defaults applied to omitted fields", async () => {
    const file = await scenarioFile("impossible.json", {
      clusters: [{ name: "small", cpu: 2, memory: "4Gi" }, { name: "down", cpu: 64, memory: "64Gi", ready: false }],
      services: [{ id: "big", cpu: "3", memory: "1Gi" }],
    });
    const { code, stdout, stderr } = await run(["placement", "solve", file, "--json"]);
    expect(code).toBe(1);
    const output = JSON.parse(stdout);
    expect(output.status).toBe("infeasible");
    expect(output.placement).toEqual({});
    expect(output.objective).toBeNull();
    expect(stderr).toBe('infeasible: "big" fits on no cluster: "big" needs 3 cores and "small" has 2 cores; "down" is not Ready\n');
  });
});
