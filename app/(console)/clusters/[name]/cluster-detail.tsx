"use client";
/** One member cluster: its capacity, labels, the services SMO placed there, its Grafana panels and (admins) its attributes. */
import { useQuery } from "@tanstack/react-query";
import { isTRPCClientError } from "@trpc/client";
import Link from "next/link";
import { formatDateTime, formatMemory, timeAgo } from "@/app/_components/format";
import { useCan } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, Stat, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { formatCores, formatGpus, Meter } from "../meter";
import { AttributesForm } from "./attributes-form";
import { GrafanaPanels } from "./grafana-panels";
import styles from "../clusters.module.css";

export function ClusterDetail({ name }: { name: string }) {
  const trpc = useTRPC();
  const isAdmin = useCan("admin");
  const canDeploy = useCan("operator");
  const query = useQuery({ ...trpc.clusters.get.queryOptions({ name }), refetchInterval: 15_000 });
  const cluster = query.data;

  if (query.isPending) return <Loading label={`Loading cluster ${name}…`} />;
  if (!cluster) {
    const notFound = isTRPCClientError(query.error) && query.error.data?.code === "NOT_FOUND";
    return (
      <>
        <PageHeader title={`Cluster ${name}`} />
        {notFound ? (
          <EmptyState title={`No cluster named “${name}”`}>
            <p>
              It may have left the federation, or not been synced yet. See <Link href="/clusters">all clusters</Link>.
            </p>
          </EmptyState>
        ) : (
          <ErrorNotice error={query.error} title="Could not load the cluster" />
        )}
      </>
    );
  }

  const labels = Object.entries(cluster.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const deployed = cluster.services.filter((service) => service.status === "Deployed").length;
  return (
    <>
      <PageHeader
        title={cluster.name}
        description={
          <span className={styles.headline}>
            <StatusBadge status={cluster.ready ? "Ready" : "NotReady"} label={cluster.ready ? "Ready" : "Not ready"} />
            <span>{cluster.location ?? "no location set"}</span>
            {cluster.region && <span className="muted">region {cluster.region}</span>}
            <span className="muted" title={formatDateTime(cluster.lastSyncedAt)}>
              synced {timeAgo(cluster.lastSyncedAt)}
            </span>
          </span>
        }
        actions={
          <Link href="/clusters" className="button">
            All clusters
          </Link>
        }
      />
      <ErrorNotice error={query.error} title="Could not refresh the cluster" />
      {!cluster.ready && (
        <div className="notice" role="note">
          <strong>Not ready{cluster.readyReason ? `: ${cluster.readyReason}` : ""}.</strong> Placement does not use this cluster until it is ready again
          {cluster.stale ? "; the figures below are from before it became not ready" : ""}.
        </div>
      )}

      <section aria-labelledby="capacity-heading">
        <h2 id="capacity-heading" className={styles.heading}>
          Capacity
        </h2>
        <div className={`card ${styles.capacity}`}>
          <Meter label="CPU" used={cluster.allocatableCpu - cluster.availableCpu} total={cluster.allocatableCpu} format={formatCores} />
          <Meter label="Memory" used={cluster.allocatableMemory - cluster.availableMemory} total={cluster.allocatableMemory} format={formatMemory} />
          <Meter label="GPU" used={cluster.gpus - cluster.availableGpus} total={cluster.gpus} format={formatGpus} />
        </div>
        <div className={`stats ${styles.detailStats}`}>
          <Stat label="Carbon intensity" value={cluster.carbonIntensity === null ? "—" : cluster.carbonIntensity} detail={cluster.carbonIntensity === null ? "not set" : "gCO₂/kWh"} />
          <Stat label="Services placed" value={cluster.services.length} detail={`${deployed} deployed`} />
          <Stat label="Requested by SMO's services" value={formatCores(cluster.used.cpu)} detail={formatMemory(cluster.used.memory)} />
          <Stat label="GPU services" value={cluster.used.gpuServices} />
        </div>
      </section>

      {labels.length > 0 && (
        <section className="section" aria-labelledby="labels-heading">
          <h2 id="labels-heading" className={styles.heading}>
            Labels
          </h2>
          <ul className={styles.labels} aria-label="Labels of the cluster">
            {labels.map(([key, value]) => (
              <li key={key} className="tag mono">
                {key}={value}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="section" aria-labelledby="services-heading">
        <h2 id="services-heading" className={styles.heading}>
          Services placed here
        </h2>
        {cluster.services.length === 0 ? (
          <EmptyState title="No services are placed on this cluster">
            {canDeploy ? (
              <p>
                <Link href="/deploy">Deploy a graph</Link>; placement puts its services on the clusters that fit them best.
              </p>
            ) : (
              <p>Services appear here when a graph placed on this cluster is deployed.</p>
            )}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className={styles.table}>
              <caption className="visually-hidden">Services placed on cluster {cluster.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Graph</th>
                  <th scope="col">Project</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="number">
                    Replicas
                  </th>
                  <th scope="col" className="number">
                    CPU per replica
                  </th>
                  <th scope="col" className="number">
                    Memory per replica
                  </th>
                  <th scope="col">GPU</th>
                </tr>
              </thead>
              <tbody>
                {cluster.services.map((service) => (
                  <tr key={`${service.graph}/${service.name}`}>
                    <th scope="row" className="mono">
                      {service.name}
                    </th>
                    <td>
                      <Link href={`/graphs/${encodeURIComponent(service.graph)}`}>{service.graph}</Link>
                    </td>
                    <td>{service.project}</td>
                    <td>
                      <StatusBadge status={service.status} />
                    </td>
                    <td className="number">{service.replicas}</td>
                    <td className="number">{formatCores(service.cpu)}</td>
                    <td className="number">{formatMemory(service.memory)}</td>
                    <td>{service.gpu ? <span className="tag gpu">GPU</span> : <span className="muted">no</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="section" aria-labelledby="grafana-heading">
        <div className={styles.sectionHeader}>
          <h2 id="grafana-heading" className={styles.heading}>
            Grafana
          </h2>
          {cluster.grafanaUrl && (
            <a href={cluster.grafanaUrl} target="_blank" rel="noreferrer">
              Open the dashboard in Grafana
            </a>
          )}
        </div>
        {cluster.grafanaUrl ? (
          <GrafanaPanels cluster={cluster.name} dashboardUrl={cluster.grafanaUrl} />
        ) : (
          <p className="card muted">
            No dashboard is published for this cluster yet. SMO publishes it when it first syncs the cluster, and retries later when Grafana was unreachable.
          </p>
        )}
      </section>

      {isAdmin && (
        <section className="section" aria-labelledby="attributes-heading">
          <h2 id="attributes-heading" className={styles.heading}>
            Attributes
          </h2>
          <div className={`card ${styles.attributesCard}`}>
            <AttributesForm name={cluster.name} version={cluster.version} location={cluster.location} carbonIntensity={cluster.carbonIntensity} />
          </div>
        </section>
      )}
    </>
  );
}
