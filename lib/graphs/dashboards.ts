/**
 * The Grafana dashboards of a graph: one per service and one for the graph with a `service`
 * variable (SPEC §3). Publishing overwrites by uid, so a repeated step never makes a second one.
 */
import { eq, sql } from "drizzle-orm";
import { graphs } from "../../db/schema";
import type { CoreContext } from "../context";
import { buildGraphDashboard, buildServiceDashboard, dashboardUid, type GrafanaClient } from "../grafana";
import { PreconditionFailedError } from "../errors";
import { updateService, type GraphRow, type ServiceRow } from "./records";

/** What a dashboard step stores in its detail, enough for the reconciler to publish it later. */
export type DashboardStepDetail =
  | { dashboard: "service"; uid: string; project: string; graph: string; service: string }
  | { dashboard: "graph"; uid: string; project: string; graph: string; services: string[] };

export function serviceDashboardDetail(graph: Pick<GraphRow, "name" | "project">, service: string): DashboardStepDetail {
  return { dashboard: "service", uid: dashboardUid("service", graph.project, graph.name, service), project: graph.project, graph: graph.name, service };
}

export function graphDashboardDetail(graph: Pick<GraphRow, "name" | "project">, services: string[]): DashboardStepDetail {
  return { dashboard: "graph", uid: dashboardUid("graph", graph.project, graph.name), project: graph.project, graph: graph.name, services };
}

/** Every dashboard uid of a graph (to delete them with it). */
export function dashboardUidsOf(graph: Pick<GraphRow, "name" | "project">, services: string[]): string[] {
  return [dashboardUid("graph", graph.project, graph.name), ...services.map((service) => dashboardUid("service", graph.project, graph.name, service))];
}

function requireGrafana(ctx: Pick<CoreContext, "clients">): GrafanaClient {
  const grafana = ctx.clients.grafana;
  // Steps are only created when a client is configured; a reconciler run without one cannot publish.
  if (!grafana) throw new PreconditionFailedError("no Grafana is configured: dashboards cannot be published");
  return grafana;
}

function publicUrl(ctx: Pick<CoreContext, "config" | "clients">, path: string): string {
  const base = (ctx.config.grafana.publicUrl ?? ctx.clients.grafana?.url ?? "").replace(/\/+$/, "");
  return `${base}${path}`;
}

/** Publishes the dashboard and stores its URL on the service or graph; returns the URL. */
export async function publishDashboard(
  ctx: Pick<CoreContext, "clients" | "config" | "db">,
  detail: DashboardStepDetail,
  rows: { graphId: number; service?: Pick<ServiceRow, "id"> },
): Promise<string> {
  const grafana = requireGrafana(ctx);
  const options = { datasourceUid: ctx.config.grafana.datasourceUid };
  const dashboard =
    detail.dashboard === "service"
      ? buildServiceDashboard({ graph: detail.graph, project: detail.project, service: detail.service }, options)
      : buildGraphDashboard({ name: detail.graph, project: detail.project, services: detail.services }, options);
  const published = await grafana.publishDashboard(dashboard, { message: `SMO: ${detail.dashboard} dashboard of ${detail.project}/${detail.graph}` });
  const url = publicUrl(ctx, published.url);
  if (detail.dashboard === "service" && rows.service) await updateService(ctx.db, rows.service.id, { grafanaUrl: url });
  if (detail.dashboard === "graph") {
    await ctx.db
      .update(graphs)
      .set({ grafanaUrl: url, updatedAt: sql`now()` })
      .where(eq(graphs.id, rows.graphId));
  }
  return url;
}

export async function deleteDashboard(ctx: Pick<CoreContext, "clients">, uid: string): Promise<void> {
  await requireGrafana(ctx).deleteDashboard(uid);
}
