/**
 * Re-placement (SPEC §3, §4). previewReplacement is a dry run over the federation as it is now:
 * where the services run, the solver's new placement, the moves, and the objective before and
 * after; it writes nothing but an unapplied placement row. replaceGraph applies a preview with
 * `helm upgrade --reuse-values` on the services whose placement values changed.
 */
import { eq, sql } from "drizzle-orm";
import { graphs, placements } from "../../db/schema";
import type { CoreContext } from "../context";
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from "../errors";
import { recordEvent } from "../events";
import { mergeValues } from "../helm/values";
import type { OperationHandle } from "../operations";
import { evaluatePlacement } from "../placement/evaluate";
import type { PlacementAlgorithm, PlacementEvaluation, PlacementStatus, PlacementTerms, PlacementWeights, ServiceExplanation } from "../placement/types";
import { validatePlacementOptions } from "./deploy";
import { requireGraphOfOperation, runStepBatch, type BatchedStep } from "./operation-support";
import { placementOverlay, planGraphPlacement, readFederation, releaseOwnUsage, resolveWeights, serviceImportClusters } from "./placing";
import { findPlacement, hdagOfGraph, listGraphServices, requireGraph, sameClusters, updateService, type GraphRow, type ServiceRow } from "./records";
import { upgradeRelease } from "./releases";
import { runGraphOperation, type GraphOperationResult } from "./stop";

export type PlacementMove = { service: string; from: string[]; to: string[] };

export type PlacementSide = {
  feasible: boolean;
  objective: number;
  terms: PlacementTerms;
  /** Why the placement breaks the model (e.g. a service on a cluster that is no longer Ready). */
  violations: string[];
};

export type ReplacementPreview = {
  placementId: number;
  graphName: string;
  algorithm: PlacementAlgorithm;
  status: PlacementStatus;
  /** Where each service runs now (Karmada's view for installed services, the database's otherwise). */
  current: Record<string, string[]>;
  /** The proposed placement (empty when infeasible). */
  proposed: Record<string, string[]>;
  moves: PlacementMove[];
  /** Services whose ServiceImport clusters change because a service connecting to them moves. */
  importChanges: string[];
  before: PlacementSide;
  after?: PlacementSide;
  explanations: ServiceExplanation[];
  infeasibility?: string;
  /** Sentences for the console: what changes and why the current placement may be broken. */
  notes: string[];
};

/** What the placement row of a preview holds besides the solver's result. */
type StoredPreview = ReplacementPreview & { recorded: Record<string, string[]>; imports: Record<string, string[]> };

export type PreviewReplacementInput = { graphName: string; algorithm?: PlacementAlgorithm; weights?: Partial<PlacementWeights> };

export async function previewReplacement(ctx: CoreContext, input: PreviewReplacementInput): Promise<ReplacementPreview> {
  const options = validatePlacementOptions(input);
  const graph = await requireGraph(ctx.db, input.graphName);
  const hdag = hdagOfGraph(graph);
  const rows = await listGraphServices(ctx.db, graph.id);
  const recorded = Object.fromEntries(rows.map((row) => [row.name, row.clusters]));
  const current: Record<string, string[]> = {};
  const replicas: Record<string, number> = {};
  const notes: string[] = [];
  await Promise.all(
    rows.map(async (row) => {
      current[row.name] = row.clusters;
      replicas[row.name] = row.replicas;
      if (row.status !== "Deployed") return;
      const [running, deployment] = await Promise.all([
        ctx.clients.karmada.getReleasePlacement(graph.project, row.name),
        ctx.clients.karmada.getDeployment(graph.project, row.name),
      ]);
      if (running.length > 0) current[row.name] = running;
      if (deployment) replicas[row.name] = deployment.replicas;
      if (running.length > 0 && !sameClusters(running, row.clusters)) {
        notes.push(`${row.name} runs on ${running.join(", ")} although the database records ${row.clusters.join(", ") || "no cluster"}`);
      }
    }),
  );
  const federation = await readFederation(ctx);
  const running = Object.fromEntries(rows.filter((row) => row.status === "Deployed").map((row) => [row.name, current[row.name] ?? []]));
  const clusters = releaseOwnUsage(federation, hdag, running, replicas);
  const algorithm = options.algorithm ?? ctx.config.placement.replaceAlgorithm;
  const weights = resolveWeights(ctx, hdag, graph.placementWeights, options.weights);
  const plan = await planGraphPlacement(hdag, {
    algorithm,
    weights,
    clusters,
    current,
    replicas,
    usePinned: hdag.intent.useStaticPlacement,
    timeLimitSeconds: ctx.config.placement.timeLimitSeconds,
  });
  const before = describeSide(evaluatePlacement(plan.input, current));
  if (!before.feasible) notes.push(`the current placement breaks the model: ${before.violations.join("; ")}`);
  const after = plan.evaluation ? describeSide(plan.evaluation) : undefined;
  const moves: PlacementMove[] = plan.evaluation
    ? rows.filter((row) => !sameClusters(current[row.name] ?? [], plan.placement[row.name] ?? [])).map((row) => ({ service: row.name, from: current[row.name] ?? [], to: plan.placement[row.name] ?? [] }))
    : [];
  const oldImports = serviceImportClusters(hdag, current);
  const newImports = plan.evaluation ? serviceImportClusters(hdag, plan.placement) : oldImports;
  const importChanges = plan.evaluation
    ? rows.filter((row) => !moves.some((move) => move.service === row.name) && !sameClusters(oldImports[row.name] ?? [], newImports[row.name] ?? [])).map((row) => row.name)
    : [];
  if (after && !after.feasible) notes.push(`the proposed placement keeps the clusters the descriptor gives (static placement), which break the model: ${after.violations.join("; ")}`);
  if (plan.evaluation) {
    notes.push(moves.length === 0 ? "no service moves" : `${moves.length} service(s) move: ${moves.map((move) => `${move.service} ${move.from.join("+") || "(none)"} → ${move.to.join("+")}`).join(", ")}`);
  }
  const infeasibility = plan.evaluation ? undefined : (plan.result.infeasibility?.message ?? `${algorithm} found no placement`);
  const preview: Omit<StoredPreview, "placementId"> = {
    graphName: graph.name,
    algorithm,
    status: plan.result.status,
    current,
    recorded,
    proposed: plan.placement,
    imports: newImports,
    moves,
    importChanges,
    before,
    after,
    explanations: plan.result.explanations,
    infeasibility,
    notes,
  };
  const [row] = await ctx.db
    .insert(placements)
    .values({
      graphId: graph.id,
      graphName: graph.name,
      algorithm,
      status: plan.result.status,
      input: plan.input as unknown as Record<string, unknown>,
      result: { ...plan.result, placement: plan.placement, pinned: plan.pinned, preview } as unknown as Record<string, unknown>,
      objective: after && Number.isFinite(after.objective) ? after.objective : null,
      applied: false,
      createdBy: ctx.actor.name,
    })
    .returning();
  await recordEvent(ctx, {
    kind: "graph.replacement-previewed",
    message: `re-placement of ${graph.name} previewed with ${algorithm}: ${infeasibility ?? notes[notes.length - 1]}`,
    project: graph.project,
    graphName: graph.name,
    detail: { placementId: row!.id, moves: moves.length },
  });
  return { placementId: row!.id, ...withoutInternals(preview) };
}

function withoutInternals(preview: Omit<StoredPreview, "placementId">): Omit<ReplacementPreview, "placementId"> {
  const { recorded: _recorded, imports: _imports, ...rest } = preview;
  return rest;
}

function describeSide(evaluation: PlacementEvaluation): PlacementSide {
  return { feasible: evaluation.feasible, objective: evaluation.objective, terms: evaluation.terms, violations: evaluation.violations.map((violation) => violation.message) };
}

export type ReplaceGraphInput = {
  graphName: string;
  /** A preview to apply; without one, a preview is computed and applied. */
  placementId?: number;
  algorithm?: PlacementAlgorithm;
  weights?: Partial<PlacementWeights>;
  wait?: boolean;
};

export type ReplaceGraphResult = GraphOperationResult & { preview: ReplacementPreview };

export async function replaceGraph(ctx: CoreContext, input: ReplaceGraphInput): Promise<ReplaceGraphResult> {
  if (input.placementId !== undefined && (input.algorithm !== undefined || input.weights !== undefined)) {
    throw new ValidationError([{ path: "placementId", message: "give either a preview to apply or an algorithm/weights to compute one, not both" }]);
  }
  const graph = await requireGraph(ctx.db, input.graphName);
  if (graph.status !== "Running" && graph.status !== "Stopped") {
    throw new PreconditionFailedError(`graph ${graph.name} is ${graph.status}; only a running or stopped graph can be re-placed`);
  }
  const preview = input.placementId !== undefined ? await loadPreview(ctx, graph, input.placementId) : await previewReplacement(ctx, input);
  if (preview.infeasibility) throw new PreconditionFailedError(`graph ${graph.name} cannot be re-placed: ${preview.infeasibility}`);
  const result = await runGraphOperation(ctx, graph, "replace", executeReplace, { wait: input.wait, input: { placementId: preview.placementId } });
  return { ...result, preview };
}

/** A stored, unapplied preview of this graph, still based on the clusters the database records. */
async function loadPreview(ctx: CoreContext, graph: GraphRow, placementId: number): Promise<ReplacementPreview> {
  if (!Number.isSafeInteger(placementId)) throw new ValidationError([{ path: "placementId", message: "must be an integer" }]);
  const row = await findPlacement(ctx.db, placementId);
  const stored = (row?.result as { preview?: StoredPreview } | undefined)?.preview;
  if (!row || row.graphId !== graph.id || !stored) throw new NotFoundError("placement preview", `${placementId} of graph ${graph.name}`);
  if (row.applied) throw new ConflictError(`placement ${placementId} has already been applied`);
  const rows = await listGraphServices(ctx.db, graph.id);
  const changed = rows.filter((service) => !sameClusters(stored.recorded[service.name] ?? [], service.clusters)).map((service) => service.name);
  if (changed.length > 0) throw new ConflictError(`placement preview ${placementId} is out of date: ${changed.join(", ")} moved since; preview again`);
  return { placementId, ...withoutInternals(stored) };
}

/** The executor of `replace`: upgrades the services whose placement values change, then marks the placement applied. */
export async function executeReplace(ctx: CoreContext, op: OperationHandle): Promise<void> {
  const graph = await requireGraphOfOperation(ctx, op);
  const placementId = (op.record.input as { placementId?: number }).placementId;
  const row = placementId === undefined ? undefined : await findPlacement(ctx.db, placementId);
  const stored = (row?.result as { preview?: StoredPreview } | undefined)?.preview;
  if (!row || !stored) throw new NotFoundError("placement", String(placementId));
  const rows = await listGraphServices(ctx.db, graph.id);
  const hdag = hdagOfGraph(graph);
  const newImports = serviceImportClusters(hdag, stored.proposed);
  const oldImports = serviceImportClusters(hdag, stored.current);
  const batch: BatchedStep[] = [];
  for (const service of rows) {
    const clusters = stored.proposed[service.name] ?? service.clusters;
    const imports = newImports[service.name] ?? [];
    const unchanged = sameClusters(stored.current[service.name] ?? [], clusters) && sameClusters(oldImports[service.name] ?? [], imports);
    if (unchanged) {
      if (!sameClusters(service.clusters, clusters)) await updateService(ctx.db, service.id, { clusters });
      continue;
    }
    if (service.status !== "Deployed") {
      // Not installed (stopped graph, Pending service): the next install uses the new clusters.
      await updateService(ctx.db, service.id, { clusters });
      continue;
    }
    batch.push({
      spec: { action: "helm-upgrade", target: service.name, detail: { release: service.name, namespace: graph.project, clusters, imports } },
      run: (log) => moveService(ctx, graph, service, clusters, imports, log),
    });
  }
  const failure = await runStepBatch(ctx, op, batch);
  if (failure !== undefined) throw failure;
  await ctx.db.update(placements).set({ applied: true, operationId: op.id }).where(eq(placements.id, row.id));
  await ctx.db
    .update(graphs)
    .set({ placementAlgorithm: row.algorithm, updatedAt: sql`now()` })
    .where(eq(graphs.id, graph.id));
  await recordEvent(ctx, {
    kind: "graph.replaced",
    message: `${graph.name} re-placed with ${row.algorithm}: ${stored.moves.length ? stored.moves.map((move) => `${move.service} ${move.from.join("+") || "(none)"} → ${move.to.join("+")}`).join(", ") : "no service moved"}`,
    project: graph.project,
    graphName: graph.name,
    operationId: op.id,
    detail: { placementId: row.id, moves: stored.moves, upgraded: batch.map((step) => step.spec.target) },
  });
}

async function moveService(ctx: CoreContext, graph: GraphRow, service: ServiceRow, clusters: string[], imports: string[], log: (line: string) => void): Promise<number | undefined> {
  const overlay = placementOverlay(service, clusters, imports);
  const revision = await upgradeRelease(ctx, { release: service.name, chart: service.artifactRef, namespace: graph.project, values: overlay, reuseValues: true }, log);
  // The upgrade re-renders the Deployment with the chart's replicas; keep the count scaling chose.
  const deployment = await ctx.clients.karmada.getDeployment(graph.project, service.name);
  if (deployment && deployment.replicas !== service.replicas) {
    const stored = await ctx.clients.karmada.scaleDeployment(graph.project, service.name, service.replicas);
    log(`replicas restored from ${deployment.replicas} to ${stored}`);
  }
  await updateService(ctx.db, service.id, { clusters, appliedValues: mergeValues(service.appliedValues ?? {}, overlay) });
  await recordEvent(ctx, {
    kind: "service.moved",
    message: `${service.name} moved to ${clusters.join(", ")}`,
    project: graph.project,
    graphName: graph.name,
    serviceName: service.name,
    detail: { from: service.clusters, to: clusters, revision },
  });
  return revision;
}
