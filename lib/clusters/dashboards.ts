/**
 * A cluster's Grafana dashboard: published when SMO first sees the cluster, and its browser
 * URL stored on the cluster row. Publishing overwrites by uid, so a retry never makes a second one.
 */
import { eq } from "drizzle-orm";
import { clusters } from "../../db/schema";
import type { CoreContext } from "../context";
import { UpstreamError, ValidationError } from "../errors";
import { buildClusterDashboard, dashboardUid } from "../grafana";
import type { DeferredStepHandlers, StepRecord } from "../operations";

/** The operation step that publishes one cluster dashboard; deferrable (Grafana being down must not fail a sync). */
export const CLUSTER_DASHBOARD_STEP = "grafana-cluster-dashboard";

export type ClusterDashboardStepDetail = { cluster: string; uid: string };

export function clusterDashboardStepDetail(cluster: string): ClusterDashboardStepDetail {
  return { cluster, uid: dashboardUid("cluster", cluster) };
}

/** Publishes (creates or overwrites) the cluster's dashboard and stores its URL; returns that URL. */
export async function publishClusterDashboard(ctx: Pick<CoreContext, "db" | "clients" | "config" | "clock">, cluster: string): Promise<string> {
  const grafana = ctx.clients.grafana;
  if (!grafana) throw new UpstreamError("grafana", `cannot publish the dashboard of cluster "${cluster}": no Grafana is configured`, { reason: "not-configured" });
  const dashboard = buildClusterDashboard(cluster, { datasourceUid: ctx.config.grafana.datasourceUid });
  const published = await grafana.publishDashboard(dashboard, { message: `cluster ${cluster}, published by SMO Console` });
  const grafanaUrl = joinGrafanaUrl(ctx.config.grafana.publicUrl ?? grafana.url, published.url);
  await ctx.db.update(clusters).set({ grafanaUrl, updatedAt: ctx.clock() }).where(eq(clusters.name, cluster));
  return grafanaUrl;
}

/** How the reconciler retries a deferred cluster dashboard step. */
export const clusterDeferredStepHandlers: DeferredStepHandlers = {
  [CLUSTER_DASHBOARD_STEP]: async (ctx, step) => {
    await publishClusterDashboard(ctx, clusterOfDashboardStep(step));
  },
};

/** Reads the cluster name back from a persisted step's detail (or its target), refusing anything else. */
export function clusterOfDashboardStep(step: Pick<StepRecord, "target" | "detail">): string {
  const fromDetail = step.detail?.cluster;
  const cluster = typeof fromDetail === "string" && fromDetail !== "" ? fromDetail : step.target;
  if (!cluster) throw new ValidationError([{ path: "step.detail.cluster", message: `a ${CLUSTER_DASHBOARD_STEP} step must name its cluster` }]);
  return cluster;
}

/**
 * `base` + Grafana's relative dashboard URL. Grafana served from a sub path already puts that
 * path in front of the URLs it returns, so it is not added twice.
 */
export function joinGrafanaUrl(base: string, relativeUrl: string): string {
  const root = new URL(base);
  const basePath = root.pathname.replace(/\/+$/, "");
  const path = relativeUrl.startsWith("/") ? relativeUrl : `/${relativeUrl}`;
  const fullPath = basePath !== "" && (path === basePath || path.startsWith(`${basePath}/`)) ? path : `${basePath}${path}`;
  return `${root.origin}${fullPath}`;
}
