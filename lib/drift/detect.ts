/**
 * Drift: where what runs differs from what the database records. Releases are read with helm,
 * Deployments and their clusters from Karmada; graphs in the middle of an operation are skipped
 * (their differences are the operation's work in progress, not drift).
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import { events, graphs, operations } from "../../db/schema";
import type { CoreContext } from "../context";
import { recordEvent } from "../events";
import type { HelmListedRelease } from "../helm";
import { listGraphServices, requireGraph, sameClusters, type GraphRow, type ServiceRow } from "../graphs/records";

export type DriftKind = "release-missing" | "release-failed" | "orphan-release" | "deployment-missing" | "replicas-changed" | "clusters-differ";

export type DriftItem = {
  kind: DriftKind;
  graph: string;
  project: string;
  service: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** Not reported before (no event with the same finding since the graph's last operation). */
  isNew: boolean;
};

export type DriftReport = { items: DriftItem[]; checked: string[]; skipped: { graph: string; reason: string }[] };

const SETTLED_STATUSES = new Set<GraphRow["status"]>(["Running", "Stopped", "Failed"]);

/** Compares every settled graph (or one) with what runs, and records an event for each new finding. */
export async function detectDrift(ctx: CoreContext, input: { graphName?: string } = {}): Promise<DriftReport> {
  const targets = input.graphName ? [await requireGraph(ctx.db, input.graphName)] : await ctx.db.select().from(graphs).orderBy(graphs.name);
  const report: DriftReport = { items: [], checked: [], skipped: [] };
  const releasesByProject = new Map<string, Promise<HelmListedRelease[]>>();
  for (const graph of targets) {
    if (!SETTLED_STATUSES.has(graph.status)) {
      report.skipped.push({ graph: graph.name, reason: `${graph.status}: an operation is changing it` });
      continue;
    }
    if (!releasesByProject.has(graph.project)) releasesByProject.set(graph.project, ctx.clients.helm.list({ namespace: graph.project }));
    const releases = await releasesByProject.get(graph.project)!;
    const found = await findGraphDrift(ctx, graph, releases);
    for (const item of found) {
      item.isNew = await isNewFinding(ctx, graph, item);
      if (item.isNew) {
        await recordEvent(ctx, {
          kind: `drift.${item.kind}`,
          severity: "warning",
          message: item.message,
          project: graph.project,
          graphName: graph.name,
          serviceName: item.service,
          detail: { signature: signatureOf(item), expected: item.expected, actual: item.actual },
        });
      }
    }
    report.items.push(...found);
    report.checked.push(graph.name);
  }
  return report;
}

/** The differences of one graph, without recording anything. */
export async function findGraphDrift(ctx: CoreContext, graph: GraphRow, releases?: HelmListedRelease[]): Promise<DriftItem[]> {
  const listed = releases ?? (await ctx.clients.helm.list({ namespace: graph.project }));
  const byName = new Map(listed.map((release) => [release.release, release]));
  const rows = await listGraphServices(ctx.db, graph.id);
  const found = await Promise.all(rows.map((service) => findServiceDrift(ctx, graph, service, byName.get(service.name))));
  return found.flat();
}

async function findServiceDrift(ctx: CoreContext, graph: GraphRow, service: ServiceRow, release: HelmListedRelease | undefined): Promise<DriftItem[]> {
  const item = (kind: DriftKind, message: string, expected?: unknown, actual?: unknown): DriftItem => ({
    kind,
    graph: graph.name,
    project: graph.project,
    service: service.name,
    message,
    expected,
    actual,
    isNew: false,
  });
  if (service.status === "Failed") return [];
  if (service.status !== "Deployed") {
    return release ? [item("orphan-release", `release ${graph.project}/${service.name} exists (${release.status}, revision ${release.revision}) but ${service.name} is ${service.status}`, service.status, release.status)] : [];
  }
  if (!release) return [item("release-missing", `${service.name} is Deployed but its release is not installed in ${graph.project}`, "deployed", "absent")];
  if (release.status !== "deployed") return [item("release-failed", `release ${graph.project}/${service.name} is ${release.status}`, "deployed", release.status)];
  const [deployment, running] = await Promise.all([
    ctx.clients.karmada.getDeployment(graph.project, service.name),
    ctx.clients.karmada.getReleasePlacement(graph.project, service.name),
  ]);
  if (!deployment) return [item("deployment-missing", `the Deployment of ${service.name} is gone from ${graph.project} although its release is installed`, "present", "absent")];
  const items: DriftItem[] = [];
  if (deployment.replicas !== service.replicas) {
    items.push(item("replicas-changed", `${service.name} runs ${deployment.replicas} replica(s), ${service.replicas} recorded`, service.replicas, deployment.replicas));
  }
  if (running.length > 0 && service.clusters.length > 0 && !sameClusters(running, service.clusters)) {
    items.push(item("clusters-differ", `${service.name} runs on ${[...running].sort().join(", ")}, placed on ${[...service.clusters].sort().join(", ")}`, [...service.clusters].sort(), [...running].sort()));
  }
  return items;
}

function signatureOf(item: DriftItem): string {
  return JSON.stringify([item.kind, item.service, item.actual ?? null]);
}

/** New unless the same finding was recorded after the graph's last finished operation. */
async function isNewFinding(ctx: CoreContext, graph: GraphRow, item: DriftItem): Promise<boolean> {
  const [last] = await ctx.db
    .select({ at: events.at, detail: events.detail })
    .from(events)
    .where(and(eq(events.graphName, graph.name), eq(events.serviceName, item.service), eq(events.kind, `drift.${item.kind}`)))
    .orderBy(desc(events.id))
    .limit(1);
  if (!last || last.detail?.signature !== signatureOf(item)) return true;
  const [operation] = await ctx.db
    .select({ finishedAt: operations.finishedAt })
    .from(operations)
    .where(and(eq(operations.graphId, graph.id), isNotNull(operations.finishedAt)))
    .orderBy(desc(operations.finishedAt))
    .limit(1);
  return operation?.finishedAt ? last.at < operation.finishedAt : false;
}
