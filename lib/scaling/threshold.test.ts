import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { decideThresholdScaling, type ThresholdScalerInput } from "./threshold";

const NOW = Date.parse("2025-01-01T12:00:00Z");

/** The original CLI's example: > 20 RPS → 3 replicas, < 5 RPS → 1 replica, cooldown 60 s. */
function input(fields: Partial<ThresholdScalerInput>): ThresholdScalerInput {
  return {
    metric: 10,
    upThreshold: 20,
    downThreshold: 5,
    currentReplicas: 2,
    minReplicas: 1,
    maxReplicas: 5,
    adjustment: { kind: "target", upReplicas: 3, downReplicas: 1 },
    cooldownSeconds: 60,
    lastScaleAtMs: undefined,
    nowMs: NOW,
    ...fields,
  };
}

describe("decideThresholdScaling with the original's target replicas", () => {
  it.each([
    { name: "above the up threshold scales up to the target", fields: { metric: 25 }, action: "scale-up", replicas: 3, reason: "metric 25 > scale-up threshold 20: 2 → 3 replicas" },
    { name: "above the up threshold at the target does nothing", fields: { metric: 25, currentReplicas: 3 }, action: "none", replicas: 3, reason: "metric 25 > scale-up threshold 20 but already at 3 replicas (scale-up target 3)" },
    { name: "above the up threshold beyond the target does nothing (the original never lowers on high load)", fields: { metric: 25, currentReplicas: 4 }, action: "none", replicas: 4 },
    { name: "exactly at the up threshold does nothing (strict comparison)", fields: { metric: 20 }, action: "none", replicas: 2, reason: "metric 20 is within [5, 20]: keeping 2 replicas" },
    { name: "below the down threshold scales down to the target", fields: { metric: 2.345 }, action: "scale-down", replicas: 1, reason: "metric 2.35 < scale-down threshold 5: 2 → 1 replicas" },
    { name: "below the down threshold at the target does nothing", fields: { metric: 2, currentReplicas: 1 }, action: "none", replicas: 1, reason: "metric 2 < scale-down threshold 5 but already at 1 replicas (scale-down target 1)" },
    { name: "exactly at the down threshold does nothing (strict comparison)", fields: { metric: 5 }, action: "none", replicas: 2 },
    { name: "zero requests is a real value and scales down", fields: { metric: 0 }, action: "scale-down", replicas: 1 },
    { name: "between the thresholds does nothing", fields: { metric: 10 }, action: "none", replicas: 2, reason: "metric 10 is within [5, 20]: keeping 2 replicas" },
    { name: "equal thresholds: only strictly above or below acts", fields: { metric: 7, upThreshold: 7, downThreshold: 7 }, action: "none", replicas: 2 },
    { name: "a stopped service (0 replicas) under load scales up", fields: { metric: 30, currentReplicas: 0 }, action: "scale-up", replicas: 3 },
  ] as const)("$name", ({ fields, action, replicas, ...rest }) => {
    const decision = decideThresholdScaling(input(fields));
    expect(decision.action).toBe(action);
    expect(decision.replicas).toBe(replicas);
    if ("reason" in rest) expect(decision.reason).toBe(rest.reason);
  });
});

describe("decideThresholdScaling with a step", () => {
  const step = { kind: "step", step: 2 } as const;
  it.each([
    { name: "steps up", fields: { metric: 25, currentReplicas: 2 }, action: "scale-up", replicas: 4 },
    { name: "steps up no further than maxReplicas", fields: { metric: 25, currentReplicas: 4 }, action: "scale-up", replicas: 5 },
    { name: "at maxReplicas does nothing", fields: { metric: 25, currentReplicas: 5 }, action: "none", replicas: 5 },
    { name: "steps up from below minReplicas to at least minReplicas", fields: { metric: 25, currentReplicas: 0, minReplicas: 3 }, action: "scale-up", replicas: 3 },
    { name: "steps down", fields: { metric: 1, currentReplicas: 5 }, action: "scale-down", replicas: 3 },
    { name: "steps down no further than minReplicas", fields: { metric: 1, currentReplicas: 2 }, action: "scale-down", replicas: 1 },
    { name: "at minReplicas does nothing", fields: { metric: 1, currentReplicas: 1 }, action: "none", replicas: 1 },
    { name: "above maxReplicas under low load comes back to maxReplicas", fields: { metric: 1, currentReplicas: 9 }, action: "scale-down", replicas: 5 },
    { name: "between the thresholds does nothing", fields: { metric: 10, currentReplicas: 3 }, action: "none", replicas: 3 },
  ] as const)("$name", ({ fields, action, replicas }) => {
    const decision = decideThresholdScaling(input({ ...fields, adjustment: step }));
    expect(decision).toMatchObject({ action, replicas });
  });
});

describe("decideThresholdScaling cooldown and missing metrics", () => {
  it("does nothing within the cooldown, before reading the metric", () => {
    const decision = decideThresholdScaling(input({ metric: 100, lastScaleAtMs: NOW - 20_000 }));
    expect(decision).toEqual({ action: "none", replicas: 2, reason: "in cooldown: last scaled 20s ago, 40s of 60s left" });
  });

  it("acts again once the cooldown has fully elapsed", () => {
    expect(decideThresholdScaling(input({ metric: 100, lastScaleAtMs: NOW - 60_000 })).action).toBe("scale-up");
  });

  it("acts immediately when it never scaled before (the original starts its clock at 0)", () => {
    expect(decideThresholdScaling(input({ metric: 100, lastScaleAtMs: undefined })).action).toBe("scale-up");
  });

  it("acts every poll with a zero cooldown", () => {
    expect(decideThresholdScaling(input({ metric: 100, cooldownSeconds: 0, lastScaleAtMs: NOW })).action).toBe("scale-up");
  });

  it("stays in cooldown when the last action is stamped in the future (clock skew)", () => {
    expect(decideThresholdScaling(input({ metric: 100, lastScaleAtMs: NOW + 5_000 }))).toEqual({
      action: "none",
      replicas: 2,
      reason: "in cooldown: the last scaling is stamped 5s in the future (clock skew?)",
    });
  });

  it.each([undefined, null, Number.NaN])("keeps the replicas with a warning when the metric is %s, never scaling to zero", (metric) => {
    const decision = decideThresholdScaling(input({ metric, currentReplicas: 3 }));
    expect(decision).toEqual({ action: "none", replicas: 3, reason: "warning: no metric value (Prometheus returned no data); keeping 3 replicas" });
  });
});

describe("decideThresholdScaling validation", () => {
  it.each([
    { fields: { upThreshold: Number.NaN }, path: "upThreshold" },
    { fields: { downThreshold: 30 }, path: "downThreshold" },
    { fields: { currentReplicas: -1 }, path: "currentReplicas" },
    { fields: { currentReplicas: 1.5 }, path: "currentReplicas" },
    { fields: { minReplicas: 0 }, path: "minReplicas" },
    { fields: { maxReplicas: 0 }, path: "maxReplicas" },
    { fields: { minReplicas: 4, maxReplicas: 3, adjustment: { kind: "step", step: 1 } }, path: "maxReplicas" },
    { fields: { adjustment: { kind: "target", upReplicas: 9, downReplicas: 1 } }, path: "adjustment.upReplicas" },
    { fields: { adjustment: { kind: "target", upReplicas: 2, downReplicas: 3 } }, path: "adjustment.downReplicas" },
    { fields: { adjustment: { kind: "step", step: 0 } }, path: "adjustment.step" },
    { fields: { adjustment: { kind: "percent" } }, path: "adjustment.kind" },
    { fields: { cooldownSeconds: -1 }, path: "cooldownSeconds" },
    { fields: { lastScaleAtMs: Number.POSITIVE_INFINITY }, path: "lastScaleAtMs" },
    { fields: { nowMs: Number.NaN }, path: "nowMs" },
    { fields: { metric: "12" }, path: "metric" },
  ])("rejects a bad $path", ({ fields, path }) => {
    const attempt = () => decideThresholdScaling(input(fields as Partial<ThresholdScalerInput>));
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
    }
  });
});
