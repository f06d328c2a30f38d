/**
 * `smo scaler run` against a console served over real HTTP: the console reads the request rate
 * from a Prometheus emulator over HTTP and the replicas from the Karmada emulator, scales through
 * a `scale` operation and records the decision; the CLI keeps the interval and the cooldown.
 *
 * As in lib/scaling/loop.test.ts, the Prometheus emulator's clock is moved past the rate window
 * so that a rate sees only the load set for the current step.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { operations, scalingDecisions, scalingPolicies } from "../../db/schema";
import { databaseTargets } from "../../db/testing";
import { createApiToken, type Role } from "../../lib/auth";
import { createPrometheusClient } from "../../lib/prometheus";
import { seedGraph } from "../../lib/scaling/testdata/seed";
import type { ServerDeps } from "../../server/deps";
import { handleTrpcRequest } from "../../server/http";
import { addUser, createTestDeps, serveFetchHandler, type ServedHandler, type TestDeps } from "../../server/testing";
import { startPrometheusEmulator, type PrometheusEmulator } from "../../sim/prometheus";
import { writeConfig } from "../client";
import type { CliIo } from "../io";
import { runCli } from "../main";

type Run = { code: number; stdout: string; stderr: string };
type Step = { action: string; previous: number; replicas: number; requestRate: number | null; reason: string; operationId: string | null; error: string | null; decisionId: number };

const PROJECT = "shop";
const GRAPH = "shop";
const THRESHOLDS = ["--up-threshold", "20", "--down-threshold", "5", "--up-replicas", "3", "--down-replicas", "1"];

describe.each(databaseTargets())("smo scaler run against a console on $name", (target) => {
  let handle: DatabaseHandle;
  let test: TestDeps;
  let deps: ServerDeps;
  let prometheus: PrometheusEmulator;
  let served: ServedHandler;
  let workDir: string;
  let offsetMs = 0;
  let graphId: number;
  const configDirs = {} as Record<Role, string>;

  async function smo(argv: string[], options: { role?: Role; signal?: AbortSignal; onOutput?: (stdout: string) => void } = {}): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: (text) => {
        stdout += text;
        options.onOutput?.(stdout);
      },
      stderr: (text) => (stderr += text),
      signal: options.signal,
    };
    const previous = process.env.SMO_CONFIG_DIR;
    process.env.SMO_CONFIG_DIR = configDirs[options.role ?? "operator"];
    try {
      return { code: await runCli(argv, io), stdout, stderr };
    } finally {
      process.env.SMO_CONFIG_DIR = previous;
    }
  }

  const step = (run: Run): Step => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout.trim()) as Step;
  };

  function workload(name: string) {
    const found = test.sandbox.kube.listWorkloads().find((entry) => entry.namespace === PROJECT && entry.name === name);
    if (!found) throw new Error(`no workload ${PROJECT}/${name} in the emulator`);
    return found;
  }

  /** Lets the pods become ready and Prometheus observe them, then moves its clock past the rate window. */
  async function settle(names: string[]): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (names.some((name) => workload(name).availableReplicas !== workload(name).replicas)) {
      if (Date.now() > deadline) throw new Error(`workloads of ${PROJECT} did not become ready`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await deps.clients.prometheus.query("up");
    offsetMs += 120_000;
  }

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "smo-cli-scaler-"));
    handle = await target.open();
    test = await createTestDeps({ database: handle });
    prometheus = await startPrometheusEmulator({ federation: test.sandbox.kube, now: () => Date.now() + offsetMs, backfillMs: 10 * 60_000 });
    deps = { ...test.deps, clients: { ...test.deps.clients, prometheus: createPrometheusClient({ url: prometheus.url }) }, clock: () => new Date(Date.now() + offsetMs) };
    served = await serveFetchHandler((request) => handleTrpcRequest(request, deps));
    for (const role of ["viewer", "operator"] as const) {
      const user = await addUser(deps, `${role}-user`, role);
      const { token } = await createApiToken({ db: handle.db, clock: deps.clock, logger: deps.logger }, { userId: user.id, role }, { name: "scaler", role });
      configDirs[role] = join(workDir, role);
      await writeConfig({ url: served.url, token }, { SMO_CONFIG_DIR: configDirs[role] });
    }
    ({ graphId } = await seedGraph(handle.db, { project: PROJECT, graph: GRAPH, services: [{ name: "web" }, { name: "quiet" }] }));
    for (const name of ["web", "quiet"]) {
      await deps.clients.helm.install({ release: name, chart: `oci://127.0.0.1:5000/test/${name}`, namespace: PROJECT, values: { clustersAffinity: ["paris"], replicas: 1 } });
    }
  }, 60_000);
  afterAll(async () => {
    await served?.close();
    await prometheus?.close();
    await test?.close();
    await handle?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("scales up above the up threshold, keeps the replicas within the thresholds, scales down below the down one", async () => {
    prometheus.setLoad("web", { kind: "steady", rps: 25 });
    await settle(["web"]);
    const up = step(await smo(["scaler", "run", GRAPH, "web", ...THRESHOLDS, "--once", "--json"]));
    expect(up).toMatchObject({ action: "scale-up", previous: 1, replicas: 3, error: null, operationId: expect.stringMatching(/^op_/) });
    expect(up.requestRate).toBeCloseTo(25, 6);
    expect(workload("web").replicas).toBe(3);
    const [operation] = await handle.db.select().from(operations).where(eq(operations.id, up.operationId!));
    expect(operation).toMatchObject({ kind: "scale", status: "succeeded", graphName: GRAPH, actor: "operator-user" });

    prometheus.setLoad("web", { kind: "steady", rps: 12 });
    await settle(["web"]);
    const within = await smo(["scaler", "run", GRAPH, "web", ...THRESHOLDS, "--once"]);
    expect(within.code).toBe(0);
    expect(within.stdout).toMatch(/^threshold scaler for web of graph shop: above 20 req\/s → 3 replicas, below 5 req\/s → 1; every 15s, cooldown 60s\n/);
    expect(within.stdout).toMatch(/\d\d:\d\d:\d\d {2}no action: metric 12 is within \[5, 20\]: keeping 3 replicas\n$/);

    prometheus.setLoad("web", { kind: "steady", rps: 2 });
    await settle(["web"]);
    const down = step(await smo(["scaler", "run", GRAPH, "web", ...THRESHOLDS, "--once", "--json"]));
    expect(down).toMatchObject({ action: "scale-down", previous: 3, replicas: 1 });
    expect(workload("web").replicas).toBe(1);

    // Every poll is a decision the console charts, like its own loop's.
    const decisions = await handle.db.select().from(scalingDecisions).where(eq(scalingDecisions.graphName, GRAPH)).orderBy(asc(scalingDecisions.id));
    expect(decisions.map((decision) => [decision.action, decision.status, decision.result.threshold])).toEqual([
      ["scaled", "succeeded", "scale-up"],
      ["unchanged", "succeeded", "none"],
      ["scaled", "succeeded", "scale-down"],
    ]);
    expect(decisions[0]!.inputs).toMatchObject({ mode: "threshold", source: "smo scaler run", actor: "operator-user", upThreshold: 20, downReplicas: 1 });
  });

  it("runs every --interval until interrupted, skipping polls during the cooldown after an action", async () => {
    prometheus.setLoad("web", { kind: "steady", rps: 40 });
    await settle(["web"]);
    const interrupt = new AbortController();
    const timeout = setTimeout(() => interrupt.abort(), 20_000);
    const run = await smo(["scaler", "run", GRAPH, "web", ...THRESHOLDS, "--interval", "1", "--cooldown", "600", "--json"], {
      signal: interrupt.signal,
      onOutput: (stdout) => {
        if (stdout.trim().split("\n").length >= 3) interrupt.abort();
      },
    });
    clearTimeout(timeout);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as { action: string; remainingSeconds?: number });
    expect(lines.map((line) => line.action)).toEqual(["scale-up", "cooldown", "cooldown"]);
    expect(lines[1]!.remainingSeconds).toBeGreaterThan(590);
    expect(workload("web").replicas).toBe(3);
  }, 30_000);

  it("keeps the replicas without a rate, reading it with a disabled policy's query", async () => {
    await handle.db.insert(scalingPolicies).values({ graphId, serviceName: "quiet", mode: "threshold", enabled: false, query: 'sum(rate(missing_metric_total{service="{{service}}"}[{{window}}]))' });
    const quiet = step(await smo(["scaler", "run", GRAPH, "quiet", ...THRESHOLDS, "--once", "--json"]));
    expect(quiet).toMatchObject({ action: "none", previous: 1, replicas: 1, requestRate: null });
    expect(quiet.reason).toBe("warning: no metric value (Prometheus returned no data); keeping 1 replicas (the query returned no series)");
  });

  it("refuses a service whose policy the console's loop runs, a viewer, unknown targets and bad options", async () => {
    await handle.db.update(scalingPolicies).set({ enabled: true }).where(eq(scalingPolicies.serviceName, "quiet"));
    const looped = await smo(["scaler", "run", GRAPH, "quiet", ...THRESHOLDS, "--once"]);
    expect([looped.code, looped.stderr]).toEqual([1, expect.stringMatching(/^smo scaler run: conflict: service quiet of graph shop has an enabled threshold scaling policy: /)]);

    const viewer = await smo(["scaler", "run", GRAPH, "web", ...THRESHOLDS, "--once"], { role: "viewer" });
    expect([viewer.code, viewer.stderr]).toEqual([1, "smo scaler run: your role may not scale services: this action needs the operator role; you are viewer\n"]);
    const unknown = await smo(["scaler", "run", GRAPH, "nope", ...THRESHOLDS, "--once"]);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringMatching(/^smo scaler run: not found: service "shop\/nope" not found\n$/)]);
    const badName = await smo(["scaler", "run", "$(id)", "web", ...THRESHOLDS, "--once"]);
    expect([badName.code, badName.stderr]).toEqual([1, expect.stringMatching(/^smo scaler run: invalid input: graphName: "\$\(id\)" is not a DNS-1123 label/)]);
    expect((await smo(["scaler", "run", "--set=x", "web", ...THRESHOLDS, "--once"])).code).toBe(2);

    for (const args of [["--down-threshold", "5", "--up-replicas", "3", "--down-replicas", "1"], [...THRESHOLDS, "--interval", "0"], [...THRESHOLDS.slice(0, 2), "--down-threshold", "30", ...THRESHOLDS.slice(4)]]) {
      const usage = await smo(["scaler", "run", GRAPH, "web", ...args, "--once"]);
      expect(usage.code, args.join(" ")).toBe(2);
      expect(usage.stderr).toMatch(/^smo scaler run: .+\nUsage: smo scaler run GRAPH SERVICE/);
    }
    // Nothing of the refused runs reached the decisions.
    const quietDecisions = await handle.db.select().from(scalingDecisions).where(and(eq(scalingDecisions.graphName, GRAPH), eq(scalingDecisions.action, "no-metrics")));
    expect(quietDecisions).toHaveLength(1);
  });
});
