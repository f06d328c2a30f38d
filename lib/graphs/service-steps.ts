/**
 * The steps that act on one service, shared by deploy, start, stop, remove, the alert webhook and
 * reapply. Each step's function is idempotent and ends by writing the service's new status, so a
 * step repeated after a crash converges on the same rows and the same releases.
 */
import type { CoreContext } from "../context";
import { recordEvent } from "../events";
import type { Hdag } from "../hdag/types";
import type { OperationHandle, StepResult } from "../operations";
import { serviceValues, serviceImportClusters } from "./placing";
import { describeError, triggerOfService, updateService, type GraphRow, type ServiceRow } from "./records";
import { ensureReleaseInstalled, ensureReleaseRemoved, type EnsureInstalledOutcome } from "./releases";

/** The values a service's release gets now: its clusters and the clusters of the services that connect to it. */
export function currentValuesOf(hdag: Hdag, rows: ServiceRow[], service: ServiceRow): Record<string, unknown> {
  const placement = Object.fromEntries(rows.map((row) => [row.name, row.clusters]));
  const imports = serviceImportClusters(hdag, placement)[service.name] ?? [];
  return serviceValues(service, service.clusters, imports);
}

/** Step `helm-install <service>`: installs (or converges) the release, then marks the service Deployed; Failed with helm's message otherwise. */
export function installServiceStep(
  ctx: CoreContext,
  op: OperationHandle,
  graph: GraphRow,
  service: ServiceRow,
  values: Record<string, unknown>,
): Promise<StepResult<EnsureInstalledOutcome>> {
  return op.step({ action: "helm-install", target: service.name, detail: { release: service.name, namespace: graph.project, chart: service.artifactRef } }, (log) =>
    installService(ctx, op, graph, service, values, log),
  );
}

/** The step function of `helm-install`, for callers that batch steps with op.steps. */
export async function installService(
  ctx: CoreContext,
  op: OperationHandle,
  graph: GraphRow,
  service: ServiceRow,
  values: Record<string, unknown>,
  log: (line: string) => void,
): Promise<EnsureInstalledOutcome> {
  const where = { project: graph.project, graphName: graph.name, serviceName: service.name, operationId: op.id };
  try {
    const outcome = await ensureReleaseInstalled(ctx, { release: service.name, chart: service.artifactRef, namespace: graph.project, values }, log);
    await updateService(ctx.db, service.id, { status: "Deployed", appliedValues: values });
    await recordEvent(ctx, {
      kind: "service.installed",
      message: `${service.name} ${outcome.action} on ${service.clusters.join(", ") || "the clusters Karmada chooses"}`,
      detail: { action: outcome.action, revision: outcome.revision, clusters: service.clusters },
      ...where,
    });
    return outcome;
  } catch (error) {
    await updateService(ctx.db, service.id, { status: "Failed" });
    await recordEvent(ctx, { kind: "service.install-failed", severity: "error", message: `${service.name} could not be installed: ${describeError(error)}`, ...where });
    throw error;
  }
}

/** Step `helm-uninstall <service>`: uninstalls (absent counts as done) and marks the service Not deployed. */
export function uninstallServiceStep(ctx: CoreContext, op: OperationHandle, graph: GraphRow, service: ServiceRow): Promise<StepResult<string>> {
  return op.step({ action: "helm-uninstall", target: service.name, detail: { release: service.name, namespace: graph.project } }, async (log) => {
    const outcome = await ensureReleaseRemoved(ctx, { release: service.name, namespace: graph.project }, log);
    await updateService(ctx.db, service.id, { status: "Not deployed" });
    return outcome;
  });
}

export type AlertRuleStepDetail = { service: string; graph: string; project: string };

/** Step `alert-rule <service>` (deferrable): one Prometheus alert per event of an event-triggered service. */
export function addAlertRulesStep(ctx: CoreContext, op: OperationHandle, graph: GraphRow, service: ServiceRow): Promise<StepResult<number>> {
  const detail: AlertRuleStepDetail = { service: service.name, graph: graph.name, project: graph.project };
  return op.step({ action: "alert-rule", target: service.name, deferrable: true, detail }, (log) => addAlertRules(ctx, service, log));
}

export async function addAlertRules(ctx: Pick<CoreContext, "clients">, service: ServiceRow, log: (line: string) => void): Promise<number> {
  const trigger = triggerOfService(service);
  if (!trigger) return 0;
  let written = 0;
  for (const event of trigger.events) {
    const change = await ctx.clients.alertRules.addServiceAlert({ service: service.name, event });
    written += change.rules;
    log(`alert ${event.id} for ${service.name}: ${change.changed ? "written" : "already present"}${change.reload && !change.reload.ok ? ` (Prometheus reload failed: ${change.reload.error})` : ""}`);
  }
  return written;
}

/** Step `alert-rule-remove <service>` (deferrable). */
export function removeAlertRulesStep(ctx: CoreContext, op: OperationHandle, graph: GraphRow, service: ServiceRow): Promise<StepResult<number>> {
  const detail: AlertRuleStepDetail = { service: service.name, graph: graph.name, project: graph.project };
  return op.step({ action: "alert-rule-remove", target: service.name, deferrable: true, detail }, async (log) => {
    const change = await ctx.clients.alertRules.removeServiceAlerts(service.name);
    log(`${change.rules} alert rule(s) of ${service.name} removed`);
    return change.rules;
  });
}

/** Runs `task` over `items` with at most `limit` at once; every item is attempted; rejects with the first error after all settle. */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}
