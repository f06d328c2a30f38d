"use client";
/**
 * Projects and their application graphs. The filters live in the URL (`?project=…&status=…`) so
 * that a filtered list can be shared and survives a reload; the list refreshes itself while a
 * graph is deploying, stopping or being removed.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef } from "react";
import { formatDateTime, timeAgo } from "@/app/_components/format";
import { useCan } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import styles from "./graphs.module.css";

const GRAPH_STATUSES = ["Deploying", "Running", "Stopping", "Stopped", "Removing", "Failed"] as const;
type GraphStatus = (typeof GRAPH_STATUSES)[number];
const TRANSITIONAL: readonly string[] = ["Deploying", "Stopping", "Removing"];

function readStatus(value: string | null): GraphStatus | undefined {
  return GRAPH_STATUSES.find((status) => status === value);
}

export function GraphsList() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const canDeploy = useCan("operator");
  const project = params.get("project") || undefined;
  const status = readStatus(params.get("status"));
  const removed = params.get("removed");
  const projectFieldId = useId();
  const statusFieldId = useId();

  const graphs = useQuery({
    // One page of the most graphs a call may return; the caption says when there are more.
    ...trpc.graphs.list.queryOptions({ project, status, limit: 500 }),
    refetchInterval: (query) => (query.state.data?.items.some((graph) => TRANSITIONAL.includes(graph.status)) ? 2_000 : 15_000),
  });
  const projects = useQuery(trpc.graphs.projects.queryOptions());
  // The projects' counts change with their graphs: read them again whenever the graphs were read.
  const { refetch: refetchProjects } = projects;
  const firstRead = useRef<number>(undefined);
  useEffect(() => {
    if (graphs.dataUpdatedAt === 0) return;
    firstRead.current ??= graphs.dataUpdatedAt;
    if (graphs.dataUpdatedAt !== firstRead.current) void refetchProjects();
  }, [graphs.dataUpdatedAt, refetchProjects]);

  // Two quick changes must not undo each other: the second starts from the first, not from a URL not yet updated.
  const pendingQuery = useRef<string>(undefined);
  const currentQuery = params.toString();
  useEffect(() => {
    pendingQuery.current = undefined;
  }, [currentQuery]);
  function navigate(query: string) {
    pendingQuery.current = query;
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }
  function setFilter(name: "project" | "status", value: string) {
    const next = new URLSearchParams(pendingQuery.current ?? currentQuery);
    next.delete("removed");
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(next.toString());
  }

  const filtered = Boolean(project || status);
  const deployLink = canDeploy ? (
    <Link href="/deploy" className="button button-primary">
      Deploy a graph
    </Link>
  ) : undefined;

  return (
    <>
      <PageHeader title="Graphs" description="Application graphs by project: where they stand and how many of their services run." actions={deployLink} />
      {removed && (
        <div className="notice notice-ok" role="status">
          Graph <strong>{removed}</strong> was removed: its services were uninstalled and its dashboards deleted.
        </div>
      )}

      <section className="section" aria-labelledby="projects-heading">
        <h2 id="projects-heading">Projects</h2>
        <ErrorNotice error={projects.error} title="Projects could not be loaded" />
        {projects.isPending ? (
          <Loading label="Loading projects…" />
        ) : projects.data && projects.data.length > 0 ? (
          <ul className={styles.projects}>
            {projects.data.map((entry) => {
              const current = entry.name === project;
              return (
                <li key={entry.name}>
                  <button
                    type="button"
                    className={styles.project}
                    aria-pressed={current}
                    onClick={() => setFilter("project", current ? "" : entry.name)}
                    title={current ? "Show every project" : `Show only ${entry.name}`}
                  >
                    <span className={styles.projectName}>{entry.name}</span>
                    <span className={styles.projectCounts}>
                      {entry.graphs} {entry.graphs === 1 ? "graph" : "graphs"} · {entry.running} running · {entry.services} {entry.services === 1 ? "service" : "services"}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        ) : (
          projects.data && <p className="muted">No project yet: deploying a graph creates its project.</p>
        )}
      </section>

      <section className="section" aria-labelledby="graphs-heading">
        <h2 id="graphs-heading">Application graphs</h2>
        <form className="filters" role="search" aria-label="Filter graphs" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor={projectFieldId}>Project</label>
            <select id={projectFieldId} value={project ?? ""} onChange={(event) => setFilter("project", event.target.value)}>
              <option value="">All projects</option>
              {project && !projects.data?.some((entry) => entry.name === project) && <option value={project}>{project}</option>}
              {projects.data?.map((entry) => (
                <option key={entry.name} value={entry.name}>
                  {entry.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={statusFieldId}>Status</label>
            <select id={statusFieldId} value={status ?? ""} onChange={(event) => setFilter("status", event.target.value)}>
              <option value="">Any status</option>
              {GRAPH_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
          {filtered && (
            <button type="button" className="button" onClick={() => navigate("")}>
              Clear filters
            </button>
          )}
        </form>

        <ErrorNotice error={graphs.error} title="Graphs could not be loaded" />
        {graphs.isPending ? (
          <Loading label="Loading graphs…" />
        ) : graphs.data && graphs.data.items.length === 0 ? (
          filtered ? (
            <EmptyState title="No graph matches these filters">
              <button type="button" className="button" onClick={() => navigate("")}>
                Show every graph
              </button>
            </EmptyState>
          ) : (
            <EmptyState title="No application graph is deployed yet">
              <p>Deploy one of the sample descriptors, or your own, to see it placed across the federation.</p>
              <Link href="/deploy" className="button button-primary">
                Go to Deploy
              </Link>
            </EmptyState>
          )
        ) : (
          graphs.data && (
            <div className="table-wrap">
              <table className={styles.rows}>
                <caption className="visually-hidden">
                  {graphs.data.total} application {graphs.data.total === 1 ? "graph" : "graphs"}
                  {graphs.data.total > graphs.data.items.length ? ` (the first ${graphs.data.items.length} shown)` : ""}
                  {project ? ` in project ${project}` : ""}
                  {status ? ` with status ${status}` : ""}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Graph</th>
                    <th scope="col">Project</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="number">
                      Services
                    </th>
                    <th scope="col">Placement</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {graphs.data.items.map((graph) => (
                    <tr key={graph.id}>
                      <th scope="row" className={styles.graphName}>
                        <Link href={`/graphs/${encodeURIComponent(graph.name)}`}>{graph.name}</Link>
                      </th>
                      <td>{graph.project}</td>
                      <td>
                        <StatusBadge status={graph.status} />
                      </td>
                      <td className="number">
                        <span title={`${graph.deployed} deployed, ${graph.pending} pending, ${graph.services} in all`}>
                          {graph.deployed}/{graph.services} deployed
                        </span>
                        {graph.pending > 0 && <span className={styles.pending}>{graph.pending} pending</span>}
                      </td>
                      <td className="mono">{graph.placementAlgorithm}</td>
                      <td>
                        <time dateTime={new Date(graph.updatedAt).toISOString()} title={formatDateTime(graph.updatedAt)}>
                          {timeAgo(graph.updatedAt)}
                        </time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        )}
      </section>
    </>
  );
}
