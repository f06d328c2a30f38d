/**
 * reapplyGraph: brings what runs back to what the database records — missing releases installed
 * again with their recorded values, changed ones upgraded to them, replicas scaled back, orphan
 * releases uninstalled — as a durable `reapply` operation.
 */
import type { CoreContext } from "../context";
import { recordEvent } from "../events";
import { requireGraphOfOperation, runStepBatch, type BatchedStep } from "../graphs/operation-support";
import { hdagOfGraph, listGraphServices, requireGraph, updateService, type ServiceRow } from "../graphs/records";
import { ensureReleaseInstalled, ensureReleaseRemoved, upgradeRelease } from "../graphs/releases";
import { currentValuesOf } from "../graphs/service-steps";
import { runGraphOperation, type GraphOperationResult } from "../graphs/stop";
import type { OperationHandle } from "../operations";
import { PreconditionFailedError } from "../errors";
import { findGraphDrift } from "./detect";

export async function reapplyGraph(ctx: CoreContext, input: { graphName: string; wait?: boolean }): Promise<GraphOperationResult> {
  const graph = await requireGraph(ctx.db, input.graphName);
  if (graph.status !== "Running" && graph.status !== "Stopped" && graph.status !== "Failed") {
    throw new PreconditionFailedError(`graph ${graph.name} is ${graph.status}; wait for its operation to end before re-applying it`);
  }
  return runGraphOperation(ctx, graph, "reapply", executeReapply, { wait: input.wait });
}

export async function executeReapply(ctx: CoreContext, op: OperationHandle): Promise<void> {
  const graph = await requireGraphOfOperation(ctx, op);
  const rows = await listGraphServices(ctx.db, graph.id);
  const hdag = hdagOfGraph(graph);
  const items = await findGraphDrift(ctx, graph);
  const batch: BatchedStep[] = [];
  for (const item of items) {
    const service = rows.find((row) => row.name === item.service)!;
    const release = { release: service.name, namespace: graph.project };
    const values = service.appliedValues ?? currentValuesOf(hdag, rows, service);
    switch (item.kind) {
      case "release-missing":
      case "release-failed":
      case "deployment-missing":
        batch.push({
          spec: { action: "helm-install", target: service.name, detail: { ...release, drift: item.kind } },
          run: async (log) => {
            const outcome = await ensureReleaseInstalled(ctx, { ...release, chart: service.artifactRef, values }, log);
            await updateService(ctx.db, service.id, { status: "Deployed", appliedValues: values });
            return outcome;
          },
        });
        break;
      case "clusters-differ":
        batch.push({
          spec: { action: "helm-upgrade", target: service.name, detail: { ...release, drift: item.kind } },
          run: (log) => upgradeRelease(ctx, { ...release, chart: service.artifactRef, values, reuseValues: false }, log),
        });
        break;
      case "replicas-changed":
        // Scaled after the releases below: an upgrade re-renders the Deployment with the chart's replicas.
        break;
      case "orphan-release":
        batch.push({
          spec: { action: "helm-uninstall", target: service.name, detail: { ...release, drift: item.kind } },
          run: (log) => ensureReleaseRemoved(ctx, release, log),
        });
        break;
    }
  }
  const failure = await runStepBatch(ctx, op, batch);
  if (failure !== undefined) throw failure;
  const scaled = await runStepBatch(ctx, op, await replicaSteps(ctx, graph.project, await listGraphServices(ctx.db, graph.id)));
  if (scaled !== undefined) throw scaled;
  await recordEvent(ctx, {
    kind: "graph.reapplied",
    message: items.length ? `${graph.name} re-applied: ${items.map((item) => `${item.service} (${item.kind})`).join(", ")}` : `${graph.name} matches the database: nothing to re-apply`,
    project: graph.project,
    graphName: graph.name,
    operationId: op.id,
    detail: { items: items.map((item) => ({ kind: item.kind, service: item.service })) },
  });
}

/** Steps scaling each installed service whose Deployment runs another number of replicas than recorded. */
export async function replicaSteps(ctx: CoreContext, namespace: string, rows: ServiceRow[]): Promise<BatchedStep[]> {
  const steps: BatchedStep[] = [];
  for (const service of rows) {
    if (service.status !== "Deployed") continue;
    const deployment = await ctx.clients.karmada.getDeployment(namespace, service.name);
    if (!deployment || deployment.replicas === service.replicas) continue;
    steps.push({
      spec: { action: "karmada-scale", target: service.name, detail: { namespace, release: service.name, from: deployment.replicas, replicas: service.replicas } },
      run: async (log) => {
        const stored = await ctx.clients.karmada.scaleDeployment(namespace, service.name, service.replicas);
        log(`Deployment ${namespace}/${service.name} scaled from ${deployment.replicas} back to ${stored} replica(s)`);
        return stored;
      },
    });
  }
  return steps;
}
