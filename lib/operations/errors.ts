import type { StepRecord } from "./types";

/** A non-deferrable step failed; `step` is its persisted row (status "failed", error = the upstream message). */
export class StepFailedError extends Error {
  constructor(
    readonly step: StepRecord,
    cause: unknown,
    /** Every step that failed in the same batch (`steps()`), the first one being `step`. */
    readonly failedSteps: StepRecord[] = [step],
  ) {
    const others = failedSteps.length > 1 ? ` (and ${failedSteps.length - 1} more failed step${failedSteps.length > 2 ? "s" : ""})` : "";
    super(`step ${describeStep(step)} of operation ${step.operationId} failed: ${step.error ?? "unknown error"}${others}`, { cause });
    this.name = "StepFailedError";
  }
}

/** This process no longer holds the operation's lease (another process claimed it); it must stop writing. */
export class OperationLeaseLostError extends Error {
  constructor(readonly operationId: string) {
    super(`operation ${operationId} is no longer leased to this process (its lease expired and another process claimed it, or it finished)`);
    this.name = "OperationLeaseLostError";
  }
}

export function describeStep(step: Pick<StepRecord, "action" | "target">): string {
  return step.target ? `${step.action} ${step.target}` : step.action;
}

/** The message to store for a failure: the error's own message (UpstreamError: "helm: Error: …"). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
}

/** PostgreSQL unique violation (23505), from postgres.js or PGlite, possibly wrapped by drizzle. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const candidate = current as { code?: unknown; constraint?: unknown; constraint_name?: unknown; message?: unknown };
    if (candidate.code === "23505") {
      if (!constraint) return true;
      const name = candidate.constraint_name ?? candidate.constraint;
      return name === constraint || (typeof candidate.message === "string" && candidate.message.includes(constraint));
    }
  }
  return false;
}
