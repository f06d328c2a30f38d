/**
 * The Alertmanager webhook receiver (SPEC §3, FIDELITY §5): a firing alert whose `service` label
 * names a Pending service of a Running graph deploys that service, once. Every alert is recorded
 * in alert_notifications keyed by (fingerprint, startsAt, status), so Alertmanager's repeats and
 * re-sent groups are recognised and change nothing.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import { z } from "zod";
import { alertNotifications, graphs, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { ValidationError } from "../errors";
import { recordEvent } from "../events";
import { executeDeploy, type DeployOperationInput } from "../graphs/deploy";
import { describeError, triggerOfService } from "../graphs/records";
import { startOperation, type OperationRecord, type StartedOperation } from "../operations";

const LabelsSchema = z.record(z.string(), z.string());
const TimestampSchema = z.iso.datetime({ offset: true, message: "must be an RFC 3339 time" });

/** Alertmanager's webhook payload, version 4. Unknown keys are ignored (v0.33 and v0.34 added some). */
const AlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: LabelsSchema,
  annotations: LabelsSchema.optional(),
  startsAt: TimestampSchema,
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1, "must not be empty"),
});

const PayloadSchema = z.object({
  version: z.literal("4", { message: 'must be "4" (Alertmanager webhook payload version 4)' }).optional(),
  receiver: z.string().optional(),
  status: z.enum(["firing", "resolved"]).optional(),
  alerts: z.array(AlertSchema),
  groupLabels: LabelsSchema.optional(),
  commonLabels: LabelsSchema.optional(),
  commonAnnotations: LabelsSchema.optional(),
  externalURL: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
});

export type AlertmanagerPayload = z.infer<typeof PayloadSchema>;
type Alert = z.infer<typeof AlertSchema>;

/**
 * - deployed / deploy-failed: the alert deployed the service (or tried to; the operation says why);
 * - already-deployed: the service is not Pending (deployed by an earlier alert);
 * - graph-not-running: the service's graph is stopped or busy;
 * - unknown-service: no event-triggered service of that name (logged, ignored);
 * - recorded: resolved, or not an SMO alert (no `service` label);
 * - duplicate: this notification was received before (Alertmanager repeat): nothing done.
 */
export type AlertOutcome = "deployed" | "deploy-failed" | "deploying" | "already-deployed" | "graph-not-running" | "unknown-service" | "recorded" | "duplicate";

export type AlertSummary = {
  fingerprint: string;
  status: Alert["status"];
  alertName: string;
  service?: string;
  graph?: string;
  outcome: AlertOutcome;
  operationId?: string;
  error?: string;
};

export type HandleAlertmanagerOptions = {
  /** Wait for the deployments the alerts start (default true); false answers as soon as they are recorded. */
  wait?: boolean;
};

export function parseAlertmanagerPayload(payload: unknown): AlertmanagerPayload {
  const parsed = PayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    throw new ValidationError(issues, `not an Alertmanager webhook payload: ${issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ")}`);
  }
  return parsed.data;
}

/**
 * Handles one webhook POST; returns what was done for each alert. Throws a ValidationError for a
 * payload that is not Alertmanager's, and the operation engine's ConflictError when an operation
 * runs on the graph (in this console or another): answer that with a 5xx, so that Alertmanager retries.
 */
export async function handleAlertmanagerNotification(ctx: CoreContext, payload: unknown, options: HandleAlertmanagerOptions = {}): Promise<AlertSummary[]> {
  const { alerts } = parseAlertmanagerPayload(payload);
  const summaries: AlertSummary[] = [];
  const deployedInThisPayload = new Set<string>();
  for (const alert of alerts) {
    summaries.push(await handleAlert(ctx, alert, deployedInThisPayload, options));
  }
  return summaries;
}

type Target = { outcome: AlertOutcome; graph?: { id: number; name: string; project: string }; service?: string };

async function handleAlert(ctx: CoreContext, alert: Alert, deployedInThisPayload: Set<string>, options: HandleAlertmanagerOptions): Promise<AlertSummary> {
  const alertName = alert.labels.alertname ?? "";
  const serviceName = alert.labels.service;
  const target = alert.status === "firing" && serviceName ? await findTarget(ctx, serviceName, alertName) : ({ outcome: "recorded" } satisfies Target);
  if (target.outcome === "deploying" && deployedInThisPayload.has(`${target.graph!.name}/${serviceName}`)) target.outcome = "already-deployed";
  const summary: AlertSummary = { fingerprint: alert.fingerprint, status: alert.status, alertName, service: serviceName, graph: target.graph?.name, outcome: target.outcome };

  const [inserted] = await ctx.db
    .insert(alertNotifications)
    .values({
      fingerprint: alert.fingerprint,
      startsAt: new Date(alert.startsAt),
      status: alert.status,
      alertName,
      serviceName: serviceName ?? null,
      graphName: target.graph?.name ?? null,
      outcome: target.outcome,
      labels: alert.labels,
      receivedAt: ctx.clock(),
    })
    .onConflictDoNothing()
    .returning({ id: alertNotifications.id });
  if (!inserted) return { ...summary, outcome: "duplicate" };

  const where = { graphName: target.graph?.name, project: target.graph?.project, serviceName };
  if (target.outcome === "unknown-service") {
    await recordEvent(ctx, { kind: "alert.unknown-service", severity: "warning", message: `alert ${alertName || alert.fingerprint} names unknown service "${serviceName}": ignored`, ...where });
    return summary;
  }
  if (target.outcome !== "deploying") {
    await recordEvent(ctx, {
      kind: alert.status === "resolved" ? "alert.resolved" : "alert.received",
      message: `alert ${alertName || alert.fingerprint} ${alert.status}${serviceName ? ` for ${serviceName}` : ""}: ${describeOutcome(target.outcome)}`,
      ...where,
      detail: { fingerprint: alert.fingerprint, startsAt: alert.startsAt },
    });
    return summary;
  }

  deployedInThisPayload.add(`${target.graph!.name}/${serviceName}`);
  await recordEvent(ctx, { kind: "alert.received", message: `alert ${alertName} fired for Pending service ${serviceName}: deploying it`, ...where, detail: { fingerprint: alert.fingerprint, startsAt: alert.startsAt } });
  const request = {
    kind: "deploy" as const,
    graphName: target.graph!.name,
    graphId: target.graph!.id,
    project: target.graph!.project,
    input: { service: serviceName!, trigger: { alert: alertName, fingerprint: alert.fingerprint, startsAt: alert.startsAt } } satisfies DeployOperationInput,
  };
  const settle = async (operation: OperationRecord): Promise<AlertSummary> => {
    const outcome: AlertOutcome = operation.status === "succeeded" ? "deployed" : "deploy-failed";
    await ctx.db.update(alertNotifications).set({ outcome }).where(eq(alertNotifications.id, inserted.id));
    return { ...summary, outcome, operationId: operation.id, ...(operation.error ? { error: operation.error } : {}) };
  };
  let started: StartedOperation;
  try {
    // Busy graph, here or in another console: refuse at once rather than hold Alertmanager's request.
    started = await startOperation(ctx, request, executeDeploy, { ifGraphBusy: "conflict" });
  } catch (error) {
    // No operation began (e.g. another console runs one on this graph): forget the notification so
    // that Alertmanager's retry of this request is acted on rather than taken for a repeat.
    await ctx.db.delete(alertNotifications).where(eq(alertNotifications.id, inserted.id));
    throw error;
  }
  if (options.wait === false) {
    started.done.then(settle).catch((error: unknown) => ctx.logger.error({ err: error, operation: started.operation.id }, "recording the outcome of an alert-triggered deploy failed"));
    return { ...summary, operationId: started.operation.id };
  }
  try {
    return await settle(await started.done);
  } catch (error) {
    // The operation is recorded as failed with this error; it can be retried like any other.
    await ctx.db.update(alertNotifications).set({ outcome: "deploy-failed" }).where(eq(alertNotifications.id, inserted.id));
    return { ...summary, outcome: "deploy-failed", operationId: started.operation.id, error: describeError(error) };
  }
}

/**
 * The event-triggered service an alert is for. Service names are unique among event-triggered
 * services (deployGraph refuses a second one), so the name decides; the alert name must be one
 * of the service's events.
 */
async function findTarget(ctx: CoreContext, serviceName: string, alertName: string): Promise<Target> {
  const candidates = await ctx.db
    .select({ service: services, graph: { id: graphs.id, name: graphs.name, project: graphs.project, status: graphs.status } })
    .from(services)
    .innerJoin(graphs, eq(services.graphId, graphs.id))
    .where(and(eq(services.name, serviceName), isNotNull(services.trigger)));
  const matching = candidates.filter(({ service }) => !alertName || (triggerOfService(service)?.events ?? []).some((event) => event.id === alertName));
  if (matching.length === 0) return { outcome: "unknown-service" };
  const { service, graph } = matching[0]!;
  const where = { graph: { id: graph.id, name: graph.name, project: graph.project }, service: service.name };
  if (graph.status !== "Running") return { outcome: "graph-not-running", ...where };
  if (service.status !== "Pending" && service.status !== "Failed") return { outcome: "already-deployed", ...where };
  return { outcome: "deploying", ...where };
}

function describeOutcome(outcome: AlertOutcome): string {
  switch (outcome) {
    case "already-deployed":
      return "the service is already deployed";
    case "graph-not-running":
      return "its graph is not running: ignored";
    case "recorded":
      return "recorded";
    default:
      return outcome;
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === "number" ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment)), "");
}
