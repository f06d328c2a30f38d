"use client";
/**
 * The activity log, newest first, live: new events join the top without a reload. The filters
 * live in the URL's query string, so a filtered view can be bookmarked and shared.
 */
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { EmptyState, ErrorNotice, Loading, PageHeader } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { EventList } from "./event-list";
import { useLiveEvents, useNow, type EventFilters, type EventSeverity } from "./use-live-events";
import styles from "./events.module.css";

const PAGE = 50;
/** Graphs offered in the graph filter (a graph beyond them can still be given in the URL). */
const GRAPH_CHOICES = 500;
const MAX = 1_000;
const SEVERITIES: EventSeverity[] = ["info", "warning", "error"];
/** Kinds the console records, offered as suggestions next to those seen in the log. */
const KNOWN_KINDS = [
  "graph.deployed",
  "graph.stopped",
  "graph.placed",
  "service.installed",
  "service.install-failed",
  "service.moved",
  "cluster.added",
  "cluster.removed",
  "cluster.not-ready",
  "cluster.capacity-changed",
  "cluster.attributes-updated",
  "scaling.scaled",
  "operation.failed",
];

function filtersFrom(params: URLSearchParams): EventFilters {
  const severity = params.get("severity");
  return {
    graphName: params.get("graph") || undefined,
    clusterName: params.get("cluster") || undefined,
    kind: params.get("kind") || undefined,
    severity: SEVERITIES.includes(severity as EventSeverity) ? (severity as EventSeverity) : undefined,
  };
}

const STREAM_STATE = {
  live: "Live: new events appear at the top",
  connecting: "Connecting to the live stream…",
  polling: "The live stream is interrupted: the list refreshes every few seconds",
} as const;

const PARAM_OF: Record<keyof EventFilters, string> = { graphName: "graph", clusterName: "cluster", kind: "kind", severity: "severity" };

export function EventsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = filtersFrom(new URLSearchParams(params.toString()));
  const filterKey = JSON.stringify(filters);
  const [limit, setLimit] = useState(PAGE);
  const events = useLiveEvents(filters, limit);
  const graphs = useQuery(trpc.graphs.list.queryOptions({ limit: GRAPH_CHOICES }));
  const clusters = useQuery(trpc.clusters.list.queryOptions());
  const now = useNow();
  const id = useId();

  // Which events arrived while the page was open (highlighted and announced), per filter set.
  const baseline = useRef<{ key: string; newestId: number } | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const rows = events.data ?? [];
  const newestId = rows[0]?.id ?? 0;
  useEffect(() => {
    if (!events.isSuccess) return;
    if (baseline.current?.key !== filterKey) {
      baseline.current = { key: filterKey, newestId };
      setAnnouncement("");
      return;
    }
    const arrived = rows.filter((event) => event.id > baseline.current!.newestId).length;
    if (arrived > 0) setAnnouncement(`${arrived} new event${arrived === 1 ? "" : "s"} since the page opened`);
  }, [events.isSuccess, filterKey, newestId, rows]);
  const freshAfter = baseline.current?.key === filterKey ? baseline.current.newestId : Number.POSITIVE_INFINITY;

  function setFilter(name: keyof EventFilters, value: string) {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(PARAM_OF[name], value);
    else next.delete(PARAM_OF[name]);
    setLimit(PAGE);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const kinds = [...new Set([...KNOWN_KINDS, ...rows.map((event) => event.kind)])].sort();
  const filtered = Object.values(filters).some(Boolean);
  const graphNames = [...new Set([...(graphs.data?.items ?? []).map((graph) => graph.name), ...(filters.graphName ? [filters.graphName] : [])])].sort();
  const clusterNames = [...new Set([...(clusters.data ?? []).map((cluster) => cluster.name), ...(filters.clusterName ? [filters.clusterName] : [])])].sort();

  return (
    <>
      <PageHeader title="Events" description="What happened to graphs, services and clusters, newest first. New events appear here as they are recorded." />
      <form className={`filters ${styles.filters}`} role="search" aria-label="Filter events" onSubmit={(event) => event.preventDefault()}>
        <label className="field">
          <span>Graph</span>
          <select value={filters.graphName ?? ""} onChange={(event) => setFilter("graphName", event.target.value)}>
            <option value="">All graphs</option>
            {graphNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Cluster</span>
          <select value={filters.clusterName ?? ""} onChange={(event) => setFilter("clusterName", event.target.value)}>
            <option value="">All clusters</option>
            {clusterNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <KindFilter value={filters.kind ?? ""} kinds={kinds} listId={`${id}-kinds`} onChange={(value) => setFilter("kind", value)} />
        <label className="field">
          <span>Severity</span>
          <select value={filters.severity ?? ""} onChange={(event) => setFilter("severity", event.target.value)}>
            <option value="">All severities</option>
            {SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {severity}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" className="button" onClick={() => router.replace(pathname, { scroll: false })}>
            Clear filters
          </button>
        )}
      </form>

      <div className={styles.toolbar}>
        <span className={styles.live}>
          <span className={`${styles.liveDot} ${events.stream === "live" ? "" : styles.liveOff}`} aria-hidden="true" />
          {STREAM_STATE[events.stream]}
        </span>
        <span role="status" aria-live="polite">
          {announcement}
        </span>
      </div>
      <ErrorNotice error={events.error} title="Could not load events" />
      {events.isPending ? (
        <Loading label="Loading events…" />
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "No events match these filters" : "No events yet"}>
          {filtered ? <p>Clear a filter to see more; new matching events will appear here as they happen.</p> : <p>Syncing clusters and deploying graphs write the activity log.</p>}
        </EmptyState>
      ) : (
        <>
          <EventList events={rows} now={now} label="Events, newest first" freshAfter={freshAfter} />
          <div className={styles.more}>
            {rows.length >= limit && limit < MAX ? (
              <button type="button" className="button" onClick={() => setLimit((current) => Math.min(current + PAGE * 2, MAX))} disabled={events.isFetching}>
                Show older events
              </button>
            ) : (
              <span className="muted">
                {rows.length} event{rows.length === 1 ? "" : "s"}
                {rows.length >= MAX ? ` (the newest ${MAX}; filter to see older ones)` : ", the whole log for these filters"}
              </span>
            )}
          </div>
        </>
      )}
    </>
  );
}

/** Free text with suggestions; applied when the field is left or Enter is pressed, not on every keystroke. */
function KindFilter({ value, kinds, listId, onChange }: { value: string; kinds: string[]; listId: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    setText(value);
  }
  const apply = (next = text) => {
    if (next.trim() !== value) onChange(next.trim());
  };
  return (
    <label className="field">
      <span>Kind</span>
      <input
        list={listId}
        value={text}
        placeholder="e.g. graph.deployed"
        onChange={(event) => {
          setText(event.target.value);
          // A suggestion picked from the list applies at once.
          if (kinds.includes(event.target.value)) apply(event.target.value);
        }}
        onBlur={() => apply()}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            apply();
          }
        }}
      />
      <datalist id={listId}>
        {kinds.map((kind) => (
          <option key={kind} value={kind} />
        ))}
      </datalist>
    </label>
  );
}
