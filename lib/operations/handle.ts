/**
 * The handle an executor runs its steps through. Each step is written "running" before its
 * external call and "succeeded"/"failed"/"deferred" after it; a step that already succeeded in
 * this operation (an earlier attempt, or a process that died) returns its stored value instead.
 */
import { eq, sql } from "drizzle-orm";
import { operationSteps } from "../../db/schema";
import { recordEvent } from "../events";
import { describeStep, errorMessage, OperationLeaseLostError, StepFailedError } from "./errors";
import { renewLease } from "./lease";
import type { OperationContext, OperationHandle, OperationRecord, StepLog, StepRecord, StepResult, StepSpec } from "./types";

export type OperationRun = {
  handle: OperationHandle;
  /** Called by the heartbeat when another process took the operation over. */
  markLeaseLost: () => void;
  deferredCount: () => number;
};

export function createOperationRun(ctx: OperationContext, record: OperationRecord, existingSteps: StepRecord[], leaseMs: number): OperationRun {
  const stepsByKey = new Map(existingSteps.map((step) => [stepKey(step.action, step.target), step]));
  const running = new Set<string>();
  // Only the lease holder writes steps, so an in-memory counter seeded from the database allocates seq atomically.
  let nextSeq = existingSteps.reduce((max, step) => Math.max(max, step.seq), 0) + 1;
  let leaseLost = false;
  let deferred = 0;

  async function step<T = void>(spec: StepSpec, fn: (log: StepLog) => Promise<T>): Promise<StepResult<T>> {
    if (typeof spec.action !== "string" || spec.action.trim() === "") throw new TypeError(`a step needs a non-empty action (operation ${record.id})`);
    const key = stepKey(spec.action, spec.target);
    if (running.has(key)) throw new Error(`step ${describeStep({ action: spec.action, target: spec.target ?? null })} is already running in operation ${record.id}`);
    const existing = stepsByKey.get(key);
    if (existing?.status === "succeeded") return { status: "succeeded", value: existing.detail?.result as T, resumed: true };
    // A deferred step belongs to the reconciler now; running it again here would race with it.
    if (existing?.status === "deferred") return { status: "deferred", error: existing.error ?? "" };

    running.add(key);
    try {
      if (leaseLost || !(await renewLease(ctx, record.id, leaseMs))) {
        leaseLost = true;
        throw new OperationLeaseLostError(record.id);
      }
      const started = await writeStepRunning(spec, existing);
      stepsByKey.set(key, started);
      const lines: string[] = [];
      const log: StepLog = (line) => lines.push(line);
      let value: T;
      try {
        value = await fn(log);
      } catch (error) {
        const failed = await writeStepFailure(started, spec, error, lines);
        stepsByKey.set(key, failed);
        if (failed.status === "deferred") return { status: "deferred", error: failed.error ?? "" };
        throw new StepFailedError(failed, error);
      }
      const succeeded = await writeStepSuccess(started, spec, value, lines);
      stepsByKey.set(key, succeeded);
      return { status: "succeeded", value, resumed: false };
    } finally {
      running.delete(key);
    }
  }

  async function writeStepRunning(spec: StepSpec, existing: StepRecord | undefined): Promise<StepRecord> {
    const now = ctx.clock();
    if (existing) {
      const [row] = await ctx.db
        .update(operationSteps)
        .set({
          status: "running",
          attempts: sql`${operationSteps.attempts} + 1`,
          error: null,
          detail: spec.detail ?? existing.detail,
          nextAttemptAt: null,
          startedAt: now,
          finishedAt: null,
        })
        .where(eq(operationSteps.id, existing.id))
        .returning();
      return row!;
    }
    const seq = nextSeq++;
    const [row] = await ctx.db
      .insert(operationSteps)
      .values({ operationId: record.id, seq, action: spec.action, target: spec.target ?? null, status: "running", attempts: 1, detail: spec.detail ?? null, startedAt: now })
      .returning();
    return row!;
  }

  async function writeStepSuccess<T>(started: StepRecord, spec: StepSpec, value: T, lines: string[]): Promise<StepRecord> {
    const detail = value === undefined ? (started.detail ?? null) : { ...(started.detail ?? spec.detail ?? {}), result: value };
    const [row] = await ctx.db
      .update(operationSteps)
      .set({ status: "succeeded", error: null, detail, finishedAt: ctx.clock(), log: appendLog(lines) })
      .where(eq(operationSteps.id, started.id))
      .returning();
    return row!;
  }

  async function writeStepFailure(started: StepRecord, spec: StepSpec, error: unknown, lines: string[]): Promise<StepRecord> {
    const message = errorMessage(error);
    const now = ctx.clock();
    const stderr = (error as { stderr?: unknown } | null)?.stderr;
    if (typeof stderr === "string" && stderr.trim() !== "") lines.push(...stderr.trimEnd().split("\n"));
    lines.push(`error: ${message}`);
    if (!spec.deferrable) {
      const [row] = await ctx.db
        .update(operationSteps)
        .set({ status: "failed", error: message, finishedAt: now, log: appendLog(lines) })
        .where(eq(operationSteps.id, started.id))
        .returning();
      return row!;
    }
    const nextAttemptAt = new Date(now.getTime() + deferralBackoffMs(ctx, started.attempts));
    const [row] = await ctx.db
      .update(operationSteps)
      .set({ status: "deferred", error: message, nextAttemptAt, finishedAt: now, log: appendLog(lines) })
      .where(eq(operationSteps.id, started.id))
      .returning();
    deferred++;
    await recordEvent(ctx, {
      kind: "operation.step-deferred",
      severity: "warning",
      message: `${describeStep(row!)} deferred (will retry at ${nextAttemptAt.toISOString()}): ${message}`,
      graphName: record.graphName ?? undefined,
      project: record.project ?? undefined,
      operationId: record.id,
      detail: { seq: row!.seq, action: row!.action, target: row!.target, nextAttemptAt: nextAttemptAt.toISOString() },
    });
    return row!;
  }

  async function steps<T>(specs: { spec: StepSpec; run: (log: StepLog) => Promise<T> }[], concurrency: number): Promise<StepResult<T>[]> {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    const outcomes: ({ ok: true; result: StepResult<T> } | { ok: false; error: unknown })[] = new Array(specs.length);
    let next = 0;
    const worker = async () => {
      while (next < specs.length) {
        const index = next++;
        const { spec, run } = specs[index]!;
        try {
          outcomes[index] = { ok: true, result: await step(spec, run) };
        } catch (error) {
          outcomes[index] = { ok: false, error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
    const errors = outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.error);
    // Our own failures (database, lease) matter more than a step's: surface them first.
    const unexpected = errors.find((error) => !(error instanceof StepFailedError));
    if (unexpected !== undefined) throw unexpected;
    const stepFailures = errors as StepFailedError[];
    if (stepFailures.length > 0) {
      throw new StepFailedError(
        stepFailures[0]!.step,
        stepFailures[0]!.cause,
        stepFailures.map((failure) => failure.step),
      );
    }
    return outcomes.map((outcome) => (outcome as { ok: true; result: StepResult<T> }).result);
  }

  const handle: OperationHandle = { id: record.id, record, step, steps };
  return {
    handle,
    markLeaseLost: () => {
      leaseLost = true;
    },
    deferredCount: () => deferred,
  };
}

/** The wait before retrying a deferred step that has run `attempts` times: initial, doubling, capped. */
export function deferralBackoffMs(ctx: OperationContext, attempts: number): number {
  const { initialBackoffMs, maxBackoffMs } = ctx.config.reconciler;
  const doublings = Math.min(Math.max(attempts - 1, 0), 40);
  return Math.min(initialBackoffMs * 2 ** doublings, maxBackoffMs);
}

export function appendLog(lines: string[]) {
  if (lines.length === 0) return sql`${operationSteps.log}`;
  return sql`${operationSteps.log} || ${lines.map((line) => `${line}\n`).join("")}`;
}

function stepKey(action: string, target: string | null | undefined): string {
  return `${action}\u0000${target ?? ""}`;
}
