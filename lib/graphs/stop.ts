/**
 * stopGraph (SPEC §3): uninstall every service's release, remove the alert rules; services
 * become Not deployed (Pending ones too: they return to Pending on start); graph Stopped.
 */
import type { CoreContext } from "../context";
import { PreconditionFailedError } from "../errors";
import { recordEvent } from "../events";
import { startOperation, type OperationHandle, type OperationRecord } from "../operations";
import { requireGraphOfOperation, runStepBatch, type BatchedStep } from "./operation-support";
import { getGraph, type GraphDetail } from "./queries";
import { findGraph, isEventTriggered, listGraphServices, requireGraph, setGraphStatus, transitionGraphStatus, updateService, type GraphRow, type GraphStatus } from "./records";
import { ensureReleaseRemoved } from "./releases";

export type GraphOperationResult = {
  /** The graph after the operation (as it is when the operation started when not waiting); undefined once removed. */
  graph: GraphDetail | undefined;
  operation: OperationRecord;
  /** Settles with the final operation (already settled when waiting). */
  done: Promise<OperationRecord>;
};

export type LifecycleInput = { graphName: string; wait?: boolean };

const STOPPABLE: GraphStatus[] = ["Running", "Failed", "Deploying"];

export async function stopGraph(ctx: CoreContext, input: LifecycleInput): Promise<GraphOperationResult> {
  const graph = await requireGraph(ctx.db, input.graphName);
  const moved = await transitionGraphStatus(ctx.db, graph.id, STOPPABLE, "Stopping");
  if (!moved) throw new PreconditionFailedError(`graph ${graph.name} is ${graph.status === "Stopped" ? "already stopped" : graph.status}; only a running (or failed) graph can be stopped`);
  return runGraphOperation(ctx, moved, "stop", executeStop, { wait: input.wait, previousStatus: graph.status });
}

/**
 * Starts the operation and (by default) waits for it. When the operation cannot begin (another
 * process runs one on this graph), the status the caller moved the graph to is put back.
 */
export async function runGraphOperation(
  ctx: CoreContext,
  graph: GraphRow,
  kind: "stop" | "start" | "remove" | "replace" | "reapply",
  executor: (ctx: CoreContext, op: OperationHandle) => Promise<void>,
  options: { wait?: boolean; previousStatus?: GraphStatus; input?: Record<string, unknown> } = {},
): Promise<GraphOperationResult> {
  const request = { kind, graphName: graph.name, graphId: graph.id, project: graph.project, input: options.input ?? {} };
  let started: Awaited<ReturnType<typeof startOperation>>;
  try {
    started = await startOperation(ctx, request, executor);
  } catch (error) {
    if (options.previousStatus && options.previousStatus !== graph.status) await setGraphStatus(ctx.db, graph.id, options.previousStatus);
    throw error;
  }
  if (options.wait === false) return { graph: await getGraph(ctx, graph.name), operation: started.operation, done: started.done };
  const operation = await started.done;
  return { graph: await findGraphDetail(ctx, graph.name), operation, done: started.done };
}

async function findGraphDetail(ctx: CoreContext, name: string): Promise<GraphDetail | undefined> {
  return (await findGraph(ctx.db, name)) ? getGraph(ctx, name) : undefined;
}

export async function executeStop(ctx: CoreContext, op: OperationHandle): Promise<void> {
  const graph = await requireGraphOfOperation(ctx, op);
  if (graph.status !== "Stopping") await setGraphStatus(ctx.db, graph.id, "Stopping");
  const failure = await tearDownServices(ctx, op, graph);
  if (failure !== undefined) {
    await setGraphStatus(ctx.db, graph.id, "Failed");
    throw failure;
  }
  await setGraphStatus(ctx.db, graph.id, "Stopped");
  await recordEvent(ctx, { kind: "graph.stopped", message: `${graph.name} stopped`, project: graph.project, graphName: graph.name, operationId: op.id });
}

/**
 * Uninstalls the release of every service that has one — those the database says are installed
 * and any other the namespace holds under a service's name (left by an interrupted install) —
 * and removes the alert rules. Returns the batch's error instead of throwing it.
 */
export async function tearDownServices(ctx: CoreContext, op: OperationHandle, graph: GraphRow): Promise<unknown> {
  const rows = await listGraphServices(ctx.db, graph.id);
  const present = new Set((await ctx.clients.helm.list({ namespace: graph.project })).map((release) => release.release));
  const batch: BatchedStep[] = [];
  for (const service of rows) {
    if (isEventTriggered(service)) {
      batch.push({
        spec: { action: "alert-rule-remove", target: service.name, deferrable: true, detail: { service: service.name, graph: graph.name, project: graph.project } },
        run: async (log) => {
          const change = await ctx.clients.alertRules.removeServiceAlerts(service.name);
          log(`${change.rules} alert rule(s) of ${service.name} removed`);
          return change.rules;
        },
      });
    }
    if (service.status === "Deployed" || service.status === "Failed" || present.has(service.name)) {
      batch.push({
        spec: { action: "helm-uninstall", target: service.name, detail: { release: service.name, namespace: graph.project } },
        run: async (log) => {
          const outcome = await ensureReleaseRemoved(ctx, { release: service.name, namespace: graph.project }, log);
          await updateService(ctx.db, service.id, { status: "Not deployed" });
          return outcome;
        },
      });
    } else if (service.status !== "Not deployed") {
      await updateService(ctx.db, service.id, { status: "Not deployed" });
    }
  }
  return runStepBatch(ctx, op, batch);
}
