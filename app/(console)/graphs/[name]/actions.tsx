"use client";
/**
 * The graph's lifecycle actions, each confirmed first. Only what the graph's status allows is
 * offered, nothing while an operation runs, and nothing at all to viewers (the API refuses them
 * anyway). Each action answers as soon as its operation is recorded; the page follows it.
 */
import { useMutation } from "@tanstack/react-query";
import { ConfirmButton } from "@/app/_components/confirm";
import { useTRPC } from "@/app/trpc";
import type { OperationRecord } from "@/lib/operations";

type Started = { operation: Pick<OperationRecord, "id"> };

export type GraphActionsProps = {
  name: string;
  status: string;
  services: number;
  busy: boolean;
  replacing: boolean;
  onStarted: (operation: Pick<OperationRecord, "id">) => void;
  onReplace: () => void;
  onError: (error: unknown) => void;
};

export function GraphActions({ name, status, services, busy, replacing, onStarted, onReplace, onError }: GraphActionsProps) {
  const trpc = useTRPC();
  const handlers = {
    onSuccess: (result: Started) => onStarted(result.operation),
    onError,
  };
  const start = useMutation(trpc.graphs.start.mutationOptions(handlers));
  const stop = useMutation(trpc.graphs.stop.mutationOptions(handlers));
  const remove = useMutation(trpc.graphs.remove.mutationOptions(handlers));
  const pending = start.isPending || stop.isPending || remove.isPending;
  const disabled = busy || pending;
  const canStart = status === "Stopped" || status === "Failed";
  const canStop = status === "Running" || status === "Failed";
  const canReplace = status === "Running" || status === "Stopped";

  return (
    <>
      {canStart && (
        <ConfirmButton label="Start" title={`Start ${name}?`} confirmLabel="Start graph" disabled={disabled} pending={start.isPending} onConfirm={() => start.mutate({ name })}>
          <p>Installs every service that is not deployed on the clusters recorded for it, and re-adds the alert rules of event-triggered services.</p>
        </ConfirmButton>
      )}
      {canStop && (
        <ConfirmButton label="Stop" title={`Stop ${name}?`} confirmLabel="Stop graph" tone="danger" disabled={disabled} pending={stop.isPending} onConfirm={() => stop.mutate({ name })}>
          <p>
            Uninstalls its {services} {services === 1 ? "service" : "services"} and removes their alert rules. The graph, its placement and its dashboards are kept, so it can be
            started again.
          </p>
        </ConfirmButton>
      )}
      {canReplace && (
        <button type="button" className="button" aria-expanded={replacing} aria-controls="replace-panel" disabled={disabled} onClick={onReplace}>
          Re-place…
        </button>
      )}
      <ConfirmButton label="Remove" title={`Remove ${name}?`} confirmLabel="Remove graph" tone="danger" disabled={disabled || status === "Removing"} pending={remove.isPending} onConfirm={() => remove.mutate({ name })}>
        <p>Uninstalls every service, deletes the alert rules and the Grafana dashboards, and deletes the graph. This cannot be undone; its operations stay in the history.</p>
      </ConfirmButton>
    </>
  );
}

/** Retrying a failed operation: it resumes from the step that failed. */
export function RetryButton({ operation, disabled, onStarted, onError }: { operation: Pick<OperationRecord, "id" | "kind">; disabled?: boolean; onStarted: (operation: Pick<OperationRecord, "id">) => void; onError: (error: unknown) => void }) {
  const trpc = useTRPC();
  const retry = useMutation(trpc.graphs.retry.mutationOptions({ onSuccess: (result) => onStarted(result.operation), onError }));
  return (
    <ConfirmButton label={`Retry ${operation.kind}`} title={`Retry the failed ${operation.kind}?`} confirmLabel="Retry" disabled={disabled} pending={retry.isPending} onConfirm={() => retry.mutate({ operationId: operation.id })}>
      <p>The operation runs again from the step that failed; the steps that succeeded are not repeated.</p>
    </ConfirmButton>
  );
}
