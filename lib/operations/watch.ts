/**
 * Following operations as they progress, for live views. Like the event tail, this reads the
 * database every `intervalMs`: operations are run by whichever process holds their lease, so only
 * the database sees every change. What counts as a change is what a person following the action
 * sees — status, attempt, error, start and end, and each step's status, attempts, error and log —
 * not the lease renewals a running operation writes every few seconds.
 */
import { asc, inArray, sql } from "drizzle-orm";
import { operationSteps } from "../../db/schema";
import { pause } from "../pause";
import { getOperation, listOperations, type ListOperationsInput } from "./queries";
import type { OperationContext, OperationRecord, OperationWithSteps, StepRecord } from "./types";

export type WatchOptions = {
  /** Ends the watch (the generator returns at its next pause). */
  signal: AbortSignal;
  /** Pause between reads (default 1 s). */
  intervalMs?: number;
};

export const DEFAULT_WATCH_INTERVAL_MS = 1_000;

/**
 * The newest `limit` operations (of a graph), as listOperations returns them: first each one's
 * current state, oldest first — so a client that listed them a moment ago misses nothing — then
 * every operation again each time it changes, including its steps' progress while it is active.
 */
export async function* watchOperations(
  ctx: Pick<OperationContext, "db">,
  input: Pick<ListOperationsInput, "graphName" | "project" | "kind" | "limit">,
  options: WatchOptions,
): AsyncGenerator<OperationRecord, void, undefined> {
  const seen = new Map<string, string>();
  while (!options.signal.aborted) {
    const rows = (await listOperations(ctx, input)).reverse();
    const active = rows.filter((row) => row.status === "pending" || row.status === "running").map((row) => row.id);
    const progress = await stepProgress(ctx, active);
    const current = new Set<string>();
    for (const row of rows) {
      current.add(row.id);
      const signature = `${operationSignature(row)}|${progress.get(row.id) ?? ""}`;
      if (seen.get(row.id) === signature) continue;
      seen.set(row.id, signature);
      yield row;
      if (options.signal.aborted) return;
    }
    for (const id of seen.keys()) if (!current.has(id)) seen.delete(id);
    if (!(await pause(options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS, options.signal))) return;
  }
}

/**
 * One operation with its steps: its current state first, then again at each change. Ends when
 * the signal does, or when the operation no longer exists.
 */
export async function* watchOperation(ctx: Pick<OperationContext, "db">, id: string, options: WatchOptions): AsyncGenerator<OperationWithSteps, void, undefined> {
  let last: string | undefined;
  while (!options.signal.aborted) {
    const operation = await getOperation(ctx, id);
    if (!operation) return;
    const signature = `${operationSignature(operation)}|${operation.steps.map((step) => stepSignature({ ...step, logLength: step.log.length })).join(";")}`;
    if (signature !== last) {
      last = signature;
      yield operation;
      if (options.signal.aborted) return;
    }
    if (!(await pause(options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS, options.signal))) return;
  }
}

function operationSignature(operation: OperationRecord): string {
  return JSON.stringify([operation.status, operation.attempt, operation.error, operation.startedAt?.getTime() ?? null, operation.finishedAt?.getTime() ?? null]);
}

type StepProgress = Pick<StepRecord, "seq" | "status" | "attempts" | "error" | "finishedAt" | "nextAttemptAt"> & { logLength: number };

function stepSignature(step: StepProgress): string {
  return JSON.stringify([step.seq, step.status, step.attempts, step.error, step.logLength, step.finishedAt?.getTime() ?? null, step.nextAttemptAt?.getTime() ?? null]);
}

/** Per active operation, a signature of its steps' progress. */
async function stepProgress(ctx: Pick<OperationContext, "db">, operationIds: string[]): Promise<Map<string, string>> {
  const progress = new Map<string, string>();
  if (operationIds.length === 0) return progress;
  const steps = await ctx.db
    .select({
      operationId: operationSteps.operationId,
      seq: operationSteps.seq,
      status: operationSteps.status,
      attempts: operationSteps.attempts,
      error: operationSteps.error,
      // The log only grows: its length says whether a line was added, without reading it.
      logLength: sql<number>`length(${operationSteps.log})`.mapWith(Number),
      finishedAt: operationSteps.finishedAt,
      nextAttemptAt: operationSteps.nextAttemptAt,
    })
    .from(operationSteps).where(inArray(operationSteps.operationId, operationIds)).orderBy(asc(operationSteps.operationId), asc(operationSteps.seq));
  for (const step of steps) progress.set(step.operationId, `${progress.get(step.operationId) ?? ""};${stepSignature(step)}`);
  return progress;
}
