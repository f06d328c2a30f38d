/**
 * The server's background work, started once the runtime is complete: resuming operations whose
 * process died, the reconciler of deferred steps, the scaling loop (re-placing a graph whose
 * replicas no longer fit), and in sandbox mode a first cluster sync so the console has clusters.
 * Every worker logs what it does and what fails; none may take the process down.
 */
import { syncClusters } from "../../lib/clusters";
import { SYSTEM_ACTOR, withActor, type CoreContext } from "../../lib/context";
import { replaceGraph } from "../../lib/graphs";
import { recoverOperations, startReconciler } from "../../lib/operations";
import { createCoreContext, type ServerDeps } from "../deps";
import { deferredStepHandlers, operationExecutors } from "./executors";
import { SCALER_ACTOR, startScalingWorker } from "./scaler";

export { deferredStepHandlers, operationExecutors } from "./executors";

/** A graph whose replicas do not fit is re-placed at most this often (the scaler reports it every pass). */
export const REPLACE_DEBOUNCE_MS = 5 * 60_000;

export type WorkerOptions = {
  /** Pause between reconciler passes (default 5 s). */
  reconcileIntervalMs?: number;
  /** Pause between scaling passes (default 5 s). */
  scalingTickMs?: number;
  /** Sync the clusters at start (default: in sandbox mode). */
  initialSync?: boolean;
};

/** Starts every worker; the returned function stops them all (and waits for their current pass). */
export async function startWorkers(deps: ServerDeps, options: WorkerOptions = {}): Promise<() => Promise<void>> {
  const logger = deps.logger.child({ component: "workers" });
  const systemCtx = await createCoreContext({ ...deps, logger }, SYSTEM_ACTOR);
  const background: Promise<void>[] = [];
  const stops: (() => Promise<void>)[] = [];

  // (a) Operations left running by a process that stopped; each is resumed from its last finished step.
  background.push(
    recoverOperations(systemCtx, operationExecutors)
      .then((recovered) => {
        if (recovered.length > 0) logger.info({ worker: "recovery", operations: recovered.map((operation) => `${operation.id} ${operation.kind} ${operation.status}`) }, "interrupted operations recovered");
      })
      .catch((error: unknown) => logger.error({ worker: "recovery", err: error }, "recovering interrupted operations failed; the reconciler tries again")),
  );

  // (b) Deferred steps (Grafana, Prometheus rules) and other instances' expired operations.
  const reconciler = startReconciler({ ...systemCtx, logger: logger.child({ worker: "reconciler" }) }, deferredStepHandlers, {
    executors: operationExecutors,
    intervalMs: options.reconcileIntervalMs,
  });
  stops.push(reconciler.stop);

  // (c) The scaling loop; infeasible replicas lead to a re-placement, debounced per graph.
  const scalerLogger = logger.child({ worker: "scaler" });
  const replaceInfeasible = createDebouncedReplacer(withActor(systemCtx, SCALER_ACTOR), REPLACE_DEBOUNCE_MS, scalerLogger);
  try {
    const scaler = await startScalingWorker(systemCtx, { databaseUrl: deps.config.databaseUrl, tickMs: options.scalingTickMs, onInfeasible: replaceInfeasible });
    stops.push(scaler.stop);
  } catch (error) {
    // Without the scaler the console still deploys and shows graphs; the failure must be visible, not fatal.
    scalerLogger.error({ err: error }, "the scaling loop could not start; replicas will not be scaled until a restart");
  }

  // (d) In sandbox mode nothing else would bring the clusters in before an operator syncs.
  if (options.initialSync ?? deps.config.mode === "sandbox") {
    background.push(
      syncClusters(systemCtx)
        .then((result) => logger.info({ worker: "sync", clusters: result.clusters.length, added: result.added, operation: result.operation.id }, "initial cluster sync done"))
        .catch((error: unknown) => logger.error({ worker: "sync", err: error }, "initial cluster sync failed; sync the clusters from the console")),
    );
  }

  return async () => {
    const failures: unknown[] = [];
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => failures.push(error));
    await Promise.all(background);
    logger.info({ failures: failures.length }, "workers stopped");
    if (failures.length > 0) throw new AggregateError(failures, "stopping the workers failed");
  };
}

/**
 * onInfeasible of the scaling loop: re-places the graph (a fresh preview applied), at most once per
 * `intervalMs` per graph, without waiting for the operation. Errors are logged, never thrown: the
 * loop must keep scaling the other graphs.
 */
export function createDebouncedReplacer(ctx: CoreContext, intervalMs: number, logger = ctx.logger): (graphName: string, reason: string) => Promise<void> {
  const lastAttempt = new Map<string, number>();
  return async (graphName, reason) => {
    const now = ctx.clock().getTime();
    const previous = lastAttempt.get(graphName);
    if (previous !== undefined && now - previous < intervalMs) {
      logger.debug({ graph: graphName, reason, nextInSeconds: Math.ceil((previous + intervalMs - now) / 1000) }, "re-placement skipped: one was attempted recently");
      return;
    }
    lastAttempt.set(graphName, now);
    try {
      const { operation, preview } = await replaceGraph(ctx, { graphName, wait: false });
      logger.info({ graph: graphName, reason, operation: operation.id, moves: preview.moves.length }, "replicas do not fit: graph re-placement started");
    } catch (error) {
      logger.error({ graph: graphName, reason, err: error }, "replicas do not fit and re-placing the graph failed");
    }
  };
}
