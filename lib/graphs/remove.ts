/**
 * removeGraph (SPEC §3): stop it if needed, delete its dashboards, delete the graph (services
 * and placements go with it). The operation keeps the graph's name for the history.
 */
import { eq } from "drizzle-orm";
import { graphs } from "../../db/schema";
import type { CoreContext } from "../context";
import { PreconditionFailedError } from "../errors";
import { recordEvent } from "../events";
import type { OperationHandle } from "../operations";
import { dashboardUidsOf } from "./dashboards";
import { findGraphOfOperation, runStepBatch, type BatchedStep } from "./operation-support";
import { listGraphServices, requireGraph, setGraphStatus, transitionGraphStatus } from "./records";
import { runGraphOperation, tearDownServices, type GraphOperationResult, type LifecycleInput } from "./stop";

export async function removeGraph(ctx: CoreContext, input: LifecycleInput): Promise<GraphOperationResult> {
  const graph = await requireGraph(ctx.db, input.graphName);
  const moved = await transitionGraphStatus(ctx.db, graph.id, ["Running", "Stopped", "Failed", "Deploying", "Stopping"], "Removing");
  if (!moved) throw new PreconditionFailedError(`graph ${graph.name} is already being removed`);
  return runGraphOperation(ctx, moved, "remove", executeRemove, { wait: input.wait, previousStatus: graph.status });
}

export async function executeRemove(ctx: CoreContext, op: OperationHandle): Promise<void> {
  const graph = await findGraphOfOperation(ctx, op);
  // Retried after the graph row was deleted: nothing is left to do.
  if (!graph) return;
  if (graph.status !== "Removing") await setGraphStatus(ctx.db, graph.id, "Removing");
  const failure = await tearDownServices(ctx, op, graph);
  if (failure !== undefined) {
    await setGraphStatus(ctx.db, graph.id, "Failed");
    throw failure;
  }
  if (ctx.clients.grafana) {
    const rows = await listGraphServices(ctx.db, graph.id);
    const batch: BatchedStep[] = dashboardUidsOf(graph, rows.map((service) => service.name)).map((uid) => ({
      spec: { action: "grafana-dashboard-delete", target: uid, deferrable: true, detail: { uid } },
      run: async () => {
        await ctx.clients.grafana!.deleteDashboard(uid);
        return uid;
      },
    }));
    await runStepBatch(ctx, op, batch);
  }
  await ctx.db.delete(graphs).where(eq(graphs.id, graph.id));
  await recordEvent(ctx, { kind: "graph.removed", message: `${graph.name} removed`, project: graph.project, graphName: graph.name, operationId: op.id });
}
