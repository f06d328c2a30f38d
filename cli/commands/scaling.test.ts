import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { replicaObjective } from "../../lib/scaling/replicas";
import { parseReplicaScenario } from "../../lib/scaling/scenario";
import type { CliIo } from "../io";
import { runCli } from "../main";

const EXAMPLE = "lib/scaling/examples/brussels-demo.yaml";

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "smo-scaling-cli-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function scenarioFile(name: string, content: unknown): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const service = (id: string, fields: Record<string, unknown> = {}) => ({ id, cpu: 1, alpha: 10, beta: 0, requestRate: 5, previous: 1, maxReplicas: 4, gpu: false, ...fields });

describe("smo scaling solve", () => {
  it("prints exactly status, replicas and objective with --json", async () => {
    const { code, stdout, stderr } = await run(["scaling", "solve", EXAMPLE, "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as { status: string; replicas: Record<string, number>; objective: number };
    expect(Object.keys(output)).toEqual(["status", "replicas", "objective"]);
    expect(output.status).toBe("optimal");
    // image-compression-vo needs 3 replicas for 70 req/s (33.33·3 − 16.66 = 83.33); the others stay.
    expect(output.replicas).toEqual({ "image-compression-vo": 3, "noise-reduction": 2, "image-detection": 1 });
    const problem = parseReplicaScenario(parse(await readFile(EXAMPLE, "utf8")));
    expect(output.objective).toBeCloseTo(replicaObjective(problem, output.replicas), 12);
  });

  it("prints a table with previous → new replicas, capacity against rate, and the objective", async () => {
    const { code, stdout } = await run(["scaling", "solve", EXAMPLE]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(/^SERVICE\s+REPLICAS\s+CAPACITY ≥ RATE \(req\/s\)\s+CPU \(cores\)$/);
    expect(stdout).toMatch(/image-compression-vo\s+1 → 3\s+83\.33 ≥ 70\s+1\.5/);
    expect(stdout).toContain("cluster CPU: 4.5 of 5 cores");
    expect(stdout).toMatch(/objective: 0\.866667\n$/);
  });

  it("reads CPU as Kubernetes quantities or cores", async () => {
    // 3 × 500m + 2 × 0.25 = 2 cores: fits exactly in "2000m".
    const file = await scenarioFile("quantities.json", {
      cluster: { cpu: "2000m" },
      services: [service("a", { cpu: "500m", requestRate: 30, alpha: 10, maxReplicas: 3 }), service("b", { cpu: 0.25, requestRate: 20, alpha: 10, previous: 2 })],
    });
    const { code, stdout } = await run(["scaling", "solve", file, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).replicas).toEqual({ a: 3, b: 2 });
  });

  it("exits 1 with the reason and a null objective when no replicas fit", async () => {
    const file = await scenarioFile("infeasible.json", { cluster: { cpu: 100, gpu: false }, services: [service("front"), service("detector", { requestRate: 90 })] });
    const json = await run(["scaling", "solve", file, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      status: "infeasible",
      replicas: {},
      objective: null,
      reason: 'service "detector" needs 9 replicas for 90 req/s (10·r + 0 ≥ 90) but maxReplicas is 4',
    });
    const text = await run(["scaling", "solve", file]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe("");
    expect(text.stderr).toBe('infeasible: service "detector" needs 9 replicas for 90 req/s (10·r + 0 ≥ 90) but maxReplicas is 4\n');
  });

  it("reports malformed fields by path and exits 1", async () => {
    const file = await scenarioFile("malformed.json", {
      cluster: { cpu: "lots", gpu: false, region: "eu" },
      services: [service("a", { alpha: "fast" }), { ...service("b"), maxReplicas: undefined }],
    });
    const { code, stdout, stderr } = await run(["scaling", "solve", file, "--json"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${file} is not a valid replica scenario`);
    expect(stderr).toMatch(/\n {2}cluster\.cpu: must be a CPU quantity \(cores, e\.g\. 2 or "500m"\), got "lots"\n/);
    expect(stderr).toMatch(/\n {2}cluster: .*region/);
    expect(stderr).toMatch(/\n {2}services\[0\]\.alpha: /);
    expect(stderr).toMatch(/\n {2}services\[1\]\.maxReplicas: /);
  });

  it("reports out-of-range values by path and exits 1", async () => {
    const file = await scenarioFile("ranges.yaml", "cluster: {cpu: 4}\nservices:\n  - {id: a, cpu: 0, alpha: 0, beta: 0, requestRate: -1, previous: 1, maxReplicas: 0}\n");
    const { code, stderr } = await run(["scaling", "solve", file]);
    expect(code).toBe(1);
    for (const path of ["services[0].cpu", "services[0].alpha", "services[0].requestRate", "services[0].maxReplicas"]) {
      expect(stderr).toContain(`  ${path}: `);
    }
  });

  it("exits 1 naming a file it cannot read or parse", async () => {
    const missing = await run(["scaling", "solve", join(folder, "absent.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read ${join(folder, "absent.json")}: ENOENT`);
    const broken = await run(["scaling", "solve", await scenarioFile("broken.yaml", "cluster: [unclosed\n")]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("is not valid YAML or JSON");
  });

  it.each([
    { argv: ["scaling", "solve"], message: "missing the scenario FILE" },
    { argv: ["scaling", "solve", "a.json", "b.json"], message: "unexpected arguments: b.json" },
    { argv: ["scaling", "solve", "a.json", "--fast"], message: "--fast" },
  ])("exits 2 on a usage error: $message", async ({ argv, message }) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain("Usage: smo scaling solve FILE [--json]");
  });
});
