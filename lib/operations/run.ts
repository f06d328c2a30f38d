/**
 * Running operations: begin (insert, leased to this process), execute through a handle, finish
 * (succeeded/failed), and the two ways an unfinished operation runs again — retry of a failed one,
 * and recovery of one whose process died (expired lease).
 */
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { operations, operationSteps } from "../../db/schema";
import { operationKindEnum } from "../../db/schema/enums";
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from "../errors";
import { recordEvent, type NewEvent } from "../events";
import type { CoreContext } from "../context";
import { describeStep, errorMessage, isUniqueViolation, OperationLeaseLostError, StepFailedError } from "./errors";
import { acquireGraphLock, type ReleaseGraphLock } from "./graph-lock";
import { createOperationRun } from "./handle";
import { createOperationId } from "./ids";
import { leaseDurationMs, leaseExpiry, startHeartbeat } from "./lease";
import type { OperationContext, OperationExecutor, OperationExecutors, OperationInput, OperationOptions, OperationRecord, StepRecord } from "./types";

const ACTIVE_GRAPH_GUARD = "operations_one_active_per_graph";

export type StartedOperation = { operation: OperationRecord; done: Promise<OperationRecord> };

/**
 * Inserts the operation (running, leased to this process), runs the executor, marks it succeeded or
 * failed and returns the final record. A StepFailedError from the executor yields the failed record;
 * any other error is recorded on the operation and rethrown.
 */
export async function runOperation<C extends OperationContext = CoreContext>(
  ctx: C,
  input: OperationInput,
  executor: OperationExecutor<C>,
  options?: OperationOptions,
): Promise<OperationRecord> {
  return (await beginOperation(ctx, input, executor, options)).done;
}

/** Like runOperation, but returns once the operation row exists and runs it in the background (APIs answering 202). */
export async function startOperation<C extends OperationContext = CoreContext>(
  ctx: C,
  input: OperationInput,
  executor: OperationExecutor<C>,
  options?: OperationOptions,
): Promise<StartedOperation> {
  return observeInBackground(ctx, await beginOperation(ctx, input, executor, options));
}

async function beginOperation<C extends OperationContext>(
  ctx: C,
  input: OperationInput,
  executor: OperationExecutor<C>,
  options: OperationOptions | undefined,
): Promise<StartedOperation> {
  validateOperationInput(input);
  const leaseMs = leaseDurationMs(options);
  const release = await lockGraph(ctx, input.graphName, options);
  let operation: OperationRecord;
  try {
    const now = ctx.clock();
    const [row] = await ctx.db
      .insert(operations)
      .values({
        id: createOperationId(now),
        kind: input.kind,
        status: "running",
        graphId: input.graphId ?? null,
        graphName: input.graphName ?? null,
        project: input.project ?? null,
        actor: ctx.actor.name,
        tokenId: ctx.actor.kind === "token" ? ctx.actor.tokenId : null,
        input: input.input ?? {},
        attempt: 1,
        leaseOwner: ctx.config.instanceId,
        leaseExpiresAt: leaseExpiry(ctx, leaseMs),
        createdAt: now,
        startedAt: now,
      })
      .returning()
      .catch(async (error: unknown) => {
        throw await conflictOrSelf(ctx, error, input.graphName);
      });
    operation = row!;
  } catch (error) {
    release();
    throw error;
  }
  const started: NewEvent = { kind: "operation.started", message: `${describeOperation(operation)} started` };
  return { operation, done: executeAndRelease(ctx, operation, executor, options, started, release) };
}

/**
 * Runs a failed operation again from its failed step (steps that succeeded are skipped): status back
 * to running, attempt+1, the failed steps' errors cleared (their logs keep them).
 */
export async function retryOperation<C extends OperationContext = CoreContext>(
  ctx: C,
  operationId: string,
  executors: OperationExecutors<C>,
  options?: OperationOptions,
): Promise<OperationRecord> {
  return (await beginRetryOperation(ctx, operationId, executors, options)).done;
}

/** Like retryOperation, but returns once the operation is running again (APIs answering 202). */
export async function startRetryOperation<C extends OperationContext = CoreContext>(
  ctx: C,
  operationId: string,
  executors: OperationExecutors<C>,
  options?: OperationOptions,
): Promise<StartedOperation> {
  return observeInBackground(ctx, await beginRetryOperation(ctx, operationId, executors, options));
}

async function beginRetryOperation<C extends OperationContext>(
  ctx: C,
  operationId: string,
  executors: OperationExecutors<C>,
  options: OperationOptions | undefined,
): Promise<StartedOperation> {
  const leaseMs = leaseDurationMs(options);
  const [current] = await ctx.db.select().from(operations).where(eq(operations.id, operationId));
  if (!current) throw new NotFoundError("operation", operationId);
  if (current.status !== "failed") throw new PreconditionFailedError(`operation ${operationId} is ${current.status}; only a failed operation can be retried`);
  const executor = executors[current.kind];
  if (!executor) throw new PreconditionFailedError(`operation ${operationId} cannot be retried: no executor for ${current.kind} operations`);

  const release = await lockGraph(ctx, current.graphName, options);
  let operation: OperationRecord;
  try {
    const [row] = await ctx.db
      .update(operations)
      .set({
        status: "running",
        attempt: sql`${operations.attempt} + 1`,
        error: null,
        finishedAt: null,
        startedAt: ctx.clock(),
        leaseOwner: ctx.config.instanceId,
        leaseExpiresAt: leaseExpiry(ctx, leaseMs),
      })
      .where(and(eq(operations.id, operationId), eq(operations.status, "failed")))
      .returning()
      .catch(async (error: unknown) => {
        throw await conflictOrSelf(ctx, error, current.graphName);
      });
    if (!row) throw new PreconditionFailedError(`operation ${operationId} is no longer failed (another retry started it)`);
    operation = row;
    await ctx.db
      .update(operationSteps)
      .set({ status: "pending", error: null })
      .where(and(eq(operationSteps.operationId, operationId), inArray(operationSteps.status, ["failed", "running"])));
  } catch (error) {
    release();
    throw error;
  }
  const retried: NewEvent = { kind: "operation.retried", message: `${describeOperation(operation)} retried (attempt ${operation.attempt})` };
  return { operation, done: executeAndRelease(ctx, operation, executors[operation.kind]!, options, retried, release) };
}

/**
 * Claims operations still "running"/"pending" whose lease expired (their process died) and resumes
 * them with executors[kind] — steps that succeeded are not run again, a step left "running" is run
 * again — or fails them with a clear error. Never throws for one operation's failure.
 */
export async function recoverOperations<C extends OperationContext = CoreContext>(
  ctx: C,
  executors: OperationExecutors<C>,
  options?: OperationOptions,
): Promise<OperationRecord[]> {
  const leaseMs = leaseDurationMs(options);
  const now = ctx.clock();
  const claimed = await ctx.db
    .update(operations)
    .set({
      status: "running",
      attempt: sql`${operations.attempt} + 1`,
      leaseOwner: ctx.config.instanceId,
      leaseExpiresAt: new Date(now.getTime() + leaseMs),
    })
    .where(and(inArray(operations.status, ["pending", "running"]), or(isNull(operations.leaseExpiresAt), lt(operations.leaseExpiresAt, now))))
    .returning();
  claimed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return Promise.all(claimed.map((operation) => resumeClaimedOperation(ctx, operation, executors, options)));
}

async function resumeClaimedOperation<C extends OperationContext>(
  ctx: C,
  operation: OperationRecord,
  executors: OperationExecutors<C>,
  options: OperationOptions | undefined,
): Promise<OperationRecord> {
  const executor = executors[operation.kind];
  if (!executor) {
    const error = `interrupted by a restart; no executor for ${operation.kind} operations to resume it`;
    await ctx.db
      .update(operationSteps)
      .set({ status: "failed", error: "interrupted by a restart", finishedAt: ctx.clock() })
      .where(and(eq(operationSteps.operationId, operation.id), eq(operationSteps.status, "running")));
    const failed = await finishOperation(ctx, operation, { status: "failed", error });
    await recordEvent(ctx, operationEvent(failed, { kind: "operation.failed", severity: "error", message: `${describeOperation(failed)} failed: ${error}` }));
    return failed;
  }
  const release = await acquireGraphLock(ctx, operation.graphName);
  const resumed: NewEvent = {
    kind: "operation.resumed",
    severity: "warning",
    message: `${describeOperation(operation)} resumed by ${ctx.config.instanceId} after its process stopped (attempt ${operation.attempt})`,
  };
  try {
    return await executeAndRelease(ctx, operation, executor, options, resumed, release);
  } catch (error) {
    ctx.logger.error({ operation: operation.id, err: error }, "resuming an interrupted operation failed");
    const [row] = await ctx.db.select().from(operations).where(eq(operations.id, operation.id));
    return row ?? operation;
  }
}

type Outcome = { status: "succeeded" } | { status: "failed"; error: string; step?: StepRecord };

/** Executes a claimed operation to its end, then releases the graph lock. */
function executeAndRelease<C extends OperationContext>(
  ctx: C,
  operation: OperationRecord,
  executor: OperationExecutor<C>,
  options: OperationOptions | undefined,
  startEvent: NewEvent,
  release: ReleaseGraphLock,
): Promise<OperationRecord> {
  return executeOperation(ctx, operation, executor, options, startEvent).finally(release);
}

/** Callers of start* may never await `done`: an unexpected error is logged here (it is already on the operation), never an unhandled rejection. */
function observeInBackground(ctx: OperationContext, started: StartedOperation): StartedOperation {
  started.done.catch((error: unknown) => ctx.logger.error({ operation: started.operation.id, err: error }, `operation ${started.operation.id} ended with an unexpected error`));
  return started;
}

async function executeOperation<C extends OperationContext>(
  ctx: C,
  operation: OperationRecord,
  executor: OperationExecutor<C>,
  options: OperationOptions | undefined,
  startEvent: NewEvent,
): Promise<OperationRecord> {
  const leaseMs = leaseDurationMs(options);
  let outcome: Outcome;
  let unexpected: { error: unknown } | undefined;
  let deferred = 0;
  try {
    await recordEvent(ctx, operationEvent(operation, startEvent));
    const existingSteps = await ctx.db.select().from(operationSteps).where(eq(operationSteps.operationId, operation.id)).orderBy(asc(operationSteps.seq));
    const run = createOperationRun(ctx, operation, existingSteps, leaseMs);
    const heartbeat = startHeartbeat(ctx, operation.id, leaseMs, options, run.markLeaseLost);
    try {
      await executor(ctx, run.handle);
      outcome = { status: "succeeded" };
    } finally {
      await heartbeat.stop();
      deferred = run.deferredCount();
    }
  } catch (error) {
    if (error instanceof StepFailedError) {
      outcome = { status: "failed", error: error.step.error ?? error.message, step: error.step };
    } else {
      outcome = { status: "failed", error: errorMessage(error) };
      unexpected = { error };
    }
  }
  if (unexpected?.error instanceof OperationLeaseLostError) throw unexpected.error;
  const finished = await finishOperation(ctx, operation, outcome);
  if (outcome.status === "succeeded") {
    const note = deferred > 0 ? ` (${deferred} step${deferred > 1 ? "s" : ""} deferred, retried in the background)` : "";
    await recordEvent(ctx, operationEvent(finished, { kind: "operation.succeeded", message: `${describeOperation(finished)} succeeded${note}` }));
  } else {
    const where = outcome.step ? ` at step ${describeStep(outcome.step)}` : "";
    await recordEvent(
      ctx,
      operationEvent(finished, {
        kind: "operation.failed",
        severity: "error",
        message: `${describeOperation(finished)} failed${where}: ${outcome.error}`,
        detail: outcome.step ? { step: { seq: outcome.step.seq, action: outcome.step.action, target: outcome.step.target } } : undefined,
      }),
    );
  }
  if (unexpected) throw unexpected.error;
  return finished;
}

/** Writes the final status, only while this process still holds the lease. */
async function finishOperation(ctx: OperationContext, operation: OperationRecord, outcome: Outcome): Promise<OperationRecord> {
  const [row] = await ctx.db
    .update(operations)
    .set({ status: outcome.status, error: outcome.status === "failed" ? outcome.error : null, finishedAt: ctx.clock(), leaseExpiresAt: null })
    .where(and(eq(operations.id, operation.id), eq(operations.leaseOwner, ctx.config.instanceId), eq(operations.status, "running")))
    .returning();
  if (!row) throw new OperationLeaseLostError(operation.id);
  return row;
}

async function lockGraph(ctx: OperationContext, graphName: string | null | undefined, options: OperationOptions | undefined): Promise<ReleaseGraphLock> {
  if (options?.ifGraphBusy !== "conflict") return acquireGraphLock(ctx, graphName);
  const release = await acquireGraphLock(ctx, graphName, { wait: false });
  if (release) return release;
  throw await activeOperationConflict(ctx, graphName!, undefined);
}

async function activeOperationConflict(ctx: OperationContext, graphName: string, cause: unknown): Promise<ConflictError> {
  const [active] = await ctx.db
    .select({ id: operations.id, kind: operations.kind })
    .from(operations)
    .where(and(eq(operations.graphName, graphName), inArray(operations.status, ["pending", "running"])))
    .limit(1);
  return new ConflictError(
    active ? `an operation (${active.kind} ${active.id}) is already running on graph ${graphName}` : `another operation is already running on graph ${graphName}`,
    { cause },
  );
}

async function conflictOrSelf(ctx: OperationContext, error: unknown, graphName: string | null | undefined): Promise<unknown> {
  if (!graphName || !isUniqueViolation(error, ACTIVE_GRAPH_GUARD)) return error;
  return activeOperationConflict(ctx, graphName, error);
}

function validateOperationInput(input: OperationInput): void {
  const kinds: readonly string[] = operationKindEnum.enumValues;
  const issues = [];
  if (!kinds.includes(input.kind)) issues.push({ path: "kind", message: `must be one of ${kinds.join(", ")}, got ${JSON.stringify(input.kind)}` });
  if (input.graphName !== undefined && (typeof input.graphName !== "string" || input.graphName === "")) issues.push({ path: "graphName", message: "must be a non-empty string" });
  if (input.graphId !== undefined && !Number.isSafeInteger(input.graphId)) issues.push({ path: "graphId", message: "must be an integer" });
  if (issues.length > 0) throw new ValidationError(issues);
}

function describeOperation(operation: Pick<OperationRecord, "kind" | "graphName" | "id">): string {
  return operation.graphName ? `${operation.kind} of graph ${operation.graphName} (${operation.id})` : `${operation.kind} (${operation.id})`;
}

function operationEvent(operation: OperationRecord, event: NewEvent): NewEvent {
  return {
    ...event,
    graphName: operation.graphName ?? undefined,
    project: operation.project ?? undefined,
    operationId: operation.id,
    detail: { kind: operation.kind, attempt: operation.attempt, ...event.detail },
  };
}
