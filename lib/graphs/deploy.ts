/**
 * deployGraph (SPEC §3): record the graph and its services, place them, then in one durable
 * operation install every service (event-triggered ones get their alert rules and stay Pending),
 * publish the dashboards, and mark the graph Running.
 */
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Transaction } from "../../db";
import { graphs, placements, projects, services } from "../../db/schema";
import type { CoreContext } from "../context";
import { ConflictError, PreconditionFailedError, ValidationError } from "../errors";
import { recordEvent } from "../events";
import type { Hdag } from "../hdag/types";
import { assertValidName } from "../names";
import { runOperation, startOperation, type OperationHandle, type OperationRecord } from "../operations";
import { PLACEMENT_ALGORITHMS, type PlacementAlgorithm, type PlacementWeights } from "../placement/types";
import { graphDashboardDetail, publishDashboard, serviceDashboardDetail } from "./dashboards";
import { readDescriptor, type DescriptorSource } from "./descriptor";
import { requireGraphOfOperation, runStepBatch, type BatchedStep } from "./operation-support";
import { planGraphPlacement, readFederation, resolveWeights } from "./placing";
import { getGraph, type GraphDetail } from "./queries";
import { findService, hdagOfGraph, isUniqueViolation, isEventTriggered, listGraphServices, setGraphStatus, updateService, type GraphRow, type StoredTrigger } from "./records";
import { addAlertRules, currentValuesOf, installService } from "./service-steps";

export type DeployGraphInput = {
  project: string;
  descriptor: DescriptorSource;
  /** The first placement's algorithm; default `config.placement.initialAlgorithm` (first-fit, as the original). */
  algorithm?: PlacementAlgorithm;
  /** Weights of this graph's placements (merged over the configured ones). */
  weights?: Partial<PlacementWeights>;
  /** Wait for the operation to end (default true); false returns once it is recorded and running. */
  wait?: boolean;
};

export type DeployGraphResult = {
  graph: GraphDetail;
  operation: OperationRecord;
  /** Settles with the final operation (already settled when `wait` is true). */
  done: Promise<OperationRecord>;
};

/** What a deploy operation keeps in its input: enough to run again after a crash. */
export type DeployOperationInput = { service?: string; trigger?: Record<string, unknown> };

const WeightsSchema = z
  .object({
    migration: z.number().finite().nonnegative(),
    carbon: z.number().finite().nonnegative(),
    communication: z.number().finite().nonnegative(),
    balance: z.number().finite().nonnegative(),
  })
  .partial()
  .strict();

export function validatePlacementOptions(input: { algorithm?: unknown; weights?: unknown }): { algorithm?: PlacementAlgorithm; weights?: Partial<PlacementWeights> } {
  const issues = [];
  if (input.algorithm !== undefined && !PLACEMENT_ALGORITHMS.includes(input.algorithm as PlacementAlgorithm)) {
    issues.push({ path: "algorithm", message: `must be one of ${PLACEMENT_ALGORITHMS.join(", ")} (got ${JSON.stringify(input.algorithm)})` });
  }
  let weights: Partial<PlacementWeights> | undefined;
  if (input.weights !== undefined) {
    const parsed = WeightsSchema.safeParse(input.weights);
    if (parsed.success) weights = parsed.data;
    else for (const issue of parsed.error.issues) issues.push({ path: ["weights", ...issue.path.map(String)].join("."), message: issue.message });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { algorithm: input.algorithm as PlacementAlgorithm | undefined, weights };
}

export async function deployGraph(ctx: CoreContext, input: DeployGraphInput): Promise<DeployGraphResult> {
  assertValidName(input.project, "project");
  const options = validatePlacementOptions(input);
  const { hdag, text, source } = await readDescriptor(ctx, input.descriptor);
  const graph = await insertGraph(ctx, { project: input.project, hdag, text, source, algorithm: options.algorithm ?? ctx.config.placement.initialAlgorithm, weights: options.weights });
  await recordEvent(ctx, {
    kind: "graph.deploy-requested",
    message: `deploy of ${graph.name} (${hdag.services.length} services) into ${graph.project} requested`,
    project: graph.project,
    graphName: graph.name,
    detail: { source, algorithm: graph.placementAlgorithm },
  });
  const operationInput = { kind: "deploy" as const, graphName: graph.name, graphId: graph.id, project: graph.project, input: {} satisfies DeployOperationInput };
  if (input.wait === false) {
    const started = await startOperation(ctx, operationInput, executeDeploy);
    return { graph: await getGraph(ctx, graph.name), operation: started.operation, done: started.done };
  }
  const operation = await runOperation(ctx, operationInput, executeDeploy);
  return { graph: await getGraph(ctx, graph.name), operation, done: Promise.resolve(operation) };
}

type NewGraph = { project: string; hdag: Hdag; text: string; source: string; algorithm: PlacementAlgorithm; weights?: Partial<PlacementWeights> };

/**
 * One transaction: the project (created when missing), the graph and its services. The graph
 * name's unique constraint decides between concurrent deploys of one name.
 */
async function insertGraph(ctx: CoreContext, graph: NewGraph): Promise<GraphRow> {
  const { hdag } = graph;
  try {
    return await ctx.db.transaction(async (tx) => {
      await tx.insert(projects).values({ name: graph.project, createdBy: ctx.actor.name }).onConflictDoNothing();
      // Concurrent deploys into one project take turns here, so the release-name check below cannot race.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`smo-project:${graph.project}`}))`);
      const [existing] = await tx.select({ id: graphs.id }).from(graphs).where(eq(graphs.name, hdag.id)).limit(1);
      if (existing) throw new ConflictError(`graph "${hdag.id}" already exists`);
      await assertReleaseNamesFree(tx, graph.project, hdag);
      const [row] = await tx
        .insert(graphs)
        .values({
          name: hdag.id,
          project: graph.project,
          status: "Deploying",
          descriptor: hdag.raw,
          descriptorText: graph.text,
          source: graph.source,
          placementAlgorithm: graph.algorithm,
          placementWeights: graph.weights ?? null,
          createdBy: ctx.actor.name,
        })
        .returning();
      await tx.insert(services).values(
        hdag.services.map((service) => ({
          graphId: row!.id,
          name: service.id,
          status: service.trigger.kind === "event" ? ("Pending" as const) : ("Not deployed" as const),
          cpu: service.compute.cpu,
          memory: service.compute.memory,
          storage: service.compute.storage,
          gpu: service.compute.gpu,
          replicas: Math.max(1, service.spread),
          artifactRef: service.artifact.ociImage,
          artifactType: service.artifact.type,
          artifactImplementer: service.artifact.implementer,
          valuesOverwrite: service.artifact.valuesOverwrite,
          trigger: service.trigger.kind === "event" ? ({ condition: service.trigger.condition, events: service.trigger.events } satisfies StoredTrigger) : null,
        })),
      );
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`graph "${hdag.id}" already exists`, { cause: error });
    throw error;
  }
}

/**
 * Releases are named after services inside the project's namespace, and alert rules are keyed by
 * the service name alone: a service name taken by another graph would make two graphs share a
 * release or an alert.
 */
async function assertReleaseNamesFree(tx: Transaction, project: string, hdag: Hdag): Promise<void> {
  const names = hdag.services.map((service) => service.id);
  const taken = await tx
    .select({ service: services.name, graph: graphs.name })
    .from(services)
    .innerJoin(graphs, eq(services.graphId, graphs.id))
    .where(and(eq(graphs.project, project), inArray(services.name, names)));
  const eventNames = hdag.services.filter((service) => service.trigger.kind === "event").map((service) => service.id);
  const alertTaken = eventNames.length
    ? await tx
        .select({ service: services.name, graph: graphs.name })
        .from(services)
        .innerJoin(graphs, eq(services.graphId, graphs.id))
        .where(and(inArray(services.name, eventNames), isNotNull(services.trigger)))
    : [];
  const conflicts = [
    ...taken.map((row) => `service "${row.service}" is already a release of graph "${row.graph}" in project "${project}"`),
    ...alertTaken.filter((row) => !taken.some((other) => other.service === row.service)).map((row) => `event-triggered service "${row.service}" already has alert rules for graph "${row.graph}"`),
  ];
  if (conflicts.length > 0) throw new ConflictError(conflicts.join("; "));
}

/** The executor of every `deploy` operation: a whole graph, or one event-triggered service (alert webhook). */
export async function executeDeploy(ctx: CoreContext, op: OperationHandle): Promise<void> {
  const input = op.record.input as DeployOperationInput;
  if (typeof input.service === "string") return executeTriggeredServiceDeploy(ctx, op, input.service);
  return executeGraphDeploy(ctx, op);
}

async function executeGraphDeploy(ctx: CoreContext, op: OperationHandle): Promise<void> {
  let graph = await requireGraphOfOperation(ctx, op);
  const hdag = hdagOfGraph(graph);
  if (graph.status !== "Deploying") await setGraphStatus(ctx.db, graph.id, "Deploying");

  await op.step({ action: "placement", target: graph.name }, (log) => placeGraph(ctx, op, graph, hdag, log));

  const rows = await listGraphServices(ctx.db, graph.id);
  const batch: BatchedStep[] = [];
  for (const service of rows) {
    if (isEventTriggered(service)) {
      batch.push({
        spec: { action: "alert-rule", target: service.name, deferrable: true, detail: { service: service.name, graph: graph.name, project: graph.project } },
        run: (log) => addAlertRules(ctx, service, log),
      });
    } else if (service.status !== "Deployed") {
      const values = currentValuesOf(hdag, rows, service);
      batch.push({
        spec: { action: "helm-install", target: service.name, detail: { release: service.name, namespace: graph.project, chart: service.artifactRef } },
        run: (log) => installService(ctx, op, graph, service, values, log),
      });
    }
  }
  if (ctx.clients.grafana) {
    for (const service of rows) {
      const detail = serviceDashboardDetail(graph, service.name);
      batch.push({ spec: { action: "grafana-dashboard", target: detail.uid, deferrable: true, detail }, run: () => publishDashboard(ctx, detail, { graphId: graph.id, service }) });
    }
  }
  const failure = await runStepBatch(ctx, op, batch);
  if (ctx.clients.grafana) {
    const detail = graphDashboardDetail(graph, rows.map((service) => service.name));
    await op.step({ action: "grafana-dashboard", target: detail.uid, deferrable: true, detail }, () => publishDashboard(ctx, detail, { graphId: graph.id }));
  }
  graph = await requireGraphOfOperation(ctx, op);
  const final = await listGraphServices(ctx.db, graph.id);
  if (failure !== undefined) {
    await setGraphStatus(ctx.db, graph.id, "Failed");
    const failed = final.filter((service) => service.status === "Failed").map((service) => service.name);
    await recordEvent(ctx, {
      kind: "graph.deploy-failed",
      severity: "error",
      message: `deploy of ${graph.name} failed${failed.length ? ` for ${failed.join(", ")}` : ""}; retry the operation to complete it`,
      project: graph.project,
      graphName: graph.name,
      operationId: op.id,
    });
    throw failure;
  }
  await setGraphStatus(ctx.db, graph.id, "Running");
  const pending = final.filter((service) => service.status === "Pending").map((service) => service.name);
  await recordEvent(ctx, {
    kind: "graph.deployed",
    message: `${graph.name} is running${pending.length ? ` (${pending.join(", ")} pending until their event fires)` : ""}`,
    project: graph.project,
    graphName: graph.name,
    operationId: op.id,
  });
}

/**
 * Step `placement`: places the graph over the Ready clusters and records it. A graph with
 * `useStaticPlacement` keeps the clusters its descriptor gives (clustersAffinity in a service's
 * valuesOverwrite); services without any are placed like in any other graph.
 */
async function placeGraph(ctx: CoreContext, op: OperationHandle, graph: GraphRow, hdag: Hdag, log: (line: string) => void): Promise<{ placementId: number; placement: Record<string, string[]> }> {
  const [already] = await ctx.db
    .select()
    .from(placements)
    .where(and(eq(placements.operationId, op.id), eq(placements.applied, true)))
    .limit(1);
  if (already) {
    // An earlier attempt stored the placement and then stopped before the step was recorded.
    const placement = (already.result as { placement?: Record<string, string[]> }).placement ?? {};
    await applyClusters(ctx, graph, placement);
    log(`placement ${already.id} of an earlier attempt reused`);
    return { placementId: already.id, placement };
  }
  const federation = await readFederation(ctx);
  const algorithm = graph.placementAlgorithm as PlacementAlgorithm;
  const plan = await planGraphPlacement(hdag, {
    algorithm,
    weights: resolveWeights(ctx, hdag, graph.placementWeights),
    clusters: federation.clusters,
    usePinned: hdag.intent.useStaticPlacement,
    timeLimitSeconds: ctx.config.placement.timeLimitSeconds,
  });
  const ready = federation.clusters.filter((cluster) => cluster.ready).map((cluster) => cluster.name);
  log(`clusters: ${federation.clusters.map((cluster) => `${cluster.name}${cluster.ready ? "" : " (not a candidate)"}`).join(", ")}`);
  const [row] = await ctx.db
    .insert(placements)
    .values({
      graphId: graph.id,
      graphName: graph.name,
      algorithm,
      status: plan.result.status,
      input: plan.input as unknown as Record<string, unknown>,
      result: { ...plan.result, placement: plan.placement, pinned: plan.pinned, evaluation: plan.evaluation } as unknown as Record<string, unknown>,
      objective: plan.evaluation && Number.isFinite(plan.evaluation.objective) ? plan.evaluation.objective : null,
      applied: plan.evaluation !== undefined,
      operationId: op.id,
      createdBy: ctx.actor.name,
    })
    .returning();
  if (!plan.evaluation) {
    const reason = plan.result.infeasibility?.message ?? `the ${algorithm} placement found none`;
    throw new PreconditionFailedError(`graph ${graph.name} cannot be placed on the Ready clusters (${ready.join(", ") || "none"}): ${reason}`);
  }
  await applyClusters(ctx, graph, plan.placement);
  const pinned = Object.keys(plan.pinned);
  const computed = hdag.services.map((service) => service.id).filter((id) => !plan.pinned[id]);
  const how = hdag.intent.useStaticPlacement
    ? `static placement: ${pinned.length ? `clusters given by the descriptor for ${pinned.join(", ")}` : "the descriptor gives no clusters"}${computed.length ? `; ${computed.join(", ")} placed by ${algorithm} because the descriptor gives no clustersAffinity for them` : ""}`
    : `placed by ${algorithm}`;
  await recordEvent(ctx, {
    kind: "graph.placed",
    message: `${graph.name} ${how}: ${Object.entries(plan.placement).map(([service, clusters]) => `${service} → ${clusters.join("+")}`).join(", ")}`,
    project: graph.project,
    graphName: graph.name,
    operationId: op.id,
    detail: { placementId: row!.id, algorithm, status: plan.result.status, pinned, computed, objective: plan.evaluation.objective },
  });
  if (!plan.evaluation.feasible) {
    await recordEvent(ctx, {
      kind: "graph.static-placement-violates",
      severity: "warning",
      message: `${graph.name}: the clusters its descriptor gives break the placement model, and are used as given: ${plan.evaluation.violations.map((violation) => violation.message).join("; ")}`,
      project: graph.project,
      graphName: graph.name,
      operationId: op.id,
    });
  }
  log(how);
  return { placementId: row!.id, placement: plan.placement };
}

async function applyClusters(ctx: CoreContext, graph: GraphRow, placement: Record<string, string[]>): Promise<void> {
  const rows = await listGraphServices(ctx.db, graph.id);
  for (const service of rows) {
    const clusters = placement[service.name];
    if (clusters) await updateService(ctx.db, service.id, { clusters });
  }
}

/** Installs one Pending service of a Running graph, once: a service no longer Pending is left alone. */
async function executeTriggeredServiceDeploy(ctx: CoreContext, op: OperationHandle, serviceName: string): Promise<void> {
  const graph = await requireGraphOfOperation(ctx, op);
  const service = await findService(ctx.db, graph.id, serviceName);
  if (!service) throw new PreconditionFailedError(`graph ${graph.name} has no service ${serviceName}`);
  const where = { project: graph.project, graphName: graph.name, serviceName, operationId: op.id };
  if (graph.status !== "Running") {
    await recordEvent(ctx, { kind: "service.trigger-ignored", severity: "warning", message: `${serviceName} not deployed: graph ${graph.name} is ${graph.status}`, ...where });
    return;
  }
  // A step that already succeeded belongs to this operation; otherwise only a Pending service is installed.
  if (service.status !== "Pending" && service.status !== "Failed") {
    await recordEvent(ctx, { kind: "service.trigger-ignored", message: `${serviceName} is already ${service.status}`, ...where });
    return;
  }
  const rows = await listGraphServices(ctx.db, graph.id);
  const values = currentValuesOf(hdagOfGraph(graph), rows, service);
  await op.step({ action: "helm-install", target: service.name, detail: { release: service.name, namespace: graph.project, chart: service.artifactRef } }, (log) =>
    installService(ctx, op, graph, service, values, log),
  );
}
