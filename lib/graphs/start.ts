/**
 * startGraph (SPEC §3): re-add the alert rules (event-triggered services become Pending again),
 * install the services that are not deployed, graph Running.
 */
import type { CoreContext } from "../context";
import { PreconditionFailedError } from "../errors";
import { recordEvent } from "../events";
import type { OperationHandle } from "../operations";
import { requireGraphOfOperation, runStepBatch, type BatchedStep } from "./operation-support";
import { hdagOfGraph, isEventTriggered, listGraphServices, requireGraph, setGraphStatus, transitionGraphStatus, updateService } from "./records";
import { addAlertRules, currentValuesOf, installService } from "./service-steps";
import { runGraphOperation, type GraphOperationResult, type LifecycleInput } from "./stop";

export async function startGraph(ctx: CoreContext, input: LifecycleInput): Promise<GraphOperationResult> {
  const graph = await requireGraph(ctx.db, input.graphName);
  const moved = await transitionGraphStatus(ctx.db, graph.id, ["Stopped", "Failed"], "Deploying");
  if (!moved) throw new PreconditionFailedError(`graph ${graph.name} is ${graph.status === "Running" ? "already running" : graph.status}; only a stopped (or failed) graph can be started`);
  return runGraphOperation(ctx, moved, "start", executeStart, { wait: input.wait, previousStatus: graph.status });
}

export async function executeStart(ctx: CoreContext, op: OperationHandle): Promise<void> {
  const graph = await requireGraphOfOperation(ctx, op);
  if (graph.status !== "Deploying") await setGraphStatus(ctx.db, graph.id, "Deploying");
  const hdag = hdagOfGraph(graph);
  const rows = await listGraphServices(ctx.db, graph.id);
  const batch: BatchedStep[] = [];
  for (const service of rows) {
    if (isEventTriggered(service)) {
      if (service.status === "Deployed") continue;
      await updateService(ctx.db, service.id, { status: "Pending" });
      batch.push({
        spec: { action: "alert-rule", target: service.name, deferrable: true, detail: { service: service.name, graph: graph.name, project: graph.project } },
        run: (log) => addAlertRules(ctx, service, log),
      });
    } else if (service.status !== "Deployed") {
      const values = currentValuesOf(hdag, rows, service);
      batch.push({
        spec: { action: "helm-install", target: service.name, detail: { release: service.name, namespace: graph.project, chart: service.artifactRef } },
        run: (log) => installService(ctx, op, graph, service, values, log),
      });
    }
  }
  const failure = await runStepBatch(ctx, op, batch);
  if (failure !== undefined) {
    await setGraphStatus(ctx.db, graph.id, "Failed");
    throw failure;
  }
  await setGraphStatus(ctx.db, graph.id, "Running");
  await recordEvent(ctx, { kind: "graph.started", message: `${graph.name} started`, project: graph.project, graphName: graph.name, operationId: op.id });
}
