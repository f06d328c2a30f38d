/**
 * Scaling history: a service's request rate, ready replicas and capacity over time (graphs.metrics,
 * from Prometheus), the scaler's recorded decisions about it (scaling.decisions), and a text
 * summary of both for those who do not read the chart.
 */
import type { MetricsPoint } from "@/lib/graphs/metrics";
import type { ScalingDecisionRecord } from "@/lib/scaling/loop";

export type ScalingDecisionPoint = {
  at: number;
  action: string;
  /** Requests per second the scaler measured; null when it had none. */
  rate: number | null;
  /** Replicas before and after. */
  from: number | null;
  to: number | null;
};

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The decisions that concern `service`, oldest first. */
export function decisionsOf(decisions: readonly Pick<ScalingDecisionRecord, "at" | "inputs" | "result" | "action">[], service: string): ScalingDecisionPoint[] {
  const points: ScalingDecisionPoint[] = [];
  for (const decision of decisions) {
    const inputs = (decision.inputs.services as Record<string, { requestRate?: unknown; previous?: unknown }> | undefined)?.[service];
    if (!inputs) continue;
    const after = (decision.result.replicas as Record<string, unknown> | undefined)?.[service];
    points.push({ at: new Date(decision.at).getTime(), action: decision.action, rate: numberOrNull(inputs.requestRate), from: numberOrNull(inputs.previous), to: numberOrNull(after) ?? numberOrNull(inputs.previous) });
  }
  return points.sort((a, b) => a.at - b.at);
}

const RATE = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

export function formatRate(value: number | null): string {
  return value === null ? "—" : `${RATE.format(value)} req/s`;
}

function lastValue(points: readonly MetricsPoint[], pick: (point: MetricsPoint) => number | null): number | null {
  for (let index = points.length - 1; index >= 0; index--) {
    const value = pick(points[index]!);
    if (value !== null) return value;
  }
  return null;
}

/** Two or three sentences that say what the chart shows. */
export function summariseScaling(service: string, minutes: number, points: readonly MetricsPoint[], decisions: readonly ScalingDecisionPoint[]): string {
  const rates = points.map((point) => point.requestRate).filter((rate): rate is number => rate !== null);
  const replicas = points.map((point) => point.replicas).filter((count): count is number => count !== null);
  const sentences: string[] = [];
  if (rates.length === 0 && replicas.length === 0) {
    sentences.push(`Prometheus has no request rate or replicas for ${service} in the last ${minutes} minutes (it runs only while deployed).`);
  } else {
    const capacity = lastValue(points, (point) => point.capacity);
    const firstAt = points.find((point) => point.requestRate !== null || point.replicas !== null)?.time;
    const [windowStart, windowEnd] = [points[0]?.time ?? 0, points[points.length - 1]?.time ?? 0];
    const since = Math.max(1, Math.round((windowEnd - (firstAt ?? windowStart)) / 60_000));
    const period = firstAt !== undefined && firstAt > windowStart ? `In the ${since} ${since === 1 ? "minute" : "minutes"} since its metrics begin,` : `Over the last ${minutes} minutes`;
    let replicaText = "";
    if (replicas.length > 0) {
      const [low, high] = [Math.min(...replicas), Math.max(...replicas)];
      replicaText = low === high ? `${high} ready ${high === 1 ? "replica" : "replicas"} throughout` : `${low} to ${high} ready replicas (now ${lastValue(points, (point) => point.replicas) ?? "none"})`;
    }
    let sentence: string;
    if (rates.length > 0) {
      const [low, high] = [Math.min(...rates), Math.max(...rates)];
      const rateText = formatRate(low) === formatRate(high) ? `a steady ${formatRate(high)}` : `between ${formatRate(low)} and ${formatRate(high)} (now ${formatRate(lastValue(points, (point) => point.requestRate))})`;
      sentence = `${period} ${service} served ${rateText}${replicaText ? ` with ${replicaText}` : ""}`;
    } else {
      sentence = `${period} ${service} had no measured request rate${replicaText ? `, with ${replicaText}` : ""}`;
    }
    sentences.push(`${sentence}${capacity !== null ? `; its replicas serve up to ${formatRate(capacity)} now` : ""}.`);
    if (capacity === null) sentences.push("Without a scaling policy there is no capacity line.");
  }
  const scaled = decisions.filter((decision) => decision.action === "scaled");
  if (decisions.length > 0) {
    const last = scaled[scaled.length - 1];
    sentences.push(
      `The scaler decided ${decisions.length} ${decisions.length === 1 ? "time" : "times"} and scaled ${scaled.length === 0 ? "never" : `${scaled.length} ${scaled.length === 1 ? "time" : "times"}`}${last ? `, last from ${last.from ?? "?"} to ${last.to ?? "?"} replicas` : ""}.`,
    );
  }
  return sentences.join(" ");
}
