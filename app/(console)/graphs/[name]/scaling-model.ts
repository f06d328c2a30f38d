/**
 * The scaling loop's decisions of a graph as one time series per service: request rate, the
 * capacity of the replicas chosen (alpha · replicas + beta) and the replicas, oldest first.
 */
import type { ScalingDecisionRecord } from "@/lib/scaling/loop";

export type ScalingPoint = {
  at: number;
  /** Requests per second measured; null when Prometheus gave none. */
  rate: number | null;
  /** Requests per second the replicas serve: alpha · replicas + beta (null without a policy's figures). */
  capacity: number | null;
  replicas: number | null;
  action: string;
};

type ServiceInputs = { requestRate?: number | null; previous?: number; alpha?: number; beta?: number };

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function scalingSeries(decisions: readonly Pick<ScalingDecisionRecord, "at" | "inputs" | "result" | "action">[]): Map<string, ScalingPoint[]> {
  const series = new Map<string, ScalingPoint[]>();
  const ordered = [...decisions].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
  for (const decision of ordered) {
    const services = (decision.inputs.services ?? {}) as Record<string, ServiceInputs>;
    const replicasAfter = (decision.result.replicas ?? {}) as Record<string, unknown>;
    for (const [service, inputs] of Object.entries(services)) {
      const replicas = numberOrNull(replicasAfter[service]) ?? numberOrNull(inputs.previous);
      const alpha = numberOrNull(inputs.alpha);
      const beta = numberOrNull(inputs.beta) ?? 0;
      const point: ScalingPoint = {
        at: new Date(decision.at).getTime(),
        rate: numberOrNull(inputs.requestRate),
        capacity: alpha !== null && replicas !== null ? alpha * replicas + beta : null,
        replicas,
        action: decision.action,
      };
      series.set(service, [...(series.get(service) ?? []), point]);
    }
  }
  return series;
}

const RATE = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

export function formatRate(value: number | null): string {
  return value === null ? "—" : `${RATE.format(value)} req/s`;
}

/** One or two sentences a screen reader (or anyone) can read instead of the chart. */
export function summariseSeries(service: string, points: readonly ScalingPoint[]): string {
  if (points.length === 0) return `No decision for ${service} yet.`;
  const rates = points.map((point) => point.rate).filter((rate): rate is number => rate !== null);
  const replicas = points.map((point) => point.replicas).filter((count): count is number => count !== null);
  const last = points[points.length - 1]!;
  const scaled = points.filter((point) => point.action === "scaled").length;
  const parts = [`${points.length} ${points.length === 1 ? "decision" : "decisions"} for ${service}`];
  if (rates.length > 0) {
    const [low, high] = [Math.min(...rates), Math.max(...rates)];
    parts.push(formatRate(low) === formatRate(high) ? `request rate steady at ${formatRate(high)}` : `request rate between ${formatRate(low)} and ${formatRate(high)}, last ${formatRate(last.rate)}`);
  }
  if (replicas.length > 0) {
    const [low, high] = [Math.min(...replicas), Math.max(...replicas)];
    parts.push(low === high ? `${high} ${high === 1 ? "replica" : "replicas"} throughout` : `replicas between ${low} and ${high}, now ${last.replicas ?? "unknown"}`);
  }
  if (last.capacity !== null) parts.push(`capacity now ${formatRate(last.capacity)}`);
  parts.push(scaled === 0 ? "never scaled" : `scaled ${scaled} ${scaled === 1 ? "time" : "times"}`);
  return `${parts.join("; ")}.`;
}
