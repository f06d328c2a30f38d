/**
 * The scaling history series against the sandbox's Prometheus emulator. The service is installed
 * in a first sandbox run and the sandbox started again on the same state: the emulator then has
 * it running from its first observation, whose history it backfills, so the chart has hours of
 * data at once, as a real Prometheus would after running a while.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLoadProfile } from "../../sim/prometheus";
import { startSandboxCore, type SandboxCore } from "../../sim/testing";
import { NotFoundError, UpstreamError } from "../errors";
import { createPrometheusClient } from "../prometheus";
import { upsertScalingPolicy } from "../scaling";
import { seedGraph } from "../scaling/testdata/seed";
import { graphMetrics } from "./metrics";
import { waitFor } from "./testdata/observe";

const PROJECT = "shop";

describe("graph metrics from Prometheus", () => {
  let dataDir: string;
  let core: SandboxCore;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "smo-metrics-"));
    const first = await startSandboxCore({ dataDir });
    try {
      await first.ctx.clients.helm.install({ release: "web", chart: "oci://127.0.0.1:5000/test/web", namespace: PROJECT, values: { clustersAffinity: ["paris"], replicas: 2 } });
      await waitFor(() => first.sandbox.kube.listWorkloads().find((workload) => workload.name === "web"), (workload) => workload?.availableReplicas === 2, "web to be ready");
    } finally {
      await first.close();
    }
    core = await startSandboxCore({ dataDir });
    await seedGraph(core.ctx.db, { project: PROJECT, graph: "shop", services: [{ name: "web" }, { name: "batch", status: "Pending" }] });
    await upsertScalingPolicy(core.ctx, {
      graphName: "shop",
      serviceName: "web",
      mode: "milp",
      enabled: true,
      alpha: 10,
      beta: 5,
      minReplicas: 1,
      maxReplicas: 4,
      intervalSeconds: 30,
      window: "1m",
      cooldownSeconds: 0,
    });
  }, 120_000);
  afterAll(async () => {
    await core?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("gives each service's request rate, ready replicas and the capacity of its policy on one grid", async () => {
    const metrics = await graphMetrics(core.ctx, { graphName: "shop", minutes: 60 });
    expect(metrics.stepSeconds).toBe(15);
    expect(metrics.to.getTime() - metrics.from.getTime()).toBe(3_600_000);
    const web = metrics.services.find((service) => service.service === "web")!;
    expect(web.policy).toMatchObject({ alpha: 10, beta: 5, minReplicas: 1, maxReplicas: 4 });
    // The scaler's own query: the policy's default template over its window.
    expect(web.requestRateQuery).toBe('sum(rate(flask_http_request_total{service="web"}[1m])) by (service)');
    expect(web.points).toHaveLength(241);
    expect(web.points[0]!.time).toBe(metrics.from.getTime());
    const { rps } = defaultLoadProfile("web") as { rps: number };
    for (const point of web.points) {
      expect(point.replicas).toBe(2);
      expect(point.capacity).toBe(25);
      expect(point.requestRate).toBeCloseTo(rps, 6);
    }

    // Not running and without a policy: the default query within the project, and no values.
    const batch = metrics.services.find((service) => service.service === "batch")!;
    expect(batch).toMatchObject({ status: "Pending", policy: null, requestRateQuery: 'sum(rate(flask_http_request_total{namespace="shop",service="batch"}[1m])) by (service)' });
    expect(batch.points.every((point) => point.requestRate === null && point.replicas === null && point.capacity === null)).toBe(true);
  });

  it("keeps long windows to at most 240 steps", async () => {
    const week = await graphMetrics(core.ctx, { graphName: "shop", minutes: 7 * 24 * 60 });
    expect(week.stepSeconds).toBe(2_520);
    expect(week.services[0]!.points).toHaveLength(241);
  });

  it("names what is missing or failing: an unknown graph, Prometheus not answering", async () => {
    await expect(graphMetrics(core.ctx, { graphName: "nope" })).rejects.toBeInstanceOf(NotFoundError);
    const offline = { ...core.ctx, clients: { ...core.ctx.clients, prometheus: createPrometheusClient({ url: "http://127.0.0.1:9", timeoutMs: 2_000 }) } };
    await expect(graphMetrics(offline, { graphName: "shop" })).rejects.toBeInstanceOf(UpstreamError);
  });
});
