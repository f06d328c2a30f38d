/**
 * The durable operation engine: every lifecycle action is an operation whose steps are persisted
 * before and after each external call, so a crash or a failed step can be resumed or retried.
 */
export type {
  DeferredStepHandler,
  DeferredStepHandlers,
  OperationContext,
  OperationExecutor,
  OperationExecutors,
  OperationHandle,
  OperationInput,
  OperationKind,
  OperationOptions,
  OperationRecord,
  OperationStatus,
  OperationWithSteps,
  StepLog,
  StepRecord,
  StepResult,
  StepSpec,
  StepStatus,
} from "./types";
export { OperationLeaseLostError, StepFailedError } from "./errors";
export { DEFAULT_LEASE_MS } from "./lease";
export { recoverOperations, retryOperation, runOperation, startOperation, startRetryOperation, type StartedOperation } from "./run";
export { reconcileDeferredSteps, skipDeferredSteps, startReconciler, type ReconcileResult, type ReconcilerOptions } from "./deferred";
export { getOperation, listOperations, type ListOperationsInput } from "./queries";
export { watchOperation, watchOperations, DEFAULT_WATCH_INTERVAL_MS, type WatchOptions } from "./watch";
