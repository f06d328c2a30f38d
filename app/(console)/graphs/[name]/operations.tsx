"use client";
/**
 * The graph's operations, newest first; one can be opened to show its steps, each step's error
 * and log. Changes arrive live (operations.live). A failed operation can be retried.
 */
import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { formatDateTime, formatDuration, timeAgo } from "@/app/_components/format";
import { EmptyState, ErrorNotice, Loading, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import type { OperationRecord } from "@/lib/operations";
import { RetryButton } from "./actions";
import { isActive, useLiveOperations } from "./operation-progress";
import styles from "./detail.module.css";

const OPERATIONS_SHOWN = 25;

function duration(operation: Pick<OperationRecord, "startedAt" | "finishedAt">): number | undefined {
  if (!operation.startedAt) return undefined;
  return (operation.finishedAt ? new Date(operation.finishedAt) : new Date()).getTime() - new Date(operation.startedAt).getTime();
}

export type OperationsSectionProps = {
  graphName: string;
  canOperate: boolean;
  busy: boolean;
  onStarted: (operation: Pick<OperationRecord, "id">) => void;
  onError: (error: unknown) => void;
};

export function OperationsSection({ graphName, canOperate, busy, onStarted, onError }: OperationsSectionProps) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<string>();
  const listInput = { graphName, limit: OPERATIONS_SHOWN };
  const list = useQuery({ ...trpc.operations.list.queryOptions(listInput), refetchInterval: 15_000 });
  useLiveOperations(graphName, listInput);
  if (list.error) return <ErrorNotice error={list.error} title="Operations could not be loaded" />;
  if (list.isPending) return <Loading label="Loading operations…" />;
  if (list.data.length === 0) return <EmptyState title="No operation yet" />;
  const latestFailed = list.data.find((operation) => operation.status === "failed" && operation.id === list.data[0]?.id);
  return (
    <div className="table-wrap">
      <table className={`${styles.operations} ${styles.rows}`}>
        <caption className="visually-hidden">Operations of {graphName}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Operation</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col" className="number">
              Took
            </th>
            <th scope="col">By</th>
            <th scope="col">Error</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data.map((operation) => {
            const expanded = open === operation.id;
            const detailId = `operation-${operation.id}`;
            return (
              <Fragment key={operation.id}>
                <tr>
                  <th scope="row">
                    <button type="button" className={styles.disclosure} aria-expanded={expanded} aria-controls={expanded ? detailId : undefined} onClick={() => setOpen(expanded ? undefined : operation.id)}>
                      <span aria-hidden="true" className={styles.chevron}>
                        {expanded ? "▾" : "▸"}
                      </span>
                      {operation.kind}
                      {operation.attempt > 1 && <span className="muted"> (attempt {operation.attempt})</span>}
                    </button>
                  </th>
                  <td>
                    <StatusBadge status={operation.status} />
                  </td>
                  <td>
                    <time dateTime={new Date(operation.createdAt).toISOString()} title={formatDateTime(operation.createdAt)}>
                      {timeAgo(operation.createdAt)}
                    </time>
                  </td>
                  <td className="number">{formatDuration(duration(operation))}</td>
                  <td>{operation.actor}</td>
                  <td className={styles.errorCell}>{operation.error ?? ""}</td>
                  <td className={styles.actionsCell}>
                    {canOperate && latestFailed?.id === operation.id && <RetryButton operation={operation} disabled={busy} onStarted={onStarted} onError={onError} />}
                  </td>
                </tr>
                {expanded && (
                  <tr id={detailId} className={styles.stepsRow}>
                    <td colSpan={7}>
                      <OperationSteps id={operation.id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function OperationSteps({ id }: { id: string }) {
  const trpc = useTRPC();
  const operation = useQuery({
    ...trpc.operations.get.queryOptions({ id }),
    // The live list invalidates this query at each change; polling is the fallback.
    refetchInterval: (query) => (query.state.data && !isActive(query.state.data) ? false : 5_000),
  });
  if (operation.error) return <ErrorNotice error={operation.error} title="The steps could not be loaded" />;
  if (operation.isPending) return <Loading label="Loading steps…" />;
  if (operation.data.steps.length === 0) return <p className="muted">No step recorded{operation.data.error ? `: ${operation.data.error}` : "."}</p>;
  return (
    <ol className={styles.steps} aria-label={`Steps of ${operation.data.kind}`}>
      {operation.data.steps.map((step) => (
        <li key={step.id} className={styles.step}>
          <div className={styles.stepHead}>
            <span className={styles.stepSeq}>{step.seq}</span>
            <span className="mono">{step.action}</span>
            {step.target && <span>{step.target}</span>}
            <StatusBadge status={step.status} />
            {step.attempts > 1 && <span className="muted">{step.attempts} attempts</span>}
            <span className="muted">{formatDuration(duration(step))}</span>
          </div>
          {step.error && <div className={styles.stepError}>{step.error}</div>}
          {step.log.trim() && (
            <details className={styles.stepLog}>
              <summary>Log</summary>
              <pre>{step.log}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
