import { spawn, type ChildProcess } from "node:child_process";
import { asc, eq } from "drizzle-orm";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DatabaseHandle } from "../../db";
import { scalingDecisions } from "../../db/schema";
import { upsertScalingPolicy, type ScalingPolicyInput } from "../../lib/scaling/policies";
import { createThrowawayDatabase, postgresTestUrl, type ThrowawayDatabase } from "../../lib/scaling/testdata/postgres";
import { seedClusters, seedGraph } from "../../lib/scaling/testdata/seed";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import { startScalingWorker } from "./scaler";

const CHILD_SCRIPT = fileURLToPath(new URL("./testdata/scaler-process.ts", import.meta.url));
const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));

const policy = (graphName: string, serviceName: string): ScalingPolicyInput => ({
  graphName,
  serviceName,
  mode: "milp",
  enabled: true,
  alpha: 10,
  beta: 0,
  minReplicas: 1,
  maxReplicas: 5,
  intervalSeconds: 5,
  window: "1m",
  cooldownSeconds: 0,
});

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function prepareGraph(core: SandboxCore, project: string): Promise<void> {
  await seedGraph(core.ctx.db, { project, graph: project, services: [{ name: "web" }] });
  await seedClusters(core.ctx.db, core.ctx.clients.karmada);
  await core.ctx.clients.helm.install({ release: "web", chart: "oci://127.0.0.1:5000/test/web", namespace: project, values: { clustersAffinity: ["paris"], replicas: 1 } });
  await upsertScalingPolicy(core.ctx, policy(project, "web"));
}

describe("startScalingWorker on the embedded database", () => {
  let core: SandboxCore;
  beforeAll(async () => {
    core = await startSandboxCore();
    await prepareGraph(core, "solo");
  });
  afterAll(async () => core?.close());

  it("leads alone, decides every interval, and decides nothing after stop", async () => {
    const decisions = () => core.ctx.db.select().from(scalingDecisions).where(eq(scalingDecisions.graphName, "solo"));
    const worker = await startScalingWorker(core.ctx, { tickMs: 100, onInfeasible: async () => undefined });
    try {
      const [first] = await waitFor(async () => ((await decisions()).length > 0 ? decisions() : undefined), "a first decision", 20_000);
      expect(first!.decidedBy).toBe(core.ctx.config.instanceId);
    } finally {
      await worker.stop();
    }
    const count = (await decisions()).length;
    // One interval (5 s) later nothing more was decided: the loop is stopped, not just idle.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    expect(await decisions()).toHaveLength(count);
  });
});

const postgresTarget = postgresTestUrl();
if ("skipReason" in postgresTarget) console.warn(postgresTarget.skipReason);

describe.skipIf("skipReason" in postgresTarget)("two console processes on one PostgreSQL database", () => {
  let database: ThrowawayDatabase;
  let handle: DatabaseHandle;
  let core: SandboxCore;
  const children = new Map<string, { process: ChildProcess; output: string[] }>();

  beforeAll(async () => {
    database = await createThrowawayDatabase((postgresTarget as { url: string }).url);
    handle = await createDb({ url: database.url });
    core = await startSandboxCore({ database: handle });
    await prepareGraph(core, "duo");
  });

  afterAll(async () => {
    await Promise.all([...children.values()].map(({ process: child }) => stopChild(child, "SIGTERM")));
    await core?.close();
    await handle?.close();
    await database?.drop();
  });

  function startChild(instanceId: string): void {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD_SCRIPT], {
      cwd: REPOSITORY,
      env: {
        ...process.env,
        SMO_INSTANCE_ID: instanceId,
        DATABASE_URL: database.url,
        KARMADA_KUBECONFIG: core.sandbox.endpoints.kubeconfig,
        PROMETHEUS_URL: core.sandbox.endpoints.prometheusUrl,
        HELM_BIN: core.sandbox.endpoints.helmBin,
        SCALER_TICK_MS: "200",
        SCALER_LEADER_RETRY_MS: "300",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    children.set(instanceId, { process: child, output });
  }

  async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await exited;
  }

  const decisions = () =>
    core.ctx.db.select({ id: scalingDecisions.id, decidedBy: scalingDecisions.decidedBy }).from(scalingDecisions).where(eq(scalingDecisions.graphName, "duo")).orderBy(asc(scalingDecisions.id));

  it("runs the loop in exactly one of them, and the other takes over when the leader is killed", { timeout: 120_000 }, async () => {
    // Load on the sandbox's own Prometheus: the decisions become "scaled" once it shows in the rate window.
    core.sandbox.prometheus.setLoad("web", { kind: "steady", rps: 25 });
    startChild("replica-a");
    startChild("replica-b");
    const describeChildren = () => [...children.entries()].map(([id, { output }]) => `--- ${id}\n${output.join("").slice(-4000)}`).join("\n");

    // Three intervals of 5 s: both processes compete on every 200 ms tick all along.
    const before = await waitFor(async () => {
      const rows = await decisions();
      return rows.length >= 3 ? rows : undefined;
    }, "three decisions", 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${describeChildren()}`);
    });
    const leaders = new Set(before.map((row) => row.decidedBy));
    expect([...leaders], describeChildren()).toHaveLength(1);
    const leader = before[0]!.decidedBy;
    const follower = leader === "replica-a" ? "replica-b" : "replica-a";

    // A crash: no unlock, no goodbye. PostgreSQL ends the dead session and with it the lock.
    await stopChild(children.get(leader)!.process, "SIGKILL");
    const lastBeforeKill = (await decisions()).at(-1)!.id;
    await waitFor(
      async () => ((await decisions()).some((row) => row.id > lastBeforeKill && row.decidedBy === follower) ? true : undefined),
      `a decision by ${follower} after ${leader} was killed`,
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${describeChildren()}`);
    });

    const all = await decisions();
    const byLeader = all.filter((row) => row.decidedBy === leader);
    const byFollower = all.filter((row) => row.decidedBy === follower);
    expect(byLeader.length + byFollower.length).toBe(all.length);
    // Never interleaved: every decision of the first leader precedes every decision of the second.
    expect(Math.max(...byLeader.map((row) => row.id))).toBeLessThan(Math.min(...byFollower.map((row) => row.id)));
    expect(byLeader.map((row) => row.id)).toEqual(all.filter((row) => row.id <= lastBeforeKill).map((row) => row.id));
  });
});
