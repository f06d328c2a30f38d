/** Durable operations (deploy, stop, sync, scale, …) and their steps, for following an action to its end. */
import { z } from "zod";
import { NotFoundError } from "../../lib/errors";
import { getOperation, listOperations, watchOperation, watchOperations, type OperationRecord, type StepRecord } from "../../lib/operations";
import { router, viewerProcedure } from "../trpc";
import { streamSignal } from "./live";

const OPERATION_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled"] as const;

/** What operations.live yields: a `list` item, or with `id` the `get` shape (steps included). */
export type OperationUpdate = OperationRecord & { steps?: StepRecord[] };

export const operationsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          graphName: z.string().min(1).optional(),
          status: z.union([z.enum(OPERATION_STATUSES), z.array(z.enum(OPERATION_STATUSES)).min(1)]).optional(),
          limit: z.number().int().min(1).max(500).optional(),
        })
        .default({}),
    )
    .query(async ({ ctx, input }) => listOperations(await ctx.core(), input)),

  /** The operation with its steps in execution order. */
  get: viewerProcedure.input(z.object({ id: z.string().min(1) })).query(async ({ ctx, input }) => {
    const operation = await getOperation(await ctx.core(), input.id);
    if (!operation) throw new NotFoundError("operation", input.id);
    return operation;
  }),

  /**
   * Operations as they change. Without `id`: the newest 50 (of `graphName`) as `list` gives them,
   * first each one's current state (oldest first, so nothing is missed between a `list` and this
   * subscription), then each one again whenever its status, error or steps change. With `id`: that
   * operation in `get`'s shape (with its steps), now and at each change. Runs until the client leaves.
   */
  live: viewerProcedure
    .input(z.object({ graphName: z.string().min(1).optional(), id: z.string().min(1).optional() }).default({}))
    .subscription(async ({ ctx, input, signal }): Promise<AsyncIterable<OperationUpdate>> => {
      const core = await ctx.core();
      const options = { signal: streamSignal(signal) };
      if (input.id === undefined) return watchOperations(core, { graphName: input.graphName }, options);
      // Checked before the stream starts, so that an unknown id is a NOT_FOUND, not a stream that retries.
      const operation = await getOperation(core, input.id);
      if (!operation || (input.graphName !== undefined && operation.graphName !== input.graphName)) throw new NotFoundError("operation", input.id);
      return watchOperation(core, input.id, options);
    }),
});
