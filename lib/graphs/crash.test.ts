/**
 * A console killed (SIGKILL) in the middle of a deploy. The deploy runs in a child process
 * connected to this test's sandbox and to a PGlite folder; it is killed while a helm install is
 * under way; the helm it started is not killed and completes the install, as after a real crash,
 * so the release exists while its step never recorded success. After the restart,
 * recoverOperations finishes the operation, and the federation holds exactly the releases the
 * database says are Deployed — none orphaned, none installed twice.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DatabaseHandle } from "../../db";
import { operations, operationSteps } from "../../db/schema";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import type { CoreContext } from "../context";
import { recoverOperations } from "../operations";
import { getGraph, graphOperationExecutors } from ".";
import { generateGraphDescriptor } from "./testdata/descriptors";
import { sorted, waitFor } from "./testdata/observe";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVICES = 4;
const LATENCY_MS = 2_500;

type HelmLogLine = { pid: number; argv: string[]; event: "start" | "end"; exitCode?: number };

function readHelmLog(file: string): HelmLogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HelmLogLine);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a console killed in the middle of a deploy", () => {
  let core: SandboxCore;
  let folder: string;
  let child: ChildProcess | undefined;
  let recovered: DatabaseHandle | undefined;
  beforeAll(async () => {
    core = await startSandboxCore();
    folder = mkdtempSync(path.join(tmpdir(), "smo-crash-"));
  });
  afterAll(async () => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    await recovered?.close();
    await core?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("is resumed after the restart and leaves no orphan release", { timeout: 300_000 }, async () => {
    const descriptorFile = path.join(folder, "graph.yaml");
    writeFileSync(descriptorFile, generateGraphDescriptor({ name: "crashy", services: SERVICES, chain: true }));
    const helmLog = path.join(folder, "helm.log");
    const dataDir = path.join(folder, "pglite");
    child = spawn(process.execPath, ["--import", "tsx", "lib/graphs/testdata/deploy-child.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        SMO_CHILD_DATA_DIR: dataDir,
        SMO_CHILD_KUBECONFIG: core.sandbox.endpoints.kubeconfig,
        SMO_CHILD_PROMETHEUS_URL: core.sandbox.endpoints.prometheusUrl,
        SMO_CHILD_GRAFANA_URL: core.sandbox.endpoints.grafanaUrl,
        SMO_CHILD_GRAFANA_USER: core.sandbox.grafanaAuth.user,
        SMO_CHILD_GRAFANA_PASSWORD: core.sandbox.grafanaAuth.password,
        SMO_CHILD_HELM_BIN: core.sandbox.endpoints.helmBin,
        SMO_CHILD_HELM_LATENCY_MS: String(LATENCY_MS),
        SMO_CHILD_HELM_LOG: helmLog,
        SMO_CHILD_CONCURRENCY: "1",
        SMO_CHILD_PROJECT: "demo",
        SMO_CHILD_DESCRIPTOR: descriptorFile,
        SMO_CHILD_GRAPH: "crashy",
      },
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child!.once("exit", (code, signal) => resolve(signal ?? code)));

    // Kill it once one install has finished and the next one has started: the crash lands inside a helm step.
    const installs = () => readHelmLog(helmLog).filter((line) => line.argv[0] === "install");
    await waitFor(
      () => installs(),
      (lines) => lines.some((line) => line.event === "end") && lines.filter((line) => line.event === "start").length >= 2,
      `the child to finish one install and start another (child output: ${output})`,
      120_000,
    );
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(output).not.toContain("finished");

    // The helm the console started is still running, as after a real crash: let it end first so the final count is stable.
    const orphans = installs().filter((line) => line.event === "start" && !installs().some((other) => other.pid === line.pid && other.event === "end"));
    expect(orphans.length).toBeGreaterThan(0);

    // Let the orphaned helm finish its install: the release now exists although its step never recorded success.
    await waitFor(() => orphans.filter((line) => isAlive(line.pid)), (alive) => alive.length === 0, "the orphaned helm processes to exit", 60_000);
    const interruptedRelease = orphans[0]!.argv[1]!;

    recovered = await createDb({ dataDir });
    const [interrupted] = await recovered.db.select().from(operations);
    expect(interrupted).toMatchObject({ kind: "deploy", status: "running", leaseOwner: "crashing-console" });
    const stepsBefore = await recovered.db.select().from(operationSteps).where(eq(operationSteps.operationId, interrupted!.id));
    expect(stepsBefore.some((step) => step.action === "helm-install" && step.status === "running")).toBe(true);

    // The restarted console: same sandbox, the crashed console's database, its own instance id; the lease has run out by its clock.
    const restarted: CoreContext = {
      ...core.ctx,
      db: recovered.db,
      config: { ...core.ctx.config, instanceId: "restarted-console" },
      clock: () => new Date(Date.now() + 120_000),
    };
    const resumed = await recoverOperations(restarted, graphOperationExecutors);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ id: interrupted!.id, status: "succeeded", attempt: 2, leaseOwner: "restarted-console" });

    const detail = await getGraph(restarted, "crashy");
    expect(detail.graph.status).toBe("Running");
    expect(detail.services.map((service) => service.status)).toEqual(Array.from({ length: SERVICES }, () => "Deployed"));
    const releases = await core.ctx.clients.helm.list({ namespace: "demo" });
    expect(sorted(releases.map((release) => release.release))).toEqual(sorted(detail.services.filter((service) => service.status === "Deployed").map((service) => service.name)));
    expect(releases.every((release) => release.status === "deployed")).toBe(true);
    await waitFor(
      () => core.sandbox.kube.listWorkloads().filter((workload) => workload.namespace === "demo"),
      (workloads) => workloads.length === SERVICES && detail.services.every((service) => JSON.stringify(sorted(workloads.find((workload) => workload.name === service.name)?.placements.map((placement) => placement.cluster) ?? [])) === JSON.stringify(sorted(service.clusters))),
      "one Deployment per service, on its clusters",
    );
    // Every install step ended succeeded exactly once; the placement computed before the crash was kept.
    const steps = await recovered.db.select().from(operationSteps).where(eq(operationSteps.operationId, interrupted!.id));
    expect(steps.filter((step) => step.action === "helm-install").map((step) => step.status)).toEqual(Array.from({ length: SERVICES }, () => "succeeded"));
    expect(steps.filter((step) => step.action === "placement")).toMatchObject([{ status: "succeeded", attempts: 1 }]);
    // The interrupted install was recognised (name in use, deployed) and brought to the wanted values, not installed twice.
    const redone = steps.find((step) => step.action === "helm-install" && step.target === interruptedRelease)!;
    expect(redone.attempts).toBe(2);
    expect(redone.log).toContain("already exists");
    expect(redone.log).toContain("$ helm upgrade");
    expect(Object.fromEntries(releases.map((release) => [release.release, release.revision]))).toEqual(
      Object.fromEntries(detail.services.map((service) => [service.name, service.name === interruptedRelease ? 2 : 1])),
    );
  });
});
