"use client";
/**
 * Scaling history of one service at a time: request rate, capacity and ready replicas over the
 * chosen window (graphs.metrics, from Prometheus) with the scaler's decisions marked, a text
 * summary, and the decisions as a table.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useId, useState } from "react";
import { formatDateTime } from "@/app/_components/format";
import { EmptyState, ErrorNotice, Loading, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { decisionsOf, formatRate, summariseScaling } from "./scaling-model";
import styles from "./detail.module.css";

const ScalingChart = dynamic(() => import("./scaling-chart"), { ssr: false, loading: () => <Loading label="Drawing the chart…" /> });

const WINDOWS = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 360, label: "6 hours" },
  { minutes: 1440, label: "24 hours" },
] as const;
const TABLE_ROWS = 20;

export function ScalingSection({ name, services }: { name: string; services: string[] }) {
  const trpc = useTRPC();
  const ids = { service: useId(), window: useId(), summary: useId() };
  const [minutes, setMinutes] = useState<number>(60);
  const metrics = useQuery({ ...trpc.graphs.metrics.queryOptions({ name, minutes }), refetchInterval: 30_000, placeholderData: keepPreviousData });
  const decisions = useQuery({ ...trpc.scaling.decisions.queryOptions({ graphName: name, limit: 300 }), refetchInterval: 30_000 });
  const withPolicy = metrics.data?.services.filter((service) => service.policy?.enabled).map((service) => service.service) ?? [];
  const [picked, setPicked] = useState<string>();
  const service = picked && services.includes(picked) ? picked : (withPolicy[0] ?? services[0]);

  if (!service) return <EmptyState title="This graph has no service to scale" />;
  const series = metrics.data?.services.find((entry) => entry.service === service);
  const points = series?.points ?? [];
  const decided = decisionsOf(decisions.data ?? [], service);
  const rows = [...decided].reverse().slice(0, TABLE_ROWS);
  return (
    <div className={styles.scaling}>
      <div className={styles.scalingHead}>
        <div className="field">
          <label htmlFor={ids.service}>Service</label>
          <select id={ids.service} value={service} onChange={(event) => setPicked(event.target.value)}>
            {services.map((value) => (
              <option key={value} value={value}>
                {value}
                {withPolicy.includes(value) ? " (scaled)" : ""}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.window}>Window</label>
          <select id={ids.window} value={minutes} onChange={(event) => setMinutes(Number(event.target.value))}>
            {WINDOWS.map((window) => (
              <option key={window.minutes} value={window.minutes}>
                {window.label}
              </option>
            ))}
          </select>
        </div>
        {series && (
          <p className={styles.scalingPolicy}>
            {series.policy
              ? `Policy: ${series.policy.mode}, ${series.policy.enabled ? "enabled" : "disabled"}, ${series.policy.minReplicas}–${series.policy.maxReplicas} replicas, ${series.policy.alpha} req/s per replica`
              : "No scaling policy: its replicas stay as deployed."}
          </p>
        )}
      </div>
      <ErrorNotice error={metrics.error} title="The metrics could not be read from Prometheus" />
      {metrics.isPending ? (
        <Loading label="Reading the metrics…" />
      ) : (
        series && (
          <>
            <p id={ids.summary} className={styles.scalingSummary} data-testid="scaling-summary">
              {summariseScaling(service, minutes, points, decided)}
            </p>
            <figure className={styles.chart} aria-describedby={ids.summary}>
              <ScalingChart points={points} decisions={decided} />
              <figcaption className="visually-hidden">
                Request rate, capacity and ready replicas of {service} over the last {minutes} minutes
              </figcaption>
            </figure>
          </>
        )
      )}
      {rows.length > 0 && (
        <details className={styles.dataTable}>
          <summary>
            The scaler&apos;s last {rows.length} {rows.length === 1 ? "decision" : "decisions"} about {service}
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
                    Replicas
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((decision, index) => (
                  <tr key={`${decision.at}-${index}`}>
                    <td>{formatDateTime(new Date(decision.at))}</td>
                    <td>
                      <StatusBadge status={decision.action === "error" ? "error" : decision.action === "scaled" ? "info" : "skipped"} label={decision.action} />
                    </td>
                    <td className="number">{formatRate(decision.rate)}</td>
                    <td className="number">{decision.from === decision.to ? (decision.to ?? "—") : `${decision.from ?? "?"} → ${decision.to ?? "?"}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </div>
  );
}
