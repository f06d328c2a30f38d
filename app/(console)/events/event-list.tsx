"use client";
/** Lines of the activity log: severity, what happened, what it touched (linked) and when. Used by the events page and the dashboard. */
import Link from "next/link";
import { StatusBadge } from "@/app/_components/ui";
import { formatDateTime, timeAgo } from "@/app/_components/format";
import type { EventRow } from "./use-live-events";
import styles from "./events.module.css";

const SEVERITY_LABEL: Record<string, string> = { info: "Info", warning: "Warning", error: "Error" };

export type EventListProps = {
  events: EventRow[];
  now: number;
  label: string;
  compact?: boolean;
  /** Events with a larger id arrived while the page was open: they are highlighted briefly. */
  freshAfter?: number;
};

export function EventList({ events, now, label, compact = false, freshAfter = Number.POSITIVE_INFINITY }: EventListProps) {
  return (
    <ol className={`${styles.list} ${compact ? styles.compact : ""}`} aria-label={label}>
      {events.map((event) => (
        <li key={event.id} className={`${styles.item} ${event.id > freshAfter ? styles.fresh : ""}`} data-event-id={event.id}>
          <div className={styles.severity}>
            <StatusBadge status={event.severity} label={SEVERITY_LABEL[event.severity] ?? event.severity} />
          </div>
          <div className={styles.body}>
            <p className={styles.message}>{event.message}</p>
            <p className={styles.meta}>
              <span className={`${styles.kind} mono`}>{event.kind}</span>
              {event.graphName && (
                <span>
                  graph <Link href={`/graphs/${encodeURIComponent(event.graphName)}`}>{event.graphName}</Link>
                  {event.serviceName && <> · service {event.serviceName}</>}
                </span>
              )}
              {event.clusterName && (
                <span>
                  cluster <Link href={`/clusters/${encodeURIComponent(event.clusterName)}`}>{event.clusterName}</Link>
                </span>
              )}
              {!compact && event.actor && <span>by {event.actor}</span>}
            </p>
          </div>
          <time className={styles.time} dateTime={new Date(event.at).toISOString()} title={formatDateTime(event.at)}>
            {/* The clock ticks every few seconds: an event newer than its last tick is "now", not "in 2 seconds". */}
            {timeAgo(event.at, Math.max(now, new Date(event.at).getTime()))}
          </time>
        </li>
      ))}
    </ol>
  );
}
