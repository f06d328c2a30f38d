/**
 * One step of the threshold scaler of the original SMO CLI (SPEC §5).
 *
 * The original (abilian/smo-monorepo `smo-cli/src/smo_cli/commands/scaler.py` with
 * `smo-core/src/smo_core/services/scaler_service.py`, `run_threshold_scaler_iteration`):
 * - every poll interval, first the cooldown: if fewer than `cooldown_period` seconds passed
 *   since the last scaling action, nothing happens (metrics are not even read); the time of
 *   the last action starts at 0, so the first poll is never in cooldown;
 * - no metric from Prometheus → no action (it never treats "no data" as 0 requests/s);
 * - `rate > up_threshold and replicas < up_replicas` → scale to `up_replicas`;
 * - otherwise `rate < down_threshold and replicas > down_replicas` → scale to `down_replicas`;
 * - otherwise no action ("within thresholds or already at target"). Comparisons are strict.
 * Only a scaling action restarts the cooldown; the caller keeps that time.
 *
 * Besides the original's fixed targets (`adjustment.kind: "target"`), a step mode moves by
 * `step` replicas within [minReplicas, maxReplicas] with the same conditions.
 */
import { ValidationError, type ValidationIssue } from "../errors";

export type ThresholdAdjustment =
  /** The original: jump to `upReplicas` above the up threshold, to `downReplicas` below the down one. */
  | { kind: "target"; upReplicas: number; downReplicas: number }
  /** Add or remove `step` replicas, staying within [minReplicas, maxReplicas]. */
  | { kind: "step"; step: number };

export type ThresholdScalerInput = {
  /** The metric (requests/s in the original); undefined, null or NaN when Prometheus returned nothing. */
  metric: number | null | undefined;
  upThreshold: number;
  downThreshold: number;
  currentReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  adjustment: ThresholdAdjustment;
  cooldownSeconds: number;
  /** When the scaler last changed the replicas, in ms since the epoch; undefined when it never did. */
  lastScaleAtMs: number | undefined;
  nowMs: number;
};

export type ThresholdAction = "scale-up" | "scale-down" | "none";

export type ThresholdDecision = {
  action: ThresholdAction;
  /** The replicas to run: the current count when the action is "none". */
  replicas: number;
  /** One sentence for the activity log; starts with "warning:" when the metric was missing. */
  reason: string;
};

/** Decides one poll of the threshold scaler; pure, so the loop owns the clock and the last action time. */
export function decideThresholdScaling(input: ThresholdScalerInput): ThresholdDecision {
  validateThresholdInput(input);
  const { metric, upThreshold, downThreshold, currentReplicas: current, cooldownSeconds, lastScaleAtMs, nowMs } = input;
  const keep = (reason: string): ThresholdDecision => ({ action: "none", replicas: current, reason });

  if (lastScaleAtMs !== undefined) {
    const elapsedSeconds = (nowMs - lastScaleAtMs) / 1000;
    if (elapsedSeconds < 0) {
      return keep(`in cooldown: the last scaling is stamped ${formatNumber(-elapsedSeconds)}s in the future (clock skew?)`);
    }
    if (elapsedSeconds < cooldownSeconds) {
      return keep(`in cooldown: last scaled ${formatNumber(elapsedSeconds)}s ago, ${formatNumber(cooldownSeconds - elapsedSeconds)}s of ${formatNumber(cooldownSeconds)}s left`);
    }
  }
  if (metric === undefined || metric === null || Number.isNaN(metric)) {
    return keep(`warning: no metric value (Prometheus returned no data); keeping ${current} replicas`);
  }

  const { up, down } = scalingTargets(input);
  if (metric > upThreshold) {
    if (current < up) return { action: "scale-up", replicas: up, reason: `metric ${formatNumber(metric)} > scale-up threshold ${formatNumber(upThreshold)}: ${current} → ${up} replicas` };
    return keep(`metric ${formatNumber(metric)} > scale-up threshold ${formatNumber(upThreshold)} but already at ${current} replicas (scale-up target ${up})`);
  }
  if (metric < downThreshold) {
    if (current > down) return { action: "scale-down", replicas: down, reason: `metric ${formatNumber(metric)} < scale-down threshold ${formatNumber(downThreshold)}: ${current} → ${down} replicas` };
    return keep(`metric ${formatNumber(metric)} < scale-down threshold ${formatNumber(downThreshold)} but already at ${current} replicas (scale-down target ${down})`);
  }
  return keep(`metric ${formatNumber(metric)} is within [${formatNumber(downThreshold)}, ${formatNumber(upThreshold)}]: keeping ${current} replicas`);
}

/** Where a scale-up and a scale-down would go from the current count. */
function scalingTargets(input: ThresholdScalerInput): { up: number; down: number } {
  const { adjustment, currentReplicas: current, minReplicas, maxReplicas } = input;
  if (adjustment.kind === "target") return { up: adjustment.upReplicas, down: adjustment.downReplicas };
  return {
    up: Math.min(maxReplicas, Math.max(minReplicas, current + adjustment.step)),
    down: Math.max(minReplicas, Math.min(maxReplicas, current - adjustment.step)),
  };
}

function validateThresholdInput(input: ThresholdScalerInput): void {
  const issues: ValidationIssue[] = [];
  const finite = (path: keyof ThresholdScalerInput, value: unknown) => {
    if (typeof value !== "number" || !Number.isFinite(value)) issues.push({ path, message: `must be a finite number, got ${String(value)}` });
  };
  const integer = (path: string, value: unknown, minimum: number) => {
    if (!Number.isSafeInteger(value) || (value as number) < minimum) issues.push({ path, message: `must be an integer ≥ ${minimum}, got ${String(value)}` });
  };
  if (input.metric !== undefined && input.metric !== null && typeof input.metric !== "number") {
    issues.push({ path: "metric", message: `must be a number, null or undefined, got ${typeof input.metric}` });
  }
  finite("upThreshold", input.upThreshold);
  finite("downThreshold", input.downThreshold);
  if (input.downThreshold > input.upThreshold) {
    issues.push({ path: "downThreshold", message: `must not exceed upThreshold (${input.upThreshold}), got ${input.downThreshold}` });
  }
  integer("currentReplicas", input.currentReplicas, 0);
  // At least one replica: the scaler never scales a service to zero.
  integer("minReplicas", input.minReplicas, 1);
  integer("maxReplicas", input.maxReplicas, 1);
  if (input.maxReplicas < input.minReplicas) issues.push({ path: "maxReplicas", message: `must be ≥ minReplicas (${input.minReplicas}), got ${input.maxReplicas}` });
  const { adjustment } = input;
  if (adjustment?.kind === "target") {
    for (const key of ["upReplicas", "downReplicas"] as const) {
      const value = adjustment[key];
      integer(`adjustment.${key}`, value, 1);
      if (Number.isSafeInteger(value) && (value < input.minReplicas || value > input.maxReplicas)) {
        issues.push({ path: `adjustment.${key}`, message: `must be within [minReplicas, maxReplicas] = [${input.minReplicas}, ${input.maxReplicas}], got ${value}` });
      }
    }
    if (adjustment.downReplicas > adjustment.upReplicas) {
      issues.push({ path: "adjustment.downReplicas", message: `must not exceed upReplicas (${adjustment.upReplicas}), got ${adjustment.downReplicas}` });
    }
  } else if (adjustment?.kind === "step") {
    integer("adjustment.step", adjustment.step, 1);
  } else {
    issues.push({ path: "adjustment.kind", message: `must be "target" or "step", got ${String((adjustment as { kind?: unknown } | undefined)?.kind)}` });
  }
  finite("cooldownSeconds", input.cooldownSeconds);
  if (input.cooldownSeconds < 0) issues.push({ path: "cooldownSeconds", message: `must be ≥ 0, got ${input.cooldownSeconds}` });
  if (input.lastScaleAtMs !== undefined) finite("lastScaleAtMs", input.lastScaleAtMs);
  finite("nowMs", input.nowMs);
  if (issues.length > 0) throw new ValidationError(issues);
}

/** Two decimals at most, like the original's `:.2f`, without trailing zeros. */
function formatNumber(value: number): string {
  return String(Number(value.toFixed(2)));
}
