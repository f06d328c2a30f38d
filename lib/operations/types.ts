import type { operations, operationSteps } from "../../db/schema";
import type { CoreConfig, CoreContext } from "../context";

export type OperationKind = "deploy" | "start" | "stop" | "remove" | "replace" | "scale" | "sync" | "reapply";
export type OperationStatus = OperationRecord["status"];
export type StepStatus = StepRecord["status"];
export type OperationRecord = typeof operations.$inferSelect;
export type StepRecord = typeof operationSteps.$inferSelect;

/**
 * What the engine itself uses of a CoreContext. Every function accepts a full CoreContext; the
 * narrower type lets an executor receive exactly the context its caller passed in.
 */
export type OperationContext = Pick<CoreContext, "db" | "logger" | "clock" | "actor"> & {
  config: Pick<CoreConfig, "instanceId" | "reconciler">;
};

export type StepSpec = {
  /** e.g. "helm-install", "alert-rule", "grafana-dashboard", "placement", "karmada-scale". */
  action: string;
  /** The service, cluster or dashboard the step acts on; (action, target) identifies a step within an operation. */
  target?: string;
  /**
   * Deferrable steps (Grafana, Prometheus rules) never fail the operation: on failure they are marked
   * "deferred" and retried later by the reconciler through the handler registered for `action`, using `detail`.
   */
  deferrable?: boolean;
  /** Persisted; what a deferred retry needs (JSON). */
  detail?: Record<string, unknown>;
};

export type StepResult<T> = { status: "succeeded"; value: T; resumed: boolean } | { status: "deferred"; error: string };

export type StepLog = (line: string) => void;

export type OperationHandle = {
  readonly id: string;
  /** As of begin (or of the retry/resume that started this run). */
  readonly record: OperationRecord;
  /**
   * Runs fn as the step unless this (action, target) already succeeded in this operation — then returns the
   * stored value (resumed: true) without calling fn. A step deferred earlier is left to the reconciler and
   * returns its deferral. Writes the step "running" (attempts+1, startedAt) BEFORE calling fn, and "succeeded"
   * (value stored in detail.result, so it must be JSON) or "failed"/"deferred" (error = the upstream error's
   * own message; log lines appended) AFTER. A non-deferrable failure rethrows a StepFailedError(step, cause).
   */
  step<T = void>(spec: StepSpec, fn: (log: StepLog) => Promise<T>): Promise<StepResult<T>>;
  /**
   * Runs many steps with at most `concurrency` at once; all are attempted; if any non-deferrable step failed,
   * throws one StepFailedError naming the first failure (in the order of `specs`) after all settle.
   */
  steps<T>(specs: { spec: StepSpec; run: (log: StepLog) => Promise<T> }[], concurrency: number): Promise<StepResult<T>[]>;
};

export type OperationExecutor<C extends OperationContext = CoreContext> = (ctx: C, operation: OperationHandle) => Promise<void>;
export type OperationExecutors<C extends OperationContext = CoreContext> = Partial<Record<OperationKind, OperationExecutor<C>>>;

export type OperationInput = {
  kind: OperationKind;
  graphName?: string;
  graphId?: number;
  project?: string;
  input?: Record<string, unknown>;
};

export type OperationOptions = {
  /** How long this process's claim on a running operation lasts without renewal (default DEFAULT_LEASE_MS). */
  leaseMs?: number;
  /** How often the lease is renewed while the executor runs (default a third of the lease). */
  heartbeatMs?: number;
  /**
   * When another operation on the same graph runs in this process: "wait" for it (default), or
   * "conflict" — refuse at once with a ConflictError, as another process would (for APIs answering 202).
   */
  ifGraphBusy?: "wait" | "conflict";
};

export type DeferredStepHandler<C extends OperationContext = CoreContext> = (ctx: C, step: StepRecord) => Promise<void>;
export type DeferredStepHandlers<C extends OperationContext = CoreContext> = Record<string, DeferredStepHandler<C>>;

export type OperationWithSteps = OperationRecord & { steps: StepRecord[] };
