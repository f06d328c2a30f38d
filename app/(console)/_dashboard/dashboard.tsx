"use client";
/** The federation and its application graphs at a glance: counts, capacity, what is running now and what just happened. */
import { useQuery } from "@tanstack/react-query";
import { useActiveOperations } from "./use-active-operations";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatDateTime, formatMemory, timeAgo } from "@/app/_components/format";
import { useCan } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, Stat, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { formatCores, formatGpus, Meter } from "../clusters/meter";
import { SyncClustersButton } from "../clusters/sync-button";
import { EventList } from "../events/event-list";
import { useLiveEvents, useNow } from "../events/use-live-events";
import styles from "./dashboard.module.css";

export function Dashboard() {
  const trpc = useTRPC();
  const canDeploy = useCan("operator");
  const projects = useQuery({ ...trpc.graphs.projects.queryOptions(), refetchInterval: 10_000 });
  const graphs = useGraphCounts();
  const summary = useQuery({ ...trpc.clusters.summary.queryOptions(), refetchInterval: 15_000 });

  const counts = graphs.data ?? { total: 0, running: 0, stopped: 0, failed: 0, changing: 0 };
  const clusters = summary.data?.clusters;

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="The federation and its application graphs at a glance."
        actions={
          canDeploy ? (
            <Link href="/deploy" className="button button-primary">
              Deploy a graph
            </Link>
          ) : undefined
        }
      />
      <ErrorNotice error={projects.error ?? graphs.error ?? summary.error} title="Could not load the overview" />

      <section aria-labelledby="counts-heading">
        <h2 id="counts-heading" className="visually-hidden">
          Counts
        </h2>
        <div className={`stats ${styles.counts}`}>
          <Stat label="Projects" value={projects.data?.length ?? "—"} detail={<Link href="/graphs">Graphs by project</Link>} />
          <Stat label="Graphs running" value={graphs.data ? counts.running : "—"} detail={counts.changing ? `${counts.changing} changing now` : `of ${counts.total} graph${counts.total === 1 ? "" : "s"}`} />
          <Stat label="Graphs stopped" value={graphs.data ? counts.stopped : "—"} />
          <Stat label="Graphs failed" value={graphs.data ? <span className={counts.failed ? styles.bad : undefined}>{counts.failed}</span> : "—"} />
          <Stat label="Clusters ready" value={clusters ? clusters.ready : "—"} detail={clusters ? `of ${clusters.total}` : undefined} />
          <Stat
            label="Not ready"
            value={clusters ? <span className={clusters.notReady ? styles.bad : undefined}>{clusters.notReady}</span> : "—"}
            detail={<Link href="/clusters">clusters</Link>}
          />
        </div>
      </section>

      {graphs.data && graphs.data.total === 0 && (
        <div className="section">
          <EmptyState title="No application graphs yet">
            {canDeploy ? (
              <p>
                <Link href="/deploy">Deploy a graph</Link> from a descriptor or one of the samples; it appears here with its status.
              </p>
            ) : (
              <p>An operator deploys graphs from the Deploy page; they appear here with their status.</p>
            )}
          </EmptyState>
        </div>
      )}

      <section className="section" aria-labelledby="capacity-heading">
        <div className={styles.sectionHeader}>
          <h2 id="capacity-heading">Federation capacity</h2>
          {summary.data?.lastSyncedAt && (
            <span className="muted" title={formatDateTime(summary.data.lastSyncedAt)}>
              Synced {timeAgo(summary.data.lastSyncedAt)}
            </span>
          )}
        </div>
        {summary.isPending ? (
          <Loading label="Loading capacity…" />
        ) : summary.data && summary.data.clusters.total === 0 ? (
          <EmptyState title="No clusters known yet">
            <p>Clusters appear after a sync reads the members of the Karmada federation.</p>
            <SyncClustersButton primary />
            {!canDeploy && <p>Ask an operator to sync the clusters.</p>}
          </EmptyState>
        ) : summary.data ? (
          <div className={`card ${styles.capacity}`}>
            <Meter
              label="CPU"
              used={summary.data.cpu.allocatable - summary.data.cpu.available}
              total={summary.data.cpu.allocatable}
              format={formatCores}
            />
            <Meter label="Memory" used={summary.data.memory.allocatable - summary.data.memory.available} total={summary.data.memory.allocatable} format={formatMemory} />
            <Meter
              label="GPU"
              used={summary.data.gpus.allocatable - summary.data.gpus.available}
              total={summary.data.gpus.allocatable}
              format={formatGpus}
            />
            <p className={styles.capacityNote}>
              Allocated of allocatable on the {summary.data.clusters.ready} ready cluster{summary.data.clusters.ready === 1 ? "" : "s"}.
              {summary.data.clusters.notReady > 0 && (
                <>
                  {" "}
                  Not ready, so not usable now: {formatCores(summary.data.unavailable.cpu)}, {formatMemory(summary.data.unavailable.memory)}
                  {summary.data.unavailable.gpus ? `, ${summary.data.unavailable.gpus} GPUs` : ""}.
                </>
              )}{" "}
              <Link href="/clusters">Capacity per cluster</Link>
            </p>
          </div>
        ) : null}
      </section>

      <div className={styles.columns}>
        <ActiveOperations />
        <RecentEvents />
      </div>
    </>
  );
}

/** How many graphs there are in all and in each settled status (the totals of one-row pages). */
function useGraphCounts() {
  const trpc = useTRPC();
  const options = { refetchInterval: 10_000 } as const;
  const all = useQuery({ ...trpc.graphs.list.queryOptions({ limit: 1 }), ...options });
  const running = useQuery({ ...trpc.graphs.list.queryOptions({ status: "Running", limit: 1 }), ...options });
  const stopped = useQuery({ ...trpc.graphs.list.queryOptions({ status: "Stopped", limit: 1 }), ...options });
  const failed = useQuery({ ...trpc.graphs.list.queryOptions({ status: "Failed", limit: 1 }), ...options });
  const parts = [all, running, stopped, failed];
  const error = parts.find((part) => part.error)?.error ?? null;
  if (!all.data || !running.data || !stopped.data || !failed.data) return { data: undefined, error };
  const counts = { total: all.data.total, running: running.data.total, stopped: stopped.data.total, failed: failed.data.total };
  return { data: { ...counts, changing: Math.max(counts.total - counts.running - counts.stopped - counts.failed, 0) }, error };
}

function ActiveOperations() {
  const operations = useActiveOperations();
  const now = useNow(5_000);
  return (
    <section className="section" aria-labelledby="operations-heading">
      <div className={styles.sectionHeader}>
        <h2 id="operations-heading">Operations in progress</h2>
      </div>
      <ErrorNotice error={operations.error} title="Could not load operations" />
      {operations.isPending ? (
        <Loading label="Loading operations…" />
      ) : operations.data && operations.data.length === 0 ? (
        <p className={`card ${styles.quiet}`}>Nothing is running now. Deploys, stops, re-placements, scaling and syncs show here while they work.</p>
      ) : (
        <ul className={styles.operations} aria-label="Operations in progress">
          {operations.data?.map((operation) => (
            <li key={operation.id} className={styles.operation}>
              <StatusBadge status={operation.status} />
              <div className={styles.operationBody}>
                <OperationTarget kind={operation.kind} graphName={operation.graphName}>
                  <strong>{operation.kind}</strong>
                </OperationTarget>
                <div className="muted">
                  by {operation.actor}
                  {operation.attempt > 1 ? ` · attempt ${operation.attempt}` : ""}
                </div>
              </div>
              <time className="muted" dateTime={new Date(operation.startedAt ?? operation.createdAt).toISOString()}>
                {operation.startedAt ? `started ${timeAgo(operation.startedAt, Math.max(now, operation.startedAt.getTime()))}` : `queued ${timeAgo(operation.createdAt, Math.max(now, operation.createdAt.getTime()))}`}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function OperationTarget({ kind, graphName, children }: { kind: string; graphName: string | null; children: ReactNode }) {
  if (graphName) {
    return (
      <span>
        {children} of graph <Link href={`/graphs/${encodeURIComponent(graphName)}`}>{graphName}</Link>
      </span>
    );
  }
  if (kind === "sync") {
    return (
      <span>
        {children} of the <Link href="/clusters">clusters</Link>
      </span>
    );
  }
  return <span>{children}</span>;
}

function RecentEvents() {
  const events = useLiveEvents({}, 10);
  const now = useNow();
  return (
    <section className="section" aria-labelledby="events-heading">
      <div className={styles.sectionHeader}>
        <h2 id="events-heading">Recent events</h2>
        <Link href="/events">All events</Link>
      </div>
      <ErrorNotice error={events.error} title="Could not load events" />
      {events.isPending ? (
        <Loading label="Loading events…" />
      ) : events.data && events.data.length === 0 ? (
        <p className={`card ${styles.quiet}`}>No events yet. Syncing clusters and deploying graphs write the activity log.</p>
      ) : (
        <EventList events={events.data ?? []} now={now} compact label="Recent events" />
      )}
    </section>
  );
}
