/**
 * Scaling policies (SPEC §5): how each service is scaled, stored per service and edited by
 * operators. Scaling is opt-in: a service without a policy row is never scaled.
 *
 * Writes follow the Kubernetes create/update split: without `version` the call creates the
 * policy (ConflictError when one exists); with `version` it replaces that version
 * (ConflictError when someone saved a newer one). The scaling loop's own bookkeeping
 * (lastEvaluatedAt, lastScaledAt) never bumps the version, so it never conflicts with an edit.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { graphs, scalingPolicies, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { ConflictError, NotFoundError, ValidationError, type ValidationIssue } from "../errors";
import { recordEvent } from "../events";
import { parsePrometheusDuration } from "../prometheus/promql";
import { renderQueryTemplate } from "./queries";

export type ScalingPolicy = typeof scalingPolicies.$inferSelect & { graphName: string };

export const MAX_POLICY_REPLICAS = 100;
export const MIN_INTERVAL_SECONDS = 5;
export const MAX_INTERVAL_SECONDS = 3600;
export const MAX_QUERY_BYTES = 2048;
/** A day: longer cooldowns are almost certainly a unit mistake (ms for s). */
export const MAX_COOLDOWN_SECONDS = 86_400;

const finite = z.number().refine(Number.isFinite, { message: "must be a finite number" });
const replicas = z.number().int().min(1).max(MAX_POLICY_REPLICAS);

export const ScalingPolicyInput = z
  .object({
    graphName: z.string().min(1),
    serviceName: z.string().min(1),
    mode: z.enum(["milp", "threshold"]),
    enabled: z.boolean(),
    alpha: finite.refine((value) => value > 0, { message: "must be > 0 (requests per second one replica serves)" }),
    beta: finite,
    minReplicas: replicas,
    maxReplicas: replicas,
    intervalSeconds: z.number().int().min(MIN_INTERVAL_SECONDS).max(MAX_INTERVAL_SECONDS),
    /** The service's PromQL template (`{{service}}`, `{{window}}`); null or absent → the original default query. */
    query: z.string().nullish(),
    window: z.string().refine((text) => (parsePrometheusDuration(text) ?? 0) > 0, { message: "must be a positive Prometheus duration (examples: 30s, 5m, 1h30m)" }),
    upThreshold: finite.min(0).nullish(),
    downThreshold: finite.min(0).nullish(),
    cooldownSeconds: z.number().int().min(0).max(MAX_COOLDOWN_SECONDS),
    /** The version being replaced; absent to create the policy. */
    version: z.number().int().min(1).optional(),
  })
  .strict();
export type ScalingPolicyInput = z.input<typeof ScalingPolicyInput>;

/** The policies of a graph, by service name. NotFoundError when the graph does not exist. */
export async function getScalingPolicies(ctx: Pick<CoreContext, "db">, graphName: string): Promise<ScalingPolicy[]> {
  const graph = await findGraph(ctx, graphName);
  const rows = await ctx.db.select().from(scalingPolicies).where(eq(scalingPolicies.graphId, graph.id)).orderBy(asc(scalingPolicies.serviceName));
  return rows.map((row) => ({ ...row, graphName: graph.name }));
}

/**
 * Creates (no `version`) or replaces (`version` = the one read) a service's policy, after
 * validating every field; records an event with the actor. Changes nothing on any error.
 */
export async function upsertScalingPolicy(ctx: Pick<CoreContext, "db" | "actor" | "logger" | "clock">, input: ScalingPolicyInput): Promise<ScalingPolicy> {
  const policy = validatePolicyInput(input);
  const graph = await findGraph(ctx, policy.graphName);
  const [service] = await ctx.db
    .select({ name: services.name })
    .from(services)
    .where(and(eq(services.graphId, graph.id), eq(services.name, policy.serviceName)));
  if (!service) throw new NotFoundError("service", `${policy.graphName}/${policy.serviceName}`);

  const fields = {
    mode: policy.mode,
    enabled: policy.enabled,
    alpha: policy.alpha,
    beta: policy.beta,
    minReplicas: policy.minReplicas,
    maxReplicas: policy.maxReplicas,
    intervalSeconds: policy.intervalSeconds,
    query: policy.query ?? null,
    window: policy.window,
    upThreshold: policy.upThreshold ?? null,
    downThreshold: policy.downThreshold ?? null,
    cooldownSeconds: policy.cooldownSeconds,
    updatedAt: ctx.clock(),
  };
  const where = and(eq(scalingPolicies.graphId, graph.id), eq(scalingPolicies.serviceName, policy.serviceName));
  let row: typeof scalingPolicies.$inferSelect | undefined;
  if (policy.version === undefined) {
    [row] = await ctx.db
      .insert(scalingPolicies)
      .values({ graphId: graph.id, serviceName: policy.serviceName, ...fields, version: 1 })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const existing = await readVersion(ctx, where);
      throw new ConflictError(
        `service "${policy.graphName}/${policy.serviceName}" already has a scaling policy (version ${existing ?? "unknown"}); pass version ${existing ?? ""} to replace it`.trimEnd(),
      );
    }
  } else {
    [row] = await ctx.db
      .update(scalingPolicies)
      .set({ ...fields, version: sql`${scalingPolicies.version} + 1` })
      .where(and(where, eq(scalingPolicies.version, policy.version)))
      .returning();
    if (!row) {
      const existing = await readVersion(ctx, where);
      if (existing === undefined) throw new NotFoundError("scaling policy", `${policy.graphName}/${policy.serviceName}`);
      throw new ConflictError(
        `the scaling policy of "${policy.graphName}/${policy.serviceName}" is at version ${existing}, not ${policy.version}: someone saved it meanwhile; reload and retry`,
      );
    }
  }

  const created = policy.version === undefined;
  await recordEvent(ctx, {
    kind: created ? "scaling.policy-created" : "scaling.policy-updated",
    message: `${created ? "created" : "updated"} the ${row.enabled ? "enabled" : "disabled"} ${row.mode} scaling policy of ${policy.serviceName} (version ${row.version})`,
    project: graph.project,
    graphName: graph.name,
    serviceName: policy.serviceName,
    detail: { version: row.version, mode: row.mode, enabled: row.enabled, minReplicas: row.minReplicas, maxReplicas: row.maxReplicas },
  });
  return { ...row, graphName: graph.name };
}

/** Parses the input and checks the rules between fields; a ValidationError lists every problem with its path. */
export function validatePolicyInput(input: unknown): z.output<typeof ScalingPolicyInput> {
  const parsed = ScalingPolicyInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })));
  }
  const policy = parsed.data;
  const issues: ValidationIssue[] = [];
  if (policy.minReplicas > policy.maxReplicas) {
    issues.push({ path: "maxReplicas", message: `must be ≥ minReplicas (${policy.minReplicas}), got ${policy.maxReplicas}` });
  }
  const hasUp = policy.upThreshold !== undefined && policy.upThreshold !== null;
  const hasDown = policy.downThreshold !== undefined && policy.downThreshold !== null;
  if (policy.mode === "threshold") {
    if (!hasUp) issues.push({ path: "upThreshold", message: "is required in threshold mode" });
    if (!hasDown) issues.push({ path: "downThreshold", message: "is required in threshold mode" });
  }
  if (hasUp && hasDown && policy.downThreshold! >= policy.upThreshold!) {
    issues.push({ path: "downThreshold", message: `must be < upThreshold (${policy.upThreshold}), got ${policy.downThreshold}` });
  }
  if (policy.query !== undefined && policy.query !== null) {
    const bytes = Buffer.byteLength(policy.query, "utf8");
    if (bytes > MAX_QUERY_BYTES) {
      issues.push({ path: "query", message: `must be at most ${MAX_QUERY_BYTES} bytes, got ${bytes}` });
    } else {
      try {
        // Rendering proves the placeholders are well placed before the loop ever runs it.
        renderQueryTemplate(policy.query, { service: policy.serviceName, window: policy.window });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        issues.push(...error.issues.map((issue) => ({ path: "query", message: issue.message })));
      }
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return policy;
}

async function findGraph(ctx: Pick<CoreContext, "db">, graphName: string): Promise<{ id: number; name: string; project: string }> {
  const [graph] = await ctx.db.select({ id: graphs.id, name: graphs.name, project: graphs.project }).from(graphs).where(eq(graphs.name, graphName));
  if (!graph) throw new NotFoundError("graph", graphName);
  return graph;
}

async function readVersion(ctx: Pick<CoreContext, "db">, where: ReturnType<typeof and>): Promise<number | undefined> {
  const [existing] = await ctx.db.select({ version: scalingPolicies.version }).from(scalingPolicies).where(where);
  return existing?.version;
}
