import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db";
import { databaseTargets } from "../../db/testing";
import type { CoreContext } from "../context";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { listEvents } from "../events";
import { createSilentLogger } from "../logger";
import { getScalingPolicies, upsertScalingPolicy, type ScalingPolicyInput } from "./policies";
import { seedGraph } from "./testdata/seed";

const base: ScalingPolicyInput = {
  graphName: "shop",
  serviceName: "web",
  mode: "milp",
  enabled: true,
  alpha: 10,
  beta: 0,
  minReplicas: 1,
  maxReplicas: 5,
  intervalSeconds: 30,
  window: "1m",
  cooldownSeconds: 60,
};

async function validationIssues(promise: Promise<unknown>): Promise<Record<string, string>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return Object.fromEntries((error as ValidationError).issues.map((issue) => [issue.path, issue.message]));
}

describe.each(databaseTargets())("scaling policies on $name", (target) => {
  let handle: DatabaseHandle;
  let ctx: Pick<CoreContext, "db" | "actor" | "logger" | "clock">;
  beforeAll(async () => {
    handle = await target.open();
    ctx = { db: handle.db, actor: { kind: "user", name: "alice" }, logger: createSilentLogger(), clock: () => new Date() };
    await seedGraph(handle.db, { project: "demo", graph: "shop", services: [{ name: "web" }, { name: "cart" }, { name: "search" }] });
  });
  afterAll(async () => handle?.close());

  it("has no policy until one is created: scaling is opt-in per service", async () => {
    expect(await getScalingPolicies(ctx, "shop")).toEqual([]);
  });

  it("creates a policy at version 1 and records who did it", async () => {
    const created = await upsertScalingPolicy(ctx, { ...base, query: 'sum(rate(http_requests_total{job="{{service}}"}[{{window}}]))' });
    expect(created).toMatchObject({ graphName: "shop", serviceName: "web", mode: "milp", enabled: true, alpha: 10, version: 1, lastEvaluatedAt: null, lastScaledAt: null });
    expect(await getScalingPolicies(ctx, "shop")).toEqual([created]);
    const [event] = await listEvents(ctx, { graphName: "shop", kind: "scaling.policy-created" });
    expect(event).toMatchObject({ actor: "alice", serviceName: "web", project: "demo" });
  });

  it("replaces the version it was given, and refuses a stale one or a second create", async () => {
    const updated = await upsertScalingPolicy(ctx, { ...base, maxReplicas: 8, version: 1 });
    expect(updated).toMatchObject({ version: 2, maxReplicas: 8, query: null });

    const stale = await upsertScalingPolicy(ctx, { ...base, maxReplicas: 3, version: 1 }).catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as Error).message).toContain("version 2, not 1");
    const again = await upsertScalingPolicy(ctx, { ...base, maxReplicas: 3 }).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as Error).message).toContain("pass version 2");

    expect((await getScalingPolicies(ctx, "shop")).map((policy) => [policy.serviceName, policy.version, policy.maxReplicas])).toEqual([["web", 2, 8]]);
    const [event] = await listEvents(ctx, { graphName: "shop", kind: "scaling.policy-updated" });
    expect(event?.message).toContain("version 2");
  });

  it("names every invalid field by its path and writes nothing", async () => {
    const issues = await validationIssues(
      upsertScalingPolicy(ctx, {
        ...base,
        serviceName: "cart",
        alpha: 0,
        minReplicas: 0,
        maxReplicas: 101,
        intervalSeconds: 4,
        window: "5 minutes",
        cooldownSeconds: -1,
      }),
    );
    expect(Object.keys(issues).sort()).toEqual(["alpha", "cooldownSeconds", "intervalSeconds", "maxReplicas", "minReplicas", "window"]);
    expect(issues.window).toContain("Prometheus duration");

    const crossField = await validationIssues(
      upsertScalingPolicy(ctx, { ...base, serviceName: "cart", mode: "threshold", minReplicas: 4, maxReplicas: 2, upThreshold: 10, downThreshold: 10 }),
    );
    expect(crossField).toEqual({
      maxReplicas: "must be ≥ minReplicas (4), got 2",
      downThreshold: "must be < upThreshold (10), got 10",
    });

    const noThresholds = await validationIssues(upsertScalingPolicy(ctx, { ...base, serviceName: "cart", mode: "threshold" }));
    expect(noThresholds).toEqual({ upThreshold: "is required in threshold mode", downThreshold: "is required in threshold mode" });

    expect(await getScalingPolicies(ctx, "shop")).toHaveLength(1);
  });

  it("checks the query: at most 2 KiB, placeholders only where they are safe", async () => {
    const long = `sum(rate(flask_http_request_total{service="{{service}}"}[{{window}}])) ${"+ 0 ".repeat(600)}`;
    expect((await validationIssues(upsertScalingPolicy(ctx, { ...base, serviceName: "cart", query: long }))).query).toMatch(/at most 2048 bytes, got \d+/);
    expect((await validationIssues(upsertScalingPolicy(ctx, { ...base, serviceName: "cart", query: "sum(rate(x{service={{service}}}[1m]))" }))).query).toContain(
      "must be inside a double-quoted string",
    );
    expect((await validationIssues(upsertScalingPolicy(ctx, { ...base, serviceName: "cart", query: 'x{a="{{pod}}"}' }))).query).toContain("unknown placeholder {{pod}}");
    expect((await validationIssues(upsertScalingPolicy(ctx, { ...base, serviceName: "cart", query: "" }))).query).toContain("non-empty");
    // Exactly 2 KiB is accepted.
    const prefix = 'sum(rate(flask_http_request_total{service="{{service}}"}[{{window}}]))';
    const exact = `${prefix}${" ".repeat(2048 - prefix.length)}`;
    expect((await upsertScalingPolicy(ctx, { ...base, serviceName: "cart", query: exact })).query).toBe(exact);
  });

  it("refuses unknown graphs and services with NotFoundError, and an update of a policy that does not exist", async () => {
    await expect(upsertScalingPolicy(ctx, { ...base, graphName: "nope" })).rejects.toThrow(new NotFoundError("graph", "nope"));
    await expect(upsertScalingPolicy(ctx, { ...base, serviceName: "ghost" })).rejects.toThrow(new NotFoundError("service", "shop/ghost"));
    await expect(upsertScalingPolicy(ctx, { ...base, serviceName: "search", version: 3 })).rejects.toThrow(new NotFoundError("scaling policy", "shop/search"));
    await expect(getScalingPolicies(ctx, "nope")).rejects.toBeInstanceOf(NotFoundError);
  });
});
