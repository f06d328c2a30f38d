/**
 * What the server and the recovery loop need to run graph operations again: an executor per
 * operation kind (retry, resume after a crash) and a handler per deferrable step action (the
 * reconciler publishing what Grafana or Prometheus could not take at the time).
 */
import { and, eq, isNotNull } from "drizzle-orm";
import { graphs, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { executeReapply } from "../drift/reapply";
import { retryOperation, type DeferredStepHandlers, type OperationExecutors, type OperationRecord, type StepRecord } from "../operations";
import { publishDashboard, type DashboardStepDetail } from "./dashboards";
import { executeDeploy } from "./deploy";
import { findGraph, findService } from "./records";
import { executeRemove } from "./remove";
import { executeReplace } from "./replace";
import { addAlertRules, type AlertRuleStepDetail } from "./service-steps";
import { executeStart } from "./start";
import { executeStop } from "./stop";

export const graphOperationExecutors: OperationExecutors = {
  deploy: executeDeploy,
  start: executeStart,
  stop: executeStop,
  remove: executeRemove,
  replace: executeReplace,
  reapply: executeReapply,
};

/** Runs a failed graph operation again from its failed step. */
export function retryGraphOperation(ctx: CoreContext, operationId: string): Promise<OperationRecord> {
  return retryOperation(ctx, operationId, graphOperationExecutors);
}

function detailOf<T>(step: StepRecord): T {
  return (step.detail ?? {}) as T;
}

/**
 * Each handler re-checks the graph first: a deferred step may come due after the graph was
 * stopped or removed, and must then not bring back what the stop or removal took away.
 */
export const graphDeferredStepHandlers: DeferredStepHandlers = {
  "grafana-dashboard": async (ctx, step) => {
    const detail = detailOf<DashboardStepDetail>(step);
    const graph = await findGraph(ctx.db, detail.graph);
    if (!graph || graph.project !== detail.project || graph.status === "Removing") return;
    const service = detail.dashboard === "service" ? await findService(ctx.db, graph.id, detail.service) : undefined;
    if (detail.dashboard === "service" && !service) return;
    await publishDashboard(ctx, detail, { graphId: graph.id, service });
  },
  "grafana-dashboard-delete": async (ctx, step) => {
    const { uid } = detailOf<{ uid: string }>(step);
    if (ctx.clients.grafana && uid) await ctx.clients.grafana.deleteDashboard(uid);
  },
  "alert-rule": async (ctx, step) => {
    const detail = detailOf<AlertRuleStepDetail>(step);
    const graph = await findGraph(ctx.db, detail.graph);
    if (!graph || (graph.status !== "Running" && graph.status !== "Deploying")) return;
    const service = await findService(ctx.db, graph.id, detail.service);
    if (!service || service.status !== "Pending") return;
    await addAlertRules(ctx, service, (line) => ctx.logger.info({ step: step.id }, line));
  },
  "alert-rule-remove": async (ctx, step) => {
    const detail = detailOf<AlertRuleStepDetail>(step);
    // Rules are keyed by service name: keep them when an active graph (this one restarted, or another) owns that name now.
    const owners = await ctx.db
      .select({ status: graphs.status })
      .from(services)
      .innerJoin(graphs, eq(services.graphId, graphs.id))
      .where(and(eq(services.name, detail.service), isNotNull(services.trigger)));
    if (owners.some((owner) => owner.status === "Running" || owner.status === "Deploying")) return;
    await ctx.clients.alertRules.removeServiceAlerts(detail.service);
  },
};
