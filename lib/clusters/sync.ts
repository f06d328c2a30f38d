/**
 * `sync` (SPEC §6): reads the member clusters from Karmada and stores them, as a durable
 * operation: `karmada-list`, `store`, then one deferrable `grafana-cluster-dashboard` step per
 * cluster that has no dashboard yet (Grafana being down never fails a sync; the reconciler
 * publishes later through `clusterDeferredStepHandlers`).
 */
import type { CoreContext } from "../context";
import type { ClusterState } from "../karmada";
import { runOperation, type OperationExecutors, type OperationHandle, type OperationRecord, type StepResult } from "../operations";
import { CLUSTER_DASHBOARD_STEP, clusterDashboardStepDetail, publishClusterDashboard } from "./dashboards";
import { listClusters } from "./list";
import { storeClusters, type StoreOutcome } from "./store";
import type { ClusterRecord } from "./types";

export type SyncClustersResult = {
  operation: OperationRecord;
  /** Every stored cluster after the sync, removed ones included (marked not ready). */
  clusters: ClusterRecord[];
  added: string[];
  changed: string[];
  removed: string[];
};

/** Grafana publishes are small requests; a few at a time keeps a large federation's first sync short without flooding Grafana. */
const DASHBOARD_CONCURRENCY = 4;

/** The listing with its time, persisted as the step's result so that a resumed sync stores what was listed then. */
type KarmadaListing = { listedAt: string; clusters: ClusterState[] };

/**
 * Runs a `sync` operation. When it fails (Karmada unreachable, the database refusing the write), the
 * failed operation is recorded with its step and the step's own error is thrown (e.g. UpstreamError("karmada")).
 */
export async function syncClusters(ctx: CoreContext): Promise<SyncClustersResult> {
  let outcome: StoreOutcome | undefined;
  let stepError: unknown;
  const operation = await runOperation(ctx, { kind: "sync" }, async (opCtx, op) => {
    outcome = await executeClusterSync(opCtx, op, (error) => (stepError ??= error));
  });
  if (operation.status !== "succeeded" || !outcome) {
    throw stepError ?? new Error(`cluster sync (operation ${operation.id}) ${operation.status}: ${operation.error ?? "no error recorded"}`);
  }
  return { operation, clusters: await listClusters(ctx), added: outcome.added, changed: outcome.changed, removed: outcome.removed };
}

/** The executor of `sync` operations, for retrying a failed sync and resuming one whose process died (`recoverOperations`). */
export const clusterOperationExecutors: OperationExecutors = {
  sync: async (ctx, op) => {
    await executeClusterSync(ctx, op);
  },
};

async function executeClusterSync(ctx: CoreContext, op: OperationHandle, onStepError: (error: unknown) => void = () => undefined): Promise<StoreOutcome> {
  const remembered =
    <T>(run: () => Promise<T>) =>
    async (): Promise<T> => {
      try {
        return await run();
      } catch (error) {
        onStepError(error);
        throw error;
      }
    };
  const listing = valueOf(
    await op.step(
      // No target: (action, target) identifies the step, and a retry may reach Karmada under another URL.
      { action: "karmada-list", detail: { server: ctx.clients.karmada.server } },
      remembered(async (): Promise<KarmadaListing> => {
        const listedAt = ctx.clock().toISOString();
        return { listedAt, clusters: await ctx.clients.karmada.listClusters() };
      }),
    ),
  );
  const outcome = valueOf(
    await op.step(
      { action: "store", detail: { clusters: listing.clusters.map((state) => state.name) } },
      remembered(() => storeClusters(ctx, listing.clusters, new Date(listing.listedAt), op.id)),
    ),
  );
  await publishMissingDashboards(ctx, op, outcome.dashboardsNeeded);
  return outcome;
}

async function publishMissingDashboards(ctx: CoreContext, op: OperationHandle, clusters: string[]): Promise<void> {
  // Without a configured Grafana there is nothing to publish to; a later sync with one publishes them.
  if (!ctx.clients.grafana || clusters.length === 0) return;
  await op.steps(
    clusters.map((cluster) => ({
      spec: { action: CLUSTER_DASHBOARD_STEP, target: cluster, deferrable: true, detail: clusterDashboardStepDetail(cluster) },
      run: async () => {
        await publishClusterDashboard(ctx, cluster);
      },
    })),
    DASHBOARD_CONCURRENCY,
  );
}

/** The value of a non-deferrable step (those either succeed or throw). */
function valueOf<T>(result: StepResult<T>): T {
  if (result.status !== "succeeded") throw new Error(`a non-deferrable step was deferred: ${result.error}`);
  return result.value;
}
