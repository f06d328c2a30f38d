/**
 * Graphs (SPEC §3): reads for everyone signed in, lifecycle actions for operators. Actions answer
 * as soon as their operation is recorded and running; the console follows it through operations.get.
 */
import { z } from "zod";
import {
  deployGraph,
  getGraph,
  GRAPH_PAGE_SIZE,
  graphMetrics,
  listGraphs,
  MAX_METRICS_MINUTES,
  listProjects,
  previewReplacement,
  readDescriptorText,
  removeGraph,
  replaceGraph,
  startGraph,
  stopGraph,
  type GraphOperationResult,
} from "../../lib/graphs";
import { parseHdag } from "../../lib/hdag/parse";
import type { LocatedIssue } from "../../lib/hdag/yaml";
import { ValidationError } from "../../lib/errors";
import { nameSchema } from "../../lib/names";
import { startRetryOperation } from "../../lib/operations";
import { PLACEMENT_ALGORITHMS, type PlacementAlgorithm } from "../../lib/placement/types";
import { router, operatorProcedure, viewerProcedure } from "../trpc";
import { operationExecutors } from "../workers/executors";

const GRAPH_STATUSES = ["Deploying", "Running", "Stopping", "Stopped", "Removing", "Failed"] as const;

export const algorithmSchema = z.enum(PLACEMENT_ALGORITHMS as [PlacementAlgorithm, ...PlacementAlgorithm[]]);
export const weightsSchema = z
  .object({
    migration: z.number().finite().nonnegative(),
    carbon: z.number().finite().nonnegative(),
    communication: z.number().finite().nonnegative(),
    balance: z.number().finite().nonnegative(),
  })
  .partial()
  .strict();

/** Graph and project names are DNS-1123 labels: anything else is refused here, naming the problem. */
const graphName = nameSchema();
const nameInput = z.object({ name: graphName });

const remoteDescriptorSchema = z.union([z.object({ url: z.string().min(1).max(2048) }).strict(), z.object({ artifact: z.string().min(1).max(2048) }).strict()]);

const descriptorSchema = z.union([z.object({ text: z.string().min(1) }).strict(), remoteDescriptorSchema]);

/** Parses only: a valid descriptor, or every problem with its path (and line/column when the YAML locates it). */
function validateDescriptorText(text: string): { valid: boolean; graphId?: string; issues: LocatedIssue[] } {
  try {
    return { valid: true, graphId: parseHdag(text).id, issues: [] };
  } catch (error) {
    if (error instanceof ValidationError) return { valid: false, issues: error.issues };
    throw error;
  }
}

/** What an action answers: the graph as the operation began and the operation to follow (not its settling promise). */
function startedAction({ graph, operation }: GraphOperationResult) {
  return { graph, operation };
}

export const graphsRouter = router({
  /** A page of graphs ({ items, nextCursor, total }); pass nextCursor back as cursor for the next page. */
  list: viewerProcedure
    .input(
      z
        .object({
          project: nameSchema().optional(),
          status: z.enum(GRAPH_STATUSES).optional(),
          limit: z.number().int().min(1).max(GRAPH_PAGE_SIZE.max).optional(),
          cursor: z.string().min(1).max(1_024).nullish(),
        })
        .default({}),
    )
    .query(async ({ ctx, input }) => listGraphs(await ctx.core(), input)),

  get: viewerProcedure.input(nameInput).query(async ({ ctx, input }) => getGraph(await ctx.core(), input.name)),

  /**
   * The scaling history chart's data: per service, request rate, ready replicas and capacity
   * (alpha·replicas + beta of its policy) over the last `minutes` (default 60), at most 240 points, from Prometheus.
   */
  metrics: viewerProcedure
    .input(z.object({ name: z.string().min(1).max(253), minutes: z.number().int().min(5).max(MAX_METRICS_MINUTES).optional() }))
    .query(async ({ ctx, input }) => graphMetrics(await ctx.core(), { graphName: input.name, minutes: input.minutes })),

  projects: viewerProcedure.query(async ({ ctx }) => listProjects(await ctx.core())),

  deploy: operatorProcedure
    .input(z.object({ project: nameSchema(), descriptor: descriptorSchema, algorithm: algorithmSchema.optional() }))
    .mutation(async ({ ctx, input }) => startedAction(await deployGraph(await ctx.core(), { ...input, wait: false }))),

  start: operatorProcedure.input(nameInput).mutation(async ({ ctx, input }) => startedAction(await startGraph(await ctx.core(), { graphName: input.name, wait: false }))),

  stop: operatorProcedure.input(nameInput).mutation(async ({ ctx, input }) => startedAction(await stopGraph(await ctx.core(), { graphName: input.name, wait: false }))),

  remove: operatorProcedure.input(nameInput).mutation(async ({ ctx, input }) => startedAction(await removeGraph(await ctx.core(), { graphName: input.name, wait: false }))),

  /** A dry run; it stores the preview (an unapplied placement) so that `replace` can apply exactly it. */
  previewReplacement: operatorProcedure
    .input(z.object({ name: graphName, algorithm: algorithmSchema.optional(), weights: weightsSchema.optional() }))
    .mutation(async ({ ctx, input }) => previewReplacement(await ctx.core(), { graphName: input.name, algorithm: input.algorithm, weights: input.weights })),

  replace: operatorProcedure
    .input(z.object({ name: graphName, placementId: z.number().int().positive().optional() }))
    .mutation(async ({ ctx, input }) => {
      const { preview, ...result } = await replaceGraph(await ctx.core(), { graphName: input.name, placementId: input.placementId, wait: false });
      return { ...startedAction(result), preview };
    }),

  retry: operatorProcedure.input(z.object({ operationId: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const { operation } = await startRetryOperation(await ctx.core(), input.operationId, operationExecutors);
    return { operation };
  }),

  /**
   * The text of a descriptor at an http(s) URL or an oci:// artifact, unparsed, so that the console
   * can show, validate and preview it before deploying. Operators only: it makes the server fetch a
   * URL, and like every mutation it is audited. Nothing else is written.
   */
  fetchDescriptor: operatorProcedure.input(remoteDescriptorSchema).mutation(async ({ ctx, input }) => readDescriptorText(await ctx.core(), input)),

  /** Parses a descriptor and reports every problem with its place; nothing is written. */
  validate: viewerProcedure.input(z.object({ text: z.string() })).query(({ input }) => validateDescriptorText(input.text)),
});
