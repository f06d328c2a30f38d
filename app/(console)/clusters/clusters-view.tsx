"use client";
/** The member clusters: capacity charts, then one row per cluster with readiness, location, carbon and the figures of the charts. */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDateTime, formatMemory, formatPercent, timeAgo } from "@/app/_components/format";
import { useCan } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { CapacityChart, type CapacityRow } from "./capacity-charts";
import { formatCores, formatGpus } from "./meter";
import { SyncClustersButton } from "./sync-button";
import styles from "./clusters.module.css";

const TABLE_ID = "cluster-table";
const GIB = 2 ** 30;

export function ClustersView() {
  const trpc = useTRPC();
  const canSync = useCan("operator");
  const clusters = useQuery({ ...trpc.clusters.list.queryOptions(), refetchInterval: 15_000 });
  const rows = clusters.data ?? [];

  const capacity = (pick: (row: (typeof rows)[number]) => { allocatable: number; available: number }, scale = 1): CapacityRow[] =>
    rows.map((row) => {
      const { allocatable, available } = pick(row);
      return { name: row.name, ready: row.ready, allocated: Math.max(allocatable - available, 0) / scale, available: Math.max(available, 0) / scale };
    });

  return (
    <>
      <PageHeader
        title="Clusters"
        description="The member clusters of the Karmada federation: what they can hold, what is allocated, where they are and how green their power is."
        actions={<SyncClustersButton />}
      />
      <ErrorNotice error={clusters.error} title="Could not load the clusters" />
      {clusters.isPending ? (
        <Loading label="Loading clusters…" />
      ) : rows.length === 0 ? (
        <EmptyState title="No clusters known yet">
          <p>Clusters appear after a sync reads the members of the Karmada federation.</p>
          {canSync ? <p>Use “Sync from Karmada” above.</p> : <p>Ask an operator to sync the clusters.</p>}
        </EmptyState>
      ) : (
        <>
          <section aria-labelledby="capacity-heading">
            <h2 id="capacity-heading" className={styles.heading}>
              Capacity
            </h2>
            <div className={styles.charts}>
              <CapacityChart
                title="CPU"
                unit="cores"
                rows={capacity((row) => ({ allocatable: row.allocatableCpu, available: row.availableCpu }))}
                format={formatCores}
                tableId={TABLE_ID}
              />
              <CapacityChart
                title="Memory"
                unit="GiB"
                rows={capacity((row) => ({ allocatable: row.allocatableMemory, available: row.availableMemory }), GIB)}
                format={(gib) => formatMemory(gib * GIB)}
                tableId={TABLE_ID}
              />
              <CapacityChart title="GPU" unit="GPUs" rows={capacity((row) => ({ allocatable: row.gpus, available: row.availableGpus }))} format={formatGpus} tableId={TABLE_ID} />
            </div>
          </section>

          <section className="section" aria-labelledby="members-heading">
            <h2 id="members-heading" className={styles.heading}>
              Members
            </h2>
            <div className="table-wrap">
              <table id={TABLE_ID} className={styles.table}>
                <caption className="visually-hidden">Member clusters with their readiness, location, carbon intensity and allocated of allocatable capacity</caption>
                <thead>
                  <tr>
                    <th scope="col">Cluster</th>
                    <th scope="col">Status</th>
                    <th scope="col">Location</th>
                    <th scope="col" className="number">
                      Carbon intensity
                    </th>
                    <th scope="col" className="number">
                      CPU allocated
                    </th>
                    <th scope="col" className="number">
                      Memory allocated
                    </th>
                    <th scope="col" className="number">
                      GPUs allocated
                    </th>
                    <th scope="col">Synced</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.name}>
                      <th scope="row">
                        <Link href={`/clusters/${encodeURIComponent(row.name)}`}>{row.name}</Link>
                      </th>
                      <td>
                        <StatusBadge status={row.ready ? "Ready" : "NotReady"} label={row.ready ? "Ready" : "Not ready"} />
                        {!row.ready && row.readyReason && <div className={`muted ${styles.reason}`}>{row.readyReason}</div>}
                        {row.stale && <div className={`muted ${styles.reason}`}>figures from before it became not ready</div>}
                      </td>
                      <td>
                        <span className={styles.nowrap}>{row.location ?? <span className="muted">—</span>}</span>
                        {row.region && row.region !== row.location && <div className={`muted ${styles.reason}`}>{row.region}</div>}
                      </td>
                      <td className={`number ${styles.nowrap}`}>{row.carbonIntensity === null ? <span className="muted">—</span> : `${row.carbonIntensity} gCO₂/kWh`}</td>
                      <td className="number">
                        <Allocated used={row.allocatableCpu - row.availableCpu} total={row.allocatableCpu} format={formatCores} />
                      </td>
                      <td className="number">
                        <Allocated used={row.allocatableMemory - row.availableMemory} total={row.allocatableMemory} format={formatMemory} />
                      </td>
                      <td className="number">
                        {row.gpus === 0 ? <span className="muted">none</span> : <Allocated used={row.gpus - row.availableGpus} total={row.gpus} format={formatGpus} />}
                      </td>
                      <td>
                        <span className={styles.nowrap} title={formatDateTime(row.lastSyncedAt)}>
                          {timeAgo(row.lastSyncedAt)}
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}

function Allocated({ used, total, format }: { used: number; total: number; format: (value: number) => string }) {
  return (
    <>
      <span className={styles.nowrap}>{format(Math.max(used, 0))}</span> <span className={`muted ${styles.nowrap}`}>of {format(total)}</span>
      {total > 0 && <div className={`muted ${styles.reason}`}>{formatPercent(Math.max(used, 0) / total)}</div>}
    </>
  );
}
