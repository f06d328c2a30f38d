/**
 * The reconciler of deferred steps: a Grafana dashboard or Prometheus rule that could not be
 * written when its operation ran is retried later, with a doubling backoff, through the handler
 * registered for its action — so Grafana or Prometheus being down never loses a deployment.
 */
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { operations, operationSteps } from "../../db/schema";
import type { CoreContext } from "../context";
import { recordEvent } from "../events";
import { describeStep, errorMessage } from "./errors";
import { appendLog, deferralBackoffMs } from "./handle";
import { recoverOperations } from "./run";
import type { DeferredStepHandlers, OperationContext, OperationExecutors, OperationOptions, StepRecord } from "./types";

export type ReconcileResult = { retried: number; succeeded: number; stillDeferred: number };

/** Deferred steps examined per pass; the rest wait for the next pass. */
const DEFAULT_BATCH_SIZE = 100;

/**
 * Retries deferred steps whose nextAttemptAt has passed through handlers[action]. Each step is
 * claimed by moving its nextAttemptAt to the following backoff first, so two instances never retry
 * the same step and a crash mid-retry only delays it. Success → "succeeded" + event.
 */
export async function reconcileDeferredSteps<C extends OperationContext = CoreContext>(
  ctx: C,
  handlers: DeferredStepHandlers<C>,
  options: { batchSize?: number } = {},
): Promise<ReconcileResult> {
  const now = ctx.clock();
  const due = await ctx.db
    .select({ step: operationSteps, graphName: operations.graphName, project: operations.project })
    .from(operationSteps)
    .innerJoin(operations, eq(operations.id, operationSteps.operationId))
    .where(and(eq(operationSteps.status, "deferred"), lte(operationSteps.nextAttemptAt, now)))
    .orderBy(asc(operationSteps.nextAttemptAt), asc(operationSteps.id))
    .limit(options.batchSize ?? DEFAULT_BATCH_SIZE);

  const result: ReconcileResult = { retried: 0, succeeded: 0, stillDeferred: 0 };
  for (const { step, graphName, project } of due) {
    const attempts = step.attempts + 1;
    const [claimed] = await ctx.db
      .update(operationSteps)
      .set({ attempts, startedAt: now, nextAttemptAt: new Date(now.getTime() + deferralBackoffMs(ctx, attempts)) })
      .where(and(eq(operationSteps.id, step.id), eq(operationSteps.status, "deferred"), eq(operationSteps.attempts, step.attempts)))
      .returning();
    if (!claimed) continue;
    result.retried++;
    try {
      const handler = handlers[claimed.action];
      if (!handler) throw new Error(`no handler is registered for deferred "${claimed.action}" steps`);
      await handler(ctx, claimed);
    } catch (error) {
      const message = errorMessage(error);
      await ctx.db
        .update(operationSteps)
        .set({ error: message, finishedAt: ctx.clock(), log: appendLog([`retry ${attempts - 1} failed: ${message}`]) })
        .where(eq(operationSteps.id, claimed.id));
      ctx.logger.warn({ operation: claimed.operationId, step: describeStep(claimed), attempts, next: claimed.nextAttemptAt }, `deferred step still failing: ${message}`);
      result.stillDeferred++;
      continue;
    }
    await ctx.db
      .update(operationSteps)
      .set({ status: "succeeded", error: null, nextAttemptAt: null, finishedAt: ctx.clock(), log: appendLog([`retry ${attempts - 1} succeeded`]) })
      .where(eq(operationSteps.id, claimed.id));
    await recordEvent(ctx, {
      kind: "operation.step-recovered",
      message: `deferred ${describeStep(claimed)} succeeded on retry ${attempts - 1}`,
      graphName: graphName ?? undefined,
      project: project ?? undefined,
      operationId: claimed.operationId,
      detail: { seq: claimed.seq, action: claimed.action, target: claimed.target, attempts },
    });
    result.succeeded++;
  }
  return result;
}

/**
 * Stops retrying deferred steps that no longer make sense (their graph was stopped or removed):
 * marks them "skipped". Returns the steps skipped.
 */
export async function skipDeferredSteps(
  ctx: OperationContext,
  input: { graphName: string; actions?: string[]; targets?: string[] },
): Promise<StepRecord[]> {
  const ofGraph = ctx.db.select({ id: operations.id }).from(operations).where(eq(operations.graphName, input.graphName));
  const filters = [eq(operationSteps.status, "deferred"), inArray(operationSteps.operationId, ofGraph)];
  if (input.actions) filters.push(input.actions.length ? inArray(operationSteps.action, input.actions) : sql`false`);
  if (input.targets) filters.push(input.targets.length ? inArray(operationSteps.target, input.targets) : sql`false`);
  return ctx.db
    .update(operationSteps)
    .set({ status: "skipped", nextAttemptAt: null, finishedAt: ctx.clock(), log: appendLog([`skipped: graph ${input.graphName} changed before the retry`]) })
    .where(and(...filters))
    .returning();
}

export type ReconcilerOptions<C extends OperationContext = CoreContext> = {
  /** Pause between passes (default 5 s). */
  intervalMs?: number;
  /** When given, each pass also resumes operations whose process died (another instance's expired leases). */
  executors?: OperationExecutors<C>;
  operationOptions?: OperationOptions;
};

/** A background loop calling reconcileDeferredSteps every `intervalMs` until stop() — for the server. */
export function startReconciler<C extends OperationContext = CoreContext>(
  ctx: C,
  handlers: DeferredStepHandlers<C>,
  options: ReconcilerOptions<C> = {},
): { stop: () => Promise<void> } {
  const intervalMs = options.intervalMs ?? 5_000;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`intervalMs must be a positive number of milliseconds, got ${intervalMs}`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  // Resuming an operation can take minutes: it runs beside the passes, one recovery at a time.
  let recovery: Promise<void> | undefined;

  const startRecovery = (executors: OperationExecutors<C>) => {
    if (recovery) return;
    recovery = recoverOperations(ctx, executors, options.operationOptions)
      .then((recovered) => {
        if (recovered.length > 0) ctx.logger.info({ operations: recovered.map((operation) => `${operation.id} ${operation.status}`) }, "recovered interrupted operations");
      })
      .catch((error: unknown) => ctx.logger.error({ err: error }, "recovering interrupted operations failed; next pass will try again"))
      .finally(() => (recovery = undefined));
  };
  const runPass = async () => {
    if (options.executors) startRecovery(options.executors);
    try {
      const result = await reconcileDeferredSteps(ctx, handlers);
      if (result.retried > 0) ctx.logger.info(result, "reconciled deferred steps");
    } catch (error) {
      ctx.logger.error({ err: error }, "reconciling deferred steps failed; next pass will try again");
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      pass = runPass().finally(() => {
        pass = undefined;
        schedule();
      });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await pass;
      await recovery;
    },
  };
}
