"use client";
/**
 * One application graph: its topology across the clusters, its services, why they are placed
 * where they are, scaling history, Grafana panels and operations, with the lifecycle actions.
 * While an operation runs the page follows it and reads the graph again when it ends.
 */
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useMemo, useRef, useState } from "react";
import { formatCpu, formatDateTime, formatMemory, timeAgo } from "@/app/_components/format";
import { useCan } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, Stat, StatusBadge } from "@/app/_components/ui";
import { isUnauthorized, useTRPC } from "@/app/trpc";
import type { ServiceDetail } from "@/lib/graphs";
import { isTRPCClientError } from "@trpc/client";
import { GraphActions, RetryButton } from "./actions";
import { GrafanaSection } from "./grafana";
import { isActive, OperationProgress, useFollowedOperation } from "./operation-progress";
import { OperationsSection } from "./operations";
import { PlacementSection } from "./placement";
import { formatCost } from "./placement-format";
import { ReplacePanel } from "./replace";
import { ScalingSection } from "./scaling";
import { ServicePanel } from "./service-panel";
import { describeLatency, topologyLinks, type TopologyLink } from "./topology-model";
import styles from "./detail.module.css";

const Topology = dynamic(() => import("./topology"), {
  ssr: false,
  loading: () => (
    <div className={styles.topologyLoading}>
      <Loading label="Loading the topology…" />
    </div>
  ),
});

const TRANSITIONAL = ["Deploying", "Stopping", "Removing"];

export function GraphDetailView({ name }: { name: string }) {
  const trpc = useTRPC();
  const canOperate = useCan("operator");
  const detail = useQuery({
    ...trpc.graphs.get.queryOptions({ name }),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      // Operation changes invalidate it live (useLiveOperations); polling is the fallback.
      return TRANSITIONAL.includes(data.graph.status) || data.operations.some(isActive) ? 3_000 : 15_000;
    },
  });
  const clusters = useQuery({ ...trpc.clusters.list.queryOptions(), staleTime: 30_000 });
  const running = detail.data?.operations.find(isActive);
  const followed = useFollowedOperation(name, running);
  const [selected, setSelected] = useState<string>();
  const [replacing, setReplacing] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const panel = useRef<HTMLElement>(null);
  const links = useMemo(() => topologyLinks(detail.data?.services ?? []), [detail.data?.services]);

  if (detail.error) {
    const missing = isTRPCClientError(detail.error) && detail.error.data?.code === "NOT_FOUND";
    if (isUnauthorized(detail.error)) return <Loading label="Your session ended; taking you to sign in…" />;
    return (
      <>
        <PageHeader title={name} />
        {missing ? (
          <EmptyState title={`There is no graph named ${name}`}>
            <p>It may have been removed. </p>
            <Link href="/graphs" className="button">
              Back to the graphs
            </Link>
          </EmptyState>
        ) : (
          <ErrorNotice error={detail.error} title="The graph could not be loaded" />
        )}
      </>
    );
  }
  if (detail.isPending) return <Loading label={`Loading ${name}…`} />;

  const { graph, services, placement } = detail.data;
  const operation = followed.operation;
  const busy = TRANSITIONAL.includes(graph.status) || isActive(operation) || running !== undefined;
  const latest = detail.data.operations[0];
  const clustersUsed = new Set(services.flatMap((service) => service.clusters));
  const deployed = services.filter((service) => service.status === "Deployed").length;
  const pending = services.filter((service) => service.status === "Pending").length;
  const selectedService = services.find((service) => service.name === selected);
  const crossing = links.filter((link) => link.crossCluster).length;
  const started = (op: { id: string }) => {
    setActionError(undefined);
    setReplacing(false);
    followed.follow(op);
  };
  const showService = (service: string) => {
    setSelected(service);
    panel.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    panel.current?.focus({ preventScroll: true });
  };

  return (
    <>
      <PageHeader
        title={graph.name}
        description={
          <span className={styles.headerFacts}>
            <StatusBadge status={graph.status} />
            <span>
              project <Link href={`/graphs?project=${encodeURIComponent(graph.project)}`}>{graph.project}</Link>
            </span>
            <span>
              placed by <span className="mono">{graph.placementAlgorithm}</span>
            </span>
            <span title={formatDateTime(graph.updatedAt)}>updated {timeAgo(graph.updatedAt)}</span>
          </span>
        }
        actions={
          canOperate ? (
            <GraphActions
              name={graph.name}
              status={graph.status}
              services={services.length}
              busy={busy}
              replacing={replacing}
              onStarted={started}
              onReplace={() => setReplacing((open) => !open)}
              onError={setActionError}
            />
          ) : (
            <span className="muted">Viewers can read this graph; operators act on it.</span>
          )
        }
      />

      <ErrorNotice error={actionError} title="The action was refused" />
      {operation && <OperationProgress operation={operation} onDismiss={isActive(operation) ? undefined : followed.dismiss} />}
      {!operation && latest?.status === "failed" && (
        <div className={`notice notice-error ${styles.failure}`} role="status">
          <span>
            The last operation, <strong>{latest.kind}</strong>, failed {timeAgo(latest.finishedAt ?? latest.createdAt)}: {latest.error ?? "no message"}
          </span>
          {canOperate && <RetryButton operation={latest} disabled={busy} onStarted={started} onError={setActionError} />}
        </div>
      )}

      {replacing && canOperate && <ReplacePanel name={graph.name} graphWeights={graph.placementWeights} busy={busy} onApplied={started} onClose={() => setReplacing(false)} />}

      <div className={`stats ${styles.stats}`}>
        <Stat label="Services deployed" value={`${deployed} / ${services.length}`} detail={pending > 0 ? `${pending} pending (event-triggered or waiting)` : "none pending"} />
        <Stat label="Clusters used" value={clustersUsed.size} detail={[...clustersUsed].sort().join(", ") || "none yet"} />
        <Stat label="Connections" value={links.length} detail={links.length === 0 ? "no connection points" : `${crossing} cross-cluster`} />
        <Stat label="Placement objective" value={formatCost(placement?.objective)} detail={placement ? `${placement.algorithm}, ${placement.status}` : "not placed"} />
      </div>

      <section className="section" aria-labelledby="topology-heading">
        <h2 id="topology-heading">Topology</h2>
        <div className={`card ${styles.topologyCard}`}>
          <div className={styles.topologyLayout}>
            <div className={styles.topologyCanvas} role="figure" aria-label={`Topology of ${graph.name}: ${services.length} services on ${clustersUsed.size} clusters, ${links.length} connections, ${crossing} crossing clusters. The services table and the connection list below say the same in text.`}>
              <Topology services={services} clusters={clusters.data ?? []} selected={selected} onSelect={setSelected} />
            </div>
            <ServicePanel
              ref={panel}
              service={selectedService}
              links={links}
              explanation={placement?.explanations.find((explanation) => explanation.service === selected)}
              pinned={Boolean(selected && placement?.pinned[selected])}
              onClose={() => setSelected(undefined)}
            />
          </div>
          <Legend />
          {links.length > 0 && <ConnectionList links={links} />}
        </div>
      </section>

      <section className="section" aria-labelledby="services-heading">
        <h2 id="services-heading">Services</h2>
        <ServicesTable services={services} selected={selected} onShow={showService} />
      </section>

      <section className="section" aria-labelledby="placement-heading">
        <h2 id="placement-heading">Placement and why</h2>
        <PlacementSection placement={placement} services={services} />
      </section>

      <section className="section" aria-labelledby="scaling-heading">
        <h2 id="scaling-heading">Scaling history</h2>
        <div className="card">
          <ScalingSection name={graph.name} services={services.map((service) => service.name)} />
        </div>
      </section>

      <section className="section" aria-labelledby="monitoring-heading">
        <h2 id="monitoring-heading">Monitoring</h2>
        <GrafanaSection graphUrl={graph.grafanaUrl} services={services} />
      </section>

      <section className="section" aria-labelledby="operations-heading">
        <h2 id="operations-heading">Operations</h2>
        <OperationsSection graphName={graph.name} canOperate={canOperate} busy={busy} onStarted={started} onError={setActionError} />
      </section>
    </>
  );
}

function Legend() {
  return (
    <div className={styles.legend} aria-hidden="true">
      <span>
        <svg width="36" height="10">
          <line x1="0" y1="5" x2="36" y2="5" stroke="var(--muted)" strokeWidth="2" />
        </svg>
        within a cluster
      </span>
      <span>
        <svg width="36" height="10">
          <line x1="0" y1="5" x2="36" y2="5" stroke="var(--warn)" strokeWidth="2" strokeDasharray="7 5" />
        </svg>
        crosses clusters
      </span>
      <span>thicker line: lower latency asked</span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchOk}`} /> deployed
      </span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchWarn}`} /> pending
      </span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchMuted}`} /> not deployed
      </span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchDanger}`} /> failed
      </span>
    </div>
  );
}

function ConnectionList({ links }: { links: TopologyLink[] }) {
  return (
    <details className={styles.connections}>
      <summary>
        Connections ({links.length}, {links.filter((link) => link.crossCluster).length} cross-cluster)
      </summary>
      <ul>
        {links.map((link) => (
          <li key={link.id}>
            <strong>{link.from}</strong> → <strong>{link.to}</strong>{" "}
            <span className="muted">
              {link.fromClusters.join("+") || "unplaced"} → {link.toClusters.join("+") || "unplaced"} · {describeLatency(link.latency)}
            </span>
            {link.crossCluster && <span className={`tag ${styles.crossTag}`}>cross-cluster</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}

function ServicesTable({ services, selected, onShow }: { services: ServiceDetail[]; selected: string | undefined; onShow: (service: string) => void }) {
  if (services.length === 0) return <EmptyState title="This graph has no service" />;
  return (
    <div className="table-wrap">
      <table className={`${styles.servicesTable} ${styles.rows}`}>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col">Cluster(s)</th>
            <th scope="col" className="number">
              Replicas
            </th>
            <th scope="col" className="number">
              CPU
            </th>
            <th scope="col" className="number">
              RAM
            </th>
            <th scope="col">Artifact</th>
          </tr>
        </thead>
        <tbody>
          {services.map((service) => (
            <tr key={service.name} className={service.name === selected ? styles.selectedRow : undefined}>
              <th scope="row">
                <button type="button" className={styles.linkButton} onClick={() => onShow(service.name)} aria-label={`${service.name}: show details`}>
                  {service.name}
                </button>
                {service.gpu && <span className="tag gpu">GPU</span>}
                {service.eventTriggered && <span className="tag">event</span>}
              </th>
              <td>
                <StatusBadge status={service.status} />
              </td>
              <td>{service.clusters.length > 0 ? service.clusters.join(", ") : <span className="muted">none</span>}</td>
              <td className="number">{service.replicas}</td>
              <td className="number" title="per replica">
                {formatCpu(service.cpu)}
              </td>
              <td className="number" title="per replica">
                {formatMemory(service.memory)}
              </td>
              <td className={styles.artifactCell}>
                <span className="mono" title={service.artifact.ref}>
                  {service.artifact.ref.replace(/^oci:\/\//, "")}
                </span>
                <span className="muted">{[service.artifact.type, service.artifact.implementer].filter(Boolean).join(" · ")}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
