"use client";
/**
 * Scaling history from the scaling loop's recorded decisions: per service, request rate,
 * capacity and replicas over time, as a chart with a text summary and the figures as a table.
 */
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useId, useMemo, useState } from "react";
import { formatDateTime } from "@/app/_components/format";
import { EmptyState, ErrorNotice, Loading, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { formatRate, scalingSeries, summariseSeries } from "./scaling-model";
import styles from "./detail.module.css";

const ScalingChart = dynamic(() => import("./scaling-chart"), { ssr: false, loading: () => <Loading label="Drawing the chart…" /> });

const TABLE_ROWS = 20;

export function ScalingSection({ name }: { name: string }) {
  const trpc = useTRPC();
  const selectId = useId();
  const summaryId = useId();
  const decisions = useQuery({ ...trpc.scaling.decisions.queryOptions({ graphName: name, limit: 300 }), refetchInterval: 10_000 });
  const policies = useQuery(trpc.scaling.policies.queryOptions({ graphName: name }));
  const series = useMemo(() => scalingSeries(decisions.data ?? []), [decisions.data]);
  const [picked, setPicked] = useState<string>();
  const names = [...series.keys()].sort();
  const service = picked && series.has(picked) ? picked : names[0];
  const points = service ? (series.get(service) ?? []) : [];
  const enabled = policies.data?.filter((policy) => policy.enabled) ?? [];

  if (decisions.error) return <ErrorNotice error={decisions.error} title="Scaling decisions could not be loaded" />;
  if (decisions.isPending) return <Loading label="Loading scaling decisions…" />;
  if (!service) {
    return (
      <EmptyState title="No scaling decision yet">
        {enabled.length > 0 ? (
          <p>
            The scaler evaluates the enabled {enabled.length === 1 ? "policy" : "policies"} of {enabled.map((policy) => policy.serviceName).join(", ")} every{" "}
            {Math.min(...enabled.map((policy) => policy.intervalSeconds))} s; its decisions appear here.
          </p>
        ) : (
          <p>No service of this graph has an enabled scaling policy. The scaler records a decision each time it evaluates one; enable a policy (smo CLI or the API) to see request rate, capacity and replicas here.</p>
        )}
      </EmptyState>
    );
  }
  const rows = [...points].reverse().slice(0, TABLE_ROWS);
  return (
    <div className={styles.scaling}>
      <div className={styles.scalingHead}>
        {names.length > 1 && (
          <div className="field">
            <label htmlFor={selectId}>Service</label>
            <select id={selectId} value={service} onChange={(event) => setPicked(event.target.value)}>
              {names.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
        )}
        <p id={summaryId} className={styles.scalingSummary} data-testid="scaling-summary">
          {summariseSeries(service, points)}
        </p>
      </div>
      <figure className={styles.chart} aria-describedby={summaryId}>
        <ScalingChart points={points} />
        <figcaption className="visually-hidden">Request rate, capacity and replicas of {service} over time</figcaption>
      </figure>
      <details className={styles.dataTable}>
        <summary>
          The last {rows.length} {rows.length === 1 ? "decision" : "decisions"} as a table
        </summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Decision</th>
                <th scope="col" className="number">
                  Request rate
                </th>
                <th scope="col" className="number">
                  Capacity
                </th>
                <th scope="col" className="number">
                  Replicas
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((point, index) => (
                <tr key={`${point.at}-${index}`}>
                  <td>{formatDateTime(new Date(point.at))}</td>
                  <td>
                    <StatusBadge status={point.action === "error" ? "error" : point.action === "scaled" ? "info" : "skipped"} label={point.action} />
                  </td>
                  <td className="number">{formatRate(point.rate)}</td>
                  <td className="number">{formatRate(point.capacity)}</td>
                  <td className="number">{point.replicas ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
