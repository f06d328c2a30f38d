/**
 * One pass of the scaling loop (SPEC §5). For every enabled policy whose interval has elapsed:
 * read the request rate from Prometheus and the running replicas from Karmada, decide (the
 * original SMO's replica MILP per graph and cluster, or the threshold scaler per service),
 * scale through a durable `scale` operation, and record the decision — always, whatever
 * happened, so the console can chart every evaluation.
 *
 * Choices:
 * - A service belongs to its first cluster (`services.clusters[0]`). A service placed on several
 *   clusters is solved with that cluster's CPU: Karmada's replica count is federation-wide, and
 *   checking it against the first cluster is what the original did with its single cluster.
 * - The capacity of a cluster for a group is its available CPU (DB `clusters` row, from the last
 *   sync) plus the CPU the group's own services use now (cpu × running replicas), since the
 *   solve may move that CPU between them.
 * - A service without a usable rate (empty answer, NaN, negative, Prometheus down) keeps its
 *   replicas; the rest of its group is still solved with its CPU left where it is. When no
 *   service of the group has a rate the decision is "no-metrics".
 * - minReplicas is the MILP's lower bound: the rate given to the model is raised to
 *   alpha·min + beta, whose smallest serving replica count is exactly min (≥ 1: never zero).
 * - Threshold mode is the original CLI's target form: above upThreshold scale to maxReplicas,
 *   below downThreshold to minReplicas, with the cooldown counted from lastScaledAt.
 */
import { and, eq, inArray } from "drizzle-orm";
import { clusters, graphs, scalingDecisions, scalingPolicies, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { ValidationError } from "../errors";
import { recordEvent, type NewEvent } from "../events";
import { runOperation, type OperationHandle } from "../operations";
import type { QueryResult } from "../prometheus";
import { buildRequestRateQuery } from "./queries";
import { solveReplicas, type ReplicaProblem } from "./replicas";
import { decideThresholdScaling } from "./threshold";

export type ScalingDecisionAction = "scaled" | "unchanged" | "no-metrics" | "infeasible" | "error";
/** Whether the action was carried out: "failed" when the scale operation or the evaluation failed. */
export type ScalingDecisionStatus = "succeeded" | "failed";
export type ScalingDecisionRecord = typeof scalingDecisions.$inferSelect;

export type ScalingPassOptions = {
  /** The pass's time (interval and cooldown checks); default ctx.clock(). */
  now?: Date;
  /** Called after an infeasible MILP decision was recorded; the server wires it to the re-placement verb. */
  onInfeasible?: (graphName: string, reason: string) => Promise<void>;
  /** Asked before each group is acted on; false stops the pass (this process lost leadership). */
  confirmLeadership?: () => Promise<boolean>;
};

export type ScalingPassResult = {
  /** Policies that were due and evaluated. */
  evaluated: number;
  decisions: ScalingDecisionRecord[];
  /** True when confirmLeadership said no and the remaining groups were left for the new leader. */
  stoppedEarly: boolean;
};

/** What a `scale` operation changes; stored as its input so a retry or a recovery can run it again. */
export type ScaleChange = { service: string; from: number; to: number };
export type ScaleOperationInput = { cluster: string; mode: "milp" | "threshold"; decidedBy: string; changes: ScaleChange[] };

type PolicyRow = typeof scalingPolicies.$inferSelect;
type DuePolicy = {
  policy: PolicyRow;
  graph: { id: number; name: string; project: string };
  service: { name: string; clusters: string[]; cpu: number; gpu: boolean };
};
type Group = { mode: "milp" | "threshold"; graph: DuePolicy["graph"]; cluster: string | undefined; members: DuePolicy[] };
type Decision = {
  action: ScalingDecisionAction;
  status: ScalingDecisionStatus;
  inputs: Record<string, unknown>;
  result: Record<string, unknown>;
  /** Policies whose service was scaled: their cooldown restarts. */
  scaledPolicyIds: number[];
};
export type RateReading = { query: string; rate: number } | { query: string | undefined; rate: undefined; missing: string };
type MemberReading = { member: DuePolicy; previous: number; rate: RateReading };

/** Runs one pass over every due policy; one group's failure never stops the others. */
export async function runScalingPass(ctx: CoreContext, options: ScalingPassOptions = {}): Promise<ScalingPassResult> {
  const now = options.now ?? ctx.clock();
  const due = await listDuePolicies(ctx, now);
  const decisions: ScalingDecisionRecord[] = [];
  let evaluated = 0;
  for (const group of groupPolicies(due)) {
    if (options.confirmLeadership && !(await options.confirmLeadership())) {
      ctx.logger.warn({ remainingGroups: true }, "scaling pass stopped: this process is no longer the scaling leader");
      return { evaluated, decisions, stoppedEarly: true };
    }
    let decision: Decision;
    try {
      decision = group.mode === "milp" ? await decideMilpGroup(ctx, group, now) : await decideThresholdGroup(ctx, group, now);
    } catch (error) {
      decision = errorDecision(group, error);
      await recordEvent(ctx, {
        ...groupEventScope(group),
        kind: "scaling.error",
        severity: "error",
        message: `scaling ${describeGroup(group)} failed: ${describeError(error)}`,
      }).catch((eventError: unknown) => ctx.logger.error({ err: eventError }, "recording a scaling error event failed"));
    }
    decisions.push(await saveDecision(ctx, group, decision, now));
    evaluated += group.members.length;
    if (decision.action === "infeasible" && options.onInfeasible) {
      const reason = String(decision.result.reason ?? "the replica model is infeasible");
      try {
        await options.onInfeasible(group.graph.name, reason);
      } catch (error) {
        await recordEvent(ctx, {
          ...groupEventScope(group),
          kind: "scaling.replace-failed",
          severity: "error",
          message: `re-placing ${group.graph.name} after an infeasible scaling decision failed: ${describeError(error)}`,
        });
      }
    }
  }
  return { evaluated, decisions, stoppedEarly: false };
}

/**
 * The executor of `scale` operations: one `karmada-scale` step per change (scale subresource,
 * then `services.replicas`). It reads the changes from the operation's input, so the server can
 * register it to retry or resume an interrupted scale.
 */
export async function executeScaleOperation(ctx: CoreContext, operation: OperationHandle): Promise<void> {
  const { record } = operation;
  const input = parseScaleInput(record.input);
  const project = record.project;
  if (!project || record.graphId === null) throw new ValidationError([{ path: "operation", message: `scale operation ${record.id} has no project or graph` }]);
  await operation.steps(
    input.changes.map((change) => ({
      spec: { action: "karmada-scale", target: change.service, detail: { from: change.from, to: change.to } },
      run: async (log: (line: string) => void) => {
        const stored = await ctx.clients.karmada.scaleDeployment(project, change.service, change.to);
        await ctx.db
          .update(services)
          .set({ replicas: stored, updatedAt: ctx.clock() })
          .where(and(eq(services.graphId, record.graphId!), eq(services.name, change.service)));
        log(`scaled deployment ${project}/${change.service} from ${change.from} to ${stored} replicas`);
        return stored;
      },
    })),
    ctx.config.deploy.serviceConcurrency,
  );
}

async function listDuePolicies(ctx: CoreContext, now: Date): Promise<DuePolicy[]> {
  const rows = await ctx.db
    .select({
      policy: scalingPolicies,
      graph: { id: graphs.id, name: graphs.name, project: graphs.project },
      service: { name: services.name, clusters: services.clusters, cpu: services.cpu, gpu: services.gpu },
    })
    .from(scalingPolicies)
    .innerJoin(graphs, eq(graphs.id, scalingPolicies.graphId))
    .innerJoin(services, and(eq(services.graphId, scalingPolicies.graphId), eq(services.name, scalingPolicies.serviceName)))
    // Only running services have a Deployment to scale; a stopped graph or a Pending service waits.
    .where(and(eq(scalingPolicies.enabled, true), eq(graphs.status, "Running"), eq(services.status, "Deployed")));
  return rows.filter(({ policy }) => !policy.lastEvaluatedAt || now.getTime() - policy.lastEvaluatedAt.getTime() >= policy.intervalSeconds * 1000);
}

/** MILP policies per graph and cluster (they share the cluster's CPU); threshold policies one by one. */
function groupPolicies(due: DuePolicy[]): Group[] {
  const groups = new Map<string, Group>();
  for (const entry of due) {
    const cluster = entry.service.clusters[0];
    const mode = entry.policy.mode;
    const key = mode === "milp" ? `${entry.graph.id}\u0000${cluster ?? ""}\u0000milp` : `${entry.graph.id}\u0000${entry.service.name}\u0000threshold`;
    const group = groups.get(key);
    if (group) group.members.push(entry);
    else groups.set(key, { mode, graph: entry.graph, cluster, members: [entry] });
  }
  return [...groups.values()].sort(
    (a, b) => a.graph.name.localeCompare(b.graph.name) || (a.cluster ?? "").localeCompare(b.cluster ?? "") || a.members[0]!.service.name.localeCompare(b.members[0]!.service.name),
  );
}

async function decideMilpGroup(ctx: CoreContext, group: Group, now: Date): Promise<Decision> {
  const cluster = requireCluster(group);
  const readings = await readMembers(ctx, group);
  const [clusterRow] = await ctx.db.select().from(clusters).where(eq(clusters.name, cluster));
  if (!clusterRow) throw new Error(`cluster ${cluster} is not in the database; run a cluster sync`);

  const measured = readings.filter((reading) => reading.rate.rate !== undefined);
  const groupCpu = measured.reduce((total, { member, previous }) => total + member.service.cpu * previous, 0);
  const capacity = { availableCpu: clusterRow.availableCpu, usedByGroup: groupCpu, cpu: clusterRow.availableCpu + groupCpu, gpu: clusterRow.gpus > 0 };
  const inputs = { mode: "milp", cluster, capacity, services: describeInputs(readings) };
  await warnMissing(ctx, group, readings);
  if (measured.length === 0) return { action: "no-metrics", status: "succeeded", inputs, result: { replicas: previousReplicas(readings) }, scaledPolicyIds: [] };

  const problem: ReplicaProblem = {
    cluster: { cpu: capacity.cpu, gpu: capacity.gpu },
    services: measured.map(({ member, previous, rate }) => ({
      id: member.service.name,
      cpu: member.service.cpu,
      alpha: member.policy.alpha,
      beta: member.policy.beta,
      requestRate: modelRate(member.policy, rate.rate!),
      previous,
      maxReplicas: member.policy.maxReplicas,
      gpu: member.service.gpu,
    })),
  };
  const solution = await solveReplicas(problem);
  if (solution.status === "infeasible") {
    const reason = solution.reason ?? "the replica model is infeasible";
    await recordEvent(ctx, { ...groupEventScope(group), kind: "scaling.infeasible", severity: "warning", message: `no replica counts serve ${describeGroup(group)}: ${reason}` });
    return { action: "infeasible", status: "succeeded", inputs, result: { solver: "infeasible", reason, solveMs: solution.solveMs, replicas: previousReplicas(readings) }, scaledPolicyIds: [] };
  }
  const changes = measured
    .map(({ member, previous }) => ({ service: member.service.name, from: previous, to: solution.replicas[member.service.name]! }))
    .filter((change) => change.to !== change.from);
  const result = { solver: "optimal", objective: solution.objective, solveMs: solution.solveMs, replicas: { ...previousReplicas(readings), ...solution.replicas }, changes };
  return applyChanges(ctx, group, readings, changes, inputs, result, now);
}

async function decideThresholdGroup(ctx: CoreContext, group: Group, now: Date): Promise<Decision> {
  const cluster = requireCluster(group);
  const readings = await readMembers(ctx, group);
  const { member, previous, rate } = readings[0]!;
  const { policy } = member;
  const inputs = { mode: "threshold", cluster, services: describeInputs(readings), upThreshold: policy.upThreshold, downThreshold: policy.downThreshold, cooldownSeconds: policy.cooldownSeconds, lastScaledAt: policy.lastScaledAt };
  if (rate.rate === undefined) {
    await warnMissing(ctx, group, readings);
    return { action: "no-metrics", status: "succeeded", inputs, result: { replicas: previousReplicas(readings) }, scaledPolicyIds: [] };
  }
  if (policy.upThreshold === null || policy.downThreshold === null) {
    throw new ValidationError([{ path: "policy", message: `the threshold policy of ${member.service.name} has no up/down thresholds` }]);
  }
  const threshold = decideThresholdScaling({
    metric: rate.rate,
    upThreshold: policy.upThreshold,
    downThreshold: policy.downThreshold,
    currentReplicas: previous,
    minReplicas: policy.minReplicas,
    maxReplicas: policy.maxReplicas,
    adjustment: { kind: "target", upReplicas: policy.maxReplicas, downReplicas: policy.minReplicas },
    cooldownSeconds: policy.cooldownSeconds,
    lastScaleAtMs: policy.lastScaledAt?.getTime(),
    nowMs: now.getTime(),
  });
  const changes = threshold.replicas === previous ? [] : [{ service: member.service.name, from: previous, to: threshold.replicas }];
  const result = { threshold: threshold.action, reason: threshold.reason, replicas: { [member.service.name]: threshold.replicas }, changes };
  return applyChanges(ctx, group, readings, changes, inputs, result, now);
}

/** Runs the scale operation for the changes (none → "unchanged") and says how it went. */
async function applyChanges(
  ctx: CoreContext,
  group: Group,
  readings: MemberReading[],
  changes: ScaleChange[],
  inputs: Record<string, unknown>,
  result: Record<string, unknown>,
  now: Date,
): Promise<Decision> {
  if (changes.length === 0) return { action: "unchanged", status: "succeeded", inputs, result, scaledPolicyIds: [] };
  const operationInput: ScaleOperationInput = { cluster: group.cluster!, mode: group.mode, decidedBy: ctx.config.instanceId, changes };
  const summary = changes.map((change) => `${change.service} ${change.from} → ${change.to}`).join(", ");
  let error: string | undefined;
  let operationId: string | undefined;
  try {
    const operation = await runOperation(
      ctx,
      { kind: "scale", graphName: group.graph.name, graphId: group.graph.id, project: group.graph.project, input: operationInput },
      executeScaleOperation,
    );
    operationId = operation.id;
    if (operation.status !== "succeeded") error = operation.error ?? `the scale operation ended ${operation.status}`;
  } catch (caught) {
    // Another operation on the graph (ConflictError) or the database: the next interval tries again.
    error = describeError(caught);
  }
  const scaledIds = readings.filter(({ member }) => changes.some((change) => change.service === member.service.name)).map(({ member }) => member.policy.id);
  if (error !== undefined) {
    await recordEvent(ctx, { ...groupEventScope(group), operationId, kind: "scaling.scale-failed", severity: "error", message: `scaling ${summary} in ${group.graph.name} failed: ${error}` });
    return { action: "scaled", status: "failed", inputs, result: { ...result, operationId, error }, scaledPolicyIds: [] };
  }
  await recordEvent(ctx, {
    ...groupEventScope(group),
    operationId,
    kind: "scaling.scaled",
    message: `scaled ${summary} replicas in ${group.graph.name} on ${group.cluster} (${group.mode})`,
    detail: { changes, at: now.toISOString() },
  });
  return { action: "scaled", status: "succeeded", inputs, result: { ...result, operationId }, scaledPolicyIds: scaledIds };
}

/** Running replicas from Karmada and request rates from Prometheus for every member of a group. */
async function readMembers(ctx: CoreContext, group: Group): Promise<MemberReading[]> {
  return Promise.all(
    group.members.map(async (member) => {
      const deployment = await ctx.clients.karmada.getDeployment(group.graph.project, member.service.name);
      if (!deployment) throw new Error(`deployment ${group.graph.project}/${member.service.name} does not exist on Karmada`);
      return { member, previous: deployment.replicas, rate: await readRequestRate(ctx, member) };
    }),
  );
}

function readRequestRate(ctx: CoreContext, member: DuePolicy): Promise<RateReading> {
  return readServiceRequestRate(ctx, member.service.name, { window: member.policy.window, template: member.policy.query ?? undefined });
}

/** A service's request rate, or why there is none. Never throws: a missing rate means "keep the replicas". */
export async function readServiceRequestRate(ctx: Pick<CoreContext, "clients">, serviceName: string, options: { window: string; template?: string }): Promise<RateReading> {
  let query: string;
  try {
    query = buildRequestRateQuery(serviceName, options);
  } catch (error) {
    return { query: undefined, rate: undefined, missing: `the policy's query cannot be built: ${describeError(error)}` };
  }
  let answer: QueryResult;
  try {
    answer = await ctx.clients.prometheus.query(query);
  } catch (error) {
    return { query, rate: undefined, missing: describeError(error) };
  }
  const values = answer.resultType === "vector" ? answer.result.map((series) => series.sample.value) : answer.resultType === "scalar" ? [answer.result.value] : undefined;
  if (values === undefined) return { query, rate: undefined, missing: `the query answered a ${answer.resultType}, not a vector or a scalar` };
  if (values.length === 0) return { query, rate: undefined, missing: "the query returned no series" };
  if (values.some((value) => !Number.isFinite(value))) return { query, rate: undefined, missing: `the query returned ${values.find((value) => !Number.isFinite(value))}` };
  const rate = values.reduce((total, value) => total + value, 0);
  if (rate < 0) return { query, rate: undefined, missing: `the query returned a negative rate (${rate})` };
  return { query, rate };
}

/** The rate given to the MILP: raised so that the fewest serving replicas is at least minReplicas. */
function modelRate(policy: PolicyRow, rate: number): number {
  return Math.max(rate, policy.alpha * policy.minReplicas + policy.beta);
}

async function warnMissing(ctx: CoreContext, group: Group, readings: MemberReading[]): Promise<void> {
  for (const { member, previous, rate } of readings) {
    if (rate.rate !== undefined) continue;
    await recordEvent(ctx, {
      ...groupEventScope(group),
      serviceName: member.service.name,
      kind: "scaling.no-metrics",
      severity: "warning",
      message: `no request rate for ${member.service.name} (${rate.missing}); keeping ${previous} replicas`,
      detail: { query: rate.query },
    });
  }
}

function describeInputs(readings: MemberReading[]): Record<string, unknown> {
  return Object.fromEntries(
    readings.map(({ member, previous, rate }) => [
      member.service.name,
      {
        requestRate: rate.rate ?? null,
        ...(rate.rate === undefined ? { missing: rate.missing } : { modelRate: modelRate(member.policy, rate.rate) }),
        query: rate.query ?? null,
        previous,
        cpu: member.service.cpu,
        gpu: member.service.gpu,
        clusters: member.service.clusters,
        alpha: member.policy.alpha,
        beta: member.policy.beta,
        minReplicas: member.policy.minReplicas,
        maxReplicas: member.policy.maxReplicas,
        policyVersion: member.policy.version,
      },
    ]),
  );
}

function previousReplicas(readings: MemberReading[]): Record<string, number> {
  return Object.fromEntries(readings.map(({ member, previous }) => [member.service.name, previous]));
}

function errorDecision(group: Group, error: unknown): Decision {
  return {
    action: "error",
    status: "failed",
    inputs: { mode: group.mode, cluster: group.cluster ?? null, services: Object.fromEntries(group.members.map((member) => [member.service.name, { policyVersion: member.policy.version }])) },
    result: { error: describeError(error) },
    scaledPolicyIds: [],
  };
}

/** Records the decision and moves the group's policies to their next interval (and cooldown), together. */
async function saveDecision(ctx: CoreContext, group: Group, decision: Decision, now: Date): Promise<ScalingDecisionRecord> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(scalingDecisions)
      .values({
        graphId: group.graph.id,
        graphName: group.graph.name,
        cluster: group.cluster ?? null,
        at: now,
        decidedBy: ctx.config.instanceId,
        inputs: decision.inputs,
        result: decision.result,
        action: decision.action,
        status: decision.status,
      })
      .returning();
    const policyIds = group.members.map((member) => member.policy.id);
    await tx.update(scalingPolicies).set({ lastEvaluatedAt: now }).where(inArray(scalingPolicies.id, policyIds));
    if (decision.scaledPolicyIds.length > 0) await tx.update(scalingPolicies).set({ lastScaledAt: now }).where(inArray(scalingPolicies.id, decision.scaledPolicyIds));
    return row!;
  });
}

function requireCluster(group: Group): string {
  if (group.cluster === undefined) {
    throw new Error(`${group.members.map((member) => member.service.name).join(", ")} ${group.members.length > 1 ? "have" : "has"} no cluster in the placement`);
  }
  return group.cluster;
}

function groupEventScope(group: Group): Pick<NewEvent, "project" | "graphName" | "clusterName" | "serviceName"> {
  return {
    project: group.graph.project,
    graphName: group.graph.name,
    clusterName: group.cluster,
    serviceName: group.members.length === 1 ? group.members[0]!.service.name : undefined,
  };
}

function describeGroup(group: Group): string {
  const names = group.members.map((member) => member.service.name).join(", ");
  return `${names} of ${group.graph.name}${group.cluster ? ` on ${group.cluster}` : ""}`;
}

function parseScaleInput(input: Record<string, unknown>): ScaleOperationInput {
  const changes = input.changes;
  const valid =
    typeof input.cluster === "string" &&
    (input.mode === "milp" || input.mode === "threshold") &&
    Array.isArray(changes) &&
    changes.every(
      (change: unknown) =>
        typeof change === "object" &&
        change !== null &&
        typeof (change as ScaleChange).service === "string" &&
        Number.isSafeInteger((change as ScaleChange).to) &&
        (change as ScaleChange).to >= 1,
    );
  if (!valid) throw new ValidationError([{ path: "operation.input", message: "a scale operation needs {cluster, mode, changes: [{service, from, to ≥ 1}]}" }]);
  return input as ScaleOperationInput;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
