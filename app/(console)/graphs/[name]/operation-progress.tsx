"use client";
/**
 * Following one operation of the graph while it runs: its steps are polled until it ends, then
 * everything the page shows about the graph is read again. The page follows the operation it
 * started, or one already running when it opened (started elsewhere: the CLI, another tab).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { formatDuration } from "@/app/_components/format";
import { StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import type { OperationRecord, OperationWithSteps } from "@/lib/operations";
import styles from "./detail.module.css";

const ACTIVE = new Set(["pending", "running"]);
/** Operations arrive live (operations.live over SSE); polling is only the fallback should the stream break. */
const FALLBACK_POLL_MS = 5_000;

export function isActive(operation: Pick<OperationRecord, "status"> | undefined): boolean {
  return operation !== undefined && ACTIVE.has(operation.status);
}

/** The operation to show progress for, and `follow` for the actions to hand over the one they started. */
export function useFollowedOperation(graphName: string, running: OperationRecord | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [startedId, setStartedId] = useState<string>();
  const id = startedId ?? running?.id;
  const operation = useQuery({
    ...trpc.operations.get.queryOptions({ id: id ?? "" }),
    enabled: id !== undefined,
    refetchInterval: (query) => (query.state.data && !isActive(query.state.data) ? false : FALLBACK_POLL_MS),
  });
  const data = operation.data?.id === id ? operation.data : undefined;
  useSubscription(
    trpc.operations.live.subscriptionOptions(
      { id: id ?? "" },
      {
        enabled: id !== undefined && (data === undefined || isActive(data)),
        onData: (update) => {
          if (update.id === id) queryClient.setQueryData(trpc.operations.get.queryKey({ id }), { ...update, steps: update.steps ?? [] } satisfies OperationWithSteps);
        },
      },
    ),
  );
  const settled = useRef<string>(undefined);

  useEffect(() => {
    if (!data || isActive(data) || settled.current === data.id) return;
    settled.current = data.id;
    if (data.kind === "remove" && data.status === "succeeded") {
      router.push(`/graphs?removed=${encodeURIComponent(graphName)}`);
      return;
    }
    void queryClient.invalidateQueries({ queryKey: trpc.graphs.get.queryKey({ name: graphName }) });
    void queryClient.invalidateQueries({ queryKey: trpc.operations.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.clusters.list.pathKey() });
  }, [data, graphName, queryClient, router, trpc]);

  return {
    operation: data,
    follow: (started: Pick<OperationRecord, "id">) => {
      settled.current = undefined;
      setStartedId(started.id);
      void queryClient.invalidateQueries({ queryKey: trpc.graphs.get.queryKey({ name: graphName }) });
      void queryClient.invalidateQueries({ queryKey: trpc.operations.list.pathKey() });
    },
    dismiss: () => setStartedId(undefined),
  };
}

/** The graph's operations as they change: the list is updated in place and the graph read again (services change with each step). */
export function useLiveOperations(graphName: string, listInput: { graphName: string; limit: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useSubscription(
    trpc.operations.live.subscriptionOptions(
      { graphName },
      {
        onData: (update) => {
          const { steps: _steps, ...summary } = update;
          queryClient.setQueryData(trpc.operations.list.queryKey(listInput), (list) => {
            if (!list) return list;
            const others = list.filter((operation) => operation.id !== summary.id);
            return [summary, ...others].sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime()).slice(0, listInput.limit);
          });
          void queryClient.invalidateQueries({ queryKey: trpc.operations.get.queryKey({ id: summary.id }) });
          void queryClient.invalidateQueries({ queryKey: trpc.graphs.get.queryKey({ name: graphName }) });
        },
      },
    ),
  );
}

const VERBS: Record<string, string> = {
  deploy: "Deploying",
  start: "Starting",
  stop: "Stopping",
  remove: "Removing",
  replace: "Re-placing",
  scale: "Scaling",
  reapply: "Re-applying",
  sync: "Syncing",
};

type FollowedOperation = NonNullable<ReturnType<typeof useFollowedOperation>["operation"]>;

/** A progress bar over the steps, the step running now, and how it ended. */
export function OperationProgress({ operation, onDismiss }: { operation: FollowedOperation; onDismiss?: () => void }) {
  const done = operation.steps.filter((step) => step.status !== "pending" && step.status !== "running").length;
  const current = operation.steps.find((step) => step.status === "running");
  const failed = operation.steps.find((step) => step.status === "failed");
  const active = isActive(operation);
  const elapsed = operation.startedAt ? (operation.finishedAt ?? new Date()).getTime() - new Date(operation.startedAt).getTime() : undefined;
  const tone = active ? "" : operation.status === "succeeded" ? "notice-ok" : operation.status === "failed" ? "notice-error" : "";
  return (
    <div className={`notice ${tone} ${styles.progress}`} role="status" aria-live="polite" data-testid="operation-progress">
      <div className={styles.progressHead}>
        <strong>
          {active ? `${VERBS[operation.kind] ?? operation.kind}…` : `${operation.kind} ${operation.status}`}
        </strong>
        <StatusBadge status={operation.status} />
        <span className="muted">
          {done} of {operation.steps.length || "?"} steps · {formatDuration(elapsed)}
        </span>
        {!active && onDismiss && (
          <button type="button" className="button button-small" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      <progress className={styles.progressBar} max={Math.max(operation.steps.length, 1)} value={done} aria-label={`${operation.kind}: ${done} of ${operation.steps.length} steps done`} />
      {current && (
        <div className="muted">
          Now: {current.action}
          {current.target ? ` ${current.target}` : ""}
        </div>
      )}
      {operation.status === "failed" && (
        <div>
          {failed ? `Step ${failed.action}${failed.target ? ` ${failed.target}` : ""} failed: ${failed.error ?? "no message"}` : (operation.error ?? "The operation failed.")}
        </div>
      )}
    </div>
  );
}
