import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../io";
import { runCli } from "../main";

const SAMPLES = fileURLToPath(new URL("../../examples/hdag", import.meta.url));
const SAMPLE = `${SAMPLES}/image-detection-graph.yaml`;

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

let folder: string;
let badFile: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "smo-hdag-cli-"));
  badFile = join(folder, "bad.yaml");
  await writeFile(
    badFile,
    [
      "hdaGraph:",
      "  id: Shop",
      "  services:",
      "    - id: front",
      "      deployment: {intent: {compute: {cpu: huge}, connectionPoints: [ghost]}}",
      "      artifact: {ociImage: oci://r/front}",
    ].join("\n"),
  );
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("smo hdag validate", () => {
  it("prints the services of a valid descriptor as a table and exits 0", async () => {
    const { code, stdout, stderr } = await run("hdag", "validate", SAMPLE);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.split("\n");
    expect(lines[0]).toBe(`${SAMPLE}: graph image-detection-graph 1.0.0 is valid, 3 services`);
    expect(lines[2]).toMatch(/^SERVICE\s+TRIGGER\s+CPU\s+RAM\s+GPU\s+CONNECTS TO\s+CLUSTERS$/);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(["image-compression-vo", "event main-event", "500m (light)", "500Mi (light)", "no", "noise-reduction", "1"]);
    expect(lines[4]!.split(/\s{2,}/)).toEqual(["noise-reduction", "auto", "1 (small)", "1Gi (small)", "no", "image-detection", "1"]);
    expect(lines[5]!.split(/\s{2,}/)).toEqual(["image-detection", "auto", "1 (small)", "1Gi (small)", "no", "-", "1"]);
  });

  it("shows the GPU need and the high-availability spread", async () => {
    const gpu = await run("hdag", "validate", `${SAMPLES}/gpu-offloading-graph.yaml`);
    expect(gpu.stdout).toMatch(/\nml-inference\s+auto\s+4 \(medium\)\s+2Gi \(medium\)\s+yes\s+-\s+1\n/);
    const resilience = await run("hdag", "validate", `${SAMPLES}/resilience-critical-graph.yaml`);
    expect(resilience.stdout).toMatch(/\ncritical-service\s+auto\s+1 \(small\)\s+1Gi \(small\)\s+no\s+-\s+2\n/);
  });

  it("prints {valid, graph} with --json", async () => {
    const { code, stdout } = await run("hdag", "validate", SAMPLE, "--json");
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as { valid: boolean; graph: { id: string; services: { id: string }[]; raw?: unknown } };
    expect(output.valid).toBe(true);
    expect(output.graph.id).toBe("image-detection-graph");
    expect(output.graph.services.map((service) => service.id)).toEqual(["image-compression-vo", "noise-reduction", "image-detection"]);
    expect(output.graph.raw).toBeUndefined();
  });

  it("prints every issue as `path: message` on stderr and exits 1", async () => {
    const { code, stdout, stderr } = await run("hdag", "validate", badFile);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toEqual([
      'hdaGraph.id: "Shop" is not a DNS-1123 label: use lowercase letters, digits and \'-\', starting and ending with a letter or digit',
      'hdaGraph.services[0].deployment.intent.compute.cpu: unknown cpu size class "huge": use one of light, small, medium, large, or an explicit quantity',
      'hdaGraph.services[0].deployment.intent.connectionPoints[0]: names no service of this graph: "ghost" (services: front)',
    ]);
  });

  it("prints {valid: false, issues} with --json, positions included", async () => {
    const { code, stdout } = await run("hdag", "validate", "--json", badFile);
    expect(code).toBe(1);
    const output = JSON.parse(stdout) as { valid: boolean; issues: { path: string; line?: number }[] };
    expect(output.valid).toBe(false);
    expect(output.issues.map((issue) => issue.path)).toEqual([
      "hdaGraph.id",
      "hdaGraph.services[0].deployment.intent.compute.cpu",
      "hdaGraph.services[0].deployment.intent.connectionPoints[0]",
    ]);
    expect(output.issues.map((issue) => issue.line)).toEqual([2, 5, 5]);
  });

  it("says a missing file is missing, on one line, and exits 1", async () => {
    const missing = join(folder, "nowhere.yaml");
    const { code, stdout, stderr } = await run("hdag", "validate", missing);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`smo hdag validate: ${missing}: no such file\n`);
  });

  it("is a usage error without a file, with two files or with an unknown option", async () => {
    expect((await run("hdag", "validate")).code).toBe(2);
    expect((await run("hdag", "validate", SAMPLE, SAMPLE)).code).toBe(2);
    const unknown = await run("hdag", "validate", SAMPLE, "--yaml");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--yaml'/);
  });

  it("works as a real process: exit code and output", async () => {
    const execute = promisify(execFile);
    const ok = await execute(process.execPath, ["--import", "tsx", "cli/main.ts", "hdag", "validate", SAMPLE], { cwd: process.cwd() });
    expect(ok.stdout).toMatch(/graph image-detection-graph 1\.0\.0 is valid, 3 services/);
    const failed = await execute(process.execPath, ["--import", "tsx", "cli/main.ts", "hdag", "validate", badFile], { cwd: process.cwd() }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect("code" in failed && failed.code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(/^hdaGraph\.id: "Shop" is not a DNS-1123 label/);
  });
});
