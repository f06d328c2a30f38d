/**
 * The scaling pass against the sandbox federation: real helm releases on the Karmada emulator,
 * real PromQL over HTTP, the real solver and operation engine.
 *
 * Request rates come from a second Prometheus emulator on the sandbox's federation whose clock
 * the test moves forward: a rate over a 1-minute window then sees only the load set for the
 * current step, instead of the test waiting for real scrapes to age out of the window.
 */
import { and, asc, eq } from "drizzle-orm";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { operations, operationSteps, scalingDecisions, scalingPolicies, services } from "../../db/schema";
import { startPrometheusEmulator, type PrometheusEmulator } from "../../sim/prometheus";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import type { CoreContext } from "../context";
import { listEvents } from "../events";
import { createPrometheusClient } from "../prometheus";
import { runScalingPass } from "./loop";
import { upsertScalingPolicy, type ScalingPolicyInput } from "./policies";
import { seedClusters, seedGraph } from "./testdata/seed";

let core: SandboxCore;
let prometheus: PrometheusEmulator;
let ctx: CoreContext;
let offsetMs = 0;

beforeAll(async () => {
  core = await startSandboxCore();
  prometheus = await startPrometheusEmulator({ federation: core.sandbox.kube, now: () => Date.now() + offsetMs, backfillMs: 10 * 60_000 });
  ctx = { ...core.ctx, clients: { ...core.ctx.clients, prometheus: createPrometheusClient({ url: prometheus.url }) }, clock: () => new Date(Date.now() + offsetMs) };
  await seedClusters(ctx.db, ctx.clients.karmada);
});

afterAll(async () => {
  await prometheus?.close();
  await core?.close();
});

// Every pass evaluates every due policy: each test's policies are switched off after it.
afterEach(async () => {
  await ctx.db.update(scalingPolicies).set({ enabled: false });
});

const milp = (graphName: string, serviceName: string, fields: Partial<ScalingPolicyInput> = {}): ScalingPolicyInput => ({
  graphName,
  serviceName,
  mode: "milp",
  enabled: true,
  alpha: 10,
  beta: 0,
  minReplicas: 1,
  maxReplicas: 5,
  intervalSeconds: 30,
  window: "1m",
  cooldownSeconds: 60,
  ...fields,
});

async function installReleases(project: string, names: string[]): Promise<void> {
  await Promise.all(
    names.map((name) =>
      ctx.clients.helm.install({ release: name, chart: `oci://127.0.0.1:5000/test/${name}`, namespace: project, values: { clustersAffinity: ["paris"], replicas: 1 } }),
    ),
  );
}

function workload(project: string, name: string) {
  const found = core.sandbox.kube.listWorkloads().find((entry) => entry.namespace === project && entry.name === name);
  if (!found) throw new Error(`no workload ${project}/${name} in the emulator`);
  return found;
}

/** Waits until the federation's pods are ready, lets Prometheus observe them, then moves its clock past the rate window. */
async function settle(project: string, names: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (names.some((name) => workload(project, name).availableReplicas !== workload(project, name).replicas)) {
    if (Date.now() > deadline) throw new Error(`workloads of ${project} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await ctx.clients.prometheus.query("up");
  offsetMs += 120_000;
}

async function decisionsOf(graphName: string) {
  return ctx.db.select().from(scalingDecisions).where(eq(scalingDecisions.graphName, graphName)).orderBy(asc(scalingDecisions.id));
}

async function replicasInDatabase(graphId: number, name: string): Promise<number> {
  const [row] = await ctx.db.select({ replicas: services.replicas }).from(services).where(and(eq(services.graphId, graphId), eq(services.name, name)));
  return row!.replicas;
}

type ServiceInputs = { requestRate: number | null; previous: number; missing?: string };

describe("runScalingPass (MILP mode)", () => {
  it("scales a service to ceil(rate / alpha) through a scale operation, records the decision, then leaves it unchanged", async () => {
    const { graphId } = await seedGraph(ctx.db, { project: "shop", graph: "shop", services: [{ name: "web" }, { name: "cart" }, { name: "admin" }] });
    await installReleases("shop", ["web", "cart", "admin"]);
    await upsertScalingPolicy(ctx, milp("shop", "web"));
    await upsertScalingPolicy(ctx, milp("shop", "cart"));
    await upsertScalingPolicy(ctx, { ...milp("shop", "admin"), enabled: false });
    prometheus.setLoad("web", { kind: "steady", rps: 25 });
    prometheus.setLoad("cart", { kind: "steady", rps: 4 });
    prometheus.setLoad("admin", { kind: "steady", rps: 50 });
    await settle("shop", ["web", "cart", "admin"]);

    const passTime = ctx.clock();
    const pass = await runScalingPass(ctx, { now: passTime });
    expect(pass.stoppedEarly).toBe(false);
    const [decision] = await decisionsOf("shop");
    expect(decision).toMatchObject({ graphId, cluster: "paris", decidedBy: ctx.config.instanceId, action: "scaled", status: "succeeded" });
    expect(pass.decisions.map((entry) => entry.id)).toContain(decision!.id);
    const inputs = decision!.inputs.services as Record<string, ServiceInputs>;
    // The disabled policy is not part of the decision.
    expect(Object.keys(inputs).sort()).toEqual(["cart", "web"]);
    expect(inputs.web!.requestRate).toBeCloseTo(25, 6);
    expect(inputs.cart!.requestRate).toBeCloseTo(4, 6);
    expect(inputs.web!.previous).toBe(1);
    expect(decision!.result).toMatchObject({ solver: "optimal", replicas: { web: 3, cart: 1 }, changes: [{ service: "web", from: 1, to: 3 }] });
    expect(decision!.result.objective).toEqual(expect.any(Number));

    expect(workload("shop", "web").replicas).toBe(3);
    expect(workload("shop", "cart").replicas).toBe(1);
    expect(workload("shop", "admin").replicas).toBe(1);
    expect(await replicasInDatabase(graphId, "web")).toBe(3);

    const [operation] = await ctx.db.select().from(operations).where(and(eq(operations.graphName, "shop"), eq(operations.kind, "scale")));
    expect(operation).toMatchObject({ id: decision!.result.operationId, status: "succeeded", project: "shop" });
    const steps = await ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, operation!.id));
    expect(steps.map((step) => [step.action, step.target, step.status])).toEqual([["karmada-scale", "web", "succeeded"]]);

    // The loop's bookkeeping moves the policies on without bumping the version operators edit.
    const policies = await ctx.db.select().from(scalingPolicies).where(eq(scalingPolicies.graphId, graphId)).orderBy(asc(scalingPolicies.serviceName));
    expect(policies.map((policy) => [policy.serviceName, policy.version, policy.lastEvaluatedAt?.getTime() ?? null, policy.lastScaledAt?.getTime() ?? null])).toEqual([
      ["admin", 1, null, null],
      ["cart", 1, passTime.getTime(), null],
      ["web", 1, passTime.getTime(), passTime.getTime()],
    ]);

    // Within the interval nothing is due.
    const early = await runScalingPass(ctx, { now: new Date(passTime.getTime() + 10_000) });
    expect(early.decisions.filter((entry) => entry.graphName === "shop")).toEqual([]);

    await settle("shop", ["web"]);
    await runScalingPass(ctx);
    const [, second] = await decisionsOf("shop");
    expect(second).toMatchObject({ action: "unchanged", status: "succeeded" });
    expect((second!.inputs.services as Record<string, ServiceInputs>).web!.previous).toBe(3);
    expect(second!.result.replicas).toEqual({ web: 3, cart: 1 });
    expect(workload("shop", "web").replicas).toBe(3);
  });

  it("keeps the replicas of services without a usable rate (no series, NaN, Prometheus down) and never scales to zero", async () => {
    const { graphId } = await seedGraph(ctx.db, { project: "quiet", graph: "quiet", services: [{ name: "ghost" }, { name: "nan" }, { name: "steady" }] });
    await installReleases("quiet", ["ghost", "nan", "steady"]);
    await upsertScalingPolicy(ctx, milp("quiet", "ghost", { query: 'sum(rate(missing_metric_total{service="{{service}}"}[{{window}}]))' }));
    await upsertScalingPolicy(ctx, milp("quiet", "nan", { query: 'sum(rate(flask_http_request_total{service="{{service}}"}[{{window}}])) * NaN' }));
    await upsertScalingPolicy(ctx, milp("quiet", "steady"));
    prometheus.setLoad("ghost", { kind: "steady", rps: 40 });
    prometheus.setLoad("nan", { kind: "steady", rps: 40 });
    prometheus.setLoad("steady", { kind: "steady", rps: 15 });
    await settle("quiet", ["ghost", "nan", "steady"]);

    await runScalingPass(ctx);
    const [first] = await decisionsOf("quiet");
    expect(first).toMatchObject({ action: "scaled", status: "succeeded" });
    const inputs = first!.inputs.services as Record<string, ServiceInputs>;
    expect(inputs.ghost).toMatchObject({ requestRate: null, missing: "the query returned no series" });
    expect(inputs.nan).toMatchObject({ requestRate: null, missing: "the query returned NaN" });
    expect(first!.result.replicas).toEqual({ ghost: 1, nan: 1, steady: 2 });
    expect([workload("quiet", "ghost").replicas, workload("quiet", "nan").replicas, workload("quiet", "steady").replicas]).toEqual([1, 1, 2]);
    const warnings = await listEvents(ctx, { graphName: "quiet", kind: "scaling.no-metrics" });
    expect(warnings.map((event) => [event.serviceName, event.severity]).sort()).toEqual([
      ["ghost", "warning"],
      ["nan", "warning"],
    ]);

    // Prometheus unreachable: a closed loopback port.
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const down: CoreContext = { ...ctx, clients: { ...ctx.clients, prometheus: createPrometheusClient({ url: `http://127.0.0.1:${closedPort}`, timeoutMs: 2_000 }) } };
    await settle("quiet", ["steady"]);
    await runScalingPass(down);
    const [, second] = await decisionsOf("quiet");
    expect(second).toMatchObject({ action: "no-metrics", status: "succeeded" });
    for (const service of Object.values(second!.inputs.services as Record<string, ServiceInputs>)) expect(service.missing).toMatch(/^prometheus: POST .* failed: ECONNREFUSED/);
    expect(second!.result.replicas).toEqual({ ghost: 1, nan: 1, steady: 2 });
    expect(workload("quiet", "steady").replicas).toBe(2);
    expect(await replicasInDatabase(graphId, "steady")).toBe(2);
  });

  it("records an infeasible decision, warns, and asks for a re-placement naming the service", async () => {
    await seedGraph(ctx.db, { project: "overload", graph: "overload", services: [{ name: "hot" }] });
    await installReleases("overload", ["hot"]);
    await upsertScalingPolicy(ctx, milp("overload", "hot", { maxReplicas: 3 }));
    prometheus.setLoad("hot", { kind: "steady", rps: 80 });
    await settle("overload", ["hot"]);

    const calls: [string, string][] = [];
    await runScalingPass(ctx, { onInfeasible: async (graphName, reason) => void calls.push([graphName, reason]) });
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe("overload");
    expect(calls[0]![1]).toContain('"hot"');
    const [decision] = await decisionsOf("overload");
    expect(decision).toMatchObject({ action: "infeasible", status: "succeeded", result: { solver: "infeasible", reason: calls[0]![1], replicas: { hot: 1 } } });
    expect(workload("overload", "hot").replicas).toBe(1);
    const [warning] = await listEvents(ctx, { graphName: "overload", kind: "scaling.infeasible" });
    expect(warning).toMatchObject({ severity: "warning", actor: "system" });
    expect(warning!.message).toContain('"hot"');
  });

  it("records an error for one graph and still decides for the others", async () => {
    await seedGraph(ctx.db, { project: "broken", graph: "broken", services: [{ name: "absent" }] });
    await seedGraph(ctx.db, { project: "fine", graph: "fine", services: [{ name: "ok" }] });
    await installReleases("fine", ["ok"]);
    await upsertScalingPolicy(ctx, milp("broken", "absent"));
    await upsertScalingPolicy(ctx, milp("fine", "ok"));
    prometheus.setLoad("ok", { kind: "steady", rps: 25 });
    await settle("fine", ["ok"]);

    const pass = await runScalingPass(ctx);
    expect(pass.decisions.map((decision) => [decision.graphName, decision.action, decision.status])).toEqual([
      ["broken", "error", "failed"],
      ["fine", "scaled", "succeeded"],
    ]);
    expect(pass.decisions[0]!.result.error).toBe("deployment broken/absent does not exist on Karmada");
    expect(workload("fine", "ok").replicas).toBe(3);
    const [failure] = await listEvents(ctx, { graphName: "broken", kind: "scaling.error" });
    expect(failure?.severity).toBe("error");
  });

  it("stops the pass when leadership is lost, leaving the policies due for the next leader", async () => {
    await seedGraph(ctx.db, { project: "handover", graph: "handover", services: [{ name: "relay" }] });
    await installReleases("handover", ["relay"]);
    await upsertScalingPolicy(ctx, milp("handover", "relay"));
    const pass = await runScalingPass(ctx, { confirmLeadership: async () => false });
    expect(pass).toEqual({ evaluated: 0, decisions: [], stoppedEarly: true });
    expect(await decisionsOf("handover")).toEqual([]);
    const [policy] = await ctx.db.select().from(scalingPolicies).where(eq(scalingPolicies.serviceName, "relay"));
    expect(policy!.lastEvaluatedAt).toBeNull();
  });
});

describe("runScalingPass (threshold mode)", () => {
  it("scales up past the up threshold, holds during the cooldown, then scales down", async () => {
    const { graphId } = await seedGraph(ctx.db, { project: "bursty", graph: "bursty", services: [{ name: "api" }] });
    await installReleases("bursty", ["api"]);
    await upsertScalingPolicy(ctx, milp("bursty", "api", { mode: "threshold", upThreshold: 20, downThreshold: 5, minReplicas: 1, maxReplicas: 4, cooldownSeconds: 300 }));
    prometheus.setLoad("api", { kind: "steady", rps: 30 });
    await settle("bursty", ["api"]);

    const scaledAt = ctx.clock();
    await runScalingPass(ctx, { now: scaledAt });
    expect(workload("bursty", "api").replicas).toBe(4);
    const [up] = await decisionsOf("bursty");
    expect(up).toMatchObject({ action: "scaled", status: "succeeded", result: { threshold: "scale-up", replicas: { api: 4 } } });
    expect(String(up!.result.reason)).toMatch(/^metric 30 > scale-up threshold 20: 1 → 4 replicas$/);

    prometheus.setLoad("api", { kind: "steady", rps: 2 });
    await settle("bursty", ["api"]);
    await runScalingPass(ctx);
    const [, held] = await decisionsOf("bursty");
    expect(held).toMatchObject({ action: "unchanged", status: "succeeded", result: { threshold: "none", replicas: { api: 4 } } });
    expect(String(held!.result.reason)).toMatch(/^in cooldown: last scaled 12\d(\.\d+)?s ago/);
    expect(workload("bursty", "api").replicas).toBe(4);

    offsetMs += 200_000;
    await settle("bursty", ["api"]);
    await runScalingPass(ctx);
    const [, , down] = await decisionsOf("bursty");
    expect(down).toMatchObject({ action: "scaled", result: { threshold: "scale-down", replicas: { api: 1 } } });
    expect(workload("bursty", "api").replicas).toBe(1);
    expect(await replicasInDatabase(graphId, "api")).toBe(1);
    const [policy] = await ctx.db.select().from(scalingPolicies).where(eq(scalingPolicies.graphId, graphId));
    expect(policy!.lastScaledAt!.getTime()).toBeGreaterThan(scaledAt.getTime() + 300_000);
  });
});
