/**
 * One poll of the original SMO CLI's threshold scaler (`smo scaler run`), carried out by the
 * console for a client that owns the loop: read the service's request rate from Prometheus and
 * its running replicas from Karmada, decide with decideThresholdScaling (the original's target
 * form), scale through a durable `scale` operation, and record the decision like the scaling
 * loop's. The client keeps the poll interval and the cooldown, as the original did: a poll in
 * cooldown never reaches the console.
 *
 * A service whose scaling policy is enabled is refused: the console's loop already scales it,
 * and two scalers would undo each other's work.
 */
import { and, eq } from "drizzle-orm";
import { graphs, scalingDecisions, scalingPolicies, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { ConflictError, NotFoundError, PreconditionFailedError } from "../errors";
import { recordEvent } from "../events";
import { runOperation } from "../operations";
import { executeScaleOperation, readServiceRequestRate, type ScaleOperationInput } from "./loop";
import { decideThresholdScaling, type ThresholdAction } from "./threshold";

export type ThresholdStepInput = {
  graphName: string;
  serviceName: string;
  /** Requests/s above which the service goes to upReplicas, below which to downReplicas (strict comparisons). */
  upThreshold: number;
  downThreshold: number;
  upReplicas: number;
  downReplicas: number;
};

export type ThresholdStepResult = {
  graphName: string;
  serviceName: string;
  action: ThresholdAction;
  /** Replicas before the poll, and after it (the same when nothing was done or the scale failed). */
  previous: number;
  replicas: number;
  /** The request rate read, or null when Prometheus gave none (then nothing is done). */
  requestRate: number | null;
  query: string | null;
  reason: string;
  operationId: string | null;
  /** Set when the scale operation failed; replicas is then the previous count. */
  error: string | null;
  decisionId: number;
};

const DEFAULT_WINDOW = "1m";

export async function runThresholdStep(ctx: CoreContext, input: ThresholdStepInput): Promise<ThresholdStepResult> {
  const [row] = await ctx.db
    .select({ graph: { id: graphs.id, name: graphs.name, project: graphs.project, status: graphs.status }, service: { name: services.name, status: services.status, clusters: services.clusters } })
    .from(graphs)
    .leftJoin(services, and(eq(services.graphId, graphs.id), eq(services.name, input.serviceName)))
    .where(eq(graphs.name, input.graphName))
    .limit(1);
  if (!row) throw new NotFoundError("graph", input.graphName);
  const { graph, service } = row;
  if (!service) throw new NotFoundError("service", `${graph.name}/${input.serviceName}`);
  if (graph.status !== "Running") throw new PreconditionFailedError(`graph ${graph.name} is ${graph.status}: the scaler needs it Running`);
  if (service.status !== "Deployed") throw new PreconditionFailedError(`service ${service.name} of graph ${graph.name} is ${service.status}: only a deployed service can be scaled`);

  const [policy] = await ctx.db
    .select()
    .from(scalingPolicies)
    .where(and(eq(scalingPolicies.graphId, graph.id), eq(scalingPolicies.serviceName, service.name)))
    .limit(1);
  if (policy?.enabled) {
    throw new ConflictError(`service ${service.name} of graph ${graph.name} has an enabled ${policy.mode} scaling policy: the console's scaling loop scales it; disable the policy to run this scaler`);
  }

  const now = ctx.clock();
  const deployment = await ctx.clients.karmada.getDeployment(graph.project, service.name);
  if (!deployment) throw new PreconditionFailedError(`deployment ${graph.project}/${service.name} does not exist on Karmada`);
  const previous = deployment.replicas;
  // A disabled policy still says how this service's rate is read (its PromQL and window).
  const rate = await readServiceRequestRate(ctx, service.name, { window: policy?.window ?? DEFAULT_WINDOW, template: policy?.query ?? undefined });
  const decision = decideThresholdScaling({
    metric: rate.rate,
    upThreshold: input.upThreshold,
    downThreshold: input.downThreshold,
    currentReplicas: previous,
    minReplicas: Math.min(input.downReplicas, input.upReplicas),
    maxReplicas: Math.max(input.downReplicas, input.upReplicas),
    adjustment: { kind: "target", upReplicas: input.upReplicas, downReplicas: input.downReplicas },
    cooldownSeconds: 0,
    lastScaleAtMs: undefined,
    nowMs: now.getTime(),
  });
  const reason = rate.rate === undefined ? `${decision.reason} (${rate.missing})` : decision.reason;
  const cluster = service.clusters[0] ?? null;

  let operationId: string | null = null;
  let error: string | null = null;
  if (decision.action !== "none") {
    const change = { service: service.name, from: previous, to: decision.replicas };
    const operationInput: ScaleOperationInput = { cluster: cluster ?? "", mode: "threshold", decidedBy: `${ctx.actor.name} (smo scaler run)`, changes: [change] };
    const operation = await runOperation(ctx, { kind: "scale", graphName: graph.name, graphId: graph.id, project: graph.project, input: operationInput }, executeScaleOperation, { ifGraphBusy: "conflict" });
    operationId = operation.id;
    if (operation.status !== "succeeded") error = operation.error ?? `the scale operation ended ${operation.status}`;
    await recordEvent(ctx, {
      project: graph.project,
      graphName: graph.name,
      serviceName: service.name,
      clusterName: cluster ?? undefined,
      operationId,
      ...(error
        ? { kind: "scaling.scale-failed", severity: "error" as const, message: `scaling ${service.name} ${previous} → ${decision.replicas} in ${graph.name} failed: ${error}` }
        : { kind: "scaling.scaled", message: `scaled ${service.name} ${previous} → ${decision.replicas} replicas in ${graph.name} (threshold scaler of ${ctx.actor.name})` }),
    });
  }
  const replicas = error ? previous : decision.replicas;

  const [saved] = await ctx.db
    .insert(scalingDecisions)
    .values({
      graphId: graph.id,
      graphName: graph.name,
      cluster,
      at: now,
      decidedBy: ctx.config.instanceId,
      inputs: {
        mode: "threshold",
        source: "smo scaler run",
        actor: ctx.actor.name,
        services: { [service.name]: { requestRate: rate.rate ?? null, query: rate.query ?? null, previous, ...(rate.rate === undefined ? { missing: rate.missing } : {}) } },
        upThreshold: input.upThreshold,
        downThreshold: input.downThreshold,
        upReplicas: input.upReplicas,
        downReplicas: input.downReplicas,
      },
      result: { threshold: decision.action, reason, replicas: { [service.name]: replicas }, ...(operationId ? { operationId } : {}), ...(error ? { error } : {}) },
      action: rate.rate === undefined ? "no-metrics" : decision.action === "none" ? "unchanged" : "scaled",
      status: error ? "failed" : "succeeded",
    })
    .returning({ id: scalingDecisions.id });

  return {
    graphName: graph.name,
    serviceName: service.name,
    action: decision.action,
    previous,
    replicas,
    requestRate: rate.rate ?? null,
    query: rate.query ?? null,
    reason,
    operationId,
    error,
    decisionId: saved!.id,
  };
}
