/**
 * The scaling history of a graph's services as time series, for the graph page's chart (SPEC §7:
 * the console draws its own charts from Prometheus range queries): per service, the request rate,
 * the ready replicas and the capacity those replicas serve, on one time grid.
 *
 * Choices:
 * - The request rate of a service with a scaling policy is read with the policy's own query and
 *   window — the signal the scaler decides on; without a policy, SMO's default query within the
 *   graph's project, over a 1-minute window (four 15-second scrapes) so that load changes show soon.
 * - Replicas are the Deployment's ready replicas summed over member clusters (what serves).
 * - Capacity is alpha·replicas + beta with the policy as it is now (the scaling model's capacity
 *   term); there is none without a policy. The stored decisions (scaling.decisions) hold only
 *   the evaluations' instants, not a continuous series, so they mark the chart rather than draw it.
 */
import { eq } from "drizzle-orm";
import { scalingPolicies } from "../../db/schema";
import type { CoreContext } from "../context";
import type { MatrixResult } from "../prometheus";
import { requestRateQuery, serviceReadyReplicasQuery } from "../prometheus/queries";
import { buildRequestRateQuery, REQUEST_RATE_METRIC } from "../scaling/queries";
import { listGraphServices, requireGraph } from "./records";

export const DEFAULT_METRICS_MINUTES = 60;
export const MAX_METRICS_MINUTES = 7 * 24 * 60;
/** Points per series at most: a chart a few hundred pixels wide shows no more. */
export const MAX_METRICS_POINTS = 240;
const MIN_STEP_SECONDS = 15;
const DEFAULT_RATE_WINDOW = "1m";

export type MetricsPoint = {
  /** Milliseconds since the epoch. */
  time: number;
  /** Requests per second; null where Prometheus has no value. */
  requestRate: number | null;
  /** Ready replicas over all member clusters; null where Prometheus has no value (not running). */
  replicas: number | null;
  /** Requests per second the ready replicas serve (alpha·replicas + beta); null without a policy or replicas. */
  capacity: number | null;
};

export type ServiceMetrics = {
  service: string;
  status: string;
  /** The scaling policy the capacity comes from, or null. */
  policy: { mode: string; enabled: boolean; alpha: number; beta: number; minReplicas: number; maxReplicas: number } | null;
  /** The PromQL the request rate was read with. */
  requestRateQuery: string;
  points: MetricsPoint[];
};

export type GraphMetrics = {
  graphName: string;
  from: Date;
  to: Date;
  stepSeconds: number;
  services: ServiceMetrics[];
};

export type GraphMetricsInput = { graphName: string; minutes?: number };

/** NotFoundError for an unknown graph; an UpstreamError when Prometheus does not answer. */
export async function graphMetrics(ctx: Pick<CoreContext, "db" | "clock"> & { clients: Pick<CoreContext["clients"], "prometheus"> }, input: GraphMetricsInput): Promise<GraphMetrics> {
  const graph = await requireGraph(ctx.db, input.graphName);
  const minutes = Math.min(Math.max(Math.trunc(input.minutes ?? DEFAULT_METRICS_MINUTES), 1), MAX_METRICS_MINUTES);
  const stepSeconds = Math.max(MIN_STEP_SECONDS, Math.ceil((minutes * 60) / MAX_METRICS_POINTS));
  // On the step grid, so that successive refreshes give the same instants.
  const end = Math.floor(ctx.clock().getTime() / 1000 / stepSeconds) * stepSeconds;
  const start = end - Math.ceil((minutes * 60) / stepSeconds) * stepSeconds;
  const grid = Array.from({ length: (end - start) / stepSeconds + 1 }, (_, index) => start + index * stepSeconds);

  const services = await listGraphServices(ctx.db, graph.id);
  const policies = await ctx.db.select().from(scalingPolicies).where(eq(scalingPolicies.graphId, graph.id));
  const policyOf = new Map(policies.map((policy) => [policy.serviceName, policy]));
  const range = { start, end, step: stepSeconds };

  const series = await Promise.all(
    services.map(async (service): Promise<ServiceMetrics> => {
      const policy = policyOf.get(service.name);
      const rateQuery = policy
        ? buildRequestRateQuery(service.name, { window: policy.window, template: policy.query ?? undefined })
        : requestRateQuery({ service: service.name, namespace: graph.project, window: DEFAULT_RATE_WINDOW, metric: REQUEST_RATE_METRIC });
      const [rates, replicas] = await Promise.all([
        ctx.clients.prometheus.queryRange(rateQuery, range),
        ctx.clients.prometheus.queryRange(serviceReadyReplicasQuery({ service: service.name, namespace: graph.project }), range),
      ]);
      const rateAt = sumByTime(rates);
      const replicasAt = sumByTime(replicas);
      return {
        service: service.name,
        status: service.status,
        policy: policy
          ? { mode: policy.mode, enabled: policy.enabled, alpha: policy.alpha, beta: policy.beta, minReplicas: policy.minReplicas, maxReplicas: policy.maxReplicas }
          : null,
        requestRateQuery: rateQuery,
        points: grid.map((time) => {
          const ready = replicasAt.get(time) ?? null;
          return {
            time: time * 1000,
            requestRate: rateAt.get(time) ?? null,
            replicas: ready,
            capacity: policy && ready !== null ? policy.alpha * ready + policy.beta : null,
          };
        }),
      };
    }),
  );
  return { graphName: graph.name, from: new Date(start * 1000), to: new Date(end * 1000), stepSeconds, services: series };
}

/** The series of a range answer added up per instant (a custom query may split by cluster or pod); NaN and infinities left out. */
function sumByTime(result: MatrixResult): Map<number, number> {
  const sums = new Map<number, number>();
  for (const series of result.result) {
    for (const sample of series.samples) {
      if (!Number.isFinite(sample.value)) continue;
      const time = Math.round(sample.time);
      sums.set(time, (sums.get(time) ?? 0) + sample.value);
    }
  }
  return sums;
}
